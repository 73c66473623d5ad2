// Package testdb gives each test its own freshly migrated database: a SQLite
// file in t.TempDir() by default, or, when TEST_DATABASE_URL names a
// PostgreSQL database, a private schema in it that is dropped afterwards.
// The same tests therefore run unchanged on both databases.
//
// Migrating costs far more than copying (on PostgreSQL a migration is
// hundreds of catalog round trips), so each test binary migrates one
// template the first time a test asks and every Open copies it: on SQLite
// the template file's bytes, on PostgreSQL the template schema as pg_dump
// writes it, replayed into the test's schema in one round trip. The
// template itself is removed as soon as it is captured. TestTemplateMatchesMigrate
// checks that a copy has exactly the tables, columns, indexes, triggers and
// rows of a migrated database.
//
// It imports models only, and only tests import it.
package testdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// Open returns a migrated, empty database for t and its DATABASE_URL (a
// copy of the test binary's migrated template).
func Open(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	var dsn string
	if Postgres() {
		dsn = pgClone(t)
	} else {
		dsn = sqliteClone(t)
	}
	return openDSN(t, dsn), dsn
}

// openDSN opens dsn for t and closes it when t ends.
func openDSN(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	db, err := models.Open(dsn)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	return db
}

// OpenMigrated is Open without the template: a fresh database migrated
// step by step, for the test that compares the two.
func OpenMigrated(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	dsn := DSN(t)
	db := openDSN(t, dsn)
	if err := models.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db, dsn
}

// Snapshot is a test database's content at one moment (schema and rows),
// from which Open makes independent copies: a fixture built once and
// handed fresh to several subtests.
type Snapshot struct {
	sqlite []byte
	pg     pgTemplate
}

// Take snapshots db (a database from Open). On PostgreSQL without pg_dump
// it returns nil, and the caller builds its fixture again instead.
func Take(t testing.TB, db *gorm.DB) *Snapshot {
	t.Helper()
	if !Postgres() {
		path := filepath.Join(t.TempDir(), "snapshot.db")
		// A consistent copy even while the pools are open.
		if err := db.Exec("VACUUM INTO ?", path).Error; err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		b, err := os.ReadFile(path) // #nosec G304 -- a path in the test's own temporary directory
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		return &Snapshot{sqlite: b}
	}
	var schema string
	if err := db.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	script, note := pgDump(schema)
	if script == "" {
		t.Logf("testdb: no snapshot (%s)", note)
		return nil
	}
	return &Snapshot{pg: pgTemplate{script: script, name: schema}}
}

// Open returns a new database with the snapshot's content, and its
// DATABASE_URL.
func (s *Snapshot) Open(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	var dsn string
	if s.sqlite != nil {
		dsn = writeSQLite(t, s.sqlite)
	} else {
		dsn = pgReplay(t, s.pg)
	}
	return openDSN(t, dsn), dsn
}

// DSN returns a DATABASE_URL for a fresh, empty, unmigrated database.
func DSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return "sqlite:" + filepath.Join(t.TempDir(), "app.db")
	}
	schema := newSchema(t)
	if _, err := pgAdmin(t).Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	return schemaDSN(t, schema)
}

// SQLite.

// sqliteTemplate is the migrated template file's bytes, made once per
// test binary in a directory that is removed at once.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "hsw-testdb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	db, err := models.Open("sqlite:" + path)
	if err != nil {
		return nil, err
	}
	err = models.Migrate(context.Background(), db)
	if err == nil {
		// Everything into the main file, so the file alone is the database.
		err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	if cerr := models.Close(db); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite template: %w", err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("sqlite template: %d bytes left in the WAL after closing", fi.Size())
	}
	return os.ReadFile(path) // #nosec G304 -- a path this function made
})

func sqliteClone(t testing.TB) string {
	t.Helper()
	b, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("migrate the template database: %v", err)
	}
	return writeSQLite(t, b)
}

// writeSQLite writes a database file's bytes into t's directory.
func writeSQLite(t testing.TB, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatalf("copy the template database: %v", err)
	}
	return "sqlite:" + path
}

// PostgreSQL.

// pgAdmin is one small pool on TEST_DATABASE_URL for creating and dropping
// the tests' schemas, shared by the whole test binary.
var pgAdminPool = sync.OnceValues(func() (*sql.DB, error) {
	db, err := sql.Open("pgx", os.Getenv(EnvVar))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return db, nil
})

func pgAdmin(t testing.TB) *sql.DB {
	t.Helper()
	db, err := pgAdminPool()
	if err != nil {
		t.Fatalf("open %s: %v", EnvVar, err)
	}
	return db
}

