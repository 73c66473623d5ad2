package quiz

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func itemIDs(qz *Quiz) []string {
	out := make([]string, len(qz.Items))
	for i, it := range qz.Items {
		out[i] = it.QuestionID
	}
	return out
}

func TestPresets(t *testing.T) {
	t.Parallel()
	b := testBank(t)
	tests := []struct {
		spec  Spec
		count int
		limit time.Duration
	}{
		{CBLESimulation(), 80, 270 * time.Minute},
		{ShortExam(), 20, 60 * time.Minute},
	}
	for _, tt := range tests {
		qz, err := Assemble(b, tt.spec, 42)
		if err != nil {
			t.Fatalf("%s: %v", tt.spec.Name, err)
		}
		if len(qz.Items) != tt.count || qz.Spec.TimeLimit != tt.limit || qz.Spec.PassMark != 0.75 || qz.Spec.Mode != ModeExam {
			t.Errorf("%s: got %d items, %v, pass %v, mode %s; want %d, %v, 0.75, exam",
				tt.spec.Name, len(qz.Items), qz.Spec.TimeLimit, qz.Spec.PassMark, qz.Spec.Mode, tt.count, tt.limit)
		}
		if qz.Spec.ImmediateFeedback {
			t.Errorf("%s: an exam shows no feedback before submission", tt.spec.Name)
		}
		ids := itemIDs(qz)
		slices.Sort(ids)
		if len(slices.Compact(ids)) != tt.count {
			t.Errorf("%s: a question is drawn twice", tt.spec.Name)
		}
		// Each pool's track gets its count.
		perTrack := map[string]int{}
		for _, it := range qz.Items {
			q, err := b.Question(it.QuestionID)
			if err != nil {
				t.Fatal(err)
			}
			perTrack[q.Track]++
		}
		for _, p := range tt.spec.Pools {
			if got := perTrack[p.Tracks[0]]; got != p.Count {
				t.Errorf("%s: track %s has %d questions, want %d", tt.spec.Name, p.Tracks[0], got, p.Count)
			}
		}
	}
}

func TestAssembleIsDeterministic(t *testing.T) {
	t.Parallel()
	b := testBank(t)
	a1, err := Assemble(b, CBLESimulation(), 7)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := Assemble(b, CBLESimulation(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a1.Items) != fmt.Sprint(a2.Items) {
		t.Error("same seed: got different quizzes")
	}
	a3, err := Assemble(b, CBLESimulation(), 8)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a1.Items) == fmt.Sprint(a3.Items) {
		t.Error("different seeds: got the same quiz")
	}
	// Choices are shuffled for some question, but GRI ladders keep their order.
	shuffled := false
	for _, it := range a1.Items {
		q, err := b.Question(it.QuestionID)
		if err != nil {
			t.Fatal(err)
		}
		if !q.validOrder(it.ChoiceOrder) && len(q.Choices) > 0 {
			t.Errorf("%s: choice order %v is not a permutation of the choices", q.ID, it.ChoiceOrder)
		}
		bankOrder := make([]string, len(q.Choices))
		for i, c := range q.Choices {
			bankOrder[i] = c.ID
		}
		if q.KeepOrder && !slices.Equal(bankOrder, it.ChoiceOrder) {
			t.Errorf("%s: keep_order choices were shuffled: %v", q.ID, it.ChoiceOrder)
		}
		if !q.KeepOrder && !slices.Equal(bankOrder, it.ChoiceOrder) {
			shuffled = true
		}
	}
	if !shuffled {
		t.Error("no question had its choices shuffled")
	}
}

func TestAssemblePools(t *testing.T) {
	t.Parallel()
	b := testBank(t)
	spec := Practice("Chapter 84 and 85, hard", true,
		Pool{Count: 2, Topics: []string{"chapter-84", "chapter-85"}, MinDifficulty: 2},
		Pool{Count: 3, Kinds: []Kind{KindNumeric}, Tags: []string{"rvc"}})
	qz, err := Assemble(b, spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(qz.Items) != 5 || !qz.Spec.OpenBook || !qz.Spec.ImmediateFeedback {
		t.Fatalf("got %d items, open book %v, feedback %v; want 5, true, true", len(qz.Items), qz.Spec.OpenBook, qz.Spec.ImmediateFeedback)
	}
	for _, it := range qz.Items {
		q, err := b.Question(it.QuestionID)
		if err != nil {
			t.Fatal(err)
		}
		okA := (q.Topic == "chapter-84" || q.Topic == "chapter-85") && q.Difficulty >= 2
		okB := q.Kind == KindNumeric && slices.Contains(q.Tags, "rvc")
		if !okA && !okB {
			t.Errorf("%s (topic %s, difficulty %d, kind %s) matches no pool", q.ID, q.Topic, q.Difficulty, q.Kind)
		}
	}

	// A pool the bank cannot fill is an error, not a short quiz.
	_, err = Assemble(b, Practice("too many", false, Pool{Count: 500}), 1)
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("oversized pool: got %v, want ErrInvalid", err)
	}
	bad := CBLESimulation()
	bad.TimeLimit = 0
	if _, err := Assemble(b, bad, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("exam without a time limit: got %v, want ErrInvalid", err)
	}
}

