package quiz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// BankDir is the folder of the bank files inside the content tree.
const BankDir = "quiz"

// bankFile is the layout of one file of content/quiz: defaults that apply
// to every question in it, then the questions.
type bankFile struct {
	// Edition and Track are used by questions that do not set their own.
	Edition   string     `json:"edition"`
	Track     string     `json:"track"`
	Questions []Question `json:"questions"`
}

// Bank is the loaded question bank. It is immutable after LoadBank and safe
// for concurrent use; the questions it hands out must not be modified.
type Bank struct {
	questions []*Question // in file then bank order
	byID      map[string]*Question
}

// LoadBank reads every BankDir/*.json file of fsys (the content tree,
// content.FS), applies each file's defaults and validates every question.
// Ids must be unique across files.
func LoadBank(fsys fs.FS) (*Bank, error) {
	names, err := fs.Glob(fsys, path.Join(BankDir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list bank files: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no bank files in %s/", BankDir)
	}
	var qs []*Question
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		var f bankFile
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		for i := range f.Questions {
			q := &f.Questions[i]
			if q.Edition == "" {
				q.Edition = f.Edition
			}
			if q.Track == "" {
				q.Track = f.Track
			}
			qs = append(qs, q)
		}
	}
	return NewBank(qs)
}

// NewBank validates qs and builds a bank of them (tests build small banks
// this way).
func NewBank(qs []*Question) (*Bank, error) {
	b := &Bank{questions: qs, byID: make(map[string]*Question, len(qs))}
	for _, q := range qs {
		if err := q.validate(); err != nil {
			return nil, err
		}
		if _, dup := b.byID[q.ID]; dup {
			return nil, fmt.Errorf("%w %q: duplicate id", ErrInvalid, q.ID)
		}
		b.byID[q.ID] = q
	}
	return b, nil
}

// Question returns the question with id; the error wraps ErrNotFound.
func (b *Bank) Question(id string) (*Question, error) {
	if q, ok := b.byID[id]; ok {
		return q, nil
	}
	return nil, fmt.Errorf("question %q: %w", id, ErrNotFound)
}

// Questions lists every question in bank order. The slice is shared: do
// not modify it.
func (b *Bank) Questions() []*Question { return b.questions }

// Len is the number of questions.
func (b *Bank) Len() int { return len(b.questions) }

// Select returns the questions that p admits, in bank order.
func (b *Bank) Select(p Pool) []*Question {
	var out []*Question
	for _, q := range b.questions {
		if p.admits(q) {
			out = append(out, q)
		}
	}
	return out
}

// Pool selects questions for a quiz: every non-empty criterion must hold
// (a question matches a list when it matches any entry), and Count of the
// matching questions are drawn.
type Pool struct {
	Count         int      `json:"count"`
	IDs           []string `json:"ids,omitempty"` // exact questions, e.g. a review of mistakes
	Tracks        []string `json:"tracks,omitempty"`
	Topics        []string `json:"topics,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	Kinds         []Kind   `json:"kinds,omitempty"`
	MinDifficulty int      `json:"min_difficulty,omitempty"`
	MaxDifficulty int      `json:"max_difficulty,omitempty"` // 0 means no upper bound
}

func (p Pool) admits(q *Question) bool {
	switch {
	case q.Retired && len(p.IDs) == 0:
		return false
	case len(p.IDs) > 0 && !slices.Contains(p.IDs, q.ID),
		len(p.Tracks) > 0 && !slices.Contains(p.Tracks, q.Track),
		len(p.Topics) > 0 && !slices.Contains(p.Topics, q.Topic),
		len(p.Kinds) > 0 && !slices.Contains(p.Kinds, q.Kind),
		q.Difficulty < p.MinDifficulty,
		p.MaxDifficulty > 0 && q.Difficulty > p.MaxDifficulty:
		return false
	}
	if len(p.Tags) == 0 {
		return true
	}
	for _, t := range q.Tags {
		if slices.Contains(p.Tags, t) {
			return true
		}
	}
	return false
}
