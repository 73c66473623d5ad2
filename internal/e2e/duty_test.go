//go:build browser

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// calculateButton is the calculator form's submit button.
var calculateButton = chromedp.Search(`//form[@aria-label="Duty calculator"]//button[normalize-space()="Calculate duty"]`)

// TestDutyCalculator opens the calculator from the nav, submits a bad code
// (the error shows beside the field), then stacks the duties on a Chinese
// List 3 good entered at the April 2025 peak, and audits both pages.
func TestDutyCalculator(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)

	b.Step("open")
	if got := b.open("/"); got != http.StatusOK {
		b.fatalf("GET /: got status %d, want 200", got)
	}
	if got := b.follow(`click "Duty calculator" in the nav`, chromedp.Click(navItem("Duty calculator"))); got != http.StatusOK {
		b.fatalf("calculator: got status %d, want 200", got)
	}
	if got, want := b.path(), "/tools/duty"; got != want {
		b.errorf("calculator path: got %q, want %q", got, want)
	}
	if got, want := b.mustText("main h1"), "Duty calculator"; got != want {
		b.errorf("calculator heading: got %q, want %q", got, want)
	}
	b.visited("duty calculator")

	b.Step("bad-code")
	b.typeInto("f-code", "39x3")
	b.fillDutyForm("China", "2025-04-15", "10000")
	if got := b.follow(`click "Calculate duty"`, chromedp.Click(calculateButton)); got != http.StatusUnprocessableEntity {
		b.errorf("bad code: got status %d, want 422", got)
	}
	b.checkFieldError("code", "Enter an 8- or 10-digit HTS code, such as 3923.30.00 or 3923300000.")
	if got := eval[string](b, `document.getElementById("f-country").value`); got != "CN" {
		b.errorf("country after the rejected form: got %q, want CN", got)
	}
	if _, ok := b.text(".duty-result"); ok {
		b.errorf("a result is shown for a bad code")
	}
	b.visited("duty calculator with errors")
	b.shot("duty-errors")

	b.Step("calculate")
	b.setValue("f-code", "")
	b.typeInto("f-code", "3923.30.00")
	if got := b.follow(`click "Calculate duty"`, chromedp.Click(calculateButton)); got != http.StatusOK {
		b.fatalf("calculate: got status %d, want 200", got)
	}
	if got := b.path(); !strings.Contains(got, "code=3923.30.00") || !strings.Contains(got, "date=2025-04-15") {
		b.errorf("result URL: got %q, want the form in the query string", got)
	}
	if got, want := b.mustText("#duty-result-title"), "Duty stack for 3923.30.00 from China, entered 2025-04-15"; got != want {
		b.errorf("result heading: got %q, want %q", got, want)
	}
	layers := b.texts(".duty-table tbody tr th")
	wantLayers := []string{"Column 1 General (MFN)", "Section 301, List 3", "IEEPA fentanyl duty", "IEEPA reciprocal duty (China)",
		"Merchandise processing fee", "Harbor maintenance fee"}
	if len(layers) != len(wantLayers) {
		b.fatalf("layers: got %d %q, want %d", len(layers), layers, len(wantLayers))
	}
	for i, w := range wantLayers {
		if !strings.HasPrefix(layers[i], w) {
			b.errorf("layer %d: got %.60q, want it to start with %q", i+1, layers[i], w)
		}
	}
	amounts := b.texts(".duty-table tbody .duty-amount")
	if got, want := strings.Join(amounts, " "), "$300.00 $2,500.00 $2,000.00 $12,500.00 $34.64 $12.50"; got != want {
		b.errorf("amounts: got %q, want %q", got, want)
	}
	if got, want := b.mustText("#duty-total"), "$17,347.14"; got != want {
		b.errorf("total: got %q, want %q", got, want)
	}
	if got := b.mustText(".duty-result"); !strings.Contains(got, "as of 2026-09-29") {
		b.errorf("result: no as-of date in %.200q", got)
	}
	b.visited("duty result")
	b.shot("duty-result")
}

// fillDutyForm chooses the country by typing its name, sets the entry date
// and types the customs value. The date is set through the DOM: what typing into a
// date input means depends on the browser's locale.
func (b *browser) fillDutyForm(country, date, value string) {
	b.t.Helper()
	// A keyboard user tabs to the closed <select> and types the name.
	b.run(chromedp.Focus(chromedp.ID("f-country")), chromedp.SendKeys(chromedp.ID("f-country"), country))
	b.setValue("f-date", date)
	b.setValue("f-value", "")
	b.typeInto("f-value", value)
}

// TestDutyCalculatorNarrow checks the result page at 360 px: the page does
// not scroll sideways (the table scrolls inside its wrapper).
func TestDutyCalculatorNarrow(t *testing.T) {
	srv := startServer(t)
	b := newPhoneBrowser(t, srv)
	b.Step("narrow-duty")
	path := "/tools/duty?code=7208.51.00&country=CA&date=2025-07-01&value=50000&transport=other&usmca=yes"
	if got := b.open(path); got != http.StatusOK {
		b.fatalf("GET %s: got status %d, want 200", path, got)
	}
	if got, want := b.mustText("#duty-total"), "$25,000.00"; got != want {
		b.errorf("total: got %q, want %q", got, want)
	}
	b.checkNoSideScroll(path)
	b.visited("duty result at 360 px")
	b.shot("narrow-duty")
}

// setValue sets a form control's value as a script would, and fires the
// input event.
func (b *browser) setValue(id, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.getElementById(%s); e.value = %s; e.dispatchEvent(new Event("input", {bubbles: true})); return e.value })()`, jsString(id), jsString(value))
	if got := eval[string](b, js); got != value {
		b.fatalf("set #%s: got %q, want %q", id, got, value)
	}
}
