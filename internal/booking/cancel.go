package booking

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// applyPayment confirms a verified payment for o inside tx: confirmation
// emails when it became paid, an automatic refund when it arrived after the
// hold lapsed and no seat was left.
func (b *Service) applyPayment(ctx context.Context, tx *gorm.DB, o *models.Order, paymentIntentID string) error {
	outcome, err := models.RecordPayment(ctx, tx, o, paymentIntentID, b.now())
	if err != nil {
		return err
	}
	switch outcome {
	case models.PaymentConfirmed:
		fresh, err := models.FindOrder(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		return b.queueConfirmation(ctx, tx, fresh)
	case models.PaymentMustRefund:
		key := fmt.Sprintf("late-payment-%d", o.ID)
		if _, err := b.refund(ctx, tx, o, nil, o.TotalMinor, "paid after the seats were released", key); err != nil {
			return err
		}
		b.log.Warn("late payment refunded: session full", "order", o.ID)
		return b.queueCancellation(ctx, tx, o, "late_refund:"+strconv.FormatUint(uint64(o.ID), 10), nil, o.TotalMinor, 0)
	}
	return nil
}

// refund returns money through Stripe (idempotent by key) and records it.
func (b *Service) refund(ctx context.Context, tx *gorm.DB, o *models.Order, attendeeID *uint, amount int64, reason, key string) (string, error) {
	if amount <= 0 {
		return "", nil
	}
	if b.pay == nil || o.StripePaymentIntentID == "" {
		return "", fmt.Errorf("refund order %d: no card payment to refund: %w", o.ID, models.ErrConflict)
	}
	id, err := b.pay.Refund(ctx, payments.RefundParams{PaymentIntentID: o.StripePaymentIntentID, AmountMinor: amount,
		Reason: reason, IdempotencyKey: key, OrderID: o.ID})
	if err != nil {
		return "", err
	}
	recorded, err := models.RecordRefund(ctx, tx, &models.Refund{OrderID: o.ID, AttendeeID: attendeeID, AmountMinor: amount,
		Currency: o.Currency, Reason: reason, StripeRefundID: id, IdempotencyKey: key})
	if err != nil || !recorded {
		return id, err
	}
	o.RefundedMinor += amount
	return id, tx.Model(&models.Order{}).Where("id = ?", o.ID).
		Update("refunded_minor", gorm.Expr("refunded_minor + ?", amount)).Error
}

// MayCancel explains why the buyer cannot cancel o (now), or "".
func (b *Service) MayCancel(o *models.Order) string {
	switch {
	case o.Status != models.OrderPaid && o.Status != models.OrderPendingInvoice && o.Status != models.OrderHeld:
		return "This order is " + o.Status.Label() + "."
	case !o.Session.CancellationOpen(b.now()):
		return "The cancellation deadline for this session has passed. Contact us if your plans changed: we can usually transfer the seat to a colleague."
	}
	return ""
}

// CancelOrder cancels the whole order within the policy: a hold is
// released, card payments are refunded through Stripe less the fee, paid
// invoices are flagged for a bank refund less the fee, unpaid invoices are
// voided without a fee. The caller checks MayCancel first.
func (b *Service) CancelOrder(ctx context.Context, o *models.Order) error {
	if o.Status == models.OrderHeld {
		return b.CancelHeld(ctx, o)
	}
	// The active seats' shares are what is left to refund; seats cancelled
	// earlier were settled (refund or fee) when they were cancelled.
	var remaining int64
	for _, at := range o.ActiveAttendees() {
		remaining += at.PriceMinor
	}
	fee, refund, bankRefund := int64(0), int64(0), int64(0)
	if o.Status == models.OrderPaid {
		// An unpaid invoice is voided without a fee (see the terms).
		fee = min(o.Session.CancelFeeMinor*int64(len(o.ActiveAttendees())), remaining)
		if o.PaymentMethod == models.PayByCard {
			refund = remaining - fee
		} else {
			bankRefund = remaining - fee
		}
	}
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		wasPaidInvoice := o.Status == models.OrderPaid && o.PaymentMethod == models.PayByInvoice
		moved, err := models.CancelOrder(ctx, tx, o, refund, fee, b.now())
		if err != nil || !moved {
			return err
		}
		if _, err := b.refund(ctx, tx, o, nil, refund, "cancelled by buyer", fmt.Sprintf("cancel-order-%d", o.ID)); err != nil {
			return err
		}
		if wasPaidInvoice {
			if err := models.FlagOrder(ctx, tx, o.ID, fmt.Sprintf("Invoice order cancelled after payment: refund %s by bank transfer.",
				models.Money{Minor: bankRefund, Currency: o.Currency})); err != nil {
				return err
			}
		}
		if err := b.queueCancellation(ctx, tx, o, fmt.Sprintf("cancel_order:%d", o.ID), nil, refund+bankRefund, fee); err != nil {
			return err
		}
		return b.offerFreedSeats(ctx, tx, o.SessionID)
	})
}

// CancelAttendee cancels one active seat of an order within the policy;
// the last seat, or a seat of a hold, cancels the whole order. The caller
// checks MayCancel first and that target is an active attendee of o.
func (b *Service) CancelAttendee(ctx context.Context, o *models.Order, target *models.Attendee) error {
	if len(o.ActiveAttendees()) == 1 || o.Status == models.OrderHeld {
		return b.CancelOrder(ctx, o)
	}
	// Fees apply to paid seats; an unpaid invoice simply drops the seat
	// (whole unpaid invoices are voided without a fee, as the terms say).
	fee := int64(0)
	if o.Status == models.OrderPaid {
		fee = min(o.Session.CancelFeeMinor, target.PriceMinor)
	}
	refund := int64(0)
	if o.Status == models.OrderPaid && o.PaymentMethod == models.PayByCard {
		refund = target.PriceMinor - fee
	}
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.CancelAttendee(ctx, tx, o, target.ID, refund, fee, b.now()); err != nil {
			return err
		}
		if _, err := b.refund(ctx, tx, o, &target.ID, refund, "attendee cancelled by buyer", fmt.Sprintf("cancel-attendee-%d", target.ID)); err != nil {
			return err
		}
		shown := refund
		if o.Status == models.OrderPaid && o.PaymentMethod == models.PayByInvoice {
			shown = target.PriceMinor - fee
			if err := models.FlagOrder(ctx, tx, o.ID, fmt.Sprintf("Seat of %s cancelled on a paid invoice: refund %s by bank transfer.",
				target.Name, models.Money{Minor: shown, Currency: o.Currency})); err != nil {
				return err
			}
		}
		if err := b.queueCancellation(ctx, tx, o, fmt.Sprintf("cancel_attendee:%d", target.ID), []string{target.Name}, shown, fee); err != nil {
			return err
		}
		return b.offerFreedSeats(ctx, tx, o.SessionID)
	})
}
