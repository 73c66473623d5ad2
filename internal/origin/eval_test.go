package origin

import (
	"strings"
	"testing"
)

func in(code, origin, value string) InputRequest {
	return InputRequest{Code: code, Origin: origin, Value: value}
}

func TestEvaluateVerdicts(t *testing.T) {
	t.Parallel()
	tab := testTable(t)
	cases := []struct {
		name       string
		req        Request
		want       string
		wantReason string // substring of the reason
		wantRVCTV  string // shown RVC by TV, when given
		wantRVCNC  string
	}{
		{
			name: "all inputs originating",
			req: Request{Good: "6911.10.10", TransactionValue: "50.00",
				Inputs: []InputRequest{in("2507.00.00", "US", "10.00"), in("3207.20.00", "MX", "5.00")}},
			want: VerdictOriginating, wantReason: "no non-originating inputs", wantRVCTV: "100.00%",
		},
		{
			name: "CC met: kaolin into porcelain tableware",
			req: Request{Good: "6911.10.10", TransactionValue: "50.00",
				Inputs: []InputRequest{in("2507.00.00", "CN", "20.00")}},
			want: VerdictOriginating, wantReason: "makes the required tariff shift", wantRVCTV: "60.00%",
		},
		{
			name: "CC fails: glaze-free tiles of the same chapter, above de minimis",
			req: Request{Good: "6911.10.10", TransactionValue: "50.00", NetCost: "45.00",
				Inputs: []InputRequest{in("2507.00.00", "CN", "2.00"), in("6907.21.10", "CN", "6.00")}},
			want: VerdictNotOriginating, wantReason: "input on line 2 does not make the required tariff shift",
			wantRVCTV: "84.00%", wantRVCNC: "82.22%",
		},
		{
			name: "excluded input fails: desktop unit into a laptop",
			req: Request{Good: "8471.30.01", TransactionValue: "400.00",
				Inputs: []InputRequest{in("8471.50.01", "CN", "100.00"), in("8473.30.11", "CN", "50.00")}},
			want: VerdictNotOriginating, wantReason: "input on line 1 does not make",
		},
		{
			name: "de minimis saves an excluded input",
			req: Request{Good: "8471.30.01", TransactionValue: "400.00",
				Inputs: []InputRequest{in("8471.50.01", "CN", "40.00"), in("8473.30.11", "CN", "150.00")}},
			want: VerdictOriginating, wantReason: "within de minimis",
		},
		{
			name: "de minimis by net cost only: 10% of NC exactly",
			req: Request{Good: "8471.30.01", NetCost: "400.00",
				Inputs: []InputRequest{in("8471.50.01", "CN", "40.00")}},
			want: VerdictOriginating, wantReason: "within de minimis",
		},
		{
			name: "de minimis: one cent over 10%",
			req: Request{Good: "8471.30.01", TransactionValue: "400.00",
				Inputs: []InputRequest{in("8471.50.01", "CN", "40.01")}},
			want: VerdictNotOriginating, wantReason: "de minimis does not save",
		},
		{
			name: "ANY shift accepts a different good of the same subheading",
			req: Request{Good: "9031.90.91", TransactionValue: "10.00",
				Inputs: []InputRequest{in("9031.90.45", "JP", "9.00")}},
			want: VerdictOriginating,
		},
		{
			name: "no-shift alternative passes on RVC by transaction value exactly 60%",
			req: Request{Good: "8466.93.98", TransactionValue: "100.00",
				Inputs: []InputRequest{in("8466.93.15", "CN", "40.00")}},
			want: VerdictOriginating, wantReason: "Alternative B is met", wantRVCTV: "60.00%",
		},
		{
			name: "RVC fails by TV but passes by net cost",
			req: Request{Good: "8466.93.98", TransactionValue: "100.00", NetCost: "90.00",
				Inputs: []InputRequest{in("8466.93.15", "CN", "45.00")}},
			want: VerdictOriginating, wantReason: "50.00% by net cost is at or above", wantRVCTV: "55.00%", wantRVCNC: "50.00%",
		},
		{
			name: "RVC fails under both methods",
			req: Request{Good: "8466.93.98", TransactionValue: "100.00", NetCost: "90.00",
				Inputs: []InputRequest{in("8466.93.15", "CN", "50.00")}},
			want: VerdictNotOriginating, wantReason: "below the 60% minimum", wantRVCTV: "50.00%", wantRVCNC: "44.44%",
		},
		{
			name: "RVC just under the threshold is shown truncated and fails",
			req: Request{Good: "8466.93.98", TransactionValue: "300.00",
				Inputs: []InputRequest{in("8466.93.15", "CN", "120.01")}},
			want: VerdictNotOriginating, wantRVCTV: "59.99%",
		},
		{
			name: "allowed parts with RVC met (8464 from 8466.91)",
			req: Request{Good: "8464.10.01", TransactionValue: "1000.00",
				Inputs: []InputRequest{in("8466.91.50", "DE", "300.00"), in("7326.90.86", "CN", "50.00")}},
			want: VerdictOriginating, wantReason: "Alternative B is met", wantRVCTV: "65.00%",
		},
		{
			name: "allowed parts but RVC too low (8464 from 8466.91)",
			req: Request{Good: "8464.10.01", TransactionValue: "1000.00",
				Inputs: []InputRequest{in("8466.91.50", "DE", "450.00")}},
			want: VerdictNotOriginating, wantReason: "No alternative of the rule is met", wantRVCTV: "55.00%",
		},
		{
			name: "lower thresholds of 3205.00: 40% by TV",
			req: Request{Good: "3205.00.40", TransactionValue: "100.00",
				Inputs: []InputRequest{in("3205.00.15", "IN", "60.00")}},
			want: VerdictOriginating, wantRVCTV: "40.00%",
		},
		{
			name: "too-short input code against an 8-digit exception fails",
			req: Request{Good: "8463.10.00", TransactionValue: "100.00",
				Inputs: []InputRequest{in("8466.94", "CN", "30.00")}},
			want: VerdictNotOriginating, wantReason: "input on line 1 does not make",
		},
		{
			name: "given rule CTH with RVC: shift met, RVC met by NC",
			req: Request{Good: "9403.60.80", Rule: "cth", RVCTV: "60", RVCNC: "50", TransactionValue: "200.00", NetCost: "150.00",
				Inputs: []InputRequest{in("4407.11.00", "BR", "70.00")}},
			want: VerdictOriginating, wantRVCTV: "65.00%", wantRVCNC: "53.33%",
		},
		{
			name: "given rule CTSH: same subheading fails",
			req: Request{Good: "9403.60.80", Rule: "CTSH", TransactionValue: "200.00",
				Inputs: []InputRequest{in("9403.60.40", "VN", "70.00")}},
			want: VerdictNotOriginating, wantReason: "input on line 1 does not make",
		},
		{
			name: "table key given explicitly",
			req: Request{Good: "8402.19.00", Rule: "8402.11-8402.20", TransactionValue: "1000.00",
				Inputs: []InputRequest{in("8402.90.00", "KR", "300.00")}},
			want: VerdictOriginating, wantReason: "Alternative B is met",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, err := Lab{Table: tab, Index: testIndex(t)}.Evaluate(c.req)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if res.Verdict != c.want {
				t.Errorf("verdict: got %q, want %q (reason: %s)", res.Verdict, c.want, res.Reason)
			}
			if !strings.Contains(res.Reason, c.wantReason) {
				t.Errorf("reason: got %q, want it to contain %q", res.Reason, c.wantReason)
			}
			if c.wantRVCTV != "" {
				if res.RVCByTV == nil {
					t.Fatalf("RVC by TV: got none, want %s", c.wantRVCTV)
				}
				if got := res.RVCByTV.Value.String(); got != c.wantRVCTV {
					t.Errorf("RVC by TV: got %s, want %s", got, c.wantRVCTV)
				}
			}
			if c.wantRVCNC != "" {
				if res.RVCByNC == nil {
					t.Fatalf("RVC by NC: got none, want %s", c.wantRVCNC)
				}
				if got := res.RVCByNC.Value.String(); got != c.wantRVCNC {
					t.Errorf("RVC by NC: got %s, want %s", got, c.wantRVCNC)
				}
			}
			if len(res.Steps) < 3 {
				t.Fatalf("steps: got %d, want at least rule, inputs and verdict", len(res.Steps))
			}
			if first := res.Steps[0].Title; first != "Applicable rule" {
				t.Errorf("first step: got %q, want %q", first, "Applicable rule")
			}
			if last := res.Steps[len(res.Steps)-1].Title; last != "Verdict: "+c.want {
				t.Errorf("last step: got %q, want %q", last, "Verdict: "+c.want)
			}
		})
	}
}

