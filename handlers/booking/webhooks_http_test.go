package booking_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

func newStripeApp(t *testing.T) (*ht.App, *payments.Fake, *models.Session) {
	t.Helper()
	fake := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithFakeStripe(fake))
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Capacity = 5 })
	return ta, fake, s
}

func TestWebhookCompletedIsAppliedOnce(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"sequential", "concurrent"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			ta, _, s := newStripeApp(t)
			o := ta.CardOrder(t, s.ID, 2)
			body := ht.StripeEvent("evt_paid_1", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_123"))
			codes := make([]int, 5)
			if mode == "sequential" {
				for i := range codes {
					codes[i] = ta.PostWebhook(t, body, time.Now()).Code
				}
			} else {
				var wg sync.WaitGroup
				for i := range codes {
					wg.Add(1)
					go func() { defer wg.Done(); codes[i] = ta.PostWebhook(t, body, time.Now()).Code }()
				}
				wg.Wait()
			}
			for i, c := range codes {
				if c != http.StatusOK {
					t.Errorf("delivery %d: got %d, want 200", i, c)
				}
			}
			got := ta.Order(t, o.ID)
			if got.Status != models.OrderPaid || got.StripePaymentIntentID != "pi_123" || got.PaidAt == nil {
				t.Errorf("order: status %s pi %q", got.Status, got.StripePaymentIntentID)
			}
			if n := ta.CountEmails(t, "order_confirmation:"); n != 1 {
				t.Errorf("confirmation emails: got %d, want 1", n)
			}
			if n := ta.CountEmails(t, "attendee_confirmation:"); n != 2 {
				t.Errorf("attendee emails: got %d, want 2", n)
			}
			if n, _ := models.CountStripeEvents(t.Context(), ta.DB); n != 1 {
				t.Errorf("recorded events: got %d, want 1", n)
			}
			if s := ta.Session(t, s.ID); s.SeatsTaken != 2 {
				t.Errorf("seats taken: got %d, want 2", s.SeatsTaken)
			}
		})
	}
}

func TestWebhookRejectsBadSignaturesWithoutWrites(t *testing.T) {
	t.Parallel()
	ta, _, s := newStripeApp(t)
	o := ta.CardOrder(t, s.ID, 1)
	body := ht.StripeEvent("evt_forged", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_x"))
	flipped := append([]byte{}, body...)
	flipped[len(flipped)/2] ^= 0x01
	cases := map[string]func() int{
		"wrong secret": func() int {
			return ta.Do(t, ht.Request{Method: "POST", Path: "/webhooks/stripe", Body: string(body),
				Headers: map[string]string{"Stripe-Signature": payments.SignatureHeader(body, "whsec_other", time.Now())}}).Code
		},
		"stale timestamp": func() int { return ta.PostWebhook(t, body, time.Now().Add(-10*time.Minute)).Code },
		"flipped body byte": func() int {
			return ta.Do(t, ht.Request{Method: "POST", Path: "/webhooks/stripe", Body: string(flipped),
				Headers: map[string]string{"Stripe-Signature": payments.SignatureHeader(body, ht.WebhookSecret, time.Now())}}).Code
		},
		"no signature": func() int {
			return ta.Do(t, ht.Request{Method: "POST", Path: "/webhooks/stripe", Body: string(body)}).Code
		},
	}
	for name, send := range cases {
		if c := send(); c != http.StatusBadRequest {
			t.Errorf("%s: got %d, want 400", name, c)
		}
	}
	if n, _ := models.CountStripeEvents(t.Context(), ta.DB); n != 0 {
		t.Errorf("events recorded: %d", n)
	}
	if got := ta.Order(t, o.ID); got.Status != models.OrderHeld {
		t.Errorf("order changed to %s", got.Status)
	}
	if n := ta.CountEmails(t, "order_confirmation:"); n != 0 {
		t.Errorf("emails queued: %d", n)
	}
	big := make([]byte, 70<<10)
	if c := ta.PostWebhook(t, big, time.Now()).Code; c != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: got %d, want 413", c)
	}
}

