package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/jobs"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// jobBatch bounds the rows one job run handles.
const jobBatch = 100

// Jobs are the background tasks of the app; cmd runs them with
// internal/jobs. Each is safe with several instances on one database.
func (b *Service) Jobs(every time.Duration) []jobs.Task {
	ts := []jobs.Task{
		{Name: "expire-holds", Every: every, Run: b.ExpireLapsedOrders},
		{Name: "lapse-offers", Every: every, Run: b.LapseWaitlistOffers},
		{Name: "reminders", Every: every, Run: b.QueueReminders},
		{Name: "retry-refunds", Every: every, Run: b.RetryRefunds},
		{Name: "render-attachments", Every: every, Run: b.RenderPendingAttachments},
		{Name: "prune-auth", Every: time.Hour, Run: func(ctx context.Context) error { return models.PruneAuth(ctx, b.db, b.now()) }},
	}
	if b.out.Sending() {
		ts = append(ts, jobs.Task{Name: "outbox", Every: min(every, 10*time.Second), Run: b.SendOutbox})
	}
	return ts
}

// ExpireLapsedOrders frees the seats of card holds and invoices whose time
// ran out. The status change is conditional, so a payment or another
// instance that got there first wins and this run skips the order.
func (b *Service) ExpireLapsedOrders(ctx context.Context) error {
	os, err := models.ListLapsedOrders(ctx, b.db, b.now(), jobBatch)
	if err != nil {
		return err
	}
	var errs []error
	for i := range os {
		o := &os[i]
		if paid, err := b.reconcileHold(ctx, o); err != nil || paid {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
			changed, err := models.ExpireOrder(ctx, tx, o)
			if err != nil || !changed {
				return 0, err
			}
			if err := b.queueExpired(ctx, tx, o); err != nil {
				return 0, err
			}
			return o.SessionID, nil
		}))
	}
	return errors.Join(errs...)
}

// reconcileHold asks Stripe, outside any transaction, whether a lapsing
// card hold was in fact paid, and applies the payment if so. This is how an
// acknowledged webhook survives a power loss: SQLite runs WAL with
// synchronous=NORMAL (an fsync per checkpoint, not per commit), so the last
// commits before a power cut can be lost, and Stripe does not resend an
// event it got a 2xx for; the hold of such an order still lapses, and this
// lookup finds the payment before the seats are released. A failed lookup
// expires the hold as before: a payment arriving later takes the
// late-payment path (confirmed if seats are left, refunded otherwise).
func (b *Service) reconcileHold(ctx context.Context, o *models.Order) (bool, error) {
	if b.pay == nil || o.Status != models.OrderHeld || o.StripeCheckoutSessionID == "" {
		return false, nil
	}
	cs, err := b.pay.GetCheckout(ctx, o.StripeCheckoutSessionID)
	if err != nil {
		b.log.Warn("checkout lookup before expiring a hold failed; expiring it", "order", o.ID, "err", err)
		return false, nil
	}
	if cs.PaymentStatus != "paid" {
		return false, nil
	}
	b.log.Warn("lapsing hold was paid (webhook missing); confirming it", "order", o.ID)
	return true, b.confirmPayment(ctx, o, cs.PaymentIntentID)
}

// LapseWaitlistOffers ends unclaimed offers and passes their seats on.
func (b *Service) LapseWaitlistOffers(ctx context.Context) error {
	es, err := models.ListLapsedOffers(ctx, b.db, b.now(), jobBatch)
	if err != nil {
		return err
	}
	var errs []error
	for i := range es {
		e := &es[i]
		errs = append(errs, b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
			changed, err := models.LapseOffer(ctx, tx, e, b.now())
			if err != nil || !changed {
				return 0, err
			}
			return e.SessionID, nil
		}))
	}
	return errors.Join(errs...)
}

// reminderLead is how long before the start the reminder goes out.
const reminderLead = 24 * time.Hour

// QueueReminders queues the reminder of every confirmed attendee of a
// session starting within 24 hours; the dedupe key sends each only once.
func (b *Service) QueueReminders(ctx context.Context) error {
	now := b.now()
	var ss []models.Session
	if err := b.db.WithContext(ctx).Preload("Workshop").Preload("Instructor").
		Where("status = ? AND starts_at > ? AND starts_at <= ?", models.StatusPublished, now.UTC(), now.Add(reminderLead).UTC()).
		Find(&ss).Error; err != nil {
		return fmt.Errorf("list sessions for reminders: %w", err)
	}
	for i := range ss {
		s := &ss[i]
		os, err := models.ListOrdersForSession(ctx, b.db, s.ID, models.OrderPaid)
		if err != nil {
			return err
		}
		for _, o := range os {
			for _, at := range o.ActiveAttendees() {
				data := mail.AttendeeData{Site: b.Site(), Session: b.SessionInfo(s, true), Attendee: at, BuyerName: o.BuyerName}
				if at.Email == o.BuyerEmail {
					data.OrderURL = b.OrderURL(&o)
				}
				if err := b.out.Enqueue(ctx, b.db, mail.KindReminder, fmt.Sprintf("reminder:%d", at.ID), at.Email, at.Name, data); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// SendOutbox delivers due messages (see outbox.SendDue).
func (b *Service) SendOutbox(ctx context.Context) error { return b.out.SendDue(ctx) }
