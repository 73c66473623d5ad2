package faults

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBackupWhileOrdersFlow runs `hsworkshop backup FILE` against a live
// SQLite database while orders keep arriving. The copy passes
// integrity_check, holds every order acknowledged before the backup began
// and nothing the live database lacks, keeps seats_taken consistent, and a
// server started on it answers /healthz and takes orders.
func TestBackupWhileOrdersFlow(t *testing.T) {
	sqliteOnly(t)
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "live.db")
	if out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "seed"); err != nil {
		t.Fatalf("hsworkshop seed: %v\n%s", err, out)
	}
	live := openDB(t, dsn)
	sid := prepareSession(t, live, 100000)
	srv := startServer(t, "live server", "DATABASE_URL="+dsn)

	type ack struct {
		ref string
		at  time.Time // when the 201 arrived
	}
	var (
		mu    sync.Mutex
		acks  []ack
		stop  atomic.Bool
		n     atomic.Int64
		wg    sync.WaitGroup
		wrong []string
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				r := placeOrder(srv.URL, sid, "invoice", fmt.Sprintf("bk-%d", n.Add(1)))
				mu.Lock()
				if r.Status == http.StatusCreated {
					acks = append(acks, ack{r.ID, time.Now()})
				} else {
					wrong = append(wrong, fmt.Sprintf("%d %v %s", r.Status, r.Err, r.Body))
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Second)
	copyPath := filepath.Join(dir, "backup.db")
	began := time.Now()
	out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "backup", copyPath)
	took := time.Since(began)
	time.Sleep(300 * time.Millisecond) // orders keep flowing after the backup
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("hsworkshop backup: %v\n%s", err, out)
	}
	if len(wrong) > 0 {
		t.Errorf("%d orders not accepted during the backup, first: %s", len(wrong), wrong[0])
	}
	var before []string
	for _, a := range acks {
		if a.at.Before(began) {
			before = append(before, a.ref)
		}
	}
	t.Logf("backup took %v; %d orders acknowledged before it began, %d in all", took.Round(time.Millisecond), len(before), len(acks))
	if len(before) == 0 {
		t.Fatal("no order was acknowledged before the backup began; the load did not run")
	}

	cp := openDB(t, "sqlite:"+copyPath)
	var integrity []string
	if err := cp.Raw("PRAGMA integrity_check").Scan(&integrity).Error; err != nil {
		t.Fatal(err)
	}
	if len(integrity) != 1 || integrity[0] != "ok" {
		t.Errorf("integrity_check of the backup: got %v, want [ok]", integrity)
	}
	var inCopy []string
	if err := cp.Raw("SELECT ref FROM orders").Scan(&inCopy).Error; err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, r := range inCopy {
		has[r] = true
	}
	missing := 0
	for _, r := range before {
		if !has[r] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("backup: %d of %d orders acknowledged before it began are missing", missing, len(before))
	}
	var liveRefs []string
	if err := live.Raw("SELECT ref FROM orders").Scan(&liveRefs).Error; err != nil {
		t.Fatal(err)
	}
	inLive := map[string]bool{}
	for _, r := range liveRefs {
		inLive[r] = true
	}
	for _, r := range inCopy {
		if !inLive[r] {
			t.Errorf("backup holds order %s, which the live database does not", r)
		}
	}
	if len(inCopy) > len(liveRefs) {
		t.Errorf("backup: got %d orders, want at most the live %d", len(inCopy), len(liveRefs))
	}
	checkSeatInvariant(t, cp)

	// The restored copy starts and serves what it holds.
	var taken, capacity int
	if err := cp.Raw("SELECT seats_taken, capacity FROM sessions WHERE id = ?", sid).Row().Scan(&taken, &capacity); err != nil {
		t.Fatal(err)
	}
	restored := startServer(t, "restored server", "DATABASE_URL=sqlite:"+copyPath)
	if got := seatsLeft(t, restored.URL, sid); got != capacity-taken {
		t.Errorf("restored server seats_left: got %d, want %d", got, capacity-taken)
	}
	if r := placeOrder(restored.URL, sid, "invoice", "on-restored"); r.Status != http.StatusCreated {
		t.Errorf("order on the restored server: got %d %s, want 201", r.Status, r.Body)
	}
}

// TestBackupCommandRefusals: PostgreSQL is pointed to pg_dump, and an
// existing file is not overwritten without -replace.
func TestBackupCommandRefusals(t *testing.T) {
	sqliteOnly(t)
	dir := t.TempDir()
	out, err := runCLI(t, []string{"DATABASE_URL=postgres://u@127.0.0.1:1/db"}, "backup", filepath.Join(dir, "x.db"))
	if err == nil || !strings.Contains(out, "pg_dump") {
		t.Errorf("backup on PostgreSQL: got err %v, output %q; want a failure naming pg_dump", err, out)
	}
	dsn := "sqlite:" + filepath.Join(dir, "live.db")
	if out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "migrate"); err != nil {
		t.Fatalf("hsworkshop migrate: %v\n%s", err, out)
	}
	dest := filepath.Join(dir, "b.db")
	if out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "backup", dest); err != nil {
		t.Fatalf("first backup: %v\n%s", err, out)
	}
	if out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "backup", dest); err == nil {
		t.Errorf("second backup to the same file: got success %q, want a refusal", out)
	}
	if out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "backup", "-replace", dest); err != nil {
		t.Errorf("backup -replace: %v\n%s", err, out)
	}
	if out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "backup"); err == nil || !strings.Contains(out, "usage") {
		t.Errorf("backup without FILE: got err %v, output %q; want the usage", err, out)
	}
}
