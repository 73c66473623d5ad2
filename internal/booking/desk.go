package booking

// This file holds the payments desk's workflows: staff refunds (card
// through Stripe after the commit, invoice orders recorded as a bank
// refund), marking an invoice paid with its reference, moving an order to
// another session, resending confirmations, resolving flags and manual
// waiting-list offers. Each takes an AuditHook that writes the audit entry
// in the workflow's own transaction.

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// AuditHook records a staff action inside the transaction of the change.
type AuditHook func(tx *gorm.DB) error

func runHook(h AuditHook, tx *gorm.DB) error {
	if h == nil {
		return nil
	}
	return h(tx)
}

// StaffRefund is what a staff refund did.
type StaffRefund struct {
	Refund models.Refund
	// Repeated is true when the idempotency key was already used: nothing
	// was done a second time.
	Repeated bool
	// Closed is true when the refund completed the order's total, so the
	// order moved to refunded and its seats were freed.
	Closed bool
}

// RefundByStaff returns amount (minor units) of a paid order. The amount
// is added to the order's refunded total with one conditional UPDATE, so
// the refunds of an order, however many race, never exceed what was paid;
// a refund that does not fit is a *models.ValidationError on "amount". The
// key makes a double submit a no-op. Card orders get a refund intent that
// Stripe carries out after the commit (the retry-refunds job settles
// failures); invoice orders record a bank refund as done. A refund that
// completes the total moves a paid order to refunded, frees its seats and
// emails the buyer the cancellation; a partial refund sends no email.
func (b *Service) RefundByStaff(ctx context.Context, o *models.Order, amount int64, reason, key string, hook AuditHook) (StaffRefund, error) {
	var out StaffRefund
	if amount <= 0 {
		return out, &models.ValidationError{Fields: map[string]string{"amount": "Enter an amount greater than zero."}}
	}
	if o.PaidAt == nil {
		return out, &models.ValidationError{Fields: map[string]string{"amount": "This order has not been paid, so there is nothing to refund."}}
	}
	card := o.PaymentMethod == models.PayByCard
	if card && (b.pay == nil || o.StripePaymentIntentID == "") {
		return out, fmt.Errorf("refund order %d: no card payment to refund: %w", o.ID, models.ErrConflict)
	}
	err := b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		r := models.Refund{OrderID: o.ID, AmountMinor: amount, Currency: o.Currency, Reason: reason, IdempotencyKey: key, Status: models.RefundPending}
		recorded, err := models.RecordRefund(ctx, tx, &r)
		if err != nil {
			return 0, err
		}
		if !recorded {
			prev, err := models.FindRefundByKey(ctx, tx, key)
			if err != nil {
				return 0, err
			}
			out.Refund, out.Repeated = *prev, true
			return 0, nil
		}
		fits, err := models.AddRefundedWithin(ctx, tx, o.ID, amount)
		if err != nil {
			return 0, err
		}
		if !fits {
			return 0, &models.ValidationError{Fields: map[string]string{"amount": "The refund is more than what was paid less what was already refunded."}}
		}
		if !card {
			if err := models.MarkRefundSettled(ctx, tx, r.ID, b.now()); err != nil {
				return 0, err
			}
			r.Status = models.RefundSucceeded
		}
		out.Refund = r
		cur, err := models.FindOrder(ctx, tx, o.ID)
		if err != nil {
			return 0, err
		}
		var freed uint
		if cur.Status == models.OrderPaid && cur.RefundedMinor >= cur.TotalMinor {
			moved, err := models.RecordRefundTotal(ctx, tx, cur, cur.RefundedMinor, "")
			if err != nil {
				return 0, err
			}
			if moved {
				out.Closed, freed = true, cur.SessionID
				// The whole payment is back: seats the desk moved out of
				// this order end with it (no further refund).
				if _, err := b.cancelSplitOrders(ctx, tx, cur, false); err != nil {
					return 0, err
				}
			}
		}
		// Only a refund that ends the registration is worth the
		// cancellation email (its wording says the order is cancelled); a
		// partial refund is explained to the buyer by staff.
		if out.Closed {
			if err := b.queueCancellation(ctx, tx, cur, fmt.Sprintf("desk_refund:%d:%d", o.ID, r.ID), nil, amount, 0); err != nil {
				return 0, err
			}
		}
		return freed, runHook(hook, tx)
	})
	if err != nil {
		return StaffRefund{}, err
	}
	if card && !out.Repeated {
		b.afterCommit(ctx, o)
	}
	return out, nil
}

// RetryOrderRefunds asks Stripe again for an order's pending refunds now
// (the desk's "retry" on a failed refund); failures stay pending.
func (b *Service) RetryOrderRefunds(ctx context.Context, orderID uint) error {
	if b.pay == nil {
		return ErrCardDisabled
	}
	return b.settleRefunds(ctx, orderID, jobBatch)
}

// MarkInvoicePaidByStaff confirms a pending invoice order, recording the
// payment reference, and queues the confirmations, all in one transaction.
func (b *Service) MarkInvoicePaidByStaff(ctx context.Context, o *models.Order, reference string, by *uint, hook AuditHook) error {
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		moved, err := models.MarkInvoicePaid(ctx, tx, o, b.now())
		if err != nil {
			return err
		}
		if !moved {
			return fmt.Errorf("mark order %d paid: changed meanwhile: %w", o.ID, models.ErrConflict)
		}
		if err := models.RecordInvoicePayment(ctx, tx, &models.InvoicePayment{OrderID: o.ID, Reference: reference,
			AmountMinor: o.TotalMinor, Currency: o.Currency, RecordedBy: by, RecordedAt: b.now().UTC()}); err != nil {
			return err
		}
		fresh, err := models.FindOrder(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		if err := b.queueConfirmation(ctx, tx, fresh); err != nil {
			return err
		}
		return runHook(hook, tx)
	})
}

