package duty

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestWorkedCases runs every case of content/duty/cases.json (issue 12,
// "Also": at least 40 cases across CN, CA, MX, EU, UK, JP, VN, IN, BR from
// 2024-09 to 2026-11). Each case cites the public source it rests on.
func TestWorkedCases(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	cases, err := LoadCases(os.DirFS("../../content"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 40 {
		t.Fatalf("cases: got %d, want at least 40", len(cases))
	}
	origins := map[string]bool{}
	for _, c := range cases {
		origins[c.Country] = true
		t.Run(c.ID, func(t *testing.T) {
			in, err := c.Input()
			if err != nil {
				t.Fatal(err)
			}
			r, err := tb.Calculate(in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.ExpectedDuties()
			if err != nil {
				t.Fatal(err)
			}
			if r.Duties != want || r.Incomplete != c.Incomplete {
				t.Errorf("duties: got %s incomplete %v, want %s incomplete %v\n%s", FormatCents(r.Duties), r.Incomplete, FormatCents(want), c.Incomplete, describe(r))
			}
			if len(c.Layers) == 0 {
				t.Fatal("case lists no layers")
			}
			for _, w := range c.Layers {
				if !hasLayer(r, w) {
					t.Errorf("layer %+v: not found\n%s", w, describe(r))
				}
			}
		})
	}
	for _, o := range []string{"CN", "CA", "MX", "GB", "JP", "VN", "IN", "BR", "DE"} {
		if !origins[o] {
			t.Errorf("no case for %s", o)
		}
	}
}

func hasLayer(r *Result, w CaseLayer) bool {
	for _, l := range r.Layers {
		if l.Program != w.Program || l.Status != w.Status || (w.Ch99 != "" && l.Ch99 != w.Ch99) {
			continue
		}
		if w.Amount != "" {
			a, err := ParseDollars(w.Amount)
			if err != nil || a != l.Amount {
				continue
			}
		}
		return true
	}
	return false
}

func describe(r *Result) string {
	var b strings.Builder
	for _, l := range r.Layers {
		fmt.Fprintf(&b, "  %s %s %s %s %s\n", l.Program, l.Status, l.Ch99, FormatCents(l.Amount), l.Why)
	}
	return b.String()
}

// TestParseBlock reads a lesson's ```duty block and runs it (issue 12:
// the Chinese laptop of 2025-05-01 owes 20% = $2,000.00, per the
// presidential memorandum of 2025-04-11 and CBP CSMS #64724565).
func TestParseBlock(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	lookup := func(code string) (Line, error) {
		if strings.HasPrefix(strings.ReplaceAll(code, ".", ""), "847130") {
			return Line{Code: "8471.30.01", General: "Free", S301: []S301Listing{{List: "4B", Ch99: "9903.88.16"}}}, nil
		}
		return Line{}, fmt.Errorf("unknown code")
	}
	in, want, err := ParseBlock("code: 8471.30.0100\ncountry: CN\ndate: 2025-05-01\nvalue: 10000.00\nduties: 2000.00\n", lookup)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tb.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	if want != 200_000 || r.Duties != want {
		t.Errorf("duties: got %s, want %s (block says %s)", FormatCents(r.Duties), "$2,000.00", FormatCents(want))
	}
	for _, bad := range []string{"code: 8471.30.0100\ncountry: CN\n", "nonsense", "code: 9999\ncountry: CN\ndate: 2025-05-01\nvalue: 1\nduties: 1", "code: 847130\ncountry: CN\ndate: 2025-05-01\nvalue: 1\nduties: 1\ncolour: red"} {
		if _, _, err := ParseBlock(bad, lookup); err == nil {
			t.Errorf("ParseBlock(%q): got nil error", bad)
		}
	}
}
