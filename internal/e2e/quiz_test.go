//go:build browser

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const (
	quizEmail    = "quiz.learner@example.com"
	quizPassword = "quiz learner password, long"
)

// answerCurrent answers the question on screen: a typed code or number
// (a plausible wrong one is fine), or the first choice.
func (b *browser) answerCurrent() {
	b.t.Helper()
	if _, ok := b.text("#f-text"); ok || eval[bool](b, `!!document.getElementById("f-text")`) {
		b.typeInto("f-text", "8471.30.01")
		return
	}
	b.run(chromedp.Click(chromedp.CSS(`input[name="choice"]`)))
}

// TestQuizJourney signs up, takes a practice set with feedback after each
// answer, a timed short exam (countdown shown, answers saved, submitted),
// reviews the exam's mistakes, and looks at the exam on a phone screen.
func TestQuizJourney(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)

	b.Step("signup")
	b.mustOpen("/signup")
	b.signUp("Quinn Learner", quizEmail, "", quizPassword)

	b.Step("catalog")
	b.clickNav("Practice")
	if got, want := b.mustText("main h1"), "Practice quizzes and exam simulator"; got != want {
		b.errorf("catalog heading: got %q, want %q", got, want)
	}
	b.visited("quiz catalog")
	b.shot("quiz-catalog")

	b.Step("practice")
	start := chromedp.Search(`//button[normalize-space()="GRI 1"]`)
	if got := b.follow(`click the "GRI 1" practice set`, chromedp.Click(start)); got != http.StatusOK {
		b.fatalf("practice: got status %d, want 200", got)
	}
	if got := b.mustText(".quiz-meta"); !strings.HasPrefix(got, "Question 1 of 3") {
		b.errorf("practice meta: got %q", got)
	}
	if _, ok := b.text(".quiz-result"); ok {
		b.errorf("feedback shown before answering")
	}
	b.visited("practice question")
	b.Step("practice-empty")
	if got := b.follow(`click "Check my answer" with nothing picked`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Check my answer"]`))); got != http.StatusUnprocessableEntity {
		b.errorf("empty answer: got status %d, want 422", got)
	}
	if got, _ := b.text(".field-error"); got != "Pick an answer." {
		b.errorf("empty answer error: got %q", got)
	}
	b.Step("practice-answer")
	b.answerCurrent()
	if got := b.follow(`click "Check my answer"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Check my answer"]`))); got != http.StatusOK {
		b.fatalf("answer: got status %d, want 200", got)
	}
	if got := b.mustText(".quiz-verdict"); !strings.Contains(got, "credit") {
		b.errorf("verdict: got %q", got)
	}
	if got := b.mustText(".quiz-explanation h3"); got != "Why" {
		b.errorf("explanation heading: got %q", got)
	}
	b.visited("practice feedback")
	b.shot("quiz-practice-feedback")

	b.Step("exam")
	b.mustOpen("/quiz")
	if got := b.follow(`click "Start Short exam"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Start Short exam"]`))); got != http.StatusOK {
		b.fatalf("exam: got status %d, want 200", got)
	}
	timer := b.mustText(".quiz-timer-value")
	if !strings.HasPrefix(timer, "0:59:") && timer != "1:00:00" {
		b.errorf("countdown: got %q, want about an hour", timer)
	}
	if _, ok := b.text(".quiz-book"); !ok {
		b.errorf("open-book exam: no tariff search panel")
	}
	b.Step("open-book-search")
	// quiz.js fetches the search API into the panel; the page stays put.
	b.typeInto("book-q", "laptop")
	b.run(chromedp.Click(chromedp.Search(`//aside//button[normalize-space()="Search"]`)), chromedp.WaitVisible(chromedp.CSS(".quiz-book-results li a")))
	if got := b.mustText(".quiz-book-results li a"); got != "8471.30" {
		b.errorf("panel search for laptop: first result %q, want 8471.30", got)
	}
	if got := b.mustText(".quiz-meta"); !strings.HasPrefix(got, "Question 1 of 20") {
		b.errorf("the panel search left the question: %q", got)
	}
	b.answerCurrent()
	if got := b.follow(`click "Save and next"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Save and next"]`))); got != http.StatusOK {
		b.fatalf("save: got status %d, want 200", got)
	}
	if got := b.mustText(".quiz-meta"); !strings.HasPrefix(got, "Question 2 of 20 · 1 answered") {
		b.errorf("after saving: got %q", got)
	}
	if _, ok := b.text(".quiz-result"); ok {
		b.errorf("exam shows feedback before submission")
	}
	b.visited("exam question")
	b.shot("quiz-exam")

	b.Step("submit")
	if got := b.follow(`click "Submit the exam"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Submit the exam"]`))); got != http.StatusOK {
		b.fatalf("submit: got status %d, want 200", got)
	}
	if got := b.mustText("main h1"); got != "Short exam: results" {
		b.errorf("results heading: got %q", got)
	}
	if got := b.mustText(".flash"); got != "Submitted. Here are your results." {
		b.errorf("flash: got %q", got)
	}
	if n := len(b.texts(".quiz-review-item")); n != 20 {
		b.errorf("results: got %d questions, want 20", n)
	}
	b.visited("exam results")
	b.shot("quiz-results")

	b.Step("review")
	if got := b.follow(`click "Review my mistakes"`, chromedp.Click(chromedp.Search(`//button[starts-with(normalize-space(), "Review my")]`))); got != http.StatusOK {
		b.fatalf("review: got status %d, want 200", got)
	}
	if got := b.mustText("main h1"); got != "Review of mistakes" {
		b.errorf("review heading: got %q", got)
	}
	b.answerCurrent()
	if got := b.follow(`click "Check my answer"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Check my answer"]`))); got != http.StatusOK {
		b.fatalf("review answer: got status %d, want 200", got)
	}
	if _, ok := b.text(".quiz-result"); !ok {
		b.errorf("review: no feedback after answering")
	}
	b.visited("review feedback")

	b.Step("progress")
	b.mustOpen("/quiz/progress")
	if _, ok := b.text(".quiz-chart svg"); !ok {
		b.errorf("progress: no chart")
	}
	b.visited("quiz progress")
	b.shot("quiz-progress")

	b.Step("phone")
	p := newPhoneBrowser(t, srv)
	p.openAndLogIn(quizEmail, quizPassword)
	p.mustOpen("/quiz")
	p.checkNoSideScroll("/quiz")
	if got := p.follow(`click "Start Short exam"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Start Short exam"]`))); got != http.StatusOK {
		p.fatalf("exam on a phone: got status %d, want 200", got)
	}
	p.checkNoSideScroll("exam")
	p.visited("exam on a phone")
	p.shot("quiz-exam-phone")
}

// TestQuizStaffPages opens the quiz analytics, the item list and an item's
// edit form as the admin, and audits them with axe-core.
func TestQuizStaffPages(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.Step("login")
	b.openAndLogIn(adminEmail, adminPassword)
	for _, p := range []struct{ name, path, h1 string }{
		{"quiz analytics", "/admin/quiz", "Quiz analytics"},
		{"quiz items", "/admin/quiz/items?track=gri", "Quiz items"},
		{"quiz item", "/admin/quiz/items/gri-live-horses", "Edit gri-live-horses"},
	} {
		b.Step(p.name)
		if got := b.open(p.path); got != http.StatusOK {
			b.errorf("GET %s: got %d, want 200", p.path, got)
			continue
		}
		if got := b.mustText("main h1"); got != p.h1 {
			b.errorf("%s heading: got %q, want %q", p.path, got, p.h1)
		}
		b.visited(p.name)
		b.shot(strings.ReplaceAll(p.name, " ", "-"))
	}
}
