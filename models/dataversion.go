package models

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"
)

// catalogVersionSQL reads the catalog's data version (one primary-key read).
const catalogVersionSQL = "SELECT version FROM data_versions WHERE name = 'catalog'"

// CatalogVersion is the data version of the public catalog pages: database
// triggers (migration 0012_perf) bump it in the same transaction as any
// change to sessions, workshops, topics or an instructor's public fields,
// so a page rendered at version v is current for as long as the row still
// reads v, on every instance sharing the database.
func CatalogVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	var v int64
	// Row().Scan reports a missing row (sql.ErrNoRows) instead of a zero.
	if err := db.WithContext(ctx).Raw(catalogVersionSQL).Row().Scan(&v); err != nil {
		return 0, fmt.Errorf("catalog version: %w", err)
	}
	return v, nil
}

// VersionReader reads CatalogVersion through a statement prepared once on
// the read pool: the page cache
// asks on every anonymous request, and GORM's per-query work was a quarter
// of a cached page's CPU.
type VersionReader struct{ stmt *sql.Stmt }

// NewVersionReader prepares the read.
func NewVersionReader(ctx context.Context, db *gorm.DB) (*VersionReader, error) {
	pool, err := readPoolOf(db)
	if err != nil {
		return nil, fmt.Errorf("catalog version: %w", err)
	}
	stmt, err := pool.PrepareContext(ctx, catalogVersionSQL)
	if err != nil {
		return nil, fmt.Errorf("catalog version: %w", err)
	}
	return &VersionReader{stmt: stmt}, nil
}

// Catalog returns the catalog's data version.
func (r *VersionReader) Catalog(ctx context.Context) (int64, error) {
	var v int64
	if err := r.stmt.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("catalog version: %w", err)
	}
	return v, nil
}

// Close releases the prepared statement.
func (r *VersionReader) Close() error { return r.stmt.Close() }

// readPoolOf is the read pool (SQLite and PostgreSQL both have one), or
// the one pool of a *gorm.DB opened elsewhere.
func readPoolOf(db *gorm.DB) (*sql.DB, error) {
	if p, ok := db.Config.Plugins[(&readPool{}).Name()].(*readPool); ok {
		return p.db, nil
	}
	return db.DB()
}
