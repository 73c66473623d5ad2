package quiz

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// Answer is what a learner submitted for one question: Text for hs_code
// and numeric questions (as typed), Choices (choice ids) for the others.
type Answer struct {
	Text    string   `json:"text,omitempty"`
	Choices []string `json:"choices,omitempty"`
}

// IsEmpty reports whether nothing was answered.
func (a Answer) IsEmpty() bool { return strings.TrimSpace(a.Text) == "" && len(a.Choices) == 0 }

// Result is the grading of one answer, with everything that may be shown
// once the answer is in: the key, the explanation and the references.
type Result struct {
	QuestionID string  `json:"question_id"`
	Kind       Kind    `json:"kind"`
	Topic      string  `json:"topic"`
	Score      float64 `json:"score"` // 0..1, after level weights or partial credit
	Correct    bool    `json:"correct"`
	Answered   bool    `json:"answered"`
	// Feedback says what was right and where the answer went wrong.
	Feedback string `json:"feedback"`

	// hs_code: Invalid is set when the answer is not a code of the
	// edition; Answer is the normalised answer, Key the best-matching key,
	// Level the deepest level they agree to (0 when the chapters differ)
	// and Verdicts the level-by-level comparison.
	Invalid   bool               `json:"invalid,omitempty"`
	Answer    string             `json:"answer,omitempty"`
	Key       string             `json:"key,omitempty"`
	KeyText   string             `json:"key_text,omitempty"` // the key's line in the schedule
	Level     int                `json:"level,omitempty"`
	LevelName string             `json:"level_name,omitempty"`
	Verdicts  []hts.LevelVerdict `json:"verdicts,omitempty"`

	// Choice questions: every choice with whether it was picked, whether
	// it is correct and its feedback, in bank order.
	Choices []ChoiceResult `json:"choices,omitempty"`

	// Numeric questions: the key and its unit, as text.
	NumericKey string `json:"numeric_key,omitempty"`

	Explanation string      `json:"explanation"`
	References  []Reference `json:"references"`
	Edition     string      `json:"edition"`
	AsOf        string      `json:"as_of,omitempty"`
}

// ChoiceResult is a choice as shown after grading.
type ChoiceResult struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Correct  bool   `json:"correct"`
	Picked   bool   `json:"picked"`
	Feedback string `json:"feedback,omitempty"`
}

// Grader grades answers. Codes are validated against its index, which must
// be the edition the bank's keys are pinned to (the bundled one). A Grader
// is safe for concurrent use.
type Grader struct {
	ix *hts.Index
}

// NewGrader returns a grader that checks codes against ix.
func NewGrader(ix *hts.Index) *Grader { return &Grader{ix: ix} }

// Grade grades a against q. It never fails: a malformed or unknown answer
// scores 0 with feedback saying so.
func (g *Grader) Grade(q *Question, a Answer) Result {
	r := Result{
		QuestionID: q.ID, Kind: q.Kind, Topic: q.Topic, Answered: !a.IsEmpty(),
		Explanation: q.Explanation, References: q.References, Edition: q.Edition, AsOf: q.AsOf,
	}
	switch q.Kind {
	case KindHSCode:
		g.gradeCode(q, a, &r)
	case KindSingle, KindGRI:
		gradeSingle(q, a, &r)
	case KindMultiple:
		gradeMultiple(q, a, &r)
	case KindNumeric:
		gradeNumeric(q, a, &r)
	}
	r.Correct = r.Score >= 1
	return r
}

func (g *Grader) gradeCode(q *Question, a Answer, r *Result) {
	best := q.keys[0]
	if !r.Answered {
		r.setKey(g, best)
		r.Feedback = fmt.Sprintf("No answer. The key is %s.", best.Dotted())
		return
	}
	c, err := hts.ParseCode(a.Text)
	if err != nil {
		r.Invalid = true
		r.setKey(g, best)
		r.Feedback = fmt.Sprintf("%q is not a tariff code (%s), so it scores 0. The key is %s.",
			strings.TrimSpace(a.Text), strings.TrimPrefix(err.Error(), hts.ErrMalformedCode.Error()+": "), best.Dotted())
		return
	}
	r.Answer = c.Dotted()
	if _, err := g.ix.LookupCode(c); err != nil {
		r.Invalid = true
		r.setKey(g, best)
		r.Feedback = fmt.Sprintf("%s is not a code in the %s, so it scores 0. The key is %s.",
			c.Dotted(), g.ix.Edition().Name, best.Dotted())
		return
	}
	w := q.weights()
	bestScore, bestLevel := -1.0, 0
	for _, k := range q.keys {
		lvl := hts.Agreement(c, k)
		if s := w.credit(lvl, k.Level()); s > bestScore {
			best, bestScore, bestLevel = k, s, lvl
		}
	}
	r.Score = bestScore
	r.Level = bestLevel
	r.LevelName = hts.LevelName(bestLevel)
	r.Verdicts = hts.Compare(c, best)
	r.setKey(g, best)
	r.Feedback = g.codeFeedback(c, best, bestLevel)
}

// setKey records k as the key shown to the learner.
func (r *Result) setKey(g *Grader, k hts.Code) {
	r.Key = k.Dotted()
	if l, err := g.ix.LookupCode(k); err == nil {
		r.KeyText = lineText(l)
	}
}

