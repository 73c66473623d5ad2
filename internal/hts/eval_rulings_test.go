package hts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// rulingsEvalFile is the ruling-style evaluation set of issue 13: product
// descriptions of the length and kind a CBP ruling or a spec sheet gives
// (materials with percentages, function, how sold), keyed to heading and
// 6-digit subheading. It was written and frozen before the engine was
// tuned; rulingsEvalSHA256 pins it so it cannot drift. Items alternate
// dev, test, dev, test… in file order: tune on dev, report test.
const (
	rulingsEvalFile   = "testdata/eval_rulings.json"
	rulingsEvalSHA256 = "080b3900a938a90e78f93ca7499aeff6531e0cc53e15ff739141d509b3ef0f2b"
)

// rulingItem is one description of testdata/eval_rulings.json. Basis says
// what decides the answer: "word" (the heading or subheading text names
// the goods), "function" (a heading by use or by material without the
// word), "note" (a Section or Chapter note or legal definition), "gri3"
// (essential character, sets, composite goods) or "parts" (a parts rule
// such as Section XV note 2, Section XVI note 2 or Section XVII note 2).
// Source is the CBP ruling the description is drawn from, or "own
// knowledge".
type rulingItem struct {
	ID          int      `json:"id"`
	Q           string   `json:"q"`
	Headings    []string `json:"headings"`
	Subheadings []string `json:"subheadings"`
	Basis       string   `json:"basis"`
	Source      string   `json:"source"`
	Split       string   `json:"split"`
}

// loadRulingEval reads the frozen set, checks its digest and returns the
// items of one split ("dev" or "test"; "" for all) as evalItems.
func loadRulingEval(t testing.TB, split string) []evalItem {
	t.Helper()
	b, err := os.ReadFile(rulingsEvalFile)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != rulingsEvalSHA256 {
		t.Fatalf("%s: sha256 %s, want %s: the set is frozen; do not edit it", rulingsEvalFile, got, rulingsEvalSHA256)
	}
	var items []rulingItem
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatal(err)
	}
	var out []evalItem
	for _, it := range items {
		if split == "" || it.Split == split {
			out = append(out, evalItem{Q: it.Q, Headings: it.Headings, Subheadings: it.Subheadings})
		}
	}
	return out
}

// TestRulingEvalSet checks the frozen set against the brief of issue 13:
// at least 120 descriptions of 100-250 characters over at least 50
// chapters, at least a third decided by a note, GRI 3 or a parts rule,
// every answer a code of the bundled schedule, and the split alternating.
func TestRulingEvalSet(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	b, err := os.ReadFile(rulingsEvalFile)
	if err != nil {
		t.Fatal(err)
	}
	var items []rulingItem
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatal(err)
	}
	if len(items) < 120 {
		t.Fatalf("got %d items, want at least 120", len(items))
	}
	chapters := map[string]bool{}
	rules, dev := 0, 0
	seen := map[string]bool{}
	for i, it := range items {
		name := fmt.Sprintf("item %d", it.ID)
		if it.ID != i+1 {
			t.Errorf("%s at position %d: ids must run 1..n in file order", name, i)
		}
		if n := len(it.Q); n < 100 || n > 250 {
			t.Errorf("%s: %d characters, want 100-250", name, n)
		}
		if seen[it.Q] {
			t.Errorf("%s: duplicate description", name)
		}
		seen[it.Q] = true
		if want := map[bool]string{true: "dev", false: "test"}[i%2 == 0]; it.Split != want {
			t.Errorf("%s: split %q, want %q", name, it.Split, want)
		}
		if it.Split == "dev" {
			dev++
		}
		switch it.Basis {
		case "note", "gri3", "parts":
			rules++
		case "word", "function":
		default:
			t.Errorf("%s: basis %q unknown", name, it.Basis)
		}
		if it.Source == "" {
			t.Errorf("%s: no source", name)
		}
		if len(it.Headings) == 0 || len(it.Subheadings) == 0 {
			t.Fatalf("%s: lacks answers", name)
		}
		for _, c := range it.Headings {
			if l, err := ix.Lookup(c); err != nil || l.Level != 4 {
				t.Errorf("%s: heading %s: %v", name, c, err)
			}
		}
		for _, c := range it.Subheadings {
			l, err := ix.Lookup(c)
			if err != nil || l.Level != 6 {
				t.Errorf("%s: subheading %s: %v", name, c, err)
				continue
			}
			if c[:4] != it.Headings[0] {
				t.Errorf("%s: subheading %s is not under heading %s", name, c, it.Headings[0])
			}
		}
		chapters[it.Headings[0][:2]] = true
	}
	if len(chapters) < 50 {
		t.Errorf("got %d chapters, want at least 50", len(chapters))
	}
	if 3*rules < len(items) {
		t.Errorf("got %d of %d items decided by a note, GRI 3 or a parts rule, want at least a third", rules, len(items))
	}
	if dev != (len(items)+1)/2 {
		t.Errorf("dev half: got %d items, want %d", dev, (len(items)+1)/2)
	}
	// The digest check of loadRulingEval.
	if got := loadRulingEval(t, "test"); len(got) != len(items)-dev {
		t.Errorf("test half: got %d items, want %d", len(got), len(items)-dev)
	}
}