func TestWebhookOrderingEdgeCases(t *testing.T) {
	t.Parallel()
	t.Run("expired after completed stays paid", func(t *testing.T) {
		t.Parallel()
		ta, _, s := newStripeApp(t)
		o := ta.CardOrder(t, s.ID, 1)
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_1")), time.Now())
		if c := ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.expired", ht.CheckoutObject(o, "unpaid", "")), time.Now()).Code; c != 200 {
			t.Fatalf("expired event: %d", c)
		}
		if got := ta.Order(t, o.ID); got.Status != models.OrderPaid {
			t.Errorf("status: got %s, want paid", got.Status)
		}
		if s := ta.Session(t, s.ID); s.SeatsTaken != 1 {
			t.Errorf("seats: got %d, want 1", s.SeatsTaken)
		}
	})
	t.Run("refund before completed ends refunded", func(t *testing.T) {
		t.Parallel()
		ta, _, s := newStripeApp(t)
		o := ta.CardOrder(t, s.ID, 2)
		ta.PostWebhook(t, ht.StripeEvent("", "charge.refunded", ht.ChargeObject(o.ID, "pi_2", o.TotalMinor, o.TotalMinor)), time.Now())
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_2")), time.Now())
		got := ta.Order(t, o.ID)
		if got.Status != models.OrderRefunded || got.RefundedMinor != o.TotalMinor {
			t.Errorf("status %s refunded %d; want refunded, %d", got.Status, got.RefundedMinor, o.TotalMinor)
		}
		if s := ta.Session(t, s.ID); s.SeatsTaken != 0 {
			t.Errorf("seats: got %d, want 0", s.SeatsTaken)
		}
		if n := ta.CountEmails(t, "order_confirmation:"); n != 0 {
			t.Errorf("confirmation sent for a refunded order")
		}
	})
	t.Run("expired then paid with a free seat is confirmed", func(t *testing.T) {
		t.Parallel()
		ta, fake, s := newStripeApp(t)
		o := ta.CardOrder(t, s.ID, 1)
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.expired", ht.CheckoutObject(o, "unpaid", "")), time.Now())
		if got := ta.Order(t, o.ID); got.Status != models.OrderExpired {
			t.Fatalf("after expiry: %s", got.Status)
		}
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_3")), time.Now())
		if got := ta.Order(t, o.ID); got.Status != models.OrderPaid {
			t.Errorf("late payment with seats free: got %s, want paid", got.Status)
		}
		if len(fake.RefundCalls()) != 0 {
			t.Error("refunded although a seat was free")
		}
		if s := ta.Session(t, s.ID); s.SeatsTaken != 1 {
			t.Errorf("seats: got %d, want 1", s.SeatsTaken)
		}
	})
	t.Run("late payment on a full session is refunded and flagged", func(t *testing.T) {
		t.Parallel()
		ta, fake, s := newStripeApp(t)
		o := ta.CardOrder(t, s.ID, 2)
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.expired", ht.CheckoutObject(o, "unpaid", "")), time.Now())
		ta.CardOrder(t, s.ID, 5) // someone else holds every seat
		rec := ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_late")), time.Now())
		if rec.Code != 200 {
			t.Fatalf("webhook: %d %s", rec.Code, rec.Body.String())
		}
		got := ta.Order(t, o.ID)
		if got.Status != models.OrderRefunded || !got.NeedsAttention {
			t.Errorf("order: status %s flagged %v", got.Status, got.NeedsAttention)
		}
		calls := fake.RefundCalls()
		if len(calls) != 1 || calls[0].PaymentIntentID != "pi_late" || calls[0].AmountMinor != o.TotalMinor || calls[0].IdempotencyKey == "" {
			t.Fatalf("refund calls: %+v", calls)
		}
		if s := ta.Session(t, s.ID); s.SeatsTaken != 5 || ta.ActiveSeats(t, s.ID) != 5 {
			t.Errorf("seats: counter %d, orders %d; want 5", s.SeatsTaken, ta.ActiveSeats(t, s.ID))
		}
	})
	t.Run("partial refund from the dashboard keeps the order", func(t *testing.T) {
		t.Parallel()
		ta, _, s := newStripeApp(t)
		o := ta.CardOrder(t, s.ID, 2)
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_p")), time.Now())
		ta.PostWebhook(t, ht.StripeEvent("", "charge.refunded", ht.ChargeObject(o.ID, "pi_p", o.TotalMinor, 10000)), time.Now())
		got := ta.Order(t, o.ID)
		if got.Status != models.OrderPaid || got.RefundedMinor != 10000 {
			t.Errorf("partial: status %s refunded %d", got.Status, got.RefundedMinor)
		}
		ta.PostWebhook(t, ht.StripeEvent("", "charge.refunded", ht.ChargeObject(o.ID, "pi_p", o.TotalMinor, o.TotalMinor)), time.Now())
		got = ta.Order(t, o.ID)
		if got.Status != models.OrderRefunded || ta.Session(t, s.ID).SeatsTaken != 0 {
			t.Errorf("full: status %s seats %d", got.Status, ta.Session(t, s.ID).SeatsTaken)
		}
	})
	t.Run("async payment: unpaid completion holds, failure releases", func(t *testing.T) {
		t.Parallel()
		ta, _, s := newStripeApp(t)
		o := ta.CardOrder(t, s.ID, 1)
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "unpaid", "pi_ach")), time.Now())
		got := ta.Order(t, o.ID)
		if got.Status != models.OrderHeld || !got.HoldExpiresAt.After(ht.Now.Add(24*time.Hour)) {
			t.Fatalf("after unpaid completion: %s until %v", got.Status, got.HoldExpiresAt)
		}
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.async_payment_failed", ht.CheckoutObject(o, "unpaid", "pi_ach")), time.Now())
		if got := ta.Order(t, o.ID); got.Status != models.OrderExpired || ta.Session(t, s.ID).SeatsTaken != 0 {
			t.Errorf("after failure: %s, seats %d", got.Status, ta.Session(t, s.ID).SeatsTaken)
		}
		o2 := ta.CardOrder(t, s.ID, 1)
		ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.async_payment_succeeded", ht.CheckoutObject(o2, "paid", "pi_ach2")), time.Now())
		if got := ta.Order(t, o2.ID); got.Status != models.OrderPaid {
			t.Errorf("async success: %s", got.Status)
		}
	})
	t.Run("webhook without Stripe configured is 404", func(t *testing.T) {
		t.Parallel()
		ta := ht.New(t)
		if c := ta.Do(t, ht.Request{Method: "POST", Path: "/webhooks/stripe", Body: "{}"}).Code; c != 404 {
			t.Errorf("got %d", c)
		}
	})
}

func TestPaymentAfterCheckoutAbandonedIsRefunded(t *testing.T) {
	t.Parallel()
	ta, fake, s := newStripeApp(t)
	o := ta.CardOrder(t, s.ID, 1)
	ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o.Ref + "/checkout-cancelled", Form: url.Values{}})
	if got := ta.Order(t, o.ID); got.Status != models.OrderCancelled {
		t.Fatalf("after abandon: %s", got.Status)
	}
	ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_race")), time.Now())
	got := ta.Order(t, o.ID)
	calls := fake.RefundCalls()
	if got.Status != models.OrderCancelled || !got.NeedsAttention || len(calls) != 1 || calls[0].AmountMinor != o.TotalMinor {
		t.Errorf("status %s flagged %v refunds %+v", got.Status, got.NeedsAttention, calls)
	}
	// Paid just before the buyer clicked back: confirmed, not cancelled.
	o2 := ta.CardOrder(t, s.ID, 1)
	fake.SetPaid(o2.StripeCheckoutSessionID, "pi_first")
	ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o2.Ref + "/checkout-cancelled", Form: url.Values{}})
	if got := ta.Order(t, o2.ID); got.Status != models.OrderPaid {
		t.Errorf("paid order cancelled by the back button: %s", got.Status)
	}
}