func TestEvaluateFilledInFormulas(t *testing.T) {
	t.Parallel()
	res, err := Evaluate(testTable(t), Request{Good: "8466.93.98", TransactionValue: "1,000.00", NetCost: "900.00",
		Inputs: []InputRequest{in("8466.93.15", "CN", "450.00"), in("7318.15.20", "US", "100.00")}})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	wantTV := "RVC = (TV − VNM) / TV × 100 = (1,000.00 − 450.00) / 1,000.00 × 100 = 55.00%"
	if res.RVCByTV == nil || res.RVCByTV.Formula != wantTV {
		t.Errorf("TV formula: got %+v, want %q", res.RVCByTV, wantTV)
	}
	wantNC := "RVC = (NC − VNM) / NC × 100 = (900.00 − 450.00) / 900.00 × 100 = 50.00%"
	if res.RVCByNC == nil || res.RVCByNC.Formula != wantNC {
		t.Errorf("NC formula: got %+v, want %q", res.RVCByNC, wantNC)
	}
	if res.VNM != 45000 {
		t.Errorf("VNM: got %d cents, want 45000", res.VNM)
	}
	if len(res.Inputs) != 2 || res.Inputs[0].Originating || !res.Inputs[1].Originating {
		t.Errorf("inputs: got %+v, want line 1 non-originating and line 2 originating", res.Inputs)
	}
	if len(res.Alternatives) != 2 {
		t.Fatalf("alternatives: got %d, want 2", len(res.Alternatives))
	}
	a := res.Alternatives[0]
	if a.ShiftMet || a.DeMinimis == nil || a.DeMinimis.Met {
		t.Errorf("alternative A: got shift met %v de minimis %+v, want a failed shift not saved by de minimis", a.ShiftMet, a.DeMinimis)
	}
	b := res.Alternatives[1]
	if !b.Met || len(b.RVCs) != 2 {
		t.Errorf("alternative B: got met %v with %d RVCs, want met with 2", b.Met, len(b.RVCs))
	}
}

