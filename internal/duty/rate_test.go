package duty

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

func TestParseRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		free    bool
		av      string // percent, "" for none
		cents   string // specific cents per unit, "" for none
		unit    string
		wantErr string // substring of the error, "" for success
	}{
		{in: "Free", free: true},
		{in: "free", free: true},
		{in: "2.5%", av: "2.5"},
		{in: "0%", av: "0"},
		{in: "100%", av: "100"},
		{in: "0.3464%", av: "0.3464"},
		{in: "4.4¢/kg", cents: "4.4", unit: "kg"},
		{in: "$1.35/head", cents: "135", unit: "head"},
		{in: "37.5¢/doz.", cents: "37.5", unit: "doz."},
		{in: "0.9¢/kg + 5%", av: "5", cents: "0.9", unit: "kg"},
		{in: "5% + 12¢/kg", av: "5", cents: "12", unit: "kg"},
		{in: "$1.035/kg +13.6%", av: "13.6", cents: "103.5", unit: "kg"},
		{in: "1¢ each + 2.8%", av: "2.8", cents: "1", unit: "each"},
		{in: "$2.16 each", cents: "216", unit: "each"},
		{in: "76¢/pr. + 32%", av: "32", cents: "76", unit: "pr."},
		{in: "89.6¢/1000", cents: "89.6", unit: "1000"},
		{in: "18.9¢/pf.liter", cents: "18.9", unit: "pf.liter"},
		{in: "4.5¢/ liter", cents: "4.5", unit: "liter"},
		{in: "3.7¢/kg on drained weight", cents: "3.7", unit: "kg on drained weight"},
		{in: "  6.8%\n", av: "6.8"},
		{in: "", wantErr: "no rate is printed"},
		{in: "2.5% on the value of the lead content", wantErr: "part of the goods"},
		{in: "44¢ each + 6% on the case + 14% on the strap, band or bracelet", wantErr: "part of the goods"},
		{in: "4.4¢/liter + 31.4¢/pf. liter", wantErr: "two quantities"},
		{in: "3.6606¢/kg less 0.020668¢/kg for each degree under 100 degrees (and fractions of a degree in proportion) but not less than 3.143854¢/kg", wantErr: "cannot be computed"},
		{in: "43¢ each + 2.8¢/jewel over 7 + 3.7% on the case", wantErr: "cannot be computed"},
		{in: "The rate applicable to the article of which it is a part or accessory", wantErr: "not a rate"},
		{in: "See additional U.S. note 1", wantErr: "not a rate"},
		{in: "5% + 5%", wantErr: "two ad valorem"},
		{in: "5% +", wantErr: "not a rate"},
		{in: "$5¢/kg", wantErr: "currency"},
		{in: "12/kg", wantErr: "currency"},
		{in: "-5%", wantErr: "not a rate"},
		{in: "1e3%", wantErr: "not a rate"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRate(tt.in)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrUnparsable) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRate(%q): got err %v, want one wrapping ErrUnparsable containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRate(%q): %v", tt.in, err)
			}
			if r.Free != tt.free {
				t.Errorf("Free: got %v, want %v", r.Free, tt.free)
			}
			checkRat(t, "AdValorem", r.AdValorem, tt.av)
			var cents *big.Rat
			if r.Specific != nil {
				cents = r.Specific.Cents
				if r.Specific.Unit != tt.unit {
					t.Errorf("Unit: got %q, want %q", r.Specific.Unit, tt.unit)
				}
			}
			checkRat(t, "Specific.Cents", cents, tt.cents)
		})
	}
}

func checkRat(t *testing.T, what string, got *big.Rat, want string) {
	t.Helper()
	switch {
	case want == "" && got != nil:
		t.Errorf("%s: got %s, want none", what, got.FloatString(4))
	case want != "" && got == nil:
		t.Errorf("%s: got none, want %s", what, want)
	case want != "" && got.Cmp(mustRat(want)) != 0:
		t.Errorf("%s: got %s, want %s", what, got.FloatString(4), want)
	}
}

