package hts

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
)

// bundled is the index of the bundled data, built once per test binary:
// tests only read it.
var bundled = sync.OnceValues(func() (*Index, error) { return LoadBundled(content.FS) })

// contentFS is the embedded content tree.
func contentFS() fs.FS { return content.FS }

func testIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := bundled()
	if err != nil {
		t.Fatalf("LoadBundled: %v", err)
	}
	return ix
}

func mustLookup(t *testing.T, ix *Index, code string) *Line {
	t.Helper()
	l, err := ix.Lookup(code)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", code, err)
	}
	return l
}

func TestBundledCounts(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	st := ix.Stats()
	// 96 HS chapters (01-97 without 77) and the US-only 98 and 99.
	if st.Chapters != 98 {
		t.Errorf("chapters: got %d, want 98", st.Chapters)
	}
	if st.Rows != 35938 || st.TextRows != 6018 {
		t.Errorf("rows: got %d (%d text-only), want 35938 (6018)", st.Rows, st.TextRows)
	}
	if st.StatLines != 19733 {
		t.Errorf("statistical lines: got %d, want 19733", st.StatLines)
	}
	// 7,133 printed 8-digit lines and 8,174 derived from single statistical rows.
	if st.RateLines != 7133+8174 || st.Derived8 != 8174 {
		t.Errorf("rate lines: got %d (%d derived), want %d (8174)", st.RateLines, st.Derived8, 7133+8174)
	}
	hsChapters, hsHeadings, hsSubs := 0, 0, 0
	for _, l := range ix.Lines() {
		if l.Digits[:2] == "98" || l.Digits[:2] == "99" {
			continue
		}
		switch l.Level {
		case 2:
			hsChapters++
		case 4:
			hsHeadings++
		case 6:
			hsSubs++
		}
	}
	if hsChapters != 96 || hsHeadings != 1228 || hsSubs != 5612 {
		t.Errorf("HS levels: got %d chapters, %d headings, %d subheadings; want 96, 1228, 5612", hsChapters, hsHeadings, hsSubs)
	}
	if ed := ix.Edition(); !ed.Bundled || ed.SHA256 != "96796831da912376e509dc09bacec8c0c78af59c17df94cdbaf2eac91acbdaf8" || !strings.Contains(ed.Name, "2025") {
		t.Errorf("edition: got %+v", ed)
	}
}

func TestPseudoRowsAndChapter77(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	for _, code := range []string{"77", "9999", "9999.99"} {
		if _, err := ix.Lookup(code); !errors.Is(err, ErrUnknownCode) {
			t.Errorf("Lookup(%s): got %v, want ErrUnknownCode", code, err)
		}
	}
	// Chapter 99 is the US chapter, not the HS pseudo-row "Commodities not specified".
	ch := mustLookup(t, ix, "99")
	if strings.Contains(ch.Description, "not specified") || ch.Section != "XXII" {
		t.Errorf("chapter 99: got %q in section %s", ch.Description, ch.Section)
	}
	for _, s := range ix.Sections() {
		if s.Roman == "TOTAL" {
			t.Error("a TOTAL section survived")
		}
	}
	if n := len(ix.Sections()); n != 22 {
		t.Errorf("sections: got %d, want 21 HS sections and XXII", n)
	}
}

