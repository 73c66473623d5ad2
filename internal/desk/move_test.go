package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/models"
)

// movedEmail loads the email queued under key with its attachments.
func (f *fixture) movedEmail(t *testing.T, key string) (models.Email, []models.EmailAttachment) {
	t.Helper()
	var m models.Email
	if err := f.db.Where("dedupe_key = ?", key).First(&m).Error; err != nil {
		t.Fatalf("email %s: %v", key, err)
	}
	var atts []models.EmailAttachment
	if err := f.db.Where("email_id = ?", m.ID).Order("id").Find(&atts).Error; err != nil {
		t.Fatal(err)
	}
	return m, atts
}

func TestMoveAttendeeKeepsTheSeatAndOffersTheFreedOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	src := f.session(t, 10, 3)
	dst := f.session(t, 40, 5)
	o := f.order(t, src, 3, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour)) // src is full
	w := &models.WaitlistEntry{SessionID: src.ID, Name: "Waiting", Email: "wait@broker.example", Seats: 1}
	if err := models.JoinWaitlist(ctx, f.db, w); err != nil {
		t.Fatal(err)
	}
	at := o.Attendees[1]

	moved, err := f.svc.MoveAttendee(ctx, f.admin, AttendeeMove{OrderID: o.ID, AttendeeID: at.ID, SessionID: dst.ID})
	if err != nil {
		t.Fatalf("move attendee: %v", err)
	}
	// Seats: one taken in dst; the one freed in src went to the waiting list.
	if a, b := f.seatsTaken(t, src.ID), f.seatsTaken(t, dst.ID); a != 3 || b != 1 {
		t.Fatalf("seats: got src %d dst %d, want 3 (2 + the offer) and 1", a, b)
	}
	var we models.WaitlistEntry
	if err := f.db.First(&we, w.ID).Error; err != nil || we.Status != models.WaitOffered {
		t.Fatalf("waiting list entry: got %q, %v; want offered", we.Status, err)
	}
	// The attendee keeps their row (ID) and now sits in dst, in an order
	// split off the paid one; the payment stays where it was.
	child := f.reload(t, moved.ID)
	if child.SessionID != dst.ID || child.MovedFromOrderID == nil || *child.MovedFromOrderID != o.ID || child.Status != models.OrderPaid || child.TotalMinor != 0 {
		t.Fatalf("new order: got session %d from %v status %s total %d", child.SessionID, child.MovedFromOrderID, child.Status, child.TotalMinor)
	}
	if len(child.Attendees) != 1 || child.Attendees[0].ID != at.ID || child.Attendees[0].PriceMinor != at.PriceMinor {
		t.Fatalf("new order attendees: got %+v, want attendee %d", child.Attendees, at.ID)
	}
	parent := f.reload(t, o.ID)
	if parent.Seats != 2 || len(parent.ActiveAttendees()) != 2 || parent.TotalMinor != o.TotalMinor || parent.RefundedMinor != 0 || parent.NeedsAttention {
		t.Fatalf("paid order after the move: got seats %d active %d total %d refunded %d flagged %v", parent.Seats, len(parent.ActiveAttendees()), parent.TotalMinor, parent.RefundedMinor, parent.NeedsAttention)
	}
	// Certificate eligibility follows the person to dst.
	for _, c := range []struct {
		session uint
		want    bool
	}{{src.ID, false}, {dst.ID, true}} {
		cs, err := models.ListCertificateCandidates(ctx, f.db, c.session)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, cc := range cs {
			found = found || cc.AttendeeID == at.ID
		}
		if found != c.want {
			t.Fatalf("certificate candidate in session %d: got %v, want %v", c.session, found, c.want)
		}
	}
	// Emails: the attendee gets the new invite and a cancellation of the
	// old event; the buyer the new invite.
	m, atts := f.movedEmail(t, fmt.Sprintf("attendee_moved:%d:%d", at.ID, moved.ID))
	if m.ToAddr != at.Email || len(atts) != 2 {
		t.Fatalf("attendee email: got to %s with %d attachments, want %s with 2", m.ToAddr, len(atts), at.Email)
	}
	if inv, cancel := string(atts[0].Data), string(atts[1].Data); !strings.Contains(inv, fmt.Sprintf("UID:session-%d@", dst.ID)) || !strings.Contains(inv, "METHOD:PUBLISH") ||
		!strings.Contains(cancel, fmt.Sprintf("UID:session-%d@", src.ID)) || !strings.Contains(cancel, "METHOD:CANCEL") || !strings.Contains(cancel, "STATUS:CANCELLED") {
		t.Fatalf("invites: got new %q / cancel %q", inv, cancel)
	}
	if !strings.Contains(m.TextBody, fmt.Sprintf("/account/seats/%d", at.ID)) {
		t.Fatalf("attendee email: the seat link is missing: %s", m.TextBody)
	}
	bm, batts := f.movedEmail(t, fmt.Sprintf("buyer_attendee_moved:%d:%d", at.ID, moved.ID))
	if bm.ToAddr != o.BuyerEmail || len(batts) != 1 || !strings.Contains(string(batts[0].Data), fmt.Sprintf("UID:session-%d@", dst.ID)) {
		t.Fatalf("buyer email: got to %s with %d attachments", bm.ToAddr, len(batts))
	}
	if !strings.Contains(bm.TextBody, "Nothing was charged or refunded") || !strings.Contains(bm.TextBody, "/orders/"+child.Ref) {
		t.Fatalf("buyer email body: %s", bm.TextBody)
	}
	// Audit and the history of both orders say who moved whom, from and to.
	if a, s := f.auditCount(t, "order.move_attendee"), f.auditCount(t, "order.split"); a != 1 || s != 1 {
		t.Fatalf("audit: got %d moves and %d splits, want 1 and 1", a, s)
	}
	for _, id := range []uint{o.ID, moved.ID} {
		d, err := f.svc.Order(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s (%s) moved from session #%d", at.Name, at.Email, src.ID)
		found := false
		for _, e := range d.History {
			found = found || (strings.Contains(e.Detail, want) && strings.Contains(e.Detail, fmt.Sprintf("to session #%d", dst.ID)) && strings.Contains(e.Detail, f.admin.User.Email))
		}
		if !found {
			t.Fatalf("history of order %d has no move line %q: %+v", id, want, d.History)
		}
	}
}

func TestMoveAttendeeValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	src := f.session(t, 10, 10)
	open := f.session(t, 40, 10)
	o := f.order(t, src, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
	single := f.order(t, src, 1, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
	invoice := f.order(t, src, 2, models.PayByInvoice, models.OrderPendingInvoice, testNow.Add(-time.Hour))
	cancelled := f.order(t, src, 3, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
	if err := f.db.Model(&models.Attendee{}).Where("id = ?", cancelled.Attendees[0].ID).Update("status", models.AttendeeCancelled).Error; err != nil {
		t.Fatal(err)
	}
	with := func(change func(s *models.Session)) uint {
		s := f.session(t, 50, 10)
		change(s)
		if err := f.db.Save(s).Error; err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	other := &models.Workshop{Slug: "other", Title: "Other", Summary: "S", Level: "introductory", DurationMinutes: 60, Currency: "USD"}
	if err := f.db.Create(other).Error; err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name              string
		order, att, sess  uint
		field, wantSubstr string
	}{
		{"other workshop", o.ID, o.Attendees[0].ID, with(func(s *models.Session) { s.WorkshopID = other.ID }), "session_id", "same workshop"},
		{"same session", o.ID, o.Attendees[0].ID, src.ID, "session_id", "already in this session"},
		{"cancelled session", o.ID, o.Attendees[0].ID, with(func(s *models.Session) { s.Status = models.StatusCancelled }), "session_id", "cancelled"},
		{"draft session", o.ID, o.Attendees[0].ID, with(func(s *models.Session) { s.Status = models.StatusDraft }), "session_id", "not published"},
		{"started session", o.ID, o.Attendees[0].ID, with(func(s *models.Session) { s.StartsAt = testNow.Add(-time.Hour) }), "session_id", "already started"},
		{"full session", o.ID, o.Attendees[0].ID, with(func(s *models.Session) { s.SeatsTaken = s.Capacity }), "session_id", "no free seat"},
		{"other currency", o.ID, o.Attendees[0].ID, with(func(s *models.Session) { s.Currency = "CAD" }), "session_id", "cannot change the currency"},
		{"unknown session", o.ID, o.Attendees[0].ID, 999999, "session_id", "from the list"},
		{"attendee of another order", o.ID, single.Attendees[0].ID, open.ID, "attendee_id", "attendee of this order"},
		{"cancelled attendee", cancelled.ID, cancelled.Attendees[0].ID, open.ID, "attendee_id", "has cancelled"},
		{"only seat", single.ID, single.Attendees[0].ID, open.ID, "attendee_id", "whole order"},
		{"unpaid invoice", invoice.ID, invoice.Attendees[0].ID, open.ID, "attendee_id", "mark it paid"},
		{"price differs", o.ID, o.Attendees[0].ID, with(func(s *models.Session) { s.PriceMinor = 69500 }), "accept_difference", "difference $100.00"},
	}
	for _, c := range cases {
		_, err := f.svc.MoveAttendee(ctx, f.admin, AttendeeMove{OrderID: c.order, AttendeeID: c.att, SessionID: c.sess})
		var ve *models.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields[c.field], c.wantSubstr) {
			t.Errorf("%s: got %v (%v), want %s error containing %q", c.name, err, fieldsOf(err), c.field, c.wantSubstr)
		}
	}
	if n := f.seatsTaken(t, src.ID); n != 8 {
		t.Fatalf("refused moves changed seats: got %d, want 8", n)
	}
	if _, err := f.svc.MoveAttendee(ctx, f.admin, AttendeeMove{OrderID: 999999, AttendeeID: 1, SessionID: open.ID}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown order: got %v, want ErrNotFound", err)
	}

	// Accepting the difference moves the seat and flags the paying order;
	// no money changes.
	pricier := with(func(s *models.Session) { s.PriceMinor = 69500 })
	moved, err := f.svc.MoveAttendee(ctx, f.admin, AttendeeMove{OrderID: o.ID, AttendeeID: o.Attendees[0].ID, SessionID: pricier, AcceptDifference: true})
	if err != nil {
		t.Fatalf("move with the difference accepted: %v", err)
	}
	p := f.reload(t, o.ID)
	if !p.NeedsAttention || !strings.Contains(p.AttentionNote, "difference $100.00") || p.TotalMinor != o.TotalMinor || p.RefundedMinor != 0 || f.reload(t, moved.ID).TotalMinor != 0 {
		t.Fatalf("flag: got %v %q total %d refunded %d", p.NeedsAttention, p.AttentionNote, p.TotalMinor, p.RefundedMinor)
	}
}

func fieldsOf(err error) map[string]string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

// TestMovedSeatCancellationRefundsThePayingOrder: the buyer cancelling the
// moved seat gets the refund from the original payment.
func TestMovedSeatCancellationRefundsThePayingOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	src := f.session(t, 10, 10)
	dst := f.session(t, 40, 10)
	o := f.order(t, src, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
	moved, err := f.svc.MoveAttendee(ctx, f.admin, AttendeeMove{OrderID: o.ID, AttendeeID: o.Attendees[1].ID, SessionID: dst.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.bk.CancelOrder(ctx, f.reload(t, moved.ID)); err != nil {
		t.Fatalf("cancel the moved seat: %v", err)
	}
	if n := f.seatsTaken(t, dst.ID); n != 0 {
		t.Fatalf("dst seats after the cancel: got %d, want 0", n)
	}
	rs, err := models.ListRefunds(ctx, f.db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].AmountMinor != 59500 || rs[0].IdempotencyKey != fmt.Sprintf("cancel-order-%d", moved.ID) {
		t.Fatalf("refunds on the paying order: got %+v, want one of 595.00 for the moved seat's order", rs)
	}
	if p := f.reload(t, o.ID); p.RefundedMinor != 59500 || p.Status != models.OrderPaid {
		t.Fatalf("paying order: got refunded %d status %s", p.RefundedMinor, p.Status)
	}
	if got := f.pay.RefundCalls(); len(got) != 1 || got[0].PaymentIntentID != o.StripePaymentIntentID {
		t.Fatalf("stripe refunds: got %+v, want one on %s", got, o.StripePaymentIntentID)
	}
}

// racySeatTaker is the negative control: it trusts the seat count read
// before the transaction and writes it back without a lock.
func racySeatTaker(ctx context.Context, tx *gorm.DB, s *models.Session, n int) error {
	if s.SeatsTaken+n > s.Capacity {
		return fmt.Errorf("racy take: %w", models.ErrSeatsFull)
	}
	runtime.Gosched()
	time.Sleep(time.Millisecond)
	return tx.WithContext(ctx).Model(&models.Session{}).Where("id = ?", s.ID).Update("seats_taken", s.SeatsTaken+n).Error
}

// staffPool is a second staff member's booking service on its own
// connection pool (on PostgreSQL, separate sessions racing for real).
func (f *fixture) staffPool(t *testing.T, taker models.SeatTaker) *booking.Service {
	t.Helper()
	db, err := models.Open(f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return testNow }
	out, err := outbox.New(db, nil, log, now)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := booking.New(booking.Deps{DB: db, Payments: f.pay, Outbox: out, Logger: log, Now: now, SeatTaker: taker,
		Settings: booking.Settings{BaseURL: "http://hsw.test"}})
	if err != nil {
		t.Fatal(err)
	}
	return bk
}

// moveRace has two staff members, each on their own pool, move an
// attendee of a different order into dst at once, from reads taken before
// either started; it returns how many moves succeeded.
func moveRace(t *testing.T, f *fixture, src, dst *models.Session, taker models.SeatTaker) int {
	t.Helper()
	ctx := context.Background()
	var moves []booking.AttendeeMove
	for range 2 {
		o := f.order(t, src, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
		target, err := models.FindSession(ctx, f.db, dst.ID)
		if err != nil {
			t.Fatal(err)
		}
		stale := f.reload(t, o.ID)
		moves = append(moves, booking.AttendeeMove{Order: stale, Attendee: stale.Attendees[0], Target: target})
	}
	staff := []*booking.Service{f.staffPool(t, taker), f.staffPool(t, taker)}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, len(moves))
	for i := range moves {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = staff[i].MoveAttendee(ctx, moves[i], nil)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, models.ErrSeatsFull):
			t.Fatalf("move: got %v, want success or ErrSeatsFull", err)
		}
	}
	return ok
}

func TestConcurrentMovesIntoTheLastSeat(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	src := f.session(t, 10, 10)
	dst := f.session(t, 40, 3)
	f.order(t, dst, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour)) // one seat left
	if got := moveRace(t, f, src, dst, models.TakeSeats); got != 1 {
		t.Fatalf("moves into the last seat: got %d successes, want exactly 1", got)
	}
	var seated int64
	if err := f.db.Model(&models.Attendee{}).Joins("JOIN orders ON orders.id = attendees.order_id").
		Where("orders.session_id = ? AND attendees.status = ?", dst.ID, models.AttendeeActive).Count(&seated).Error; err != nil {
		t.Fatal(err)
	}
	if seated != 3 || f.seatsTaken(t, dst.ID) != 3 {
		t.Fatalf("dst: got %d attendees and %d seats taken, want 3 and 3", seated, f.seatsTaken(t, dst.ID))
	}

	// Negative control: the same race with a read-then-write seat taker
	// seats both, so the race really happens in this test.
	ctrl := f.session(t, 45, 1)
	if got := moveRace(t, f, src, ctrl, racySeatTaker); got != 2 {
		t.Fatalf("negative control: got %d successes, want 2 (the unlocked take should oversell)", got)
	}
}

