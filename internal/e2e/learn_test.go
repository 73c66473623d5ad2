//go:build browser

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/learn"
)

// Lessons of the journey: the public first lesson of the HS track, and the
// second, which needs an account.
const (
	learnPublic = "hs-purpose-and-editions"
	learnGated  = "hs-structure"
)

// lessonFile returns the lesson file of slug and the one after it in
// reading order, from the embedded content (the self-check answers live
// there, never in the page).
func lessonFile(t *testing.T, slug string) (learn.LessonFile, learn.LessonFile) {
	t.Helper()
	c, err := learn.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range c.Lessons {
		if l.Slug == slug && i+1 < len(c.Lessons) {
			return l, c.Lessons[i+1]
		}
	}
	t.Fatalf("no lesson %q with a next lesson", slug)
	return learn.LessonFile{}, learn.LessonFile{}
}

// TestJourneyLearn: a visitor reads a public lesson, is sent to log in by
// the next (members-only) lesson, signs up, opens it from the tracks page,
// answers the self-check (one wrong first, graded on the server), marks it
// complete, sees the progress on /learn and "continue" on the dashboard,
// logs out and back in through the lesson's login redirect.
func TestJourneyLearn(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)
	gated, next := lessonFile(t, learnGated)
	const email, password = "grace@learn.example.com", "a long enough learner password"

	b.Step("public-lesson")
	b.mustOpen("/")
	b.clickNav("Learn")
	if got := len(b.texts(".learn-track")); got != 7 {
		b.errorf("tracks: got %d, want 7", got)
	}
	b.visited("tracks, anonymous")
	if got := b.follow("click the first lesson", chromedp.Click(chromedp.CSS(`a[href="/learn/`+learnPublic+`"]`))); got != http.StatusOK {
		b.fatalf("public lesson: got status %d, want 200", got)
	}
	if got := b.mustText(".learn-asof"); !strings.HasPrefix(got, "As of 20") {
		b.errorf("as-of banner: got %.80q", got)
	}
	if n := len(b.texts(".learn-toc li")); n < 3 {
		b.errorf("table of contents: got %d entries, want at least 3", n)
	}
	if n := len(b.texts(".learn-sources li")); n == 0 {
		b.errorf("sources: none listed")
	}
	if _, ok := b.text(".learn-explain"); ok {
		b.errorf("explanations shown before the self-check was sent")
	}
	b.visited("public lesson")
	b.shot("public-lesson")

	b.Step("gated-lesson-needs-login")
	if got := b.follow(`click "Next"`, chromedp.Click(chromedp.CSS(`.learn-pager a[rel="next"]`))); got != http.StatusOK {
		b.fatalf("next lesson: got status %d, want 200 (the login page)", got)
	}
	if got, want := b.path(), "/login?next=%2Flearn%2F"+learnGated; got != want {
		b.errorf("redirect: got %q, want %q", got, want)
	}

	b.Step("signup")
	b.clickNav("Sign up")
	b.signUp("Grace Hopper", email, "", password)
	b.checkLoggedIn(true)

	b.Step("open-gated-lesson")
	b.clickNav("Learn")
	if got := b.mustText(".learn-continue"); !strings.Contains(got, "You have not opened a lesson yet") {
		b.errorf("new learner's dashboard: got %.120q", got)
	}
	b.visited("empty dashboard")
	b.mustOpen("/learn")
	if got := b.follow("click the second HS lesson", chromedp.Click(chromedp.CSS(`a[href="/learn/`+learnGated+`"]`))); got != http.StatusOK {
		b.fatalf("gated lesson: got status %d, want 200", got)
	}
	if got := b.mustText("main h1"); got != gated.Title {
		b.errorf("lesson title: got %q, want %q", got, gated.Title)
	}
	b.visited("members-only lesson")

	b.Step("self-check-wrong")
	pick := func(wrongFirst bool) {
		for i, q := range gated.SelfCheck {
			chosen := q.Answer
			if wrongFirst && i == 0 {
				chosen = []int{(q.Answer[0] + 1) % len(q.Choices)}
			}
			for _, a := range chosen {
				b.run(chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="q%d"][value="%d"]`, i, a))))
			}
		}
	}
	checkButton := chromedp.Search(`//button[normalize-space()="Check my answers"]`)
	pick(true)
	if got := b.follow(`click "Check my answers"`, chromedp.Click(checkButton)); got != http.StatusOK {
		b.fatalf("self-check: got status %d, want 200", got)
	}
	n := len(gated.SelfCheck)
	if got, want := b.mustText(".learn-score strong"), fmt.Sprintf("%d of %d right.", n-1, n); got != want {
		b.errorf("score: got %q, want %q", got, want)
	}
	if got := b.mustText(".learn-result.is-wrong .learn-explain"); got != strings.TrimSpace(gated.SelfCheck[0].Explanation) {
		b.errorf("explanation of the wrong answer: got %.80q", got)
	}
	b.visited("self-check graded")
	b.shot("self-check-graded")

	b.Step("self-check-right")
	if got := b.follow(`click "Try the self-check again"`, chromedp.Click(chromedp.Search(`//a[normalize-space()="Try the self-check again"]`))); got != http.StatusOK {
		b.fatalf("self-check again: got status %d", got)
	}
	pick(false)
	if got := b.follow(`click "Check my answers"`, chromedp.Click(checkButton)); got != http.StatusOK {
		b.fatalf("self-check: got status %d, want 200", got)
	}
	if got, want := b.mustText(".learn-score strong"), fmt.Sprintf("%d of %d right.", n, n); got != want {
		b.errorf("score: got %q, want %q", got, want)
	}

	b.Step("mark-complete")
	if got := b.follow(`click "Mark this lesson complete"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Mark this lesson complete"]`))); got != http.StatusOK {
		b.fatalf("mark complete: got status %d, want 200 after the redirect", got)
	}
	if got := b.mustText(".learn-done"); !strings.HasPrefix(got, "Completed on") {
		b.errorf("completion: got %q, want it to say Completed on …", got)
	}
	b.visited("completed lesson")

	b.Step("progress")
	b.mustOpen("/learn")
	if got, want := b.mustText(`label[for="progress-harmonized-system"]`), "1 of 4 done"; got != want {
		b.errorf("HS track progress: got %q, want %q", got, want)
	}
	if got := eval[float64](b, `document.getElementById("progress-harmonized-system").value`); got != 1 {
		b.errorf("progress bar: got %v, want 1", got)
	}
	b.visited("tracks with progress")
	b.shot("tracks-progress")

	b.Step("dashboard-continue")
	b.clickNav("Learn")
	if got, ok := b.attr(".learn-continue a.button", "href"); !ok || got != "/learn/"+next.Slug {
		b.errorf("continue: got %q, want /learn/%s (the lesson after the one completed)", got, next.Slug)
	}
	b.visited("dashboard")
	b.shot("dashboard")

	b.Step("login-through-lesson")
	b.logOut()
	if got := b.open("/learn/" + learnGated); got != http.StatusOK {
		b.fatalf("gated lesson, logged out: got status %d, want 200 (login page)", got)
	}
	b.logIn(email, password)
	if got, want := b.path(), "/learn/"+learnGated; got != want {
		b.errorf("after login: got %q, want back on %q", got, want)
	}
	if _, ok := b.text(".learn-done"); !ok {
		b.errorf("completion not kept across logins")
	}
}