func TestImplied8DigitLines(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	l := mustLookup(t, ix, "8471.30.01")
	if l.Origin != OriginDerived || l.Level != 8 || l.General != "Free" || l.Column2 != "35%" || l.RateSource != "8471.30.01.00" {
		t.Errorf("8471.30.01: got origin %s level %d rates %q/%q from %q", l.Origin, l.Level, l.General, l.Column2, l.RateSource)
	}
	if !strings.HasPrefix(l.Description, "Portable automatic data processing machines") || !slices.Equal(l.Units, []string{"No."}) {
		t.Errorf("8471.30.01: got %q %v", l.Description, l.Units)
	}
	stat := mustLookup(t, ix, "8471300100")
	if stat.Level != 10 || stat.General != "Free" || stat.RateSource != "8471.30.01.00" || ix.Parent(stat).Code != l.Code {
		t.Errorf("8471.30.01.00: got level %d rate %q from %q, parent %v", stat.Level, stat.General, stat.RateSource, ix.Parent(stat))
	}
	// A statistical line under a printed rate line inherits its rates.
	m := mustLookup(t, ix, "0101.21.00.10")
	if m.General != "Free" || m.RateSource != "0101.21.00" {
		t.Errorf("0101.21.00.10: got %q from %q, want Free from 0101.21.00", m.General, m.RateSource)
	}
	if want := []string{"Animals; live", "Live horses, asses, mules and hinnies", "Horses", "Purebred breeding animals"}; !slices.Equal(m.Path, want) {
		t.Errorf("0101.21.00.10 path: got %q, want %q", m.Path, want)
	}
	// The one statistical line that prints only a Column 2 rate.
	odd := mustLookup(t, ix, "9006.59.15.20")
	// Issue 12 item 8: the row prints only Column 2; its General rate is
	// the Free of 9006.59.15 (2025 HTSUS, heading 9006), column by column.
	if odd.General != "Free" || odd.Special != "" || odd.Column2 != "20%" || odd.RateSource != "9006.59.15.20" {
		t.Errorf("9006.59.15.20: got general %q special %q column 2 %q from %q, want Free, \"\", 20%% from 9006.59.15.20", odd.General, odd.Special, odd.Column2, odd.RateSource)
	}
	// A heading printed only as its single line is derived from it.
	h := mustLookup(t, ix, "0205")
	if h.Origin != OriginDerived || !strings.HasPrefix(h.Description, "Meat of horses") {
		t.Errorf("0205: got %s %q", h.Origin, h.Description)
	}
	// An HS subheading the US export does not print comes from HS 2022.
	sub := mustLookup(t, ix, "8471.30")
	if sub.Origin != OriginHS || !strings.Contains(sub.Description, "portable") || sub.RateSource != "" {
		t.Errorf("8471.30: got %s %q rates from %q", sub.Origin, sub.Description, sub.RateSource)
	}
	if kids := ix.Children(sub); len(kids) != 1 || kids[0].Code != l.Code {
		t.Errorf("8471.30 children: got %v", kids)
	}
	if got := ix.Ancestors(stat); len(got) != 4 || got[0].Code != "84" || got[3].Code != l.Code {
		t.Errorf("ancestors of 8471.30.01.00: got %v", got)
	}
}

func TestLookupForms(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	for _, in := range []string{"8471.30.0100", "8471300100", "8471 30 01 00", " 8471.30.01.00 "} {
		if l, err := ix.Lookup(in); err != nil || l.Code != "8471.30.01.00" {
			t.Errorf("Lookup(%q): got %v, %v", in, l, err)
		}
	}
	if _, err := ix.Lookup("84x1"); !errors.Is(err, ErrMalformedCode) {
		t.Errorf("Lookup(84x1): got %v, want ErrMalformedCode", err)
	}
	if _, err := ix.Lookup("8471.99"); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("Lookup(8471.99): got %v, want ErrUnknownCode", err)
	}
	if n := ix.Nearest(MustParseCode("8471.99.00.00")); n == nil || n.Code != "8471" {
		t.Errorf("Nearest(8471.99.00.00): got %v, want 8471", n)
	}
}

func TestScheduleRows(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	rows := ix.Schedule(mustLookup(t, ix, "8471"))
	if len(rows) < 30 || rows[0].Code != "8471" {
		t.Fatalf("8471 schedule: got %d rows starting %+v", len(rows), rows[0])
	}
	var merged, text bool
	for _, r := range rows {
		merged = merged || (r.Code == "8471.30.01" && r.Suffix == "00" && r.Stat != nil && r.General == "Free")
		text = text || (r.Line == nil && r.Description == "Other automatic data processing machines")
	}
	if !merged || !text {
		t.Errorf("8471 schedule: merged 8471.30.01/00 row %v, text row %v", merged, text)
	}
	sub := ix.Schedule(mustLookup(t, ix, "8471.70"))
	for _, r := range sub {
		if m := r.Main(); m != nil && !strings.HasPrefix(m.Digits, "847170") {
			t.Errorf("8471.70 schedule has %s", m.Code)
		}
	}
	if len(sub) < 10 {
		t.Errorf("8471.70 schedule: got %d rows", len(sub))
	}
	if ix.Schedule(mustLookup(t, ix, "8471.30.01")) != nil {
		t.Error("a rate line has no schedule of its own")
	}
	if p, n := ix.Prev(mustLookup(t, ix, "8471")), ix.Next(mustLookup(t, ix, "8471")); p.Code != "8470" || n.Code != "8472" {
		t.Errorf("prev/next of 8471: got %s, %s", p.Code, n.Code)
	}
}

