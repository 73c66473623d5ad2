package hts

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// codes lists the codes of hits.
func codes(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Line.Code
	}
	return out
}

// within reports whether one of the first k hits falls under prefix.
func within(hs []Hit, k int, prefix string) bool {
	d := strings.ReplaceAll(prefix, ".", "")
	for i, h := range hs {
		if i < k && strings.HasPrefix(h.Line.Digits, d) {
			return true
		}
	}
	return false
}

func TestSearchFindsCommercialNames(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	for _, tc := range []struct {
		q      string
		k      int
		prefix string
	}{
		{"laptop", 1, "8471.30"},
		{"laptops", 1, "8471.30"},                 // plural
		{"lpatop", 1, "8471.30"},                  // transposed letters
		{"notebook computer", 1, "8471.30"},       // alias of two words
		{"sneakers", 3, "6404.1"},                 // 6404.11 or 6404.19
		{"sneekers", 3, "6404.1"},                 // typo
		{"e-bike", 1, "8711.60"},                  // hyphenated alias
		{"ebike", 1, "8711.60"},                   // written together
		{"electric bicycle", 2, "8711.60"},        //
		{"live horses", 3, "0101"},                // plural of the legal text's word
		{"live horse", 3, "0101"},                 //
		{"horses", 10, "0101"},                    //
		{"frozen shrimp", 3, "0306.17"},           //
		{"knitted cotton t-shirts", 5, "6109.10"}, // inflections and a hyphenated word
		{"smartphone", 1, "8517.13"},              //
		{"aluminium foil", 5, "7607"},             // British spelling
		{"solar panels", 2, "8541.43"},            //
		{"coffee roasted", 3, "0901.21"},          // word order does not matter
		{"refrigerater", 5, "8418"},               // typo in a legal word
		{"lapt", 3, "8471.30"},                    // the word being typed
	} {
		hs := ix.Search(tc.q, Options{Limit: 10})
		if !within(hs, tc.k, tc.prefix) {
			t.Errorf("Search(%q): want %s in the first %d, got %v", tc.q, tc.prefix, tc.k, codes(hs))
		}
	}
}

func TestSearchPrefersSpecificLines(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	// The subheading that names the goods comes first; the results then
	// open other headings that fit (chargers, parts) before the single US
	// line of the subheading, which stays in the first five.
	hs := ix.Search("laptop", Options{Limit: 5})
	if got := codes(hs); len(got) < 2 || got[0] != "8471.30" || !within(hs, 5, "8471.30.01") {
		t.Errorf("laptop: got %v, want 8471.30 first and 8471.30.01 in the first 5", got)
	}
	if hs := ix.Search("laptop", Options{Limit: 5, Flat: true}); !within(hs, 2, "8471.30.01") {
		t.Errorf("laptop, flat: got %v, want 8471.30.01 second", codes(hs))
	}
	// Lines about parts stay below the goods unless parts are asked for.
	if hs := ix.Search("microwave oven", Options{Limit: 3}); !within(hs, 1, "8516.50") {
		t.Errorf("microwave oven: got %v, want 8516.50 first", codes(hs))
	}
	if hs := ix.Search("microwave oven parts", Options{Limit: 3}); !within(hs, 3, "8516.90") && !within(hs, 3, "8514.90") {
		t.Errorf("microwave oven parts: got %v, want a parts line", codes(hs))
	}
}

func TestSearchByCode(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	for _, q := range []string{"8471.30", "847130", "8471 30"} {
		hs := ix.Search(q, Options{Limit: 5})
		if got := codes(hs); len(got) != 3 || got[0] != "8471.30" || got[1] != "8471.30.01" || got[2] != "8471.30.01.00" {
			t.Errorf("Search(%q): got %v", q, got)
		}
	}
	hs := ix.Search("8471", Options{Limit: 50})
	if len(hs) != 50 || hs[0].Line.Code != "8471" || hs[1].Line.Level != 6 {
		t.Errorf("Search(8471): got %v", codes(hs))
	}
	for _, h := range hs {
		if !strings.HasPrefix(h.Line.Digits, "8471") {
			t.Errorf("Search(8471) returned %s", h.Line.Code)
		}
	}
	if hs := ix.Search("84713", Options{Limit: 5}); len(hs) == 0 || hs[0].Line.Code != "8471.30" {
		t.Errorf("Search(84713): got %v", codes(hs))
	}
	if hs := ix.Search("7777", Options{}); len(hs) != 0 {
		t.Errorf("Search(7777): got %v, want nothing", codes(hs))
	}
}

