package quiz

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// Kind is the type of a question.
type Kind string

// The question kinds.
const (
	// KindHSCode is a free-entry tariff code, graded level by level.
	KindHSCode Kind = "hs_code"
	// KindSingle is a single-choice question.
	KindSingle Kind = "single"
	// KindMultiple is a multiple-choice question with partial credit.
	KindMultiple Kind = "multiple"
	// KindNumeric is a number with a tolerance and a unit.
	KindNumeric Kind = "numeric"
	// KindGRI asks which General Rule of Interpretation decides a case;
	// it is answered and graded like a single choice.
	KindGRI Kind = "gri"
)

// Tracks of the bank: the learning paths mastery is measured on.
const (
	TrackClassification = "classification"
	TrackGRI            = "gri"
	TrackOrigin         = "origin"
	TrackTradeActions   = "trade-actions"
)

// ErrNotFound means no question has the requested id.
var ErrNotFound = errors.New("question not found")

// ErrInvalid wraps every defect found in a question or a quiz spec.
var ErrInvalid = errors.New("invalid question")

// Question is one item of the bank. The key (Keys, Choice.Correct,
// Numeric), Explanation, Choice.Feedback and References are private: they
// reach a learner only through a Result, after the answer is graded. Use
// Public for anything shown before that.
type Question struct {
	// ID is stable across edits: attempts and analytics refer to it.
	ID         string   `json:"id"`
	Kind       Kind     `json:"kind"`
	Track      string   `json:"track"`
	Topic      string   `json:"topic"` // the topic scores are reported on, e.g. "chapter-84", "rvc"
	Tags       []string `json:"tags,omitempty"`
	Difficulty int      `json:"difficulty"` // 1 (easy) to 3 (hard)
	Prompt     string   `json:"prompt"`

	// Choices of single, multiple and GRI questions.
	Choices []Choice `json:"choices,omitempty"`
	// KeepOrder keeps the choices in bank order (a GRI ladder, "none of
	// the above") instead of shuffling them per attempt.
	KeepOrder bool `json:"keep_order,omitempty"`
	// Penalty is what each wrong pick of a multiple-choice question takes
	// off; 0 means 1/(number of correct choices).
	Penalty float64 `json:"penalty,omitempty"`

	// Keys are the acceptable codes of an hs_code question (4, 6, 8 or 10
	// digits, as printed: "8471.30.01").
	Keys []string `json:"keys,omitempty"`
	// Weights override the level credit of an hs_code question.
	Weights *LevelWeights `json:"weights,omitempty"`

	// Numeric is the key of a numeric question.
	Numeric *NumericKey `json:"numeric,omitempty"`

	Explanation string      `json:"explanation"`
	References  []Reference `json:"references"`
	// Edition is the tariff edition the key is pinned to.
	Edition string `json:"edition"`
	// AsOf is the date (YYYY-MM-DD) the key holds on, for questions that
	// depend on rates, lists or dates in force.
	AsOf string `json:"as_of,omitempty"`

	// Retired questions are no longer drawn for new quizzes (an explicit
	// list of ids still reaches them); staff retire items in the database,
	// never in the bank files.
	Retired bool `json:"-"`

	keys []hts.Code // Keys, parsed
}

// Choice is one option of a choice question.
type Choice struct {
	ID       string `json:"id"` // stable within the question: "a", "b", ...
	Text     string `json:"text"`
	Correct  bool   `json:"correct,omitempty"`
	Feedback string `json:"feedback,omitempty"` // why this option is right or wrong
}

// NumericKey is the key of a numeric question: answers within Tolerance of
// Value (inclusive) are right. Unit is shown with the question ("%",
// "USD").
type NumericKey struct {
	Value     float64 `json:"value"`
	Tolerance float64 `json:"tolerance"`
	Unit      string  `json:"unit"`
}

// Reference is a source a question rests on. Kind is one of "gri",
// "note" (section or chapter note), "heading" (HTSUS heading text),
// "ruling" (CBP ruling number), "fr" (Federal Register / Executive Order /
// Proclamation), "csms", "ustr", "cfr", "treaty", "court" (a court decision) or
// "statement" (a joint or government statement).
type Reference struct {
	Kind string `json:"kind"`
	Cite string `json:"cite"`
}

// LevelWeights is the credit of an hs_code answer by the deepest level it
// matches. Full is the key's own level; RateLine applies to an answer that
// matches the 8 digits of a 10-digit key.
// A question that overrides them gives all five, rising from Chapter to
// Full.
type LevelWeights struct {
	Chapter    float64 `json:"chapter"`
	Heading    float64 `json:"heading"`
	Subheading float64 `json:"subheading"`
	RateLine   float64 `json:"rate_line"`
	Full       float64 `json:"full"`
}

// DefaultWeights are the level credits unless a question says otherwise.
// The 8-digit credit of a 10-digit key sits between subheading and full:
// the rate line carries the duty rate, the statistical suffix does not.
var DefaultWeights = LevelWeights{Chapter: 0.2, Heading: 0.5, Subheading: 0.8, RateLine: 0.9, Full: 1}

