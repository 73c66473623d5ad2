package booking

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// MaxSeatsPerOrder bounds one order; larger groups talk to the office.
const MaxSeatsPerOrder = 20

// Registration is what a buyer submits, from the form or the JSON API.
type Registration struct {
	BuyerName    string
	BuyerEmail   string
	Company      string
	PONumber     string
	BillingEmail string
	Attendees    []models.AttendeeInput
	Method       models.PaymentMethod
	DiscountCode string
	// ClientIP is the client's address, for the caps on open unpaid seats.
	ClientIP string
}

// Caps on the seats of unpaid invoice orders one buyer address, and one
// client IP, may hold at a time (ErrOpenSeatsCap beyond them).
const (
	MaxOpenSeatsPerEmail = 20
	MaxOpenSeatsPerIP    = 40
)

// ErrOpenSeatsCap is returned when an invoice order would take an address
// or client IP over its cap of open unpaid seats.
var ErrOpenSeatsCap = errors.New("too many unpaid seats held")

// Normalize trims every field and lower-cases addresses.
func (r *Registration) Normalize() {
	r.BuyerName, r.Company, r.PONumber = strings.TrimSpace(r.BuyerName), strings.TrimSpace(r.Company), strings.TrimSpace(r.PONumber)
	r.BuyerEmail, r.BillingEmail = models.NormalizeEmail(r.BuyerEmail), models.NormalizeEmail(r.BillingEmail)
	r.DiscountCode = models.NormalizeCode(r.DiscountCode)
	for i := range r.Attendees {
		r.Attendees[i].Name = strings.TrimSpace(r.Attendees[i].Name)
		r.Attendees[i].Email = models.NormalizeEmail(r.Attendees[i].Email)
		r.Attendees[i].Needs = strings.TrimSpace(strings.ReplaceAll(r.Attendees[i].Needs, "\r\n", "\n"))
	}
}

// Placed is the result of placing an order.
type Placed struct {
	Order       *models.Order
	CheckoutURL string
}

// PlaceOrder stores the order (taking seats atomically), sends what it
// needs to send and, for card orders, opens the Stripe Checkout Session.
// Invoice holds last InvoiceTerm but never past the session's start. A
// provider failure cancels the order again so the seats are not lost
// (ErrPaymentUnavailable). u is the logged-in buyer or nil; entry is the
// waiting-list offer being claimed or nil.
func (b *Service) PlaceOrder(ctx context.Context, s *models.Session, r Registration, q models.Quote, u *models.User, entry *models.WaitlistEntry) (Placed, error) {
	now := b.now()
	hold := now.Add(b.cfg.HoldDuration)
	// An invoice from a buyer whose address is not proven holds the seats
	// only as long as a card hold, until the emailed link is followed.
	proven := (u.Verified() && u.Email == r.BuyerEmail) || (entry != nil && entry.Email == r.BuyerEmail)
	await := r.Method == models.PayByInvoice && !proven
	if r.Method == models.PayByInvoice && !await {
		hold = b.invoiceDue(s, now)
	}
	if hold.After(s.StartsAt) {
		hold = s.StartsAt
	}
	// The session as read a moment ago has too few seats: answer sold out
	// without queueing for the single writer (as if the order had come in
	// at that read). A stale read that shows seats left is caught by the
	// locked take below.
	if entry == nil && s.SeatsLeft() < len(r.Attendees) {
		return Placed{}, fmt.Errorf("place order for session %d: %w", s.ID, models.ErrSeatsFull)
	}
	// The write transaction holds SQLite's single writer (PostgreSQL: the
	// session's row and the cap's advisory locks), so it does only the
	// writes and the cheap indexed counts: the order is not read back (it
	// is built from what was written), and the invoice PDF is rendered
	// after the commit (renderInvoice).
	var o *models.Order
	err := b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		buyer, err := b.buyerAccount(ctx, tx, u, r)
		if err != nil {
			return err
		}
		in := models.NewOrder{Session: s, UserID: buyer.ID, BuyerName: r.BuyerName, BuyerEmail: r.BuyerEmail,
			BillingEmail: r.BillingEmail, Company: r.Company, PONumber: r.PONumber, Attendees: r.Attendees,
			Method: r.Method, Quote: q, HoldUntil: hold, Now: now, AwaitConfirmation: await, ClientIP: r.ClientIP}
		if entry != nil {
			if err := models.ClaimWaitlistOffer(ctx, tx, entry, now); err != nil {
				return err
			}
			in.WaitlistEntryID = &entry.ID
		}
		if r.Method == models.PayByInvoice && !u.Verified() {
			if err := b.checkOpenSeats(ctx, tx, r); err != nil {
				return err
			}
		}
		if o, err = models.CreateOrder(ctx, tx, in, b.takeSeats); err != nil {
			return err
		}
		if entry != nil {
			if err := models.LinkWaitlistOrder(ctx, tx, entry.ID, o.ID); err != nil {
				return err
			}
		}
		switch {
		case o.AwaitingConfirmation():
			return b.queueOrderVerification(ctx, tx, o)
		case o.Status == models.OrderPendingInvoice:
			return b.queueInvoice(ctx, tx, o)
		case o.Status == models.OrderPaid:
			return b.queueConfirmation(ctx, tx, o)
		}
		return nil
	})
	if err != nil {
		return Placed{}, err
	}
	b.afterInvoiceCommit(ctx, o)
	if o.Status != models.OrderHeld || o.AwaitingConfirmation() {
		return Placed{Order: o}, nil
	}
	// Stripe gets its own deadline well inside the request timeout, so a
	// hanging provider still leaves time to answer and to release the seat.
	cctx, cancel := context.WithTimeout(ctx, checkoutTimeout)
	url, err := b.openCheckout(cctx, o)
	cancel()
	if err != nil {
		b.log.Error("checkout failed; releasing the hold", "order", o.ID, "err", err)
		// The request's context may be spent by now: release the hold with
		// a fresh deadline so the seat is not stuck until the hold lapses.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer rcancel()
		if cerr := b.CancelHeld(rctx, o); cerr != nil {
			return Placed{}, errors.Join(err, cerr)
		}
		return Placed{}, ErrPaymentUnavailable
	}
	return Placed{Order: o, CheckoutURL: url}, nil
}

