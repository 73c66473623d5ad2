// Package scheduling is the staff workflow of sessions and workshops:
// create, edit (notifying attendees of a new time with an updated calendar
// invite), duplicate, publish, complete and cancel sessions (cancellation
// delegates the orders to internal/booking), series generation, and
// workshop (course template) editing. Every change writes the audit log in
// its own transaction.
//
// It is a service: it may import lower services (internal/booking,
// internal/audit), adapters and models; never handlers or cmd.
package scheduling

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/models"
)

// Service runs the scheduling workflows.
type Service struct {
	db  *gorm.DB
	bk  *booking.Service
	log *audit.Log
	now func() time.Time
}

// New builds a Service on db and bk (both required); now defaults to
// time.Now.
func New(db *gorm.DB, bk *booking.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, bk: bk, log: audit.New(now), now: now}
}

// Actor is who makes a change, for the audit log.
type Actor struct {
	User *models.User
	IP   string
}

func (s *Service) record(ctx context.Context, tx *gorm.DB, a Actor, action, typ string, id any, summary string, before, after audit.Fields) error {
	return s.log.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: action, ObjectType: typ, ObjectID: id,
		Summary: summary, Before: before, After: after})
}

// fields are a session's key fields as the audit log keeps them.
func fields(x *models.Session) audit.Fields {
	f := audit.Fields{"workshop_id": x.WorkshopID, "starts_at": x.StartsAt.UTC().Format(time.RFC3339),
		"ends_at": x.EndsAt.UTC().Format(time.RFC3339), "time_zone": x.TimeZone, "format": x.Format, "capacity": x.Capacity,
		"price_minor": x.PriceMinor, "currency": x.Currency, "status": x.Status, "venue_name": x.VenueName, "city": x.City,
		"registration_closes_at": x.RegistrationClosesAt.UTC().Format(time.RFC3339), "allow_invoice": x.AllowInvoice,
		"cancel_cutoff_hours": x.CancelCutoffHours, "cancel_fee_minor": x.CancelFeeMinor}
	if x.InstructorID != nil {
		f["instructor_id"] = *x.InstructorID
	}
	if x.EarlyBirdPriceMinor != nil {
		f["early_bird_price_minor"] = *x.EarlyBirdPriceMinor
	}
	return f
}

// CreateSession validates and stores x (draft or published).
func (s *Service) CreateSession(ctx context.Context, a Actor, x *models.Session) error {
	if x.Status != models.StatusPublished {
		x.Status = models.StatusDraft
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.CreateSession(ctx, tx, x); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "session.create", "session", x.ID, "Scheduled session "+fmt.Sprint(x.ID), nil, fields(x))
	})
}

// UpdateResult says what an edit did besides saving.
type UpdateResult struct {
	TimeChanged bool
	Notified    int // people emailed an updated invite
}

// UpdateSession saves every editable field of x. When the start or end
// moved and notify is set, each buyer and attendee of a live order gets an
// updated calendar invite (same UID, higher SEQUENCE) through the outbox.
func (s *Service) UpdateSession(ctx context.Context, a Actor, x *models.Session, notify bool) (UpdateResult, error) {
	var res UpdateResult
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := models.FindSession(ctx, tx, x.ID)
		if err != nil {
			return err
		}
		if before.Status == models.StatusCancelled || before.Status == models.StatusCompleted {
			return &models.ValidationError{Fields: map[string]string{"form": "A " + string(before.Status) + " session cannot be edited."}}
		}
		x.Status, x.CreatedAt = before.Status, before.CreatedAt
		if err := models.SaveSession(ctx, tx, x); err != nil {
			return err
		}
		res.TimeChanged = !before.StartsAt.Equal(x.StartsAt) || !before.EndsAt.Equal(x.EndsAt) || before.TimeZone != x.TimeZone
		summary := "Edited session " + fmt.Sprint(x.ID)
		if res.TimeChanged && notify {
			fresh, err := models.FindSession(ctx, tx, x.ID)
			if err != nil {
				return err
			}
			n, err := s.notifyTimeChange(ctx, tx, fresh, before.When())
			if err != nil {
				return err
			}
			res.Notified = n
			summary += fmt.Sprintf("; new time sent to %d people", n)
		}
		return s.record(ctx, tx, a, "session.update", "session", x.ID, summary, fields(before), fields(x))
	})
	return res, err
}

