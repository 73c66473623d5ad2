package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Order is a purchase of one or more seats of one session.
type Order struct {
	ID                      uint `gorm:"primaryKey"`
	Ref                     string
	SessionID               uint
	Session                 Session
	UserID                  uint
	BuyerName               string
	BuyerEmail              string
	BillingEmail            string
	Company                 string
	PONumber                string `gorm:"column:po_number"`
	Seats                   int
	UnitPriceMinor          int64
	EarlyBird               bool
	SubtotalMinor           int64
	DiscountMinor           int64
	TotalMinor              int64
	Currency                string
	DiscountCodeID          *uint
	DiscountCode            *DiscountCode
	PaymentMethod           PaymentMethod
	Status                  OrderStatus
	HoldExpiresAt           *time.Time
	StripeCheckoutSessionID string
	StripePaymentIntentID   string
	InvoiceNumber           *string
	InvoiceIssuedAt         *time.Time
	InvoiceDueAt            *time.Time
	PaidAt                  *time.Time
	CancelledAt             *time.Time
	RefundedMinor           int64
	FeesMinor               int64
	NeedsAttention          bool
	AttentionNote           string
	FromWaitlistEntryID     *uint
	// MovedFromOrderID is set on an order the payments desk split off when
	// it moved one attendee to another session: the seat's payment stays
	// on that order, so refunds of this one are recorded there.
	MovedFromOrderID *uint
	ClientIP         string
	Attendees        []Attendee `gorm:"foreignKey:OrderID"`
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Number is the human order number.
func (o Order) Number() string { return fmt.Sprintf("HSW-%06d", o.ID) }

// MovedFromNumber is the number of the order that holds this order's
// payment when the desk split it off (see MovedFromOrderID), or "".
func (o Order) MovedFromNumber() string {
	if o.MovedFromOrderID == nil {
		return ""
	}
	return Order{ID: *o.MovedFromOrderID}.Number()
}

// Total is what the order costs.
func (o Order) Total() Money { return Money{Minor: o.TotalMinor, Currency: o.Currency} }

// Subtotal is seats × unit price.
func (o Order) Subtotal() Money { return Money{Minor: o.SubtotalMinor, Currency: o.Currency} }

// Discount is the amount taken off.
func (o Order) Discount() Money { return Money{Minor: o.DiscountMinor, Currency: o.Currency} }

// UnitPrice is the price of one seat when the order was made.
func (o Order) UnitPrice() Money { return Money{Minor: o.UnitPriceMinor, Currency: o.Currency} }

// Refunded is the amount returned so far.
func (o Order) Refunded() Money { return Money{Minor: o.RefundedMinor, Currency: o.Currency} }

// AwaitingConfirmation reports whether an invoice order waits for its
// buyer to confirm by the emailed link.
func (o Order) AwaitingConfirmation() bool {
	return o.Status == OrderHeld && o.PaymentMethod == PayByInvoice
}

// APIStatus is the status the order API reports ("awaiting_confirmation"
// for an invoice order not yet confirmed by its buyer).
func (o Order) APIStatus() string {
	if o.AwaitingConfirmation() {
		return "awaiting_confirmation"
	}
	return string(o.Status)
}

// Confirmed reports whether the order is paid (its attendees are confirmed).
func (o Order) Confirmed() bool { return o.Status == OrderPaid }

// ActiveAttendees are the attendees not cancelled.
func (o Order) ActiveAttendees() []Attendee {
	var out []Attendee
	for _, a := range o.Attendees {
		if a.Status == AttendeeActive {
			out = append(out, a)
		}
	}
	return out
}

// AttendeeStatus is whether a seat is still in use.
type AttendeeStatus string

// Attendee statuses.
const (
	AttendeeActive    AttendeeStatus = "active"
	AttendeeCancelled AttendeeStatus = "cancelled"
)

// Attendee is one person on an order; each takes one seat.
type Attendee struct {
	ID       uint `gorm:"primaryKey"`
	OrderID  uint
	Position int
	Name     string
	Email    string
	// Needs are the attendee's dietary or accessibility needs as typed at
	// registration (optional, up to MaxNeedsLen characters). Personal
	// data: shown to the session's staff, the buyer and the attendee only;
	// never in emails to others or in logs.
	Needs       string
	PriceMinor  int64
	Status      AttendeeStatus
	CancelledAt *time.Time
	RefundMinor int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// AttendeeInput is a name and address given at registration, with the
// attendee's optional needs.
type AttendeeInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Needs string `json:"needs"`
}

// preloadOrder loads an order with everything its pages show.
func preloadOrder(db *gorm.DB) *gorm.DB {
	return db.Preload("Attendees", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Preload("DiscountCode").Preload("Session").Preload("Session.Workshop").Preload("Session.Instructor")
}

// FindOrder loads one order by ID.
func FindOrder(ctx context.Context, db *gorm.DB, id uint) (*Order, error) {
	var o Order
	if err := preloadOrder(db.WithContext(ctx)).First(&o, id).Error; err != nil {
		return nil, translate(err, "find order %d", id)
	}
	return &o, nil
}

// FindOrderByRef loads one order by its unguessable reference.
func FindOrderByRef(ctx context.Context, db *gorm.DB, ref string) (*Order, error) {
	var o Order
	if err := preloadOrder(db.WithContext(ctx)).Where("ref = ?", ref).First(&o).Error; err != nil {
		return nil, translate(err, "find order %q", ref)
	}
	return &o, nil
}

// FindOrderByCheckoutSession loads the order a Stripe Checkout Session paid.
func FindOrderByCheckoutSession(ctx context.Context, db *gorm.DB, id string) (*Order, error) {
	var o Order
	if err := preloadOrder(db.WithContext(ctx)).Where("stripe_checkout_session_id = ? AND stripe_checkout_session_id <> ''", id).First(&o).Error; err != nil {
		return nil, translate(err, "find order by checkout session %q", id)
	}
	return &o, nil
}

// FindOrderByPaymentIntent loads the order a Stripe PaymentIntent paid.
func FindOrderByPaymentIntent(ctx context.Context, db *gorm.DB, id string) (*Order, error) {
	var o Order
	if err := preloadOrder(db.WithContext(ctx)).Where("stripe_payment_intent_id = ? AND stripe_payment_intent_id <> ''", id).First(&o).Error; err != nil {
		return nil, translate(err, "find order by payment intent %q", id)
	}
	return &o, nil
}

// FindOrderByInvoiceNumber loads an invoice order.
func FindOrderByInvoiceNumber(ctx context.Context, db *gorm.DB, number string) (*Order, error) {
	var o Order
	if err := preloadOrder(db.WithContext(ctx)).Where("invoice_number = ?", number).First(&o).Error; err != nil {
		return nil, translate(err, "find invoice %q", number)
	}
	return &o, nil
}

// ListOrdersForUser returns the orders a user bought, newest first. An
// account that has not proven its address sees none: an order is linked by
// the buyer's address, which anyone could have signed up with.
func ListOrdersForUser(ctx context.Context, db *gorm.DB, u *User) ([]Order, error) {
	if !u.Verified() {
		return nil, nil
	}
	var os []Order
	err := preloadOrder(db.WithContext(ctx)).Where("user_id = ?", u.ID).
		Order("created_at DESC, id DESC").Find(&os).Error
	return os, translate(err, "list orders of user %d", u.ID)
}

// Seat is one attendee's place on someone else's order, as its attendee
// sees it: never the buyer's order, other attendees, PO or totals.
type Seat struct {
	Attendee Attendee
	Order    Order // with Session (and its workshop); Attendees not loaded
}

// Confirmed reports whether the seat is on a paid order and not cancelled.
func (s Seat) Confirmed() bool {
	return s.Order.Status == OrderPaid && s.Attendee.Status == AttendeeActive
}

// ListSeatsForUser returns the seats on orders bought by others whose
// attendee address is the user's proven email, newest first; an unproven
// account sees none.
func ListSeatsForUser(ctx context.Context, db *gorm.DB, u *User) ([]Seat, error) {
	if !u.Verified() {
		return nil, nil
	}
	var as []Attendee
	err := db.WithContext(ctx).Joins("JOIN orders ON orders.id = attendees.order_id").
		Where("attendees.email = ? AND orders.user_id <> ?", u.Email, u.ID).
		Order("attendees.id DESC").Find(&as).Error
	if err != nil {
		return nil, translate(err, "list seats of user %d", u.ID)
	}
	seats := make([]Seat, 0, len(as))
	for _, a := range as {
		var o Order
		err := db.WithContext(ctx).Preload("Session").Preload("Session.Workshop").Preload("Session.Instructor").First(&o, a.OrderID).Error
		if err != nil {
			return nil, translate(err, "load order of seat %d", a.ID)
		}
		seats = append(seats, Seat{Attendee: a, Order: o})
	}
	return seats, nil
}

// FindSeatForUser loads one attendee seat if its address is the user's
// proven email; anything else (someone else's seat, an unproven account)
// is ErrNotFound, so a seat id reveals nothing.
func FindSeatForUser(ctx context.Context, db *gorm.DB, u *User, attendeeID uint) (*Seat, error) {
	if !u.Verified() {
		return nil, fmt.Errorf("find seat %d: unproven address: %w", attendeeID, ErrNotFound)
	}
	var a Attendee
	if err := db.WithContext(ctx).Where("id = ? AND email = ?", attendeeID, u.Email).First(&a).Error; err != nil {
		return nil, translate(err, "find seat %d", attendeeID)
	}
	var o Order
	if err := db.WithContext(ctx).Preload("Session").Preload("Session.Workshop").Preload("Session.Instructor").First(&o, a.OrderID).Error; err != nil {
		return nil, translate(err, "load order of seat %d", a.ID)
	}
	return &Seat{Attendee: a, Order: o}, nil
}

// ListOrdersForSession returns a session's orders in the given statuses.
func ListOrdersForSession(ctx context.Context, db *gorm.DB, sessionID uint, statuses ...OrderStatus) ([]Order, error) {
	return listOrders(ctx, db, "session_id", sessionID, statuses, "list orders of session %d")
}

// listOrders returns the orders whose column equals id, oldest first, in
// any of statuses (all when none are given); what names the list in errors.
func listOrders(ctx context.Context, db *gorm.DB, column string, id uint, statuses []OrderStatus, what string) ([]Order, error) {
	var os []Order
	q := preloadOrder(db.WithContext(ctx)).Where(column+" = ?", id)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	err := q.Order("id").Find(&os).Error
	return os, translate(err, what, id)
}

// ListOrdersNeedingAction returns invoices awaiting payment and orders
// flagged for staff.
func ListOrdersNeedingAction(ctx context.Context, db *gorm.DB) ([]Order, error) {
	var os []Order
	err := preloadOrder(db.WithContext(ctx)).Where("status = ? OR needs_attention = ?", OrderPendingInvoice, true).
		Order("id").Find(&os).Error
	return os, translate(err, "list orders needing action")
}

// SetCheckoutSession records the Stripe Checkout Session of a held order.
func SetCheckoutSession(ctx context.Context, db *gorm.DB, orderID uint, checkoutID string) error {
	res := db.WithContext(ctx).Model(&Order{}).Where("id = ? AND status = ?", orderID, OrderHeld).
		Updates(map[string]any{"stripe_checkout_session_id": checkoutID, "updated_at": utcNow()})
	if res.Error != nil {
		return translate(res.Error, "set checkout session of order %d", orderID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("set checkout session of order %d: not held: %w", orderID, ErrConflict)
	}
	return nil
}

// FlagOrder marks an order for staff attention with a note.
func FlagOrder(ctx context.Context, tx *gorm.DB, orderID uint, note string) error {
	err := tx.WithContext(ctx).Model(&Order{}).Where("id = ?", orderID).
		Updates(map[string]any{"needs_attention": true, "attention_note": note, "updated_at": utcNow()}).Error
	return translate(err, "flag order %d", orderID)
}

// ClearOrderFlag marks a flagged order as handled.
func ClearOrderFlag(ctx context.Context, db *gorm.DB, orderID uint) error {
	err := db.WithContext(ctx).Model(&Order{}).Where("id = ?", orderID).
		Updates(map[string]any{"needs_attention": false, "updated_at": utcNow()}).Error
	return translate(err, "clear flag of order %d", orderID)
}

// IsConfirmedAttendee reports whether u bought, or attends on, a paid order
// of the session: the people who may see its join link and room details.
//
// Both the buyer link and the attendee address count only once the account
// has proven its address.
func IsConfirmedAttendee(ctx context.Context, db *gorm.DB, u *User, sessionID uint) (bool, error) {
	if !u.Verified() {
		return false, nil
	}
	var n int64
	sub := db.Model(&Attendee{}).Select("order_id").Where("email = ? AND status = ?", u.Email, AttendeeActive)
	err := db.WithContext(ctx).Model(&Order{}).Where("session_id = ? AND status = ? AND (user_id = ? OR id IN (?))",
		sessionID, OrderPaid, u.ID, sub).Count(&n).Error
	return n > 0, translate(err, "check attendee of session %d", sessionID)
}
