package booking

// This file holds the booking side of staff workflows on a whole session:
// cancelling every live order of a cancelled session (card refunds through
// refund intents, invoices voided, holds released, everyone emailed, the
// waiting list cleared) and notices to a session's attendees.

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// SessionCancelOutcome counts what CancelSessionOrders did.
type SessionCancelOutcome struct {
	CardRefunds     int
	RefundedMinor   int64
	InvoicesVoided  int
	PaidInvoices    int
	HoldsReleased   int
	EmailsQueued    int
	WaitlistCleared int
	// orders with refunds to settle and checkouts to expire after the commit.
	refundOrders []uint
	checkouts    []string
}

// CancelSessionOrders cancels, inside tx, every live order of s (which the
// caller is cancelling): paid card orders are refunded in full through a
// refund intent (idempotency key per order), unpaid invoices are voided,
// paid invoices are flagged for a bank refund, card holds are released;
// every buyer and attendee and everyone on the waiting list is emailed
// once, and the waiting list is cleared. Seats are not offered to the
// waiting list. After the commit the caller runs AfterSessionCancel.
// Running it again finds nothing live and does nothing.
func (b *Service) CancelSessionOrders(ctx context.Context, tx *gorm.DB, s *models.Session, reason string) (SessionCancelOutcome, error) {
	var out SessionCancelOutcome
	os, err := models.ListOrdersForSession(ctx, tx, s.ID, models.OrderHeld, models.OrderPendingInvoice, models.OrderPaid)
	if err != nil {
		return out, err
	}
	body := "We are sorry: this session has been cancelled."
	if r := strings.TrimSpace(reason); r != "" {
		body += "\n\n" + r
	}
	for i := range os {
		o := &os[i]
		o.Session = *s
		prev, method := o.Status, o.PaymentMethod
		var refund int64
		if prev == models.OrderPaid && method == models.PayByCard {
			for _, at := range o.ActiveAttendees() {
				refund += at.PriceMinor
			}
		}
		active := o.ActiveAttendees()
		moved, err := models.CancelOrder(ctx, tx, o, refund, 0, b.now())
		if err != nil {
			return out, err
		}
		if !moved {
			continue
		}
		switch {
		case prev == models.OrderHeld:
			out.HoldsReleased++
			if o.StripeCheckoutSessionID != "" {
				out.checkouts = append(out.checkouts, o.StripeCheckoutSessionID)
			}
			continue // nothing was paid or promised; no email
		case prev == models.OrderPendingInvoice:
			out.InvoicesVoided++
		case method == models.PayByCard:
			if err := b.refund(ctx, tx, o, nil, refund, "session cancelled", fmt.Sprintf("session-cancel-order-%d", o.ID)); err != nil {
				return out, err
			}
			out.CardRefunds++
			out.RefundedMinor += refund
			out.refundOrders = append(out.refundOrders, payingOrder(o))
		default:
			out.PaidInvoices++
			var paid int64
			for _, at := range active {
				paid += at.PriceMinor
			}
			if err := models.FlagOrder(ctx, tx, o.ID, fmt.Sprintf("Session cancelled by staff: refund the paid invoice (%s) by bank transfer.",
				models.Money{Minor: paid, Currency: o.Currency})); err != nil {
				return out, err
			}
		}
		if err := b.queueCancellation(ctx, tx, o, fmt.Sprintf("session_cancel:order:%d", o.ID), nil, refund, 0); err != nil {
			return out, err
		}
		out.EmailsQueued++
		for _, at := range active {
			if at.Email == o.BuyerEmail {
				continue
			}
			if err := b.QueueNotice(ctx, tx, s, fmt.Sprintf("session_cancel:attendee:%d", at.ID), at.Email, at.Name,
				"Cancelled: "+s.Workshop.Title, body, false); err != nil {
				return out, err
			}
			out.EmailsQueued++
		}
	}
	var wl []models.WaitlistEntry
	if err := tx.WithContext(ctx).Where("session_id = ? AND status IN ?", s.ID, []models.WaitStatus{models.WaitWaiting, models.WaitOffered}).
		Order("id").Find(&wl).Error; err != nil {
		return out, fmt.Errorf("list waiting list of session %d: %w", s.ID, err)
	}
	for _, e := range wl {
		res := tx.WithContext(ctx).Model(&models.WaitlistEntry{}).Where("id = ? AND status = ?", e.ID, e.Status).
			Updates(map[string]any{"status": models.WaitCancelled, "offer_expires_at": nil, "updated_at": b.now().UTC()})
		if res.Error != nil {
			return out, fmt.Errorf("clear waiting-list entry %d: %w", e.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			continue
		}
		if e.Status == models.WaitOffered {
			if err := models.ReleaseSeats(ctx, tx, s.ID, e.Seats); err != nil {
				return out, err
			}
		}
		out.WaitlistCleared++
		if err := b.QueueNotice(ctx, tx, s, fmt.Sprintf("session_cancel:waitlist:%d", e.ID), e.Email, e.Name,
			"Cancelled: "+s.Workshop.Title, body+"\n\nYou were on the waiting list; nothing was charged.", false); err != nil {
			return out, err
		}
		out.EmailsQueued++
	}
	return out, nil
}

// AfterSessionCancel carries out, outside any transaction, the Stripe calls
// a committed session cancellation decided: refunds (retried by the
// retry-refunds job on failure) and expiring released checkouts.
func (b *Service) AfterSessionCancel(ctx context.Context, out SessionCancelOutcome) {
	if b.pay == nil {
		return
	}
	for _, id := range out.refundOrders {
		_ = b.settleRefunds(ctx, id, jobBatch) //nolint:errcheck // logged inside; retried by the job
	}
	for _, cs := range out.checkouts {
		if err := b.pay.ExpireCheckout(ctx, cs); err != nil {
			b.log.Warn("could not expire checkout of a cancelled session", "checkout", cs, "err", err)
		}
	}
}

// QueueNotice queues a staff_notice to one person inside tx, once per key;
// withICS attaches the session's calendar invite (with private details).
func (b *Service) QueueNotice(ctx context.Context, tx *gorm.DB, s *models.Session, key, to, name, subject, body string, withICS bool) error {
	data := mail.NoticeData{Site: b.Site(), Session: b.SessionInfo(s, withICS), Name: name, Subject: subject, Body: body}
	if withICS {
		return b.out.Enqueue(ctx, tx, mail.KindStaffNotice, key, to, name, data, b.sessionICS(s))
	}
	return b.out.Enqueue(ctx, tx, mail.KindStaffNotice, key, to, name, data)
}
