package faults

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
)

const (
	adminEmail    = "admin@faults.example.com"
	adminPassword = "faults admin password, long enough"
)

// needPostgres skips the test unless TEST_DATABASE_URL names PostgreSQL,
// and returns a fresh seeded database for it.
func needPostgres(t *testing.T) string {
	t.Helper()
	if !testdb.Postgres() {
		t.Skip("TEST_DATABASE_URL is not a PostgreSQL URL; the PostgreSQL fault suites need one")
	}
	dsn := testdb.DSN(t)
	if out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "seed"); err != nil {
		t.Fatalf("hsworkshop seed: %v\n%s", err, out)
	}
	return dsn
}

// startPair starts two serve processes on one database, one after the
// other (so that only one of them applies migrations and creates the
// admin), with the extra env on both.
func startPair(t *testing.T, dsn string, env ...string) (*server, *server) {
	t.Helper()
	env = append([]string{"DATABASE_URL=" + dsn, "ADMIN_EMAIL=" + adminEmail, "ADMIN_PASSWORD=" + adminPassword,
		"JOBS_INTERVAL_SECONDS=1"}, env...)
	a := startServer(t, "process A", env...)
	b := startServer(t, "process B", env...)
	return a, b
}

// TestTwoProcessesOnePostgres runs two real serve processes on one
// PostgreSQL database behind a round-robin in the test: 200 orders for 13
// free seats sell exactly 13; the outbox senders of both processes deliver
// each message once; lapsed invoices are expired once (seats_taken falls by
// exactly their seats); and a login on one process is valid on the other.
func TestTwoProcessesOnePostgres(t *testing.T) {
	dsn := needPostgres(t)
	db := openDB(t, dsn)
	const free = 13
	orders := 200
	if heavy() {
		orders = 2000
	}
	sid := prepareSession(t, db, free)
	var takenBefore int
	if err := db.Raw("SELECT seats_taken FROM sessions WHERE id = ?", sid).Row().Scan(&takenBefore); err != nil {
		t.Fatal(err)
	}
	sink := newSMTPSink(t)
	a, b := startPair(t, dsn, "SMTP_URL="+sink.URL())
	procs := []*server{a, b}

	// Orders, round-robin over the two processes, 16 at a time.
	var (
		next    atomic.Int64
		mu      sync.Mutex
		codes   = map[int]int{}
		perProc = map[string]int{}
		refs    []string
		wg      sync.WaitGroup
	)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(orders) {
					return
				}
				p := procs[i%2]
				r := placeOrder(p.URL, sid, "invoice", fmt.Sprintf("pair-%d", i))
				mu.Lock()
				codes[r.Status]++
				if r.Status == http.StatusCreated {
					perProc[p.Name]++
					refs = append(refs, r.ID)
				} else if r.Status != http.StatusConflict {
					t.Errorf("order %d on %s: got %d %s (err %v), want 201 or 409", i, p.Name, r.Status, r.Body, r.Err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if codes[http.StatusCreated] != free || codes[http.StatusConflict] != orders-free {
		t.Errorf("answers: got %v, want %d×201 and %d×409", codes, free, orders-free)
	}
	t.Logf("201s per process: %v", perProc)
	var taken, live int
	if err := db.Raw("SELECT seats_taken FROM sessions WHERE id = ?", sid).Row().Scan(&taken); err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("SELECT COUNT(*) FROM orders WHERE session_id = ? AND ref IN ?", sid, append(refs, "none")).Row().Scan(&live); err != nil {
		t.Fatal(err)
	}
	if taken != takenBefore+free || live != len(refs) {
		t.Errorf("after the rush: got seats_taken %d and %d stored orders, want %d and %d", taken, live, takenBefore+free, len(refs))
	}
	for _, p := range procs {
		if left := seatsLeft(t, p.URL, sid); left != 0 {
			t.Errorf("%s seats_left: got %d, want 0", p.Name, left)
		}
	}
	checkSeatInvariant(t, db)

	// Six invoices lapse: both processes run the expiry job every second.
	if len(refs) < 6 {
		t.Fatalf("only %d orders placed; cannot test expiry", len(refs))
	}
	lapsing := refs[:6]
	if err := db.Exec("UPDATE orders SET hold_expires_at = ?, invoice_due_at = ? WHERE ref IN ?",
		time.Now().UTC().Add(-time.Minute), time.Now().UTC().Add(-time.Minute), lapsing).Error; err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "lapsed invoices expired", func() (bool, string) {
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM orders WHERE ref IN ? AND status = 'expired'", lapsing).Scan(&n).Error; err != nil {
			return false, err.Error()
		}
		return n == int64(len(lapsing)), fmt.Sprintf("%d of %d expired", n, len(lapsing))
	})
	if err := db.Raw("SELECT seats_taken FROM sessions WHERE id = ?", sid).Row().Scan(&taken); err != nil {
		t.Fatal(err)
	}
	if want := takenBefore + free - len(lapsing); taken != want {
		t.Errorf("after expiry: seats_taken got %d, want %d (each lapsed seat freed once)", taken, want)
	}
	checkSeatInvariant(t, db)

	// The two outbox senders deliver every message exactly once.
	if sent := checkOutboxOnce(t, db, sink, 40*time.Second); sent == 0 {
		t.Fatal("no email was sent: the orders queued no mail")
	}

	// A login on A is a login on B: sessions live in the database.
	checkLoginAcross(t, a, b)
}

