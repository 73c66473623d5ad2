// Package booking holds the registration and payment workflows: placing
// an order (seat holds, the invoice-hold cap), applying payments (Stripe
// webhook effects, hold extension, late-payment refunds), cancellation and
// refund arithmetic, waiting-list offers, invoices, the emails these
// queue, and the background jobs that expire holds and offers.
//
// A Service is built from explicit dependencies (database, payment
// processor, outbox, clock, settings) and is used by handlers/booking,
// handlers/admin, the CLI and the job runner. It is a service package: it
// may import the adapters (internal/payments, internal/mail,
// internal/invoice, internal/calendar, internal/jobs), other services
// (internal/outbox) and models; never handlers or cmd.
package booking

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/invoice"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// Payments is what booking needs from the card processor. The Stripe
// adapter and a test fake live in internal/payments. A nil Payments means
// card payment is off and invoices are the only method.
type Payments interface {
	CreateCheckout(ctx context.Context, p payments.CheckoutParams) (payments.Checkout, error)
	GetCheckout(ctx context.Context, id string) (payments.Checkout, error)
	ExpireCheckout(ctx context.Context, id string) error
	Refund(ctx context.Context, p payments.RefundParams) (string, error)
	VerifyWebhook(body []byte, sig string) (stripe.Event, error)
}

// Business identifies the seller on invoices and in emails.
type Business struct {
	Name                string
	Address             []string
	Email               string
	PaymentInstructions string
}

// Settings are the booking rules and the public identity; parsed once in
// cmd and never changed.
type Settings struct {
	// BaseURL is the public origin, without a trailing slash; emails link to it.
	BaseURL string
	// HoldDuration is how long card-payment seats are held (and the Stripe
	// Checkout Session lives): at least Stripe's 30-minute minimum.
	HoldDuration time.Duration
	// InvoiceTerm is how long invoice seats are held unpaid (capped at the start).
	InvoiceTerm time.Duration
	// OfferTTL is how long a waiting-list offer reserves its seats.
	OfferTTL time.Duration
	// Business appears on invoices and emails.
	Business Business
	// OpenSeatsPerIP caps the unpaid invoice seats one client IP may hold
	// (0: MaxOpenSeatsPerIP).
	OpenSeatsPerIP int
}

// Deps is everything New needs; tests swap any of it.
type Deps struct {
	DB *gorm.DB
	// Payments is the card processor; nil turns card payment off.
	Payments Payments
	// Outbox queues and sends email; required.
	Outbox   *outbox.Outbox
	Settings Settings
	Logger   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SeatTaker overrides models.TakeSeats; only the concurrency test's
	// negative control sets it.
	SeatTaker models.SeatTaker
	// InvoicePDF renders an invoice; nil means invoice.Render. Tests wrap
	// it to see when (and whether) the PDF is rendered.
	InvoicePDF func(models.Order, invoice.Document) ([]byte, error)
}

// Service runs the booking workflows.
type Service struct {
	db         *gorm.DB
	pay        Payments
	out        *outbox.Outbox
	cfg        Settings
	log        *slog.Logger
	now        func() time.Time
	takeSeats  models.SeatTaker
	invoicePDF func(models.Order, invoice.Document) ([]byte, error)
}

// New builds a Service, filling in defaults for unset settings.
func New(d Deps) (*Service, error) {
	if d.DB == nil {
		return nil, errors.New("booking: DB is required")
	}
	if d.Outbox == nil {
		return nil, errors.New("booking: Outbox is required")
	}
	b := &Service{db: d.DB, pay: d.Payments, out: d.Outbox, cfg: d.Settings, log: d.Logger, now: d.Now, takeSeats: d.SeatTaker, invoicePDF: d.InvoicePDF}
	b.cfg.BaseURL = strings.TrimRight(b.cfg.BaseURL, "/")
	if b.cfg.HoldDuration < 30*time.Minute {
		b.cfg.HoldDuration = 35 * time.Minute
	}
	if b.cfg.InvoiceTerm <= 0 {
		b.cfg.InvoiceTerm = 14 * 24 * time.Hour
	}
	if b.cfg.OfferTTL <= 0 {
		b.cfg.OfferTTL = 24 * time.Hour
	}
	if b.cfg.Business.Name == "" {
		b.cfg.Business.Name = "hsworkshop"
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.takeSeats == nil {
		b.takeSeats = models.TakeSeats
	}
	if b.invoicePDF == nil {
		b.invoicePDF = invoice.Render
	}
	return b, nil
}

// Settings returns the settings in force (defaults filled in).
func (b *Service) Settings() Settings { return b.cfg }

// CardEnabled reports whether card payment is on.
func (b *Service) CardEnabled() bool { return b.pay != nil }

// InvoiceAllowed reports whether invoice payment is offered for s.
func (b *Service) InvoiceAllowed(s *models.Session) bool { return s.AllowInvoice || b.pay == nil }

// Outbox is the outbox the service queues into.
func (b *Service) Outbox() *outbox.Outbox { return b.out }

// VerifyWebhook checks a Stripe webhook body against its signature.
func (b *Service) VerifyWebhook(body []byte, sig string) (stripe.Event, error) {
	if b.pay == nil {
		return stripe.Event{}, ErrCardDisabled
	}
	return b.pay.VerifyWebhook(body, sig)
}

// ErrCardDisabled is returned by card operations when payment is off.
var ErrCardDisabled = errors.New("card payments are not enabled")

// ErrPaymentUnavailable is returned when Stripe cannot open a checkout.
var ErrPaymentUnavailable = errors.New("payment provider unavailable")

// OrderURL is the buyer's link to an order.
func (b *Service) OrderURL(o *models.Order) string { return b.cfg.BaseURL + "/orders/" + o.Ref }
