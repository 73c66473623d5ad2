package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/models"
)

// TestRunWhileWriting copies a database that a writer keeps changing: the
// copy holds every row committed before the backup began, passes
// integrity_check, and its rows are a prefix of what was written (one
// consistent snapshot, not a mix).
func TestRunWhileWriting(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	db, err := models.Open("sqlite:" + src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	ctx := context.Background()
	if err := db.Exec("CREATE TABLE rows (n INTEGER PRIMARY KEY, pad TEXT NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	var committed atomic.Int64 // rows 1..committed are committed
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := int64(1); ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.Exec("INSERT INTO rows (n, pad) VALUES (?, ?)", n, strings.Repeat("x", 500)).Error; err != nil {
				writeErr = err
				return
			}
			committed.Store(n)
		}
	}()
	for committed.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	before := committed.Load()
	dest := filepath.Join(dir, "copy.db")
	res, err := Run(ctx, "sqlite:"+src, dest, Options{})
	after := committed.Load()
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Path != dest || res.Bytes <= 0 {
		t.Errorf("result: got %+v, want path %s and a size", res, dest)
	}
	cp, err := models.Open("sqlite:" + dest)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(cp) //nolint:errcheck // test
	var count, maxN int64
	if err := cp.Raw("SELECT COUNT(*), COALESCE(MAX(n), 0) FROM rows").Row().Scan(&count, &maxN); err != nil {
		t.Fatal(err)
	}
	if count < before {
		t.Errorf("rows in copy: got %d, want at least the %d committed before the backup", count, before)
	}
	if count > after+1 {
		t.Errorf("rows in copy: got %d, want at most %d (committed by the end)", count, after+1)
	}
	if count != maxN {
		t.Errorf("copy is not a prefix: got %d rows with max n %d", count, maxN)
	}
	var ok string
	if err := cp.Raw("PRAGMA integrity_check").Row().Scan(&ok); err != nil {
		t.Fatal(err)
	}
	if ok != "ok" {
		t.Errorf("integrity_check: got %q, want ok", ok)
	}
	leftovers, err := filepath.Glob(filepath.Join(dir, ".copy.db.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestRunRefusals(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	db, err := models.Open("sqlite:" + src)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE TABLE t (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if err := models.Close(db); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	if _, err := Run(ctx, "postgres://u@localhost/db", filepath.Join(dir, "pg.db"), Options{}); !errors.Is(err, ErrPostgres) {
		t.Errorf("postgres: got %v, want ErrPostgres", err)
	} else if !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("postgres error: got %q, want it to name pg_dump", err)
	}
	if _, err := Run(ctx, "sqlite:"+src, existing, Options{}); !errors.Is(err, ErrExists) {
		t.Errorf("existing destination: got %v, want ErrExists", err)
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "keep me" {
		t.Errorf("existing destination changed: got %q, %v", b, err)
	}
	if _, err := Run(ctx, "sqlite:"+src, src, Options{Replace: true}); err == nil {
		t.Error("backup onto the database itself: got nil error, want one")
	}
	missing := filepath.Join(dir, "missing.db")
	if _, err := Run(ctx, "sqlite:"+missing, filepath.Join(dir, "m.db"), Options{}); err == nil {
		t.Error("missing database: got nil error, want one")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing database was created: stat got %v", err)
	}
	if _, err := Run(ctx, "sqlite:"+src, existing, Options{Replace: true}); err != nil {
		t.Errorf("replace: got %v, want nil", err)
	}
}
