package duty

import (
	"math/big"
	"os"
	"strings"
	"testing"
)

// loadTable reads the shipped measures table (content/duty/measures.json).
func loadTable(t *testing.T) *Table {
	t.Helper()
	tb, err := Load(os.DirFS("../../content"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tb
}

// Lines used by the hand-worked cases, with rates as printed in the 2025
// HTS and listings as in the bundled Section 301/232 lists.
var (
	// 3923.30.00 carboys, bottles, flasks of plastics: 3%, Special S Free,
	// Section 301 List 3 (9903.88.03).
	bottles = Line{Code: "3923.30.00", Description: "Carboys, bottles, flasks and similar articles", General: "3%",
		Special: "Free (A,AU,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)", S301: []S301Listing{{List: "3", Ch99: "9903.88.03"}}}
	// 7208.51.00 hot-rolled plate over 10 mm: Free; a steel article (U.S.
	// note 16 headings), on the 2024 four-year-review list 9903.91.01.
	plate = Line{Code: "7208.51.00", Description: "Hot-rolled flat products, not in coils, thickness over 10 mm", General: "Free",
		S301: []S301Listing{{List: "biden_25", Ch99: "9903.91.01"}}}
	// 6109.10.00 T-shirts of cotton: 16.5%, Special S Free.
	tshirts = Line{Code: "6109.10.00", Description: "T-shirts, singlets, tank tops and similar garments, of cotton", General: "16.5%",
		Special: "Free (AU,BH,CL,CO,IL,JO,KR,MA,OM,P,PA,PE,S,SG)", S301: []S301Listing{{List: "4A", Ch99: "9903.88.15"}}}
	// 2204.21.50 still wine in containers not over 2 liters: 6.3¢/liter.
	wine = Line{Code: "2204.21.50", Description: "Wine of fresh grapes, in containers holding 2 liters or less, other", General: "6.3¢/liter",
		Special: "Free (A+,AU,BH,CL,CO,D,E,IL,KR,MA,OM,P,PA,PE,S,SG) 2.8¢/liter (JO)"}
	// 8201.50.00 one-handed pruners and shears: 1¢ each + 2.8%.
	shears = Line{Code: "8201.50.00", Description: "Secateurs and similar one-handed pruners and shears", General: "1¢ each + 2.8%",
		S301: []S301Listing{{List: "3", Ch99: "9903.88.03"}}}
)

type wantLayer struct {
	program string
	ch99    string
	amount  int64 // cents
	exempt  bool
	unknown bool // cannot be computed
}

// shown drops the "not applied" layers that only say a program does not
// cover the input, which the older hand-worked cases do not list.
func shown(ls []Layer) []Layer {
	var out []Layer
	for _, l := range ls {
		if l.Status == StatusNotApplied && !l.Exempt && l.Ch99 == "" && l.Amount == 0 {
			continue
		}
		out = append(out, l)
	}
	return out
}

func checkResult(t *testing.T, r *Result, want []wantLayer, total int64) {
	t.Helper()
	r = &Result{Layers: shown(r.Layers), Total: r.Total}
	if len(r.Layers) != len(want) {
		var got []string
		for _, l := range r.Layers {
			got = append(got, l.Program+" "+l.Ch99+" "+FormatCents(l.Amount)+" "+l.Reason)
		}
		t.Fatalf("layers: got %d %q, want %d", len(r.Layers), got, len(want))
	}
	for i, w := range want {
		l := r.Layers[i]
		if l.Program != w.program || l.Ch99 != w.ch99 || l.Amount != w.amount || l.Exempt != w.exempt || (l.Reason != "") != w.unknown {
			t.Errorf("layer %d: got {%s %q %s exempt=%v reason=%q}, want {%s %q %s exempt=%v unknown=%v}", i,
				l.Program, l.Ch99, FormatCents(l.Amount), l.Exempt, l.Reason, w.program, w.ch99, FormatCents(w.amount), w.exempt, w.unknown)
		}
	}
	if r.Total != total {
		t.Errorf("total: got %s, want %s", FormatCents(r.Total), FormatCents(total))
	}
}

func hasText(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func noteText(r *Result) []string {
	var out []string
	for _, n := range r.Notes {
		out = append(out, n.Text)
	}
	return out
}

// TestChinaList3 follows one Chinese List 3 good (3923.30.00, MFN 3%) of
// customs value $10,000.00 by vessel through three dates.
func TestChinaList3(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	in := Input{Line: bottles, Country: "CN", CustomsValue: 1_000_000, Transport: TransportVessel}

	t.Run("2025-04-15 at the 125% peak", func(t *testing.T) {
		// MFN        3%   × $10,000.00 =    $300.00
		// 301 List 3 25%  × $10,000.00 =  $2,500.00  9903.88.03
		// fentanyl   20%  × $10,000.00 =  $2,000.00  9903.01.24
		// reciprocal 125% × $10,000.00 = $12,500.00  9903.01.63
		// MPF 0.3464% × $10,000.00 = $34.64 (FY2025 min $32.71, max $634.62)
		// HMF 0.125%  × $10,000.00 = $12.50
		// duties $17,300.00 + fees $47.14 = $17,347.14
		in := in
		in.EntryDate = MustDate("2025-04-15")
		r, err := tb.Calculate(in)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, r, []wantLayer{
			{program: "mfn", amount: 30000},
			{program: "s301", ch99: "9903.88.03", amount: 250000},
			{program: "ieepa_fentanyl", ch99: "9903.01.24", amount: 200000},
			{program: "ieepa_reciprocal", ch99: "9903.01.63", amount: 1250000},
			{program: "mpf", amount: 3464},
			{program: "hmf", amount: 1250},
		}, 1734714)
		if r.Duties != 1730000 || r.Fees != 4714 || r.DutyRate != "173.00%" || r.Incomplete {
			t.Errorf("got duties %d fees %d rate %s incomplete %v", r.Duties, r.Fees, r.DutyRate, r.Incomplete)
		}
		if len(r.Warnings) != 0 {
			t.Errorf("warnings: got %q, want none", r.Warnings)
		}
	})

	t.Run("2025-06-15 after Geneva", func(t *testing.T) {
		// MFN $300.00 + 301 $2,500.00 + fentanyl 20% $2,000.00
		// + reciprocal 10% × $10,000.00 = $1,000.00 (9903.01.25)
		// duties $5,800.00 + MPF $34.64 + HMF $12.50 = $5,847.14
		in := in
		in.EntryDate = MustDate("2025-06-15")
		r, err := tb.Calculate(in)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, r, []wantLayer{
			{program: "mfn", amount: 30000},
			{program: "s301", ch99: "9903.88.03", amount: 250000},
			{program: "ieepa_fentanyl", ch99: "9903.01.24", amount: 200000},
			{program: "ieepa_reciprocal", ch99: "9903.01.25", amount: 100000},
			{program: "mpf", amount: 3464},
			{program: "hmf", amount: 1250},
		}, 584714)
	})

	t.Run("2026-03-15 under Section 122", func(t *testing.T) {
		// IEEPA duties stopped on 2026-02-24; Section 122 10% (P) applies.
		// MFN $300.00 + 301 $2,500.00 + s122 10% × $10,000.00 = $1,000.00
		// duties $3,800.00; MPF 0.3464% = $34.64 (FY2026 min $33.58)
		// + HMF $12.50 → $3,847.14
		in := in
		in.EntryDate = MustDate("2026-03-15")
		r, err := tb.Calculate(in)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, r, []wantLayer{
			{program: "mfn", amount: 30000},
			{program: "s301", ch99: "9903.88.03", amount: 250000},
			{program: "s122", ch99: "9903.03.01", amount: 100000},
			{program: "mpf", amount: 3464},
			{program: "hmf", amount: 1250},
		}, 384714)
		// Proclamation 11012; CSMS #67844987: 10% for the whole period
		// (verified), with a caution for the 9903.03.03 list.
		s122 := r.Layers[2]
		if s122.Confidence != Verified || !hasText(s122.Cautions, "9903.03.03") {
			t.Errorf("Section 122 layer: got confidence %q cautions %q, want V with the 9903.03.03 caution", s122.Confidence, s122.Cautions)
		}
		if !hasText(noteText(r), "Learning Resources") {
			t.Errorf("notes: got %q, want the IEEPA end note", noteText(r))
		}
	})
}