func TestSearchEdgeCases(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	for _, q := range []string{"", "   ", "the of and", "zzzzzzzz qqqqqq", "!!!", strings.Repeat("cotton ", 100), "ü€𝄞", "'-'", "8", "1234567890123"} {
		hs := ix.Search(q, Options{Limit: 10})
		if len(hs) > 10 {
			t.Errorf("Search(%.20q): %d hits over the limit", q, len(hs))
		}
	}
	if hs := ix.Search("cotton", Options{Limit: 3}); len(hs) != 3 {
		t.Errorf("limit 3: got %d hits", len(hs))
	}
	if hs := ix.Search("cotton", Options{}); len(hs) != 10 {
		t.Errorf("default limit: got %d hits, want 10", len(hs))
	}
}

func TestSearchConcurrent(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	want := codes(ix.Search("men's cotton t-shirt", Options{Limit: 10}))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				q := []string{"men's cotton t-shirt", "laptop", "frozen shrimp", "8471"}[(g+i)%4]
				hs := ix.Search(q, Options{Limit: 10})
				if q == "men's cotton t-shirt" && fmt.Sprint(codes(hs)) != fmt.Sprint(want) {
					t.Errorf("concurrent search: got %v, want %v", codes(hs), want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestHighlight(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	hs := ix.Search("knitted cotton t-shirts", Options{Limit: 1})
	if len(hs) == 0 {
		t.Fatal("no hits")
	}
	var marked []string
	for _, p := range hs[0].Line.Path {
		for _, s := range Highlight(p, hs[0].Terms) {
			if s.Mark {
				marked = append(marked, s.Text)
			}
		}
	}
	joined := strings.Join(marked, "|")
	if !strings.Contains(joined, "T-shirts") || !strings.Contains(joined, "knitted") {
		t.Errorf("marked %q, want T-shirts and knitted", joined)
	}
	segs := Highlight("Men's or boys' shirts, of cotton", []string{"man", "cotton"})
	var b strings.Builder
	for _, s := range segs {
		if s.Mark {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	if got := b.String(); got != "[Men's] or boys' shirts, of [cotton]" {
		t.Errorf("Highlight: got %q", got)
	}
	if got := Highlight("plain", nil); len(got) != 1 || got[0].Text != "plain" || got[0].Mark {
		t.Errorf("Highlight without terms: got %+v", got)
	}
}

// TestSearchQuality is the quality gate of the search: the evaluation set
// (testdata/eval.json, product descriptions in plain commercial language
// with their headings and subheadings) must find the right heading among
// the first five results for at least 80% of the items. The plain
// full-text baseline and the ablations are logged for BENCHMARKS.md.
func TestSearchQuality(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	items := loadEval(t)
	chapters := map[string]bool{}
	for _, it := range items {
		if len(it.Headings) == 0 || len(it.Subheadings) == 0 {
			t.Errorf("eval item %q lacks answers", it.Q)
		}
		for _, c := range append(append([]string{}, it.Headings...), it.Subheadings...) {
			if _, err := ix.Lookup(c); err != nil {
				t.Errorf("eval item %q: answer %s: %v", it.Q, c, err)
			}
		}
		chapters[it.Headings[0][:2]] = true
	}
	if len(items) < 60 || len(chapters) < 30 {
		t.Errorf("eval set: %d items over %d chapters, want at least 60 over 30", len(items), len(chapters))
	}
	full := evaluate(ix, items, "engine", Options{})
	for _, r := range []evalResult{
		evaluate(ix, items, "baseline (plain BM25)", Options{Baseline: true}),
		evaluate(ix, items, "engine without aliases", Options{NoAliases: true}),
		evaluate(ix, items, "engine without typos", Options{NoTypos: true}),
		evaluate(ix, items, "engine without inheritance", Options{NoInherit: true}),
		full,
	} {
		t.Logf("%-28s n=%d  top-1 heading %5.1f%%  top-5 heading %5.1f%%  top-10 subheading %5.1f%%",
			r.Name, r.N, 100*r.Top1Heading, 100*r.Top5Heading, 100*r.Top10Subheading)
	}
	for _, m := range full.Misses {
		t.Logf("top-5 miss: %s", m)
	}
	if full.Top5Heading < 0.90 {
		t.Errorf("short names: top-5 heading accuracy %.1f%%, want at least 90%%", 100*full.Top5Heading)
	}

	// The ruling-style set of issue 13: dev was tuned on, test only
	// reported. The gates hold the test half at the level reached when it
	// was frozen (BENCHMARKS.md) and above SQLite FTS5 on the same half
	// (TestFTS5Comparison: 49.5 % top-5 heading, 51.6 % top-10 subheading).
	for _, split := range []string{"dev", "test"} {
		items := loadRulingEval(t, split)
		res := evaluate(ix, items, "engine", Options{})
		for _, r := range []evalResult{
			evaluate(ix, items, "baseline (plain BM25)", Options{Baseline: true}),
			evaluate(ix, items, "engine, flat line ranking", Options{Flat: true}),
			res,
		} {
			t.Logf("rulings %-4s %-26s n=%d  top-1 heading %5.1f%%  top-5 heading %5.1f%%  top-10 subheading %5.1f%%",
				split, r.Name, r.N, 100*r.Top1Heading, 100*r.Top5Heading, 100*r.Top10Subheading)
		}
		if split != "test" {
			continue
		}
		for _, m := range res.Misses {
			t.Logf("rulings test top-5 miss: %s", m)
		}
		const fts5Top5, fts5Sub10 = 0.495, 0.516
		if res.Top5Heading < max(rulingsTestTop5, fts5Top5) {
			t.Errorf("rulings test: top-5 heading %.1f%%, want at least %.1f%%", 100*res.Top5Heading, 100*max(rulingsTestTop5, fts5Top5))
		}
		if res.Top10Subheading < max(rulingsTestSub10, fts5Sub10) {
			t.Errorf("rulings test: top-10 subheading %.1f%%, want at least %.1f%%", 100*res.Top10Subheading, 100*max(rulingsTestSub10, fts5Sub10))
		}
	}
}

// The test half's figures when the engine of issue 13 was finished (74 and
// 69 of 93 items); the targets of the issue were 70 % and 60 %.
const rulingsTestTop5, rulingsTestSub10 = 0.795, 0.741

// BenchmarkSearch runs the evaluation queries one after another.
func BenchmarkSearch(b *testing.B) {
	ix := testIndex(b)
	items := loadEval(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Search(items[i%len(items)].Q, Options{Limit: 10})
		i++
	}
}

// BenchmarkSearchRulings runs the ruling-style descriptions (100-250
// characters) of both halves one after another.
func BenchmarkSearchRulings(b *testing.B) {
	ix := testIndex(b)
	items := loadRulingEval(b, "")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Search(items[i%len(items)].Q, Options{Limit: 10})
		i++
	}
}

// BenchmarkSearchRulingsExplain is BenchmarkSearchRulings with Why.
func BenchmarkSearchRulingsExplain(b *testing.B) {
	ix := testIndex(b)
	items := loadRulingEval(b, "")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Search(items[i%len(items)].Q, Options{Limit: 10, Explain: true})
		i++
	}
}

// BenchmarkSearchLong runs a 1,000-character query: a pasted spec sheet.
func BenchmarkSearchLong(b *testing.B) {
	ix := testIndex(b)
	items := loadRulingEval(b, "")
	var q string
	for i := 0; len(q) < MaxQueryLen; i++ {
		q += "- " + items[i].Q + "\n"
	}
	q, _ = TrimQuery(q)
	b.ReportAllocs()
	for b.Loop() {
		ix.Search(q, Options{Limit: 10})
	}
}

// BenchmarkSearchBaseline runs the same queries through the plain engine.
func BenchmarkSearchBaseline(b *testing.B) {
	ix := testIndex(b)
	items := loadEval(b)
	ix.Search(items[0].Q, Options{Baseline: true}) // builds the plain engine, outside the timing
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Search(items[i%len(items)].Q, Options{Limit: 10, Baseline: true})
		i++
	}
}

// BenchmarkSearchCode looks up a code prefix.
func BenchmarkSearchCode(b *testing.B) {
	ix := testIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		ix.Search("8471.30", Options{Limit: 10})
	}
}

// BenchmarkLoadBundled builds the whole index from the embedded files.
func BenchmarkLoadBundled(b *testing.B) {
	for b.Loop() {
		if _, err := LoadBundled(contentFS()); err != nil {
			b.Fatal(err)
		}
	}
}
