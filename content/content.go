// Package content holds the authored material the app ships with: the demo
// catalog (workshops, sessions, instructors), the tariff data, the question
// bank (quiz/), lessons, the duty measures and worked cases, and the USMCA
// origin rule table. It only embeds files; it imports no
// project package.
package content

import "embed"

// FS is the embedded content tree.
//
//go:embed seed hts duty origin lessons quiz
var FS embed.FS
