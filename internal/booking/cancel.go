package booking

import (
	"context"
	"errors"
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
		if err := b.refund(ctx, tx, o, nil, o.TotalMinor, "paid after the seats were released", key); err != nil {
			return err
		}
		b.log.Warn("late payment refunded: session full", "order", o.ID)
		return b.queueCancellation(ctx, tx, o, "late_refund:"+strconv.FormatUint(uint64(o.ID), 10), nil, o.TotalMinor, 0)
	}
	return nil
}

// refund records the intent to return amount on o inside tx (pending,
// unique by key) and counts it as refunded on the order. No network call
// happens here: after the commit the caller runs settleRefunds, and the
// retry-refunds job settles whatever a failure or a crash left pending.
func (b *Service) refund(ctx context.Context, tx *gorm.DB, o *models.Order, attendeeID *uint, amount int64, reason, key string) error {
	if amount <= 0 {
		return nil
	}
	// A seat the desk moved into an order of its own was paid on the
	// original order: the refund is recorded and sent there.
	payer := o
	if o.MovedFromOrderID != nil {
		p, err := models.FindOrder(ctx, tx, *o.MovedFromOrderID)
		if err != nil {
			return err
		}
		payer = p
	}
	if b.pay == nil || payer.StripePaymentIntentID == "" {
		return fmt.Errorf("refund order %d: no card payment to refund: %w", o.ID, models.ErrConflict)
	}
	recorded, err := models.RecordRefund(ctx, tx, &models.Refund{OrderID: payer.ID, AttendeeID: attendeeID, AmountMinor: amount,
		Currency: payer.Currency, Reason: reason, IdempotencyKey: key, Status: models.RefundPending})
	if err != nil || !recorded {
		return err
	}
	payer.RefundedMinor += amount
	return tx.Model(&models.Order{}).Where("id = ?", payer.ID).
		Update("refunded_minor", gorm.Expr("refunded_minor + ?", amount)).Error
}

// settleRefunds asks Stripe to carry out the pending refund intents of one
// order (orderID 0: any order, oldest first, at most limit) and records
// each answer. It runs outside any transaction. The idempotency key makes
// a repeated call return the same Stripe refund, so a retry after a crash
// between Stripe's answer and our record never refunds twice.
func (b *Service) settleRefunds(ctx context.Context, orderID uint, limit int) error {
	rs, err := models.ListPendingRefunds(ctx, b.db, orderID, limit)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rs {
		if err := b.settleRefund(ctx, r); err != nil {
			b.log.Warn("refund not carried out; will retry", "refund", r.ID, "order", r.OrderID, "attempt", r.Attempts+1, "err", err)
			errs = append(errs, err, models.RefundFailed(ctx, b.db, r.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (b *Service) settleRefund(ctx context.Context, r models.Refund) error {
	if b.pay == nil {
		return ErrCardDisabled
	}
	o, err := models.FindOrder(ctx, b.db, r.OrderID)
	if err != nil {
		return err
	}
	id, err := b.pay.Refund(ctx, payments.RefundParams{PaymentIntentID: o.StripePaymentIntentID, AmountMinor: r.AmountMinor,
		Reason: r.Reason, IdempotencyKey: r.IdempotencyKey, OrderID: o.ID})
	if err != nil {
		return err
	}
	return models.SettleRefund(ctx, b.db, r.ID, id, b.now())
}

// afterCommit settles the refunds a committed workflow decided on o. A
// failure is logged and left to the retry-refunds job: the workflow itself
// (the cancellation, the late payment) stands.
func (b *Service) afterCommit(ctx context.Context, o *models.Order) {
	if o == nil || b.pay == nil {
		return
	}
	_ = b.settleRefunds(ctx, payingOrder(o), jobBatch) //nolint:errcheck // logged inside; retried by the job
}

// payingOrder is the order whose payment o's refunds come from: o itself,
// or for a seat the desk moved into an order of its own, the original.
func payingOrder(o *models.Order) uint {
	if o.MovedFromOrderID != nil {
		return *o.MovedFromOrderID
	}
	return o.ID
}

// RetryRefunds carries out refund intents still pending (Stripe was down,
// or the process stopped between the commit and the call).
func (b *Service) RetryRefunds(ctx context.Context) error {
	if b.pay == nil {
		return nil
	}
	return b.settleRefunds(ctx, 0, jobBatch)
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
	err := b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		wasPaidInvoice := o.Status == models.OrderPaid && o.PaymentMethod == models.PayByInvoice
		moved, err := models.CancelOrder(ctx, tx, o, refund, fee, b.now())
		if err != nil || !moved {
			return 0, err
		}
		if err := b.refund(ctx, tx, o, nil, refund, "cancelled by buyer", fmt.Sprintf("cancel-order-%d", o.ID)); err != nil {
			return 0, err
		}
		// Seats the desk moved out of this order were bought with it: the
		// whole order's cancellation ends them too.
		split, err := b.cancelSplitOrders(ctx, tx, o, true)
		if err != nil {
			return 0, err
		}
		// Each moved seat's email states its own refund; the bank
		// transfer staff make covers them too.
		bankTotal := bankRefund
		if o.PaymentMethod == models.PayByInvoice {
			bankTotal += split
		}
		if wasPaidInvoice {
			if err := models.FlagOrder(ctx, tx, o.ID, fmt.Sprintf("Invoice order cancelled after payment: refund %s by bank transfer.",
				models.Money{Minor: bankTotal, Currency: o.Currency})); err != nil {
				return 0, err
			}
		}
		if err := b.queueCancellation(ctx, tx, o, fmt.Sprintf("cancel_order:%d", o.ID), nil, refund+bankRefund, fee); err != nil {
			return 0, err
		}
		return o.SessionID, nil
	})
	if err != nil {
		return err
	}
	b.afterCommit(ctx, o)
	return nil
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
	err := b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		if err := models.CancelAttendee(ctx, tx, o, target.ID, refund, fee, b.now()); err != nil {
			return 0, err
		}
		if err := b.refund(ctx, tx, o, &target.ID, refund, "attendee cancelled by buyer", fmt.Sprintf("cancel-attendee-%d", target.ID)); err != nil {
			return 0, err
		}
		shown := refund
		if o.Status == models.OrderPaid && o.PaymentMethod == models.PayByInvoice {
			shown = target.PriceMinor - fee
			if err := models.FlagOrder(ctx, tx, o.ID, fmt.Sprintf("Seat of %s cancelled on a paid invoice: refund %s by bank transfer.",
				target.Name, models.Money{Minor: shown, Currency: o.Currency})); err != nil {
				return 0, err
			}
		}
		if err := b.queueCancellation(ctx, tx, o, fmt.Sprintf("cancel_attendee:%d", target.ID), []string{target.Name}, shown, fee); err != nil {
			return 0, err
		}
		return o.SessionID, nil
	})
	if err != nil {
		return err
	}
	b.afterCommit(ctx, o)
	return nil
}
