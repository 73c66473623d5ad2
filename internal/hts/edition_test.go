package hts

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// bundledExportCSV is the bundled export, uncompressed, as an operator
// would download it from the USITC.
func bundledExportCSV(t *testing.T) []byte {
	t.Helper()
	gz, err := fs.ReadFile(content.FS, bundledExport)
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
	return raw
}

const header = "\ufeffHTS Number,Indent,Description,Unit of Quantity,General Rate of Duty,Special Rate of Duty,Column 2 Rate of Duty,Quota Quantity,Additional Duties\n"

func TestParseExportRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"empty", "", "empty"},
		{"wrong header", "HTS,Indent,Description\n", "header has 3 columns"},
		{"renamed column", strings.Replace(header, "General Rate of Duty", "General", 1), `header column 5 is "General"`},
		{"short row", header + `"0101","0","Horses"` + "\n", "row 2"},
		{"bad code", header + `"0101","0","Horses","","","","","",""` + "\n" + `"0101.2X","1","x","","","","","",""` + "\n", `row 3 (line 3): HTS Number "0101.2X"`},
		{"bad indent", header + `"0101","zero","Horses","","","","","",""` + "\n", `row 2 (line 2): column Indent "zero"`},
		{"bad units", header + `"0101","0","Horses","No.","","","","",""` + "\n", "row 2 (line 2): column Unit of Quantity"},
		{"duplicate", header + `"0101","0","Horses","","","","","",""` + "\n" + `"0101","0","Horses","","","","","",""` + "\n", "row 3 (line 3): code 0101 already on row 2"},
		{"out of order", header + `"0102","0","Cattle","","","","","",""` + "\n" + `"0101","0","Horses","","","","","",""` + "\n", "row 3 (line 3): code 0101 comes after 0102"},
		{"text first", header + `"","1","Horses:","","","","","",""` + "\n", "row 2 (line 2): a text-only row before the first heading"},
		{"no rows", header, "no data rows"},
		{"bare quote", header + `"0101","0","Hor"ses","","","","","",""` + "\n", "row 2"},
	} {
		_, err := ReadExport(strings.NewReader(tc.csv))
		if !errors.Is(err, ErrBadExport) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want ErrBadExport mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestImportRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	want := testIndex(t)

	// Without an import the bundled export is loaded.
	ix, err := Load(ctx, db, content.FS)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !ix.Edition().Bundled {
		t.Errorf("Load without imports: got %+v, want the bundled edition", ix.Edition())
	}

	// Import the bundled export gzipped, as a new edition.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(bundledExportCSV(t))
	_ = zw.Close()
	meta := ImportMeta{Name: "2025 HTSUS re-imported", Source: "test", AsOf: "2025-04"}
	_, e, err := Import(ctx, db, &gz, meta, content.FS)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if e.ID == 0 || e.Rows != 35938 || e.Lines != want.Len() || e.SHA256 != want.Edition().SHA256 {
		t.Errorf("stored edition: got id %d, %d rows, %d lines, sha %s", e.ID, e.Rows, e.Lines, e.SHA256)
	}
	got, err := Load(ctx, db, content.FS)
	if err != nil {
		t.Fatalf("Load after import: %v", err)
	}
	ed := got.Edition()
	if ed.Bundled || ed.Name != meta.Name || ed.AsOf != "2025-04" || ed.ImportedAt.IsZero() {
		t.Errorf("edition after import: got %+v", ed)
	}
	if got.Len() != want.Len() || got.Stats() != want.Stats() {
		t.Errorf("round trip: got %d lines %+v, want %d %+v", got.Len(), got.Stats(), want.Len(), want.Stats())
	}
	for _, code := range []string{"0101.21.00.10", "8471.30.01", "8471.30.01.00", "9006.59.15.20", "6404.11.20", "7308.20.00", "9903.88.03", "8471.30"} {
		a, b := mustLookup(t, got, code), mustLookup(t, want, code)
		if a.General != b.General || a.Special != b.Special || a.Column2 != b.Column2 || a.RateSource != b.RateSource ||
			a.Description != b.Description || len(a.S301) != len(b.S301) || len(a.S232) != len(b.S232) {
			t.Errorf("%s: imported %+v, bundled %+v", code, a, b)
		}
	}

	// The same file again is refused, and nothing is added.
	_, _, err = Import(ctx, db, bytes.NewReader(bundledExportCSV(t)), ImportMeta{Name: "again"}, content.FS)
	if !errors.Is(err, models.ErrConflict) {
		t.Errorf("second import: got %v, want ErrConflict", err)
	}
	if es, err := models.ListHTSEditions(ctx, db); err != nil || len(es) != 1 || es[0].ExportGzip != nil {
		t.Errorf("editions: got %d (%v), want 1 without its file", len(es), err)
	}
}

func TestImportRejectsBadFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	raw := bundledExportCSV(t)
	// A malformed row deep in an otherwise good file.
	lines := bytes.Split(raw, []byte("\n"))
	lines[20000] = []byte(`"8471.3O.01","1","letter O for zero","","","","","",""`)
	bad := bytes.Join(lines, []byte("\n"))
	for _, tc := range []struct {
		name string
		r    io.Reader
		meta ImportMeta
		want string
	}{
		{"malformed row", bytes.NewReader(bad), ImportMeta{Name: "bad"}, "(line 20001): HTS Number \"8471.3O.01\""},
		{"no name", bytes.NewReader(raw), ImportMeta{Name: "  "}, "edition name is required"},
		{"not gzip", bytes.NewReader([]byte{0x1f, 0x8b, 0, 1, 2}), ImportMeta{Name: "x"}, "gzip"},
		{"other columns", strings.NewReader("a,b\n1,2\n"), ImportMeta{Name: "x"}, "header"},
	} {
		_, _, err := Import(ctx, db, tc.r, tc.meta, content.FS)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}
	if es, err := models.ListHTSEditions(ctx, db); err != nil || len(es) != 0 {
		t.Errorf("after rejected imports: got %d editions (%v), want none", len(es), err)
	}
}