// notifyTimeChange emails each buyer and attendee of a live order once
// (by address) the new time with the updated invite.
func (s *Service) notifyTimeChange(ctx context.Context, tx *gorm.DB, x *models.Session, was string) (int, error) {
	os, err := models.ListOrdersForSession(ctx, tx, x.ID, models.OrderPaid, models.OrderPendingInvoice)
	if err != nil {
		return 0, err
	}
	body := fmt.Sprintf("The time of your session has changed.\n\nNew time: %s (%s)\nWas: %s\n\nThe attached calendar invite replaces the earlier one.",
		x.When(), x.TimeZone, was)
	stamp := x.UpdatedAt.UTC().Format("20060102T150405")
	seen := map[string]bool{}
	n := 0
	send := func(email, name string) error {
		if seen[email] {
			return nil
		}
		seen[email] = true
		n++
		return s.bk.QueueNotice(ctx, tx, x, fmt.Sprintf("session_time:%d:%s:%s", x.ID, stamp, email), email, name,
			"New time: "+x.Workshop.Title, body, true)
	}
	for _, o := range os {
		if err := send(o.BuyerEmail, o.BuyerName); err != nil {
			return 0, err
		}
		for _, at := range o.ActiveAttendees() {
			if err := send(at.Email, at.Name); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// DuplicateSession copies a session's settings into a new draft one week
// later (seats, orders and status are not copied).
func (s *Service) DuplicateSession(ctx context.Context, a Actor, id uint) (*models.Session, error) {
	src, err := models.FindSession(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	cp := copySession(src, 7*24*time.Hour)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.CreateSession(ctx, tx, cp); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "session.duplicate", "session", cp.ID, fmt.Sprintf("Duplicated session %d as %d", id, cp.ID), nil, fields(cp))
	})
	return cp, err
}

// copySession is src's settings shifted by d, as a new draft.
func copySession(src *models.Session, d time.Duration) *models.Session {
	cp := *src
	cp.ID, cp.SeatsTaken, cp.Status, cp.Workshop, cp.Instructor = 0, 0, models.StatusDraft, models.Workshop{}, nil
	// A copy is scheduled on its own, outside the series of its source.
	cp.SeriesID, cp.Series = nil, nil
	cp.CreatedAt, cp.UpdatedAt = time.Time{}, time.Time{}
	shift := func(t time.Time) time.Time {
		// Keep the wall-clock time in the session's zone across DST.
		l := t.In(src.Location())
		return time.Date(l.Year(), l.Month(), l.Day()+int(d/(24*time.Hour)), l.Hour(), l.Minute(), 0, 0, src.Location()).UTC()
	}
	cp.StartsAt, cp.EndsAt, cp.RegistrationClosesAt = shift(src.StartsAt), shift(src.EndsAt), shift(src.RegistrationClosesAt)
	if src.EarlyBirdDeadline != nil {
		e := shift(*src.EarlyBirdDeadline)
		cp.EarlyBirdDeadline = &e
	}
	if src.EarlyBirdPriceMinor != nil {
		p := *src.EarlyBirdPriceMinor
		cp.EarlyBirdPriceMinor = &p
	}
	return &cp
}

// Transition moves a session draft → published or published → completed.
func (s *Service) Transition(ctx context.Context, a Actor, id uint, to models.SessionStatus) error {
	var from []models.SessionStatus
	switch to {
	case models.StatusPublished:
		from = []models.SessionStatus{models.StatusDraft}
	case models.StatusCompleted:
		from = []models.SessionStatus{models.StatusPublished}
	case models.StatusDraft:
		from = []models.SessionStatus{models.StatusPublished}
	default:
		return fmt.Errorf("move session %d to %s: %w", id, to, models.ErrConflict)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.transition(ctx, tx, a, id, from, to)
	})
}

