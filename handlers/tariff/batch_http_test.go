package tariff_test

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/models"
)

// batchUpload builds a POST of the batch form: the file under "file",
// the other fields, and a CSRF token unless noCSRF.
func batchUpload(t *testing.T, ta *ht.App, name, content string, fields map[string]string, noCSRF bool, as *models.User) ht.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	var cookies []*http.Cookie
	if !noCSRF {
		tok, ck := ta.CSRF(t)
		fields["_csrf"] = tok
		cookies = append(cookies, ck)
	}
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return ht.Request{Method: http.MethodPost, Path: "/tools/duty/batch", Body: body.String(),
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}, Cookies: cookies, As: as}
}

// readResult parses a result CSV and checks its header row.
func readResult(t *testing.T, rec *httptest.ResponseRecorder) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatalf("result is not CSV: %v\n%s", err, rec.Body.String())
	}
	if len(rows) < 2 || !slices.Equal(rows[0], duty.BatchColumns) {
		t.Fatalf("result: got %d rows starting %v, want the header %v and rows", len(rows), rows[0], duty.BatchColumns)
	}
	return rows
}

// col is the value of a named result column.
func col(row []string, name string) string {
	i := slices.Index(duty.BatchColumns, name)
	if i < 0 || i >= len(row) {
		return "<no column " + name + ">"
	}
	return row[i]
}

func TestDutyBatchPage(t *testing.T) {
	t.Parallel()
	ht.Run(t, []ht.Scenario{
		{Name: "anonymous sees the form", Req: ht.Request{Path: "/tools/duty/batch"}, WantStatus: http.StatusOK,
			WantBody: []string{"<h1>Batch entries and IEEPA refunds</h1>", `enctype="multipart/form-data"`, `name="_csrf"`,
				`<label for="f-file">CSV file of entries</label>`, `<label for="f-allow-errors">`, `href="/tools/duty/batch/template.csv"`,
				"Nothing is stored:", "CSMS #68315804", "not covered by CAPE", `src="/static/js/duty-batch.js?v=`, "Up to 10000 entries and 4 MB"},
			WantNotBody: []string{"field-error", "Rows to correct"}},
		{Name: "template download", Req: ht.Request{Path: "/tools/duty/batch/template.csv"}, WantStatus: http.StatusOK,
			WantBody: []string{duty.BatchTemplate}, Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				if got := rec.Header().Get("Content-Disposition"); got != `attachment; filename="duty-batch-template.csv"` {
					t.Errorf("Content-Disposition: got %q", got)
				}
				if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/csv") {
					t.Errorf("Content-Type: got %q, want text/csv", got)
				}
			}},
	}, ht.WithHTS(t))
}

// The Chinese laptop of 2025-05-01 owes $2,000.00 of IEEPA fentanyl duty
// (9903.01.24, 20%) and no reciprocal duty (electronics exclusion,
// 9903.01.32); the Vietnamese T-shirt of 2025-09-01 owes the EO 14326
// rate of 20% (9903.02.69) on $5,000.00.
const goodBatch = "entry_number,entry_date,hts_code,country_of_origin,customs_value\n" +
	"ABC-1234567-8,2025-05-01,8471.30.0100,CN,10000.00\n" +
	"ABC-1234568-6,2025-09-01,6109.10.0012,VN,5000.00\n"

const badBatch = goodBatch +
	"ABC-1234569-4,2025-13-01,8471.30.0100,CN,1.00\n" +
	"ABC-1234570-2,2025-05-01,3923.30.99,CN,1.00\n" +
	"ABC-1234571-0,2025-05-01,8471.30.0100,QQ,1.00\n"

func TestDutyBatchUpload(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	learner := ht.MustUser(t, ta.DB, models.RoleLearner, "")

	for _, as := range []*models.User{nil, learner} {
		rec := ta.Do(t, batchUpload(t, ta, "march entries.csv", goodBatch, map[string]string{}, false, as))
		if rec.Code != http.StatusOK {
			t.Fatalf("good file as %v: got %d, want 200\n%.500s", as, rec.Code, rec.Body.String())
		}
		if got, want := rec.Header().Get("Content-Disposition"), `attachment; filename="march-entries-duty-results.csv"`; got != want {
			t.Errorf("Content-Disposition: got %q, want %q", got, want)
		}
		if got := rec.Header().Get("X-Batch-Rows"); got != "2" {
			t.Errorf("X-Batch-Rows: got %q, want 2", got)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store", got)
		}
		rows := readResult(t, rec)
		if len(rows) != 4 {
			t.Fatalf("rows: got %d, want header, 2 entries and the total", len(rows))
		}
		laptop, shirt, total := rows[1], rows[2], rows[3]
		for name, want := range map[string]string{"entry_number": "ABC-1234567-8", "ieepa_fentanyl": "2000.00", "ieepa_reciprocal": "0.00",
			"ieepa_total": "2000.00", "ieepa_refund_route": duty.RefundRoute, "error": ""} {
			if got := col(laptop, name); got != want {
				t.Errorf("laptop %s: got %q, want %q", name, got, want)
			}
		}
		for name, want := range map[string]string{"ieepa_reciprocal": "1000.00", "ieepa_total": "1000.00", "error": ""} {
			if got := col(shirt, name); got != want {
				t.Errorf("T-shirt %s: got %q, want %q", name, got, want)
			}
		}
		if got, want := col(total, "line"), "total"; got != want {
			t.Errorf("last row: got %q, want %q", got, want)
		}
		if got, want := col(total, "ieepa_total"), "3000.00"; got != want {
			t.Errorf("total IEEPA: got %q, want %q", got, want)
		}
	}
}