// TestMovedSeatRefundedWhenItsNewSessionIsCancelled: staff cancelling the
// session a seat was moved to refund it from the original payment at once.
func TestMovedSeatRefundedWhenItsNewSessionIsCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	src := f.session(t, 10, 10)
	dst := f.session(t, 40, 10)
	o := f.order(t, src, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
	if _, err := f.svc.MoveAttendee(ctx, f.admin, AttendeeMove{OrderID: o.ID, AttendeeID: o.Attendees[0].ID, SessionID: dst.ID}); err != nil {
		t.Fatal(err)
	}
	s, err := models.FindSession(ctx, f.db, dst.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out booking.SessionCancelOutcome
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		out, err = f.svc.bk.CancelSessionOrders(ctx, tx, s, "instructor ill")
		return err
	}); err != nil {
		t.Fatalf("cancel the session: %v", err)
	}
	f.svc.bk.AfterSessionCancel(ctx, out)
	if out.CardRefunds != 1 || out.RefundedMinor != 59500 {
		t.Fatalf("outcome: got %d refunds of %d, want 1 of 59500", out.CardRefunds, out.RefundedMinor)
	}
	if got := f.pay.RefundCalls(); len(got) != 1 || got[0].PaymentIntentID != o.StripePaymentIntentID || got[0].AmountMinor != 59500 {
		t.Fatalf("stripe refunds right after the cancel: got %+v, want one of 59500 on %s", got, o.StripePaymentIntentID)
	}
	if p := f.reload(t, o.ID); p.RefundedMinor != 59500 || p.Status != models.OrderPaid || len(p.ActiveAttendees()) != 1 {
		t.Fatalf("paying order: got refunded %d status %s active %d", p.RefundedMinor, p.Status, len(p.ActiveAttendees()))
	}
}