// checkOpenSeats refuses (ErrOpenSeatsCap) an invoice order that would
// take its buyer address or client IP over the cap of open unpaid seats.
func (b *Service) checkOpenSeats(ctx context.Context, tx *gorm.DB, r Registration) error {
	perIP := int64(MaxOpenSeatsPerIP)
	if b.cfg.OpenSeatsPerIP > 0 {
		perIP = int64(b.cfg.OpenSeatsPerIP)
	}
	byEmail, byIP, err := models.OpenUnpaidSeats(ctx, tx, r.BuyerEmail, r.ClientIP, max(perIP, MaxOpenSeatsPerEmail))
	if err != nil {
		return err
	}
	if n := int64(len(r.Attendees)); byEmail+n > MaxOpenSeatsPerEmail || byIP+n > perIP {
		return ErrOpenSeatsCap
	}
	return nil
}

// checkoutTimeout bounds opening a Checkout Session (the request timeout
// is 30 s); releaseTimeout bounds giving the held seat back after a failure.
const (
	checkoutTimeout = 15 * time.Second
	releaseTimeout  = 10 * time.Second
)

// buyerAccount is the logged-in user, or the account with the buyer's
// address (created without a password when new: a guest can claim it later
// through "forgot password").
func (b *Service) buyerAccount(ctx context.Context, tx *gorm.DB, u *models.User, r Registration) (*models.User, error) {
	if u != nil {
		return u, nil
	}
	return models.FindOrCreateGuest(ctx, tx, r.BuyerEmail, r.BuyerName, r.Company)
}

// openCheckout creates the Stripe Checkout Session for a held order.
func (b *Service) openCheckout(ctx context.Context, o *models.Order) (string, error) {
	if b.pay == nil {
		return "", ErrCardDisabled
	}
	s := &o.Session
	name := fmt.Sprintf("%s — %s", s.Workshop.Title, s.When())
	items := []payments.LineItem{}
	if o.DiscountMinor == 0 {
		items = append(items, payments.LineItem{Name: name, Description: "Seat (" + s.TimeZone + ")", UnitMinor: o.UnitPriceMinor, Quantity: int64(o.Seats)})
	} else {
		// Checkout has no negative lines: show the discounted order as one line.
		desc := fmt.Sprintf("%d seat(s) at %s, %s off", o.Seats, o.UnitPrice(), o.Discount())
		items = append(items, payments.LineItem{Name: name, Description: desc, UnitMinor: o.TotalMinor, Quantity: 1})
	}
	c, err := b.pay.CreateCheckout(ctx, payments.CheckoutParams{OrderID: o.ID, OrderRef: o.Ref, Currency: o.Currency, Items: items,
		CustomerEmail: o.BuyerEmail, ExpiresAt: *o.HoldExpiresAt,
		SuccessURL: b.OrderURL(o) + "/return?session_id={CHECKOUT_SESSION_ID}", CancelURL: b.OrderURL(o) + "/checkout-cancelled"})
	if err != nil {
		return "", err
	}
	if err := models.SetCheckoutSession(ctx, b.db, o.ID, c.ID); err != nil {
		return "", err
	}
	o.StripeCheckoutSessionID = c.ID
	return c.URL, nil
}

