package bench

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ClaimResult is a seat-claim run: many clients placing one-seat orders.
type ClaimResult struct {
	OK       int // 201 answers
	SoldOut  int // 409 answers
	Failed   int // anything else
	Elapsed  time.Duration
	Rate     float64 // OK per second
	P99      time.Duration
	LastFail string // one failing answer, for the report
}

// Claims posts one-seat invoice orders for session id from clients
// concurrent clients for d, or until the session sells out.
func Claims(ctx context.Context, base string, id, clients int, d time.Duration) ClaimResult {
	c := newClient(clients)
	defer c.CloseIdleConnections()
	// Stopping only stops new requests: one cut off in flight could be
	// committed by the server without the client counting it.
	var stopped atomic.Bool
	timer := time.AfterFunc(d, func() { stopped.Store(true) })
	defer timer.Stop()
	var seq atomic.Int64
	seq.Store(time.Now().UnixNano() % 1e9 * 1000)
	var mu sync.Mutex
	var res ClaimResult
	var lat []time.Duration
	url := base + "/api/v1/sessions/" + itoa(id) + "/orders"
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for !stopped.Load() && ctx.Err() == nil {
				t0 := time.Now()
				st, body := post(ctx, c, url, orderBody(seq.Add(1), "", ""))
				mu.Lock()
				switch st {
				case http.StatusCreated:
					res.OK++
					lat = append(lat, time.Since(t0))
				case http.StatusConflict:
					res.SoldOut++
					stopped.Store(true)
				default:
					res.Failed++
					res.LastFail = fmt.Sprintf("%d %.200s", st, body)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Rate = float64(res.OK) / res.Elapsed.Seconds()
	sum := summarize(lat, 0, res.Elapsed)
	res.P99 = sum.P99
	return res
}

// post sends a JSON body and returns the status (0 on transport error).
func post(ctx context.Context, c *http.Client, url string, body []byte) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, []byte(err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	b, err := io.ReadAll(resp.Body)
	cerr := resp.Body.Close()
	if err != nil || cerr != nil {
		return 0, []byte(errors.Join(err, cerr).Error())
	}
	return resp.StatusCode, b
}

// Burst sends exactly one order from each of clients clients at once and
// counts the answers: the oversell check against a session with fewer
// seats left than clients.
func Burst(ctx context.Context, base string, id, clients int) ClaimResult {
	c := newClient(clients)
	defer c.CloseIdleConnections()
	url := base + "/api/v1/sessions/" + itoa(id) + "/orders"
	var mu sync.Mutex
	var res ClaimResult
	startGate := make(chan struct{})
	var wg sync.WaitGroup
	seqBase := time.Now().UnixNano()%1e9*1000 + 500_000_000
	for i := range clients {
		wg.Go(func() {
			<-startGate
			st, body := post(ctx, c, url, orderBody(seqBase+int64(i), "", ""))
			mu.Lock()
			defer mu.Unlock()
			switch st {
			case http.StatusCreated:
				res.OK++
			case http.StatusConflict:
				res.SoldOut++
			default:
				res.Failed++
				res.LastFail = fmt.Sprintf("%d %.200s", st, body)
			}
		})
	}
	start := time.Now()
	close(startGate)
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}

// RawDB is the database itself doing the write a seat claim does: in one
// transaction, the conditional UPDATE that takes a seat, an INSERT of the
// order and an INSERT of its attendee, on scratch tables of its own.
type RawDB struct {
	db       *sql.DB
	gdb      *gorm.DB
	postgres bool
}

// OpenRaw opens dsn ("sqlite:PATH" or "postgres://…") with the app's
// settings: SQLite in WAL with BEGIN IMMEDIATE and one connection,
// PostgreSQL with a pool of pgConns.
func OpenRaw(dsn string, pgConns int) (*RawDB, error) {
	cfg := &gorm.Config{Logger: logger.Discard}
	var g *gorm.DB
	var err error
	pg := !strings.HasPrefix(dsn, "sqlite:")
	if pg {
		g, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		path := strings.TrimPrefix(dsn, "sqlite:")
		g, err = gorm.Open(sqlite.Open("file:"+path+"?_busy_timeout=10000&_foreign_keys=on&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate"), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open raw database: %w", err)
	}
	db, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open raw database: %w", err)
	}
	if pg {
		db.SetMaxOpenConns(pgConns)
		db.SetMaxIdleConns(pgConns)
	} else {
		db.SetMaxOpenConns(1)
	}
	return &RawDB{db: db, gdb: g, postgres: pg}, nil
}

// Close closes the pool.
func (r *RawDB) Close() error { return r.db.Close() }

// q rewrites ? placeholders as $n for PostgreSQL.
func (r *RawDB) q(s string) string {
	if !r.postgres {
		return s
	}
	var b strings.Builder
	n := 0
	for _, ch := range s {
		if ch == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// Setup creates the scratch tables with one session of capacity seats.
func (r *RawDB) Setup(ctx context.Context, capacity int) error {
	serial := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if r.postgres {
		serial = "BIGSERIAL PRIMARY KEY"
	}
	stmts := []string{
		"DROP TABLE IF EXISTS hsbench_attendees",
		"DROP TABLE IF EXISTS hsbench_orders",
		"DROP TABLE IF EXISTS hsbench_sessions",
		`CREATE TABLE hsbench_sessions (id ` + serial + `, capacity INTEGER NOT NULL, seats_taken INTEGER NOT NULL,
			status TEXT NOT NULL, updated_at TIMESTAMP NOT NULL)`,
		`CREATE TABLE hsbench_orders (id ` + serial + `, ref TEXT NOT NULL UNIQUE,
			session_id BIGINT NOT NULL REFERENCES hsbench_sessions(id), buyer_name TEXT NOT NULL, buyer_email TEXT NOT NULL,
			seats INTEGER NOT NULL, total_minor BIGINT NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL,
			hold_expires_at TIMESTAMP, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)`,
		"CREATE INDEX hsbench_orders_session ON hsbench_orders(session_id)",
		`CREATE TABLE hsbench_attendees (id ` + serial + `, order_id BIGINT NOT NULL REFERENCES hsbench_orders(id),
			position INTEGER NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL, price_minor BIGINT NOT NULL,
			status TEXT NOT NULL, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)`,
		"CREATE INDEX hsbench_attendees_order ON hsbench_attendees(order_id)",
	}
	for _, s := range stmts {
		if _, err := r.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("raw setup %.40q: %w", s, err)
		}
	}
	if _, err := r.db.ExecContext(ctx, r.q("INSERT INTO hsbench_sessions (capacity, seats_taken, status, updated_at) VALUES (?, 0, 'published', ?)"),
		capacity, time.Now().UTC()); err != nil {
		return fmt.Errorf("raw setup session: %w", err)
	}
	return nil
}

// Drop removes the scratch tables.
func (r *RawDB) Drop(ctx context.Context) error {
	for _, t := range []string{"hsbench_attendees", "hsbench_orders", "hsbench_sessions"} {
		if _, err := r.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return fmt.Errorf("raw drop %s: %w", t, err)
		}
	}
	return nil
}

var errRawFull = errors.New("raw session full")

// claim is one seat claim transaction.
func (r *RawDB) claim(ctx context.Context, n int64) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	now := time.Now().UTC()
	res, err := tx.ExecContext(ctx, r.q(`UPDATE hsbench_sessions SET seats_taken = seats_taken + ?, updated_at = ?
		WHERE id = 1 AND status = 'published' AND seats_taken + ? <= capacity`), 1, now, 1)
	if err != nil {
		return fmt.Errorf("take seat: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return errors.Join(errRawFull, err)
	}
	ref := "raw" + strconv.FormatInt(n, 10)
	var oid int64
	if err := tx.QueryRowContext(ctx, r.q(`INSERT INTO hsbench_orders (ref, session_id, buyer_name, buyer_email, seats, total_minor,
		currency, status, hold_expires_at, created_at, updated_at) VALUES (?, 1, 'Bench Buyer', ?, 1, 59500, 'USD', 'pending_invoice', ?, ?, ?) RETURNING id`),
		ref, ref+"@bench.example.com", now.Add(14*24*time.Hour), now, now).Scan(&oid); err != nil {
		return fmt.Errorf("insert order: %w", err)
	}
	if _, err := tx.ExecContext(ctx, r.q(`INSERT INTO hsbench_attendees (order_id, position, name, email, price_minor, status, created_at, updated_at)
		VALUES (?, 1, 'Bench Attendee', ?, 59500, 'active', ?, ?)`), oid, "a"+ref+"@bench.example.com", now, now); err != nil {
		return fmt.Errorf("insert attendee: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Claims runs the claim transaction from workers goroutines for d and
// returns the committed transactions per second.
func (r *RawDB) Claims(ctx context.Context, workers int, d time.Duration) (ClaimResult, error) {
	var stopped atomic.Bool
	timer := time.AfterFunc(d, func() { stopped.Store(true) })
	defer timer.Stop()
	var seq atomic.Int64
	var mu sync.Mutex
	var res ClaimResult
	var firstErr error
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for !stopped.Load() && ctx.Err() == nil {
				err := r.claim(ctx, seq.Add(1))
				mu.Lock()
				switch {
				case err == nil:
					res.OK++
				case errors.Is(err, errRawFull):
					res.SoldOut++
					stopped.Store(true)
				default:
					res.Failed++
					if firstErr == nil {
						firstErr = err
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Rate = float64(res.OK) / res.Elapsed.Seconds()
	if firstErr != nil {
		res.LastFail = firstErr.Error()
	}
	var taken int
	if err := r.db.QueryRowContext(ctx, "SELECT seats_taken FROM hsbench_sessions WHERE id = 1").Scan(&taken); err != nil {
		return res, fmt.Errorf("raw seats taken: %w", err)
	}
	if taken != res.OK {
		return res, fmt.Errorf("raw claims: %d seats taken for %d commits", taken, res.OK)
	}
	return res, nil
}

// CreateDatabase creates a fresh PostgreSQL database next to the one adminURL
// names and returns its URL and a function that drops it.
func CreateDatabase(ctx context.Context, adminURL, name string) (string, func() error, error) {
	g, err := gorm.Open(postgres.Open(adminURL), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return "", nil, fmt.Errorf("connect %s: %w", redact(adminURL), err)
	}
	db, err := g.DB()
	if err != nil {
		return "", nil, fmt.Errorf("connect: %w", err)
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = db.Close() // the create error is the one to report
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := replaceDBName(adminURL, name)
	if err != nil {
		_ = db.Close() // the parse error is the one to report
		return "", nil, err
	}
	drop := func() error {
		defer db.Close() //nolint:errcheck // closing the admin pool
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return u, drop, nil
}
