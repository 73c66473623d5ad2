package quizsvc

import (
	"fmt"
	"math"

	"github.com/hsworkshop/hsworkshop/internal/quiz"
)

// Percent is the mastery score as a percentage.
func (m Mastery) Percent() string { return quiz.Percent(m.Score) }

// Tenth is the score in tenths (0..10), for a meter width class.
func (m Mastery) Tenth() int { return int(math.Round(m.Score * 10)) }

// Percent is the topic's mean credit as a percentage.
func (t TopicStat) Percent() string { return quiz.Percent(t.Score) }

// FacilityText is the facility with two decimals.
func (st ItemStat) FacilityText() string { return fmt.Sprintf("%.2f", st.Facility) }

// DiscriminationText is the discrimination index with two decimals, or a
// dash when it cannot be computed.
func (st ItemStat) DiscriminationText() string {
	if !st.HasDiscrimination {
		return "—"
	}
	return fmt.Sprintf("%.2f", st.Discrimination)
}

// MeanPercent is the mean score as a percentage.
func (d Distribution) MeanPercent() string { return quiz.Percent(d.Mean) }

// PassPercent is the pass rate as a percentage.
func (d Distribution) PassPercent() string { return quiz.Percent(d.PassRate) }

// Band is one score band of a distribution.
type Band struct {
	Label string
	Count int
	Tenth int // Count relative to the largest band, in tenths (bar width)
}

// Bands lists the ten score bands, lowest first.
func (d Distribution) Bands() []Band {
	m := d.Max()
	out := make([]Band, len(d.Buckets))
	for i, n := range d.Buckets {
		hi := (i+1)*10 - 1
		if i == len(d.Buckets)-1 {
			hi = 100
		}
		out[i] = Band{Label: fmt.Sprintf("%d–%d%%", i*10, hi), Count: n}
		if m > 0 {
			out[i].Tenth = int(math.Round(float64(n) * 10 / float64(m)))
		}
	}
	return out
}

// GainText is the change from pre- to post-test in points, or a dash.
func (r ClassRow) GainText() string {
	g, ok := r.Gain()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%+d points", g)
}
