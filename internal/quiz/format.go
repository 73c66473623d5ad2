package quiz

import (
	"math"
	"strconv"
)

// Percent formats a share (0..1) as a whole percentage, "75%".
func Percent(share float64) string {
	return strconv.Itoa(int(math.Round(share*100))) + "%"
}

// Percent is the result's credit as a percentage.
func (r Result) Percent() string { return Percent(r.Score) }

// Percent is the quiz score as a percentage.
func (o Outcome) Percent() string { return Percent(o.Score) }

// PointsText is the points scored, with at most two decimals.
func (o Outcome) PointsText() string {
	return strconv.FormatFloat(math.Round(o.Points*100)/100, 'f', -1, 64)
}

// Percent is the topic or track score as a percentage.
func (t TopicScore) Percent() string { return Percent(t.Score) }

// KindName is the question kind as a page shows it.
func (p PublicQuestion) KindName() string { return KindName(p.Kind) }

// KindName is the display name of a question kind.
func KindName(k Kind) string {
	switch k {
	case KindHSCode:
		return "Tariff code"
	case KindSingle:
		return "Single choice"
	case KindMultiple:
		return "Multiple choice"
	case KindNumeric:
		return "Numeric"
	case KindGRI:
		return "GRI choice"
	}
	return string(k)
}

// IsCode reports whether the question takes a typed tariff code.
func (p PublicQuestion) IsCode() bool { return p.Kind == KindHSCode }

// IsText reports whether the answer is typed (a code or a number).
func (p PublicQuestion) IsText() bool { return p.Kind == KindHSCode || p.Kind == KindNumeric }

// IsCode reports whether the result is of a tariff-code question.
func (r Result) IsCode() bool { return r.Kind == KindHSCode }
