package duty

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// Rate is a duty rate as printed in a rate column, split into the parts the
// calculator can apply: an ad valorem percentage of the customs value and a
// specific amount per unit of quantity. A compound rate has both.
type Rate struct {
	// Text is the rate as printed, with white space collapsed.
	Text string
	// Free is set for "Free" (and only then).
	Free bool
	// AdValorem is the percentage of the customs value, or nil.
	AdValorem *big.Rat
	// Specific is the amount per unit, or nil.
	Specific *Specific
}

// Specific is the specific part of a rate: Cents per one Unit.
type Specific struct {
	Cents *big.Rat
	// Unit is the unit as the rate names it ("kg", "liter", "doz.", "each").
	Unit string
}

// ErrUnparsable is wrapped by ParseRate when a rate text cannot be applied
// mechanically; the message says why in words a learner can act on.
var ErrUnparsable = errors.New("rate cannot be computed")

// maxRateText bounds the text ParseRate reads; the longest rate in the
// schedule is about 250 characters.
const maxRateText = 400

var (
	// adValoremRe is a plain percentage: "2.5%".
	adValoremRe = regexp.MustCompile(`^(\d{1,4}(?:\.\d{1,6})?)%$`)
	// specificRe is an amount per unit: "4.4¢/kg", "$1.35/head", "1¢ each",
	// "$2.16 each", "89.6¢/1000".
	specificRe = regexp.MustCompile(`^(\$)?(\d{1,6}(?:\.\d{1,8})?)(¢)?(?:\s*/\s*(.+)|\s+(each))$`)
	// unitRe is what may follow the slash: a unit name, optionally qualified
	// by what is weighed or counted ("kg on drained weight").
	unitRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.,' ]*$`)
	// plusRe splits the parts of a compound rate.
	plusRe  = regexp.MustCompile(`\s*\+\s*`)
	spaceRe = regexp.MustCompile(`\s+`)
)

// unitWords mark a specific rate that needs more than a quantity: a sliding
// scale, a threshold or a cap. Those are left to a person.
var unitWords = []string{" less ", " over ", " not ", " if ", " but ", " for each ", " exceed"}

// ParseRate reads a Column 1 rate such as "Free", "2.5%", "4.4¢/kg",
// "$1.35/head", "37.5¢/doz.", "0.9¢/kg + 5%" or "5% + 12¢/kg". A rate it
// cannot apply exactly (a rate on part of the goods, a sliding scale, two
// specific units, a cross-reference) returns an error wrapping
// ErrUnparsable whose text says why.
func ParseRate(text string) (Rate, error) {
	t := strings.TrimSpace(spaceRe.ReplaceAllString(text, " "))
	r := Rate{Text: t}
	switch {
	case t == "":
		return r, fmt.Errorf("%w: no rate is printed for this line", ErrUnparsable)
	case len(t) > maxRateText:
		return r, fmt.Errorf("%w: the rate text is too long to read", ErrUnparsable)
	case strings.EqualFold(t, "Free"):
		r.Free = true
		return r, nil
	}
	for _, part := range plusRe.Split(t, -1) {
		if part == "" {
			return r, fmt.Errorf("%w: %q is not a rate this calculator can read", ErrUnparsable, t)
		}
		if m := adValoremRe.FindStringSubmatch(part); m != nil {
			if r.AdValorem != nil {
				return r, fmt.Errorf("%w: %q has two ad valorem parts", ErrUnparsable, t)
			}
			r.AdValorem = mustRat(m[1])
			continue
		}
		if strings.Contains(part, "% on ") || strings.Contains(part, "% of ") {
			return r, fmt.Errorf("%w: %q applies a percentage to part of the goods (%s), which needs the value of that part", ErrUnparsable, t, part)
		}
		m := specificRe.FindStringSubmatch(part)
		if m == nil {
			return r, fmt.Errorf("%w: %q is not a rate this calculator can read; work it out from the schedule text", ErrUnparsable, t)
		}
		dollar, cent := m[1] != "", m[3] != ""
		if dollar == cent {
			return r, fmt.Errorf("%w: %q has an amount without a clear currency unit", ErrUnparsable, t)
		}
		unit := strings.TrimSpace(m[4])
		if m[5] != "" {
			unit = "each"
		}
		if !unitRe.MatchString(unit) || hasAny(" "+unit+" ", unitWords) {
			return r, fmt.Errorf("%w: %q depends on more than a quantity (%s)", ErrUnparsable, t, part)
		}
		amount := mustRat(m[2])
		if dollar {
			amount.Mul(amount, big.NewRat(100, 1))
		}
		if r.Specific != nil {
			if r.Specific.Unit != unit {
				return r, fmt.Errorf("%w: %q needs two quantities (%s and %s)", ErrUnparsable, t, r.Specific.Unit, unit)
			}
			return r, fmt.Errorf("%w: %q has two specific parts in %s", ErrUnparsable, t, unit)
		}
		r.Specific = &Specific{Cents: amount, Unit: unit}
	}
	return r, nil
}

func hasAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// mustRat parses a decimal the regexps above have already checked.
func mustRat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("duty: bad decimal " + s)
	}
	return r
}

// Amount applies the rate: percent of value (cents) plus the specific
// amount per unit times qty. qty may be nil when the rate has no specific
// part; otherwise a nil qty is an error. The result is exact, in cents.
func (r Rate) Amount(valueCents int64, qty *big.Rat) (*big.Rat, error) {
	out := new(big.Rat)
	if r.AdValorem != nil {
		av := new(big.Rat).Mul(r.AdValorem, big.NewRat(valueCents, 100))
		out.Add(out, av)
	}
	if r.Specific != nil {
		if qty == nil {
			return nil, fmt.Errorf("%w: enter the quantity in %s", ErrUnparsable, r.Specific.Unit)
		}
		out.Add(out, new(big.Rat).Mul(r.Specific.Cents, qty))
	}
	return out, nil
}

// Describe writes the rate as a formula on the given value and quantity,
// e.g. "3% × $10,000.00" or "1¢ × 1,200 each + 2.8% × $6,000.00".
func (r Rate) Describe(valueCents int64, qty *big.Rat) string {
	if r.Free {
		return "Free"
	}
	var parts []string
	if r.Specific != nil {
		q := "?"
		if qty != nil {
			q = FormatDecimal(qty)
		}
		parts = append(parts, fmt.Sprintf("%s/%s × %s %s", formatUnitAmount(r.Specific.Cents), r.Specific.Unit, q, r.Specific.Unit))
	}
	if r.AdValorem != nil {
		parts = append(parts, fmt.Sprintf("%s × %s", FormatPercent(r.AdValorem), FormatCents(valueCents)))
	}
	return strings.Join(parts, " + ")
}

// formatUnitAmount shows a per-unit amount as the schedule does: cents
// below a dollar ("4.4¢"), dollars above ("$1.35").
func formatUnitAmount(cents *big.Rat) string {
	if cents.Cmp(big.NewRat(100, 1)) < 0 {
		return FormatDecimal(cents) + "¢"
	}
	return "$" + FormatDecimal(new(big.Rat).Quo(cents, big.NewRat(100, 1)))
}

// IsZero reports whether the rate charges nothing (Free or 0%).
func (r Rate) IsZero() bool {
	return r.Free || (r.Specific == nil && r.AdValorem != nil && r.AdValorem.Sign() == 0)
}

// specialGroupRe is one "rate (programs)" group of a Column 1 Special text,
// e.g. "Free (A,AU,S,SG)" or "8.8¢/liter(JO)".
var specialGroupRe = regexp.MustCompile(`([^()]+?)\s*\(([^()]*)\)`)

// SpecialRate finds the rate a Column 1 Special text gives to the program
// symbol (e.g. "S" for USMCA; "S+" counts as S) and reports whether the
// program is listed.
func SpecialRate(special, program string) (string, bool) {
	for _, m := range specialGroupRe.FindAllStringSubmatch(special, -1) {
		for _, p := range strings.Split(m[2], ",") {
			p = strings.TrimSpace(p)
			if p == program || p == program+"+" {
				return strings.TrimSpace(spaceRe.ReplaceAllString(m[1], " ")), true
			}
		}
	}
	return "", false
}
