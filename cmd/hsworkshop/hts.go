package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/models"
)

// loadHTS builds the tariff index the server shows: the newest imported
// edition, else the bundled 2025 export.
func loadHTS(ctx context.Context, db *gorm.DB, log *slog.Logger) (*hts.Index, error) {
	start := time.Now()
	ix, err := hts.Load(ctx, db, content.FS)
	if err != nil {
		return nil, fmt.Errorf("load tariff data: %w", err)
	}
	ed := ix.Edition()
	log.Info("loaded tariff data", "edition", ed.Name, "bundled", ed.Bundled, "lines", ix.Len(), "took", time.Since(start).Round(time.Millisecond))
	return ix, nil
}

const htsUsage = `usage:
  hsworkshop hts import -edition NAME [-source TEXT] [-as-of DATE] FILE
      Load a USITC HTS CSV export (the columns of the bundled 2025 export; plain
      or gzipped). The file is checked row by row and built into an index before
      anything is stored; it is stored whole, in one transaction, and the server
      shows it from its next start. -edition is required because the export does
      not name its revision, e.g. -edition "2026 HTSUS, Revision 20".
  hsworkshop hts editions
      List the imported editions, newest first (the newest is the one shown).`

func cmdHTS(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("hts: want a subcommand, import or editions\n%s", htsUsage)
	}
	switch args[0] {
	case "import":
		return cmdHTSImport(ctx, args[1:], getenv, stdout)
	case "editions":
		return cmdHTSEditions(ctx, getenv, stdout)
	}
	return fmt.Errorf("unknown hts command %q\n%s", args[0], htsUsage)
}

func cmdHTSImport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("hts import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	edition := fs.String("edition", "", "the edition's name, e.g. \"2026 HTSUS, Revision 20\" (required)")
	source := fs.String("source", "USITC HTS CSV export", "where the file came from")
	asOf := fs.String("as-of", "", "the date or month the edition holds as of, e.g. 2026-09")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("hts import: %w\n%s", err, htsUsage)
	}
	if *edition == "" || fs.NArg() != 1 {
		return fmt.Errorf("hts import: -edition and one FILE are required\n%s", htsUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("hts import: %w", err)
	}
	defer f.Close()
	_, db, err := openDB(ctx, getenv)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	ix, e, err := hts.Import(ctx, db, f, hts.ImportMeta{Name: *edition, Source: *source, AsOf: *asOf}, content.FS)
	if err != nil {
		return fmt.Errorf("hts import %s: %w", fs.Arg(0), err)
	}
	st := ix.Stats()
	fmt.Fprintf(stdout, "imported %q as edition %d: %d rows, %d lines (%d chapters, %d headings, %d subheadings, %d rate lines, %d statistical lines; %d rate lines derived from single statistical rows)\nsha256 %s\nthe server shows it from its next start\n",
		e.Name, e.ID, e.Rows, e.Lines, st.Chapters, st.Headings, st.Subheadings, st.RateLines, st.StatLines, st.Derived8, e.SHA256)
	return nil
}

func cmdHTSEditions(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	_, db, err := openDB(ctx, getenv)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	es, err := models.ListHTSEditions(ctx, db)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		fmt.Fprintln(stdout, "no imported editions; the server shows the bundled 2025 HTSUS export")
		return nil
	}
	for i, e := range es {
		mark := ""
		if i == 0 {
			mark = "  (shown)"
		}
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%d rows\tsha256 %.12s…\timported %s%s\n", e.ID, e.Name, e.AsOf, e.Rows, e.SHA256, e.ImportedAt.Format(time.RFC3339), mark)
	}
	return nil
}
