package scheduling_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/internal/scheduling"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

var testNow = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

type fixture struct {
	db    *gorm.DB
	bk    *booking.Service
	sched *scheduling.Service
	pay   *payments.Fake
	admin *models.User
	s     *models.Session
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return testNow }
	out, err := outbox.New(db, nil, log, now)
	if err != nil {
		t.Fatal(err)
	}
	pay := payments.NewFake("whsec_test")
	bk, err := booking.New(booking.Deps{DB: db, Payments: pay, Outbox: out, Logger: log, Now: now, Settings: booking.Settings{BaseURL: "http://hsw.test"}})
	if err != nil {
		t.Fatal(err)
	}
	admin := &models.User{Email: "boss@example.com", Name: "Boss", Role: models.RoleAdmin}
	if err := db.Create(admin).Error; err != nil {
		t.Fatal(err)
	}
	w := &models.Workshop{Slug: "ws", Title: "Workshop", Summary: "S", Level: "introductory", DurationMinutes: 420, DefaultPriceMinor: 59500, Currency: "USD"}
	if err := db.Create(w).Error; err != nil {
		t.Fatal(err)
	}
	start := testNow.AddDate(0, 0, 10)
	s := &models.Session{WorkshopID: w.ID, StartsAt: start, EndsAt: start.Add(7 * time.Hour), TimeZone: "America/New_York",
		Format: models.FormatVirtual, Capacity: 2, PriceMinor: 59500, Currency: "USD", Status: models.StatusPublished, AllowInvoice: true,
		RegistrationClosesAt: start.Add(-24 * time.Hour), CancelCutoffHours: 72, CancelFeeMinor: 5000, JoinURL: "https://meet.example.test/x"}
	if err := models.CreateSession(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	s, err = models.FindSession(ctx, db, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, bk: bk, sched: scheduling.New(db, bk, now), pay: pay, admin: admin, s: s}
}

