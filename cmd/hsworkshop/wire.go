package main

import (
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/payments"
)

// newBooking builds the booking service with the Stripe adapter (when a key
// is set) and the SMTP sender (when SMTP_URL is set). serve, the job runner
// and the orders command share it; none of this needs the web app.
func newBooking(cfg Config, db *gorm.DB, log *slog.Logger) (*booking.Service, error) {
	var pay booking.Payments
	if cfg.StripeSecretKey != "" {
		pay = payments.NewStripe(cfg.StripeSecretKey, cfg.StripeWebhookSecret, cfg.StripeAPIBase)
	}
	var mailer outbox.Mailer
	if cfg.SMTPURL != "" {
		s, err := mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return nil, &configError{"SMTP_URL", err.Error()}
		}
		mailer = s
	}
	out, err := outbox.New(db, mailer, log, time.Now)
	if err != nil {
		return nil, err
	}
	return booking.New(booking.Deps{DB: db, Payments: pay, Outbox: out, Logger: log, Now: time.Now,
		Settings: booking.Settings{BaseURL: cfg.BaseURL, HoldDuration: cfg.HoldDuration, InvoiceTerm: cfg.InvoiceTerm,
			OfferTTL: cfg.OfferTTL, Business: cfg.Business, OpenSeatsPerIP: cfg.InvoiceSeatsPerIP}})
}
