package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"
)

// utcNow is GORM's clock: every timestamp it writes is UTC.
func utcNow() time.Time { return time.Now().UTC() }

// Dialect names the database behind a *gorm.DB.
func Dialect(db *gorm.DB) string { return db.Dialector.Name() }

// IsPostgres reports whether db talks to PostgreSQL.
func IsPostgres(db *gorm.DB) bool { return Dialect(db) == "postgres" }

// SQLiteDSN turns a file path into the DSN with the pragmas the app relies on:
// WAL for concurrent readers, a busy timeout, foreign keys, and BEGIN IMMEDIATE
// so that a read-then-write transaction holds the write lock from its start and
// can never fail half-way with "database is locked".
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	q.Set("_stmt_cache_size", sqliteStmtCache)
	return "file:" + sqliteURIPath(path) + "?" + q.Encode()
}

// sqliteURIPath escapes the characters that mean something in a file: URI
// (a query, a fragment, an escape), so a path such as a test's temporary
// directory "TestX#01" names that file and not "TestX".
func sqliteURIPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
}

// sqliteStmtCache is how many prepared statements each SQLite connection
// keeps (the driver's cache): compiling a statement again for every use
// cost a tenth of a seat claim's CPU, most of it while holding the writer.
const sqliteStmtCache = "128"

// postgresReaders is the size of PostgreSQL's read pool, beside the 25
// connections of the writer pool.
const postgresReaders = 10

// sqliteReaders is the size of SQLite's read pool (reads are CPU-bound
// on a small machine; more connections than cores only queue in SQLite).
const sqliteReaders = 4

// sqliteReaderDSN is SQLiteDSN for the read pool: the same pragmas, but
// query-only and with deferred transactions, so a reader never takes the
// write lock.
func sqliteReaderDSN(path string) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_query_only", "true")
	q.Set("_synchronous", "NORMAL")
	q.Set("_stmt_cache_size", sqliteStmtCache)
	return "file:" + sqliteURIPath(path) + "?" + q.Encode()
}

// Open connects to the database named by a DATABASE_URL value:
// "sqlite:PATH" or "postgres://…" (also "postgresql://…").
func Open(dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		NowFunc:        utcNow,
		Logger:         logger.Discard,
	}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("open sqlite: empty path")
		}
		db, err := gorm.Open(sqlite.Open(SQLiteDSN(path)), cfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		// One connection: SQLite has a single writer, and one pooled
		// connection turns lock contention into an orderly queue.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetConnMaxIdleTime(0)
		// Reads outside a transaction go to a pool of read-only
		// connections beside the writer (WAL lets them run while it
		// writes), so page views never queue behind a seat claim.
		// Transactions and writes stay on the single writer.
		rdb, err := sql.Open("sqlite3", sqliteReaderDSN(path))
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s readers: %w", path, err)
		}
		rdb.SetMaxOpenConns(sqliteReaders)
		rdb.SetMaxIdleConns(sqliteReaders)
		rdb.SetConnMaxIdleTime(0)
		readers := dbresolver.Register(dbresolver.Config{
			Replicas: []gorm.Dialector{sqlite.New(sqlite.Config{DriverName: "sqlite3", Conn: rdb})},
		})
		if err := db.Use(readers); err != nil {
			return nil, errors.Join(fmt.Errorf("open sqlite %s readers: %w", path, err), rdb.Close())
		}
		if err := db.Use(&readPool{rdb}); err != nil {
			return nil, errors.Join(fmt.Errorf("open sqlite %s readers: %w", path, err), rdb.Close())
		}
		return db, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err := gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Idle connections are few and short-lived: several instances (and
		// the test suite's many apps) share one server's max_connections.
		sqlDB.SetMaxOpenConns(25)
		sqlDB.SetMaxIdleConns(4)
		sqlDB.SetConnMaxIdleTime(time.Minute)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		// Reads outside a transaction get a pool of their own on the same
		// server, so page views never wait for a connection that a queue
		// of seat claims (each waiting on the session's row lock) holds.
		// Same server, so a read sees every committed write at once.
		rdb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres readers: %w", err)
		}
		rdb.SetMaxOpenConns(postgresReaders)
		rdb.SetMaxIdleConns(2)
		rdb.SetConnMaxIdleTime(time.Minute)
		rdb.SetConnMaxLifetime(30 * time.Minute)
		readers := dbresolver.Register(dbresolver.Config{
			Replicas: []gorm.Dialector{postgres.New(postgres.Config{Conn: rdb})},
		})
		if err := db.Use(readers); err != nil {
			return nil, errors.Join(fmt.Errorf("open postgres readers: %w", err), rdb.Close())
		}
		if err := db.Use(&readPool{rdb}); err != nil {
			return nil, errors.Join(fmt.Errorf("open postgres readers: %w", err), rdb.Close())
		}
		return db, nil
	}
	return nil, fmt.Errorf("open database: DATABASE_URL must start with sqlite: or postgres://")
}

// Ping checks that the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// readPool is a GORM plugin that only keeps the read pool, so that
// Close can close it beside the writer.
type readPool struct{ db *sql.DB }

// Name names the plugin.
func (*readPool) Name() string { return "hsworkshop:sqlite-readers" }

// Initialize does nothing: dbresolver routes the reads.
func (*readPool) Initialize(*gorm.DB) error { return nil }

// Close closes the pools behind db (the writer and, on SQLite, the readers).
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("close: %w", err)
	}
	var rerr error
	if p, ok := db.Config.Plugins[(&readPool{}).Name()].(*readPool); ok {
		rerr = p.db.Close()
	}
	return errors.Join(sqlDB.Close(), rerr)
}