// splitFixture is a paid two-seat order on src with its second seat moved
// to dst (capacity 1, so full), and someone waiting in dst.
func splitFixture(t *testing.T, f *fixture) (o, moved *models.Order, dst *models.Session, w *models.WaitlistEntry) {
	t.Helper()
	ctx := context.Background()
	src := f.session(t, 10, 10)
	dst = f.session(t, 40, 1)
	o = f.order(t, src, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
	moved, err := f.svc.MoveAttendee(ctx, f.admin, AttendeeMove{OrderID: o.ID, AttendeeID: o.Attendees[1].ID, SessionID: dst.ID})
	if err != nil {
		t.Fatal(err)
	}
	w = &models.WaitlistEntry{SessionID: dst.ID, Name: "Waiting", Email: "wait-dst@broker.example", Seats: 1}
	if err := models.JoinWaitlist(ctx, f.db, w); err != nil {
		t.Fatal(err)
	}
	return o, moved, dst, w
}

// checkSplitCancelled checks the moved seat's order was cancelled with its
// seat released to dst's waiting list and the buyer emailed.
func (f *fixture) checkSplitCancelled(t *testing.T, moved *models.Order, w *models.WaitlistEntry) {
	t.Helper()
	c := f.reload(t, moved.ID)
	if c.Status != models.OrderCancelled || len(c.Attendees) != 1 || c.Attendees[0].Status != models.AttendeeCancelled {
		t.Fatalf("moved seat's order: got status %s attendees %+v, want cancelled", c.Status, c.Attendees)
	}
	var we models.WaitlistEntry
	if err := f.db.First(&we, w.ID).Error; err != nil || we.Status != models.WaitOffered {
		t.Fatalf("dst waiting list: got %q, %v; want offered the released seat", we.Status, err)
	}
	var n int64
	if err := f.db.Model(&models.Email{}).Where("kind = ? AND dedupe_key LIKE ?", mail.KindCancellation, fmt.Sprintf("%%split:%d", moved.ID)).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("cancellation email for the moved seat: got %d, %v; want 1", n, err)
	}
}

