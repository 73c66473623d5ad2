package quiz

// PublicQuestion is what a learner may see of a question before answering:
// no key, no explanation, no per-choice feedback, no references (a ruling
// number or a GRI citation would give the answer away) and no topic or tags
// (an hs_code item's topic names its chapter). It has no question id
// either, since ids are descriptive ("usmca-criterion-c"): the page refers
// to a question by its Position in the attempt, and the service maps the
// position back to Quiz.Items. The web layer renders only this type during
// an attempt.
type PublicQuestion struct {
	// Position is the 1-based place of the question in its quiz (0 when
	// the view was made outside a quiz).
	Position   int            `json:"position"`
	Kind       Kind           `json:"kind"`
	Track      string         `json:"track"`
	Difficulty int            `json:"difficulty"`
	Prompt     string         `json:"prompt"`
	Choices    []PublicChoice `json:"choices,omitempty"`
	Multiple   bool           `json:"multiple,omitempty"` // several choices may be picked
	Unit       string         `json:"unit,omitempty"`     // of a numeric answer
	Edition    string         `json:"edition"`
	AsOf       string         `json:"as_of,omitempty"`
}

// PublicChoice is a choice without its correctness or feedback.
type PublicChoice struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Public returns the learner's view of q with the choices in order (the
// choice ids of an attempt's Item; nil or an order that does not name every
// choice exactly once keeps the bank order).
func (q *Question) Public(order []string) PublicQuestion {
	p := PublicQuestion{
		Kind: q.Kind, Track: q.Track, Difficulty: q.Difficulty,
		Prompt: q.Prompt, Multiple: q.Kind == KindMultiple, Edition: q.Edition, AsOf: q.AsOf,
	}
	if q.Numeric != nil {
		p.Unit = q.Numeric.Unit
	}
	if len(q.Choices) == 0 {
		return p
	}
	p.Choices = make([]PublicChoice, 0, len(q.Choices))
	if q.validOrder(order) {
		for _, id := range order {
			c := q.choice(id)
			p.Choices = append(p.Choices, PublicChoice{ID: c.ID, Text: c.Text})
		}
		return p
	}
	for _, c := range q.Choices {
		p.Choices = append(p.Choices, PublicChoice{ID: c.ID, Text: c.Text})
	}
	return p
}

// choice returns the choice with id, or nil.
func (q *Question) choice(id string) *Choice {
	for i := range q.Choices {
		if q.Choices[i].ID == id {
			return &q.Choices[i]
		}
	}
	return nil
}

// validOrder reports whether order is a permutation of q's choice ids.
func (q *Question) validOrder(order []string) bool {
	if len(order) != len(q.Choices) {
		return false
	}
	seen := make(map[string]bool, len(order))
	for _, id := range order {
		if seen[id] || q.choice(id) == nil {
			return false
		}
		seen[id] = true
	}
	return true
}