// MoveOrder moves every active seat of a paid or invoiced order to target,
// another session of the same workshop, in one transaction: seats are
// taken in the target (models.ErrSeatsFull when they do not fit), released
// in the source and offered to its waiting list. Confirmed attendees get
// the confirmation again with the new calendar invite.
func (b *Service) MoveOrder(ctx context.Context, o *models.Order, target *models.Session, hook AuditHook) error {
	if target.WorkshopID != o.Session.WorkshopID || target.ID == o.SessionID {
		return &models.ValidationError{Fields: map[string]string{"session_id": "Choose another session of the same workshop."}}
	}
	stamp := b.now().UnixNano()
	return b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		source := o.SessionID
		if err := models.MoveOrderSession(ctx, tx, o, target); err != nil {
			return 0, err
		}
		fresh, err := models.FindOrder(ctx, tx, o.ID)
		if err != nil {
			return 0, err
		}
		if fresh.Status == models.OrderPaid {
			if err := b.queueConfirmationKeyed(ctx, tx, fresh, "order_moved", "attendee_moved", stamp); err != nil {
				return 0, err
			}
		}
		return source, runHook(hook, tx)
	})
}

// ResendConfirmation queues the confirmation of a paid order again (buyer
// and attendees, with the calendar invite).
func (b *Service) ResendConfirmation(ctx context.Context, o *models.Order, hook AuditHook) error {
	if o.Status != models.OrderPaid {
		return fmt.Errorf("resend confirmation of order %d: it is %s: %w", o.ID, o.Status, models.ErrConflict)
	}
	stamp := b.now().UnixNano()
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := b.queueConfirmationKeyed(ctx, tx, o, "order_resent", "attendee_resent", stamp); err != nil {
			return err
		}
		return runHook(hook, tx)
	})
}

// queueConfirmationKeyed is queueConfirmation under fresh dedupe keys, for
// confirmations sent again on purpose.
func (b *Service) queueConfirmationKeyed(ctx context.Context, tx *gorm.DB, o *models.Order, orderKey, attendeeKey string, stamp int64) error {
	s := &o.Session
	ics := b.sessionICS(s)
	data := mail.OrderData{Site: b.Site(), Session: b.SessionInfo(s, true), Order: *o, OrderURL: b.OrderURL(o)}
	if err := b.out.Enqueue(ctx, tx, mail.KindOrderConfirmation, fmt.Sprintf("%s:%d:%d", orderKey, o.ID, stamp), o.BuyerEmail, o.BuyerName, data, ics); err != nil {
		return err
	}
	for _, at := range o.ActiveAttendees() {
		if at.Email == o.BuyerEmail {
			continue
		}
		ad := mail.AttendeeData{Site: b.Site(), Session: b.SessionInfo(s, true), Attendee: at, BuyerName: o.BuyerName}
		if err := b.out.Enqueue(ctx, tx, mail.KindAttendeeConfirmation, fmt.Sprintf("%s:%d:%d", attendeeKey, at.ID, stamp), at.Email, at.Name, ad, ics); err != nil {
			return err
		}
	}
	return nil
}

// ResolveFlag marks a flagged order handled.
func (b *Service) ResolveFlag(ctx context.Context, orderID uint, hook AuditHook) error {
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.ClearOrderFlag(ctx, tx, orderID); err != nil {
			return err
		}
		return runHook(hook, tx)
	})
}

// OfferWaitlistEntry offers seats to one waiting entry out of queue order
// and emails the claim link, in one transaction; models.ErrSeatsFull when
// the seats are not free.
func (b *Service) OfferWaitlistEntry(ctx context.Context, entryID uint, hook AuditHook) error {
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		e, err := models.FindWaitlistEntry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		token, err := models.OfferWaitlistEntry(ctx, tx, e, b.now(), b.cfg.OfferTTL)
		if err != nil {
			return err
		}
		s := &e.Session
		data := mail.WaitlistData{Site: b.Site(), Session: b.SessionInfo(s, false), Entry: *e,
			ClaimURL: b.cfg.BaseURL + "/waitlist/claim?token=" + token, Expires: inZone(s, *e.OfferExpiresAt)}
		if err := b.out.Enqueue(ctx, tx, mail.KindWaitlistOffer, fmt.Sprintf("waitlist_offer:%d:%d", e.ID, e.Offers), e.Email, e.Name, data); err != nil {
			return err
		}
		return runHook(hook, tx)
	})
}

// RemoveWaitlistEntry withdraws an entry; seats an offer reserved are
// released and offered on to the queue in the same transaction.
func (b *Service) RemoveWaitlistEntry(ctx context.Context, entryID uint, hook AuditHook) error {
	return b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		e, err := models.FindWaitlistEntry(ctx, tx, entryID)
		if err != nil {
			return 0, err
		}
		released, err := models.RemoveWaitlistEntry(ctx, tx, e)
		if err != nil {
			return 0, err
		}
		if err := runHook(hook, tx); err != nil {
			return 0, err
		}
		if released == 0 {
			return 0, nil
		}
		return e.SessionID, nil
	})
}
