package handlers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/handlers/tariff"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// testHTS is the bundled tariff index, built once per test binary and
// only read by the tests (about a second to build).
var testHTS = sync.OnceValues(func() (*hts.Index, error) { return hts.LoadBundled(content.FS) })

// withHTS wires the bundled index into a test app.
func withHTS(t *testing.T) func(*Deps) {
	t.Helper()
	ix, err := testHTS()
	if err != nil {
		t.Fatalf("load tariff index: %v", err)
	}
	return func(d *Deps) { d.HTS = ix }
}

func decodeJSON[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
	return v
}

func TestHTSPages(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{name: "browser lists sections and chapters with the edition", req: request{path: "/hts"}, wantStatus: 200,
			wantBody: []string{"Tariff browser", `id="section-XVI"`, `href="/hts/84"`, "2025 HTSUS, Revision 9 or 10", "as of 2026-02-28", `src="/static/js/hts.js?v=`, `aria-current="page">Tariff browser`}},
		{name: "chapter lists its headings", req: request{path: "/hts/84"}, wantStatus: 200,
			wantBody: []string{"Chapter 84", `href="/hts/8471"`, "Breadcrumbs", `href="/hts#section-XVI"`}},
		{name: "heading shows the printed schedule", req: request{path: "/hts/8471"}, wantStatus: 200,
			wantBody: []string{`<a href="/hts/8471.30.01">8471.30.01</a>`, `aria-label="8471.30.01.00">00</a>`, "ind-3", "Other automatic data processing machines", `href="/hts/8471.30"`, "35%", "badge-301"}},
		{name: "HS subheading the US does not print", req: request{path: "/hts/8471.30"}, wantStatus: 200,
			wantBody: []string{"The US schedule prints no line of its own for 8471.30", "8471.30.01", "Also known as: laptop"}},
		{name: "derived rate line with rates, 301 and 232", req: request{path: "/hts/8471.30.01"}, wantStatus: 200,
			wantBody: []string{"US rate line", "Portable automatic data processing machines", "Free", "35%", `href="/hts/8471.30.01.00"`,
				"derived from that row", "List 4B", "9903.88.16", "15% (suspended)", "Annex I-B", "partly verified [P]", "For teaching, not for computing duties", "Permalink"}},
		{name: "statistical line inherits rates", req: request{path: "/hts/0101.21.00.10"}, wantStatus: 200,
			wantBody: []string{"Statistical reporting number", `on <a href="/hts/0101.21.00">0101.21.00</a>`, "Horses", "List 4A", "7.5%"}},
		{name: "line without lists says so", req: request{path: "/hts/2603.00.00"}, wantStatus: 200,
			wantBody: []string{"Not on any Section 301 list (lists as of 2026-02-28)", "No Section 232 product listing covers this line"}},
		{name: "undotted code redirects to the permalink", req: request{path: "/hts/8471300100"}, wantStatus: http.StatusMovedPermanently,
			wantLocation: "/hts/8471.30.01.00"},
		{name: "spaced code redirects to the permalink", req: request{path: "/hts/8471%2030%2001%2000"}, wantStatus: http.StatusMovedPermanently,
			wantLocation: "/hts/8471.30.01.00"},
		{name: "malformed code is a 400 that explains", req: request{path: "/hts/84x1"}, wantStatus: http.StatusBadRequest,
			wantBody: []string{"Not a tariff code", "Codes have 2, 4, 6, 8 or 10 digits", `action="/hts/search"`}},
		{name: "odd digit count is malformed", req: request{path: "/hts/847"}, wantStatus: http.StatusBadRequest, wantBody: []string{"3 digits"}},
		{name: "unknown code is a 404 with the nearest line", req: request{path: "/hts/8471.99"}, wantStatus: http.StatusNotFound,
			wantBody: []string{"Code not in the schedule", `href="/hts/8471"`}},
		{name: "search page without a query shows the form", req: request{path: "/hts/search"}, wantStatus: 200,
			wantBody: []string{`<label for="hts-q">`, `name="q"`}, wantNotBody: []string{"result-count"}},
		{name: "search page finds laptops in context with highlights", req: request{path: "/hts/search?q=laptop"}, wantStatus: 200,
			wantBody: []string{`href="/hts/8471.30"`, "results for “laptop”", "Automatic data processing machines and units thereof", "subheading", "Known in trade as “<mark>laptop</mark>”"}},
		{name: "search page highlights matched words", req: request{path: "/hts/search?q=knitted+cotton+t-shirts"}, wantStatus: 200,
			wantBody: []string{"<mark>T-shirts</mark>", "<mark>knitted</mark>"}},
		{name: "search page with no match", req: request{path: "/hts/search?q=qqqqzzzz"}, wantStatus: 200,
			wantBody: []string{"0 results", "Nothing matched"}},
		{name: "search page rejects a long query beside the field", req: request{path: "/hts/search?q=" + strings.Repeat("a", 201)}, wantStatus: http.StatusBadRequest,
			wantBody: []string{"keep it to 200", `aria-invalid="true"`}},
		{name: "search page escapes the query", req: request{path: "/hts/search?q=%3Cscript%3Ealert(1)%3C/script%3E"}, wantStatus: 200,
			wantNotBody: []string{"<script>alert(1)"}},
	}, withHTS(t))
}

