// Package quiz is the question bank and the grading engine of the practice
// quizzes and exam simulator: the question model (loaded from the JSON files
// of content/quiz), grading with level-by-level credit for tariff codes,
// the public view of a question that carries no key, quiz assembly from
// pools with seeded randomisation, the exam presets, and the check of the
// answer keys against a tariff edition.
//
// Everything here is pure: no database, no clock, no HTTP. Attempts, timers
// and analytics are built on top of it by the quiz service. The package
// imports internal/hts (code parsing and the tariff index) and the standard
// library only.
//
// `hsworkshop quiz check` (in cmd) loads the bank with LoadBank(content.FS),
// the bundled edition with hts.LoadBundled and the newest imported one with
// hts.Load, then prints Check(bank, bundled, latest): problems fail the
// command, changes in the newer edition are warnings.
package quiz
