// Package backup takes consistent online copies of a live SQLite database
// (the "hsworkshop backup FILE" command). The copy is made with SQLite's
// VACUUM INTO, which reads one snapshot inside a read transaction: in WAL
// mode the server keeps writing while it runs, and the copy holds exactly
// the transactions committed before it began. PostgreSQL is refused with
// a pointer to pg_dump, which does the same job there.
//
// It imports models (to open the database with the app's pragmas) and
// nothing else from the project.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hsworkshop/hsworkshop/models"
)

// ErrPostgres is returned for a PostgreSQL DATABASE_URL: use pg_dump.
var ErrPostgres = errors.New("backup works on SQLite only; for PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file=hsworkshop.dump \"$DATABASE_URL\", and restore with pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" hsworkshop.dump")

// ErrExists is returned when the destination exists and Options.Replace is off.
var ErrExists = errors.New("destination exists")

// Options tune a backup.
type Options struct {
	// Replace lets an existing destination file be replaced (atomically).
	Replace bool
}

// Result describes a finished backup.
type Result struct {
	// Path is the backup file.
	Path string
	// Bytes is its size.
	Bytes int64
}

// Run copies the database named by databaseURL ("sqlite:PATH") to dest.
// The copy is written to a temporary file beside dest, checked with
// PRAGMA integrity_check, synced, and only then renamed to dest, so dest
// is either absent or a complete, verified backup.
func Run(ctx context.Context, databaseURL, dest string, opt Options) (Result, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return Result{}, ErrPostgres
	case !strings.HasPrefix(databaseURL, "sqlite:"):
		return Result{}, fmt.Errorf("backup: DATABASE_URL must be sqlite:PATH")
	}
	src := strings.TrimPrefix(databaseURL, "sqlite:")
	if dest == "" {
		return Result{}, errors.New("backup: no destination file given")
	}
	// Opening a missing file would create an empty database and back that up.
	if _, err := os.Stat(src); err != nil {
		return Result{}, fmt.Errorf("backup: database %s: %w", src, err)
	}
	if same, err := samePath(src, dest); err != nil {
		return Result{}, err
	} else if same {
		return Result{}, fmt.Errorf("backup: destination %s is the database itself", dest)
	}
	if _, err := os.Stat(dest); err == nil && !opt.Replace {
		return Result{}, fmt.Errorf("backup: %s: %w (choose a new name or replace it)", dest, ErrExists)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Result{}, fmt.Errorf("backup: %w", err)
	}
	tmp, err := tempName(dest)
	if err != nil {
		return Result{}, err
	}
	defer os.Remove(tmp) //nolint:errcheck // gone after the rename; cleans up on failure
	if err := vacuumInto(ctx, src, tmp); err != nil {
		return Result{}, err
	}
	if err := check(ctx, tmp); err != nil {
		return Result{}, err
	}
	if err := syncFile(tmp); err != nil {
		return Result{}, err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return Result{}, fmt.Errorf("backup: %w", err)
	}
	// The rename is durable only once the directory entry is on disk.
	if err := syncFile(filepath.Dir(dest)); err != nil {
		return Result{}, err
	}
	st, err := os.Stat(dest)
	if err != nil {
		return Result{}, fmt.Errorf("backup: %w", err)
	}
	return Result{Path: dest, Bytes: st.Size()}, nil
}

// vacuumInto writes a snapshot of src into the new file tmp.
func vacuumInto(ctx context.Context, src, tmp string) error {
	db, err := models.Open("sqlite:" + src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer models.Close(db) //nolint:errcheck // read-only use
	// VACUUM INTO takes its target as an expression, so it can be bound.
	if err := db.WithContext(ctx).Exec("VACUUM INTO ?", tmp).Error; err != nil {
		return fmt.Errorf("backup: vacuum into %s: %w", tmp, err)
	}
	return nil
}

// check runs PRAGMA integrity_check on the copy.
func check(ctx context.Context, path string) error {
	db, err := models.Open("sqlite:" + path)
	if err != nil {
		return fmt.Errorf("backup: open copy: %w", err)
	}
	defer models.Close(db) //nolint:errcheck // read-only use
	var rows []string
	if err := db.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&rows).Error; err != nil {
		return fmt.Errorf("backup: check copy: %w", err)
	}
	if len(rows) != 1 || rows[0] != "ok" {
		return fmt.Errorf("backup: copy failed integrity_check: %s", strings.Join(rows, "; "))
	}
	// The app opens the copy in WAL mode; fold any WAL the check left
	// behind into the main file so the single file is the whole backup.
	if err := db.WithContext(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
		return fmt.Errorf("backup: checkpoint copy: %w", err)
	}
	return nil
}

// tempName picks an unused name beside dest for the file being written.
func tempName(dest string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	name := f.Name()
	// VACUUM INTO wants a missing or empty file; remove ours so it creates it.
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	if err := os.Remove(name); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	return name, nil
}

// samePath reports whether a and b name the same file (b may not exist).
func samePath(a, b string) (bool, error) {
	aa, err := filepath.Abs(a)
	if err != nil {
		return false, fmt.Errorf("backup: %w", err)
	}
	bb, err := filepath.Abs(b)
	if err != nil {
		return false, fmt.Errorf("backup: %w", err)
	}
	if aa == bb {
		return true, nil
	}
	sa, err := os.Stat(aa)
	if err != nil {
		return false, fmt.Errorf("backup: %w", err)
	}
	sb, err := os.Stat(bb)
	if err != nil {
		return false, nil //nolint:nilerr // a missing destination is not the source
	}
	return os.SameFile(sa, sb), nil
}

// syncFile flushes a file or directory to stable storage.
func syncFile(path string) error {
	f, err := os.Open(path) // #nosec G304 -- path is the backup file or its directory, named by the operator on the command line
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close() //nolint:errcheck // opened read-only for Sync
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", path, err)
	}
	return nil
}