// codeFeedback says how far answer agrees with key and where it leaves it.
func (g *Grader) codeFeedback(answer, key hts.Code, level int) string {
	switch {
	case level >= key.Level():
		return fmt.Sprintf("Right: %s matches the key %s at every level down to the %s.",
			answer.Dotted(), key.Dotted(), hts.LevelName(key.Level()))
	case level == answer.Level():
		return fmt.Sprintf("Right as far as it goes: %s agrees with the key down to the %s, but stops there; "+
			"the key goes on to the %s %s (%s).", answer.Dotted(), hts.LevelName(level),
			hts.LevelName(key.Level()), key.Dotted(), g.text(key))
	}
	next := level + 2
	gotAt, wantAt := answer.Truncate(next), key.Truncate(next)
	agreed := "Your answer is in the wrong chapter"
	if level > 0 {
		agreed = fmt.Sprintf("Your answer agrees with the key down to the %s (%s)", hts.LevelName(level), key.Truncate(level).Dotted())
	}
	return fmt.Sprintf("%s and leaves it at the %s: you gave %s (%s), the key is %s (%s).",
		agreed, hts.LevelName(next), gotAt.Dotted(), g.text(gotAt), wantAt.Dotted(), g.text(wantAt))
}

// text is the schedule's description of c, or of its nearest line.
func (g *Grader) text(c hts.Code) string {
	if l := g.ix.Nearest(c); l != nil {
		return lineText(l)
	}
	return "not in the schedule"
}

// maxLineText bounds a description quoted in feedback.
const maxLineText = 160

// lineText is a line's description, prefixed with its printed parent when
// the line alone says only "Other".
func lineText(l *hts.Line) string {
	d := l.Description
	if d == "" {
		d = l.HSDescription
	}
	if strings.HasPrefix(strings.ToLower(d), "other") && len(l.Path) > 0 {
		d = l.Path[len(l.Path)-1] + ": " + d
	}
	if len(d) > maxLineText {
		d = strings.TrimSpace(d[:maxLineText]) + "…"
	}
	return d
}

// picks returns the distinct choice ids of a, in order.
func picks(a Answer) []string {
	out := make([]string, 0, len(a.Choices))
	for _, id := range a.Choices {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// choiceResults lists q's choices with the picked ones marked.
func choiceResults(q *Question, picked []string) []ChoiceResult {
	out := make([]ChoiceResult, len(q.Choices))
	for i, c := range q.Choices {
		out[i] = ChoiceResult{ID: c.ID, Text: c.Text, Correct: c.Correct, Picked: slices.Contains(picked, c.ID), Feedback: c.Feedback}
	}
	return out
}

func gradeSingle(q *Question, a Answer, r *Result) {
	picked := picks(a)
	r.Choices = choiceResults(q, picked)
	switch {
	case len(picked) == 0:
		r.Feedback = "No answer."
	case len(picked) > 1:
		r.Feedback = "Only one choice may be picked, so the answer scores 0."
	case q.choice(picked[0]) == nil:
		r.Feedback = "The answer names no choice of this question."
	case q.choice(picked[0]).Correct:
		r.Score = 1
		r.Feedback = "Right."
	default:
		r.Feedback = "Not the best answer."
	}
}

func gradeMultiple(q *Question, a Answer, r *Result) {
	picked := picks(a)
	r.Choices = choiceResults(q, picked)
	correct, right, wrong := 0, 0, 0
	for _, c := range q.Choices {
		if c.Correct {
			correct++
		}
	}
	for _, id := range picked {
		if c := q.choice(id); c != nil && c.Correct {
			right++
		} else {
			wrong++ // an unknown id counts as a wrong pick
		}
	}
	penalty := q.Penalty
	if penalty == 0 {
		penalty = 1 / float64(correct)
	}
	r.Score = max(0, float64(right)/float64(correct)-penalty*float64(wrong))
	switch {
	case len(picked) == 0:
		r.Feedback = "No answer."
	case right == correct && wrong == 0:
		r.Feedback = "Right: every correct choice and nothing else."
	default:
		r.Feedback = fmt.Sprintf("%d of %d correct choices picked, %d wrong pick(s); partial credit %.0f%%.",
			right, correct, wrong, math.Round(r.Score*100))
	}
}

// parseNumber reads a number as people type it: "1,234.50", "$12", "62.5 %",
// "40 USD" (the unit may follow).
func parseNumber(s, unit string) (float64, error) {
	t := strings.TrimSpace(s)
	if unit != "" {
		t = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(t, unit), strings.ToLower(unit)))
	}
	t = strings.NewReplacer("$", "", ",", "", "%", "", " ", "").Replace(t)
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("not a number")
	}
	return v, nil
}

func gradeNumeric(q *Question, a Answer, r *Result) {
	k := q.Numeric
	r.NumericKey = formatNumber(k.Value) + " " + k.Unit
	if !r.Answered {
		r.Feedback = fmt.Sprintf("No answer. The key is %s.", r.NumericKey)
		return
	}
	v, err := parseNumber(a.Text, k.Unit)
	if err != nil {
		r.Invalid = true
		r.Feedback = fmt.Sprintf("%q is not a number, so it scores 0. The key is %s.", strings.TrimSpace(a.Text), r.NumericKey)
		return
	}
	r.Answer = formatNumber(v) + " " + k.Unit
	// A tiny slack absorbs binary rounding of decimal inputs (0.1+0.2).
	if math.Abs(v-k.Value) <= k.Tolerance+1e-9*math.Max(1, math.Abs(k.Value)) {
		r.Score = 1
		r.Feedback = fmt.Sprintf("Right: %s (the key is %s, tolerance ±%s).", r.Answer, r.NumericKey, formatNumber(k.Tolerance))
		return
	}
	r.Feedback = fmt.Sprintf("You gave %s; the key is %s (tolerance ±%s).", r.Answer, r.NumericKey, formatNumber(k.Tolerance))
}

// formatNumber prints v without trailing zeros.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
