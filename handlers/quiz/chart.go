package quiz

import (
	"fmt"
	"strings"

	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
)

// Chart is the server-drawn SVG of the learner's scores per track over
// their attempts: no script, no external library.
type Chart struct {
	Width, Height int
	Lines         []ChartLine
	Grid          []ChartTick
	Empty         bool
}

// ChartLine is one track's polyline and its dots.
type ChartLine struct {
	Title  string
	Class  string // colour class, one per track
	Points string // SVG points attribute
	Dots   []ChartDot
}

// ChartDot is one attempt's score, with a tooltip.
type ChartDot struct {
	X, Y  float64
	Label string
}

// ChartTick is a horizontal grid line.
type ChartTick struct {
	Y     float64
	Label string
}

const (
	chartW, chartH       = 640, 240
	padLeft, padRight    = 44, 12
	padTop, padBottom    = 12, 24
	plotW, plotH         = chartW - padLeft - padRight, chartH - padTop - padBottom
	maxChartPointsPerRow = 30
)

// NewChart lays out series (each oldest first); x is the attempt's rank
// in the track's series, so tracks practiced rarely still read clearly.
func NewChart(series []quizsvc.TrackSeries) Chart {
	c := Chart{Width: chartW, Height: chartH, Empty: len(series) == 0}
	for _, pct := range []int{0, 25, 50, 75, 100} {
		c.Grid = append(c.Grid, ChartTick{Y: y(float64(pct) / 100), Label: fmt.Sprintf("%d%%", pct)})
	}
	for _, s := range series {
		pts := s.Points
		if len(pts) > maxChartPointsPerRow {
			pts = pts[len(pts)-maxChartPointsPerRow:]
		}
		l := ChartLine{Title: s.Title, Class: "series-" + s.Track}
		var b strings.Builder
		for i, p := range pts {
			x := float64(padLeft)
			if len(pts) > 1 {
				x += float64(plotW) * float64(i) / float64(len(pts)-1)
			} else {
				x += float64(plotW) / 2
			}
			yy := y(p.Score)
			fmt.Fprintf(&b, "%.1f,%.1f ", x, yy)
			l.Dots = append(l.Dots, ChartDot{X: x, Y: yy, Label: fmt.Sprintf("%s, %s: %.0f%%", s.Title, p.At.Format("2 Jan 2006"), p.Score*100)})
		}
		l.Points = strings.TrimSpace(b.String())
		c.Lines = append(c.Lines, l)
	}
	return c
}

func y(score float64) float64 { return float64(padTop) + float64(plotH)*(1-score) }
