package quiz

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPublicLeaksNothing renders the public view of every bank question as
// JSON (what a page or API would send) and looks for the private parts.
func TestPublicLeaksNothing(t *testing.T) {
	t.Parallel()
	b := testBank(t)
	if b.Len() == 0 {
		t.Fatal("empty bank")
	}
	for _, q := range b.Questions() {
		raw, err := json.Marshal(q.Public(nil))
		if err != nil {
			t.Fatalf("%s: %v", q.ID, err)
		}
		s := string(raw)
		for _, bad := range []string{`"correct":`, `"explanation":`, `"feedback":`, `"references":`, `"keys":`, `"numeric":`, `"topic":`, `"tags":`, "chapter-"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s: public view holds %s", q.ID, bad)
			}
		}
		if strings.Contains(s, q.ID) {
			t.Errorf("%s: public view holds the question id", q.ID)
		}
		if strings.Contains(s, q.Explanation) {
			t.Errorf("%s: public view holds the explanation", q.ID)
		}
		for _, k := range q.Keys {
			if strings.Contains(s, k) && !strings.Contains(q.Prompt, k) {
				t.Errorf("%s: public view holds the key %s", q.ID, k)
			}
		}
		for _, c := range q.Choices {
			if c.Feedback != "" && strings.Contains(s, c.Feedback) {
				t.Errorf("%s: public view holds the feedback of choice %s", q.ID, c.ID)
			}
		}
		shown := q.Prompt // a citation the learner sees anyway is no leak
		for _, c := range q.Choices {
			shown += "\n" + c.Text
		}
		for _, r := range q.References {
			if strings.Contains(s, r.Cite) && !strings.Contains(shown, r.Cite) {
				t.Errorf("%s: public view holds the reference %q", q.ID, r.Cite)
			}
		}
	}
}

func TestPublicChoiceOrder(t *testing.T) {
	t.Parallel()
	q := choiceQuestion(t, KindSingle, 0, "b")
	ids := func(p PublicQuestion) string {
		var out []string
		for _, c := range p.Choices {
			out = append(out, c.ID)
		}
		return strings.Join(out, "")
	}
	tests := []struct {
		order []string
		want  string
	}{
		{nil, "abcde"},
		{[]string{"e", "d", "c", "b", "a"}, "edcba"},
		{[]string{"e", "d", "c", "b"}, "abcde"},      // not every choice: bank order
		{[]string{"e", "e", "c", "b", "a"}, "abcde"}, // repeated id: bank order
		{[]string{"e", "x", "c", "b", "a"}, "abcde"}, // unknown id: bank order
	}
	for _, tt := range tests {
		if got := ids(q.Public(tt.order)); got != tt.want {
			t.Errorf("Public(%v): got %s, want %s", tt.order, got, tt.want)
		}
	}
	num := mustQuestion(t, &Question{ID: "t-num", Kind: KindNumeric, Numeric: &NumericKey{Value: 5, Unit: "%"}})
	if p := num.Public(nil); p.Unit != "%" || len(p.Choices) != 0 {
		t.Errorf("numeric public view: got %+v, want unit %% and no choices", p)
	}
}
