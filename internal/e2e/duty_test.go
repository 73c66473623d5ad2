//go:build browser

package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	b.mustOpen("/")
	b.clickNav("Duty calculator")
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
	b.mustOpen(path)
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

// TestDutyLayersConsidered: the Chinese laptop of 2025-05-01 owes only the
// IEEPA fentanyl duty; the page lists the reciprocal duty as considered
// and not applied, with the electronics exclusion (9903.01.32) as its
// reason and a public source. Checked at desktop and phone width.
func TestDutyLayersConsidered(t *testing.T) {
	srv := startServer(t)
	path := "/tools/duty?code=8471.30.01&country=CN&date=2025-05-01&value=10000&transport=other"
	for _, phone := range []bool{false, true} {
		b, name := newBrowser(t, srv), "desktop"
		if phone {
			b, name = newPhoneBrowser(t, srv), "phone"
		}
		b.Step("laptop-" + name)
		b.mustOpen(path)
		if got, want := b.mustText("#duty-duties"), "$2,000.00"; got != want {
			b.errorf("duties: got %q, want %q", got, want)
		}
		applied := b.texts(".duty-table tbody tr.duty-layer[data-status=applied] th")
		if len(applied) < 2 || !strings.HasPrefix(applied[1], "IEEPA fentanyl duty") {
			b.errorf("applied layers: got %q, want MFN then the IEEPA fentanyl duty", applied)
		}
		recip := b.mustText(`.duty-considered li[data-program="ieepa_reciprocal"]`)
		for _, want := range []string{"IEEPA reciprocal duty", "Not applied", "8471.30.01 is on the electronics exclusion list (9903.01.32", "Source: "} {
			if !strings.Contains(recip, want) {
				b.errorf("reciprocal layer: %.300q lacks %q", recip, want)
			}
		}
		if got := b.mustText("#duty-considered-title"); !strings.HasPrefix(got, "Considered, not applied (") {
			b.errorf("considered heading: got %q", got)
		}
		if phone {
			b.checkNoSideScroll(path)
		}
		b.visited("laptop duty stack (" + name + ")")
		b.shot("duty-laptop-" + name)
	}
}

// TestDutyBatch uploads a file with a bad row (the rows to correct are
// listed on the page, which the script swaps in), then a good file, whose
// result the script receives with its progress and saves as a download.
func TestDutyBatch(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := "entry_number,entry_date,hts_code,country_of_origin,customs_value\n"
	good := write("good.csv", header+"ABC-1234567-8,2025-05-01,8471.30.0100,CN,10000.00\nABC-1234568-6,2025-09-01,6109.10.0012,VN,5000.00\n")
	bad := write("bad.csv", header+"ABC-1234567-8,2025-05-01,8471.30.0100,CN,10000.00\nABC-1234569-4,2025-13-01,8471.30.0100,CN,1.00\n")
	submit := chromedp.Search(`//form[@aria-label="Batch entries"]//button[normalize-space()="Compute and download"]`)

	b.Step("open")
	b.mustOpen("/tools/duty")
	if got := b.follow(`click "Batch entries and IEEPA refunds"`, chromedp.Click(chromedp.Search(`//a[normalize-space()="Batch entries and IEEPA refunds"]`))); got != http.StatusOK {
		b.fatalf("batch page: got status %d, want 200", got)
	}
	if got, want := b.mustText("main h1"), "Batch entries and IEEPA refunds"; got != want {
		b.errorf("heading: got %q, want %q", got, want)
	}
	b.visited("batch page")
	b.shot("duty-batch")

	b.Step("bad-rows")
	b.run(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{bad}), chromedp.Click(submit))
	b.waitFor(`document.querySelector(".batch-errors") !== null`)
	if got := b.texts(".batch-error-table tbody tr"); len(got) != 1 || !strings.Contains(got[0], "entry_date") || !strings.Contains(got[0], "use the form 2025-05-01") {
		b.errorf("row errors: got %q, want line 3's entry_date", got)
	}
	if got := b.mustText(".alert-error"); !strings.Contains(got, "1 of 2 rows could not be computed") {
		b.errorf("form error: got %q", got)
	}
	b.visited("batch page with row errors")
	b.shot("duty-batch-errors")

	b.Step("good-file")
	b.run(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{good}), chromedp.Click(submit))
	b.waitFor(`(document.getElementById("batch-progress-text") || {}).textContent.startsWith("Done")`)
	if got := b.mustText("#batch-progress-text"); !strings.Contains(got, "Done: 2 rows computed and downloaded as good-duty-results.csv") {
		b.errorf("progress: got %q", got)
	}
	if got, ok := b.attr("#batch-progress-text a", "download"); !ok || got != "good-duty-results.csv" {
		b.errorf("save-again link: got %q, want the result's name", got)
	}
	if _, ok := b.text(".batch-errors"); ok {
		b.errorf("row errors still shown after a good file")
	}
	b.visited("batch page after a download")
	b.shot("duty-batch-done")
}

// waitFor polls a JavaScript condition until it holds or the step times out.
func (b *browser) waitFor(js string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		if eval[bool](b, js) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.fatalf("waited %v for %s", stepTimeout, js)
}
