package tariff_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"github.com/hsworkshop/hsworkshop/handlers/tariff"
)

func TestHTSPages(t *testing.T) {
	t.Parallel()
	ht.Run(t, []ht.Scenario{
		{Name: "browser lists sections and chapters with the edition", Req: ht.Request{Path: "/hts"}, WantStatus: 200,
			WantBody: []string{"Tariff browser", `id="section-XVI"`, `href="/hts/84"`, "2025 HTSUS, April 2025 revision", "as of 2026-02-28", `src="/static/js/hts.js?v=`, `aria-current="page">Tariff browser`}},
		{Name: "chapter lists its headings", Req: ht.Request{Path: "/hts/84"}, WantStatus: 200,
			WantBody: []string{"Chapter 84", `href="/hts/8471"`, "Breadcrumbs", `href="/hts#section-XVI"`}},
		{Name: "heading shows the printed schedule", Req: ht.Request{Path: "/hts/8471"}, WantStatus: 200,
			WantBody: []string{`<a href="/hts/8471.30.01">8471.30.01</a>`, `aria-label="8471.30.01.00">00</a>`, "ind-3", "Other automatic data processing machines", `href="/hts/8471.30"`, "35%", "badge-301"}},
		{Name: "HS subheading the US does not print", Req: ht.Request{Path: "/hts/8471.30"}, WantStatus: 200,
			WantBody: []string{"The US schedule prints no line of its own for 8471.30", "8471.30.01", "Also known as: laptop"}},
		{Name: "derived rate line with rates, 301 and 232", Req: ht.Request{Path: "/hts/8471.30.01"}, WantStatus: 200,
			WantBody: []string{"US rate line", "Portable automatic data processing machines", "Free", "35%", `href="/hts/8471.30.01.00"`,
				"derived from that row", "List 4B", "9903.88.16", "15% (suspended)", "Annex I-B", "partly verified [P]", "For teaching, not for computing duties", "Permalink"}},
		{Name: "statistical line inherits rates", Req: ht.Request{Path: "/hts/0101.21.00.10"}, WantStatus: 200,
			WantBody: []string{"Statistical reporting number", `on <a href="/hts/0101.21.00">0101.21.00</a>`, "Horses", "List 4A", "7.5%"}},
		{Name: "line without lists says so", Req: ht.Request{Path: "/hts/2603.00.00"}, WantStatus: 200,
			WantBody: []string{"Not on any Section 301 list (lists as of 2026-02-28)", "No Section 232 product listing covers this line"}},
		{Name: "undotted code redirects to the permalink", Req: ht.Request{Path: "/hts/8471300100"}, WantStatus: http.StatusMovedPermanently,
			WantLocation: "/hts/8471.30.01.00"},
		{Name: "spaced code redirects to the permalink", Req: ht.Request{Path: "/hts/8471%2030%2001%2000"}, WantStatus: http.StatusMovedPermanently,
			WantLocation: "/hts/8471.30.01.00"},
		{Name: "malformed code is a 400 that explains", Req: ht.Request{Path: "/hts/84x1"}, WantStatus: http.StatusBadRequest,
			WantBody: []string{"Not a tariff code", "Codes have 2, 4, 6, 8 or 10 digits", `action="/hts/search"`}},
		{Name: "odd digit count is malformed", Req: ht.Request{Path: "/hts/847"}, WantStatus: http.StatusBadRequest, WantBody: []string{"3 digits"}},
		{Name: "unknown code is a 404 with the nearest line", Req: ht.Request{Path: "/hts/8471.99"}, WantStatus: http.StatusNotFound,
			WantBody: []string{"Code not in the schedule", `href="/hts/8471"`}},
		{Name: "search page without a query shows the form", Req: ht.Request{Path: "/hts/search"}, WantStatus: 200,
			WantBody: []string{`<label for="hts-q">`, `name="q"`}, WantNotBody: []string{"result-count"}},
		{Name: "search page finds laptops in context with highlights", Req: ht.Request{Path: "/hts/search?q=laptop"}, WantStatus: 200,
			WantBody: []string{`href="/hts/8471.30"`, "results for “laptop”", "Automatic data processing machines and units thereof", "subheading", "Known in trade as “<mark>laptop</mark>”"}},
		{Name: "search page highlights matched words", Req: ht.Request{Path: "/hts/search?q=knitted+cotton+t-shirts"}, WantStatus: 200,
			WantBody: []string{"<mark>T-shirts</mark>", "<mark>knitted</mark>"}},
		// Issue 13: each result says why it ranked, naming the text matched.
		{Name: "search page explains each result", Req: ht.Request{Path: "/hts/search?q=" + url.QueryEscape("surgical gloves of nitrile rubber")}, WantStatus: 200,
			WantBody: []string{`<details class="hts-why">`, "Why this result", "gloves"}},
		{Name: "search page with no match", Req: ht.Request{Path: "/hts/search?q=qqqqzzzz"}, WantStatus: 200,
			WantBody: []string{"0 results", "Nothing matched"}},
		// Issue 13: a pasted description of any length is searched (its first
		// 1,000 characters), never refused.
		{Name: "search page takes a 1,000-character description whole", Req: ht.Request{Path: "/hts/search?q=" + url.QueryEscape(longDescription(1000))}, WantStatus: http.StatusOK,
			WantBody: []string{`<textarea id="hts-q" name="q"`, "results for “Men&#39;s shirts", "</textarea>"}, WantNotBody: []string{"field-error", "were searched"}},
		{Name: "search page cuts a longer description with a notice", Req: ht.Request{Path: "/hts/search?q=" + url.QueryEscape(longDescription(1500))}, WantStatus: http.StatusOK,
			WantBody: []string{"Your search was 1,500 characters long: only the first 1,000 were searched.", "results for"}, WantNotBody: []string{"field-error"}},
		{Name: "search page reads a pasted bullet list", Req: ht.Request{Path: "/hts/search?q=" + url.QueryEscape("• knitted\n• cotton\n• T-shirts, men's\r\n")}, WantStatus: http.StatusOK,
			WantBody: []string{"<mark>T-shirts</mark>", "results for “• knitted • cotton • T-shirts, men&#39;s”", "• knitted\n• cotton"}},
		{Name: "search page escapes the query", Req: ht.Request{Path: "/hts/search?q=%3Cscript%3Ealert(1)%3C/script%3E"}, WantStatus: 200,
			WantNotBody: []string{"<script>alert(1)"}},
	}, ht.WithHTS(t))
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
	ht.Run(t, []ht.Scenario{
		{Name: "search finds laptops, best first", Req: ht.Request{Path: "/api/v1/hts/search?q=laptop&limit=3"}, WantStatus: 200,
			Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				b := ht.DecodeJSON[searchBody](t, rec)
				if len(b.Results) == 0 || len(b.Results) > 3 || b.Results[0].Code != "8471.30" || b.Results[0].Level != 6 || len(b.Results[0].Path) != 2 {
					t.Errorf("got %+v", b.Results)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("content type %q", ct)
				}
			}},
		{Name: "search explains each result and how the query was read", Req: ht.Request{Path: "/api/v1/hts/search?q=" + url.QueryEscape("bolts of titanium, 12 pcs, premium quality") + "&limit=3"}, WantStatus: 200,
			Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				var b struct {
					Results []struct {
						Code string `json:"code"`
						Why  *struct {
							Heading string `json:"heading"`
							Matches []struct {
								Word, Source, Text string
							} `json:"matches"`
						} `json:"why"`
					} `json:"results"`
					Query struct {
						Words   []string `json:"words"`
						Ignored []string `json:"ignored"`
					} `json:"query"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
					t.Fatal(err)
				}
				if len(b.Results) == 0 {
					t.Fatal("got no results")
				}
				for _, r := range b.Results {
					if r.Why == nil || r.Why.Heading == "" || len(r.Why.Matches) == 0 || r.Why.Matches[0].Source == "" || r.Why.Matches[0].Text == "" {
						t.Errorf("%s: got why %+v, want the heading and matches with their source text", r.Code, r.Why)
					}
				}
				if !slices.Contains(b.Query.Words, "titanium") || len(b.Query.Ignored) == 0 {
					t.Errorf("query reading: got %+v, want titanium read and the count/marketing words set aside", b.Query)
				}
			}},
		{Name: "search by code", Req: ht.Request{Path: "/api/v1/hts/search?q=8471.30.01"}, WantStatus: 200,
			WantBody: []string{`"code":"8471.30.01"`, `"level":8`, `"code":"8471.30.01.00"`}},
		{Name: "search with no match is an empty list", Req: ht.Request{Path: "/api/v1/hts/search?q=qqqqzzzz"}, WantStatus: 200,
			WantBody: []string{`"results":[]`}},
		{Name: "search without q", Req: ht.Request{Path: "/api/v1/hts/search"}, WantStatus: 422,
			WantBody: []string{`"error":"validation"`, `"q":"Type what you are looking for`}},
		{Name: "search with blank q", Req: ht.Request{Path: "/api/v1/hts/search?q=++"}, WantStatus: 422, WantBody: []string{`"error":"validation"`}},
		{Name: "search with a 1,000-character q", Req: ht.Request{Path: "/api/v1/hts/search?q=" + url.QueryEscape(longDescription(1000))}, WantStatus: 200,
			WantBody: []string{`"results":[{`, `"query_cut":false`}, WantNotBody: []string{`"notice"`}},
		{Name: "search with a 5,000-character q is cut, not refused", Req: ht.Request{Path: "/api/v1/hts/search?q=" + url.QueryEscape(longDescription(5000))}, WantStatus: 200,
			WantBody: []string{`"query_cut":true`, `"notice":"Your search was 5,000 characters long: only the first 1,000 were searched."`}},
		{Name: "search with line breaks", Req: ht.Request{Path: "/api/v1/hts/search?q=knitted%0D%0Acotton%0At-shirts"}, WantStatus: 200,
			WantBody: []string{`"code":"6109.10`}},
		{Name: "search limit not a number", Req: ht.Request{Path: "/api/v1/hts/search?q=tea&limit=ten"}, WantStatus: 422,
			WantBody: []string{`"limit":"limit must be a whole number from 1 to 50."`}},
		{Name: "search limit zero", Req: ht.Request{Path: "/api/v1/hts/search?q=tea&limit=0"}, WantStatus: 422, WantBody: []string{`"limit"`}},
		{Name: "search limit too high", Req: ht.Request{Path: "/api/v1/hts/search?q=tea&limit=51"}, WantStatus: 422, WantBody: []string{`"limit"`}},
		{Name: "search limit 50", Req: ht.Request{Path: "/api/v1/hts/search?q=cotton&limit=50"}, WantStatus: 200,
			Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				if n := len(ht.DecodeJSON[searchBody](t, rec).Results); n != 50 {
					t.Errorf("got %d results, want 50", n)
				}
			}},
		{Name: "line with ancestors, rates and lists", Req: ht.Request{Path: "/api/v1/hts/8471.30.0100"}, WantStatus: 200,
			Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				b := ht.DecodeJSON[tariff.APIHTSLine](t, rec)
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
		{Name: "heading has children and empty lists", Req: ht.Request{Path: "/api/v1/hts/8471"}, WantStatus: 200,
			WantBody: []string{`"code":"8471"`, `"level":4`, `"children":[{"code":"8471.30"`, `"section_301":[]`, `"rates":{"general":""`}},
		{Name: "chapter", Req: ht.Request{Path: "/api/v1/hts/01"}, WantStatus: 200, WantBody: []string{`"level":2`, `"ancestors":[]`, `"path":[]`}},
		{Name: "spaced code", Req: ht.Request{Path: "/api/v1/hts/8471%2030%2001"}, WantStatus: 200, WantBody: []string{`"code":"8471.30.01"`}},
		{Name: "malformed code is a 422 field error of the path", Req: ht.Request{Path: "/api/v1/hts/abc"}, WantStatus: 422,
			WantBody: []string{`"error":"validation"`, `"fields":{"code":`, "only digits, dots and spaces"}},
		{Name: "odd length code", Req: ht.Request{Path: "/api/v1/hts/84713"}, WantStatus: 422, WantBody: []string{`"error":"validation"`, `"code":`, "5 digits"}},
		{Name: "too many digits", Req: ht.Request{Path: "/api/v1/hts/847130010099"}, WantStatus: 422, WantBody: []string{`"error":"validation"`, `"code":`}},
		{Name: "unknown code", Req: ht.Request{Path: "/api/v1/hts/8471.99"}, WantStatus: 404,
			WantBody: []string{`"error":"not_found"`, "nearest existing level is heading 8471"}},
		{Name: "unknown chapter", Req: ht.Request{Path: "/api/v1/hts/77"}, WantStatus: 404, WantBody: []string{`"error":"not_found"`}},
	}, ht.WithHTS(t))
}

func TestHTSWithoutIndex(t *testing.T) {
	t.Parallel()
	ht.Run(t, []ht.Scenario{
		{Name: "page", Req: ht.Request{Path: "/hts"}, WantStatus: http.StatusServiceUnavailable, WantBody: []string{"not loaded"}},
		{Name: "api", Req: ht.Request{Path: "/api/v1/hts/search?q=tea"}, WantStatus: http.StatusServiceUnavailable, WantBody: []string{`"error":"unavailable"`}},
	})
}

// longDescription is a ruling-style product description repeated to n
// characters (ASCII, so bytes and characters agree).
func longDescription(n int) string {
	const d = "Men's shirts, knitted, of 100% cotton jersey, with a collar and a full front opening with five buttons, long sleeves with cuffs. "
	return strings.Repeat(d, n/len(d)+1)[:n]
}
