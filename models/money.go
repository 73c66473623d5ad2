package models

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in integer minor units (cents) of an ISO 4217 currency.
type Money struct {
	Minor    int64  `json:"amount_minor"`
	Currency string `json:"currency"`
}

// currencyExponent gives the number of minor-unit digits for currencies we
// sell in; anything else is treated as two-digit.
var currencyExponent = map[string]int{"USD": 2, "CAD": 2, "MXN": 2, "EUR": 2, "GBP": 2, "JPY": 0}

// currencySymbol is shown before the amount; others show the ISO code.
var currencySymbol = map[string]string{"USD": "$", "CAD": "CA$", "MXN": "MX$", "EUR": "€", "GBP": "£", "JPY": "¥"}

// String formats m for people, e.g. "$1,295.00" or "CA$950.00".
func (m Money) String() string {
	exp, ok := currencyExponent[m.Currency]
	if !ok {
		exp = 2
	}
	neg := m.Minor < 0
	v := m.Minor
	if neg {
		v = -v
	}
	div := int64(1)
	for i := 0; i < exp; i++ {
		div *= 10
	}
	whole, frac := v/div, v%div
	s := groupThousands(strconv.FormatInt(whole, 10))
	if exp > 0 {
		s += fmt.Sprintf(".%0*d", exp, frac)
	}
	if sym, ok := currencySymbol[m.Currency]; ok {
		s = sym + s
	} else {
		s = m.Currency + " " + s
	}
	if neg {
		s = "−" + s
	}
	return s
}

func groupThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// ParseMoney reads an amount typed by staff ("25", "25.5", "1,295.00") in
// the currency's minor units. Negative amounts and more decimals than the
// currency has are refused.
func ParseMoney(s, currency string) (Money, error) {
	exp, ok := currencyExponent[currency]
	if !ok {
		exp = 2
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasFrac && (frac == "" || len(frac) > exp)) {
		return Money{}, fmt.Errorf("parse amount %q: %w", s, ErrInvalid)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return Money{}, fmt.Errorf("parse amount %q: %w", s, ErrInvalid)
		}
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return Money{}, fmt.Errorf("parse amount %q: %w", s, ErrInvalid)
	}
	return Money{Minor: n, Currency: currency}, nil
}

// Decimal formats m without symbol or grouping, for form fields: "25.00".
func (m Money) Decimal() string {
	exp, ok := currencyExponent[m.Currency]
	if !ok {
		exp = 2
	}
	if exp == 0 {
		return strconv.FormatInt(m.Minor, 10)
	}
	div := int64(1)
	for i := 0; i < exp; i++ {
		div *= 10
	}
	return fmt.Sprintf("%d.%0*d", m.Minor/div, exp, m.Minor%div)
}

// AddByCurrency adds m to the entry of its currency in sums (appending one
// for a new currency; zero amounts are skipped), for totals that may mix
// currencies.
func AddByCurrency(sums []Money, m Money) []Money {
	if m.Minor == 0 {
		return sums
	}
	for i := range sums {
		if sums[i].Currency == m.Currency {
			sums[i].Minor += m.Minor
			return sums
		}
	}
	return append(sums, m)
}
