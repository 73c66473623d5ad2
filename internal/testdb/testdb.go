// Package testdb gives each test its own freshly migrated database: a SQLite
// file in t.TempDir() by default, or, when TEST_DATABASE_URL names a
// PostgreSQL database, a private schema in it that is dropped afterwards.
// The same tests therefore run unchanged on both databases.
//
// It imports models only, and only tests import it.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// EnvVar names the variable that switches tests to PostgreSQL.
const EnvVar = "TEST_DATABASE_URL"

// Postgres reports whether this run targets PostgreSQL.
func Postgres() bool {
	u := os.Getenv(EnvVar)
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Open returns a migrated, empty database for t and its DATABASE_URL.
func Open(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	dsn := DSN(t)
	db, err := models.Open(dsn)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	if err := models.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db, dsn
}

// DSN returns a DATABASE_URL for a fresh, empty, unmigrated database.
func DSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return "sqlite:" + filepath.Join(t.TempDir(), "app.db")
	}
	base := os.Getenv(EnvVar)
	admin, err := models.Open(base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvVar, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = models.Close(admin)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