func TestDutyBatchBadInput(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	tooMany := goodBatch + strings.Repeat("E,2025-05-01,8471.30.0100,CN,1.00\n", duty.DefaultBatchMaxRows)
	for _, tc := range []struct {
		name     string
		req      ht.Request
		want     int
		wantBody []string
	}{
		{"bad rows are listed with their line", batchUpload(t, ta, "e.csv", badBatch, map[string]string{}, false, nil), http.StatusUnprocessableEntity,
			[]string{"3 of 5 rows could not be computed", "Rows to correct in e.csv", "<td class=\"num\">4</td><td><code>entry_date</code></td><td>use the form 2025-05-01</td>",
				"3923.30.99 is not in the", "<code>country_of_origin</code>", "2 rows were computed", `name="_csrf"`}},
		{"no file", batchUpload(t, ta, "", "", map[string]string{}, false, nil), http.StatusUnprocessableEntity,
			[]string{`id="f-file-error">Choose a CSV file of entries to upload.`, `aria-invalid="true"`}},
		{"empty file", batchUpload(t, ta, "e.csv", "", map[string]string{}, false, nil), http.StatusUnprocessableEntity,
			[]string{`id="f-file-error">The file is empty`}},
		{"wrong header", batchUpload(t, ta, "e.csv", "entry,date\nA,2025-05-01\n", map[string]string{}, false, nil), http.StatusUnprocessableEntity,
			[]string{`id="f-file-error">The first row must be the header row (download the template): want entry_number,entry_date,hts_code,country_of_origin,customs_value.`}},
		{"unknown optional column", batchUpload(t, ta, "e.csv", "entry_number,entry_date,hts_code,country_of_origin,customs_value,notes\n", map[string]string{}, false, nil), http.StatusUnprocessableEntity,
			[]string{`unknown column &#34;notes&#34;`}},
		{"too many rows", batchUpload(t, ta, "e.csv", tooMany, map[string]string{}, false, nil), http.StatusUnprocessableEntity,
			[]string{"The file has more than 10000 entries: split it into smaller files."}},
		{"no CSRF token", batchUpload(t, ta, "e.csv", goodBatch, map[string]string{}, true, nil), http.StatusForbidden, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := ta.Do(t, tc.req)
			if rec.Code != tc.want {
				t.Fatalf("got %d, want %d\n%.800s", rec.Code, tc.want, rec.Body.String())
			}
			for _, w := range tc.wantBody {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %q", w)
				}
			}
			if ct := rec.Header().Get("Content-Type"); tc.want == http.StatusUnprocessableEntity && !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type: got %q, want the HTML form", ct)
			}
		})
	}

	t.Run("download anyway puts the errors in the error column", func(t *testing.T) {
		rec := ta.Do(t, batchUpload(t, ta, "e.csv", badBatch, map[string]string{"allow_errors": "yes"}, false, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d, want 200", rec.Code)
		}
		rows := readResult(t, rec)
		if len(rows) != 7 {
			t.Fatalf("rows: got %d, want header, 5 entries and the total", len(rows))
		}
		if got, want := col(rows[3], "error"), "line 4, entry_date: use the form 2025-05-01"; got != want {
			t.Errorf("row 4 error: got %q, want %q", got, want)
		}
		if got, want := col(rows[6], "error"), "2 rows computed, 3 rows with errors"; got != want {
			t.Errorf("total row: got %q, want %q", got, want)
		}
	})

	t.Run("over 1 MB is accepted, over 4 MB refused", func(t *testing.T) {
		// Long entry numbers make a 1.2 MB file of 1,500 rows.
		row := "ENTRY-" + strings.Repeat("X", 760) + ",2025-05-01,8471.30.0100,CN,1.00\n"
		big := "entry_number,entry_date,hts_code,country_of_origin,customs_value\n" + strings.Repeat(row, 1500)
		if rec := ta.Do(t, batchUpload(t, ta, "big.csv", big, map[string]string{}, false, nil)); rec.Code != http.StatusOK {
			t.Errorf("%d bytes: got %d, want 200", len(big), rec.Code)
		}
		huge := strings.Repeat(row, 4<<20/len(row)+1)
		if rec := ta.Do(t, batchUpload(t, ta, "huge.csv", huge, map[string]string{}, false, nil)); rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%d bytes: got %d, want 413", len(huge), rec.Code)
		}
		// Other routes keep the 1 MB limit.
		rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/login", Body: strings.Repeat("x", 1<<20+10),
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("1 MB on /login: got %d, want 413", rec.Code)
		}
	})
}

func TestDutyBatchWithoutTariffData(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	if rec := ta.Do(t, ht.Request{Path: "/tools/duty/batch"}); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("page: got %d, want 503", rec.Code)
	}
	rec := ta.Do(t, batchUpload(t, ta, "e.csv", goodBatch, map[string]string{}, false, nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("upload: got %d, want 503", rec.Code)
	}
}
