package desk

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/models"
)

// SearchOrders returns the orders matching f and how many match in all.
func (s *Service) SearchOrders(ctx context.Context, f models.OrderFilter) ([]models.Order, int64, error) {
	return models.SearchOrders(ctx, s.db, f)
}

// Event is one line of an order's history.
type Event struct {
	At     time.Time
	Kind   string // order, payment, stripe, refund, email, staff
	Title  string
	Detail string
}

// OrderDetail is an order with everything that happened to it.
type OrderDetail struct {
	Order       *models.Order
	Refunds     []models.Refund
	Payments    []models.InvoicePayment
	Emails      []models.Email
	History     []Event
	MoveTargets []models.Session
	// Moved are the orders split off this one (seats the desk moved to
	// another session), in any status.
	Moved []models.Order
	// Refundable is what is left to refund (paid less refunded).
	Refundable models.Money
}

// Order loads an order and its history: status changes, Stripe events,
// invoice payments, refunds, emails and staff actions, oldest first.
func (s *Service) Order(ctx context.Context, id uint) (*OrderDetail, error) {
	o, err := models.FindOrder(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	d := &OrderDetail{Order: o}
	if d.Refunds, err = models.ListRefunds(ctx, s.db, o.ID); err != nil {
		return nil, err
	}
	if d.Payments, err = models.ListInvoicePayments(ctx, s.db, o.ID); err != nil {
		return nil, err
	}
	if d.Emails, err = models.ListEmailsForOrder(ctx, s.db, o); err != nil {
		return nil, err
	}
	evs, err := models.ListStripeEventsForOrder(ctx, s.db, o.ID)
	if err != nil {
		return nil, err
	}
	entries, err := models.ListAuditEntries(ctx, s.db, models.AuditFilter{ObjectType: "order", ObjectID: fmt.Sprint(o.ID), Limit: 500})
	if err != nil {
		return nil, err
	}
	if d.Moved, err = models.ListSplitOrders(ctx, s.db, o.ID); err != nil {
		return nil, err
	}
	targets, err := models.ListMoveTargets(ctx, s.db, &o.Session, s.now())
	if err != nil {
		return nil, err
	}
	// A move never changes the currency a seat was paid in, so sessions
	// priced in another one are not offered.
	for _, t := range targets {
		if t.Currency == o.Currency {
			d.MoveTargets = append(d.MoveTargets, t)
		}
	}
	if o.PaidAt != nil {
		d.Refundable = models.Money{Minor: max(o.TotalMinor-o.RefundedMinor, 0), Currency: o.Currency}
	} else {
		d.Refundable = models.Money{Currency: o.Currency}
	}
	d.History = history(o, d, evs, entries)
	return d, nil
}

// history merges the order's records into one timeline.
func history(o *models.Order, d *OrderDetail, evs []models.StripeEvent, entries []models.AuditEntry) []Event {
	h := []Event{{At: o.CreatedAt, Kind: "order", Title: "Order placed",
		Detail: fmt.Sprintf("%d seat(s), %s, by %s", o.Seats, o.PaymentMethod, o.BuyerEmail)}}
	if o.MovedFromOrderID != nil {
		h[0].Title, h[0].Detail = "Split off by the desk", fmt.Sprintf("a seat moved out of %s, which keeps the payment", o.MovedFromNumber())
	}
	if o.InvoiceIssuedAt != nil {
		h = append(h, Event{At: *o.InvoiceIssuedAt, Kind: "order", Title: "Invoice issued", Detail: deref(o.InvoiceNumber)})
	}
	if o.PaidAt != nil {
		h = append(h, Event{At: *o.PaidAt, Kind: "payment", Title: "Paid", Detail: o.Total().String()})
	}
	if o.CancelledAt != nil {
		h = append(h, Event{At: *o.CancelledAt, Kind: "order", Title: "Cancelled"})
	}
	for _, e := range evs {
		h = append(h, Event{At: e.ProcessedAt, Kind: "stripe", Title: "Stripe event " + e.Type, Detail: e.ID})
	}
	for _, p := range d.Payments {
		h = append(h, Event{At: p.RecordedAt, Kind: "payment", Title: "Invoice payment recorded", Detail: p.Amount().String() + " — reference " + p.Reference})
	}
	for _, r := range d.Refunds {
		det := fmt.Sprintf("%s — %s — %s", r.Amount(), r.Reason, r.Status)
		if r.LastError != "" {
			det += fmt.Sprintf(" (attempts %d, last error: %s)", r.Attempts, r.LastError)
		}
		h = append(h, Event{At: r.CreatedAt, Kind: "refund", Title: "Refund", Detail: det})
	}
	for _, m := range d.Emails {
		h = append(h, Event{At: m.CreatedAt, Kind: "email", Title: "Email: " + m.Subject, Detail: fmt.Sprintf("to %s — %s", m.ToAddr, m.Status)})
	}
	for _, e := range entries {
		h = append(h, Event{At: e.At, Kind: "staff", Title: "Staff: " + e.Action, Detail: e.ActorEmail + " — " + e.Summary})
	}
	sort.SliceStable(h, func(i, j int) bool { return h[i].At.Before(h[j].At) })
	return h
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Refund returns amount (minor units) of order id with a reason; key makes
// a double submit a no-op (see booking.RefundByStaff).
func (s *Service) Refund(ctx context.Context, a Actor, id uint, amount int64, reason, key string) (booking.StaffRefund, error) {
	o, err := models.FindOrder(ctx, s.db, id)
	if err != nil {
		return booking.StaffRefund{}, err
	}
	act := audit.Action{Action: "order.refund", ObjectType: "order", ObjectID: o.ID,
		Summary: fmt.Sprintf("Refund %s (%s) on %s: %s", models.Money{Minor: amount, Currency: o.Currency}, o.PaymentMethod, o.Number(), reason),
		Before:  audit.Fields{"refunded_minor": o.RefundedMinor}, After: audit.Fields{"refunded_minor": o.RefundedMinor + amount}}
	return s.bk.RefundByStaff(ctx, o, amount, reason, key, s.hook(a, act))
}

// RetryRefunds asks Stripe again for an order's pending refunds.
func (s *Service) RetryRefunds(ctx context.Context, a Actor, id uint) error {
	o, err := models.FindOrder(ctx, s.db, id)
	if err != nil {
		return err
	}
	// The retry itself calls Stripe outside any transaction; the staff
	// request is recorded first, and the refund rows show the outcome.
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: "order.refund_retry", ObjectType: "order",
			ObjectID: o.ID, Summary: "Pending refunds of " + o.Number() + " sent to Stripe again"})
	})
	if err != nil {
		return err
	}
	return s.bk.RetryOrderRefunds(ctx, id)
}

