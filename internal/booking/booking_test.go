package booking

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

var testNow = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

// crashAfterRefund lets Stripe carry out the refund and then fails, like a
// process that died between Stripe's answer and our record of it.
type crashAfterRefund struct {
	*payments.Fake
	crashes int
}

func (c *crashAfterRefund) Refund(ctx context.Context, p payments.RefundParams) (string, error) {
	id, err := c.Fake.Refund(ctx, p)
	if err == nil && c.crashes > 0 {
		c.crashes--
		return "", errors.New("connection reset after the refund was made")
	}
	return id, err
}

func newService(t *testing.T, pay Payments) (*Service, *gorm.DB) {
	t.Helper()
	db, _ := testdb.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return testNow }
	out, err := outbox.New(db, nil, log, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Deps{DB: db, Payments: pay, Outbox: out, Logger: log, Now: now, Settings: Settings{BaseURL: "http://hsw.test"}})
	if err != nil {
		t.Fatal(err)
	}
	return b, db
}

// paidCardOrder places a one-seat card order and applies its payment.
func paidCardOrder(t *testing.T, b *Service, db *gorm.DB) *models.Order {
	t.Helper()
	ctx := context.Background()
	w := &models.Workshop{Slug: "ws", Title: "Workshop", Summary: "S", Level: "introductory", DurationMinutes: 420, DefaultPriceMinor: 59500, Currency: "USD"}
	if err := db.Create(w).Error; err != nil {
		t.Fatal(err)
	}
	start := testNow.AddDate(0, 0, 10)
	s := &models.Session{WorkshopID: w.ID, StartsAt: start, EndsAt: start.Add(7 * time.Hour), TimeZone: "America/New_York",
		Format: models.FormatVirtual, Capacity: 5, PriceMinor: 59500, Currency: "USD", Status: models.StatusPublished,
		RegistrationClosesAt: start.Add(-24 * time.Hour), CancelCutoffHours: 72}
	if err := models.CreateSession(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	s, err := models.FindSession(ctx, db, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := Registration{BuyerName: "Ana", BuyerEmail: "ana@importer.example", Method: models.PayByCard,
		Attendees: []models.AttendeeInput{{Name: "Ana", Email: "ana@importer.example"}}}
	placed, err := b.PlaceOrder(ctx, s, r, models.PriceOrder(*s, 1, nil, testNow), nil, nil)
	if err != nil {
		t.Fatalf("place order: %v", err)
	}
	if err := b.confirmPayment(ctx, placed.Order, "pi_test"); err != nil {
		t.Fatalf("pay: %v", err)
	}
	o, err := models.FindOrder(ctx, db, placed.Order.ID)
	if err != nil || o.Status != models.OrderPaid {
		t.Fatalf("got %v %v, want a paid order", o, err)
	}
	return o
}

// TestRefundIntentRecoveredAfterCrash: the cancellation commits with a
// pending refund intent; the first Stripe call "crashes" after Stripe
// acted; the retry job settles the intent with the same idempotency key,
// so the buyer is refunded exactly once.
func TestRefundIntentRecoveredAfterCrash(t *testing.T) {
	t.Parallel()
	pay := &crashAfterRefund{Fake: payments.NewFake("whsec_test"), crashes: 1}
	b, db := newService(t, pay)
	ctx := context.Background()
	o := paidCardOrder(t, b, db)
	if err := b.CancelOrder(ctx, o); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	got, err := models.FindOrder(ctx, db, o.ID)
	if err != nil || got.Status != models.OrderCancelled || got.RefundedMinor != o.TotalMinor {
		t.Fatalf("after cancel: got %v %v, want cancelled with %d refunded", got, err, o.TotalMinor)
	}
	pending, err := models.ListPendingRefunds(ctx, db, o.ID, 10)
	if err != nil || len(pending) != 1 || pending[0].Attempts != 1 {
		t.Fatalf("pending: got %+v %v, want one intent with one failed attempt", pending, err)
	}
	if err := b.RetryRefunds(ctx); err != nil {
		t.Fatalf("retry: %v", err)
	}
	calls := pay.RefundCalls()
	if len(calls) != 1 || calls[0].IdempotencyKey != fmt.Sprintf("cancel-order-%d", o.ID) || calls[0].AmountMinor != o.TotalMinor {
		t.Errorf("stripe refunds: got %+v, want exactly one of %d", calls, o.TotalMinor)
	}
	rs, err := models.ListRefunds(ctx, db, o.ID)
	if err != nil || len(rs) != 1 || rs[0].Status != models.RefundSucceeded || rs[0].StripeRefundID != "re_test_1" {
		t.Errorf("refund rows: got %+v %v, want one succeeded re_test_1", rs, err)
	}
	if n, err := models.ListPendingRefunds(ctx, db, 0, 10); err != nil || len(n) != 0 {
		t.Errorf("still pending: %+v %v", n, err)
	}
}

// TestMarkInvoicePaidNeedsNoWebApp drives the CLI's path: the service
// alone confirms an invoice and queues the confirmation.
func TestMarkInvoicePaidNeedsNoWebApp(t *testing.T) {
	t.Parallel()
	b, db := newService(t, nil)
	ctx := context.Background()
	// A logged-in buyer with a proven address gets the invoice at once.
	placed, err := placeProvenInvoice(t, b, db, invoiceSession(t, db), "Bo", "bo@importer.example")
	if err != nil {
		t.Fatal(err)
	}
	if due := placed.Order.InvoiceDueAt; due == nil || !due.Equal(testNow.Add(14*24*time.Hour)) {
		t.Errorf("invoice due: got %v, want %v (14-day term)", due, testNow.Add(14*24*time.Hour))
	}
	if err := b.MarkInvoicePaid(ctx, placed.Order); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Model(&models.Email{}).Where("dedupe_key = ?", fmt.Sprintf("order_confirmation:%d", placed.Order.ID)).Count(&n).Error; err != nil || n != 1 {
		t.Errorf("confirmations: got %d %v, want 1", n, err)
	}
}
