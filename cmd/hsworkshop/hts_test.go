package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestHTSImportCommand imports the bundled export as an operator would (the
// plain CSV from a file), lists it, and checks the server would load it;
// a malformed file is refused with its row named and nothing stored.
func TestHTSImportCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.DSN(t)
	e := env(map[string]string{"DATABASE_URL": dsn})
	dir := t.TempDir()

	gz, err := fs.ReadFile(content.FS, "hts/hts_2025_usitc_export.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "hts.csv")
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(good, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	broken := bytes.Replace(raw, []byte(`"8471.30.01.00","1"`), []byte(`"8471.30.01.00","one"`), 1)
	if err := os.WriteFile(bad, broken, 0o600); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	for _, args := range [][]string{
		{"hts"},
		{"hts", "frobnicate"},
		{"hts", "import", good},            // no -edition
		{"hts", "import", "-edition", "x"}, // no file
		{"hts", "import", "-edition", "x", "/nonexistent.csv"},
		{"hts", "import", "-edition", "Broken", bad},
	} {
		out.Reset()
		if err := run(ctx, args, e, nil, &out); err == nil {
			t.Errorf("%v: want an error, got none (%q)", args, out.String())
		} else if args[len(args)-1] == bad && !strings.Contains(err.Error(), `Indent "one"`) {
			t.Errorf("%v: got %v, want the bad row named", args, err)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"hts", "editions"}, e, nil, &out); err != nil || !strings.Contains(out.String(), "no imported editions") {
		t.Fatalf("editions before import: %v %q", err, out.String())
	}
	out.Reset()
	args := []string{"hts", "import", "-edition", "2025 HTSUS (test import)", "-as-of", "2025-04", good}
	if err := run(ctx, args, e, nil, &out); err != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(out.String(), `imported "2025 HTSUS (test import)"`) || !strings.Contains(out.String(), "35938 rows") ||
		!strings.Contains(out.String(), "96796831da912376e509dc09bacec8c0c78af59c17df94cdbaf2eac91acbdaf8") {
		t.Errorf("import output: %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"hts", "editions"}, e, nil, &out); err != nil || !strings.Contains(out.String(), "2025 HTSUS (test import)") || !strings.Contains(out.String(), "(shown)") {
		t.Errorf("editions: %v %q", err, out.String())
	}

	db, err := models.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	ix, err := hts.Load(ctx, db, content.FS)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if ix.Edition().Name != "2025 HTSUS (test import)" || ix.Stats().Rows != 35938 {
		t.Errorf("loaded edition: %+v", ix.Edition())
	}
	if l, err := ix.Lookup("8471.30.01"); err != nil || l.General != "Free" {
		t.Errorf("8471.30.01: %v %+v", err, l)
	}
}