// transition moves session id from one of from to to inside tx, with its
// audit entry: the step Transition and PublishSeries share.
func (s *Service) transition(ctx context.Context, tx *gorm.DB, a Actor, id uint, from []models.SessionStatus, to models.SessionStatus) error {
	x, err := models.FindSession(ctx, tx, id)
	if err != nil {
		return err
	}
	if to == models.StatusDraft && x.SeatsTaken > 0 {
		return fmt.Errorf("unpublish session %d: it has registrations: %w", id, models.ErrConflict)
	}
	if to == models.StatusCompleted && s.now().Before(x.StartsAt) {
		return fmt.Errorf("complete session %d: it has not started: %w", id, models.ErrConflict)
	}
	moved, err := models.MoveSessionStatus(ctx, tx, id, from, to)
	if err != nil {
		return err
	}
	if !moved {
		return fmt.Errorf("move session %d from %s to %s: %w", id, x.Status, to, models.ErrConflict)
	}
	return s.record(ctx, tx, a, "session."+verb(to), "session", id, fmt.Sprintf("Session %d %s", id, to),
		audit.Fields{"status": x.Status}, audit.Fields{"status": to})
}

func verb(to models.SessionStatus) string {
	switch to {
	case models.StatusPublished:
		return "publish"
	case models.StatusCompleted:
		return "complete"
	case models.StatusDraft:
		return "unpublish"
	}
	return string(to)
}

// CancelSession cancels a session and everything booked on it (see
// booking.CancelSessionOrders) in one transaction with its audit entry and
// cancellation record, then asks Stripe for the refunds. It is idempotent:
// on a session already cancelled it returns the stored record and
// again=true, refunding and emailing nothing.
func (s *Service) CancelSession(ctx context.Context, a Actor, id uint, reason string) (rec *models.SessionCancellation, again bool, err error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 500 {
		return nil, false, &models.ValidationError{Fields: map[string]string{"reason": "Keep the reason under 500 characters."}}
	}
	var out booking.SessionCancelOutcome
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		x, err := models.FindSession(ctx, tx, id)
		if err != nil {
			return err
		}
		moved, err := models.MoveSessionStatus(ctx, tx, id, []models.SessionStatus{models.StatusDraft, models.StatusPublished}, models.StatusCancelled)
		if err != nil {
			return err
		}
		if !moved {
			if x.Status != models.StatusCancelled {
				return fmt.Errorf("cancel session %d: it is %s: %w", id, x.Status, models.ErrConflict)
			}
			again = true
			rec, err = models.FindSessionCancellation(ctx, tx, id)
			if errors.Is(err, models.ErrNotFound) {
				rec, err = &models.SessionCancellation{SessionID: id, CancelledAt: x.UpdatedAt}, nil
			}
			return err
		}
		prev := x.Status
		x.Status = models.StatusCancelled
		out, err = s.bk.CancelSessionOrders(ctx, tx, x, reason)
		if err != nil {
			return err
		}
		rec = &models.SessionCancellation{SessionID: id, Reason: reason, CardRefunds: out.CardRefunds, RefundedMinor: out.RefundedMinor,
			Currency: x.Currency, InvoicesVoided: out.InvoicesVoided, PaidInvoices: out.PaidInvoices, HoldsReleased: out.HoldsReleased,
			EmailsQueued: out.EmailsQueued, WaitlistCleared: out.WaitlistCleared, CancelledAt: s.now()}
		if a.User != nil {
			uid := a.User.ID
			rec.ActorID = &uid
		}
		if err := models.CreateSessionCancellation(ctx, tx, rec); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "session.cancel", "session", id,
			fmt.Sprintf("Cancelled session %d: %d card refunds (%s), %d invoices voided, %d paid invoices flagged, %d emails, %d waiting cleared",
				id, out.CardRefunds, rec.Refunded(), out.InvoicesVoided, out.PaidInvoices, out.EmailsQueued, out.WaitlistCleared),
			audit.Fields{"status": prev}, audit.Fields{"status": models.StatusCancelled, "reason": reason})
	})
	if err != nil {
		return nil, false, err
	}
	if !again {
		s.bk.AfterSessionCancel(ctx, out)
	}
	return rec, again, nil
}
