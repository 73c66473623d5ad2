// Package dutyline joins the tariff index and the duty calculator: it maps
// a tariff line (internal/hts) to the line the calculator reads
// (internal/duty). The duty calculator page and the test that reruns the
// lessons' worked duty stacks both use it, so they cannot map differently.
//
// It imports internal/hts and internal/duty only (archtest counts it with
// the services, which may import adapters).
package dutyline

import (
	"fmt"
	"strings"

	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// FromHTS maps a tariff line of the named edition to what the calculator
// needs: rates, units and the Section 301 and 232 listings.
func FromHTS(l *hts.Line, edition string) duty.Line {
	out := duty.Line{Code: l.Code, Description: l.Description, General: l.General, Special: l.Special,
		Units: l.Units, Edition: edition}
	for _, s := range l.S301 {
		out.S301 = append(out.S301, duty.S301Listing{List: s.List, Ch99: s.Ch99})
	}
	for _, s := range l.S232 {
		out.S232 = append(out.S232, duty.S232Listing{Metal: s.Metal, Ch99: s.Ch99, Annex: s.Annex, Basis: s.Basis,
			EffectiveDate: s.EffectiveDate, Prefix: s.Prefix, Partial: s.Partial})
	}
	return out
}

// Lookup returns a lookup function for duty.ParseBlock over ix: the code
// must be an 8- or 10-digit goods line (not Chapters 98 or 99), as on the
// calculator page.
func Lookup(ix *hts.Index) func(code string) (duty.Line, error) {
	return func(code string) (duty.Line, error) {
		l, err := ix.Lookup(code)
		if err != nil {
			return duty.Line{}, fmt.Errorf("look up %q: %w", code, err)
		}
		if l.Level < 8 {
			return duty.Line{}, fmt.Errorf("%s is a %s, not an 8- or 10-digit rate line", l.Code, hts.LevelName(l.Level))
		}
		if strings.HasPrefix(l.Digits, "98") || strings.HasPrefix(l.Digits, "99") {
			return duty.Line{}, fmt.Errorf("%s is in Chapter 98 or 99, not a goods line", l.Code)
		}
		return FromHTS(l, ix.Edition().Name), nil
	}
}