func TestFullRefundOfPayingOrderCancelsTheMovedSeat(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	o, moved, dst, w := splitFixture(t, f)
	// A partial refund leaves the moved seat alone.
	if _, err := f.svc.Refund(ctx, f.admin, o.ID, 59500, "one seat", "part"); err != nil {
		t.Fatal(err)
	}
	if c := f.reload(t, moved.ID); c.Status != models.OrderPaid || f.seatsTaken(t, dst.ID) != 1 {
		t.Fatalf("after a partial refund: moved order %s, dst seats %d; want paid and 1", c.Status, f.seatsTaken(t, dst.ID))
	}
	res, err := f.svc.Refund(ctx, f.admin, o.ID, 59500, "the rest", "rest")
	if err != nil || !res.Closed {
		t.Fatalf("full refund: got %+v, %v", res, err)
	}
	if p := f.reload(t, o.ID); p.Status != models.OrderRefunded || p.RefundedMinor != 119000 {
		t.Fatalf("paying order: got %s refunded %d", p.Status, p.RefundedMinor)
	}
	f.checkSplitCancelled(t, moved, w)
	// The money came back once, on the paying order.
	if got := f.pay.RefundCalls(); len(got) != 2 {
		t.Fatalf("stripe refunds: got %d, want 2", len(got))
	}
}

