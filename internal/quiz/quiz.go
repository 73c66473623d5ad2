package quiz

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Mode is how an attempt runs.
type Mode string

// The modes.
const (
	// ModePractice shows one question at a time with immediate feedback
	// and explanation, untimed.
	ModePractice Mode = "practice"
	// ModeExam is timed (the service enforces the deadline) and shows no
	// feedback until the attempt is submitted.
	ModeExam Mode = "exam"
	// ModeReview retakes the questions of an earlier attempt that were
	// not fully right, with practice feedback.
	ModeReview Mode = "review"
)

// Spec describes a quiz: how its questions are drawn and how it runs.
type Spec struct {
	Name  string `json:"name"`
	Mode  Mode   `json:"mode"`
	Pools []Pool `json:"pools"`
	// TimeLimit is the exam's duration (0: untimed).
	TimeLimit time.Duration `json:"time_limit"`
	// PassMark is the share of points needed to pass (0: no pass mark).
	PassMark float64 `json:"pass_mark"`
	// OpenBook shows the tariff browser and search beside the questions.
	OpenBook bool `json:"open_book"`
	// ImmediateFeedback shows each question's result as soon as it is
	// answered (practice and review); never in exam mode.
	ImmediateFeedback bool `json:"immediate_feedback"`
	ShuffleQuestions  bool `json:"shuffle_questions"`
	ShuffleChoices    bool `json:"shuffle_choices"`
}

// Count is the number of questions the spec draws.
func (s Spec) Count() int {
	n := 0
	for _, p := range s.Pools {
		n += p.Count
	}
	return n
}

// Validate checks the spec's settings (not whether a bank can fill it).
func (s Spec) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: quiz %q: %s", ErrInvalid, s.Name, fmt.Sprintf(format, a...))
	}
	switch s.Mode {
	case ModePractice, ModeReview:
	case ModeExam:
		if s.TimeLimit <= 0 {
			return bad("an exam needs a time limit")
		}
		if s.ImmediateFeedback {
			return bad("an exam shows no feedback before it is submitted")
		}
	default:
		return bad("unknown mode %q", s.Mode)
	}
	if s.PassMark < 0 || s.PassMark > 1 {
		return bad("pass mark %v, want 0..1", s.PassMark)
	}
	if len(s.Pools) == 0 {
		return bad("no pools")
	}
	for _, p := range s.Pools {
		if p.Count <= 0 {
			return bad("a pool draws %d questions", p.Count)
		}
	}
	return nil
}

// CBLESimulation is the full exam preset, shaped like the Customs Broker
// License Examination: 80 questions, 270 minutes, 75% to pass, open book
// (the CBLE allows the HTSUS and other references). The pools mirror the
// bank's tracks.
func CBLESimulation() Spec {
	return Spec{
		Name: "CBLE simulation", Mode: ModeExam, TimeLimit: 270 * time.Minute, PassMark: 0.75,
		OpenBook: true, ShuffleQuestions: true, ShuffleChoices: true,
		Pools: []Pool{
			{Count: 40, Tracks: []string{TrackClassification}},
			{Count: 12, Tracks: []string{TrackGRI}},
			{Count: 14, Tracks: []string{TrackOrigin}},
			{Count: 14, Tracks: []string{TrackTradeActions}},
		},
	}
}

// ShortExam is the one-hour preset: 20 questions, 60 minutes, 75% to pass.
func ShortExam() Spec {
	return Spec{
		Name: "Short exam", Mode: ModeExam, TimeLimit: 60 * time.Minute, PassMark: 0.75,
		OpenBook: true, ShuffleQuestions: true, ShuffleChoices: true,
		Pools: []Pool{
			{Count: 10, Tracks: []string{TrackClassification}},
			{Count: 3, Tracks: []string{TrackGRI}},
			{Count: 4, Tracks: []string{TrackOrigin}},
			{Count: 3, Tracks: []string{TrackTradeActions}},
		},
	}
}

// Practice is an untimed practice quiz of the given pools with immediate
// feedback.
func Practice(name string, openBook bool, pools ...Pool) Spec {
	return Spec{
		Name: name, Mode: ModePractice, OpenBook: openBook, ImmediateFeedback: true,
		ShuffleQuestions: true, ShuffleChoices: true, Pools: pools,
	}
}

// Review retakes the given questions (those not fully right in an earlier
// attempt: see Outcome.Missed) with practice feedback.
func Review(ids []string, openBook bool) Spec {
	return Spec{
		Name: "Review of mistakes", Mode: ModeReview, OpenBook: openBook, ImmediateFeedback: true,
		ShuffleQuestions: true, ShuffleChoices: true,
		Pools: []Pool{{Count: len(ids), IDs: ids}},
	}
}

// Quiz is an assembled quiz: the questions of one attempt in the order
// shown, each with its choice order. Store Seed and Spec (or Items) with
// the attempt: Assemble with the same bank, spec and seed gives the same
// quiz.
type Quiz struct {
	Spec  Spec   `json:"spec"`
	Seed  uint64 `json:"seed"`
	Items []Item `json:"items"`
}

