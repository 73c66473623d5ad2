// Package payments talks to Stripe: Checkout Sessions for card payments,
// refunds, and webhook verification. Stripe is the adapter used in
// production (pointed at stripe-mock in tests); Fake is an in-memory
// stand-in for handler tests that still verifies real webhook signatures.
package payments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"
)

// ErrUnavailable wraps failures to reach Stripe.
var ErrUnavailable = errors.New("payment provider unavailable")

// LineItem is one priced line of a Checkout Session.
type LineItem struct {
	Name        string
	Description string
	UnitMinor   int64
	Quantity    int64
}

// CheckoutParams describe the Checkout Session for one order.
type CheckoutParams struct {
	OrderID       uint
	OrderRef      string
	Currency      string // ISO, any case
	Items         []LineItem
	CustomerEmail string
	ExpiresAt     time.Time // the hold's expiry (30 min to 24 h ahead)
	SuccessURL    string    // may contain {CHECKOUT_SESSION_ID}
	CancelURL     string
}

// Checkout is the part of a Checkout Session the app uses.
type Checkout struct {
	ID              string
	URL             string
	Status          string // open | complete | expired
	PaymentStatus   string // paid | unpaid | no_payment_required
	PaymentIntentID string
	OrderID         string // client_reference_id
	AmountTotal     int64
}

// RefundParams describe a refund of (part of) a payment.
type RefundParams struct {
	PaymentIntentID string
	AmountMinor     int64
	Reason          string // shown in metadata; Stripe reason is "requested_by_customer"
	IdempotencyKey  string
	OrderID         uint
}

// Stripe is the production adapter. It holds its own client: no global key.
type Stripe struct {
	api           *client.API
	webhookSecret string
}

// NewStripe builds the adapter; apiBase overrides Stripe's URL (stripe-mock).
func NewStripe(secretKey, webhookSecret, apiBase string) *Stripe {
	cfg := &stripe.BackendConfig{
		// Two attempts of at most 7 s fit in the booking service's 15 s
		// checkout deadline, itself inside the 30 s request timeout.
		HTTPClient:        &http.Client{Timeout: 7 * time.Second},
		MaxNetworkRetries: stripe.Int64(1),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if apiBase != "" {
		cfg.URL = stripe.String(apiBase)
	}
	backends := &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, cfg),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, cfg),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg),
	}
	return &Stripe{api: client.New(secretKey, backends), webhookSecret: webhookSecret}
}

// CreateCheckout opens a Checkout Session for an order. The idempotency
// key is derived from the order, so a retried request cannot open two.
func (s *Stripe) CreateCheckout(ctx context.Context, p CheckoutParams) (Checkout, error) {
	id := strconv.FormatUint(uint64(p.OrderID), 10)
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(id),
		CustomerEmail:     stripe.String(p.CustomerEmail),
		ExpiresAt:         stripe.Int64(p.ExpiresAt.Unix()),
		SuccessURL:        stripe.String(p.SuccessURL),
		CancelURL:         stripe.String(p.CancelURL),
		Metadata:          map[string]string{"order_id": id, "order_ref": p.OrderRef},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{
			Metadata: map[string]string{"order_id": id, "order_ref": p.OrderRef},
		},
	}
	for _, it := range p.Items {
		params.LineItems = append(params.LineItems, &stripe.CheckoutSessionLineItemParams{
			Quantity: stripe.Int64(it.Quantity),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:   stripe.String(lower(p.Currency)),
				UnitAmount: stripe.Int64(it.UnitMinor),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{
					Name:        stripe.String(it.Name),
					Description: stringOrNil(it.Description),
				},
			},
		})
	}
	params.Context = ctx
	params.SetIdempotencyKey("registration-" + id)
	cs, err := s.api.CheckoutSessions.New(params)
	if err != nil {
		return Checkout{}, fmt.Errorf("create checkout for order %s: %w: %w", id, ErrUnavailable, err)
	}
	return toCheckout(cs), nil
}

// GetCheckout retrieves a Checkout Session (server-side confirmation).
func (s *Stripe) GetCheckout(ctx context.Context, id string) (Checkout, error) {
	params := &stripe.CheckoutSessionParams{}
	params.Context = ctx
	cs, err := s.api.CheckoutSessions.Get(id, params)
	if err != nil {
		return Checkout{}, fmt.Errorf("get checkout %s: %w: %w", id, ErrUnavailable, err)
	}
	return toCheckout(cs), nil
}

// ExpireCheckout closes an open Checkout Session so it can no longer be paid.
func (s *Stripe) ExpireCheckout(ctx context.Context, id string) error {
	params := &stripe.CheckoutSessionExpireParams{}
	params.Context = ctx
	if _, err := s.api.CheckoutSessions.Expire(id, params); err != nil {
		var se *stripe.Error
		// Already expired or completed: nothing left to close.
		if errors.As(err, &se) && se.HTTPStatusCode == http.StatusBadRequest {
			return nil
		}
		return fmt.Errorf("expire checkout %s: %w: %w", id, ErrUnavailable, err)
	}
	return nil
}

// Refund returns money on a PaymentIntent; the idempotency key makes a
// retried refund a no-op at Stripe.
func (s *Stripe) Refund(ctx context.Context, p RefundParams) (string, error) {
	params := &stripe.RefundParams{
		PaymentIntent: stripe.String(p.PaymentIntentID),
		Amount:        stripe.Int64(p.AmountMinor),
		Reason:        stripe.String(string(stripe.RefundReasonRequestedByCustomer)),
		Metadata:      map[string]string{"order_id": strconv.FormatUint(uint64(p.OrderID), 10), "reason": p.Reason},
	}
	params.Context = ctx
	params.SetIdempotencyKey(p.IdempotencyKey)
	r, err := s.api.Refunds.New(params)
	if err != nil {
		return "", fmt.Errorf("refund %s: %w: %w", p.PaymentIntentID, ErrUnavailable, err)
	}
	return r.ID, nil
}

// VerifyWebhook checks the Stripe-Signature header (HMAC with the endpoint
// secret, timestamp within tolerance, API version matching stripe-go's)
// and decodes the event.
func (s *Stripe) VerifyWebhook(body []byte, sig string) (stripe.Event, error) {
	return webhook.ConstructEvent(body, sig, s.webhookSecret)
}

func toCheckout(cs *stripe.CheckoutSession) Checkout {
	c := Checkout{ID: cs.ID, URL: cs.URL, Status: string(cs.Status), PaymentStatus: string(cs.PaymentStatus),
		OrderID: cs.ClientReferenceID, AmountTotal: cs.AmountTotal}
	if cs.PaymentIntent != nil {
		c.PaymentIntentID = cs.PaymentIntent.ID
	}
	return c
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func stringOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return stripe.String(s)
}
