package tariff_test

import (
	"encoding/json"
	"os"
	"testing"
)

// evalQueries are the product descriptions of the evaluation set.
func evalQueries(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../internal/hts/testdata/eval.json")
	if err != nil {
		t.Fatal(err)
	}
	var items []struct {
		Q string `json:"q"`
	}
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatal(err)
	}
	qs := make([]string, len(items))
	for i, it := range items {
		qs[i] = it.Q
	}
	return qs
}

// TestEvalQueriesLoad keeps the bench-tagged load test's query file in
// reach: the load test runs only by hand, so a moved file would otherwise
// go unnoticed until someone reruns the benchmark.
func TestEvalQueriesLoad(t *testing.T) {
	if qs := evalQueries(t); len(qs) < 100 {
		t.Fatalf("evaluation queries: got %d, want at least 100", len(qs))
	}
}
