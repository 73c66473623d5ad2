package quiz

import (
	"strings"
	"testing"
)

func TestGradeCodeLevels(t *testing.T) {
	t.Parallel()
	g := testGrader(t)
	laptop := mustQuestion(t, &Question{ID: "t-laptop", Kind: KindHSCode, Keys: []string{"8471.30.01"}})
	stat := mustQuestion(t, &Question{ID: "t-toothbrush", Kind: KindHSCode, Keys: []string{"8509.80.50.45"}})
	tests := []struct {
		name      string
		q         *Question
		answer    string
		wantScore float64
		wantLevel int
		invalid   bool
		feedback  string // a substring the feedback must hold
	}{
		{"full match", laptop, "8471.30.01", 1, 8, false, "Right: 8471.30.01"},
		{"full match, other spelling", laptop, "84713001", 1, 8, false, "Right"},
		{"deeper than the key", laptop, "8471.30.01.00", 1, 8, false, "Right"},
		{"subheading", laptop, "8471.30", 0.8, 6, false, "stops there"},
		{"wrong subheading", laptop, "8471.41.01", 0.5, 4, false, "leaves it at the subheading: you gave 8471.41"},
		{"heading only", laptop, "8471", 0.5, 4, false, "stops there"},
		{"wrong heading", laptop, "8473.30.11", 0.2, 2, false, "leaves it at the heading: you gave 8473"},
		{"chapter only", laptop, "84", 0.2, 2, false, "stops there"},
		{"wrong chapter", laptop, "8517.13.00", 0, 0, false, "wrong chapter"},
		{"malformed", laptop, "84713", 0, 0, true, "is not a tariff code"},
		{"letters", laptop, "laptop", 0, 0, true, "is not a tariff code"},
		{"not in the edition", laptop, "8471.30.99", 0, 0, true, "is not a code in the 2025 HTSUS"},
		{"empty", laptop, "  ", 0, 0, false, "No answer"},
		{"10-digit key, rate line", stat, "8509.80.50.95", 0.9, 8, false, "leaves it at the statistical line"},
		{"10-digit key, full", stat, "8509.80.50.45", 1, 10, false, "Right"},
		{"10-digit key, 8 digits given", stat, "8509.80.50", 0.9, 8, false, "stops there"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := g.Grade(tt.q, Answer{Text: tt.answer})
			if !near(r.Score, tt.wantScore) || r.Level != tt.wantLevel || r.Invalid != tt.invalid {
				t.Errorf("Grade(%q): got score %v level %d invalid %v, want %v %d %v",
					tt.answer, r.Score, r.Level, r.Invalid, tt.wantScore, tt.wantLevel, tt.invalid)
			}
			if !strings.Contains(r.Feedback, tt.feedback) {
				t.Errorf("Grade(%q) feedback: got %q, want it to contain %q", tt.answer, r.Feedback, tt.feedback)
			}
			if r.Correct != (tt.wantScore == 1) {
				t.Errorf("Correct: got %v for score %v", r.Correct, r.Score)
			}
			if r.Key == "" || r.KeyText == "" || r.Explanation == "" {
				t.Errorf("result lacks the key, its text or the explanation: %+v", r)
			}
		})
	}
}

func TestGradeCodeVerdicts(t *testing.T) {
	t.Parallel()
	g := testGrader(t)
	q := mustQuestion(t, &Question{ID: "t-laptop", Kind: KindHSCode, Keys: []string{"8471.30.01"}})
	r := g.Grade(q, Answer{Text: "8471.41.01"})
	if len(r.Verdicts) != 4 {
		t.Fatalf("verdicts: got %d, want 4 (chapter to rate line)", len(r.Verdicts))
	}
	want := []bool{true, true, false, false}
	for i, v := range r.Verdicts {
		if v.Match != want[i] {
			t.Errorf("verdict %d (%s): got match %v, want %v", i, v.Name, v.Match, want[i])
		}
	}
	if r.LevelName != "heading" {
		t.Errorf("LevelName: got %q, want heading", r.LevelName)
	}
}

