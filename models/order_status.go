package models

// This file holds the order status machine: statuses, the allowed moves
// and the one conditional write that moves an order.

import (
	"gorm.io/gorm"
)

// PaymentMethod is how an order is paid.
type PaymentMethod string

// Payment methods.
const (
	PayByCard    PaymentMethod = "card"
	PayByInvoice PaymentMethod = "invoice"
)

// OrderStatus is where an order is in its life. Statuses only move forward
// (see CanMoveTo).
type OrderStatus string

// Order statuses.
const (
	OrderHeld           OrderStatus = "held"            // seats held while the buyer pays by card
	OrderPendingInvoice OrderStatus = "pending_invoice" // seats held until the invoice is paid
	OrderPaid           OrderStatus = "paid"            // confirmed
	OrderExpired        OrderStatus = "expired"         // hold or invoice lapsed; seats freed
	OrderCancelled      OrderStatus = "cancelled"       // cancelled by buyer or staff; refund per policy
	OrderRefunded       OrderStatus = "refunded"        // money returned in full; seats freed
)

// forward lists the statuses each status may move to.
var forward = map[OrderStatus][]OrderStatus{
	// An invoice order from an unproven buyer is held until the buyer
	// confirms by the emailed link, which issues the invoice.
	OrderHeld:           {OrderPaid, OrderPendingInvoice, OrderExpired, OrderCancelled, OrderRefunded},
	OrderPendingInvoice: {OrderPaid, OrderExpired, OrderCancelled},
	OrderPaid:           {OrderCancelled, OrderRefunded},
	// A card payment can arrive after its hold lapsed: it is confirmed if a
	// seat is free, otherwise refunded.
	OrderExpired: {OrderPaid, OrderRefunded},
}

// CanMoveTo reports whether an order may go from s to t.
func (s OrderStatus) CanMoveTo(t OrderStatus) bool {
	for _, x := range forward[s] {
		if x == t {
			return true
		}
	}
	return false
}

// HoldsSeats reports whether orders in this status count against capacity.
func (s OrderStatus) HoldsSeats() bool {
	return s == OrderHeld || s == OrderPendingInvoice || s == OrderPaid
}

// Label is the status in words for buyers.
func (s OrderStatus) Label() string {
	switch s {
	case OrderHeld:
		return "Awaiting payment"
	case OrderPendingInvoice:
		return "Invoice issued — awaiting payment"
	case OrderPaid:
		return "Confirmed"
	case OrderExpired:
		return "Expired"
	case OrderCancelled:
		return "Cancelled"
	case OrderRefunded:
		return "Refunded"
	}
	return string(s)
}

// moveOrder changes an order's status with a conditional update, so that of
// two racing writers only one moves it. It reports whether it moved.
func moveOrder(tx *gorm.DB, o *Order, to OrderStatus, set map[string]any) (bool, error) {
	if !o.Status.CanMoveTo(to) {
		return false, nil
	}
	if set == nil {
		set = map[string]any{}
	}
	set["status"], set["updated_at"] = to, utcNow()
	res := tx.Model(&Order{}).Where("id = ? AND status = ?", o.ID, o.Status).Updates(set)
	if res.Error != nil {
		return false, translate(res.Error, "move order %d to %s", o.ID, to)
	}
	if res.RowsAffected != 1 {
		return false, nil
	}
	o.Status = to
	return true, nil
}

// reload refreshes o's status inside tx (another writer may have moved it).
func reloadStatus(tx *gorm.DB, o *Order) error {
	var cur Order
	if err := tx.Select("id", "status", "refunded_minor", "stripe_payment_intent_id", "paid_at").First(&cur, o.ID).Error; err != nil {
		return translate(err, "reload order %d", o.ID)
	}
	o.Status, o.RefundedMinor, o.StripePaymentIntentID, o.PaidAt = cur.Status, cur.RefundedMinor, cur.StripePaymentIntentID, cur.PaidAt
	return nil
}
