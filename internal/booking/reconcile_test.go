package booking

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestLapsingPaidHoldIsConfirmed is the power-loss case: the webhook that
// confirmed a card hold was acknowledged but its commit was lost, so the
// order is still held when its hold lapses. The expiry job must ask Stripe
// first and confirm the payment instead of releasing the seat; an unpaid
// hold beside it still expires.
func TestLapsingPaidHoldIsConfirmed(t *testing.T) {
	ctx := context.Background()
	db, _ := testdb.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := testNow
	clock := func() time.Time { return now }
	out, err := outbox.New(db, nil, log, clock)
	if err != nil {
		t.Fatal(err)
	}
	pay := payments.NewFake("whsec_test")
	b, err := New(Deps{DB: db, Payments: pay, Outbox: out, Logger: log, Now: clock, Settings: Settings{BaseURL: "http://hsw.test"}})
	if err != nil {
		t.Fatal(err)
	}
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
	if s, err = models.FindSession(ctx, db, s.ID); err != nil {
		t.Fatal(err)
	}
	place := func(email string) *models.Order {
		r := Registration{BuyerName: "Ana", BuyerEmail: email, Method: models.PayByCard,
			Attendees: []models.AttendeeInput{{Name: "Ana", Email: email}}}
		placed, err := b.PlaceOrder(ctx, s, r, models.PriceOrder(*s, 1, nil, now), nil, nil)
		if err != nil {
			t.Fatalf("place order: %v", err)
		}
		if placed.Order.Status != models.OrderHeld || placed.Order.StripeCheckoutSessionID == "" {
			t.Fatalf("placed order: got status %v checkout %q, want a held card order with a checkout", placed.Order.Status, placed.Order.StripeCheckoutSessionID)
		}
		return placed.Order
	}
	paid, unpaid := place("paid@importer.example"), place("unpaid@importer.example")
	pay.SetPaid(paid.StripeCheckoutSessionID, "pi_lost_webhook")

	now = now.Add(24 * time.Hour) // every hold has lapsed
	if err := b.ExpireLapsedOrders(ctx); err != nil {
		t.Fatalf("expire: %v", err)
	}
	for _, c := range []struct {
		o    *models.Order
		want models.OrderStatus
	}{{paid, models.OrderPaid}, {unpaid, models.OrderExpired}} {
		got, err := models.FindOrder(ctx, db, c.o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != c.want {
			t.Errorf("order %s after the expiry job: got %v, want %v", c.o.BuyerEmail, got.Status, c.want)
		}
	}
	if s, err = models.FindSession(ctx, db, s.ID); err != nil {
		t.Fatal(err)
	}
	if s.SeatsTaken != 1 {
		t.Errorf("seats taken after the expiry job: got %d, want 1 (the paid seat)", s.SeatsTaken)
	}
}
