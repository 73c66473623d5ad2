package desk

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/models"
)

// AttendeeMove is the desk's request to move one attendee of an order.
type AttendeeMove struct {
	OrderID    uint
	AttendeeID uint
	SessionID  uint
	// AcceptDifference confirms a move to a session priced differently:
	// the order is flagged for staff to settle the difference by hand.
	AcceptDifference bool
}

// MoveAttendee moves one attendee of a paid order of several seats to
// another session of the same workshop (published, not started, with a
// free seat). The seat becomes an order of its own, split off the paid
// one, which keeps the payment; the person keeps their seat (same
// attendee). Nothing is charged or refunded: when the target's seat price
// differs from the current session's, m.AcceptDifference must be set and
// the paying order is flagged with the difference. Rule breaks are a
// *models.ValidationError on attendee_id, session_id or accept_difference;
// the last seat going meanwhile is models.ErrSeatsFull and a change of the
// order meanwhile models.ErrConflict. It returns the new order.
func (s *Service) MoveAttendee(ctx context.Context, a Actor, m AttendeeMove) (*models.Order, error) {
	o, err := models.FindOrder(ctx, s.db, m.OrderID)
	if err != nil {
		return nil, err
	}
	if o.Status != models.OrderPaid {
		return nil, &models.ValidationError{Fields: map[string]string{"attendee_id": "Only a paid order's seats can be moved one by one. For an invoice not yet paid, mark it paid first or move the whole order."}}
	}
	at, errs := attendeeToMove(o, m.AttendeeID)
	t, err := models.FindSession(ctx, s.db, m.SessionID)
	if err != nil {
		if !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		errs["session_id"] = "Choose a session from the list."
	} else if msg := s.targetProblem(o, t); msg != "" {
		errs["session_id"] = msg
	}
	var flag string
	if len(errs) == 0 && t.PriceMinor != o.Session.PriceMinor {
		diff := models.Money{Minor: t.PriceMinor - o.Session.PriceMinor, Currency: t.Currency}
		if !m.AcceptDifference {
			errs["accept_difference"] = fmt.Sprintf("The new session costs %s a seat and the current one %s (difference %s). Tick the box to move anyway; the order is then flagged so you settle the difference with the buyer. Nothing is charged or refunded automatically.",
				t.Price(), o.Session.Price(), diff)
		}
		flag = fmt.Sprintf("Seat of %s moved from session #%d (%s a seat) to session #%d (%s a seat): difference %s to settle with the buyer (%s was paid for this seat); nothing was charged or refunded.",
			at.Name, o.SessionID, o.Session.Price(), t.ID, t.Price(), diff, models.Money{Minor: at.PriceMinor, Currency: o.Currency})
	}
	if len(errs) > 0 {
		return nil, &models.ValidationError{Fields: errs}
	}
	summary := fmt.Sprintf("%s (%s) moved from session #%d (%s) to session #%d (%s)", at.Name, at.Email, o.SessionID, o.Session.When(), t.ID, t.When())
	hook := func(tx *gorm.DB, moved *models.Order) error {
		before := audit.Fields{"attendee_id": at.ID, "order_id": o.ID, "session_id": o.SessionID, "seats": o.Seats}
		after := audit.Fields{"attendee_id": at.ID, "order_id": moved.ID, "session_id": t.ID, "seats": o.Seats - 1, "price_flag": flag}
		if err := s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: "order.move_attendee", ObjectType: "order", ObjectID: o.ID,
			Summary: summary + "; the seat is now order " + moved.Number(), Before: before, After: after}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: "order.split", ObjectType: "order", ObjectID: moved.ID,
			Summary: summary + "; split off " + o.Number() + ", which keeps the payment", Before: before, After: after})
	}
	return s.bk.MoveAttendee(ctx, booking.AttendeeMove{Order: o, Attendee: at, Target: t, Flag: flag}, hook)
}

// attendeeToMove finds the active attendee id of o, with field errors.
func attendeeToMove(o *models.Order, id uint) (models.Attendee, map[string]string) {
	errs := map[string]string{}
	for _, at := range o.Attendees {
		if at.ID != id {
			continue
		}
		if at.Status != models.AttendeeActive {
			errs["attendee_id"] = at.Name + " has cancelled; only an active seat can be moved."
		} else if len(o.ActiveAttendees()) < 2 {
			errs["attendee_id"] = "This is the order's only seat: move the whole order instead."
		}
		return at, errs
	}
	errs["attendee_id"] = "Choose an attendee of this order."
	return models.Attendee{}, errs
}

// targetProblem says why t cannot take a seat moved from o, or "".
func (s *Service) targetProblem(o *models.Order, t *models.Session) string {
	switch {
	case t.ID == o.SessionID:
		return "The attendee is already in this session; choose another one."
	case t.WorkshopID != o.Session.WorkshopID:
		return "Choose a session of the same workshop."
	case t.Status == models.StatusCancelled:
		return "That session is cancelled."
	case t.Status != models.StatusPublished:
		return "That session is not published."
	case !t.StartsAt.After(s.now()):
		return "That session has already started."
	case t.Currency != o.Currency:
		return "That session is priced in " + t.Currency + " and the order in " + o.Currency + "; a move cannot change the currency."
	case t.SeatsLeft() < 1:
		return "That session has no free seat."
	}
	return ""
}
