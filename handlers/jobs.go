package handlers

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
func (a *App) Jobs(every time.Duration) []jobs.Task {
	ts := []jobs.Task{
		{Name: "expire-holds", Every: every, Run: a.ExpireLapsedOrders},
		{Name: "lapse-offers", Every: every, Run: a.LapseWaitlistOffers},
		{Name: "reminders", Every: every, Run: a.QueueReminders},
		{Name: "prune-auth", Every: time.Hour, Run: func(ctx context.Context) error { return models.PruneAuth(ctx, a.db, a.now()) }},
	}
	if a.mailer != nil {
		ts = append(ts, jobs.Task{Name: "outbox", Every: min(every, 10*time.Second), Run: a.SendOutbox})
	}
	return ts
}

// ExpireLapsedOrders frees the seats of card holds and invoices whose time
// ran out. The status change is conditional, so a payment or another
// instance that got there first wins and this run skips the order.
func (a *App) ExpireLapsedOrders(ctx context.Context) error {
	os, err := models.ListLapsedOrders(ctx, a.db, a.now(), jobBatch)
	if err != nil {
		return err
	}
	var errs []error
	for i := range os {
		o := &os[i]
		errs = append(errs, a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			changed, err := models.ExpireOrder(ctx, tx, o)
			if err != nil || !changed {
				return err
			}
			if err := a.queueExpired(ctx, tx, o); err != nil {
				return err
			}
			return a.offerFreedSeats(ctx, tx, o.SessionID)
		}))
	}
	return errors.Join(errs...)
}

// LapseWaitlistOffers ends unclaimed offers and passes their seats on.
func (a *App) LapseWaitlistOffers(ctx context.Context) error {
	es, err := models.ListLapsedOffers(ctx, a.db, a.now(), jobBatch)
	if err != nil {
		return err
	}
	var errs []error
	for i := range es {
		e := &es[i]
		errs = append(errs, a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			changed, err := models.LapseOffer(ctx, tx, e, a.now())
			if err != nil || !changed {
				return err
			}
			return a.offerFreedSeats(ctx, tx, e.SessionID)
		}))
	}
	return errors.Join(errs...)
}

// reminderLead is how long before the start the reminder goes out.
const reminderLead = 24 * time.Hour

// QueueReminders queues the reminder of every confirmed attendee of a
// session starting within 24 hours; the dedupe key sends each only once.
func (a *App) QueueReminders(ctx context.Context) error {
	now := a.now()
	var ss []models.Session
	if err := a.db.WithContext(ctx).Preload("Workshop").Preload("Instructor").
		Where("status = ? AND starts_at > ? AND starts_at <= ?", models.StatusPublished, now.UTC(), now.Add(reminderLead).UTC()).
		Find(&ss).Error; err != nil {
		return fmt.Errorf("list sessions for reminders: %w", err)
	}
	for i := range ss {
		s := &ss[i]
		os, err := models.ListOrdersForSession(ctx, a.db, s.ID, models.OrderPaid)
		if err != nil {
			return err
		}
		for _, o := range os {
			for _, at := range o.ActiveAttendees() {
				data := mail.AttendeeData{Site: a.site(), Session: a.sessionInfo(s, true), Attendee: at, BuyerName: o.BuyerName}
				if at.Email == o.BuyerEmail {
					data.OrderURL = a.orderURL(&o)
				}
				if err := a.enqueue(ctx, a.db, mail.KindReminder, fmt.Sprintf("reminder:%d", at.ID), at.Email, at.Name, data); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// SendOutbox delivers due messages. Each is leased to this instance first,
// so two instances never send the same message; failures back off.
func (a *App) SendOutbox(ctx context.Context) error {
	if a.mailer == nil {
		return nil
	}
	ms, err := models.ClaimDueEmails(ctx, a.db, a.now(), 20, 5*time.Minute)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range ms {
		if err := a.mailer.Send(ctx, m); err != nil {
			a.log.Warn("email not sent; will retry", "id", m.ID, "attempt", m.Attempts+1, "err", err)
			errs = append(errs, models.MarkEmailFailed(ctx, a.db, &m, err, mail.Permanent(err), a.now()))
			continue
		}
		errs = append(errs, models.MarkEmailSent(ctx, a.db, m.ID, a.now()))
	}
	return errors.Join(errs...)
}