func TestCancellingPayingOrderCancelsAndRefundsTheMovedSeat(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	o, moved, _, w := splitFixture(t, f)
	if err := f.svc.bk.CancelOrder(ctx, f.reload(t, o.ID)); err != nil {
		t.Fatalf("cancel the paying order: %v", err)
	}
	f.checkSplitCancelled(t, moved, w)
	p := f.reload(t, o.ID)
	if p.Status != models.OrderCancelled || p.RefundedMinor != 119000 {
		t.Fatalf("paying order: got %s refunded %d, want cancelled with both seats refunded", p.Status, p.RefundedMinor)
	}
	rs, err := models.ListRefunds(ctx, f.db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("refunds: got %+v, want one per order", rs)
	}
}

func TestCancellingMovedSeatThenPayingOrderRefundsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	o, moved, _, _ := splitFixture(t, f)
	if err := f.svc.bk.CancelOrder(ctx, f.reload(t, moved.ID)); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.bk.CancelOrder(ctx, f.reload(t, o.ID)); err != nil {
		t.Fatal(err)
	}
	if p := f.reload(t, o.ID); p.RefundedMinor != 119000 || p.Status != models.OrderCancelled {
		t.Fatalf("paying order: got %s refunded %d, want cancelled with 1,190.00 refunded once", p.Status, p.RefundedMinor)
	}
}

func TestCancellingPaidInvoiceFlagsBankRefundOfMovedSeatToo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	src, dst := f.session(t, 10, 10), f.session(t, 40, 10)
	o := f.order(t, src, 2, models.PayByInvoice, models.OrderPaid, testNow.Add(-time.Hour))
	moved, err := f.svc.MoveAttendee(ctx, f.admin, AttendeeMove{OrderID: o.ID, AttendeeID: o.Attendees[1].ID, SessionID: dst.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.bk.CancelOrder(ctx, f.reload(t, o.ID)); err != nil {
		t.Fatal(err)
	}
	if c := f.reload(t, moved.ID); c.Status != models.OrderCancelled || f.seatsTaken(t, dst.ID) != 0 {
		t.Fatalf("moved seat: got %s with %d dst seats, want cancelled and 0", c.Status, f.seatsTaken(t, dst.ID))
	}
	if p := f.reload(t, o.ID); !p.NeedsAttention || !strings.Contains(p.AttentionNote, "refund $1,190.00 by bank transfer") {
		t.Fatalf("paying invoice: got flag %v %q, want a bank refund of both seats", p.NeedsAttention, p.AttentionNote)
	}
}