func (f *fixture) order(t *testing.T, method models.PaymentMethod, email string) *models.Order {
	t.Helper()
	ctx := context.Background()
	r := booking.Registration{BuyerName: "Buyer " + email, BuyerEmail: email, Method: method,
		Attendees: []models.AttendeeInput{{Name: "Buyer " + email, Email: email}}}
	// The buyer is logged in with a proven address, so an invoice order is
	// numbered and pending at once (an unproven one waits for the emailed
	// confirmation link).
	verified := testNow
	buyer := &models.User{Email: email, Name: "Buyer " + email, Role: models.RoleLearner, EmailVerifiedAt: &verified}
	if err := f.db.Create(buyer).Error; err != nil {
		t.Fatal(err)
	}
	placed, err := f.bk.PlaceOrder(ctx, f.s, r, models.PriceOrder(*f.s, 1, nil, testNow), buyer, nil)
	if err != nil {
		t.Fatalf("place order: %v", err)
	}
	o := placed.Order
	if method == models.PayByCard {
		raw, err := json.Marshal(map[string]any{"id": "evt_" + email, "object": "event", "type": "checkout.session.completed",
			"api_version": stripe.APIVersion, "data": map[string]any{"object": map[string]any{"id": o.StripeCheckoutSessionID,
				"object": "checkout.session", "client_reference_id": fmt.Sprint(o.ID), "payment_status": "paid", "payment_intent": "pi_" + email,
				"amount_total": o.TotalMinor, "currency": "usd", "metadata": map[string]string{"order_id": fmt.Sprint(o.ID)}}}})
		if err != nil {
			t.Fatal(err)
		}
		var ev stripe.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if err := f.bk.ApplyStripeEvent(ctx, ev); err != nil {
			t.Fatalf("pay: %v", err)
		}
	}
	got, err := models.FindOrder(ctx, f.db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func count(t *testing.T, db *gorm.DB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(model).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCancelSessionIsIdempotent: a paid card order is refunded once (full
// price, no fee) through the fake Stripe, an invoice is voided, the
// waiting list is cleared, each email is queued once, and a second run
// changes nothing.
func TestCancelSessionIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	card := f.order(t, models.PayByCard, "card@example.com")
	if card.Status != models.OrderPaid {
		t.Fatalf("card order: got %s, want paid", card.Status)
	}
	inv := f.order(t, models.PayByInvoice, "inv@example.com")
	if inv.Status != models.OrderPendingInvoice {
		t.Fatalf("invoice order: got %s, want pending_invoice", inv.Status)
	}
	if err := f.bk.JoinWaitlist(ctx, f.s, &models.WaitlistEntry{SessionID: f.s.ID, Name: "Wendy", Email: "wait@example.com", Seats: 1}); err != nil {
		t.Fatal(err)
	}
	a := scheduling.Actor{User: f.admin, IP: "192.0.2.9"}
	var emailsAfterFirst int64
	for run := 1; run <= 2; run++ {
		rec, again, err := f.sched.CancelSession(ctx, a, f.s.ID, "The instructor is ill.")
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if again != (run == 2) {
			t.Errorf("run %d: got again=%v, want %v", run, again, run == 2)
		}
		if rec.CardRefunds != 1 || rec.RefundedMinor != 59500 || rec.InvoicesVoided != 1 || rec.WaitlistCleared != 1 {
			t.Errorf("run %d summary: got %+v, want 1 card refund of 59500, 1 invoice voided, 1 waiting cleared", run, rec)
		}
		if calls := f.pay.RefundCalls(); len(calls) != 1 || calls[0].AmountMinor != 59500 || calls[0].IdempotencyKey == "" {
			t.Errorf("run %d: got Stripe refunds %+v, want one of 59500 with a key", run, calls)
		}
		n := count(t, f.db, &models.Email{}, "dedupe_key LIKE ?", "session_cancel:%")
		if run == 1 {
			emailsAfterFirst = n
			if n != 3 { // card buyer, invoice buyer, waiting-list entry
				t.Errorf("emails: got %d, want 3", n)
			}
		} else if n != emailsAfterFirst {
			t.Errorf("emails after the second run: got %d, want %d", n, emailsAfterFirst)
		}
	}
	got, err := models.FindOrder(ctx, f.db, card.ID)
	if err != nil || got.Status != models.OrderCancelled || got.RefundedMinor != 59500 {
		t.Errorf("card order: got %+v %v, want cancelled with 59500 refunded", got, err)
	}
	if n := count(t, f.db, &models.Refund{}, "order_id = ? AND status = ?", card.ID, models.RefundSucceeded); n != 1 {
		t.Errorf("settled refunds: got %d, want 1", n)
	}
	got, err = models.FindOrder(ctx, f.db, inv.ID)
	if err != nil || got.Status != models.OrderCancelled || got.RefundedMinor != 0 {
		t.Errorf("invoice order: got %+v %v, want cancelled (void)", got, err)
	}
	if n := count(t, f.db, &models.WaitlistEntry{}, "session_id = ? AND status IN ?", f.s.ID,
		[]models.WaitStatus{models.WaitWaiting, models.WaitOffered}); n != 0 {
		t.Errorf("waiting entries left: got %d, want 0", n)
	}
	s, err := models.FindSession(ctx, f.db, f.s.ID)
	if err != nil || s.Status != models.StatusCancelled || s.SeatsTaken != 0 {
		t.Errorf("session: got %+v %v, want cancelled with 0 seats taken", s, err)
	}
	if n := count(t, f.db, &models.AuditEntry{}, "action = ? AND object_id = ?", "session.cancel", fmt.Sprint(f.s.ID)); n != 1 {
		t.Errorf("audit entries: got %d, want 1", n)
	}
}

// TestTimeEditNotifiesWithUpdatedInvite: moving a booked session with
// notify queues one email per person with an .ics of the new time and a
// higher SEQUENCE; without notify nothing is sent; both are audited.
func TestTimeEditNotifiesWithUpdatedInvite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.order(t, models.PayByCard, "card@example.com")
	a := scheduling.Actor{User: f.admin}
	firstICS := f.s // sequence before: UpdatedAt - CreatedAt
	seqBefore := int(firstICS.UpdatedAt.Unix() - firstICS.CreatedAt.Unix())

	x, err := models.FindSession(ctx, f.db, f.s.ID)
	if err != nil {
		t.Fatal(err)
	}
	x.StartsAt, x.EndsAt = x.StartsAt.Add(2*time.Hour), x.EndsAt.Add(2*time.Hour)
	res, err := f.sched.UpdateSession(ctx, a, x, true)
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimeChanged || res.Notified != 1 {
		t.Fatalf("got %+v, want the time changed and 1 person notified", res)
	}
	var ms []models.Email
	if err := f.db.Preload("Attachments").Where("dedupe_key LIKE ?", "session_time:%").Find(&ms).Error; err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || len(ms[0].Attachments) != 1 {
		t.Fatalf("got %d time-change emails, want 1 with the invite", len(ms))
	}
	ics := string(ms[0].Attachments[0].Data)
	moved, err := models.FindSession(ctx, f.db, f.s.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantStart := "DTSTART;TZID=America/New_York:" + moved.LocalStart().Format("20060102T150405")
	if !strings.Contains(ics, wantStart) {
		t.Errorf("invite lacks %q:\n%s", wantStart, ics)
	}
	seqAfter := int(moved.UpdatedAt.Unix() - moved.CreatedAt.Unix())
	if seqAfter <= seqBefore || !strings.Contains(ics, fmt.Sprintf("SEQUENCE:%d", seqAfter)) {
		t.Errorf("sequence: got %d (before %d), want higher and in the invite:\n%s", seqAfter, seqBefore, ics)
	}
	if !strings.Contains(ms[0].TextBody, "New time:") {
		t.Errorf("body lacks the new time: %s", ms[0].TextBody)
	}

	// Without notify: saved, audited, nobody emailed.
	moved.StartsAt, moved.EndsAt = moved.StartsAt.Add(time.Hour), moved.EndsAt.Add(time.Hour)
	res, err = f.sched.UpdateSession(ctx, a, moved, false)
	if err != nil || !res.TimeChanged || res.Notified != 0 {
		t.Fatalf("got %+v %v, want changed without notice", res, err)
	}
	if n := count(t, f.db, &models.Email{}, "dedupe_key LIKE ?", "session_time:%"); n != 1 {
		t.Errorf("time-change emails: got %d, want still 1", n)
	}
	if n := count(t, f.db, &models.AuditEntry{}, "action = ?", "session.update"); n != 2 {
		t.Errorf("audit entries: got %d, want 2", n)
	}
	// Capacity cannot drop below the seats taken.
	moved.Capacity = 0
	if _, err := f.sched.UpdateSession(ctx, a, moved, false); err == nil {
		t.Error("capacity 0 with a seat taken: got no error")
	}
}