func TestGradeCodeSeveralKeysAndWeights(t *testing.T) {
	t.Parallel()
	g := testGrader(t)
	q := mustQuestion(t, &Question{ID: "t-two-keys", Kind: KindHSCode, Keys: []string{"6109.10.00", "6110.20.20"},
		Weights: &LevelWeights{Chapter: 0.1, Heading: 0.4, Subheading: 0.7, RateLine: 0.7, Full: 1}})
	tests := []struct {
		answer  string
		score   float64
		wantKey string
	}{
		{"6110.20.20", 1, "6110.20.20"},
		{"6109.10.00", 1, "6109.10.00"},
		{"6110.20.10", 0.7, "6110.20.20"},
		{"6109.90.10", 0.4, "6109.10.00"},
		{"6105.10.00", 0.1, "6109.10.00"}, // ties keep the first key
		{"8471.30.01", 0, "6109.10.00"},
	}
	for _, tt := range tests {
		r := g.Grade(q, Answer{Text: tt.answer})
		if !near(r.Score, tt.score) || r.Key != tt.wantKey {
			t.Errorf("Grade(%q): got score %v key %s, want %v %s", tt.answer, r.Score, r.Key, tt.score, tt.wantKey)
		}
	}
}

func choiceQuestion(t *testing.T, kind Kind, penalty float64, correct ...string) *Question {
	t.Helper()
	q := &Question{ID: "t-" + string(kind), Kind: kind, Penalty: penalty, Track: TrackGRI}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		q.Choices = append(q.Choices, Choice{ID: id, Text: "choice " + id, Correct: strings.Contains(strings.Join(correct, ","), id), Feedback: "why " + id})
	}
	return mustQuestion(t, q)
}

func TestGradeSingleAndGRI(t *testing.T) {
	t.Parallel()
	g := testGrader(t)
	for _, kind := range []Kind{KindSingle, KindGRI} {
		q := choiceQuestion(t, kind, 0, "c")
		tests := []struct {
			picks []string
			score float64
		}{
			{[]string{"c"}, 1},
			{[]string{"a"}, 0},
			{nil, 0},
			{[]string{"c", "a"}, 0},
			{[]string{"c", "c"}, 1}, // a repeated pick is one pick
			{[]string{"z"}, 0},
		}
		for _, tt := range tests {
			r := g.Grade(q, Answer{Choices: tt.picks})
			if !near(r.Score, tt.score) {
				t.Errorf("%s %v: got %v, want %v", kind, tt.picks, r.Score, tt.score)
			}
			if len(r.Choices) != 5 || r.Choices[2].Feedback != "why c" || !r.Choices[2].Correct {
				t.Errorf("%s %v: choice results %+v lack correctness or feedback", kind, tt.picks, r.Choices)
			}
		}
	}
}

func TestGradeMultiple(t *testing.T) {
	t.Parallel()
	g := testGrader(t)
	def := choiceQuestion(t, KindMultiple, 0, "a", "b", "c", "d")     // penalty 1/4 per wrong pick
	harsh := choiceQuestion(t, KindMultiple, 0.5, "a", "b", "c", "d") // penalty 0.5
	tests := []struct {
		name  string
		q     *Question
		picks []string
		score float64
	}{
		{"all right", def, []string{"a", "b", "c", "d"}, 1},
		{"half right", def, []string{"a", "b"}, 0.5},
		{"three right, one wrong", def, []string{"a", "b", "c", "e"}, 0.5},
		{"everything picked", def, []string{"a", "b", "c", "d", "e"}, 0.75},
		{"only the wrong one", def, []string{"e"}, 0},
		{"floor at zero", harsh, []string{"a", "e"}, 0},
		{"custom penalty", harsh, []string{"a", "b", "c", "e"}, 0.25},
		{"unknown id counts as wrong", def, []string{"a", "b", "c", "d", "zz"}, 0.75},
		{"nothing", def, nil, 0},
	}
	for _, tt := range tests {
		r := g.Grade(tt.q, Answer{Choices: tt.picks})
		if !near(r.Score, tt.score) {
			t.Errorf("%s: got %v, want %v", tt.name, r.Score, tt.score)
		}
	}
}