// TestCanadianSteelUSMCA: Canadian hot-rolled plate (7208.51.00, Free),
// customs value $50,000.00, by truck, claimed under USMCA.
func TestCanadianSteelUSMCA(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	in := Input{Line: plate, Country: "CA", CustomsValue: 5_000_000, Transport: TransportOther, ClaimUSMCA: true}

	// 2025-05-01: MFN Free; 232 steel articles 25% × $50,000.00 =
	// $12,500.00 (9903.81.87); fentanyl 25% exempt (USMCA); no
	// reciprocal for Canada; MPF exempt for USMCA goods (M); no HMF.
	in.EntryDate = MustDate("2025-05-01")
	r, err := tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, []wantLayer{
		{program: "mfn", amount: 0},
		{program: "s232_steel", ch99: "9903.81.87", amount: 1_250_000},
		{program: "ieepa_fentanyl", ch99: "9903.01.10", exempt: true},
		{program: "mpf", exempt: true},
	}, 1_250_000)
	steel := r.Layers[1]
	if steel.Confidence != Partly || !hasText(steel.Cautions, "note 16") {
		t.Errorf("steel layer: got %q %q, want the P caution on steel-article coverage", steel.Confidence, steel.Cautions)
	}
	if !hasText(noteText(r), "outside the reciprocal tariff") {
		t.Errorf("notes: got %q, want the Canada reciprocal note", noteText(r))
	}
	if !hasText(r.Layers[0].Notes, "already Free") {
		t.Errorf("MFN notes: got %q", r.Layers[0].Notes)
	}

	// 2025-07-01: the steel rate is 50% from 2025-06-04:
	// 50% × $50,000.00 = $25,000.00; the rest as before.
	in.EntryDate = MustDate("2025-07-01")
	r, err = tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, []wantLayer{
		{program: "mfn", amount: 0},
		{program: "s232_steel", ch99: "", amount: 2_500_000},
		{program: "ieepa_fentanyl", ch99: "9903.01.10", exempt: true},
		{program: "mpf", exempt: true},
	}, 2_500_000)
}

// TestMexicanTShirtsUSMCA: Mexican cotton T-shirts (6109.10.00, 16.5%,
// S Free), $20,000.00 by truck, 2026-03-15.
func TestMexicanTShirtsUSMCA(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	in := Input{Line: tshirts, Country: "MX", CustomsValue: 2_000_000, Transport: TransportOther,
		ClaimUSMCA: true, EntryDate: MustDate("2026-03-15")}
	// With the claim: USMCA Free → $0.00; Section 122 exempt (USMCA goods,
	// V); MPF exempt (USMCA, M). Total $0.00.
	r, err := tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, []wantLayer{
		{program: "usmca", amount: 0},
		{program: "s122", ch99: "9903.03.01", exempt: true},
		{program: "mpf", exempt: true},
	}, 0)
	if r.Layers[0].RateText != "Free" || !hasText(r.Layers[0].Notes, "16.5%") {
		t.Errorf("USMCA layer: got %q %q", r.Layers[0].RateText, r.Layers[0].Notes)
	}
	// Without the claim: MFN 16.5% × $20,000.00 = $3,300.00; s122 10% =
	// $2,000.00; MPF 0.3464% × $20,000.00 = $69.28 → $5,369.28.
	in.ClaimUSMCA = false
	r, err = tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, []wantLayer{
		{program: "mfn", amount: 330_000},
		{program: "s122", ch99: "9903.03.01", amount: 200_000},
		{program: "mpf", amount: 6928},
	}, 536_928)
}

// TestSpecificRate: French still wine (2204.21.50, 6.3¢/liter), 9,000
// liters worth $45,000.00 by vessel on 2025-03-15, before the reciprocal
// duties: MFN 6.3¢ × 9,000 = 56,700¢ = $567.00; MPF 0.3464% × $45,000.00
// = $155.88; HMF 0.125% = $56.25 → $779.13.
func TestSpecificRate(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	in := Input{Line: wine, Country: "FR", CustomsValue: 4_500_000, Transport: TransportVessel, EntryDate: MustDate("2025-03-15")}
	r, err := tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	// Without a quantity the MFN layer cannot be computed.
	checkResult(t, r, []wantLayer{{program: "mfn", unknown: true}, {program: "mpf", amount: 15588}, {program: "hmf", amount: 5625}}, 21213)
	if !r.Incomplete || r.QuantityUnit != "liter" || !hasText(r.Warnings, "must be checked") {
		t.Errorf("got incomplete %v unit %q warnings %q, want incomplete in liter", r.Incomplete, r.QuantityUnit, r.Warnings)
	}
	in.Quantity = big.NewRat(9000, 1)
	r, err = tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, []wantLayer{{program: "mfn", amount: 56700}, {program: "mpf", amount: 15588}, {program: "hmf", amount: 5625}}, 77913)
	if r.Incomplete {
		t.Error("incomplete with a quantity")
	}
}

// TestCompoundRate: Japanese pruners (8201.50.00, 1¢ each + 2.8%), 1,200
// pieces worth $6,000.00 by vessel on 2025-07-01 (reciprocal baseline):
// MFN 1¢ × 1,200 + 2.8% × $6,000.00 = $12.00 + $168.00 = $180.00;
// reciprocal 10% × $6,000.00 = $600.00 (9903.01.25);
// MPF 0.3464% × $6,000.00 = $20.784 → $20.78, raised to the FY2025
// minimum $32.71; HMF 0.125% × $6,000.00 = $7.50 → total $820.21.
func TestCompoundRate(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	in := Input{Line: shears, Country: "JP", CustomsValue: 600_000, Transport: TransportVessel,
		EntryDate: MustDate("2025-07-01"), Quantity: big.NewRat(1200, 1)}
	r, err := tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, []wantLayer{
		{program: "mfn", amount: 18000},
		{program: "ieepa_reciprocal", ch99: "9903.01.25", amount: 60000},
		{program: "mpf", amount: 3271},
		{program: "hmf", amount: 750},
	}, 82021)
	if w := r.Layers[2].Working; !strings.Contains(w, "$20.784, rounded half-up to $20.78") || !strings.Contains(w, "minimum of $32.71") {
		t.Errorf("MPF working: got %q", w)
	}
}

// TestDerivativeContentBase: a Chinese aluminum derivative listed under
// 9903.85.08 (duty on the aluminum content), 2025-09-01, $8,000.00 with
// $2,000.00 of aluminum, by vessel, MFN 2.5%:
// MFN $200.00; 301 List 3 $2,000.00; 232 aluminum 50% × $2,000.00 =
// $1,000.00; fentanyl 20% × $8,000.00 = $1,600.00; reciprocal 10% on
// the non-metal value only, 10% × $6,000.00 = $600.00 (issue 12 item 3:
// from 2025-06-04 only the metal content of a content-based derivative
// escapes, CBP CSMS #65829726); MPF 0.3464% × $8,000.00 = $27.712 → $27.71 →
// FY2025 minimum $32.71; HMF $10.00 → $5,442.71.
func TestDerivativeContentBase(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	line := Line{Code: "9403.20.00", General: "2.5%", S301: []S301Listing{{List: "3", Ch99: "9903.88.03"}},
		S232: []S232Listing{{Metal: "aluminum", Ch99: "9903.85.08", Basis: "derivative", EffectiveDate: "2025-08-18"}}}
	in := Input{Line: line, Country: "CN", CustomsValue: 800_000, Transport: TransportVessel, EntryDate: MustDate("2025-09-01"),
		MetalContent: map[string]int64{"aluminum": 200_000}}
	r, err := tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, []wantLayer{
		{program: "mfn", amount: 20000},
		{program: "s301", ch99: "9903.88.03", amount: 200000},
		{program: "s232_aluminum", ch99: "", amount: 100000},
		{program: "ieepa_fentanyl", ch99: "9903.01.24", amount: 160000},
		{program: "ieepa_reciprocal", ch99: "9903.01.25", amount: 60000},
		{program: "mpf", amount: 3271},
		{program: "hmf", amount: 1000},
	}, 544271)
	// Without the content value neither the 232 layer nor the reciprocal
	// on the non-metal value can be computed: both are "check".
	delete(in.MetalContent, "aluminum")
	r, err = tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Layers[2]; l.Reason == "" || !r.Incomplete || len(r.NeedsContent) != 1 {
		t.Errorf("232 without content: got %+v, incomplete %v", l, r.Incomplete)
	}
	if l := layerOf(r, "ieepa_reciprocal"); l.Status != StatusCheck {
		t.Errorf("reciprocal without content: got %+v, want check", l)
	}
	// Before the line was added to the list (2025-08-18) there is no 232
	// layer and the reciprocal applies.
	in.EntryDate = MustDate("2025-08-01")
	r, err = tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range r.Layers {
		if l.Program == "s232_aluminum" && l.Status != StatusNotApplied {
			t.Errorf("232 layer before the listing date: %+v", l)
		}
		if l.Program == "ieepa_reciprocal" && l.Exempt {
			t.Error("reciprocal exempt before the listing date")
		}
	}
}

// TestFourYearReviewReplacesList: a Chinese line on List 3 and on
// 9903.91.01 (25%) on 2025-06-15 pays the review rate once.
func TestFourYearReviewReplacesList(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	line := Line{Code: "8507.60.00", General: "3.4%", S301: []S301Listing{{List: "3", Ch99: "9903.88.03"}, {List: "biden_25", Ch99: "9903.91.01"}}}
	r, err := tb.Calculate(Input{Line: line, Country: "CN", CustomsValue: 100_000, Transport: TransportOther, EntryDate: MustDate("2025-06-15"),
		Declarations: []string{DeclEVBattery}})
	if err != nil {
		t.Fatal(err)
	}
	var s301 []Layer
	for _, l := range r.Layers {
		if l.Program == "s301" {
			s301 = append(s301, l)
		}
	}
	if len(s301) != 2 || !s301[0].Exempt || s301[0].Amount != 0 || s301[1].Amount != 25000 || !strings.Contains(s301[0].Why, "9903.91.01") {
		t.Errorf("301 layers: got %+v", s301)
	}
}

func TestWarningsAndValidation(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	base := Input{Line: bottles, Country: "CN", CustomsValue: 1_000_000, Transport: TransportVessel, EntryDate: MustDate("2026-10-15")}
	r, err := tb.Calculate(base)
	if err != nil {
		t.Fatal(err)
	}
	if !hasText(r.Warnings, "after 2026-09-29") {
		t.Errorf("warnings: got %q, want the after-as-of warning", r.Warnings)
	}
	// USTR forced-labor action (FR Doc 2026-15181), 9903.05.31: +12.5%.
	if l := layerOf(r, "s301_forced_labor"); l.Ch99 != "9903.05.31" || l.Amount != 125_000 {
		t.Errorf("forced-labor layer: got %+v, want 9903.05.31 $1,250.00", l)
	}
	early := base
	early.EntryDate = MustDate("2024-12-01")
	if r, _ := tb.Calculate(early); !hasText(r.Warnings, "before 2025-01-01") {
		t.Errorf("warnings: got %q, want the before-oldest warning", r.Warnings)
	}

	tests := []struct {
		name   string
		mutate func(*Input)
		field  string
		want   string
	}{
		{"unknown country", func(in *Input) { in.Country = "QQ" }, "country", "from the list"},
		{"column 2 country", func(in *Input) { in.Country = "RU" }, "country", "Column 2"},
		{"no country", func(in *Input) { in.Country = "" }, "country", "Choose"},
		{"no date", func(in *Input) { in.EntryDate = Date{} }, "date", "entry date"},
		{"zero value", func(in *Input) { in.CustomsValue = 0 }, "value", "above zero"},
		{"negative value", func(in *Input) { in.CustomsValue = -5 }, "value", "above zero"},
		{"content above value", func(in *Input) { in.MetalContent = map[string]int64{"steel": 2_000_000} }, "steel", "exceed"},
		{"contents add up above value", func(in *Input) {
			in.MetalContent = map[string]int64{"steel": 600_000, "aluminum": 600_000}
		}, "steel", "add up"},
		{"negative content", func(in *Input) { in.MetalContent = map[string]int64{"copper": -1} }, "copper", "negative"},
		{"bad transport", func(in *Input) { in.Transport = "air" }, "transport", "arrive"},
		{"bad class", func(in *Input) { in.ProductClass = "rockets" }, "class", "product class"},
		{"USMCA for China", func(in *Input) { in.ClaimUSMCA = true }, "usmca", "Canada or Mexico"},
	}
	for _, tt := range tests {
		in := base
		tt.mutate(&in)
		_, err := tb.Calculate(in)
		ve, ok := err.(ValidationError)
		if !ok || !strings.Contains(ve[tt.field], tt.want) {
			t.Errorf("%s: got %v, want %s error containing %q", tt.name, err, tt.field, tt.want)
		}
	}
}

// TestProductClasses covers the declared Section 232 classes and caps.
func TestProductClasses(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	// German kitchen cabinets (MFN Free) on 2025-11-03: 25% capped at 15%
	// all-in for the EU: 15% × $10,000.00 = $1,500.00. The reciprocal is
	// exempt (232 goods); the EU country rate would otherwise be unknown.
	cab := Line{Code: "9403.40.90", General: "Free"}
	in := Input{Line: cab, Country: "DE", CustomsValue: 1_000_000, Transport: TransportOther, EntryDate: MustDate("2025-11-03"), ProductClass: "cabinet"}
	r, err := tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, []wantLayer{
		{program: "mfn", amount: 0},
		{program: "s232_wood", amount: 150_000},
		{program: "ieepa_reciprocal", ch99: "9903.02.20", exempt: true},
		{program: "mpf", amount: 3464},
	}, 153_464)
	// The same cabinets without the class: a hint, and the EU's 15%
	// all-in reciprocal rate (EO 14326; 9903.02.20) on a Free line: 15%.
	in.ProductClass = ""
	r, _ = tb.Calculate(in)
	if !hasText(r.Warnings, "kitchen cabinet") || r.Incomplete || r.Duties != 150_000 {
		t.Errorf("no class: got warnings %q incomplete %v duties %d", r.Warnings, r.Incomplete, r.Duties)
	}
	// A Mexican USMCA vehicle on 2025-06-01: the non-US-content rule
	// cannot be computed here.
	car := Line{Code: "8703.23.01", General: "2.5%", Special: "Free (AU,S,SG)"}
	r, err = tb.Calculate(Input{Line: car, Country: "MX", CustomsValue: 3_000_000, Transport: TransportOther,
		EntryDate: MustDate("2025-06-01"), ProductClass: "auto", ClaimUSMCA: true})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Layers[1]; l.Program != "s232_auto" || l.Reason == "" || !strings.Contains(l.Reason, "non-U.S. content") {
		t.Errorf("USMCA auto: got %+v", l)
	}
}