func TestEvaluateValidation(t *testing.T) {
	t.Parallel()
	tab := testTable(t)
	ok := []InputRequest{in("8473.30.11", "CN", "10.00")}
	cases := []struct {
		name  string
		req   Request
		field string
	}{
		{"malformed good", Request{Good: "84713", TransactionValue: "1", Inputs: ok}, "good"},
		{"good too short", Request{Good: "8471", TransactionValue: "1", Inputs: ok}, "good"},
		{"no value at all", Request{Good: "8471.30.01", Inputs: ok}, "transaction_value"},
		{"negative TV", Request{Good: "8471.30.01", TransactionValue: "-5", Inputs: ok}, "transaction_value"},
		{"zero NC", Request{Good: "8471.30.01", NetCost: "0", Inputs: ok}, "net_cost"},
		{"three decimals", Request{Good: "8471.30.01", TransactionValue: "1.234", Inputs: ok}, "transaction_value"},
		{"no inputs", Request{Good: "8471.30.01", TransactionValue: "100"}, "inputs"},
		{"bad input code", Request{Good: "8471.30.01", TransactionValue: "100", Inputs: []InputRequest{in("84x3", "CN", "1")}}, "inputs[0].code"},
		{"missing origin", Request{Good: "8471.30.01", TransactionValue: "100", Inputs: []InputRequest{in("8473.30", "", "1")}}, "inputs[0].origin"},
		{"bad origin", Request{Good: "8471.30.01", TransactionValue: "100", Inputs: []InputRequest{in("8473.30", "China", "1")}}, "inputs[0].origin"},
		{"negative input value", Request{Good: "8471.30.01", TransactionValue: "100", Inputs: []InputRequest{ok[0], in("8473.30", "CN", "-1")}}, "inputs[1].value"},
		{"missing input value", Request{Good: "8471.30.01", TransactionValue: "100", Inputs: []InputRequest{in("8473.30", "CN", "")}}, "inputs[0].value"},
		{"heading not covered", Request{Good: "9403.60.80", TransactionValue: "100", Inputs: ok}, "rule"},
		{"unknown rule", Request{Good: "8471.30.01", Rule: "XYZ", TransactionValue: "100", Inputs: ok}, "rule"},
		{"RVC out of range", Request{Good: "8471.30.01", Rule: "CTH", RVCTV: "160", TransactionValue: "100", Inputs: ok}, "rvc_tv"},
		{"RVC with table rule", Request{Good: "8471.30.01", RVCNC: "50", TransactionValue: "100", Inputs: ok}, "rule"},
		{"NONE without RVC", Request{Good: "8471.30.01", Rule: "NONE", TransactionValue: "100", Inputs: ok}, "rule"},
		{"too many inputs", Request{Good: "8471.30.01", TransactionValue: "100", Inputs: make([]InputRequest, MaxInputs+1)}, "inputs"},
	}
	for _, c := range cases {
		_, err := Evaluate(tab, c.req)
		fields := FieldErrors(err)
		if fields == nil {
			t.Errorf("%s: got error %v, want a validation error", c.name, err)
			continue
		}
		if _, found := fields[c.field]; !found {
			t.Errorf("%s: got fields %v, want one on %q", c.name, fields, c.field)
		}
	}
}

