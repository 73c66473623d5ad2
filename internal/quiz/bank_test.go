package quiz

import (
	"strings"
	"testing"
)

// TestBankCounts checks the bank against what issue 10 asks of it.
func TestBankCounts(t *testing.T) {
	t.Parallel()
	b := testBank(t)
	kinds := map[Kind]int{}
	tracks := map[string]int{}
	chapters := map[string]int{}
	for _, q := range b.Questions() {
		kinds[q.Kind]++
		tracks[q.Track]++
		if q.Kind == KindHSCode {
			for _, k := range q.KeyCodes() {
				chapters[k.Digits()[:2]]++
			}
		}
	}
	checks := []struct {
		name      string
		got, want int
	}{
		{"questions", b.Len(), 150},
		{"hs_code questions", kinds[KindHSCode], 90},
		{"chapters of hs_code keys", len(chapters), 40},
		{"GRI-choice questions", kinds[KindGRI], 20},
		{"USMCA origin questions", tracks[TrackOrigin], 20},
		{"Section 301/232 and 2025-26 questions", tracks[TrackTradeActions], 20},
		{"numeric questions", kinds[KindNumeric], 10},
		{"multiple-choice questions", kinds[KindMultiple], 3},
	}
	for _, c := range checks {
		if c.got < c.want {
			t.Errorf("%s: got %d, want at least %d", c.name, c.got, c.want)
		}
	}
	t.Logf("bank: %d questions, kinds %v, tracks %v, %d chapters", b.Len(), kinds, tracks, len(chapters))
}

// TestBankItems checks each item's shape beyond what LoadBank validates.
func TestBankItems(t *testing.T) {
	t.Parallel()
	b := testBank(t)
	if b.Len() == 0 {
		t.Fatal("empty bank")
	}
	for _, q := range b.Questions() {
		if q.Edition != edition25 {
			t.Errorf("%s: edition %q, want %q", q.ID, q.Edition, edition25)
		}
		switch q.Kind {
		case KindHSCode:
			for _, k := range q.KeyCodes() {
				if k.Level() < 6 {
					t.Errorf("%s: key %s has fewer than 6 digits", q.ID, k.Dotted())
				}
			}
			// The explanation names the GRI steps and quotes the heading text.
			if !strings.Contains(q.Explanation, "GRI") || !strings.Contains(q.Explanation, "'") {
				t.Errorf("%s: explanation must name the GRI steps and quote the deciding heading text", q.ID)
			}
			if q.Track != TrackClassification {
				t.Errorf("%s: track %q, want %q", q.ID, q.Track, TrackClassification)
			}
		case KindGRI:
			if !q.KeepOrder {
				t.Errorf("%s: GRI choices keep their rule order", q.ID)
			}
		}
		if q.Track == TrackTradeActions && q.AsOf == "" {
			t.Errorf("%s: a trade-action item depends on dates and rates and needs as_of", q.ID)
		}
		for _, r := range q.References {
			// Sources are public documents, never our research notes.
			if strings.Contains(strings.ToLower(r.Cite), "facts") || strings.Contains(r.Cite, "§") {
				t.Errorf("%s: reference %q cites internal notes", q.ID, r.Cite)
			}
		}
		for _, s := range []string{q.Prompt, q.Explanation} {
			if strings.Contains(strings.ToLower(s), "facts §") {
				t.Errorf("%s: text cites internal notes", q.ID)
			}
		}
	}
}

// TestBankKeysExist is the key check of `hsworkshop quiz check`: every
// hs_code key must be a line of the bundled 2025 HTSUS.
func TestBankKeysExist(t *testing.T) {
	t.Parallel()
	b, ix := testBank(t), testIndex(t)
	for _, p := range CheckKeys(b, ix) {
		t.Errorf("%s", p)
	}
	// And the check can fail.
	bad := mustQuestion(t, &Question{ID: "t-bad-key", Kind: KindHSCode, Keys: []string{"8471.30.01", "8471.30.99"}})
	nb, err := NewBank([]*Question{bad})
	if err != nil {
		t.Fatalf("NewBank: %v", err)
	}
	ps := CheckKeys(nb, ix)
	if len(ps) != 1 || ps[0].Key != "8471.30.99" || ps[0].QuestionID != "t-bad-key" {
		t.Errorf("CheckKeys with an unknown key: got %v, want one problem for 8471.30.99", ps)
	}
}

func TestBankLookup(t *testing.T) {
	t.Parallel()
	b := testBank(t)
	q, err := b.Question("hs-84-laptop")
	if err != nil || q.Kind != KindHSCode {
		t.Fatalf("Question(hs-84-laptop): got %v, %v", q, err)
	}
	if _, err := b.Question("no-such-question"); err == nil {
		t.Error("Question(unknown): got no error, want ErrNotFound")
	}
}

// TestBankKeysGradeFull grades every key of the bank against its own
// question: each must score 1 in the bundled edition.
func TestBankKeysGradeFull(t *testing.T) {
	t.Parallel()
	g, b := testGrader(t), testBank(t)
	for _, q := range b.Questions() {
		var a Answer
		switch q.Kind {
		case KindHSCode:
			a.Text = q.Keys[0]
		case KindNumeric:
			a.Text = formatNumber(q.Numeric.Value)
		default:
			for _, c := range q.Choices {
				if c.Correct {
					a.Choices = append(a.Choices, c.ID)
				}
			}
		}
		if r := g.Grade(q, a); !r.Correct {
			t.Errorf("%s: its own key scores %v (%s)", q.ID, r.Score, r.Feedback)
		}
	}
}
