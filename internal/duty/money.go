package duty

import (
	"errors"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// MaxValueCents bounds customs values (and so every amount): ten billion
// dollars, far above any single entry line, and far below int64 overflow.
const MaxValueCents = 1_000_000_000_000

// RoundHalfUp rounds a non-negative exact amount of cents to whole cents,
// halves going up (1.5¢ → 2¢), the way a duty amount is rounded per line.
func RoundHalfUp(r *big.Rat) int64 {
	if r.Sign() < 0 {
		return -RoundHalfUp(new(big.Rat).Neg(r))
	}
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	num.Add(num, r.Denom())
	den := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	return new(big.Int).Quo(num, den).Int64()
}

// FormatCents writes cents as US dollars: 123456 → "$1,234.56".
func FormatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return sign + "$" + b.String() + "." + leftPad(strconv.FormatInt(c%100, 10), 2)
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// FormatDecimal writes an exact number without trailing zeros and with
// thousands separators: 1200 → "1,200", 2.50 → "2.5". Repeating decimals
// are cut at eight places.
func FormatDecimal(r *big.Rat) string {
	s := r.FloatString(8)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// FormatPercent writes a percentage: 2.5 → "2.5%".
func FormatPercent(p *big.Rat) string { return FormatDecimal(p) + "%" }

// PercentOf returns part/whole as a percentage rounded half-up to two
// places ("47.35%"), or "" when whole is zero.
func PercentOf(part, whole int64) string {
	if whole == 0 {
		return ""
	}
	r := big.NewRat(part*100*100, whole) // in hundredths of a percent
	h := RoundHalfUp(r)
	return strconv.FormatInt(h/100, 10) + "." + leftPad(strconv.FormatInt(h%100, 10), 2) + "%"
}

var (
	moneyRe   = regexp.MustCompile(`^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$`)
	decimalRe = regexp.MustCompile(`^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,6}))?$`)
)

// Errors of ParseDollars and ParseQuantity; handlers turn them into field
// messages.
var (
	ErrNotAmount = errors.New("not an amount in dollars and cents")
	ErrTooLarge  = errors.New("too large")
)

// ParseDollars reads a dollar amount typed by a person ("12500",
// "12,500.00", "$12500.5") into cents. Negative numbers, more than two
// decimals and amounts above MaxValueCents are errors.
func ParseDollars(s string) (int64, error) {
	m := moneyRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, ErrNotAmount
	}
	whole := strings.ReplaceAll(m[1], ",", "")
	if len(whole) > 12 {
		return 0, ErrTooLarge
	}
	d, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, ErrNotAmount
	}
	cents := int64(0)
	if m[2] != "" {
		c, _ := strconv.ParseInt((m[2] + "0")[:2], 10, 64)
		cents = c
	}
	total := d*100 + cents
	if total > MaxValueCents {
		return 0, ErrTooLarge
	}
	return total, nil
}

// ParseQuantity reads a non-negative decimal quantity ("1,200", "9000.5").
func ParseQuantity(s string) (*big.Rat, error) {
	m := decimalRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, errors.New("not a number")
	}
	txt := strings.ReplaceAll(m[1], ",", "")
	if len(txt) > 12 {
		return nil, ErrTooLarge
	}
	if m[2] != "" {
		txt += "." + m[2]
	}
	return mustRat(txt), nil
}
