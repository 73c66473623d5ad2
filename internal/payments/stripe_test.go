package payments

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/hsworkshop/hsworkshop/internal/testsvc"
)

// TestStripeAdapterAgainstStripeMock sends real requests to stripe-mock,
// which validates them against Stripe's OpenAPI spec.
func TestStripeAdapterAgainstStripeMock(t *testing.T) {
	t.Parallel()
	s := NewStripe("sk_test_123", "whsec_test", testsvc.StripeMock(t))
	ctx := context.Background()
	c, err := s.CreateCheckout(ctx, CheckoutParams{OrderID: 42, OrderRef: "abc", Currency: "USD",
		Items:         []LineItem{{Name: "HTSUS in Depth — 8 Dec 2026", Description: "Seat", UnitMinor: 59500, Quantity: 3}},
		CustomerEmail: "buyer@example.com", ExpiresAt: time.Now().Add(31 * time.Minute),
		SuccessURL: "http://localhost/orders/abc/return?session_id={CHECKOUT_SESSION_ID}", CancelURL: "http://localhost/orders/abc/checkout-cancelled"})
	if err != nil {
		t.Fatalf("create checkout: %v", err)
	}
	if !strings.HasPrefix(c.ID, "cs_") || c.URL == "" {
		t.Errorf("checkout: %+v", c)
	}
	if _, err := s.GetCheckout(ctx, c.ID); err != nil {
		t.Errorf("get checkout: %v", err)
	}
	if err := s.ExpireCheckout(ctx, c.ID); err != nil {
		t.Errorf("expire checkout: %v", err)
	}
	id, err := s.Refund(ctx, RefundParams{PaymentIntentID: "pi_123", AmountMinor: 59500, Reason: "cancelled", IdempotencyKey: "refund-test-1", OrderID: 42})
	if err != nil || !strings.HasPrefix(id, "re_") {
		t.Errorf("refund: %q %v", id, err)
	}
}

func TestStripeUnreachable(t *testing.T) {
	t.Parallel()
	s := NewStripe("sk_test_123", "whsec_test", "http://127.0.0.1:1")
	_, err := s.CreateCheckout(context.Background(), CheckoutParams{OrderID: 1, Currency: "usd", Items: []LineItem{{Name: "x", UnitMinor: 1, Quantity: 1}},
		ExpiresAt: time.Now().Add(time.Hour), SuccessURL: "http://x/s", CancelURL: "http://x/c"})
	if err == nil {
		t.Fatal("no error with Stripe unreachable")
	}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	s := NewStripe("sk_test_123", "whsec_test", "")
	body := []byte(`{"id":"evt_1","object":"event","type":"checkout.session.completed","api_version":"` + stripe.APIVersion + `","data":{"object":{}}}`)
	now := time.Now()
	sig := SignatureHeader(body, "whsec_test", now)
	if ev, err := s.VerifyWebhook(body, sig); err != nil || ev.ID != "evt_1" {
		t.Fatalf("valid signature: %v", err)
	}
	bad := append([]byte{}, body...)
	bad[10] ^= 1
	if _, err := s.VerifyWebhook(bad, sig); err == nil {
		t.Error("flipped byte accepted")
	}
	old := now.Add(-10 * time.Minute)
	oldSig := SignatureHeader(body, "whsec_test", old)
	if _, err := s.VerifyWebhook(body, oldSig); err == nil {
		t.Error("stale timestamp accepted")
	}
	if _, err := s.VerifyWebhook(body, "t=1,v1=00"); err == nil {
		t.Error("garbage signature accepted")
	}
}
