package tariff_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"github.com/hsworkshop/hsworkshop/handlers/tariff"
	"github.com/hsworkshop/hsworkshop/internal/duty"
)

func TestDutyCalculatorPage(t *testing.T) {
	t.Parallel()
	china := "/tools/duty?code=3923.30.00&country=CN&date=2025-04-15&value=10000&transport=vessel"
	ht.Run(t, []ht.Scenario{
		{Name: "empty form", Req: ht.Request{Path: "/tools/duty"}, WantStatus: http.StatusOK,
			WantBody: []string{"<h1>Duty calculator</h1>", `for="f-code"`, `for="f-country"`, `for="f-date"`, `for="f-value"`,
				`for="f-transport"`, `for="f-usmca"`, `for="f-quantity"`, `for="f-steel"`, `for="f-class"`,
				`<option value="CN">China (CN)</option>`, `value="2026-11-27"`, "Measures as of <strong>2026-09-29</strong>"},
			WantNotBody: []string{"Duty stack for", "field-error"}},
		{Name: "Chinese List 3 good at the April 2025 peak", Req: ht.Request{Path: china}, WantStatus: http.StatusOK,
			WantBody: []string{"Duty stack for 3923.30.00 from China, entered 2025-04-15",
				"Section 301, List 3", "9903.88.03", "9903.01.24", "9903.01.63", "125%",
				`<td class="num" id="duty-duties">$17,300.00</td>`, `<td class="num" id="duty-total">$17,347.14</td>`,
				"Merchandise processing fee", "Not verified", "Caution:", "as of 2026-09-29",
				`href="/api/v1/duty?code=3923.30.00&amp;country=CN&amp;date=2025-04-15&amp;transport=vessel&amp;value=10000"`},
			WantNotBody: []string{"Cannot be computed"}},
		{Name: "dotless code and lower-case country", Req: ht.Request{Path: "/tools/duty?code=3923300090&country=cn&date=2026-03-15&value=10%2C000.00"},
			WantStatus: http.StatusOK, WantBody: []string{"Duty stack for 3923.30.00.90 from China", "Section 122 import surcharge", "9903.03.01", "Partly verified", `id="duty-total">$3,847.14<`}},
		{Name: "Mexican T-shirts under USMCA in March 2026", Req: ht.Request{Path: "/tools/duty?code=6109.10.00&country=MX&date=2026-03-15&value=20000&transport=other&usmca=yes"},
			WantStatus: http.StatusOK, WantBody: []string{"USMCA preference (special program S)", "Exempt", `id="duty-total">$0.00<`}},
		{Name: "specific rate asks for the quantity", Req: ht.Request{Path: "/tools/duty?code=2204.21.50&country=FR&date=2025-03-15&value=45000"},
			WantStatus: http.StatusOK, WantBody: []string{"Cannot be computed:", "enter the quantity in liter", "Quantity (in liter)", "at least $212.13", "<details class=\"duty-extras\" open>"}},
		{Name: "specific rate with the quantity", Req: ht.Request{Path: "/tools/duty?code=2204.21.50&country=FR&date=2025-03-15&value=45000&quantity=9000"},
			WantStatus: http.StatusOK, WantBody: []string{"6.3¢/liter × 9,000 liter = $567.00", `id="duty-total">$779.13<`}},
		{Name: "entry date after the data warns", Req: ht.Request{Path: "/tools/duty?code=3923.30.00&country=CN&date=2026-10-15&value=100"},
			WantStatus: http.StatusOK, WantBody: []string{"after 2026-09-29, the newest date our data covers"}},
		{Name: "malformed code", Req: ht.Request{Path: "/tools/duty?code=39x3&country=CN&date=2025-04-15&value=100"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`id="f-code-error">Enter an 8- or 10-digit HTS code`, `value="39x3"`},
			WantNotBody: []string{"Duty stack for"}},
		{Name: "unknown code", Req: ht.Request{Path: "/tools/duty?code=3923.30.99&country=CN&date=2025-04-15&value=100"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{"3923.30.99 is not in the"}},
		{Name: "heading instead of a rate line", Req: ht.Request{Path: "/tools/duty?code=3923&country=CN&date=2025-04-15&value=100"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{"3923 is a heading: enter the 8-digit rate line"}},
		{Name: "chapter 99 line", Req: ht.Request{Path: "/tools/duty?code=9903.88.03&country=CN&date=2025-04-15&value=100"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{"Chapters 98 and 99 hold special provisions"}},
		{Name: "bad date, negative value, unknown country", Req: ht.Request{Path: "/tools/duty?code=3923.30.00&country=QQ&date=2025-13-45&value=-5"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`id="f-date-error">Enter a date between 2018-01-01 and 2030-12-31`,
				`id="f-value-error">Enter the customs value in US dollars`, `id="f-country-error">Choose a country from the list`,
				`aria-invalid="true" aria-describedby="f-country-error"`}},
		{Name: "missing value", Req: ht.Request{Path: "/tools/duty?code=3923.30.00&country=CN&date=2025-04-15"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`id="f-value-error">Enter the customs value in US dollars.`}},
		{Name: "metal content above the value", Req: ht.Request{Path: "/tools/duty?code=7208.51.00&country=CA&date=2025-07-01&value=100&steel=200"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`id="f-steel-error">The steel content value cannot exceed the customs value.`, "duty-extras\" open"}},
		{Name: "USMCA claim for China", Req: ht.Request{Path: "/tools/duty?code=3923.30.00&country=CN&date=2025-04-15&value=100&usmca=yes"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`id="f-usmca-error">A USMCA claim needs goods of Canada or Mexico.`}},
		{Name: "Column 2 country", Req: ht.Request{Path: "/tools/duty?code=3923.30.00&country=RU&date=2025-04-15&value=100"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{"Column 2 rates"}},
		{Name: "laptop shows the reciprocal duty not applied with its reason", Req: ht.Request{Path: "/tools/duty?code=8471.30.01&country=CN&date=2025-05-01&value=10000&transport=other"},
			WantStatus: http.StatusOK, WantBody: []string{`data-program="ieepa_reciprocal" data-status="not_applied"`,
				"8471.30.01 is on the electronics exclusion list (9903.01.32", `data-program="ieepa_fentanyl" data-status="applied"`,
				`id="duty-duties">$2,000.00<`, "Source: "}},
		{Name: "declarations and loading date stay set after submit", Req: ht.Request{Path: "/tools/duty?code=6307.90.98&country=CN&date=2025-09-01&value=10000&declare=face_mask&declare=transshipped&load_date=2025-08-01"},
			WantStatus: http.StatusOK, WantBody: []string{`value="face_mask" checked`, `value="transshipped" checked`, `name="load_date" value="2025-08-01"`,
				"<details class=\"duty-extras\" open>", "9903.91.01", "declare=face_mask&amp;declare=transshipped"},
			WantNotBody: []string{`value="uk_in_quota" checked`, `value="ev_battery" checked`}},
		{Name: "unknown declaration and late loading date are field errors", Req: ht.Request{Path: "/tools/duty?code=6109.10.00&country=VN&date=2025-09-01&value=100&declare=bogus&load_date=2025-09-03"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`id="f-declare-error">Choose declarations from the list.`,
				`id="f-load-date-error">The loading date cannot be after the entry date.`, `name="load_date" value="2025-09-03"`, "<details class=\"duty-extras\" open>"},
			WantNotBody: []string{"Duty stack for"}},
		{Name: "markup in the code is escaped", Req: ht.Request{Path: "/tools/duty?code=%3Cscript%3E&country=CN&date=2025-04-15&value=100"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{"&lt;script&gt;"}, WantNotBody: []string{"<script>"}},
	}, ht.WithHTS(t))
}

// apiLayers decodes a duty API answer and indexes its layers by program
// and Chapter 99 number ("s301 9903.91.01"), failing on a layer without
// a known status or a not-applied layer without its reason.
func apiLayers(t *testing.T, rec *httptest.ResponseRecorder) (tariff.APIDutyResponse, map[string]duty.Layer) {
	t.Helper()
	got := ht.DecodeJSON[tariff.APIDutyResponse](t, rec)
	if got.Result == nil || len(got.Result.Layers) == 0 {
		t.Fatalf("no layers in %s", rec.Body.String())
	}
	byKey := map[string]duty.Layer{}
	for _, l := range got.Result.Layers {
		switch l.Status {
		case duty.StatusApplied:
		case duty.StatusNotApplied, duty.StatusCheck:
			if l.Why == "" {
				t.Errorf("layer %s %s is %s without a reason", l.Program, l.Ch99, l.Status)
			}
		default:
			t.Errorf("layer %s: got status %q, want applied, not_applied or check", l.Program, l.Status)
		}
		byKey[l.Program] = l
		if l.Ch99 != "" {
			byKey[l.Program+" "+l.Ch99] = l
		}
	}
	return got, byKey
}

func TestDutyAPI(t *testing.T) {
	t.Parallel()
	// wantLayer checks one layer's status and amount.
	wantLayer := func(t *testing.T, ls map[string]duty.Layer, key, status string, amount int64, why string) {
		t.Helper()
		l, ok := ls[key]
		if !ok {
			t.Errorf("layer %s: missing", key)
			return
		}
		if l.Status != status || l.Amount != amount || !strings.Contains(l.Why, why) {
			t.Errorf("layer %s: got %s %d %q, want %s %d with %q", key, l.Status, l.Amount, l.Why, status, amount, why)
		}
	}
	ht.Run(t, []ht.Scenario{
		// Every layer the table considered is in the answer with its status:
		// a broker reads why the fentanyl duty and the reciprocal duty are
		// not charged, not just the total.
		{Name: "Canadian steel plate under USMCA, July 2025", Req: ht.Request{Path: "/api/v1/duty?code=7208.51.00&country=CA&date=2025-07-01&value=50000&transport=other&usmca=yes"},
			WantStatus: http.StatusOK, Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				got, ls := apiLayers(t, rec)
				r := got.Result
				if got.Code != "7208.51.00" || got.ValueCents != 5_000_000 || r.Total != 2_500_000 || r.Incomplete || r.AsOf.String() != "2026-09-29" {
					t.Errorf("got code %s value %d total %d incomplete %v as of %s", got.Code, got.ValueCents, r.Total, r.Incomplete, r.AsOf)
				}
				var applied []string
				for _, l := range r.ByStatus(duty.StatusApplied) {
					applied = append(applied, l.Program)
				}
				if got, want := strings.Join(applied, ","), "mfn,s232_steel"; got != want {
					t.Errorf("applied layers: got %s, want %s", got, want)
				}
				wantLayer(t, ls, "s232_steel", duty.StatusApplied, 2_500_000, "")
				wantLayer(t, ls, "ieepa_fentanyl", duty.StatusNotApplied, 0, "USMCA")
				wantLayer(t, ls, "ieepa_reciprocal", duty.StatusNotApplied, 0, "Canada and Mexico")
				wantLayer(t, ls, "mpf", duty.StatusNotApplied, 0, "USMCA")
				wantLayer(t, ls, "s122", duty.StatusNotApplied, 0, "not yet in force")
			}},
		{Name: "Chinese laptop, May 2025: reciprocal duty not applied", Req: ht.Request{Path: "/api/v1/duty?code=8471.30.01&country=CN&date=2025-05-01&value=10000&transport=other"},
			WantStatus: http.StatusOK, Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				got, ls := apiLayers(t, rec)
				if got.Result.Duties != 200_000 {
					t.Errorf("duties: got %d, want 200000 (the fentanyl duty only)", got.Result.Duties)
				}
				wantLayer(t, ls, "ieepa_fentanyl", duty.StatusApplied, 200_000, "")
				wantLayer(t, ls, "ieepa_reciprocal", duty.StatusNotApplied, 0, "electronics exclusion list (9903.01.32")
			}},
		{Name: "face-mask declaration takes the review rate", Req: ht.Request{Path: "/api/v1/duty?code=6307.90.98&country=CN&date=2025-09-01&value=10000&transport=other&declare=face_mask"},
			WantStatus: http.StatusOK, Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				_, ls := apiLayers(t, rec)
				wantLayer(t, ls, "s301 9903.91.01", duty.StatusApplied, 250_000, "")
				wantLayer(t, ls, "s301 9903.88.15", duty.StatusNotApplied, 0, "9903.91.01")
			}},
		{Name: "without the declaration no review rate", Req: ht.Request{Path: "/api/v1/duty?code=6307.90.98&country=CN&date=2025-09-01&value=10000&transport=other"},
			WantStatus: http.StatusOK, Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				_, ls := apiLayers(t, rec)
				if l, ok := ls["s301 9903.91.01"]; ok && l.Status == duty.StatusApplied {
					t.Errorf("9903.91.01 applied without the face-mask declaration")
				}
				wantLayer(t, ls, "s301 9903.88.15", duty.StatusApplied, 75_000, "")
			}},
		{Name: "loading date before 2025-08-07 keeps the in-transit 10%", Req: ht.Request{Path: "/api/v1/duty?code=6109.10.00&country=VN&date=2025-09-01&value=10000&transport=other&load_date=2025-08-01"},
			WantStatus: http.StatusOK, Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				_, ls := apiLayers(t, rec)
				wantLayer(t, ls, "ieepa_reciprocal", duty.StatusApplied, 100_000, "")
			}},
		{Name: "without a loading date the EO 14326 rate", Req: ht.Request{Path: "/api/v1/duty?code=6109.10.00&country=VN&date=2025-09-01&value=10000&transport=other"},
			WantStatus: http.StatusOK, Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
				_, ls := apiLayers(t, rec)
				wantLayer(t, ls, "ieepa_reciprocal", duty.StatusApplied, 200_000, "")
			}},
		{Name: "validation errors are 422 with fields", Req: ht.Request{Path: "/api/v1/duty?code=12&country=QQ&value=abc"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`"error":"validation"`, `"code":`, `"country":`, `"date":`, `"value":`}},
		{Name: "unknown declaration", Req: ht.Request{Path: "/api/v1/duty?code=6307.90.98&country=CN&date=2025-09-01&value=100&declare=face_mask&declare=bogus"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`"declare":"Choose declarations from the list."`}},
		{Name: "loading date after the entry date", Req: ht.Request{Path: "/api/v1/duty?code=6109.10.00&country=VN&date=2025-09-01&value=100&load_date=2025-09-02"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`"load_date":"The loading date cannot be after the entry date."`}},
		{Name: "malformed loading date", Req: ht.Request{Path: "/api/v1/duty?code=6109.10.00&country=VN&date=2025-09-01&value=100&load_date=01/08/2025"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`"load_date":"Enter the loading date between`}, WantNotBody: []string{`"date":`}},
	}, ht.WithHTS(t))
}

func TestDutyWithoutTariffData(t *testing.T) {
	t.Parallel()
	ht.Run(t, []ht.Scenario{
		{Name: "page", Req: ht.Request{Path: "/tools/duty"}, WantStatus: http.StatusServiceUnavailable},
		{Name: "api", Req: ht.Request{Path: "/api/v1/duty?code=3923.30.00"}, WantStatus: http.StatusServiceUnavailable, WantBody: []string{`"error":"unavailable"`}},
	})
}

func TestDutyCalculatorLinkFromLinePrefills(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	line := ta.Do(t, ht.Request{Path: "/hts/8471.30.01"}).Body.String()
	if !strings.Contains(line, `href="/tools/duty?code=8471.30.01"`) {
		t.Fatal("line page does not link to the calculator")
	}
	rec := ta.Do(t, ht.Request{Path: "/tools/duty?code=8471.30.01"})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `value="8471.30.01"`) || strings.Contains(rec.Body.String(), "field-error") {
		t.Errorf("prefill: %d", rec.Code)
	}
}