func TestRateAmountIsExact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rate  string
		value int64 // cents
		qty   string
		want  int64 // cents, rounded half-up
	}{
		{"2.5%", 1000000, "", 25000},              // 2.5% × $10,000.00 = $250.00
		{"0.3464%", 1000000, "", 3464},            // 0.3464% × $10,000.00 = $34.64
		{"0.3464%", 600000, "", 2078},             // $20.784 → $20.78
		{"0.125%", 1, "", 0},                      // 0.00125¢ → 0¢
		{"2.5%", 1, "", 0},                        // 0.025¢ → 0¢
		{"2.5%", 20, "", 1},                       // 0.5¢ → 1¢ (half up)
		{"4.4¢/kg", 0, "1234.5", 5432},            // 4.4 × 1,234.5 = 5,431.8¢ → $54.32
		{"1¢ each + 2.8%", 600000, "1200", 18000}, // 1,200¢ + 16,800¢ = $180.00
		{"0.9¢/kg + 5%", 123457, "10", 6182},      // 9¢ + 6,172.85¢ = 6,181.85¢ → $61.82
	}
	for _, tt := range tests {
		r, err := ParseRate(tt.rate)
		if err != nil {
			t.Fatalf("ParseRate(%q): %v", tt.rate, err)
		}
		var qty *big.Rat
		if tt.qty != "" {
			qty = mustRat(tt.qty)
		}
		a, err := r.Amount(tt.value, qty)
		if err != nil {
			t.Fatalf("%s on %d: %v", tt.rate, tt.value, err)
		}
		if got := RoundHalfUp(a); got != tt.want {
			t.Errorf("%s on %d¢ qty %s: got %d¢, want %d¢", tt.rate, tt.value, tt.qty, got, tt.want)
		}
	}
	r, _ := ParseRate("4.4¢/kg")
	if _, err := r.Amount(100, nil); !errors.Is(err, ErrUnparsable) {
		t.Errorf("specific rate without quantity: got %v, want ErrUnparsable", err)
	}
}

func TestSpecialRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		special, program, want string
		ok                     bool
	}{
		{"Free (A,AU,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)", "S", "Free", true},
		{"Free (A+,AU,BH,CL,CO,D,E,IL,KR,MA,OM,P,PA,PE,S,SG) 2.8¢/liter (JO)", "JO", "2.8¢/liter", true},
		{"Free (A,AU,BH,CL,CO,D,E,IL,KR,MA,OM,P,PA,PE,S,SG)8.8¢/liter(JO)", "S", "Free", true},
		{"Free \n(A, AU, BH, CL, CO, D, E, IL, JO, KR, MA, OM, P, PA, PE, S, SG)", "S", "Free", true},
		{"Free (AU,S+,SG) 5% (CA)", "S", "Free", true},
		{"Free (A,AU,SG)", "S", "", false},
		{"", "S", "", false},
		{"Free (SG)", "S", "", false},
	}
	for _, tt := range tests {
		got, ok := SpecialRate(tt.special, tt.program)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SpecialRate(%q, %q): got %q, %v; want %q, %v", tt.special, tt.program, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMoneyHelpers(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]string{0: "$0.00", 5: "$0.05", 123456: "$1,234.56", 100000000: "$1,000,000.00", -250: "-$2.50"} {
		if got := FormatCents(in); got != want {
			t.Errorf("FormatCents(%d): got %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]int64{"12500": 1250000, "12,500.00": 1250000, "$12500.5": 1250050, " 0.07 ": 7} {
		got, err := ParseDollars(in)
		if err != nil || got != want {
			t.Errorf("ParseDollars(%q): got %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-5", "1.234", "12,50", "abc", "1e5", "99999999999999"} {
		if _, err := ParseDollars(in); err == nil {
			t.Errorf("ParseDollars(%q): got no error, want one", in)
		}
	}
	if got := PercentOf(1734714, 1000000); got != "173.47%" {
		t.Errorf("PercentOf: got %q, want 173.47%%", got)
	}
	if got := PercentOf(5, 1000); got != "0.50%" {
		t.Errorf("PercentOf: got %q, want 0.50%%", got)
	}
	if got := RoundHalfUp(big.NewRat(-3, 2)); got != -2 {
		t.Errorf("RoundHalfUp(-1.5): got %d, want -2", got)
	}
}

// FuzzParseRate checks that no input panics, that success means a usable
// rate, and that Amount on a parsed rate never fails given a quantity.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"Free", "2.5%", "4.4¢/kg", "$1.35/head", "37.5¢/doz.", "0.9¢/kg + 5%", "5% + 12¢/kg",
		"1¢ each + 2.8%", "3.7¢/kg on drained weight", "44¢ each + 6% on the case", "+", "¢/", "$/ each", "9%%", "(S)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			if !errors.Is(err, ErrUnparsable) {
				t.Fatalf("ParseRate(%q): error %v does not wrap ErrUnparsable", s, err)
			}
			return
		}
		if !r.Free && r.AdValorem == nil && r.Specific == nil {
			t.Fatalf("ParseRate(%q): success with no rate part", s)
		}
		a, err := r.Amount(123456, big.NewRat(7, 2))
		if err != nil || a.Sign() < 0 {
			t.Fatalf("Amount on %q: %v, %v", s, a, err)
		}
		_ = r.Describe(123456, big.NewRat(7, 2))
		_, _ = SpecialRate(s, "S")
	})
}
