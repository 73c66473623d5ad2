package origin

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Cents is an amount of money in integer cents (the currency is the one the
// learner enters; the lab never converts).
type Cents int64

// maxAmountDigits bounds whole-unit digits so sums cannot overflow int64.
const maxAmountDigits = 13

// ParseAmount reads "1234", "1234.5" or "1234.56" (commas as thousands
// separators are allowed) into cents. Negative amounts and more than two
// decimals are errors.
func ParseAmount(s string) (Cents, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.TrimPrefix(s, "$")
	if s == "" {
		return 0, errors.New("is required")
	}
	if strings.HasPrefix(s, "-") {
		return 0, errors.New("must not be negative")
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > maxAmountDigits || !allDigits(whole) {
		return 0, fmt.Errorf("%q is not an amount like 1234.56", s)
	}
	if hasDot && (len(frac) == 0 || len(frac) > 2 || !allDigits(frac)) {
		return 0, fmt.Errorf("%q is not an amount like 1234.56 (at most two decimals)", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	return Cents(w*100 + f), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats cents as "1,234.56".
func (c Cents) String() string {
	neg := c < 0
	if neg {
		c = -c
	}
	whole := strconv.FormatInt(int64(c)/100, 10)
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(ch)
	}
	fmt.Fprintf(&sb, ".%02d", int64(c)%100)
	return sb.String()
}

// Percent is an exact ratio shown as a percentage.
type Percent struct{ r *big.Rat }

// percentOf returns num/den × 100 exactly (in big integers, so large sums
// cannot overflow); den must not be zero.
func percentOf(num, den Cents) Percent {
	n := new(big.Int).Mul(big.NewInt(int64(num)), big.NewInt(100))
	return Percent{new(big.Rat).SetFrac(n, big.NewInt(int64(den)))}
}

// AtLeast reports whether p ≥ min percent, compared exactly.
func (p Percent) AtLeast(min int) bool {
	return p.r.Cmp(new(big.Rat).SetInt64(int64(min))) >= 0
}

// AtMost reports whether p ≤ max percent, compared exactly.
func (p Percent) AtMost(max int) bool {
	return p.r.Cmp(new(big.Rat).SetInt64(int64(max))) <= 0
}

// String shows the percentage truncated (toward zero) to two decimals, so a
// value just under a threshold never displays as the threshold: 59.999…
// shows as 59.99.
func (p Percent) String() string {
	if p.r == nil {
		return ""
	}
	n := new(big.Int).Mul(p.r.Num(), big.NewInt(100))
	n.Quo(n, p.r.Denom()) // Quo truncates toward zero
	neg := n.Sign() < 0
	n.Abs(n)
	q, m := new(big.Int).QuoRem(n, big.NewInt(100), new(big.Int))
	s := fmt.Sprintf("%s.%02d", q.String(), m.Int64())
	if neg {
		s = "-" + s
	}
	return s + "%"
}

// Exact reports whether String shows the value without truncation.
func (p Percent) Exact() bool {
	n := new(big.Int).Mul(p.r.Num(), big.NewInt(100))
	return new(big.Int).Rem(n, p.r.Denom()).Sign() == 0
}
