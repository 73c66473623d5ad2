package models

// This file holds cancellation and expiry of orders and seats.

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ExpireOrder lapses an unpaid order whose hold ended, freeing its seats and
// its discount use. It reports whether it changed anything (false when a
// payment or another instance got there first).
func ExpireOrder(ctx context.Context, tx *gorm.DB, o *Order) (bool, error) {
	tx = tx.WithContext(ctx)
	if o.Status != OrderHeld && o.Status != OrderPendingInvoice {
		return false, nil
	}
	moved, err := moveOrder(tx, o, OrderExpired, map[string]any{"hold_expires_at": nil})
	if err != nil || !moved {
		return false, err
	}
	return true, freeOrder(ctx, tx, o, true)
}

// ListLapsedOrders returns unpaid orders whose hold ended before now.
func ListLapsedOrders(ctx context.Context, db *gorm.DB, now time.Time, limit int) ([]Order, error) {
	var os []Order
	err := preloadOrder(db.WithContext(ctx)).Where("status IN ? AND hold_expires_at IS NOT NULL AND hold_expires_at <= ?",
		[]OrderStatus{OrderHeld, OrderPendingInvoice}, now.UTC()).Order("id").Limit(limit).Find(&os).Error
	return os, translate(err, "list lapsed orders")
}

// CancelOrder cancels a whole order (buyer within policy, or staff). The
// active attendees' seats are freed; refund is what the caller will return.
func CancelOrder(ctx context.Context, tx *gorm.DB, o *Order, refund, fees int64, now time.Time) (bool, error) {
	tx = tx.WithContext(ctx)
	if err := reloadStatus(tx, o); err != nil {
		return false, err
	}
	prev := o.Status
	moved, err := moveOrder(tx, o, OrderCancelled, map[string]any{"cancelled_at": now.UTC(), "hold_expires_at": nil,
		"fees_minor": gorm.Expr("fees_minor + ?", fees)})
	if err != nil || !moved {
		return false, err
	}
	if err := tx.Model(&Attendee{}).Where("order_id = ? AND status = ?", o.ID, AttendeeActive).
		Updates(map[string]any{"status": AttendeeCancelled, "cancelled_at": now.UTC(), "updated_at": utcNow()}).Error; err != nil {
		return false, translate(err, "cancel attendees of order %d", o.ID)
	}
	if err := distributeRefund(tx, o, refund); err != nil {
		return false, err
	}
	// A paid order keeps its code use: the discount was given.
	err = freeOrder(ctx, tx, o, prev != OrderPaid)
	for i := range o.Attendees {
		o.Attendees[i].Status = AttendeeCancelled
	}
	return true, err
}

// distributeRefund records per-attendee refund shares for a whole-order cancel.
func distributeRefund(tx *gorm.DB, o *Order, refund int64) error {
	if refund <= 0 {
		return nil
	}
	active := o.ActiveAttendees()
	shares := AllocateCents(refund, len(active))
	for i, a := range active {
		if err := tx.Model(&Attendee{}).Where("id = ?", a.ID).Update("refund_minor", shares[i]).Error; err != nil {
			return translate(err, "record refund of attendee %d", a.ID)
		}
	}
	return nil
}

// CancelAttendee cancels one seat of a paid or invoiced order, freeing it.
// For invoice orders the invoice total drops by the seat's price.
func CancelAttendee(ctx context.Context, tx *gorm.DB, o *Order, attendeeID uint, refund, fee int64, now time.Time) error {
	tx = tx.WithContext(ctx)
	res := tx.Model(&Attendee{}).Where("id = ? AND order_id = ? AND status = ?", attendeeID, o.ID, AttendeeActive).
		Updates(map[string]any{"status": AttendeeCancelled, "cancelled_at": now.UTC(), "refund_minor": refund, "updated_at": utcNow()})
	if res.Error != nil {
		return translate(res.Error, "cancel attendee %d", attendeeID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("cancel attendee %d: %w", attendeeID, ErrNotFound)
	}
	set := map[string]any{"seats": gorm.Expr("seats - 1"), "fees_minor": gorm.Expr("fees_minor + ?", fee), "updated_at": utcNow()}
	if o.Status == OrderPendingInvoice {
		for _, a := range o.Attendees {
			if a.ID == attendeeID {
				set["total_minor"] = gorm.Expr("total_minor - ?", a.PriceMinor-fee)
			}
		}
	}
	if err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(set).Error; err != nil {
		return translate(err, "shrink order %d", o.ID)
	}
	for i := range o.Attendees {
		if o.Attendees[i].ID == attendeeID {
			if o.Status == OrderPendingInvoice {
				o.TotalMinor -= o.Attendees[i].PriceMinor - fee
			}
			o.Attendees[i].Status, o.Attendees[i].RefundMinor = AttendeeCancelled, refund
		}
	}
	o.FeesMinor += fee
	o.Seats--
	return ReleaseSeats(ctx, tx, o.SessionID, 1)
}
