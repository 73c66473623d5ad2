package tariff_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/models"
)

// s122Batch adds an entry of March 2026, in the Section 122 surcharge's
// window, so the saved totals carry a Section 122 figure too.
const s122Batch = goodBatch + "ABC-1234572-8,2026-03-01,6109.10.0012,VN,2000.00\n"

// savedCount counts the saved batches of every user.
func savedCount(t *testing.T, ta *ht.App) int64 {
	t.Helper()
	var n int64
	if err := ta.DB.Model(&models.SavedBatch{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSavedBatchesOffer(t *testing.T) {
	t.Parallel()
	var learner *models.User
	asLearner := func(t *testing.T, ta *ht.App) { learner = ht.MustUser(t, ta.DB, models.RoleLearner, "") }
	ht.Run(t, []ht.Scenario{
		{Name: "anonymous is not offered saving", Req: ht.Request{Path: "/tools/duty/batch"}, WantStatus: http.StatusOK,
			WantNotBody: []string{`name="save"`, `name="name"`, `href="/tools/duty/batches"`}},
		{Name: "anonymous cannot list", Req: ht.Request{Path: "/tools/duty/batches"}, WantStatus: http.StatusUnauthorized},
		{Name: "anonymous cannot delete", Req: ht.Request{Method: http.MethodPost, Path: "/tools/duty/batches/1/delete", Form: url.Values{}},
			WantStatus: http.StatusUnauthorized},
		{Name: "anonymous cannot download", Req: ht.Request{Path: "/tools/duty/batches/1/result.csv"}, WantStatus: http.StatusUnauthorized},
		{Name: "learner is offered saving", Setup: asLearner, WantStatus: http.StatusOK,
			Check: func(t *testing.T, ta *ht.App, _ *httptest.ResponseRecorder) {
				rec := ta.Do(t, ht.Request{Path: "/tools/duty/batch", As: learner})
				for _, want := range []string{`<label for="f-save">Save the result to my account</label>`, `name="save"`,
					`<label for="f-name">Name of the saved result`, `href="/tools/duty/batches"`} {
					if !strings.Contains(rec.Body.String(), want) {
						t.Errorf("learner's batch page lacks %q", want)
					}
				}
				rec = ta.Do(t, ht.Request{Path: "/tools/duty/batches", As: learner})
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "You have no saved batch results") {
					t.Errorf("empty list: got %d\n%.1000s", rec.Code, rec.Body.String())
				}
			}, Req: ht.Request{Path: "/tools/duty/batch"}},
	}, ht.WithHTS(t))
}

func TestSavedBatchesFlow(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	owner := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	other := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	ctx := context.Background()

	// Anonymous: a forged save field is refused and nothing is stored.
	rec := ta.Do(t, batchUpload(t, ta, "march.csv", s122Batch, map[string]string{"save": "yes", "name": "x"}, false, nil))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Log in to save a result") {
		t.Fatalf("anonymous save: got %d, want 422 with the log-in message\n%.1000s", rec.Code, rec.Body.String())
	}
	if n := savedCount(t, ta); n != 0 {
		t.Fatalf("after anonymous save: got %d saved, want 0", n)
	}

	// Bad input: a name over the limit is 422 with the message beside the field.
	rec = ta.Do(t, batchUpload(t, ta, "march.csv", s122Batch, map[string]string{"save": "yes", "name": strings.Repeat("é", models.SavedBatchNameMax+1)}, false, owner))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `<p class="field-error" id="f-name-error">The name can be at most 120 characters.</p>`) ||
		!strings.Contains(rec.Body.String(), `id="f-save" name="save" value="yes" checked`) {
		t.Fatalf("long name: got %d, want 422 with the field error and the box kept\n%.3000s", rec.Code, rec.Body.String())
	}
	// Bad rows without "download anyway": nothing computed is stored.
	rec = ta.Do(t, batchUpload(t, ta, "bad.csv", badBatch, map[string]string{"save": "yes"}, false, owner))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad rows: got %d, want 422", rec.Code)
	}
	if n := savedCount(t, ta); n != 0 {
		t.Fatalf("after refused saves: got %d saved, want 0", n)
	}

	// The unsaved download, to compare with.
	plain := ta.Do(t, batchUpload(t, ta, "march.csv", s122Batch, map[string]string{}, false, owner))
	if plain.Code != http.StatusOK || plain.Header().Get("X-Batch-Saved") != "" {
		t.Fatalf("plain download: got %d, saved header %q", plain.Code, plain.Header().Get("X-Batch-Saved"))
	}
	if n := savedCount(t, ta); n != 0 {
		t.Fatalf("unticked box: got %d saved, want 0", n)
	}
	rows := readResult(t, plain)
	total := rows[len(rows)-1]
	if col(total, "line") != "total" {
		t.Fatalf("last row: got %v, want the total row", total)
	}

	// The owner saves: the same file comes back, and it is stored once.
	rec = ta.Do(t, batchUpload(t, ta, "march.csv", s122Batch, map[string]string{"save": "yes", "name": "  March entries  "}, false, owner))
	if rec.Code != http.StatusOK {
		t.Fatalf("save: got %d, want 200\n%.1000s", rec.Code, rec.Body.String())
	}
	if got, want := rec.Body.String(), plain.Body.String(); got != want {
		t.Fatalf("saved response differs from the plain download:\ngot  %q\nwant %q", got, want)
	}
	if got, want := rec.Header().Get("X-Batch-Saved"), "/tools/duty/batches"; got != want {
		t.Errorf("X-Batch-Saved: got %q, want %q", got, want)
	}
	if got := rec.Header().Get("X-Batch-Rows"); got != "3" {
		t.Errorf("X-Batch-Rows: got %q, want 3", got)
	}
	list, err := models.ListSavedBatches(ctx, ta.DB, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("saved: got %d, want 1", len(list))
	}
	b := list[0]
	if b.Name != "March entries" || b.Rows != 3 || b.UserID != owner.ID || !b.CreatedAt.Equal(ht.Now) {
		t.Errorf("saved batch: got name %q, rows %d, user %d, at %v; want March entries, 3, %d, %v", b.Name, b.Rows, b.UserID, b.CreatedAt, owner.ID, ht.Now)
	}
	// IEEPA: $3,000.00 of the two 2025 entries (the March 2026 entry
	// comes after IEEPA collection ended); Section 122: 10% of $2,000.00.
	if b.IEEPACents != 300000 || b.S122Cents != 20000 {
		t.Errorf("saved totals: got IEEPA %d, S122 %d cents; want 300000 and 20000", b.IEEPACents, b.S122Cents)
	}
	ieepa, s122 := "$"+dollars(col(total, "ieepa_total")), "$"+dollars(col(total, "s122_surcharge"))
	path := "/tools/duty/batches/" + itoa(b.ID)

	// The list shows name, date, rows and both totals, as the result's total row has them.
	rec = ta.Do(t, ht.Request{Path: "/tools/duty/batches", As: owner})
	for _, want := range []string{"March entries", "27 Nov 2026, 15:00 UTC", `data-label="Rows">3`, `data-label="IEEPA total">` + ieepa + "<",
		`data-label="Section 122 total">` + s122 + "<", `href="` + path + `/result.csv"`, `action="` + path + `/delete"`, `name="_csrf"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("list lacks %q\n%.3000s", want, rec.Body.String())
		}
	}

	// Download again: the identical file.
	rec = ta.Do(t, ht.Request{Path: path + "/result.csv", As: owner})
	if rec.Code != http.StatusOK || rec.Body.String() != plain.Body.String() {
		t.Fatalf("download: got %d, identical %v", rec.Code, rec.Body.String() == plain.Body.String())
	}
	if got, want := rec.Header().Get("Content-Disposition"), `attachment; filename="march-duty-results.csv"`; got != want {
		t.Errorf("Content-Disposition: got %q, want %q", got, want)
	}

	// Another learner sees nothing of it.
	if c := ta.Do(t, ht.Request{Path: path + "/result.csv", As: other}).Code; c != http.StatusNotFound {
		t.Errorf("other's download: got %d, want 404", c)
	}
	if c := ta.Do(t, ht.Request{Method: http.MethodPost, Path: path + "/delete", Form: url.Values{}, As: other}).Code; c != http.StatusNotFound {
		t.Errorf("other's delete: got %d, want 404", c)
	}
	if rec := ta.Do(t, ht.Request{Path: "/tools/duty/batches", As: other}); strings.Contains(rec.Body.String(), "March entries") {
		t.Error("other's list shows the owner's batch")
	}
	if c := ta.Do(t, ht.Request{Path: "/tools/duty/batches/abc/result.csv", As: owner}).Code; c != http.StatusNotFound {
		t.Errorf("malformed id: got %d, want 404", c)
	}

	// Delete needs the CSRF token.
	if c := ta.Do(t, ht.Request{Method: http.MethodPost, Path: path + "/delete", Form: url.Values{}, NoCSRF: true, As: owner}).Code; c != http.StatusForbidden {
		t.Errorf("delete without CSRF: got %d, want 403", c)
	}
	if n := savedCount(t, ta); n != 1 {
		t.Fatalf("after refused deletes: got %d saved, want 1", n)
	}
	rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: path + "/delete", Form: url.Values{}, As: owner})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/tools/duty/batches" {
		t.Fatalf("delete: got %d to %q, want 303 to the list", rec.Code, rec.Header().Get("Location"))
	}
	if n := savedCount(t, ta); n != 0 {
		t.Fatalf("after delete: got %d saved, want 0", n)
	}
	if c := ta.Do(t, ht.Request{Path: path + "/result.csv", As: owner}).Code; c != http.StatusNotFound {
		t.Errorf("download after delete: got %d, want 404", c)
	}

	// With no name, the file's name is used.
	rec = ta.Do(t, batchUpload(t, ta, "april entries.csv", goodBatch, map[string]string{"save": "yes"}, false, owner))
	if rec.Code != http.StatusOK {
		t.Fatalf("save without name: got %d", rec.Code)
	}
	list, err = models.ListSavedBatches(ctx, ta.DB, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "april entries" {
		t.Fatalf("default name: got %+v, want one batch named after the file", list)
	}
}

// dollars groups a result figure ("3400.00") as the list shows it ("3,400.00").
func dollars(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return whole + "." + frac
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }
