package duty

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

// Tests for the errors found in review (issue 12). Each fails on the
// calculator as it was before the fix and cites the public source it rests on.

// runCase calculates the named worked case of content/duty/cases.json.
func runCase(t *testing.T, tb *Table, id string) *Result {
	t.Helper()
	cs, err := LoadCases(os.DirFS("../../content"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.ID != id {
			continue
		}
		in, err := c.Input()
		if err != nil {
			t.Fatal(err)
		}
		r, err := tb.Calculate(in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Fatalf("case %s not found", id)
	return nil
}

// TestItem0ForcedLaborAction: USTR Section 301 forced-labor action, final
// notice FR Doc 2026-15181, in force 12:01 a.m. ET 2026-07-24; HTSUS 2026
// Rev 20 9903.05.84 (Vietnam +12.5%). A Vietnamese cotton T-shirt entered
// 2026-10-01 owes 16.5% + 12.5% and the result is complete.
func TestItem0ForcedLaborAction(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	r := runCase(t, tb, "vn-tshirt-2026-10-01")
	if r.Duties != 290_000 || r.Incomplete {
		t.Errorf("got duties %s incomplete %v, want $2,900.00 complete", FormatCents(r.Duties), r.Incomplete)
	}
	// The in-transit exclusion 9903.05.85 rests on one source: labelled P.
	r = runCase(t, tb, "vn-tshirt-2026-07-25-transit")
	if l := layerOf(r, "s301_forced_labor"); l.Status != StatusNotApplied || l.Confidence != Partly || !strings.Contains(l.Why, "9903.05.85") {
		t.Errorf("in transit: got %+v", l)
	}
	// Known but not computable (Macau is not in the note 52 headings we
	// hold): "check", never silently absent.
	mo, err := tb.Calculate(Input{Line: bottles, Country: "MO", CustomsValue: 100_000, Transport: TransportOther, EntryDate: MustDate("2026-08-01")})
	if err != nil {
		t.Fatal(err)
	}
	if l := layerOf(mo, "s301_forced_labor"); l.Status != StatusCheck || !mo.Incomplete {
		t.Errorf("Macau: got %+v incomplete %v, want check", l, mo.Incomplete)
	}
}

// TestItem1ElectronicsExclusion: presidential memorandum of 2025-04-11,
// CBP CSMS #64724565: 8471 etc. under 9903.01.32 owe no reciprocal duty
// from 2025-04-05; the China fentanyl duty (20%, 9903.01.24) still
// applies, so a Chinese laptop entered 2025-05-01 owes 20%, not 145%.
func TestItem1ElectronicsExclusion(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	r := runCase(t, tb, "cn-laptop-2025-05-01")
	if r.Duties != 200_000 || r.DutyRate != "20.00%" {
		t.Errorf("got %s (%s), want $2,000.00 (20.00%%)", FormatCents(r.Duties), r.DutyRate)
	}
	l := layerOf(r, "ieepa_reciprocal")
	if want := "IEEPA reciprocal duty (China) — not applied: 8471.30.01 is on the electronics exclusion list (9903.01.32"; !strings.HasPrefix(l.Summary(), want) {
		t.Errorf("summary: got %q, want prefix %q", l.Summary(), want)
	}
	// 8541.40 (not on the list) still pays; Section 122 exempts the list
	// (Proclamation 11012, 9903.03.03).
	led, err := tb.Calculate(Input{Line: Line{Code: "8541.41.00", General: "Free"}, Country: "VN", CustomsValue: 100_000, Transport: TransportOther, EntryDate: MustDate("2025-05-01")})
	if err != nil {
		t.Fatal(err)
	}
	if l := layerOf(led, "ieepa_reciprocal"); l.Status != StatusApplied || l.Amount != 10_000 {
		t.Errorf("8541.41: got %+v, want 10%% applied", l)
	}
	if l := layerOf(runCase(t, tb, "cn-laptop-2026-03-15"), "s122"); l.Status != StatusNotApplied || !strings.Contains(l.Why, "9903.03.03") {
		t.Errorf("Section 122: got %+v", l)
	}
}

// TestItem3NonStacking: EO 14289 (90 FR 18907), CBP CSMS #65054270,
// retroactive to 2025-03-04.
func TestItem3NonStacking(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	r := runCase(t, tb, "ca-plate-2025-04-15")
	if l := layerOf(r, "s232_steel"); l.Status != StatusNotApplied || !strings.Contains(l.Why, "EO 14289") || r.Duties != 250_000 {
		t.Errorf("Canadian plate: got %+v duties %s", l, FormatCents(r.Duties))
	}
	// 2025-03-05: the steel layer could not be computed before 2025-03-12
	// (country exemptions), but the IEEPA duty excludes it anyway.
	plate := Line{Code: "7208.51.00", General: "Free"}
	r, err := tb.Calculate(Input{Line: plate, Country: "CA", CustomsValue: 1_000_000, Transport: TransportOther, EntryDate: MustDate("2025-03-05")})
	if err != nil {
		t.Fatal(err)
	}
	if l := layerOf(r, "s232_steel"); l.Status != StatusNotApplied || r.Incomplete || r.Duties != 250_000 {
		t.Errorf("Canadian plate 2025-03-05: got %+v incomplete %v duties %s", l, r.Incomplete, FormatCents(r.Duties))
	}
	r = runCase(t, tb, "mx-car-2025-06-01")
	if l := layerOf(r, "ieepa_fentanyl"); l.Status != StatusNotApplied || !strings.Contains(l.Why, "autos/parts") {
		t.Errorf("Mexican car: got %+v", l)
	}
	// Content-based derivative from 2025-06-04: reciprocal on the
	// non-metal value only (CBP CSMS #65829726).
	r = runCase(t, tb, "cn-bolts-2025-06-15")
	if l := layerOf(r, "ieepa_reciprocal"); l.Amount != 50_000 || l.BaseCents != 500_000 {
		t.Errorf("bolts reciprocal: got %+v, want 10%% of $5,000.00", l)
	}
}

// TestItem4ReviewAnnexByLine: USTR four-year review final notice of
// 2024-09-13 (HTSUS U.S. note 31): gloves 4015.12.10 50% from 2025-01-01
// (9903.91.05); face masks only 25% from 2024-09-27; EV batteries 25%
// from 2024-09-27.
func TestItem4ReviewAnnexByLine(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	for id, want := range map[string]int64{"cn-gloves-2025-03-01": 600_000, "cn-masks-2024-10-01": 320_000,
		"cn-other-6307-2024-10-01": 145_000, "cn-ev-battery-2024-10-01": 284_000} {
		if r := runCase(t, tb, id); r.Duties != want {
			t.Errorf("%s: got %s, want %s", id, FormatCents(r.Duties), FormatCents(want))
		}
	}
}

// TestItem5UKAutos: EO 14309, HTSUS 9903.94.31 (7.5% within the quota)
// and 9903.94.33 (parts 10% in total), from 2025-06-30.
func TestItem5UKAutos(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	for id, want := range map[string]int64{"gb-car-quota-2025-07-15": 100_000, "gb-part-2025-07-15": 100_000, "gb-car-over-2025-07-15": 275_000} {
		if r := runCase(t, tb, id); r.Duties != want {
			t.Errorf("%s: got %s, want %s", id, FormatCents(r.Duties), FormatCents(want))
		}
	}
}

// TestItem6MPFAfterFY2026: no FY2027 MPF notice was found (the last known
// is CBP Dec. 25-10, 90 FR 34665, for FY2026), so MPF from 2026-10-01 is
// refused with a note instead of $3,464 on a $1,000,000 entry.
func TestItem6MPFAfterFY2026(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	r, err := tb.Calculate(Input{Line: tshirts, Country: "VN", CustomsValue: 100_000_000, Transport: TransportOther, EntryDate: MustDate("2026-10-01")})
	if err != nil {
		t.Fatal(err)
	}
	l := layerOf(r, "mpf")
	if l.Status != StatusCheck || l.Amount != 0 || r.Fees != 0 || !r.FeesIncomplete || r.Incomplete || !strings.Contains(l.Why, "FY2027") {
		t.Errorf("got %+v fees %d feesIncomplete %v incomplete %v", l, r.Fees, r.FeesIncomplete, r.Incomplete)
	}
	r, err = tb.Calculate(Input{Line: tshirts, Country: "VN", CustomsValue: 100_000_000, Transport: TransportOther, EntryDate: MustDate("2026-09-30")})
	if err != nil {
		t.Fatal(err)
	}
	if l := layerOf(r, "mpf"); l.Amount != 65_150 || l.Confidence != Verified {
		t.Errorf("FY2026: got %+v, want the $651.50 maximum (CBP Dec. 25-10)", l)
	}
}

// TestItem7CountryRates: EO 14326 (90 FR 37963), Annex I, from 2025-08-07:
// Vietnam 20% (9903.02.69); transshipped goods 40% (9903.02.01).
func TestItem7CountryRates(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	r := runCase(t, tb, "vn-tshirt-2025-09-01")
	if r.Duties != 365_000 || r.Incomplete {
		t.Errorf("got %s incomplete %v, want $3,650.00", FormatCents(r.Duties), r.Incomplete)
	}
	r, err := tb.Calculate(Input{Line: tshirts, Country: "VN", CustomsValue: 1_000_000, Transport: TransportOther, EntryDate: MustDate("2025-09-01"),
		Declarations: []string{DeclTransshipped}})
	if err != nil {
		t.Fatal(err)
	}
	if l := layerOf(r, "ieepa_reciprocal"); l.Ch99 != "9903.02.01" || l.Amount != 400_000 {
		t.Errorf("transshipped: got %+v", l)
	}
}

// TestSourcesArePublic: every layer cites public instruments, never our
// research notes ("facts §5").
func TestSourcesArePublic(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	for _, m := range tb.Measures {
		if strings.Contains(m.Source, "facts") || strings.Contains(m.Source, "§") {
			t.Errorf("%s: source %q cites internal notes", m.ID, m.Source)
		}
		for _, key := range strings.Split(m.Source, "; ") {
			k, _, _ := strings.Cut(key, " (")
			if _, ok := tb.Sources[k]; !ok {
				t.Errorf("%s: source key %q not in the legend", m.ID, k)
			}
		}
	}
	for _, rs := range [][]Rule{tb.Exemptions, tb.NotComputable} {
		for _, r := range rs {
			if strings.Contains(r.Source, "facts") {
				t.Errorf("%s: source %q cites internal notes", r.ID, r.Source)
			}
		}
	}
}

// TestEveryLayerConsidered: each program of the table shows up once with a
// status, and every not-applied or check layer says why.
func TestEveryLayerConsidered(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	r := runCase(t, tb, "cn-laptop-2025-05-01")
	seen := map[string]bool{}
	for _, l := range r.Layers {
		seen[l.Program] = true
		if l.Status == "" || (l.Status != StatusApplied && l.Why == "") {
			t.Errorf("layer %s: status %q why %q", l.Program, l.Status, l.Why)
		}
	}
	for _, p := range []string{"mfn", "s301", "s232_steel", "ieepa_fentanyl", "ieepa_reciprocal", "s122", "s301_forced_labor", "mpf", "hmf"} {
		if !seen[p] {
			t.Errorf("program %s: no layer", p)
		}
	}
}

// TestValidateDeclarations: unknown declarations and a loading date after
// the entry date are field errors.
func TestValidateDeclarations(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	in := Input{Line: tshirts, Country: "VN", CustomsValue: 100, Transport: TransportOther, EntryDate: MustDate("2025-09-01"),
		LoadDate: MustDate("2025-09-02"), Declarations: []string{"nonsense"}}
	errs := tb.Validate(in)
	if errs["declare"] == "" || errs["load_date"] == "" {
		t.Errorf("got %v, want declare and load_date errors", errs)
	}
}

// TestCopperWholeMetal: copper wire of 7408 under the Section 232 copper
// action (proclamation of 2025-07-30, 9903.78.01, 50% of the copper
// content) is wholly copper, so nothing is left for the reciprocal duty
// (CBP CSMS #65829726), and the Annex II "check" does not fire.
func TestCopperWholeMetal(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	wire := Line{Code: "7408.11.60", General: "3%", S232: []S232Listing{{Metal: "copper", Ch99: "9903.78.01", Basis: "copper"}}}
	r, err := tb.Calculate(Input{Line: wire, Country: "CN", CustomsValue: 1_000_000, Transport: TransportOther, EntryDate: MustDate("2025-09-01")})
	if err != nil {
		t.Fatal(err)
	}
	if l := layerOf(r, "s232_copper"); l.Amount != 500_000 {
		t.Errorf("copper: got %+v, want 50%% of $10,000.00", l)
	}
	if l := layerOf(r, "ieepa_reciprocal"); l.Amount != 0 || l.Status != StatusNotApplied || r.Incomplete {
		t.Errorf("reciprocal: got %+v incomplete %v, want not applied", l, r.Incomplete)
	}
}

// TestTableMatchesCDR26: every flat-rate row for a 9903.02 (EO 14326) or
// 9903.05 (U.S. notes 50 and 52) heading carries the rate the 2026 HTS Rev
// 20 prints for it (content/duty/cdr26-additional-duties.csv, CC0).
func TestTableMatchesCDR26(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	f, err := os.Open("../../content/duty/cdr26-additional-duties.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 383 {
		t.Fatalf("rows: got %d, want 383 (header and 382 rows, per the NOTICE)", len(rows))
	}
	added := map[string]string{}
	for _, r := range rows[1:] {
		added[r[2]] = r[3]
	}
	checked := 0
	for _, m := range tb.Measures {
		if m.Rate == "" || !(strings.HasPrefix(m.Ch99, "9903.02.") || strings.HasPrefix(m.Ch99, "9903.05.")) || m.Ch99 == "9903.02.01" {
			continue
		}
		want, ok := added[m.Ch99]
		if !ok {
			t.Errorf("%s: heading %s not in the CDR26 file", m.ID, m.Ch99)
			continue
		}
		if m.Rate != want+"%" {
			t.Errorf("%s: rate %s, CDR26 prints +%s%% for %s", m.ID, m.Rate, want, m.Ch99)
		}
		checked++
	}
	if checked < 40 {
		t.Errorf("checked %d rows, want at least 40", checked)
	}
}
