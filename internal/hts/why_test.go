package hts

import (
	"html/template"
	"strings"
	"testing"
)

func TestSearchExplains(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	q := "Ultralight tent stakes machined from titanium, 16 cm, sold in sets of six with a pouch, for camping."
	hs := ix.Search(q, Options{Limit: 5, Explain: true})
	if len(hs) == 0 {
		t.Fatal("no results")
	}
	for _, h := range hs {
		w := h.Why
		if w == nil {
			t.Fatalf("%s: no Why", h.Line.Code)
		}
		if w.Heading != h.Line.Digits[:min(4, len(h.Line.Digits))] || w.HeadingRank < 1 {
			t.Errorf("%s: heading %q rank %d", h.Line.Code, w.Heading, w.HeadingRank)
		}
		if len(w.Matches) == 0 {
			t.Errorf("%s: no matches", h.Line.Code)
		}
		for _, m := range w.Matches {
			if m.Word == "" || m.Text == "" || m.Source == "" {
				t.Errorf("%s: incomplete match %+v", h.Line.Code, m)
			}
		}
	}
	// The first result (a tents line) found "tent" in its own text.
	first := hs[0].Why
	if hs[0].Line.Digits[:4] != "6306" || first.HeadingRank != 1 || first.Standing != 1 {
		t.Errorf("first: got %s rank %d standing %v, want 6306 ranked first", hs[0].Line.Code, first.HeadingRank, first.Standing)
	}
	if len(first.Matches) == 0 || first.Matches[0].Word != "tent" || first.Matches[0].Source != SourceLine {
		t.Errorf("first matches: got %+v, want tent in the line", first.Matches)
	}
	// Without Explain nothing is computed.
	if hs := ix.Search(q, Options{Limit: 1}); len(hs) != 1 || hs[0].Why != nil {
		t.Errorf("Why without Explain: got %+v", hs)
	}
	// A typo says what it was read as; a parts line says it was lowered.
	hs = ix.Search("sneekers", Options{Limit: 1, Explain: true})
	if len(hs) != 1 || len(hs[0].Why.Matches) == 0 || hs[0].Why.Matches[0].Term == "" {
		t.Errorf("sneekers: got %+v, want the word it was read as", hs)
	}
	hs = ix.Search("microwave oven", Options{Limit: 3, Explain: true})
	lowered := false
	for _, h := range hs {
		lowered = lowered || len(h.Why.Rules) > 0
	}
	if !lowered {
		t.Errorf("microwave oven: no result says it was lowered as parts: %v", codes(hs))
	}
}

func TestReadQuery(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	r := ix.ReadQuery("Steel bolts, 12 mm, packed in boxes of 100, steel")
	if got := strings.Join(r.Words, " "); got != "steel bolts boxes" {
		t.Errorf("words: got %q, want %q", got, "steel bolts boxes")
	}
	if got := strings.Join(r.Ignored, " "); got != "12 mm packed 100" {
		t.Errorf("ignored: got %q, want %q", got, "12 mm packed 100")
	}
	if r.Cut {
		t.Error("cut: got true for a short query")
	}
	long := strings.Repeat("é", MaxQueryLen+5)
	if q, cut := TrimQuery(long); !cut || len([]rune(q)) != MaxQueryLen {
		t.Errorf("TrimQuery: got %d characters, cut %v; want %d, true", len([]rune(q)), cut, MaxQueryLen)
	}
}

// TestWhyTemplate renders the search page's hts_why block with a real Why.
func TestWhyTemplate(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	tpl, err := template.New("page").Funcs(template.FuncMap{"plural": func(int, string, string) string { return "" }}).
		ParseFiles("../../templates/pages/hts/search.html")
	if err != nil {
		t.Fatal(err)
	}
	hs := ix.Search("sneekers", Options{Limit: 1, Explain: true})
	if len(hs) != 1 {
		t.Fatalf("got %d results", len(hs))
	}
	var b strings.Builder
	if err := tpl.ExecuteTemplate(&b, "hts_why", hs[0].Why); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Why this result", "Ranked under heading", "sneekers", "read as"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("hts_why: %q missing from %s", want, b.String())
		}
	}
}
