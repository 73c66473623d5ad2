package models_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// sqlCapture is a GORM logger that keeps every statement run, with its
// values in place.
type sqlCapture struct {
	mu    sync.Mutex
	stmts []string
}

func (c *sqlCapture) LogMode(logger.LogLevel) logger.Interface { return c }
func (c *sqlCapture) Info(context.Context, string, ...any)     {}
func (c *sqlCapture) Warn(context.Context, string, ...any)     {}
func (c *sqlCapture) Error(context.Context, string, ...any)    {}
func (c *sqlCapture) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	c.mu.Lock()
	c.stmts = append(c.stmts, sql)
	c.mu.Unlock()
}

// TestOpenSeatCapQueriesUseIndexes: the caps on open unpaid seats are
// counted inside every unproven buyer's seat claim, while the single
// writer is held, so they must not scan the held orders: SQLite answers
// each from a covering index (the plan names it and scans no table).
func TestOpenSeatCapQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	if models.IsPostgres(db) {
		t.Skip("SQLite's query plan; PostgreSQL plans tiny tables with sequential scans whatever the indexes")
	}
	ctx := context.Background()
	capture := &sqlCapture{}
	err := db.Session(&gorm.Session{Logger: capture}).Transaction(func(tx *gorm.DB) error {
		_, _, err := models.OpenUnpaidSeats(ctx, tx, "buyer@example.com", "192.0.2.7", 40)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var counts []string
	for _, s := range capture.stmts {
		if strings.Contains(s, "orders") {
			counts = append(counts, s)
		}
	}
	if len(counts) == 0 {
		t.Fatalf("no query on orders captured from %q", capture.stmts)
	}
	for _, q := range counts {
		var plan []struct{ Detail string }
		if err := db.Raw("EXPLAIN QUERY PLAN " + q).Scan(&plan).Error; err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		var lines []string
		for _, p := range plan {
			lines = append(lines, p.Detail)
		}
		got := strings.Join(lines, "; ")
		for _, idx := range []string{"COVERING INDEX idx_orders_open_seats_email", "COVERING INDEX idx_orders_open_seats_ip"} {
			if !strings.Contains(got, idx) {
				t.Errorf("plan of %s: got %q, want it to use %s", q, got, idx)
			}
		}
		if strings.Contains(got, "SCAN orders") || strings.Contains(got, "idx_orders_status") {
			t.Errorf("plan of %s: got %q, want no scan of the orders", q, got)
		}
	}
}

// TestOpenUnpaidSeatsCountsAndStops: unpaid invoice seats are counted per
// address and per client IP (paid and card orders are not), and a count
// that stopped at atMost orders still reports at least atMost.
func TestOpenUnpaidSeatsCountsAndStops(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	w := models.Workshop{Slug: "w", Title: "W", Summary: "s", DescriptionMD: "d", DurationMinutes: 60, DefaultPriceMinor: 100, Currency: "USD"}
	if err := db.Create(&w).Error; err != nil {
		t.Fatal(err)
	}
	start := now.AddDate(0, 0, 10)
	s := &models.Session{WorkshopID: w.ID, StartsAt: start, EndsAt: start.Add(time.Hour), TimeZone: "UTC", Format: models.FormatVirtual,
		Capacity: 100, PriceMinor: 100, Currency: "USD", Status: models.StatusPublished, RegistrationClosesAt: start}
	if err := models.CreateSession(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	u := models.User{Email: "a@example.com", Name: "A"}
	if err := models.CreateUser(ctx, db, &u); err != nil {
		t.Fatal(err)
	}
	order := func(email, ip string, seats int, method models.PaymentMethod, await bool) {
		t.Helper()
		var at []models.AttendeeInput
		for i := range seats {
			at = append(at, models.AttendeeInput{Name: "N", Email: fmt.Sprintf("%d-%s", i, email)})
		}
		in := models.NewOrder{Session: s, UserID: u.ID, BuyerName: "B", BuyerEmail: email, Attendees: at, Method: method,
			Quote: models.PriceOrder(*s, seats, nil, now), HoldUntil: now.Add(time.Hour), Now: now, AwaitConfirmation: await, ClientIP: ip}
		if err := db.Transaction(func(tx *gorm.DB) error {
			_, err := models.CreateOrder(ctx, tx, in, models.TakeSeats)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	order("a@example.com", "192.0.2.1", 2, models.PayByInvoice, true)  // held for confirmation
	order("a@example.com", "192.0.2.1", 2, models.PayByInvoice, true)  // held for confirmation
	order("a@example.com", "192.0.2.1", 3, models.PayByInvoice, false) // invoiced
	order("a@example.com", "192.0.2.1", 4, models.PayByCard, false)    // a card hold: not counted
	order("b@example.com", "192.0.2.1", 5, models.PayByInvoice, false)
	order("c@example.com", "198.51.100.9", 1, models.PayByInvoice, false)
	byEmail, byIP, err := models.OpenUnpaidSeats(ctx, db, "A@Example.com", "192.0.2.1", 40)
	if err != nil || byEmail != 7 || byIP != 12 {
		t.Errorf("counts: got %d by address and %d by IP (%v), want 7 and 12", byEmail, byIP, err)
	}
	if byEmail, byIP, err = models.OpenUnpaidSeats(ctx, db, "a@example.com", "", 40); err != nil || byEmail != 7 || byIP != 0 {
		t.Errorf("without an IP: got %d and %d (%v), want 7 and 0", byEmail, byIP, err)
	}
	if byEmail, byIP, err = models.OpenUnpaidSeats(ctx, db, "a@example.com", "192.0.2.1", 2); err != nil || byEmail < 2 || byIP < 2 {
		t.Errorf("stopped at 2 orders: got %d and %d (%v), want at least 2 each", byEmail, byIP, err)
	}
}
