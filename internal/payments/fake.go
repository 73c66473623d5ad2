package payments

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

// Fake is an in-memory Stripe for handler tests. It records every call and
// verifies webhooks with stripe-go's real signature check, so tests sign
// payloads with webhook.ComputeSignature exactly as Stripe does.
type Fake struct {
	WebhookSecret string

	mu        sync.Mutex
	Checkouts map[string]*Checkout
	Params    map[string]CheckoutParams
	Expired   []string
	Refunds   []RefundParams
	// FailCheckout makes CreateCheckout fail (provider outage).
	FailCheckout bool
	// FailRefund makes Refund fail.
	FailRefund bool
	seq        int
	refundKeys map[string]string
}

// NewFake returns a Fake that verifies webhooks signed with secret.
func NewFake(secret string) *Fake {
	return &Fake{WebhookSecret: secret, Checkouts: map[string]*Checkout{}, Params: map[string]CheckoutParams{}, refundKeys: map[string]string{}}
}

// CreateCheckout records p and returns a session with a checkout URL.
func (f *Fake) CreateCheckout(_ context.Context, p CheckoutParams) (Checkout, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.FailCheckout {
		return Checkout{}, fmt.Errorf("create checkout: %w", ErrUnavailable)
	}
	f.seq++
	id := fmt.Sprintf("cs_test_%d_%d", p.OrderID, f.seq)
	c := &Checkout{ID: id, URL: "https://checkout.stripe.com/c/pay/" + id, Status: "open", PaymentStatus: "unpaid",
		OrderID: strconv.FormatUint(uint64(p.OrderID), 10)}
	for _, it := range p.Items {
		c.AmountTotal += it.UnitMinor * it.Quantity
	}
	f.Checkouts[id], f.Params[id] = c, p
	return *c, nil
}

// GetCheckout returns the recorded session.
func (f *Fake) GetCheckout(_ context.Context, id string) (Checkout, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.Checkouts[id]
	if !ok {
		return Checkout{}, fmt.Errorf("get checkout %s: no such session: %w", id, ErrUnavailable)
	}
	return *c, nil
}

// SetPaid marks a recorded session paid with a payment intent (what Stripe
// would show after the buyer paid).
func (f *Fake) SetPaid(id, paymentIntent string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.Checkouts[id]; ok {
		c.Status, c.PaymentStatus, c.PaymentIntentID = "complete", "paid", paymentIntent
	}
}

// ExpireCheckout records the expiry.
func (f *Fake) ExpireCheckout(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Expired = append(f.Expired, id)
	if c, ok := f.Checkouts[id]; ok && c.Status == "open" {
		c.Status = "expired"
	}
	return nil
}

// Refund records p; the same idempotency key returns the same refund.
func (f *Fake) Refund(_ context.Context, p RefundParams) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.FailRefund {
		return "", fmt.Errorf("refund: %w", ErrUnavailable)
	}
	if id, ok := f.refundKeys[p.IdempotencyKey]; ok {
		return id, nil
	}
	f.Refunds = append(f.Refunds, p)
	id := fmt.Sprintf("re_test_%d", len(f.Refunds))
	f.refundKeys[p.IdempotencyKey] = id
	return id, nil
}

// RefundCalls returns a copy of the recorded refunds.
func (f *Fake) RefundCalls() []RefundParams {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]RefundParams(nil), f.Refunds...)
}

// VerifyWebhook uses stripe-go's real verification.
func (f *Fake) VerifyWebhook(body []byte, sig string) (stripe.Event, error) {
	return webhook.ConstructEvent(body, sig, f.WebhookSecret)
}
