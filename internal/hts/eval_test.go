package hts

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// evalItem is one product description of testdata/eval.json with the
// headings and subheadings that classify it.
type evalItem struct {
	Q           string   `json:"q"`
	Headings    []string `json:"headings"`
	Subheadings []string `json:"subheadings"`
}

// evalResult holds the metrics of one engine over the evaluation set.
type evalResult struct {
	Name                     string
	N                        int
	Top1Heading, Top5Heading float64
	Top10Subheading          float64
	Misses                   []string
}

func loadEval(t testing.TB) []evalItem {
	t.Helper()
	b, err := os.ReadFile("testdata/eval.json")
	if err != nil {
		t.Fatal(err)
	}
	var items []evalItem
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatal(err)
	}
	return items
}

// evaluate runs every item through the engine and scores the first k
// results strictly: a heading counts when one of the first k results
// falls under it (so a result list of ten lines of the wrong heading
// scores nothing, however close).
func evaluate(ix *Index, items []evalItem, name string, opt Options) evalResult {
	r := evalResult{Name: name, N: len(items)}
	opt.Limit = 10
	for _, it := range items {
		hits := ix.Search(it.Q, opt)
		under := func(k int, codes []string) bool {
			for i, h := range hits {
				if i >= k {
					break
				}
				for _, c := range codes {
					if strings.HasPrefix(h.Line.Digits, strings.ReplaceAll(c, ".", "")) {
						return true
					}
				}
			}
			return false
		}
		if under(1, it.Headings) {
			r.Top1Heading++
		}
		if under(5, it.Headings) {
			r.Top5Heading++
		} else {
			got := ""
			if len(hits) > 0 {
				got = hits[0].Line.Code
			}
			r.Misses = append(r.Misses, it.Q+" → "+got)
		}
		if under(10, it.Subheadings) {
			r.Top10Subheading++
		}
	}
	n := float64(len(items))
	r.Top1Heading, r.Top5Heading, r.Top10Subheading = r.Top1Heading/n, r.Top5Heading/n, r.Top10Subheading/n
	return r
}
