package handlers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/handlers/tariff"
)

func TestDutyCalculatorPage(t *testing.T) {
	t.Parallel()
	china := "/tools/duty?code=3923.30.00&country=CN&date=2025-04-15&value=10000&transport=vessel"
	runScenarios(t, []scenario{
		{name: "empty form", req: request{path: "/tools/duty"}, wantStatus: http.StatusOK,
			wantBody: []string{"<h1>Duty calculator</h1>", `for="f-code"`, `for="f-country"`, `for="f-date"`, `for="f-value"`,
				`for="f-transport"`, `for="f-usmca"`, `for="f-quantity"`, `for="f-steel"`, `for="f-class"`,
				`<option value="CN">China (CN)</option>`, `value="2026-11-27"`, "Measures as of <strong>2026-09-29</strong>"},
			wantNotBody: []string{"Duty stack for", "field-error"}},
		{name: "Chinese List 3 good at the April 2025 peak", req: request{path: china}, wantStatus: http.StatusOK,
			wantBody: []string{"Duty stack for 3923.30.00 from China, entered 2025-04-15",
				"Section 301, List 3", "9903.88.03", "9903.01.24", "9903.01.63", "125%",
				`<td class="num" id="duty-duties">$17,300.00</td>`, `<td class="num" id="duty-total">$17,347.14</td>`,
				"Merchandise processing fee", "Not verified", "Caution:", "as of 2026-09-29",
				`href="/api/v1/duty?code=3923.30.00&amp;country=CN&amp;date=2025-04-15&amp;transport=vessel&amp;value=10000"`},
			wantNotBody: []string{"Cannot be computed"}},
		{name: "dotless code and lower-case country", req: request{path: "/tools/duty?code=3923300090&country=cn&date=2026-03-15&value=10%2C000.00"},
			wantStatus: http.StatusOK, wantBody: []string{"Duty stack for 3923.30.00.90 from China", "Section 122 import surcharge", "9903.03.01", "Partly verified", `id="duty-total">$3,847.14<`}},
		{name: "Mexican T-shirts under USMCA in March 2026", req: request{path: "/tools/duty?code=6109.10.00&country=MX&date=2026-03-15&value=20000&transport=other&usmca=yes"},
			wantStatus: http.StatusOK, wantBody: []string{"USMCA preference (special program S)", "Exempt", `id="duty-total">$0.00<`}},
		{name: "specific rate asks for the quantity", req: request{path: "/tools/duty?code=2204.21.50&country=FR&date=2025-03-15&value=45000"},
			wantStatus: http.StatusOK, wantBody: []string{"Cannot be computed:", "enter the quantity in liter", "Quantity (in liter)", "at least $212.13", "<details class=\"duty-extras\" open>"}},
		{name: "specific rate with the quantity", req: request{path: "/tools/duty?code=2204.21.50&country=FR&date=2025-03-15&value=45000&quantity=9000"},
			wantStatus: http.StatusOK, wantBody: []string{"6.3¢/liter × 9,000 liter = $567.00", `id="duty-total">$779.13<`}},
		{name: "entry date after the data warns", req: request{path: "/tools/duty?code=3923.30.00&country=CN&date=2026-10-15&value=100"},
			wantStatus: http.StatusOK, wantBody: []string{"after 2026-09-29, the newest date our data covers"}},
		{name: "malformed code", req: request{path: "/tools/duty?code=39x3&country=CN&date=2025-04-15&value=100"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{`id="f-code-error">Enter an 8- or 10-digit HTS code`, `value="39x3"`},
			wantNotBody: []string{"Duty stack for"}},
		{name: "unknown code", req: request{path: "/tools/duty?code=3923.30.99&country=CN&date=2025-04-15&value=100"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{"3923.30.99 is not in the"}},
		{name: "heading instead of a rate line", req: request{path: "/tools/duty?code=3923&country=CN&date=2025-04-15&value=100"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{"3923 is a heading: enter the 8-digit rate line"}},
		{name: "chapter 99 line", req: request{path: "/tools/duty?code=9903.88.03&country=CN&date=2025-04-15&value=100"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{"Chapters 98 and 99 hold special provisions"}},
		{name: "bad date, negative value, unknown country", req: request{path: "/tools/duty?code=3923.30.00&country=QQ&date=2025-13-45&value=-5"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{`id="f-date-error">Enter a date between 2018-01-01 and 2030-12-31`,
				`id="f-value-error">Enter the customs value in US dollars`, `id="f-country-error">Choose a country from the list`,
				`aria-invalid="true" aria-describedby="f-country-error"`}},
		{name: "missing value", req: request{path: "/tools/duty?code=3923.30.00&country=CN&date=2025-04-15"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{`id="f-value-error">Enter the customs value in US dollars.`}},
		{name: "metal content above the value", req: request{path: "/tools/duty?code=7208.51.00&country=CA&date=2025-07-01&value=100&steel=200"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{`id="f-steel-error">The steel content value cannot exceed the customs value.`, "duty-extras\" open"}},
		{name: "USMCA claim for China", req: request{path: "/tools/duty?code=3923.30.00&country=CN&date=2025-04-15&value=100&usmca=yes"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{`id="f-usmca-error">A USMCA claim needs goods of Canada or Mexico.`}},
		{name: "Column 2 country", req: request{path: "/tools/duty?code=3923.30.00&country=RU&date=2025-04-15&value=100"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{"Column 2 rates"}},
		{name: "markup in the code is escaped", req: request{path: "/tools/duty?code=%3Cscript%3E&country=CN&date=2025-04-15&value=100"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{"&lt;script&gt;"}, wantNotBody: []string{"<script>"}},
	}, withHTS(t))
}

func TestDutyAPI(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{name: "Canadian steel plate under USMCA, July 2025", req: request{path: "/api/v1/duty?code=7208.51.00&country=CA&date=2025-07-01&value=50000&transport=other&usmca=yes"},
			wantStatus: http.StatusOK, check: func(t *testing.T, _ *testApp, rec *httptest.ResponseRecorder) {
				var got tariff.APIDutyResponse
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
					t.Fatal(err)
				}
				r := got.Result
				if got.Code != "7208.51.00" || got.ValueCents != 5_000_000 || r.Total != 2_500_000 || r.AsOf.String() != "2026-09-29" {
					t.Errorf("got code %s value %d total %d as of %s", got.Code, got.ValueCents, r.Total, r.AsOf)
				}
				var programs []string
				for _, l := range r.Layers {
					programs = append(programs, l.Program)
				}
				if strings.Join(programs, ",") != "mfn,s232_steel,ieepa_fentanyl,mpf" {
					t.Errorf("layers: got %v", programs)
				}
			}},
		{name: "validation errors are 422 with fields", req: request{path: "/api/v1/duty?code=12&country=QQ&value=abc"},
			wantStatus: http.StatusUnprocessableEntity, wantBody: []string{`"error":"validation"`, `"code":`, `"country":`, `"date":`, `"value":`}},
	}, withHTS(t))
}

func TestDutyWithoutTariffData(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{name: "page", req: request{path: "/tools/duty"}, wantStatus: http.StatusServiceUnavailable},
		{name: "api", req: request{path: "/api/v1/duty?code=3923.30.00"}, wantStatus: http.StatusServiceUnavailable, wantBody: []string{`"error":"unavailable"`}},
	})
}

func TestDutyCalculatorLinkFromLinePrefills(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, withHTS(t))
	line := ta.do(t, request{path: "/hts/8471.30.01"}).Body.String()
	if !strings.Contains(line, `href="/tools/duty?code=8471.30.01"`) {
		t.Fatal("line page does not link to the calculator")
	}
	rec := ta.do(t, request{path: "/tools/duty?code=8471.30.01"})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `value="8471.30.01"`) || strings.Contains(rec.Body.String(), "field-error") {
		t.Errorf("prefill: %d", rec.Code)
	}
}