// Item is one question of a quiz.
type Item struct {
	QuestionID  string   `json:"question_id"`
	ChoiceOrder []string `json:"choice_order,omitempty"`
}

// seedStream separates the question shuffle from the choice shuffles.
const seedStream = 0x9e3779b97f4a7c15

// Assemble draws a quiz from b: each pool draws Count questions at random
// among those it admits and no earlier pool took, then the questions and
// each question's choices are shuffled as the spec says. The same bank,
// spec and seed give the same quiz. It fails when a pool cannot be filled.
func Assemble(b *Bank, s Spec, seed uint64) (*Quiz, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, seedStream)) // #nosec G404 -- a seeded, reproducible shuffle is the point: the same seed must give the same quiz
	taken := make(map[string]bool, s.Count())
	qz := &Quiz{Spec: s, Seed: seed, Items: make([]Item, 0, s.Count())}
	var picked []*Question
	for i, p := range s.Pools {
		var cands []*Question
		for _, q := range b.Select(p) {
			if !taken[q.ID] {
				cands = append(cands, q)
			}
		}
		if len(cands) < p.Count {
			return nil, fmt.Errorf("%w: quiz %q: pool %d wants %d questions, the bank has %d", ErrInvalid, s.Name, i+1, p.Count, len(cands))
		}
		rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		for _, q := range cands[:p.Count] {
			taken[q.ID] = true
			picked = append(picked, q)
		}
	}
	if s.ShuffleQuestions {
		rng.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	}
	for _, q := range picked {
		it := Item{QuestionID: q.ID}
		if len(q.Choices) > 0 {
			it.ChoiceOrder = make([]string, len(q.Choices))
			for i, c := range q.Choices {
				it.ChoiceOrder[i] = c.ID
			}
			if s.ShuffleChoices && !q.KeepOrder {
				rng.Shuffle(len(it.ChoiceOrder), func(i, j int) {
					it.ChoiceOrder[i], it.ChoiceOrder[j] = it.ChoiceOrder[j], it.ChoiceOrder[i]
				})
			}
		}
		qz.Items = append(qz.Items, it)
	}
	return qz, nil
}

// Public returns the learner's view of every question of qz, in order,
// with their positions set.
func (qz *Quiz) Public(b *Bank) ([]PublicQuestion, error) {
	out := make([]PublicQuestion, 0, len(qz.Items))
	for i, it := range qz.Items {
		q, err := b.Question(it.QuestionID)
		if err != nil {
			return nil, err
		}
		p := q.Public(it.ChoiceOrder)
		p.Position = i + 1
		out = append(out, p)
	}
	return out, nil
}

// QuestionAt returns the question at a 1-based position of qz (as a page
// posts it back); the error wraps ErrNotFound when there is none.
func (qz *Quiz) QuestionAt(b *Bank, position int) (*Question, error) {
	if position < 1 || position > len(qz.Items) {
		return nil, fmt.Errorf("position %d of a %d-question quiz: %w", position, len(qz.Items), ErrNotFound)
	}
	return b.Question(qz.Items[position-1].QuestionID)
}

// Outcome is the grading of a whole quiz; every question is worth one point.
type Outcome struct {
	Results []Result `json:"results"` // in quiz order
	Points  float64  `json:"points"`
	Max     float64  `json:"max"`
	Score   float64  `json:"score"` // Points / Max
	// Passed is set when the spec has a pass mark and Score reaches it.
	Passed  bool                  `json:"passed"`
	ByTopic map[string]TopicScore `json:"by_topic"`
	ByTrack map[string]TopicScore `json:"by_track"`
}

// TopicScore sums the results of one topic or track.
type TopicScore struct {
	Questions int     `json:"questions"`
	Points    float64 `json:"points"`
	Score     float64 `json:"score"` // Points / Questions
}

// Missed lists the questions that were not fully right, for a review quiz.
func (o Outcome) Missed() []string {
	var out []string
	for _, r := range o.Results {
		if !r.Correct {
			out = append(out, r.QuestionID)
		}
	}
	return out
}

// GradeQuiz grades the answers (by question id; a missing answer scores 0)
// of every question of qz.
func (g *Grader) GradeQuiz(b *Bank, qz *Quiz, answers map[string]Answer) (Outcome, error) {
	o := Outcome{
		Results: make([]Result, 0, len(qz.Items)),
		ByTopic: map[string]TopicScore{}, ByTrack: map[string]TopicScore{},
	}
	for _, it := range qz.Items {
		q, err := b.Question(it.QuestionID)
		if err != nil {
			return Outcome{}, err
		}
		r := g.Grade(q, answers[q.ID])
		o.Results = append(o.Results, r)
		o.Points += r.Score
		o.Max++
		add(o.ByTopic, q.Topic, r.Score)
		add(o.ByTrack, q.Track, r.Score)
	}
	if o.Max > 0 {
		o.Score = o.Points / o.Max
	}
	o.Passed = qz.Spec.PassMark > 0 && o.Score >= qz.Spec.PassMark
	return o, nil
}

func add(m map[string]TopicScore, key string, score float64) {
	t := m[key]
	t.Questions++
	t.Points += score
	t.Score = t.Points / float64(t.Questions)
	m[key] = t
}
