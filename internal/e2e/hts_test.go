//go:build browser

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestHtsBrowseAndSearch drills down the tariff browser by clicking
// (chapter → heading → rate line), follows a permalink, moves through a
// heading's schedule with the keyboard, and searches for "laptop" from the
// search page; axe-core audits every page on the way.
func TestHtsBrowseAndSearch(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)

	b.Step("browser")
	b.mustOpen("/")
	b.clickNav("Tariff browser")
	if got, want := b.mustText("main h1"), "Tariff browser"; got != want {
		b.errorf("heading: got %q, want %q", got, want)
	}
	if ed := b.mustText(".hts-edition"); !strings.Contains(ed, "2025 HTSUS") || !strings.Contains(ed, "2026-02-28") {
		b.errorf("edition banner: got %q, want the schedule edition and the lists' as-of date", ed)
	}
	b.visited("tariff browser")
	b.shot("hts-browser")

	b.Step("chapter")
	if got := b.follow("click chapter 84", chromedp.Click(chromedp.CSS(`a[href="/hts/84"]`))); got != http.StatusOK {
		b.fatalf("chapter 84: got status %d", got)
	}
	if got := b.mustText("main h1"); !strings.HasPrefix(got, "84 ") {
		b.errorf("chapter heading: got %q, want it to start with 84", got)
	}
	b.visited("chapter 84")

	b.Step("heading")
	if got := b.follow("click heading 8471", chromedp.Click(chromedp.CSS(`main a[href="/hts/8471"]`))); got != http.StatusOK {
		b.fatalf("heading 8471: got status %d", got)
	}
	if got := b.path(); got != "/hts/8471" {
		b.errorf("heading path: got %q", got)
	}
	if crumbs := b.texts(".breadcrumbs li"); len(crumbs) < 4 || crumbs[len(crumbs)-1] != "8471" {
		b.errorf("breadcrumbs: got %q", crumbs)
	}
	if n := len(b.texts(".hts-schedule tbody tr")); n < 30 {
		b.errorf("schedule rows: got %d, want the printed schedule of 8471", n)
	}
	b.visited("heading 8471")
	b.shot("hts-heading")

	b.Step("keyboard")
	// j moves to the first line of the schedule, j again to the next,
	// k back; Enter opens the focused line.
	b.run(chromedp.KeyEvent("j"))
	first := eval[string](b, `document.activeElement.getAttribute("href") || ""`)
	b.run(chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("k"))
	second := eval[string](b, `document.activeElement.getAttribute("href") || ""`)
	if first != "/hts/8471" || !strings.HasPrefix(second, "/hts/8471.") {
		b.errorf("keyboard: j focused %q, then j j k focused %q; want /hts/8471 then a line of it", first, second)
	}
	if got := b.follow("press Enter on the focused line", chromedp.KeyEvent("\r")); got != http.StatusOK {
		b.fatalf("Enter: got status %d", got)
	}
	if got := b.path(); got != second {
		b.errorf("Enter opened %q, want %q", got, second)
	}
	b.run(chromedp.KeyEvent("/"))
	if got := eval[string](b, `document.activeElement.id`); got != "hts-q" {
		b.errorf("/ focused %q, want the search box", got)
	}

	b.Step("line")
	b.mustOpen("/hts/8471")
	if got := b.follow("click 8471.30.01 in the schedule", chromedp.Click(chromedp.CSS(`.hts-schedule a[href="/hts/8471.30.01"]`))); got != http.StatusOK {
		b.fatalf("line 8471.30.01: got status %d", got)
	}
	if got := b.mustText("main h1"); !strings.HasPrefix(got, "8471.30.01 Portable automatic data processing machines") {
		b.errorf("line heading: got %q", got)
	}
	if rates := b.mustText(".hts-rates"); !strings.Contains(rates, "Free") || !strings.Contains(rates, "35%") {
		b.errorf("rates: got %q", rates)
	}
	if acts := b.mustText(".hts-actions"); !strings.Contains(acts, "List 4B") || !strings.Contains(acts, "9903.88.16") || !strings.Contains(acts, "not for computing duties") {
		b.errorf("tariff actions: got %q", acts)
	}
	b.visited("line 8471.30.01")
	b.shot("hts-line")

	b.Step("permalink")
	b.mustOpen("/hts/8471%2030%2001%2000")
	if got := b.path(); got != "/hts/8471.30.01.00" {
		b.errorf("permalink: landed on %q, want /hts/8471.30.01.00", got)
	}
	if got := b.mustText("main h1"); !strings.HasPrefix(got, "8471.30.01.00 ") {
		b.errorf("statistical line heading: got %q", got)
	}
	b.visited("statistical line")

	b.Step("unknown code")
	if got := b.open("/hts/8471.99"); got != http.StatusNotFound {
		b.errorf("unknown code: got status %d, want 404", got)
	}
	b.visited("unknown code page")

	b.Step("search")
	b.mustOpen("/hts/search")
	b.visited("empty search page")
	b.typeInto("hts-q", "laptop")
	if got := b.follow(`click "Search"`, chromedp.Click(chromedp.CSS(`main form[role="search"] button[type="submit"]`))); got != http.StatusOK {
		b.fatalf("search results: got status %d", got)
	}
	if got := b.path(); got != "/hts/search?q=laptop" {
		b.errorf("search URL: got %q", got)
	}
	codes := b.texts(".hts-result .hts-code")
	if len(codes) == 0 || codes[0] != "8471.30" {
		b.errorf("search results: got %q, want 8471.30 first", codes)
	}
	if marks := b.texts(".hts-result mark"); len(marks) == 0 || !strings.EqualFold(marks[0], "laptop") {
		b.errorf("highlights: got %q, want laptop marked", marks)
	}
	if path := b.mustText(".hts-result-path"); !strings.Contains(path, "Automatic data processing machines") {
		b.errorf("result context: got %q, want the heading path", path)
	}
	b.visited("search results")
	b.shot("hts-search")
	if got := b.follow("open the first result", chromedp.Click(chromedp.CSS(`.hts-result a`))); got != http.StatusOK {
		b.fatalf("first result: got status %d", got)
	}
	if got := b.path(); got != "/hts/8471.30" {
		b.errorf("first result opened %q", got)
	}
	b.visited("subheading 8471.30")
}

// TestHtsOnAPhone opens the tariff pages on a 360 px screen: none may
// scroll sideways (the wide schedule scrolls inside its own box).
func TestHtsOnAPhone(t *testing.T) {
	srv := startServer(t)
	b := newPhoneBrowser(t, srv)
	for _, p := range []string{"/hts", "/hts/84", "/hts/8471", "/hts/8471.30.01", "/hts/search?q=cotton+t-shirt"} {
		b.Step("phone " + p)
		if got := b.open(p); got != http.StatusOK {
			b.errorf("GET %s: got status %d", p, got)
			continue
		}
		b.checkNoSideScroll(p)
		b.visited(p + " on a phone")
	}
}