// MarkPaid confirms an invoice order with the payment's reference.
func (s *Service) MarkPaid(ctx context.Context, a Actor, id uint, reference string) error {
	o, err := models.FindOrder(ctx, s.db, id)
	if err != nil {
		return err
	}
	act := audit.Action{Action: "order.mark_paid", ObjectType: "order", ObjectID: o.ID,
		Summary: fmt.Sprintf("Invoice %s marked paid (%s), reference %s", deref(o.InvoiceNumber), o.Total(), reference),
		Before:  audit.Fields{"status": o.Status}, After: audit.Fields{"status": models.OrderPaid, "reference": reference}}
	return s.bk.MarkInvoicePaidByStaff(ctx, o, reference, a.userID(), s.hook(a, act))
}

// Move moves order id's seats to session target of the same workshop.
func (s *Service) Move(ctx context.Context, a Actor, id, target uint) error {
	o, err := models.FindOrder(ctx, s.db, id)
	if err != nil {
		return err
	}
	t, err := models.FindSession(ctx, s.db, target)
	if err != nil {
		return &models.ValidationError{Fields: map[string]string{"session_id": "Choose a session from the list."}}
	}
	if t.Currency != o.Currency {
		return &models.ValidationError{Fields: map[string]string{"session_id": "That session is priced in " + t.Currency + " and the order in " + o.Currency + "; a move cannot change the currency."}}
	}
	act := audit.Action{Action: "order.move", ObjectType: "order", ObjectID: o.ID,
		Summary: fmt.Sprintf("%s moved from session %d to session %d (%d seats)", o.Number(), o.SessionID, t.ID, len(o.ActiveAttendees())),
		Before:  audit.Fields{"session_id": o.SessionID}, After: audit.Fields{"session_id": t.ID}}
	return s.bk.MoveOrder(ctx, o, t, s.hook(a, act))
}

// Resend queues the confirmation of a paid order again.
func (s *Service) Resend(ctx context.Context, a Actor, id uint) error {
	o, err := models.FindOrder(ctx, s.db, id)
	if err != nil {
		return err
	}
	act := audit.Action{Action: "order.resend", ObjectType: "order", ObjectID: o.ID, Summary: "Confirmation resent for " + o.Number()}
	return s.bk.ResendConfirmation(ctx, o, s.hook(a, act))
}

// Resolve marks a flagged order handled, with a note.
func (s *Service) Resolve(ctx context.Context, a Actor, id uint, note string) error {
	o, err := models.FindOrder(ctx, s.db, id)
	if err != nil {
		return err
	}
	act := audit.Action{Action: "order.resolve_flag", ObjectType: "order", ObjectID: o.ID,
		Summary: fmt.Sprintf("Flag resolved on %s: %s", o.Number(), note),
		Before:  audit.Fields{"needs_attention": o.NeedsAttention, "note": o.AttentionNote}, After: audit.Fields{"needs_attention": false}}
	return s.bk.ResolveFlag(ctx, o.ID, s.hook(a, act))
}

// Queue is the desk's list of cases to handle.
type Queue struct {
	Flagged []models.Order
	// StuckRefunds are card refunds Stripe has refused or not answered.
	StuckRefunds []models.Refund
}

// Flags loads the queue of flagged orders and failed refunds.
func (s *Service) Flags(ctx context.Context) (Queue, error) {
	var q Queue
	var err error
	if q.Flagged, err = models.ListFlaggedOrders(ctx, s.db); err != nil {
		return q, err
	}
	q.StuckRefunds, err = models.ListStuckRefunds(ctx, s.db)
	return q, err
}

// Waitlist lists the open entries of every session's waiting list.
func (s *Service) Waitlist(ctx context.Context) ([]models.WaitlistEntry, error) {
	return models.ListOpenWaitlist(ctx, s.db)
}

// OfferWaitlist offers seats to one entry out of queue order.
func (s *Service) OfferWaitlist(ctx context.Context, a Actor, entryID uint) error {
	act := audit.Action{Action: "waitlist.offer", ObjectType: "waitlist_entry", ObjectID: entryID, Summary: "Seats offered by staff"}
	return s.bk.OfferWaitlistEntry(ctx, entryID, s.hook(a, act))
}

// RemoveWaitlist withdraws one entry (releasing seats it was offered).
func (s *Service) RemoveWaitlist(ctx context.Context, a Actor, entryID uint) error {
	act := audit.Action{Action: "waitlist.remove", ObjectType: "waitlist_entry", ObjectID: entryID, Summary: "Removed from the waiting list by staff"}
	return s.bk.RemoveWaitlistEntry(ctx, entryID, s.hook(a, act))
}
