package tariff_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"github.com/hsworkshop/hsworkshop/handlers/tariff"
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
		{Name: "markup in the code is escaped", Req: ht.Request{Path: "/tools/duty?code=%3Cscript%3E&country=CN&date=2025-04-15&value=100"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{"&lt;script&gt;"}, WantNotBody: []string{"<script>"}},
	}, ht.WithHTS(t))
}

func TestDutyAPI(t *testing.T) {
	t.Parallel()
	ht.Run(t, []ht.Scenario{
		{Name: "Canadian steel plate under USMCA, July 2025", Req: ht.Request{Path: "/api/v1/duty?code=7208.51.00&country=CA&date=2025-07-01&value=50000&transport=other&usmca=yes"},
			WantStatus: http.StatusOK, Check: func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
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
		{Name: "validation errors are 422 with fields", Req: ht.Request{Path: "/api/v1/duty?code=12&country=QQ&value=abc"},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`"error":"validation"`, `"code":`, `"country":`, `"date":`, `"value":`}},
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
