//go:build browser

package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSavedBatchesJourney: a logged-in user ticks "Save the result to my
// account", uploads a file, gets the download as usual (the script says it
// was saved), finds it on the saved results page with its totals, and
// deletes it; the saved page fits a phone's width.
func TestSavedBatchesJourney(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)
	file := filepath.Join(t.TempDir(), "march.csv")
	body := "entry_number,entry_date,hts_code,country_of_origin,customs_value\n" +
		"ABC-1234567-8,2025-05-01,8471.30.0100,CN,10000.00\nABC-1234568-6,2025-09-01,6109.10.0012,VN,5000.00\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	b.Step("log-in")
	b.openAndLogIn(adminEmail, adminPassword)

	b.Step("save")
	b.mustOpen("/tools/duty/batch")
	b.typeInto("f-name", "March entries")
	b.run(chromedp.Click(chromedp.ID("f-save")), chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{file}),
		chromedp.Click(chromedp.Search(`//form[@aria-label="Batch entries"]//button[normalize-space()="Compute and download"]`)))
	b.waitFor(`(document.getElementById("batch-progress-text") || {}).textContent.startsWith("Done")`)
	if got := b.mustText("#batch-progress-text"); !strings.Contains(got, "Done: 2 rows computed and downloaded as march-duty-results.csv") ||
		!strings.Contains(got, "Also saved to your saved batch results.") {
		b.errorf("progress: got %q", got)
	}
	b.visited("batch page after a saved download")
	b.shot("duty-batch-saved")

	b.Step("list")
	if got := b.follow(`click "your saved batch results"`, chromedp.Click(chromedp.Search(`//a[normalize-space()="your saved batch results"]`))); got != http.StatusOK {
		b.fatalf("saved results: got status %d, want 200", got)
	}
	rows := b.texts(".batch-saved-table tbody tr")
	if len(rows) != 1 || !containsAll(rows[0], "March entries", "$3,000.00", "$0.00") {
		b.fatalf("saved results: got %q, want one row of March entries with $3,000.00 of IEEPA duty", rows)
	}
	if got, ok := b.attr(".batch-saved-table a[download]", "href"); !ok || !strings.HasSuffix(got, "/result.csv") {
		b.errorf("download link: got %q", got)
	}
	b.visited("saved batch results")
	b.shot("duty-batches")

	phone := newPhoneBrowser(t, srv)
	phone.Step("phone-login")
	phone.openAndLogIn(adminEmail, adminPassword)
	phone.checkNarrow("duty-batches", "/tools/duty/batches")

	b.Step("delete")
	if got := b.follow(`click "Delete"`, chromedp.Click(chromedp.CSS(`.batch-saved-table form button[type="submit"]`))); got != http.StatusOK {
		b.fatalf("delete: got status %d, want 200 after the redirect", got)
	}
	b.checkFlash("The saved batch result has been deleted.")
	if got := b.mustText("main .empty"); !strings.Contains(got, "You have no saved batch results") {
		b.errorf("after delete: got %q", got)
	}
	b.visited("saved batch results after delete")
}