// CancelHeld releases a held order at once (checkout abandoned or failed),
// expiring its Checkout Session first so it can no longer be paid.
func (b *Service) CancelHeld(ctx context.Context, o *models.Order) error {
	if o.StripeCheckoutSessionID != "" && b.pay != nil {
		if err := b.pay.ExpireCheckout(ctx, o.StripeCheckoutSessionID); err != nil {
			return err
		}
		// If the payment went through just before the expiry, confirm
		// instead of cancelling.
		if cs, err := b.pay.GetCheckout(ctx, o.StripeCheckoutSessionID); err == nil && cs.PaymentStatus == "paid" {
			return b.confirmPayment(ctx, o, cs.PaymentIntentID)
		}
	}
	return b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		moved, err := models.CancelOrder(ctx, tx, o, 0, 0, b.now())
		if err != nil || !moved {
			return 0, err
		}
		return o.SessionID, nil
	})
}

// ConfirmReturn is the fallback of Stripe's success redirect: fulfilment
// belongs to the webhook, but when the buyer returns the server asks Stripe
// for the session state (never trusting the URL itself) and confirms a
// paid one the same way. A lookup failure is logged and left to the webhook.
func (b *Service) ConfirmReturn(ctx context.Context, o *models.Order, checkoutID string) error {
	if b.pay == nil || (o.Status != models.OrderHeld && o.Status != models.OrderExpired) || checkoutID == "" || checkoutID != o.StripeCheckoutSessionID {
		return nil
	}
	cs, err := b.pay.GetCheckout(ctx, checkoutID)
	if err != nil {
		b.log.Warn("checkout lookup failed; waiting for the webhook", "order", o.ID, "err", err)
		return nil
	}
	if cs.PaymentStatus != "paid" {
		return nil
	}
	return b.confirmPayment(ctx, o, cs.PaymentIntentID)
}

// confirmPayment applies a verified payment in its own transaction, then
// settles a late-payment refund it decided.
func (b *Service) confirmPayment(ctx context.Context, o *models.Order, paymentIntentID string) error {
	if err := b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return b.applyPayment(ctx, tx, o, paymentIntentID)
	}); err != nil {
		return err
	}
	b.afterCommit(ctx, o)
	return nil
}

// MarkInvoicePaid confirms a pending invoice order and queues the
// confirmations; the admin page and the CLI's "orders mark-paid" use it.
func (b *Service) MarkInvoicePaid(ctx context.Context, o *models.Order) error {
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		moved, err := models.MarkInvoicePaid(ctx, tx, o, b.now())
		if err != nil || !moved {
			return err
		}
		fresh, err := models.FindOrder(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		return b.queueConfirmation(ctx, tx, fresh)
	})
}

// invoiceDue is when an issued invoice lapses: InvoiceTerm from now, never
// past the session's start.
func (b *Service) invoiceDue(s *models.Session, now time.Time) time.Time {
	due := now.Add(b.cfg.InvoiceTerm)
	if due.After(s.StartsAt) {
		due = s.StartsAt
	}
	return due
}

// queueOrderVerification emails the buyer of a held invoice order the
// single-use link that confirms it.
func (b *Service) queueOrderVerification(ctx context.Context, tx *gorm.DB, o *models.Order) error {
	ttl := o.HoldExpiresAt.Sub(b.now())
	token, v, err := models.CreateEmailVerification(ctx, tx, o.UserID, o.BuyerEmail, models.VerifyOrder, &o.ID, ttl, b.now())
	if err != nil {
		return err
	}
	data := mail.OrderVerificationData{Site: b.Site(), Session: b.SessionInfo(&o.Session, false), Order: *o,
		Link: b.cfg.BaseURL + "/orders/confirm?token=" + url.QueryEscape(token), Expires: inZone(&o.Session, *o.HoldExpiresAt)}
	return b.out.Enqueue(ctx, tx, mail.KindOrderVerification, fmt.Sprintf("order_verification:%d", v.ID), o.BuyerEmail, o.BuyerName, data)
}

// ConfirmInvoiceOrder follows an order-confirmation link: the held invoice
// order becomes an issued invoice (due InvoiceTerm from now) and its email
// is queued, in one transaction; the PDF is rendered after the commit. A
// spent, expired or unknown token is models.ErrNotFound; an order that
// lapsed meanwhile is models.ErrConflict.
func (b *Service) ConfirmInvoiceOrder(ctx context.Context, token string) (*models.Order, error) {
	var o *models.Order
	err := b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v, err := models.ConsumeOrderVerification(ctx, tx, token, b.now())
		if err != nil {
			return err
		}
		if o, err = models.FindOrder(ctx, tx, *v.OrderID); err != nil {
			return err
		}
		if err := models.ConfirmInvoiceOrder(ctx, tx, o, b.invoiceDue(&o.Session, b.now()), b.now()); err != nil {
			return err
		}
		return b.queueInvoice(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	b.afterInvoiceCommit(ctx, o)
	return o, nil
}
