package hts

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		digits string
		dotted string
		level  int
	}{
		{"8471.30.0100", "8471300100", "8471.30.01.00", 10},
		{"8471300100", "8471300100", "8471.30.01.00", 10},
		{"8471 30 01 00", "8471300100", "8471.30.01.00", 10},
		{"8471.30.01.00", "8471300100", "8471.30.01.00", 10},
		{"  8471.30.01  ", "84713001", "8471.30.01", 8},
		{"8471.30", "847130", "8471.30", 6},
		{"8471 . 30", "847130", "8471.30", 6},
		{"8471  30", "847130", "8471.30", 6},
		{"8471", "8471", "8471", 4},
		{"84", "84", "84", 2},
		{"01", "01", "01", 2},
		{"0101.21.00.10", "0101210010", "0101.21.00.10", 10},
	} {
		c, err := ParseCode(tc.in)
		if err != nil {
			t.Errorf("ParseCode(%q): %v", tc.in, err)
			continue
		}
		if c.Digits() != tc.digits || c.Dotted() != tc.dotted || c.Level() != tc.level || c.String() != tc.dotted {
			t.Errorf("ParseCode(%q): got %s/%s/%d, want %s/%s/%d", tc.in, c.Digits(), c.Dotted(), c.Level(), tc.digits, tc.dotted, tc.level)
		}
	}
}

func TestParseCodeRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, why string }{
		{"", "empty"},
		{"   ", "empty"},
		{"8", "1 digits"},
		{"847", "3 digits"},
		{"84713", "5 digits"},
		{"847130010", "9 digits"},
		{"84713001000", "more than 10"},
		{"8471.30.01.00.00", "separator"},
		{"abc", "only digits"},
		{"8471-30", "only digits"},
		{"8471/30", "only digits"},
		{"８４７１", "only digits"}, // full-width digits
		{"84.71", "separator"},
		{"847.130", "separator"},
		{".8471", "separator"},
		{"8471.", "ends with a separator"},
		{"8471..30", "two dots"},
		{"8471. .30", "two dots"},
		{strings.Repeat("1", 41), "too long"},
	} {
		_, err := ParseCode(tc.in)
		if !errors.Is(err, ErrMalformedCode) {
			t.Errorf("ParseCode(%q): got %v, want ErrMalformedCode", tc.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ParseCode(%q): got %q, want it to mention %q", tc.in, err, tc.why)
		}
	}
}

func TestCodeTree(t *testing.T) {
	t.Parallel()
	c := MustParseCode("8471.30.01.00")
	if got := c.Parent().Dotted(); got != "8471.30.01" {
		t.Errorf("Parent: got %s, want 8471.30.01", got)
	}
	if got := c.Truncate(4).Dotted(); got != "8471" {
		t.Errorf("Truncate(4): got %s, want 8471", got)
	}
	if got := c.Truncate(12); got != c {
		t.Errorf("Truncate(12): got %s, want the code itself", got)
	}
	if !MustParseCode("8471").Contains(c) || MustParseCode("8472").Contains(c) || c.Contains(MustParseCode("8471")) {
		t.Error("Contains: wrong answer")
	}
	if !MustParseCode("84").Parent().IsZero() {
		t.Error("a chapter has no parent")
	}
	if LevelName(6) != "subheading" || LevelName(8) != "rate line" || LevelName(3) != "" || LevelName(-1) != "" {
		t.Error("LevelName: wrong names")
	}
}

func TestAgreementAndCompare(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"8471.30.01.00", "8471.30.01.00", 10},
		{"8471.30.01.00", "8471.30.01.50", 8},
		{"8471.30.01.00", "8471.41.01", 4},
		{"8471.30.01.00", "8473.30", 2},
		{"8471.30.01.00", "8517.13", 0},
		{"8471", "8471.30.01.00", 4},
		{"8471.30", "8471.30", 6},
	} {
		if got := Agreement(MustParseCode(tc.a), MustParseCode(tc.b)); got != tc.want {
			t.Errorf("Agreement(%s, %s): got %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	v := Compare(MustParseCode("8471.41.01"), MustParseCode("8471.30.01.00"))
	want := []bool{true, true, false, false, false}
	if len(v) != len(want) {
		t.Fatalf("Compare: got %d levels, want %d", len(v), len(want))
	}
	for i, w := range want {
		if v[i].Match != w {
			t.Errorf("Compare level %d (%s): got match %v, want %v", v[i].Level, v[i].Name, v[i].Match, w)
		}
	}
	if v[2].Want != "8471.30" || v[2].Got != "8471.41" || v[4].Got != "" {
		t.Errorf("Compare: got %+v", v)
	}
	// A shorter answer fails the levels it does not reach.
	v = Compare(MustParseCode("8471"), MustParseCode("8471.30"))
	if !v[0].Match || !v[1].Match || v[2].Match {
		t.Errorf("Compare short answer: got %+v", v)
	}
}

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"8471.30.0100", "8471300100", "8471 30 01 00", "84", "", "84.71", "8471..30", "８４", "0101.21.00.10", "9903.88.03"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedCode) {
				t.Fatalf("ParseCode(%q): error %v does not wrap ErrMalformedCode", s, err)
			}
			return
		}
		switch c.Level() {
		case 2, 4, 6, 8, 10:
		default:
			t.Fatalf("ParseCode(%q): level %d", s, c.Level())
		}
		if !allDigits(c.Digits()) {
			t.Fatalf("ParseCode(%q): digits %q", s, c.Digits())
		}
		// The dotted and the plain forms parse back to the same code.
		for _, form := range []string{c.Dotted(), c.Digits()} {
			back, err := ParseCode(form)
			if err != nil || back != c {
				t.Fatalf("ParseCode(%q) = %s; reparsing %q gives %v, %v", s, c, form, back, err)
			}
		}
		if Agreement(c, c) != c.Level() {
			t.Fatalf("Agreement(%s, itself) = %d", c, Agreement(c, c))
		}
	})
}
