package models

// This file holds payment: recording card and invoice payments and
// Stripe's refund totals.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// PaymentOutcome says what recording a payment did.
type PaymentOutcome int

// Payment outcomes.
const (
	PaymentNoChange   PaymentOutcome = iota // already paid, refunded or cancelled
	PaymentConfirmed                        // the order is now paid
	PaymentMustRefund                       // paid after its hold lapsed and no seat was free
)

// RecordPayment marks an order paid from a verified payment. If the hold
// had lapsed, the seats are taken again when free; when they are not, the
// order is flagged for staff and the caller must refund the payment.
func RecordPayment(ctx context.Context, tx *gorm.DB, o *Order, paymentIntentID string, now time.Time) (PaymentOutcome, error) {
	tx = tx.WithContext(ctx)
	if err := reloadStatus(tx, o); err != nil {
		return PaymentNoChange, err
	}
	set := map[string]any{"paid_at": now.UTC(), "hold_expires_at": nil}
	if paymentIntentID != "" {
		set["stripe_payment_intent_id"] = paymentIntentID
		o.StripePaymentIntentID = paymentIntentID
	}
	if o.Status == OrderCancelled && o.PaidAt == nil {
		// The buyer abandoned checkout (or cancelled) while the payment was
		// going through: the seats are gone, so the money goes back.
		err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(map[string]any{"stripe_payment_intent_id": paymentIntentID,
			"needs_attention": true, "attention_note": "Paid after the order was cancelled; payment refunded automatically.", "updated_at": utcNow()}).Error
		if err != nil {
			return PaymentNoChange, translate(err, "flag order %d", o.ID)
		}
		return PaymentMustRefund, nil
	}
	if o.Status == OrderExpired {
		err := TakeSeats(ctx, tx, &o.Session, o.Seats)
		if errors.Is(err, ErrSeatsFull) {
			moved, err := moveOrder(tx, o, OrderRefunded, map[string]any{"stripe_payment_intent_id": paymentIntentID,
				"needs_attention": true, "attention_note": "Paid after the hold lapsed and the session was full; payment refunded automatically."})
			if err != nil || !moved {
				return PaymentNoChange, err
			}
			return PaymentMustRefund, nil
		}
		if err != nil {
			return PaymentNoChange, err
		}
		if o.DiscountCodeID != nil {
			// The lapsed order gave its code use back; count it again
			// (even past MaxUses: the buyer already paid the discounted price).
			if err := tx.Exec("UPDATE discount_codes SET uses = uses + 1 WHERE id = ?", *o.DiscountCodeID).Error; err != nil {
				return PaymentNoChange, translate(err, "re-use discount")
			}
		}
	}
	moved, err := moveOrder(tx, o, OrderPaid, set)
	if err != nil || !moved {
		return PaymentNoChange, err
	}
	return PaymentConfirmed, nil
}

// MarkInvoicePaid confirms a pending invoice order (staff action).
func MarkInvoicePaid(ctx context.Context, tx *gorm.DB, o *Order, now time.Time) (bool, error) {
	if o.Status != OrderPendingInvoice {
		return false, fmt.Errorf("mark order %d paid: it is %s: %w", o.ID, o.Status, ErrConflict)
	}
	return moveOrder(tx.WithContext(ctx), o, OrderPaid, map[string]any{"paid_at": now.UTC(), "hold_expires_at": nil})
}

// RecordRefundTotal stores Stripe's cumulative refunded amount for an order
// (from charge.refunded). A full refund of a held or paid order moves it to
// refunded and frees its seats. It reports whether the status changed.
func RecordRefundTotal(ctx context.Context, tx *gorm.DB, o *Order, amountRefunded int64, paymentIntentID string) (bool, error) {
	tx = tx.WithContext(ctx)
	if err := reloadStatus(tx, o); err != nil {
		return false, err
	}
	if amountRefunded < o.RefundedMinor {
		amountRefunded = o.RefundedMinor // never move the amount backwards
	}
	set := map[string]any{"refunded_minor": amountRefunded, "updated_at": utcNow()}
	if o.StripePaymentIntentID == "" && paymentIntentID != "" {
		set["stripe_payment_intent_id"] = paymentIntentID
	}
	if err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(set).Error; err != nil {
		return false, translate(err, "record refund of order %d", o.ID)
	}
	o.RefundedMinor = amountRefunded
	if amountRefunded < o.TotalMinor || (o.Status != OrderHeld && o.Status != OrderPaid) {
		return false, nil
	}
	prev := o.Status
	moved, err := moveOrder(tx, o, OrderRefunded, map[string]any{"hold_expires_at": nil})
	if err != nil || !moved {
		return false, err
	}
	return true, freeOrder(ctx, tx, o, prev != OrderPaid)
}
