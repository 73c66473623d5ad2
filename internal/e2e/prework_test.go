//go:build browser

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyPrework: on a phone-width screen an admin opens the workshop
// prework list from /admin/lessons, chooses the prework of the first
// workshop (one more lesson ticked) and sees it listed after saving.
func TestJourneyPrework(t *testing.T) {
	srv := startServer(t)
	b := newPhoneBrowser(t, srv)

	b.Step("login")
	b.openAndLogIn(adminEmail, adminPassword)

	b.Step("prework-list")
	b.mustOpen("/admin/lessons")
	if got := b.follow("click the prework link", chromedp.Click(chromedp.CSS(`a[href="/admin/lessons/prework"]`))); got != http.StatusOK {
		b.fatalf("prework list: got status %d, want 200", got)
	}
	if n := len(b.texts("main table tbody tr")); n == 0 {
		b.fatalf("prework list: no workshop rows, want the seeded workshops")
	}
	b.visited("prework list")
	b.shot("prework-list")

	b.Step("prework-edit")
	if got := b.follow(`click the first "Choose prework"`, chromedp.Click(chromedp.CSS(`main table tbody tr a.choose-prework`))); got != http.StatusOK {
		b.fatalf("prework form: got status %d, want 200", got)
	}
	if got := b.mustText("main h1"); !strings.HasPrefix(got, "Prework for ") {
		b.errorf("prework form heading: got %q", got)
	}
	before := eval[int](b, `document.querySelectorAll('input[name="lesson"]:checked').length`)
	b.visited("prework form")
	b.shot("prework-form")
	b.run(chromedp.Click(chromedp.CSS(`input[name="lesson"]:not(:checked)`)))
	if got := b.follow("click Save prework", chromedp.Click(chromedp.CSS(`form.prework-form button[type="submit"]`))); got != http.StatusOK {
		b.fatalf("save: got status %d, want 200 after the redirect", got)
	}
	if got, want := b.path(), "/admin/lessons/prework?saved="; !strings.HasPrefix(got, want) {
		b.errorf("after save: got path %q, want %q…", got, want)
	}
	if got := b.mustText(".flash"); !strings.HasPrefix(got, "Saved the prework of") {
		b.errorf("flash: got %q", got)
	}
	if got := len(b.texts("main table tbody tr:first-child .prework-list li")); got != before+1 {
		b.errorf("first workshop's prework after save: got %d lessons, want %d", got, before+1)
	}
	b.visited("prework list after save")
	b.shot("prework-saved")
}