// weights returns the question's level weights with defaults filled in.
func (q *Question) weights() LevelWeights {
	if q.Weights == nil {
		return DefaultWeights
	}
	return *q.Weights
}

// credit is the weight of matching a key of keyLevel digits to level.
func (w LevelWeights) credit(level, keyLevel int) float64 {
	switch {
	case level <= 0:
		return 0
	case level >= keyLevel:
		return w.Full
	case level == 2:
		return w.Chapter
	case level == 4:
		return w.Heading
	case level == 6:
		return w.Subheading
	default:
		return w.RateLine
	}
}

// KeyCodes returns the parsed answer keys of an hs_code question.
func (q *Question) KeyCodes() []hts.Code { return q.keys }

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,63}$`)
	datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	refKinds    = []string{"gri", "note", "heading", "ruling", "fr", "csms", "ustr", "cfr", "treaty", "court", "statement"}
	tracks      = []string{TrackClassification, TrackGRI, TrackOrigin, TrackTradeActions}
)

// validate checks q's structure and parses its keys. It does not look the
// keys up in a tariff edition: CheckKeys does.
func (q *Question) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalid, q.ID, fmt.Sprintf(format, a...))
	}
	if !idPattern.MatchString(q.ID) {
		return bad("id must be 3-64 lower-case letters, digits and dashes")
	}
	if !slices.Contains(tracks, q.Track) {
		return bad("unknown track %q", q.Track)
	}
	if q.Topic == "" {
		return bad("no topic")
	}
	if q.Difficulty < 1 || q.Difficulty > 3 {
		return bad("difficulty %d, want 1 to 3", q.Difficulty)
	}
	if strings.TrimSpace(q.Prompt) == "" || strings.TrimSpace(q.Explanation) == "" {
		return bad("prompt and explanation are required")
	}
	if q.Edition == "" {
		return bad("no tariff edition")
	}
	if q.AsOf != "" && !datePattern.MatchString(q.AsOf) {
		return bad("as_of %q is not YYYY-MM-DD", q.AsOf)
	}
	if len(q.References) == 0 {
		return bad("no references")
	}
	for _, r := range q.References {
		if !slices.Contains(refKinds, r.Kind) || strings.TrimSpace(r.Cite) == "" {
			return bad("reference %+v: kind must be one of %v and cite non-empty", r, refKinds)
		}
	}
	if q.Kind != KindHSCode && (len(q.Keys) > 0 || q.Weights != nil) {
		return bad("keys and weights belong to hs_code questions")
	}
	if q.Kind != KindNumeric && q.Numeric != nil {
		return bad("a numeric key belongs to numeric questions")
	}
	switch q.Kind {
	case KindHSCode:
		return q.validateCode(bad)
	case KindSingle, KindGRI, KindMultiple:
		return q.validateChoices(bad)
	case KindNumeric:
		if len(q.Choices) > 0 {
			return bad("a numeric question has no choices")
		}
		n := q.Numeric
		if n == nil || n.Unit == "" || n.Tolerance < 0 || math.IsNaN(n.Value) || math.IsInf(n.Value, 0) {
			return bad("numeric key needs a finite value, a unit and a tolerance >= 0")
		}
		return nil
	default:
		return bad("unknown kind %q", q.Kind)
	}
}

func (q *Question) validateCode(bad func(string, ...any) error) error {
	if len(q.Choices) > 0 {
		return bad("an hs_code question has no choices")
	}
	if len(q.Keys) == 0 {
		return bad("no answer key")
	}
	q.keys = q.keys[:0]
	for _, k := range q.Keys {
		c, err := hts.ParseCode(k)
		if err != nil {
			return bad("key %q: %v", k, err)
		}
		if c.Level() < 4 {
			return bad("key %q: a key has 4, 6, 8 or 10 digits", k)
		}
		q.keys = append(q.keys, c)
	}
	if w := q.Weights; w != nil {
		ws := []float64{w.Chapter, w.Heading, w.Subheading, w.RateLine, w.Full}
		for i, x := range ws {
			if x < 0 || x > 1 || (i > 0 && x < ws[i-1]) { // #nosec G602 -- i-1 is in range: i > 0 is checked first and i < len(ws)
				return bad("weights must rise from chapter to full within 0..1")
			}
		}
	}
	return nil
}

func (q *Question) validateChoices(bad func(string, ...any) error) error {
	if len(q.Choices) < 2 {
		return bad("needs at least 2 choices")
	}
	seen := map[string]bool{}
	correct := 0
	for _, c := range q.Choices {
		if c.ID == "" || seen[c.ID] || strings.TrimSpace(c.Text) == "" {
			return bad("choice ids must be unique and non-empty, texts non-empty")
		}
		seen[c.ID] = true
		if c.Correct {
			correct++
		}
	}
	if q.Kind == KindMultiple {
		if correct == 0 {
			return bad("a multiple-choice question needs at least one correct choice")
		}
		if q.Penalty < 0 || q.Penalty > 1 {
			return bad("penalty %v, want 0..1", q.Penalty)
		}
		return nil
	}
	if correct != 1 {
		return bad("has %d correct choices, want exactly 1", correct)
	}
	if q.Penalty != 0 {
		return bad("penalty belongs to multiple-choice questions")
	}
	return nil
}