func TestEvaluateUnknownCodesWithIndex(t *testing.T) {
	t.Parallel()
	lab := Lab{Table: testTable(t), Index: testIndex(t)}
	_, err := lab.Evaluate(Request{Good: "8471.30.99", TransactionValue: "100",
		Inputs: []InputRequest{in("8473.30.11", "CN", "10"), in("9999.99", "CN", "1")}})
	fields := FieldErrors(err)
	if fields == nil {
		t.Fatalf("got error %v, want a validation error", err)
	}
	for _, f := range []string{"good", "inputs[1].code"} {
		if !strings.Contains(fields[f], "unknown code") {
			t.Errorf("field %s: got %q, want an unknown-code message", f, fields[f])
		}
	}
	if _, found := fields["inputs[0].code"]; found {
		t.Errorf("inputs[0].code: got %q, want no error for an existing line", fields["inputs[0].code"])
	}
}

func TestRVCNeedsItsBase(t *testing.T) {
	t.Parallel()
	// A net-cost-only entry against a rule that asks 60% TV / 50% NC: the NC
	// method decides; with no NC threshold it could not.
	res, err := Evaluate(nil, Request{Good: "9403.60.80", Rule: "NONE", RVCTV: "60", NetCost: "100.00",
		Inputs: []InputRequest{in("9403.90.70", "CN", "30.00")}})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if res.Verdict != VerdictNotOriginating || !strings.Contains(res.Reason, "give the transaction value") {
		t.Errorf("got %q (%s), want not originating for want of a transaction value", res.Verdict, res.Reason)
	}
}
