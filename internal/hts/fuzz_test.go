package hts

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseCode: any input either parses to a code whose dotted form
// parses back to the same code, or fails with ErrMalformedCode; never a
// panic.
func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"8471.30.01", "8471300100", "8471 30 01 00", "01", "0101.21", "84x1", "", "8471..30", " 8471 . 30 ", strings.Repeat("9", 41)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedCode) {
				t.Fatalf("ParseCode(%q): got error %v, want ErrMalformedCode", s, err)
			}
			return
		}
		again, err := ParseCode(c.Dotted())
		if err != nil || again != c {
			t.Fatalf("ParseCode(%q) = %q, which parses back to %v (%v)", s, c.Dotted(), again, err)
		}
	})
}