func TestGradeNumeric(t *testing.T) {
	t.Parallel()
	g := testGrader(t)
	pct := mustQuestion(t, &Question{ID: "t-rvc", Kind: KindNumeric, Numeric: &NumericKey{Value: 62.5, Tolerance: 0.1, Unit: "%"}})
	usd := mustQuestion(t, &Question{ID: "t-usd", Kind: KindNumeric, Numeric: &NumericKey{Value: 1234.5, Tolerance: 0.01, Unit: "USD"}})
	exact := mustQuestion(t, &Question{ID: "t-exact", Kind: KindNumeric, Numeric: &NumericKey{Value: 0.3, Unit: "%"}})
	tests := []struct {
		q       *Question
		in      string
		score   float64
		invalid bool
	}{
		{pct, "62.5", 1, false},
		{pct, "62.5 %", 1, false},
		{pct, "62.6", 1, false},
		{pct, "62.4", 1, false},
		{pct, "62.65", 0, false},
		{pct, "60", 0, false},
		{pct, "sixty", 0, true},
		{pct, "", 0, false},
		{usd, "$1,234.50", 1, false},
		{usd, "1234.5 USD", 1, false},
		{usd, "1234.51", 1, false},
		{usd, "1234.52", 0, false},
		{exact, "0.30", 1, false},
		{exact, "NaN", 0, true},
	}
	for _, tt := range tests {
		r := g.Grade(tt.q, Answer{Text: tt.in})
		if !near(r.Score, tt.score) || r.Invalid != tt.invalid {
			t.Errorf("%s %q: got score %v invalid %v, want %v %v (%s)", tt.q.ID, tt.in, r.Score, r.Invalid, tt.score, tt.invalid, r.Feedback)
		}
		if r.NumericKey == "" {
			t.Errorf("%s %q: the key is not shown after grading", tt.q.ID, tt.in)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	base := func() *Question {
		return &Question{ID: "t-valid", Kind: KindHSCode, Track: TrackClassification, Topic: "x", Difficulty: 2,
			Prompt: "p", Explanation: "e", Edition: edition25, Keys: []string{"8471.30.01"},
			References: []Reference{{Kind: "gri", Cite: "GRI 1"}}}
	}
	if _, err := NewBank([]*Question{base()}); err != nil {
		t.Fatalf("the base question must be valid: %v", err)
	}
	tests := []struct {
		name string
		edit func(q *Question)
	}{
		{"bad id", func(q *Question) { q.ID = "Bad ID" }},
		{"unknown track", func(q *Question) { q.Track = "cooking" }},
		{"difficulty 4", func(q *Question) { q.Difficulty = 4 }},
		{"no explanation", func(q *Question) { q.Explanation = " " }},
		{"no references", func(q *Question) { q.References = nil }},
		{"bad reference kind", func(q *Question) { q.References = []Reference{{Kind: "blog", Cite: "x"}} }},
		{"no edition", func(q *Question) { q.Edition = "" }},
		{"bad as_of", func(q *Question) { q.AsOf = "April 2025" }},
		{"chapter key", func(q *Question) { q.Keys = []string{"84"} }},
		{"malformed key", func(q *Question) { q.Keys = []string{"8471.3"} }},
		{"no key", func(q *Question) { q.Keys = nil }},
		{"falling weights", func(q *Question) {
			q.Weights = &LevelWeights{Chapter: 0.5, Heading: 0.2, Subheading: 0.8, RateLine: 0.9, Full: 1}
		}},
		{"single with two correct", func(q *Question) {
			q.Kind, q.Keys = KindSingle, nil
			q.Choices = []Choice{{ID: "a", Text: "a", Correct: true}, {ID: "b", Text: "b", Correct: true}}
		}},
		{"duplicate choice ids", func(q *Question) {
			q.Kind, q.Keys = KindMultiple, nil
			q.Choices = []Choice{{ID: "a", Text: "a", Correct: true}, {ID: "a", Text: "b"}}
		}},
		{"numeric without unit", func(q *Question) { q.Kind, q.Keys, q.Numeric = KindNumeric, nil, &NumericKey{Value: 1} }},
		{"unknown kind", func(q *Question) { q.Kind = "essay" }},
	}
	for _, tt := range tests {
		q := base()
		tt.edit(q)
		if _, err := NewBank([]*Question{q}); err == nil {
			t.Errorf("%s: got no error, want ErrInvalid", tt.name)
		}
	}
	if _, err := NewBank([]*Question{base(), base()}); err == nil {
		t.Error("duplicate ids: got no error")
	}
}
