package desk

import (
	"math"
	"strconv"
)

// Chart is a bar chart laid out for the SVG in the template: all geometry
// is computed here, the template only draws it (no script, so the strict
// CSP holds, and the numbers are also in a table and a CSV).
type Chart struct {
	ID       string
	Title    string
	Desc     string
	CSV      string // download link of the numbers
	Width    int
	Height   int
	Bars     []Bar
	Grid     []GridLine
	Empty    bool
	PlotLeft int
	PlotBase int
	PlotEnd  int
	AxisX    int // where the scale labels end
}

// Bar is one bar with its label and value text.
type Bar struct {
	X, Y, W, H     int
	Label, Value   string
	LabelX, LabelY int
	ValueX, ValueY int
}

// GridLine is a horizontal scale line with its label.
type GridLine struct {
	Y     int
	Label string
}

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// columnChart lays out vertical bars, one per label (months).
func columnChart(id, title, desc, csv string, labels []string, values []float64, format func(float64) string) Chart {
	const w, h, left, right, top, bottom = 720, 280, 72, 12, 16, 44
	c := Chart{ID: id, Title: title, Desc: desc, CSV: csv, Width: w, Height: h, PlotLeft: left, PlotBase: h - bottom, PlotEnd: w - right, AxisX: left - 6}
	peak := 0.0
	for _, v := range values {
		peak = max(peak, v)
	}
	c.Empty = peak == 0
	top1 := niceMax(peak)
	plotH := float64(h - top - bottom)
	for i := 0; i <= 4; i++ {
		v := top1 * float64(i) / 4
		c.Grid = append(c.Grid, GridLine{Y: h - bottom - int(plotH*float64(i)/4), Label: format(v)})
	}
	if len(labels) == 0 {
		return c
	}
	slot := float64(w-left-right) / float64(len(labels))
	bw := int(slot * 0.64)
	for i, l := range labels {
		bh := int(plotH * values[i] / top1)
		x := left + int(slot*float64(i)+(slot-float64(bw))/2)
		c.Bars = append(c.Bars, Bar{X: x, Y: h - bottom - bh, W: bw, H: bh, Label: l, Value: format(values[i]),
			LabelX: x + bw/2, LabelY: h - bottom + 18, ValueX: x + bw/2, ValueY: h - bottom - bh - 4})
	}
	return c
}

// rowChart lays out horizontal bars, one per label (sessions, codes),
// scaled to top (100 for percentages; 0 means the largest value).
func rowChart(id, title, desc, csv string, labels []string, values []float64, top float64, format func(float64) string) Chart {
	const w, left, right, rowH = 720, 260, 64, 28
	h := 16 + rowH*max(len(labels), 1) + 8
	c := Chart{ID: id, Title: title, Desc: desc, CSV: csv, Width: w, Height: h, PlotLeft: left, PlotBase: h - 8, PlotEnd: w - right}
	peak := 0.0
	for _, v := range values {
		peak = max(peak, v)
	}
	c.Empty = len(labels) == 0
	if top <= 0 {
		top = niceMax(peak)
	}
	plotW := float64(w - left - right)
	for i, l := range labels {
		bw := int(plotW * min(values[i], top) / top)
		y := 16 + rowH*i
		if len([]rune(l)) > 38 {
			l = string([]rune(l)[:37]) + "…"
		}
		c.Bars = append(c.Bars, Bar{X: left, Y: y, W: bw, H: rowH - 8, Label: l, Value: format(values[i]),
			LabelX: left - 8, LabelY: y + rowH/2, ValueX: left + bw + 6, ValueY: y + rowH/2})
	}
	return c
}

func intText(v float64) string { return strconv.FormatInt(int64(math.Round(v)), 10) }