func TestGradeQuizAndReview(t *testing.T) {
	t.Parallel()
	b, g := testBank(t), testGrader(t)
	qz, err := Assemble(b, ShortExam(), 3)
	if err != nil {
		t.Fatal(err)
	}
	// Answer the first 16 questions right (80%) and leave the rest blank.
	answers := map[string]Answer{}
	for _, it := range qz.Items[:16] {
		q, err := b.Question(it.QuestionID)
		if err != nil {
			t.Fatal(err)
		}
		answers[q.ID] = rightAnswer(q)
	}
	o, err := g.GradeQuiz(b, qz, answers)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Results) != 20 || o.Max != 20 || !near(o.Points, 16) || !near(o.Score, 0.8) || !o.Passed {
		t.Errorf("got %d results, %v/%v = %v, passed %v; want 20, 16/20 = 0.8, passed", len(o.Results), o.Points, o.Max, o.Score, o.Passed)
	}
	sum := 0
	for _, ts := range o.ByTrack {
		sum += ts.Questions
	}
	if sum != 20 {
		t.Errorf("ByTrack counts %d questions, want 20", sum)
	}
	missed := o.Missed()
	if len(missed) != 4 {
		t.Fatalf("Missed: got %d, want 4", len(missed))
	}
	rq, err := Assemble(b, Review(missed, false), 9)
	if err != nil {
		t.Fatal(err)
	}
	got := itemIDs(rq)
	slices.Sort(got)
	slices.Sort(missed)
	if !slices.Equal(got, missed) || rq.Spec.Mode != ModeReview {
		t.Errorf("review: got %v (%s), want %v", got, rq.Spec.Mode, missed)
	}

	// Positions map back to the questions.
	pub, err := qz.Public(b)
	if err != nil || len(pub) != 20 || pub[0].Position != 1 || pub[19].Position != 20 {
		t.Fatalf("Public: got %d views (%v)", len(pub), err)
	}
	q, err := qz.QuestionAt(b, 20)
	if err != nil || q.ID != qz.Items[19].QuestionID {
		t.Errorf("QuestionAt(20): got %v, %v", q, err)
	}
	if _, err := qz.QuestionAt(b, 21); !errors.Is(err, ErrNotFound) {
		t.Errorf("QuestionAt(21): got %v, want ErrNotFound", err)
	}
}

// rightAnswer is the answer that scores 1 on q.
func rightAnswer(q *Question) Answer {
	switch q.Kind {
	case KindHSCode:
		return Answer{Text: q.Keys[0]}
	case KindNumeric:
		return Answer{Text: formatNumber(q.Numeric.Value)}
	}
	var a Answer
	for _, c := range q.Choices {
		if c.Correct {
			a.Choices = append(a.Choices, c.ID)
		}
	}
	return a
}

// wrongAnswer is an answer that scores less than 1 on q, exercising the
// feedback paths.
func wrongAnswer(q *Question) Answer {
	switch q.Kind {
	case KindHSCode:
		return Answer{Text: q.KeyCodes()[0].Truncate(4).Dotted() + ".00"}
	case KindNumeric:
		return Answer{Text: formatNumber(q.Numeric.Value + 10*q.Numeric.Tolerance + 1)}
	}
	for _, c := range q.Choices {
		if !c.Correct {
			return Answer{Choices: []string{c.ID}}
		}
	}
	return Answer{}
}

// BenchmarkGradeExam grades a full CBLE simulation of 80 answers, half of
// them wrong. Issue 10 asks for well under 20 ms per exam.
func BenchmarkGradeExam(b *testing.B) {
	bank, g := testBank(b), testGrader(b)
	qz, err := Assemble(bank, CBLESimulation(), 2026)
	if err != nil {
		b.Fatal(err)
	}
	answers := make(map[string]Answer, len(qz.Items))
	for i, it := range qz.Items {
		q, err := bank.Question(it.QuestionID)
		if err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			answers[q.ID] = rightAnswer(q)
		} else {
			answers[q.ID] = wrongAnswer(q)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		o, err := g.GradeQuiz(bank, qz, answers)
		if err != nil || len(o.Results) != 80 {
			b.Fatalf("GradeQuiz: %d results, %v", len(o.Results), err)
		}
	}
}
