package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// HTSEdition is an imported edition of the USITC HTS export: the file
// itself (gzipped) with what it is and where it came from. The newest one
// is what the tariff browser shows; with none, the bundled 2025 export is.
type HTSEdition struct {
	ID uint
	// Name is the edition as cited, e.g. "2026 HTSUS, Revision 20".
	Name string
	// Source says where the file came from.
	Source string
	// AsOf is the date or month the edition holds as of.
	AsOf string
	// SHA256 is the hex digest of the uncompressed export.
	SHA256 string `gorm:"column:sha256"`
	// Rows is the number of data rows; Lines the number of index lines built.
	Rows  int
	Lines int
	// ExportGzip is the export, gzip-compressed.
	ExportGzip []byte
	ImportedAt time.Time
}

// TableName pins the table created by migration 0003.
func (HTSEdition) TableName() string { return "hts_editions" }

// Validate checks the fields a person supplies.
func (e *HTSEdition) Validate() error {
	fields := map[string]string{}
	if strings.TrimSpace(e.Name) == "" {
		fields["edition"] = "An edition name is required, e.g. \"2026 HTSUS, Revision 20\"."
	} else if len(e.Name) > 200 {
		fields["edition"] = "The edition name is longer than 200 characters."
	}
	if len(e.Source) > 500 {
		fields["source"] = "The source is longer than 500 characters."
	}
	if len(e.AsOf) > 40 {
		fields["as_of"] = "The as-of date is longer than 40 characters."
	}
	if len(e.SHA256) != 64 {
		fields["sha256"] = "The digest must be 64 hex digits."
	}
	if len(e.ExportGzip) == 0 {
		fields["file"] = "The export is empty."
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// CreateHTSEdition stores an edition in one transaction, so a failed import
// leaves nothing behind. The same file imported twice is ErrConflict.
func CreateHTSEdition(ctx context.Context, db *gorm.DB, e *HTSEdition) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.ImportedAt.IsZero() {
		e.ImportedAt = utcNow()
	}
	e.ImportedAt = e.ImportedAt.UTC()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var prior HTSEdition
		err := tx.Select("id", "name").Where("sha256 = ?", e.SHA256).Take(&prior).Error
		if err == nil {
			return fmt.Errorf("import HTS edition: this file was already imported as %q (edition %d): %w", prior.Name, prior.ID, ErrConflict)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("import HTS edition: %w", err)
		}
		return translate(tx.Create(e).Error, "import HTS edition %q", e.Name)
	})
}

// LatestHTSEdition returns the most recently imported edition, with its
// file; ErrNotFound when none was imported.
func LatestHTSEdition(ctx context.Context, db *gorm.DB) (*HTSEdition, error) {
	var e HTSEdition
	err := db.WithContext(ctx).Order("imported_at DESC, id DESC").Take(&e).Error
	if err != nil {
		return nil, translate(err, "latest HTS edition")
	}
	return &e, nil
}

// ListHTSEditions lists the imported editions, newest first, without their
// files.
func ListHTSEditions(ctx context.Context, db *gorm.DB) ([]HTSEdition, error) {
	var es []HTSEdition
	err := db.WithContext(ctx).Omit("export_gzip").Order("imported_at DESC, id DESC").Find(&es).Error
	if err != nil {
		return nil, fmt.Errorf("list HTS editions: %w", err)
	}
	return es, nil
}
