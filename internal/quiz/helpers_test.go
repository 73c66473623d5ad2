package quiz

import (
	"sync"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// bundled is the index of the bundled tariff data and bank the bank of
// content/quiz, each loaded once per test binary: tests only read them.
var (
	bundled   = sync.OnceValues(func() (*hts.Index, error) { return hts.LoadBundled(content.FS) })
	bankOnce  = sync.OnceValues(func() (*Bank, error) { return LoadBank(content.FS) })
	edition25 = "2025 HTSUS, April 2025 revision"
)

func testIndex(t testing.TB) *hts.Index {
	t.Helper()
	ix, err := bundled()
	if err != nil {
		t.Fatalf("LoadBundled: %v", err)
	}
	return ix
}

func testBank(t testing.TB) *Bank {
	t.Helper()
	b, err := bankOnce()
	if err != nil {
		t.Fatalf("LoadBank: %v", err)
	}
	return b
}

func testGrader(t testing.TB) *Grader {
	t.Helper()
	return NewGrader(testIndex(t))
}

// mustQuestion validates q as NewBank does and returns it.
func mustQuestion(t *testing.T, q *Question) *Question {
	t.Helper()
	if q.Edition == "" {
		q.Edition = edition25
	}
	if q.Track == "" {
		q.Track = TrackClassification
	}
	if q.Topic == "" {
		q.Topic = "test"
	}
	if q.Difficulty == 0 {
		q.Difficulty = 1
	}
	if q.Prompt == "" {
		q.Prompt = "prompt"
	}
	if q.Explanation == "" {
		q.Explanation = "explanation"
	}
	if q.References == nil {
		q.References = []Reference{{Kind: "gri", Cite: "GRI 1"}}
	}
	if _, err := NewBank([]*Question{q}); err != nil {
		t.Fatalf("NewBank: %v", err)
	}
	return q
}

// near reports whether a and b are equal to within rounding.
func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
