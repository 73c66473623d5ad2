package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// ApplyStripeEvent applies one verified event exactly once.
func (b *Service) ApplyStripeEvent(ctx context.Context, ev stripe.Event) error {
	var touched *models.Order
	err := b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		first, err := models.ClaimStripeEvent(ctx, tx, ev.ID, string(ev.Type), b.now())
		if err != nil || !first {
			return 0, err
		}
		var o *models.Order
		freed := false
		switch ev.Type {
		case "checkout.session.completed", "checkout.session.async_payment_succeeded",
			"checkout.session.async_payment_failed", "checkout.session.expired":
			o, freed, err = b.applyCheckoutEvent(ctx, tx, ev)
		case "charge.refunded":
			o, freed, err = b.applyChargeRefunded(ctx, tx, ev)
		default:
			return 0, nil // recorded, nothing to do
		}
		if err != nil || o == nil {
			return 0, err
		}
		touched = o
		if err := models.SetStripeEventOrder(ctx, tx, ev.ID, o.ID); err != nil || !freed {
			return 0, err
		}
		return o.SessionID, nil
	})
	if err != nil {
		return err
	}
	// A late payment may have decided a refund: carry it out now that the
	// event is committed (the retry job covers a failure).
	b.afterCommit(ctx, touched)
	return nil
}

// checkoutOrder finds the order of a Checkout Session event.
func checkoutOrder(ctx context.Context, tx *gorm.DB, cs *stripe.CheckoutSession) (*models.Order, error) {
	o, err := models.FindOrderByCheckoutSession(ctx, tx, cs.ID)
	if !errors.Is(err, models.ErrNotFound) {
		return o, err
	}
	// The session id may not be stored yet (the webhook can beat our own
	// write); fall back to the order id we put in client_reference_id.
	id, perr := strconv.ParseUint(cs.ClientReferenceID, 10, 32)
	if perr != nil {
		return nil, err
	}
	o, err = models.FindOrder(ctx, tx, uint(id))
	if err != nil {
		return nil, err
	}
	if o.StripeCheckoutSessionID != "" && o.StripeCheckoutSessionID != cs.ID {
		return nil, fmt.Errorf("checkout %s names order %d, which belongs to %s: %w", cs.ID, o.ID, o.StripeCheckoutSessionID, models.ErrNotFound)
	}
	return o, nil
}

// applyCheckoutEvent applies a Checkout Session event inside tx and
// reports whether it freed the order's seats.
func (b *Service) applyCheckoutEvent(ctx context.Context, tx *gorm.DB, ev stripe.Event) (*models.Order, bool, error) {
	var cs stripe.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
		return nil, false, fmt.Errorf("decode checkout session: %w", err)
	}
	o, err := checkoutOrder(ctx, tx, &cs)
	if errors.Is(err, models.ErrNotFound) {
		b.log.Warn("stripe event for an unknown order", "event", ev.ID, "checkout", cs.ID)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	pi := ""
	if cs.PaymentIntent != nil {
		pi = cs.PaymentIntent.ID
	}
	switch {
	case ev.Type == "checkout.session.completed" && cs.PaymentStatus == stripe.CheckoutSessionPaymentStatusUnpaid:
		// Delayed payment methods: keep the seats until the async outcome.
		return o, false, b.extendHold(ctx, tx, o)
	case ev.Type == "checkout.session.completed", ev.Type == "checkout.session.async_payment_succeeded":
		return o, false, b.applyPayment(ctx, tx, o, pi)
	default: // expired, or async payment failed
		changed, err := models.ExpireOrder(ctx, tx, o)
		if err != nil || !changed {
			return o, false, err
		}
		if err := b.queueExpired(ctx, tx, o); err != nil {
			return o, false, err
		}
		return o, true, nil
	}
}

// asyncPaymentWindow is how long seats stay held for a delayed payment method.
const asyncPaymentWindow = 7 * 24 * time.Hour

// extendHold keeps a held order's seats while a delayed payment settles.
func (b *Service) extendHold(ctx context.Context, tx *gorm.DB, o *models.Order) error {
	until := b.now().Add(asyncPaymentWindow)
	if until.After(o.Session.StartsAt) {
		until = o.Session.StartsAt
	}
	return tx.WithContext(ctx).Model(&models.Order{}).Where("id = ? AND status = ?", o.ID, models.OrderHeld).
		Update("hold_expires_at", until.UTC()).Error
}

// applyChargeRefunded records Stripe's refund total inside tx and reports
// whether a full refund freed the order's seats.
func (b *Service) applyChargeRefunded(ctx context.Context, tx *gorm.DB, ev stripe.Event) (*models.Order, bool, error) {
	var ch stripe.Charge
	if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
		return nil, false, fmt.Errorf("decode charge: %w", err)
	}
	pi := ""
	if ch.PaymentIntent != nil {
		pi = ch.PaymentIntent.ID
	}
	o, err := models.FindOrderByPaymentIntent(ctx, tx, pi)
	if errors.Is(err, models.ErrNotFound) {
		// Refund before completion: find the order by the metadata we set.
		if id, perr := strconv.ParseUint(ch.Metadata["order_id"], 10, 32); perr == nil {
			o, err = models.FindOrder(ctx, tx, uint(id))
		}
	}
	if errors.Is(err, models.ErrNotFound) {
		b.log.Warn("refund for an unknown payment", "event", ev.ID, "payment_intent", pi)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	changed, err := models.RecordRefundTotal(ctx, tx, o, ch.AmountRefunded, pi)
	if err != nil || !changed {
		return o, false, err
	}
	if err := b.queueCancellation(ctx, tx, o, "refunded:"+ev.ID, nil, ch.AmountRefunded, 0); err != nil {
		return o, false, err
	}
	return o, true, nil
}