// newSchema names a schema for t and drops it (with everything in it)
// when t ends.
func newSchema(t testing.TB) string {
	t.Helper()
	admin := pgAdmin(t)
	schema := "t_" + randomHex(6)
	t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE") })
	return schema
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// schemaDSN is TEST_DATABASE_URL with schema as the search path. Commits
// do not wait for the WAL flush (synchronous_commit off): a test's data
// need not survive a crash of the PostgreSQL server, only be visible to
// every other connection at once, which it is.
func schemaDSN(t testing.TB, schema string) string {
	t.Helper()
	u, err := url.Parse(os.Getenv(EnvVar))
	if err != nil {
		t.Fatalf("parse %s: %v", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// pgTemplate is the SQL that recreates the migrated template schema
// (named pgTemplateName in it), or "" when pg_dump is not at hand, in
// which case every test migrates its own schema as before.
type pgTemplate struct {
	script string
	name   string
	note   string // why there is no script
}

var pgTemplateOnce = sync.OnceValues(func() (pgTemplate, error) {
	admin, err := pgAdminPool()
	if err != nil {
		return pgTemplate{}, err
	}
	name := "hsw_tmpl_" + randomHex(8)
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		return pgTemplate{}, fmt.Errorf("create template schema: %w", err)
	}
	defer func() { _, _ = admin.Exec("DROP SCHEMA IF EXISTS " + name + " CASCADE") }()
	u, err := url.Parse(os.Getenv(EnvVar))
	if err != nil {
		return pgTemplate{}, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	db, err := models.Open(u.String())
	if err != nil {
		return pgTemplate{}, err
	}
	err = models.Migrate(context.Background(), db)
	if cerr := models.Close(db); err == nil {
		err = cerr
	}
	if err != nil {
		return pgTemplate{}, fmt.Errorf("migrate template schema: %w", err)
	}
	script, note := pgDump(name)
	return pgTemplate{script: script, name: name, note: note}, nil
})

// pgDump returns the SQL that recreates schema (tables, sequences,
// functions, triggers and rows), without psql's backslash commands, or a
// note on why it could not.
func pgDump(schema string) (string, string) {
	u, err := url.Parse(os.Getenv(EnvVar))
	if err != nil {
		return "", err.Error()
	}
	// libpq takes only its own URI parameters.
	q := url.Values{}
	for k, v := range u.Query() {
		switch k {
		case "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "password", "user", "host", "port", "dbname":
			q[k] = v
		}
	}
	u.RawQuery = q.Encode()
	var out, stderr bytes.Buffer
	// #nosec G204 G702 -- a test helper running pg_dump on the test database it was given
	cmd := exec.Command("pg_dump", "--schema="+schema, "--inserts", "--no-owner", "--no-privileges", "--dbname="+u.String())
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Sprintf("pg_dump: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var b strings.Builder
	b.WriteString("SET synchronous_commit = off;\n")
	for line := range strings.SplitSeq(out.String(), "\n") {
		if strings.HasPrefix(line, `\`) { // \restrict and \unrestrict are psql's
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if !strings.Contains(b.String(), "CREATE TABLE "+schema+".") {
		return "", "pg_dump wrote no tables"
	}
	return b.String(), ""
}

func pgClone(t testing.TB) string {
	t.Helper()
	tmpl, err := pgTemplateOnce()
	if err != nil {
		t.Fatalf("migrate the template schema: %v", err)
	}
	if tmpl.script == "" {
		// No pg_dump: migrate this test's schema step by step.
		t.Logf("testdb: migrating each schema (%s)", tmpl.note)
		_, dsn := OpenMigrated(t)
		return dsn
	}
	return pgReplay(t, tmpl)
}

// pgReplay recreates tmpl's schema under a new name for t.
func pgReplay(t testing.TB, tmpl pgTemplate) string {
	t.Helper()
	schema := newSchema(t)
	ctx := context.Background()
	conn, err := pgAdmin(t).Conn(ctx)
	if err != nil {
		t.Fatalf("copy the template schema: %v", err)
	}
	// The script sets session settings (an empty search path among them):
	// RESET ALL puts them back before the connection returns to the pool,
	// and a connection that failed half-way is thrown away.
	script := strings.ReplaceAll(tmpl.script, tmpl.name, schema) + "\nRESET ALL;\n" // #nosec G202 -- pg_dump's script of a schema this package made, under a name it made
	_, err = conn.ExecContext(ctx, script)
	if err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if cerr := conn.Close(); err == nil && !errors.Is(cerr, driver.ErrBadConn) {
		err = cerr
	}
	if err != nil {
		t.Fatalf("copy the template schema: %v", err)
	}
	return schemaDSN(t, schema)
}
