package hts

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// Load returns the index of the newest edition imported into db, or of the
// bundled export when none was imported. fsys is the content tree
// (content.FS), which holds the bundled export and the HS, tariff-action
// and alias files every edition is built with.
func Load(ctx context.Context, db *gorm.DB, fsys fs.FS) (*Index, error) {
	e, err := models.LatestHTSEdition(ctx, db)
	if errors.Is(err, models.ErrNotFound) {
		return LoadBundled(fsys)
	}
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(e.ExportGzip))
	if err != nil {
		return nil, fmt.Errorf("HTS edition %d: %w", e.ID, err)
	}
	exp, err := ReadExport(zr)
	if err != nil {
		return nil, fmt.Errorf("HTS edition %d (%s): %w", e.ID, e.Name, err)
	}
	if exp.SHA256 != e.SHA256 {
		return nil, fmt.Errorf("HTS edition %d (%s): stored file has sha256 %s, recorded %s", e.ID, e.Name, exp.SHA256, e.SHA256)
	}
	ed := Edition{Name: e.Name, Source: e.Source, AsOf: e.AsOf, SHA256: e.SHA256, ImportedAt: e.ImportedAt, Rows: e.Rows}
	return Build(exp.Rows, ed, fsys)
}

// ImportMeta is what an operator says about an export being imported.
type ImportMeta struct {
	// Name is required: the export does not name its own revision.
	Name   string
	Source string
	AsOf   string
}

// Import reads an export (plain CSV or gzipped), checks its columns and
// rows, builds its index with the bundled reference files of fsys (so a file
// the app could not load is refused here, not at the next start) and stores
// it as a new edition in one transaction. It returns the index and the
// stored edition.
func Import(ctx context.Context, db *gorm.DB, r io.Reader, meta ImportMeta, fsys fs.FS) (*Index, *models.HTSEdition, error) {
	meta.Name, meta.Source, meta.AsOf = strings.TrimSpace(meta.Name), strings.TrimSpace(meta.Source), strings.TrimSpace(meta.AsOf)
	if meta.Name == "" {
		return nil, nil, errors.New("import: an edition name is required (the export does not say which revision it is)")
	}
	exp, err := ReadExport(r)
	if err != nil {
		return nil, nil, err
	}
	ed := Edition{Name: meta.Name, Source: meta.Source, AsOf: meta.AsOf, SHA256: exp.SHA256, Rows: len(exp.Rows)}
	ix, err := Build(exp.Rows, ed, fsys)
	if err != nil {
		return nil, nil, fmt.Errorf("import: %w", err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, nil, err
	}
	if _, err := zw.Write(exp.Raw); err != nil {
		return nil, nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	e := &models.HTSEdition{Name: meta.Name, Source: meta.Source, AsOf: meta.AsOf, SHA256: exp.SHA256,
		Rows: len(exp.Rows), Lines: ix.Len(), ExportGzip: gz.Bytes()}
	if err := models.CreateHTSEdition(ctx, db, e); err != nil {
		return nil, nil, err
	}
	ix.edition.ImportedAt = e.ImportedAt
	return ix, e, nil
}