// TestOriginLabJourney types a passing and a failing case into the origin
// lab, adding a bill-of-materials row without JavaScript-only controls.
func TestOriginLabJourney(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)
	checkOrigin := chromedp.Search(`//button[normalize-space()="Check origin"]`)

	b.Step("open-lab")
	b.mustOpen("/learn/origin-lab")
	if n := len(b.texts(".lab-rules-table tbody tr")); n < 15 {
		b.errorf("covered headings: got %d rows, want at least 15", n)
	}
	b.visited("origin lab")

	b.Step("passing")
	b.typeInto("f-good", "6911.10.45")
	b.typeInto("f-transaction_value", "50.00")
	b.typeInto("in-code-0", "2507.00.00")
	b.typeInto("in-origin-0", "CN")
	b.typeInto("in-value-0", "20.00")
	b.typeInto("in-code-1", "3207.20.00")
	b.typeInto("in-origin-1", "US")
	b.typeInto("in-value-1", "5.00")
	if got := b.follow(`click "Check origin"`, chromedp.Click(checkOrigin)); got != http.StatusOK {
		b.fatalf("passing case: got status %d", got)
	}
	if got := b.mustText(".lab-verdict"); got != "originating" {
		b.errorf("verdict: got %q, want originating", got)
	}
	if n := len(b.texts(".lab-step.is-pass")); n == 0 {
		b.errorf("no passing step shown")
	}
	b.visited("lab passing")
	b.shot("lab-pass")

	b.Step("add-row-and-fail")
	if got := b.follow(`click "Add a row"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Add a row"]`))); got != http.StatusOK {
		b.fatalf("add a row: got status %d", got)
	}
	if n := len(b.texts(".lab-row")); n != 4 {
		b.errorf("rows after adding one: got %d, want 4", n)
	}
	b.typeInto("in-code-3", "6911.10.45")
	b.typeInto("in-origin-3", "CN")
	b.typeInto("in-value-3", "30.00")
	if got := b.follow(`click "Check origin"`, chromedp.Click(checkOrigin)); got != http.StatusOK {
		b.fatalf("failing case: got status %d", got)
	}
	if got := b.mustText(".lab-verdict"); got != "not originating" {
		b.errorf("verdict: got %q, want not originating", got)
	}
	if got := b.mustText(".lab-step.is-fail"); !strings.Contains(got, "6911.10.45") {
		b.errorf("failing step: got %.120q, want the blank mugs' line", got)
	}
	b.visited("lab failing")
	b.shot("lab-fail")

	b.Step("bad-input")
	b.setValue("f-transaction_value", "")
	b.typeInto("f-transaction_value", "fifty")
	if got := b.follow(`click "Check origin"`, chromedp.Click(checkOrigin)); got != http.StatusUnprocessableEntity {
		b.errorf("bad value: got status %d, want 422", got)
	}
	if got, ok := b.text("#f-transaction_value-error"); !ok || !strings.Contains(got, "not an amount") {
		b.errorf("error beside the field: got %q", got)
	}
	b.visited("lab with errors")
}

