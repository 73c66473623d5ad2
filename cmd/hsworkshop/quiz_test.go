package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
)

// TestQuizCheckCommand runs `hsworkshop quiz check` on a fresh database:
// every key of the shipped bank holds in the bundled edition, so it passes;
// a wrong subcommand fails.
func TestQuizCheckCommand(t *testing.T) {
	t.Parallel()
	e := env(map[string]string{"DATABASE_URL": testdb.DSN(t)})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"quiz", "check"}, e, nil, &out); err != nil {
		t.Fatalf("quiz check: %v\n%s", err, out.String())
	}
	for _, want := range []string{"content/quiz: 185 questions checked", "database items: 185 questions checked", "every key holds"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "PROBLEM") {
		t.Errorf("got problems:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"quiz", "frobnicate"}, e, nil, &out); err == nil {
		t.Error("quiz frobnicate: got nil error, want usage")
	}
}
