package handlers

import (
	"context"

	"github.com/stripe/stripe-go/v76"

	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// Payments is what the handlers need from the card processor. The Stripe
// adapter and a test fake live in internal/payments. A nil Payments means
// card payment is off and invoices are the only method.
type Payments interface {
	CreateCheckout(ctx context.Context, p payments.CheckoutParams) (payments.Checkout, error)
	GetCheckout(ctx context.Context, id string) (payments.Checkout, error)
	ExpireCheckout(ctx context.Context, id string) error
	Refund(ctx context.Context, p payments.RefundParams) (string, error)
	VerifyWebhook(body []byte, sig string) (stripe.Event, error)
}

// Mailer delivers one outbox message; nil keeps messages in the outbox.
type Mailer interface {
	Send(ctx context.Context, m models.Email) error
}