func TestSection301(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	for _, tc := range []struct {
		code  string
		want  []S301Listing
		count int
	}{
		{"6404.11.20", []S301Listing{{List: "4A", Ch99: "9903.88.15", Rate: "7.5%"}}, 1},
		{"6404.11.41", []S301Listing{{List: "4B", Ch99: "9903.88.16", Rate: "15% (suspended)"}}, 1},
		{"8408.90.90", []S301Listing{{List: "1", Ch99: "9903.88.01", Rate: "25%"}, {List: "3", Ch99: "9903.88.03", Rate: "25%"}}, 2},
		{"8471.30.01", []S301Listing{{List: "4B", Ch99: "9903.88.16", Rate: "15% (suspended)"}}, 1},
		{"0101.21.00", []S301Listing{{List: "4A", Ch99: "9903.88.15", Rate: "7.5%"}}, 1},
		{"2603.00.00", nil, 0},
	} {
		l := mustLookup(t, ix, tc.code)
		if !slices.Equal(l.S301, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.code, l.S301, tc.want)
		}
		// Statistical lines inherit their rate line's lists.
		for _, k := range ix.Children(l) {
			if !slices.Equal(k.S301, tc.want) {
				t.Errorf("%s: got %+v, want %+v", k.Code, k.S301, tc.want)
			}
		}
	}
	if S301ListName("3") != "List 3" || S301ListName("3_addl") != "List 3 (additional)" || !strings.Contains(S301ListName("biden_100"), "100%") {
		t.Error("S301ListName: wrong names")
	}
	if st := ix.Stats(); st.S301Lines < 10000 || st.S301Unmatched > 200 {
		t.Errorf("301 coverage: %d lines, %d list codes without a line", st.S301Lines, st.S301Unmatched)
	}
}

func TestSection232(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	has := func(l *Line, want S232Listing) bool {
		for _, s := range l.S232 {
			if s.Metal == want.Metal && s.Basis == want.Basis && s.Annex == want.Annex && s.Prefix == want.Prefix && s.Partial == want.Partial && s.Ch99 == want.Ch99 {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		code string
		want S232Listing
	}{
		// An 8-digit prefix covers the line and its statistical lines.
		{"0402.99.68", S232Listing{Metal: "aluminum", Basis: "derivative", Ch99: "9903.85.08", Prefix: "0402.99.68"}},
		{"0402.99.68.00", S232Listing{Metal: "aluminum", Basis: "derivative", Ch99: "9903.85.08", Prefix: "0402.99.68"}},
		{"7406.10.00", S232Listing{Metal: "copper", Basis: "copper", Ch99: "9903.78.01", Prefix: "7406.10.00"}},
		{"7406.10.00", S232Listing{Metal: "copper", Basis: "annex", Annex: "1a", Prefix: "7406.10.00"}},
		{"7308.20.00", S232Listing{Metal: "steel", Basis: "annex", Annex: "1a", Prefix: "7308.20.00"}},
		// A 10-digit listing this edition lacks shows on its rate line as partial.
		{"7308.20.00", S232Listing{Metal: "aluminum", Basis: "annex", Annex: "1a", Prefix: "7308.20.00.35", Partial: true}},
	} {
		if l := mustLookup(t, ix, tc.code); !has(l, tc.want) {
			t.Errorf("%s: got %+v, want it to include %+v", tc.code, l.S232, tc.want)
		}
	}
	// A 4-digit prefix covers the whole heading.
	if l := mustLookup(t, ix, "8471.30.01"); !has(l, S232Listing{Metal: "aluminum", Basis: "annex", Annex: "1b", Prefix: "8471"}) {
		t.Errorf("8471.30.01: got %+v, want annex I-B by heading 8471", l.S232)
	}
	if l := mustLookup(t, ix, "0101.21.00"); len(l.S232) != 0 {
		t.Errorf("0101.21.00: got %+v, want no 232 listing", l.S232)
	}
	if Annex232Name("1b") != "Annex I-B" || Annex232Meaning("2") == "" {
		t.Error("annex names")
	}
}

func TestAliasesNameExistingLines(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	as, err := loadAliases(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) < 100 {
		t.Errorf("aliases: got %d codes, want at least 100", len(as))
	}
	for _, a := range as {
		if ix.find(a.digits) == nil {
			t.Errorf("alias code %s is not a line of the bundled schedule", dotted(a.digits))
		}
	}
	if got := ix.Aliases(mustLookup(t, ix, "8471.30")); !slices.Contains(got, "laptop") {
		t.Errorf("aliases of 8471.30: got %v", got)
	}
}

func TestLinesAreInDigitOrder(t *testing.T) {
	t.Parallel()
	ls := testIndex(t).Lines()
	for i := 1; i < len(ls); i++ {
		if ls[i-1].Digits >= ls[i].Digits {
			t.Fatalf("line %d (%s) does not sort after %s; prefix search relies on it", i, ls[i].Code, ls[i-1].Code)
		}
	}
}