// TestTableIsConsistent checks the shipped table: every row parses (Load
// did), P/M rows carry a caution, and the dates chain per scope.
func TestTableIsConsistent(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	if tb.AsOf.String() != "2026-09-29" || tb.Version == "" {
		t.Errorf("as_of %s version %q", tb.AsOf, tb.Version)
	}
	for _, m := range tb.Measures {
		if m.Confidence != Verified && m.Caution == "" && m.CannotCompute == "" {
			t.Errorf("%s: %s row without a caution", m.ID, m.Confidence)
		}
	}
	if _, err := Parse([]byte(`{"version":"x","as_of":"2026-01-01","oldest":"2025-01-01","surprise":1}`)); err == nil {
		t.Error("Parse accepted an unknown field")
	}
	bad := `{"version":"x","as_of":"2026-01-01","oldest":"2025-01-01","countries":[{"code":"CN","name":"China"}],
	"measures":[{"id":"a","program":"s122","label":"l","legal_basis":"b","countries":["*"],"rate":"10%","base":"customs_value","effective_from":"2025-01-01","source":"s","confidence":"V"},
	{"id":"b","program":"s122","label":"l","legal_basis":"b","countries":["*"],"rate":"15%","base":"customs_value","effective_from":"2025-06-01","source":"s","confidence":"V"}]}`
	if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("Parse of overlapping rows: got %v, want an overlap error", err)
	}
}

// TestSteelDerivatives2025 (issue 12, item 2): heading 7318 was on the
// February 2025 steel derivative list (Proclamation 10896, 90 FR 9817; in
// force 2025-03-12 under 9903.81.90; CBP CSMS #64348411). Bolts of
// 7318.15 get a 232 layer (labelled P: the 8-digit annex line was not
// read), and another Chapter 73 line without a listing shows "check".
func TestSteelDerivatives2025(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	bolts := Line{Code: "7318.15.80", General: "8.5%"}
	// 2025-04-15: 25% of the full value (9903.81.90 charges on the value).
	in := Input{Line: bolts, Country: "CN", CustomsValue: 100_000, Transport: TransportOther, EntryDate: MustDate("2025-04-15")}
	r, err := tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	st := layerOf(r, "s232_steel")
	if st.Status != StatusApplied || st.Amount != 25_000 || st.Ch99 != "9903.81.90" || st.Confidence != Partly {
		t.Errorf("steel layer: got %+v, want 25%% of $1,000.00 under 9903.81.90, P", st)
	}
	if l := layerOf(r, "ieepa_reciprocal"); !l.Exempt {
		t.Errorf("reciprocal: got %+v, want exempt (9903.01.33)", l)
	}
	// 2025-06-15: 50% of the steel content (Proclamation 10947).
	in.EntryDate = MustDate("2025-06-15")
	in.MetalContent = map[string]int64{"steel": 50_000}
	r, err = tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	if l := layerOf(r, "s232_steel"); l.Amount != 25_000 || l.Base != "Steel content value" {
		t.Errorf("steel layer: got %+v", l)
	}
	// Another Chapter 73 line: coverage unknown, so "check".
	r, err = tb.Calculate(Input{Line: Line{Code: "7326.90.86", General: "2.9%"}, Country: "CN", CustomsValue: 100_000,
		Transport: TransportOther, EntryDate: MustDate("2025-06-15")})
	if err != nil {
		t.Fatal(err)
	}
	if l := layerOf(r, "s232_steel"); l.Status != StatusCheck || !r.Incomplete {
		t.Errorf("7326 steel layer: got %+v incomplete %v, want check", l, r.Incomplete)
	}
}

// layerOf returns the first layer of a program, or a zero Layer.
func layerOf(r *Result, program string) Layer {
	for _, l := range r.Layers {
		if l.Program == program {
			return l
		}
	}
	return Layer{}
}
