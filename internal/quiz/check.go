package quiz

import (
	"fmt"
	"strings"

	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// KeyProblem is an hs_code key that does not hold in an edition.
type KeyProblem struct {
	QuestionID string
	Key        string // dotted
	Problem    string
}

// String formats the problem for `hsworkshop quiz check`.
func (p KeyProblem) String() string {
	return fmt.Sprintf("%s: key %s: %s", p.QuestionID, p.Key, p.Problem)
}

// CheckKeys reports every hs_code key of b that is not a line of ix. An
// empty result means every key exists.
func CheckKeys(b *Bank, ix *hts.Index) []KeyProblem {
	var out []KeyProblem
	for _, q := range b.questions {
		for _, k := range q.keys {
			if _, err := ix.LookupCode(k); err != nil {
				out = append(out, KeyProblem{QuestionID: q.ID, Key: k.Dotted(), Problem: "not in the " + ix.Edition().Name})
			}
		}
	}
	return out
}

// Change kinds of a KeyChange.
const (
	// ChangeDeleted: the key's code is gone from the new edition and no
	// new code appeared beside it (under the same parent code).
	ChangeDeleted = "deleted"
	// ChangeSplit: the key's code is gone and new codes of its level
	// appeared under its parent code, or the code stayed but gained lines
	// under it, so the key no longer names one line.
	ChangeSplit = "split"
	// ChangeReworded: the key's code stayed but its text changed; read it
	// to see whether the key still holds.
	ChangeReworded = "reworded"
)

// KeyChange is an hs_code key affected by a newer edition.
type KeyChange struct {
	QuestionID string
	Key        string // dotted
	Change     string // ChangeDeleted, ChangeSplit or ChangeReworded
	// NewCodes are the codes that replace or refine the key, dotted.
	NewCodes []string
}

// String formats the change for `hsworkshop quiz check`.
func (c KeyChange) String() string {
	s := fmt.Sprintf("%s: key %s %s", c.QuestionID, c.Key, c.Change)
	if len(c.NewCodes) > 0 {
		s += " into " + strings.Join(c.NewCodes, ", ")
	}
	return s
}

// DiffKeys compares the hs_code keys of b between the edition they were
// written for (old) and a newer one (cur) and reports each key whose code
// was deleted or split, or whose text changed.
func DiffKeys(b *Bank, old, cur *hts.Index) []KeyChange {
	var out []KeyChange
	for _, q := range b.questions {
		for _, k := range q.keys {
			if ch, ok := diffKey(k, old, cur); ok {
				ch.QuestionID = q.ID
				out = append(out, ch)
			}
		}
	}
	return out
}

func diffKey(k hts.Code, old, cur *hts.Index) (KeyChange, bool) {
	ch := KeyChange{Key: k.Dotted()}
	was, _ := old.LookupCode(k) // nil when the key was already missing: CheckKeys reports that
	now, err := cur.LookupCode(k)
	if err != nil {
		// Gone: look for codes new in cur beside it, under the same parent
		// code.
		ch.Change = ChangeDeleted
		parent := k.Parent().Digits()
		if p := cur.Nearest(k.Parent()); p != nil && k.Level() > 2 {
			for _, l := range descendants(cur, p) {
				if l.Level != k.Level() || !strings.HasPrefix(l.Digits, parent) {
					continue
				}
				if _, err := old.Lookup(l.Digits); err != nil {
					ch.NewCodes = append(ch.NewCodes, l.Code)
				}
			}
		}
		if len(ch.NewCodes) > 0 {
			ch.Change = ChangeSplit
		}
		return ch, true
	}
	if was == nil {
		return ch, false
	}
	// Still there: did it gain lines under it?
	for _, l := range cur.Children(now) {
		if _, err := old.Lookup(l.Digits); err != nil {
			ch.NewCodes = append(ch.NewCodes, l.Code)
		}
	}
	if len(ch.NewCodes) > 0 {
		ch.Change = ChangeSplit
		return ch, true
	}
	if normalize(was.Description) != normalize(now.Description) {
		ch.Change = ChangeReworded
		return ch, true
	}
	return ch, false
}

// descendants lists every line under l in cur, depth first.
func descendants(ix *hts.Index, l *hts.Line) []*hts.Line {
	var out []*hts.Line
	for _, c := range ix.Children(l) {
		out = append(out, c)
		out = append(out, descendants(ix, c)...)
	}
	return out
}

func normalize(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// Report is the result of Check, as `hsworkshop quiz check` prints it.
type Report struct {
	Pinned   string       // the edition the keys were checked against
	Latest   string       // the newer edition compared, or ""
	Problems []KeyProblem // keys missing from the pinned edition, or pinned to another edition
	Changes  []KeyChange  // keys deleted, split or reworded in the latest edition
}

// OK reports whether every key holds in the pinned edition. Changes in a
// newer edition are warnings for the authors, not failures.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Check verifies that every hs_code key of b exists in pinned (the
// bundled edition the bank is written for) and that every question is
// pinned to it; when latest is a different edition (the newest imported
// one), it also reports the keys that edition deleted, split or reworded.
// latest may be nil.
func Check(b *Bank, pinned, latest *hts.Index) Report {
	r := Report{Pinned: pinned.Edition().Name, Problems: CheckKeys(b, pinned)}
	for _, q := range b.questions {
		if q.Edition != r.Pinned {
			r.Problems = append(r.Problems, KeyProblem{QuestionID: q.ID, Key: strings.Join(q.Keys, ", "),
				Problem: fmt.Sprintf("pinned to %q, checked against %q", q.Edition, r.Pinned)})
		}
	}
	if latest != nil && latest != pinned && latest.Edition().SHA256 != pinned.Edition().SHA256 {
		r.Latest = latest.Edition().Name
		r.Changes = DiffKeys(b, pinned, latest)
	}
	return r
}