// TestLessonOnAPhone reads a public lesson with a worked duty example at
// 360 px (no sideways scrolling), follows the example's link to the duty
// calculator and finds the total the lesson states, then checks the origin
// lab at the same width.
func TestLessonOnAPhone(t *testing.T) {
	srv := startServer(t)
	b := newPhoneBrowser(t, srv)
	const slug = "section-301-background" // first of its track: public
	b.Step("narrow-lesson")
	b.mustOpen("/learn/" + slug)
	b.checkNoSideScroll("/learn/" + slug)
	stated := b.mustText(".duty-example-table strong")
	b.visited("lesson at 360 px")
	b.shot("narrow-lesson")

	b.Step("duty-example-link")
	if got := b.follow("click the worked example's calculator link", chromedp.Click(chromedp.CSS(".duty-example-link a"))); got != http.StatusOK {
		b.fatalf("calculator: got status %d", got)
	}
	if got := b.mustText(".duty-summary"); !strings.Contains(got, "duties "+stated) {
		b.errorf("calculator summary: got %.200q, want duties %s as the lesson states", got, stated)
	}

	b.Step("narrow-lab")
	b.mustOpen("/learn/origin-lab")
	b.checkNoSideScroll("/learn/origin-lab")
	b.visited("origin lab at 360 px")
	b.shot("narrow-lab")
}
