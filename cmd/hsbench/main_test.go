package main

import (
	"io"
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/internal/bench"
)

func TestSplitList(t *testing.T) {
	got, err := splitList(" claims, pg ", bench.PartPages, bench.PartClaims, bench.PartPG)
	if err != nil || len(got) != 2 || got[0] != "claims" || got[1] != "pg" {
		t.Errorf("got %v, %v; want [claims pg]", got, err)
	}
	if got, err := splitList("", "a"); err != nil || got != nil {
		t.Errorf("empty list: got %v, %v; want nil, nil", got, err)
	}
	if _, err := splitList("claims,memory", bench.PartPages, bench.PartClaims); err == nil {
		t.Error("an unknown part was accepted")
	}
}

func TestSelectPages(t *testing.T) {
	all := bench.DefaultPages()
	got, err := selectPages(all, "workshop, catalog")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "catalog" || got[1].Name != "workshop page" {
		t.Errorf("got %v, want the catalog and workshop rows in table order", got)
	}
	if got, _ := selectPages(all, ""); len(got) != len(all) {
		t.Errorf("no filter: got %d pages, want %d", len(got), len(all))
	}
	if _, err := selectPages(all, "nothing-like-this"); err == nil {
		t.Error("a filter matching no page was accepted")
	}
}

// TestPartialRunRefusesWrite: a subset's report would replace the whole
// generated section, so -write needs every part.
func TestPartialRunRefusesWrite(t *testing.T) {
	for _, args := range [][]string{{"-write", "x.md", "-only", "claims"}, {"-write", "x.md", "-pages", "workshop"}} {
		err := run(t.Context(), args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-write") {
			t.Errorf("%v: got %v, want a refusal naming -write", args, err)
		}
	}
}
