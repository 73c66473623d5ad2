package desk

import "testing"

func TestChartGeometry(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want float64
	}{{0, 1}, {1, 1}, {7, 10}, {11, 20}, {450, 500}, {100000, 100000}, {100001, 200000}} {
		if got := niceMax(c.in); got != c.want {
			t.Errorf("niceMax(%v): got %v, want %v", c.in, got, c.want)
		}
	}
	ch := columnChart("x", "X", "", "/x.csv", []string{"a", "b"}, []float64{50, 100}, intText)
	if len(ch.Bars) != 2 || ch.Bars[1].H != 2*ch.Bars[0].H || ch.Bars[1].Y+ch.Bars[1].H != ch.PlotBase {
		t.Fatalf("column bars: got %+v, want the second twice the first, both on the base line", ch.Bars)
	}
	if len(ch.Grid) != 5 || ch.Grid[4].Label != "100" || ch.Empty {
		t.Fatalf("grid: got %+v", ch.Grid)
	}
	row := rowChart("y", "Y", "", "/y.csv", []string{"full", "half"}, []float64{100, 50}, 100, intText)
	if len(row.Bars) != 2 || row.Bars[0].W != 2*row.Bars[1].W || row.Bars[0].X+row.Bars[0].W != row.PlotEnd {
		t.Fatalf("row bars: got %+v", row.Bars)
	}
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := groupInt(in); got != want {
			t.Errorf("groupInt(%d): got %q, want %q", in, got, want)
		}
	}
}
