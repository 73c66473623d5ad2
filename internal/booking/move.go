package booking

// This file holds the payments desk's move of one attendee of a paid order
// to another session of the same workshop (the whole-order move is
// MoveOrder in desk.go).

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/calendar"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// AttendeeMove is one attendee to move: the caller (the desk) has checked
// the rules it can check before the transaction (same workshop, open
// target, an active attendee of a paid order of more than one seat).
type AttendeeMove struct {
	// Order is the attendee's paid order, with its Session loaded.
	Order *models.Order
	// Attendee is the seat to move.
	Attendee models.Attendee
	// Target is the session to move to, with its Workshop loaded.
	Target *models.Session
	// Flag, when set, flags Order (which keeps the payment) with this
	// note: a price difference for staff to settle with the buyer.
	Flag string
}

// MoveAttendee moves one attendee in one transaction: the seat is taken in
// the target by the conditional seat update (models.ErrSeatsFull when none
// is free) and released in the source, whose waiting list is offered it
// through the same release path as a cancellation; the attendee row moves
// to a new one-seat order split off the paid one (models.SplitAttendee),
// the attendee and the buyer are emailed the new session with its invite
// (the attendee also a cancellation of the old date), and hook records the
// audit entries with the new order. It returns the new order.
func (b *Service) MoveAttendee(ctx context.Context, m AttendeeMove, hook func(tx *gorm.DB, moved *models.Order) error) (*models.Order, error) {
	var moved *models.Order
	err := b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		c, err := models.SplitAttendee(ctx, tx, m.Order, m.Attendee.ID, m.Target, b.takeSeats, b.now())
		if err != nil {
			return 0, err
		}
		if m.Flag != "" {
			note := m.Flag
			if m.Order.NeedsAttention && m.Order.AttentionNote != "" {
				note = m.Order.AttentionNote + " " + note
			}
			if err := models.FlagOrder(ctx, tx, m.Order.ID, note); err != nil {
				return 0, err
			}
		}
		if moved, err = models.FindOrder(ctx, tx, c.ID); err != nil {
			return 0, err
		}
		if err := b.queueAttendeeMoved(ctx, tx, m.Order, moved, m.Flag != ""); err != nil {
			return 0, err
		}
		if hook != nil {
			if err := hook(tx, moved); err != nil {
				return 0, err
			}
		}
		return m.Order.SessionID, nil
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// queueAttendeeMoved emails the moved attendee (new session with private
// details and invite, plus a cancellation of the old date's event) and the
// buyer, when someone else, the new session with its invite. The buyer's
// old event stays: other seats of the order remain in that session.
func (b *Service) queueAttendeeMoved(ctx context.Context, tx *gorm.DB, from, moved *models.Order, priceDiffers bool) error {
	if len(moved.Attendees) != 1 {
		return fmt.Errorf("email moved seat of order %d: %d attendees: %w", moved.ID, len(moved.Attendees), models.ErrConflict)
	}
	at := moved.Attendees[0]
	s, old := &moved.Session, &from.Session
	invite := b.sessionICS(s)
	cancel := models.EmailAttachment{Filename: "cancelled-session.ics", ContentType: "text/calendar; method=CANCEL; charset=utf-8",
		Data: []byte(calendar.Build([]models.Session{*old}, calendar.Options{BaseURL: b.cfg.BaseURL, Now: b.now(), Cancel: true}))}
	money := "Nothing was charged or refunded: the payment stays on order " + from.Number() + "."
	if priceDiffers {
		money += " The new session is priced differently; we will contact the buyer about the difference."
	}
	subject := fmt.Sprintf("Your seat moved: %s, %s", s.Workshop.Title, s.When())
	body := fmt.Sprintf("Your seat in %s has moved from %s to the session below.\n\nYour seat page stays at the same link: %s/account/seats/%d\n\nThe attached session.ics is the new date; open cancelled-session.ics to remove the old date from your calendar.",
		s.Workshop.Title, old.When(), b.cfg.BaseURL, at.ID)
	if at.Email == from.BuyerEmail {
		body += "\n\nThe moved seat has its own order page: " + b.OrderURL(moved) + "\n\n" + money
	}
	data := mail.NoticeData{Site: b.Site(), Session: b.SessionInfo(s, true), Name: at.Name, Subject: subject, Body: body}
	if err := b.out.Enqueue(ctx, tx, mail.KindStaffNotice, fmt.Sprintf("attendee_moved:%d:%d", at.ID, moved.ID), at.Email, at.Name, data, invite, cancel); err != nil {
		return err
	}
	if at.Email == from.BuyerEmail {
		return nil
	}
	body = fmt.Sprintf("We moved %s's seat in %s from %s to the session below. The other seats of order %s are unchanged (%s).\n\nThe moved seat has its own order page: %s\n\n%s",
		at.Name, s.Workshop.Title, old.When(), from.Number(), b.OrderURL(from), b.OrderURL(moved), money)
	data = mail.NoticeData{Site: b.Site(), Session: b.SessionInfo(s, true), Name: from.BuyerName,
		Subject: fmt.Sprintf("%s's seat moved: %s, %s", at.Name, s.Workshop.Title, s.When()), Body: body}
	return b.out.Enqueue(ctx, tx, mail.KindStaffNotice, fmt.Sprintf("buyer_attendee_moved:%d:%d", at.ID, moved.ID), from.BuyerEmail, from.BuyerName, data, invite)
}

// cancelSplitOrders cancels, inside tx, the live orders split off payer
// (seats the desk moved) when payer's registration ends: each seat is
// released through the normal path (its session's waiting list is offered
// it) and the buyer is emailed the cancellation. withRefund true returns
// each seat's price less its session's cancellation fee (the buyer
// cancelled the whole order): card payments through a refund intent on
// payer, invoices by bank transfer (the caller flags payer). false returns
// nothing (a staff refund already returned the whole payment). It returns
// what is to be returned.
func (b *Service) cancelSplitOrders(ctx context.Context, tx *gorm.DB, payer *models.Order, withRefund bool) (int64, error) {
	os, err := models.ListSplitOrders(ctx, tx, payer.ID, models.OrderPaid)
	if err != nil {
		return 0, err
	}
	var total int64
	for i := range os {
		o := &os[i]
		active := o.ActiveAttendees()
		fee, back := int64(0), int64(0)
		if withRefund {
			var price int64
			for _, at := range active {
				price += at.PriceMinor
			}
			fee = min(o.Session.CancelFeeMinor*int64(len(active)), price)
			back = price - fee
		}
		card := int64(0)
		if o.PaymentMethod == models.PayByCard {
			card = back
		}
		cancelled, err := models.CancelOrder(ctx, tx, o, card, fee, b.now())
		if err != nil {
			return 0, err
		}
		if !cancelled {
			continue
		}
		if err := b.refund(ctx, tx, o, nil, card, "paying order cancelled", fmt.Sprintf("cancel-order-%d", o.ID)); err != nil {
			return 0, err
		}
		total += back
		if err := b.queueCancellation(ctx, tx, o, fmt.Sprintf("cancel_order:%d:split:%d", payer.ID, o.ID), nil, back, fee); err != nil {
			return 0, err
		}
		if err := b.offerFreedSeats(ctx, tx, o.SessionID); err != nil {
			return 0, err
		}
	}
	return total, nil
}
