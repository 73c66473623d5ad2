package origin

import (
	"strings"
	"sync"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// bundledIndex is the tariff index of the bundled data, built once per test
// binary (as in internal/hts tests); tests only read it.
var bundledIndex = sync.OnceValues(func() (*hts.Index, error) { return hts.LoadBundled(content.FS) })

func testTable(t testing.TB) *Table {
	t.Helper()
	tab, err := LoadTable(content.FS)
	if err != nil {
		t.Fatalf("LoadTable: %v", err)
	}
	return tab
}

func testIndex(t testing.TB) *hts.Index {
	t.Helper()
	ix, err := bundledIndex()
	if err != nil {
		t.Fatalf("LoadBundled: %v", err)
	}
	return ix
}

func TestTableLoadsWithMetadata(t *testing.T) {
	t.Parallel()
	tab := testTable(t)
	if got := len(tab.Rules); got < 15 {
		t.Fatalf("rules: got %d, want at least 15", got)
	}
	if !strings.Contains(tab.Meta.Coverage, "NOT covered") {
		t.Errorf("coverage: got %q, want it to say plainly that other headings are NOT covered", tab.Meta.Coverage)
	}
	if tab.Meta.AsOf == "" || !strings.Contains(tab.Meta.Source, "General Note 11") {
		t.Errorf("meta: got as_of %q source %q, want a date and General Note 11", tab.Meta.AsOf, tab.Meta.Source)
	}
	for _, r := range tab.Rules {
		if !strings.HasPrefix(r.Citation, "HTSUS General Note 11, Chapter ") {
			t.Errorf("rule %s: citation %q, want an HTSUS General Note 11 chapter and subdivision", r.Key, r.Citation)
		}
		if !strings.HasPrefix(r.URL, "https://") {
			t.Errorf("rule %s: url %q, want a public https source", r.Key, r.URL)
		}
		if r.Title == "" || r.AsOf == "" {
			t.Errorf("rule %s: got title %q as_of %q, want both", r.Key, r.Title, r.AsOf)
		}
	}
}

// TestTableCodesExistInBundledData checks that every code the table names is
// well formed and is a line of the bundled HTS data.
func TestTableCodesExistInBundledData(t *testing.T) {
	t.Parallel()
	tab := testTable(t)
	ix := testIndex(t)
	for _, r := range tab.Rules {
		codes := append(r.CoverCodes(), r.ReferencedCodes()...)
		if len(codes) == 0 {
			t.Fatalf("rule %s names no codes", r.Key)
		}
		for _, c := range codes {
			if _, err := ix.LookupCode(c); err != nil {
				t.Errorf("rule %s: code %s: %v", r.Key, c.Dotted(), err)
			}
		}
	}
}

func TestTableFindMostSpecific(t *testing.T) {
	t.Parallel()
	tab := testTable(t)
	cases := []struct{ good, want string }{
		{"6911.10.10", "6901-6914"},
		{"7013.37.20", "7010-7018"},
		{"8471.30.01", "8471.30"},
		{"8471.41.01", "8471.41"},
		{"8402.19.00", "8402.11-8402.20"},
		{"8402.90.00", "8402.90"},
		{"8466.93.98", "8466"},
		{"9032.10.00", "9032.10"},
	}
	for _, c := range cases {
		r, err := tab.Find(hts.MustParseCode(c.good))
		if err != nil {
			t.Errorf("Find(%s): %v", c.good, err)
			continue
		}
		if r.Key != c.want {
			t.Errorf("Find(%s): got %s, want %s", c.good, r.Key, c.want)
		}
	}
	if _, err := tab.Find(hts.MustParseCode("9403.60.80")); err == nil {
		t.Errorf("Find(9403.60.80): got a rule, want ErrNoRule (furniture is not in the table)")
	}
}

func TestParseTableRejectsBadRules(t *testing.T) {
	t.Parallel()
	meta := "meta: {as_of: '2026-11-30', source: s, coverage: c}\n"
	// Each body is a valid rule but for one defect.
	cases := map[string]string{
		"unknown shift":  "rules: [{key: k, covers: ['8471'], text: t, citation: c, url: u, as_of: '2026-11-30', alternatives: [{shift: XYZ}]}]",
		"none no rvc":    "rules: [{key: k, covers: ['8471'], text: t, citation: c, url: u, as_of: '2026-11-30', alternatives: [{shift: NONE}]}]",
		"bad range":      "rules: [{key: k, covers: ['8471.30-8471'], text: t, citation: c, url: u, as_of: '2026-11-30', alternatives: [{shift: CTH}]}]",
		"no source":      "rules: [{key: k, covers: ['8471'], text: t, alternatives: [{shift: CTH}]}]",
		"allow no rvc":   "rules: [{key: k, covers: ['8471'], text: t, citation: c, url: u, as_of: '2026-11-30', alternatives: [{shift: CTH, allow: ['8473']}]}]",
		"no alternative": "rules: [{key: k, covers: ['8471'], text: t, citation: c, url: u, as_of: '2026-11-30'}]",
		"no as_of":       "rules: [{key: k, covers: ['8471'], text: t, citation: c, url: u, alternatives: [{shift: CTH}]}]",
		"no covers":      "rules: [{key: k, text: t, citation: c, url: u, as_of: '2026-11-30', alternatives: [{shift: CTH}]}]",
	}
	for name, body := range cases {
		if _, err := ParseTable([]byte(meta + body)); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
	good := "rules: [{key: k, covers: ['8471'], text: t, citation: c, url: u, as_of: '2026-11-30', alternatives: [{shift: CTH}]}]"
	if _, err := ParseTable([]byte(meta + good)); err != nil {
		t.Errorf("valid rule: got %v, want no error", err)
	}
}
