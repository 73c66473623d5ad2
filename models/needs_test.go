package models

import (
	"strings"
	"testing"
)

func TestCheckNeeds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"empty", "", true},
		{"lines and tabs", "Vegetarian\nStep-free access\tplease", true},
		{"exactly the limit in multi-byte runes", strings.Repeat("é", MaxNeedsLen), true},
		{"one over the limit", strings.Repeat("x", MaxNeedsLen+1), false},
		{"NUL", "gluten\x00free", false},
		{"escape", "\x1b[31mred", false},
		{"invalid UTF-8", "caf\xe9", false},
	} {
		if got := CheckNeeds(tc.in); (got == "") != tc.ok {
			t.Errorf("%s: got %q, want ok=%v", tc.name, got, tc.ok)
		}
	}
}

func TestNeedsLabel(t *testing.T) {
	t.Parallel()
	for f, want := range map[Format]string{FormatVirtual: "Accessibility needs", FormatInPerson: "Dietary or accessibility needs",
		FormatHybrid: "Dietary or accessibility needs"} {
		if got := (Session{Format: f}).NeedsLabel(); got != want {
			t.Errorf("%s: got %q, want %q", f, got, want)
		}
	}
}

func TestAddByCurrency(t *testing.T) {
	t.Parallel()
	var sums []Money
	for _, m := range []Money{{Minor: 100, Currency: "USD"}, {Minor: 0, Currency: "EUR"}, {Minor: 50, Currency: "CAD"}, {Minor: 25, Currency: "USD"}} {
		sums = AddByCurrency(sums, m)
	}
	if len(sums) != 2 || sums[0] != (Money{Minor: 125, Currency: "USD"}) || sums[1] != (Money{Minor: 50, Currency: "CAD"}) {
		t.Errorf("got %v, want USD 125 and CAD 50", sums)
	}
}
