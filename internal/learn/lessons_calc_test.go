package learn_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/dutyline"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/origin"
)

// bundledIndex is the bundled tariff index, built once for the tests that
// read it (building it is the slowest step of each).
var bundledIndex = sync.OnceValues(func() (*hts.Index, error) { return hts.LoadBundled(content.FS) })

// TestLessonDutyStacksMatchCalculator runs every ```duty block of every
// lesson through the real calculator with the bundled tariff index, the
// lines mapped as the calculator page maps them (internal/dutyline), and
// fails on any difference from the total the lesson states. A lesson
// whose worked duty stack disagrees with the calculator fails here.
func TestLessonDutyStacksMatchCalculator(t *testing.T) {
	t.Parallel()
	cat, err := learn.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := cat.Blocks()
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks.Duty) < 15 {
		t.Fatalf("duty blocks: got %d, want at least the 15 the lessons had when this test was written", len(blocks.Duty))
	}
	ix, err := bundledIndex()
	if err != nil {
		t.Fatal(err)
	}
	table, err := duty.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	lookup := dutyline.Lookup(ix)
	for _, d := range blocks.Duty {
		t.Run(fmt.Sprintf("%s-%d", d.Lesson, d.N), func(t *testing.T) {
			in, want, err := duty.ParseBlock(d.CalcBody(), lookup)
			if err != nil {
				t.Fatalf("parse block: %v", err)
			}
			if want != d.DutiesCents {
				t.Fatalf("expected duties: duty.ParseBlock read %d cents, the lesson renderer %d", want, d.DutiesCents)
			}
			r, err := table.Calculate(in)
			if err != nil {
				t.Fatalf("calculate: %v", err)
			}
			if r.Duties != want || r.Incomplete {
				var layers strings.Builder
				for _, l := range r.Layers {
					fmt.Fprintf(&layers, "\n  %s %s %s %s", l.Program, l.Status, l.Ch99, duty.FormatCents(l.Amount))
				}
				t.Errorf("duties of %s from %s on %s: got %s (incomplete %v), want %s as the lesson says%s",
					d.Code, d.Country, d.Date, duty.FormatCents(r.Duties), r.Incomplete, duty.FormatCents(want), layers.String())
			}
		})
	}
}

// TestLessonOriginCasesMatchLab runs every ```origin block of every lesson
// (as the lesson engine finds them, by case ID) through the origin lab with
// the rule table and the bundled tariff index, and fails when the lab's
// verdict differs from the one the lesson states.
func TestLessonOriginCasesMatchLab(t *testing.T) {
	t.Parallel()
	cat, err := learn.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := cat.Blocks()
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks.Origin) < 4 {
		t.Fatalf("origin blocks: got %d, want at least 4 (the USMCA track's worked cases)", len(blocks.Origin))
	}
	ix, err := bundledIndex()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := origin.LoadTable(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	lab := origin.Lab{Table: rules, Index: ix}
	verdicts := map[string]int{}
	for _, o := range blocks.Origin {
		c, err := origin.ParseBlock([]byte(o.YAML))
		if err != nil {
			t.Errorf("%s: %v", o.ID(), err)
			continue
		}
		if _, err := c.Check(lab); err != nil {
			t.Errorf("%s: %v", o.ID(), err)
		}
		verdicts[c.Verdict]++
	}
	if verdicts[origin.VerdictOriginating] == 0 || verdicts[origin.VerdictNotOriginating] == 0 {
		t.Errorf("verdicts: got %v, want lessons with both an originating and a non-originating case", verdicts)
	}
}
