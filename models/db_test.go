package models_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

var ctx = context.Background()

func TestMigrateIsIdempotentAndComplete(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	if err := models.Migrate(ctx, db); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	pending, err := models.PendingMigrations(ctx, db)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending after migrate: %v %v", pending, err)
	}
	for _, table := range []string{"users", "login_sessions", "login_failures", "password_resets", "topics", "workshops", "workshop_topics", "sessions", "emails", "schema_migrations"} {
		if !db.Migrator().HasTable(table) {
			t.Errorf("table %s missing", table)
		}
	}
}

func TestMigrateFreshDSNReportsPending(t *testing.T) {
	t.Parallel()
	db, err := models.Open(testdb.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	pending, err := models.PendingMigrations(ctx, db)
	if err != nil || len(pending) == 0 || pending[0] != "0001_init" {
		t.Fatalf("fresh database: got %v %v", pending, err)
	}
}

// TestSQLitePathWithURICharacters: a path with "#", "%" or "?" (a
// repeated subtest's temporary directory has "#01") opens that very file,
// not the path cut at the character, for the writer and the readers.
func TestSQLitePathWithURICharacters(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "Test#01 50%?x")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "app.db")
	db, err := models.Open("sqlite:" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	if err := db.Exec("CREATE TABLE marks (n integer)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO marks (n) VALUES (7)").Error; err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Raw("SELECT n FROM marks").Scan(&n).Error; err != nil || n != 7 { // a read: the reader pool
		t.Fatalf("read back through the readers: %d, %v", n, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("the database is not at %s: %v", path, err)
	}
	if entries, err := os.ReadDir(filepath.Dir(dir)); err != nil || len(entries) != 1 {
		t.Errorf("files beside the directory: %v (%v), want only the directory", entries, err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	db, err := models.Open("sqlite:" + filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	var mode string
	var fk, busy int
	db.Raw("PRAGMA journal_mode").Scan(&mode)
	db.Raw("PRAGMA foreign_keys").Scan(&fk)
	db.Raw("PRAGMA busy_timeout").Scan(&busy)
	if mode != "wal" || fk != 1 || busy < 5000 {
		t.Errorf("pragmas: journal_mode=%s foreign_keys=%d busy_timeout=%d", mode, fk, busy)
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{"mysql://x", "sqlite:", "hsworkshop.db"} {
		if _, err := models.Open(dsn); err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

// counter is a one-row table the locking test increments.
type counter struct {
	ID uint
	N  int
}

// readThenWrite runs workers×rounds transactions that each read the counter
// and write it back plus one, from two independent connection pools on one
// file (like two processes). It returns the errors seen and the final value.
func readThenWrite(t *testing.T, dsn string, workers, rounds int) ([]error, int) {
	t.Helper()
	open := func() *gorm.DB {
		db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(1)
		t.Cleanup(func() { sqlDB.Close() })
		return db
	}
	a, b := open(), open()
	if err := a.AutoMigrate(&counter{}); err != nil {
		t.Fatal(err)
	}
	a.Create(&counter{ID: 1})
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		db := a
		if w%2 == 1 {
			db = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				err := db.Transaction(func(tx *gorm.DB) error {
					var c counter
					if err := tx.First(&c, 1).Error; err != nil {
						return err
					}
					time.Sleep(time.Millisecond) // widen the read-to-write window
					return tx.Model(&c).Update("n", c.N+1).Error
				})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	var c counter
	a.First(&c, 1)
	return errs, c.N
}

// TestSQLiteImmediateTransactions shows that with _txlock=immediate a
// read-then-write transaction never fails with "database is locked" and no
// update is lost, while the default deferred lock (the negative control)
// does fail under the same load.
func TestSQLiteImmediateTransactions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	errs, n := readThenWrite(t, models.SQLiteDSN(filepath.Join(dir, "immediate.db")), 4, 15)
	if len(errs) != 0 || n != 60 {
		t.Fatalf("immediate: %d errors (first: %v), counter %d, want 0 errors and 60", len(errs), first(errs), n)
	}
	deferred := strings.Replace(models.SQLiteDSN(filepath.Join(dir, "deferred.db")), "_txlock=immediate", "_txlock=deferred", 1)
	errs, n = readThenWrite(t, deferred, 4, 15)
	if len(errs) == 0 && n == 60 {
		t.Fatal("negative control: deferred transactions never conflicted; the test cannot tell the modes apart")
	}
	t.Logf("deferred control: %d errors, counter %d (first: %v)", len(errs), n, first(errs))
}

func first(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

func TestEnqueueEmailOncePerKey(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	queued := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := models.EnqueueEmail(ctx, db, &models.Email{Kind: "k", DedupeKey: "order:1:confirmation", ToAddr: "a@example.com", Subject: "s", TextBody: "b"})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				queued++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	ms, _ := models.ListEmails(ctx, db, 10)
	if queued != 1 || len(ms) != 1 {
		t.Fatalf("queued %d, stored %d; want 1 and 1", queued, len(ms))
	}
}

func TestPasswordResetIsSingleUseUnderRace(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	u := &models.User{Email: "r@example.com", Name: "R"}
	if err := models.CreateUser(ctx, db, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	token, _, err := models.CreatePasswordReset(ctx, db, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]error, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = models.ConsumePasswordReset(ctx, db, token, fmt.Sprintf("hash-%d", i), now)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, models.ErrNotFound):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d consumers succeeded, want exactly 1", ok)
	}
}

func TestLoginSessionExpiry(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	u := &models.User{Email: "s@example.com", Name: "S"}
	if err := models.CreateUser(ctx, db, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	token, err := models.CreateLoginSession(ctx, db, u.ID, "ip", "ua", now)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := models.FindLoginSession(ctx, db, token, now.Add(time.Hour)); err != nil || s.User.Email != u.Email {
		t.Fatalf("live session: %v", err)
	}
	if _, err := models.FindLoginSession(ctx, db, token, now.Add(models.LoginSessionTTL+time.Minute)); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("expired session: got %v, want ErrNotFound", err)
	}
	if err := models.PruneAuth(ctx, db, now.Add(models.LoginSessionTTL+time.Minute)); err != nil {
		t.Fatal(err)
	}
	var n int64
	db.Model(&models.LoginSession{}).Count(&n)
	if n != 0 {
		t.Errorf("pruned sessions left: %d", n)
	}
}

func TestCatalogQueries(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	tp := models.Topic{Slug: "htsus", Name: "HTSUS"}
	db.Create(&tp)
	w1 := models.Workshop{Slug: "a", Title: "A", Summary: "s", DescriptionMD: "d", DurationMinutes: 60, DefaultPriceMinor: 1, Currency: "USD", Topics: []models.Topic{tp}}
	w2 := models.Workshop{Slug: "b", Title: "B", Summary: "s", DescriptionMD: "d", DurationMinutes: 60, DefaultPriceMinor: 1, Currency: "USD"}
	db.Create(&w1)
	db.Create(&w2)
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	mk := func(w uint, status models.SessionStatus, days int) *models.Session {
		start := now.AddDate(0, 0, days)
		s := &models.Session{WorkshopID: w, StartsAt: start, EndsAt: start.Add(time.Hour), TimeZone: "UTC", Format: models.FormatVirtual,
			Capacity: 5, PriceMinor: 100, Currency: "USD", Status: status, RegistrationClosesAt: start}
		if err := models.CreateSession(ctx, db, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	mk(w1.ID, models.StatusPublished, 5)
	mk(w2.ID, models.StatusPublished, 3)
	draft := mk(w1.ID, models.StatusDraft, 4)
	mk(w1.ID, models.StatusPublished, -1)
	all, err := models.ListUpcomingSessions(ctx, db, now, models.SessionFilter{})
	if err != nil || len(all) != 2 || all[0].WorkshopID != w2.ID {
		t.Fatalf("upcoming: %v, %d sessions", err, len(all))
	}
	byTopic, err := models.ListUpcomingSessions(ctx, db, now, models.SessionFilter{Topic: "htsus"})
	if err != nil || len(byTopic) != 1 || byTopic[0].Workshop.Slug != "a" || len(byTopic[0].Workshop.Topics) != 1 {
		t.Fatalf("by topic: %v %+v", err, byTopic)
	}
	if _, err := models.FindPublishedSession(ctx, db, draft.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("draft: got %v, want ErrNotFound", err)
	}
	if _, err := models.FindWorkshopBySlug(ctx, db, "zzz"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown workshop: got %v", err)
	}
	bad := &models.Session{WorkshopID: w1.ID, TimeZone: "Nowhere"}
	var ve *models.ValidationError
	if err := models.CreateSession(ctx, db, bad); !errors.As(err, &ve) || !errors.Is(err, models.ErrInvalid) {
		t.Errorf("invalid session: got %v", err)
	}
	if err := models.CreateUser(ctx, db, &models.User{Email: "dup@example.com", Name: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := models.CreateUser(ctx, db, &models.User{Email: "DUP@example.com", Name: "y"}); !errors.Is(err, models.ErrConflict) {
		t.Errorf("duplicate email: got %v, want ErrConflict", err)
	}
}