func TestHTSAPI(t *testing.T) {
	t.Parallel()
	type result struct {
		Code        string   `json:"code"`
		Level       int      `json:"level"`
		Description string   `json:"description"`
		Path        []string `json:"path"`
	}
	type searchBody struct {
		Results []result `json:"results"`
	}
	runScenarios(t, []scenario{
		{name: "search finds laptops, best first", req: request{path: "/api/v1/hts/search?q=laptop&limit=3"}, wantStatus: 200,
			check: func(t *testing.T, _ *testApp, rec *httptest.ResponseRecorder) {
				b := decodeJSON[searchBody](t, rec)
				if len(b.Results) == 0 || len(b.Results) > 3 || b.Results[0].Code != "8471.30" || b.Results[0].Level != 6 || len(b.Results[0].Path) != 2 {
					t.Errorf("got %+v", b.Results)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("content type %q", ct)
				}
			}},
		{name: "search by code", req: request{path: "/api/v1/hts/search?q=8471.30.01"}, wantStatus: 200,
			wantBody: []string{`"code":"8471.30.01"`, `"level":8`, `"code":"8471.30.01.00"`}},
		{name: "search with no match is an empty list", req: request{path: "/api/v1/hts/search?q=qqqqzzzz"}, wantStatus: 200,
			wantBody: []string{`"results":[]`}},
		{name: "search without q", req: request{path: "/api/v1/hts/search"}, wantStatus: 422,
			wantBody: []string{`"error":"validation"`, `"q":"Type what you are looking for`}},
		{name: "search with blank q", req: request{path: "/api/v1/hts/search?q=++"}, wantStatus: 422, wantBody: []string{`"error":"validation"`}},
		{name: "search with a long q", req: request{path: "/api/v1/hts/search?q=" + strings.Repeat("x", 201)}, wantStatus: 422,
			wantBody: []string{`"error":"validation"`, "keep it to 200"}},
		{name: "search limit not a number", req: request{path: "/api/v1/hts/search?q=tea&limit=ten"}, wantStatus: 422,
			wantBody: []string{`"limit":"limit must be a whole number from 1 to 50."`}},
		{name: "search limit zero", req: request{path: "/api/v1/hts/search?q=tea&limit=0"}, wantStatus: 422, wantBody: []string{`"limit"`}},
		{name: "search limit too high", req: request{path: "/api/v1/hts/search?q=tea&limit=51"}, wantStatus: 422, wantBody: []string{`"limit"`}},
		{name: "search limit 50", req: request{path: "/api/v1/hts/search?q=cotton&limit=50"}, wantStatus: 200,
			check: func(t *testing.T, _ *testApp, rec *httptest.ResponseRecorder) {
				if n := len(decodeJSON[searchBody](t, rec).Results); n != 50 {
					t.Errorf("got %d results, want 50", n)
				}
			}},
		{name: "line with ancestors, rates and lists", req: request{path: "/api/v1/hts/8471.30.0100"}, wantStatus: 200,
			check: func(t *testing.T, _ *testApp, rec *httptest.ResponseRecorder) {
				b := decodeJSON[tariff.APIHTSLine](t, rec)
				if b.Code != "8471.30.01.00" || b.Level != 10 || b.Rates.General != "Free" || b.Rates.Column2 != "35%" || b.Rates.Source != "8471.30.01.00" {
					t.Errorf("line: got %+v", b)
				}
				if len(b.Ancestors) != 4 || b.Ancestors[0].Code != "84" || b.Ancestors[3].Code != "8471.30.01" {
					t.Errorf("ancestors: got %+v", b.Ancestors)
				}
				if len(b.Section301) != 1 || b.Section301[0].Ch99 != "9903.88.16" || b.Section301[0].ListName != "List 4B" {
					t.Errorf("301: got %+v", b.Section301)
				}
				if len(b.Section232) == 0 || b.TariffActions.S301AsOf != "2026-02-28" || !strings.Contains(b.TariffActions.Note, "not for computing duties") {
					t.Errorf("232/actions: got %+v %+v", b.Section232, b.TariffActions)
				}
				if b.Edition.SHA256 == "" || !strings.Contains(b.Edition.Name, "2025") || b.URL != "http://hsw.test/hts/8471.30.01.00" {
					t.Errorf("edition/url: got %+v %s", b.Edition, b.URL)
				}
			}},
		{name: "heading has children and empty lists", req: request{path: "/api/v1/hts/8471"}, wantStatus: 200,
			wantBody: []string{`"code":"8471"`, `"level":4`, `"children":[{"code":"8471.30"`, `"section_301":[]`, `"rates":{"general":""`}},
		{name: "chapter", req: request{path: "/api/v1/hts/01"}, wantStatus: 200, wantBody: []string{`"level":2`, `"ancestors":[]`, `"path":[]`}},
		{name: "spaced code", req: request{path: "/api/v1/hts/8471%2030%2001"}, wantStatus: 200, wantBody: []string{`"code":"8471.30.01"`}},
		{name: "malformed code is a 422 field error of the path", req: request{path: "/api/v1/hts/abc"}, wantStatus: 422,
			wantBody: []string{`"error":"validation"`, `"fields":{"code":`, "only digits, dots and spaces"}},
		{name: "odd length code", req: request{path: "/api/v1/hts/84713"}, wantStatus: 422, wantBody: []string{`"error":"validation"`, `"code":`, "5 digits"}},
		{name: "too many digits", req: request{path: "/api/v1/hts/847130010099"}, wantStatus: 422, wantBody: []string{`"error":"validation"`, `"code":`}},
		{name: "unknown code", req: request{path: "/api/v1/hts/8471.99"}, wantStatus: 404,
			wantBody: []string{`"error":"not_found"`, "nearest existing level is heading 8471"}},
		{name: "unknown chapter", req: request{path: "/api/v1/hts/77"}, wantStatus: 404, wantBody: []string{`"error":"not_found"`}},
	}, withHTS(t))
}

func TestHTSWithoutIndex(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{name: "page", req: request{path: "/hts"}, wantStatus: http.StatusServiceUnavailable, wantBody: []string{"not loaded"}},
		{name: "api", req: request{path: "/api/v1/hts/search?q=tea"}, wantStatus: http.StatusServiceUnavailable, wantBody: []string{`"error":"unavailable"`}},
	})
}