// checkOutboxOnce waits up to within for the outbox to drain, compares
// it with what the SMTP sink received (one message per sent row, no
// Message-ID twice) and returns how many rows were sent.
func checkOutboxOnce(t *testing.T, db *gorm.DB, sink *smtpSink, within time.Duration) int64 {
	t.Helper()
	waitFor(t, within, "outbox drained", func() (bool, string) {
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM emails WHERE status <> 'sent'").Scan(&n).Error; err != nil {
			return false, err.Error()
		}
		return n == 0, fmt.Sprintf("%d emails not sent", n)
	})
	var sent int64
	if err := db.Raw("SELECT COUNT(*) FROM emails WHERE status = 'sent'").Scan(&sent).Error; err != nil {
		t.Fatal(err)
	}
	total, dups := sink.counts()
	if int64(total) != sent || len(dups) != 0 {
		t.Errorf("mail delivered: got %d messages (duplicates %v), want %d, one per outbox row", total, dups, sent)
	}
	return sent
}

// checkLoginAcross logs the admin in on a and opens the admin dashboard on b.
func checkLoginAcross(t *testing.T, a, b *server) {
	t.Helper()
	// Cookies ignore ports, so one jar serves both processes on 127.0.0.1.
	c := formClient(t, 20*time.Second)
	token := csrfToken(t, c, a.URL+"/login")
	form := url.Values{"_csrf": {token}, "email": {adminEmail}, "password": {adminPassword}}
	resp, err := c.PostForm(a.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("POST /login on A: got %d, want a redirect", resp.StatusCode)
	}
	resp, err = c.Get(b.URL + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /admin on B with A's login: got %d (Location %q), want 200", resp.StatusCode, resp.Header.Get("Location"))
	} else if !strings.Contains(string(body), "Log out") {
		t.Errorf("GET /admin on B: the page does not show a logged-in user")
	}
}

// TestPageCacheNotStaleAcrossProcesses guards the catalog page cache
// (issue 14, target 1): after an order on process A, process B must show
// the new seats_left at once. It passes today because nothing is cached;
// it must keep passing once the cache exists.
func TestPageCacheNotStaleAcrossProcesses(t *testing.T) {
	dsn := needPostgres(t)
	db := openDB(t, dsn)
	sid := prepareSession(t, db, 5)
	a, b := startPair(t, dsn)
	// Warm B (and any cache it keeps) before the order.
	before := seatsLeft(t, b.URL, sid)
	listSessions(t, b.URL)
	if code := getJSON(t, fmt.Sprintf("%s/sessions/%d", b.URL, sid), nil); code != http.StatusOK {
		t.Fatalf("GET /sessions/%d on B: got %d, want 200", sid, code)
	}
	for i := 1; i <= 2; i++ {
		r := placeOrder(a.URL, sid, "invoice", fmt.Sprintf("cache-%d", i))
		if r.Status != http.StatusCreated {
			t.Fatalf("order on A: got %d %s, want 201", r.Status, r.Body)
		}
		want := before - i
		if got := seatsLeft(t, b.URL, sid); got != want {
			t.Errorf("after order %d on A: B's /api/v1/sessions/%d seats_left got %d, want %d", i, sid, got, want)
		}
		found := false
		for _, s := range listSessions(t, b.URL) {
			if s.ID == sid {
				found = true
				if s.SeatsLeft != want {
					t.Errorf("after order %d on A: B's /api/v1/sessions seats_left got %d, want %d", i, s.SeatsLeft, want)
				}
			}
		}
		if !found {
			t.Errorf("session %d not in B's /api/v1/sessions", sid)
		}
	}
}
