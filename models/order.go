package models

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	OrderHeld:           {OrderPaid, OrderExpired, OrderCancelled, OrderRefunded},
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
	Attendees               []Attendee `gorm:"foreignKey:OrderID"`
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

// Number is the human order number.
func (o Order) Number() string { return fmt.Sprintf("HSW-%06d", o.ID) }

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
	ID          uint `gorm:"primaryKey"`
	OrderID     uint
	Position    int
	Name        string
	Email       string
	PriceMinor  int64
	Status      AttendeeStatus
	CancelledAt *time.Time
	RefundMinor int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// AttendeeInput is a name and address given at registration.
type AttendeeInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// SeatTaker takes n seats of session s inside tx or returns ErrSeatsFull.
// s is the session as read before the transaction began.
type SeatTaker func(tx *gorm.DB, s *Session, n int) error

// TakeSeats is the production SeatTaker: one conditional UPDATE that checks
// and takes the seats in a single locked write, so concurrent buyers can
// never take more than the capacity (on SQLite and PostgreSQL alike).
func TakeSeats(tx *gorm.DB, s *Session, n int) error {
	res := tx.Exec(`UPDATE sessions SET seats_taken = seats_taken + ?, updated_at = ?
		WHERE id = ? AND status = ? AND seats_taken + ? <= capacity`, n, utcNow(), s.ID, StatusPublished, n)
	if res.Error != nil {
		return translate(res.Error, "take %d seats of session %d", n, s.ID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("take %d seats of session %d: %w", n, s.ID, ErrSeatsFull)
	}
	return nil
}

// ReleaseSeats gives n seats of a session back.
func ReleaseSeats(tx *gorm.DB, sessionID uint, n int) error {
	if n <= 0 {
		return nil
	}
	res := tx.Exec("UPDATE sessions SET seats_taken = seats_taken - ?, updated_at = ? WHERE id = ? AND seats_taken >= ?", n, utcNow(), sessionID, n)
	if res.Error != nil {
		return translate(res.Error, "release %d seats of session %d", n, sessionID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("release %d seats of session %d: fewer taken: %w", n, sessionID, ErrConflict)
	}
	return nil
}

// NewOrder is everything needed to store an order.
type NewOrder struct {
	Session      *Session
	UserID       uint
	BuyerName    string
	BuyerEmail   string
	BillingEmail string
	Company      string
	PONumber     string
	Attendees    []AttendeeInput
	Method       PaymentMethod
	Quote        Quote
	// HoldUntil is when an unpaid order lapses: the Checkout expiry for
	// cards, the invoice due date for invoices.
	HoldUntil time.Time
	// WaitlistEntryID is set when the seats were already reserved by a
	// waiting-list offer being claimed.
	WaitlistEntryID *uint
	Now             time.Time
}

// CreateOrder stores an order inside tx: it takes the seats (unless a
// waiting-list offer reserved them), counts the discount use, numbers the
// invoice and inserts the attendees with their share of the total.
func CreateOrder(ctx context.Context, tx *gorm.DB, in NewOrder, take SeatTaker) (*Order, error) {
	tx = tx.WithContext(ctx)
	n := len(in.Attendees)
	if n == 0 || n != in.Quote.Seats {
		return nil, fmt.Errorf("create order: %d attendees for %d seats: %w", n, in.Quote.Seats, ErrInvalid)
	}
	if in.WaitlistEntryID == nil {
		if err := take(tx, in.Session, n); err != nil {
			return nil, err
		}
	}
	o := &Order{Ref: NewToken()[:24], SessionID: in.Session.ID, UserID: in.UserID, BuyerName: in.BuyerName,
		BuyerEmail: NormalizeEmail(in.BuyerEmail), BillingEmail: NormalizeEmail(in.BillingEmail), Company: in.Company,
		PONumber: in.PONumber, Seats: n, UnitPriceMinor: in.Quote.Unit.Minor, EarlyBird: in.Quote.EarlyBird,
		SubtotalMinor: in.Quote.Subtotal.Minor, DiscountMinor: in.Quote.Discount.Minor, TotalMinor: in.Quote.Total.Minor,
		Currency: in.Quote.Total.Currency, PaymentMethod: in.Method, FromWaitlistEntryID: in.WaitlistEntryID}
	hold := in.HoldUntil.UTC()
	o.HoldExpiresAt = &hold
	switch {
	case in.Method == PayByInvoice:
		o.Status = OrderPendingInvoice
	case in.Quote.Total.Minor == 0:
		// Nothing to pay (a 100% code): confirmed at once.
		o.Status = OrderPaid
		now := in.Now.UTC()
		o.PaidAt, o.HoldExpiresAt = &now, nil
	default:
		o.Status = OrderHeld
	}
	if in.Quote.Code != nil {
		if err := useDiscount(tx, in.Quote.Code.ID); err != nil {
			return nil, err
		}
		o.DiscountCodeID = &in.Quote.Code.ID
	}
	if o.Status == OrderPendingInvoice {
		num, err := nextInvoiceNumber(tx)
		if err != nil {
			return nil, err
		}
		now := in.Now.UTC()
		o.InvoiceNumber, o.InvoiceIssuedAt, o.InvoiceDueAt = &num, &now, &hold
	}
	if err := tx.Omit("Session", "DiscountCode", "Attendees").Create(o).Error; err != nil {
		return nil, translate(err, "create order")
	}
	shares := AllocateCents(o.TotalMinor, n)
	for i, a := range in.Attendees {
		o.Attendees = append(o.Attendees, Attendee{OrderID: o.ID, Position: i + 1, Name: a.Name,
			Email: NormalizeEmail(a.Email), PriceMinor: shares[i], Status: AttendeeActive})
	}
	if err := tx.Create(&o.Attendees).Error; err != nil {
		return nil, translate(err, "create attendees of order %d", o.ID)
	}
	o.Session = *in.Session
	return o, nil
}

// nextInvoiceNumber allocates the next sequential invoice number in tx, so
// a rolled-back order leaves no gap.
func nextInvoiceNumber(tx *gorm.DB) (string, error) {
	var n int64
	if err := tx.Raw("UPDATE counters SET next = next + 1 WHERE name = ? RETURNING next - 1", "invoice").Scan(&n).Error; err != nil {
		return "", translate(err, "next invoice number")
	}
	if n == 0 {
		return "", fmt.Errorf("next invoice number: counter missing: %w", ErrNotFound)
	}
	return fmt.Sprintf("INV-%06d", n), nil
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

// ListOrdersForUser returns a user's orders, newest first: the ones they
// bought and the ones where they are an attendee.
func ListOrdersForUser(ctx context.Context, db *gorm.DB, u *User) ([]Order, error) {
	var os []Order
	sub := db.Model(&Attendee{}).Select("order_id").Where("email = ?", u.Email)
	err := preloadOrder(db.WithContext(ctx)).Where("user_id = ? OR id IN (?)", u.ID, sub).
		Order("created_at DESC, id DESC").Find(&os).Error
	return os, translate(err, "list orders of user %d", u.ID)
}

// ListOrdersForSession returns a session's orders in the given statuses.
func ListOrdersForSession(ctx context.Context, db *gorm.DB, sessionID uint, statuses ...OrderStatus) ([]Order, error) {
	var os []Order
	q := preloadOrder(db.WithContext(ctx)).Where("session_id = ?", sessionID)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	err := q.Order("id").Find(&os).Error
	return os, translate(err, "list orders of session %d", sessionID)
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

// PaymentOutcome says what recording a payment did.
type PaymentOutcome int

// Payment outcomes.
const (
	PaymentNoChange   PaymentOutcome = iota // already paid, refunded or cancelled
	PaymentConfirmed                        // the order is now paid
	PaymentMustRefund                       // paid after its hold lapsed and no seat was free
)

// RecordPayment marks an order paid from a verified payment. If the hold
// had lapsed, the seats are taken again when free; when they are not, the
// order is flagged for staff and the caller must refund the payment.
func RecordPayment(ctx context.Context, tx *gorm.DB, o *Order, paymentIntentID string, now time.Time) (PaymentOutcome, error) {
	tx = tx.WithContext(ctx)
	if err := reloadStatus(tx, o); err != nil {
		return PaymentNoChange, err
	}
	set := map[string]any{"paid_at": now.UTC(), "hold_expires_at": nil}
	if paymentIntentID != "" {
		set["stripe_payment_intent_id"] = paymentIntentID
		o.StripePaymentIntentID = paymentIntentID
	}
	if o.Status == OrderCancelled && o.PaidAt == nil {
		// The buyer abandoned checkout (or cancelled) while the payment was
		// going through: the seats are gone, so the money goes back.
		err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(map[string]any{"stripe_payment_intent_id": paymentIntentID,
			"needs_attention": true, "attention_note": "Paid after the order was cancelled; payment refunded automatically.", "updated_at": utcNow()}).Error
		if err != nil {
			return PaymentNoChange, translate(err, "flag order %d", o.ID)
		}
		return PaymentMustRefund, nil
	}
	if o.Status == OrderExpired {
		err := TakeSeats(tx, &o.Session, o.Seats)
		if errors.Is(err, ErrSeatsFull) {
			moved, err := moveOrder(tx, o, OrderRefunded, map[string]any{"stripe_payment_intent_id": paymentIntentID,
				"needs_attention": true, "attention_note": "Paid after the hold lapsed and the session was full; payment refunded automatically."})
			if err != nil || !moved {
				return PaymentNoChange, err
			}
			return PaymentMustRefund, nil
		}
		if err != nil {
			return PaymentNoChange, err
		}
		if o.DiscountCodeID != nil {
			// The lapsed order gave its code use back; count it again
			// (even past MaxUses: the buyer already paid the discounted price).
			if err := tx.Exec("UPDATE discount_codes SET uses = uses + 1 WHERE id = ?", *o.DiscountCodeID).Error; err != nil {
				return PaymentNoChange, translate(err, "re-use discount")
			}
		}
	}
	moved, err := moveOrder(tx, o, OrderPaid, set)
	if err != nil || !moved {
		return PaymentNoChange, err
	}
	return PaymentConfirmed, nil
}

// MarkInvoicePaid confirms a pending invoice order (staff action).
func MarkInvoicePaid(ctx context.Context, tx *gorm.DB, o *Order, now time.Time) (bool, error) {
	if o.Status != OrderPendingInvoice {
		return false, fmt.Errorf("mark order %d paid: it is %s: %w", o.ID, o.Status, ErrConflict)
	}
	return moveOrder(tx.WithContext(ctx), o, OrderPaid, map[string]any{"paid_at": now.UTC(), "hold_expires_at": nil})
}

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
	return true, freeOrder(tx, o, true)
}

// freeOrder returns the seats of o's active attendees and, for an order
// that was never paid, its discount-code use.
func freeOrder(tx *gorm.DB, o *Order, releaseCode bool) error {
	active := 0
	for _, a := range o.Attendees {
		if a.Status == AttendeeActive {
			active++
		}
	}
	if err := ReleaseSeats(tx, o.SessionID, active); err != nil {
		return err
	}
	if o.DiscountCodeID != nil && releaseCode {
		return releaseDiscount(tx, *o.DiscountCodeID)
	}
	return nil
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
	err = freeOrder(tx, o, prev != OrderPaid)
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
	return ReleaseSeats(tx, o.SessionID, 1)
}

// RecordRefundTotal stores Stripe's cumulative refunded amount for an order
// (from charge.refunded). A full refund of a held or paid order moves it to
// refunded and frees its seats. It reports whether the status changed.
func RecordRefundTotal(ctx context.Context, tx *gorm.DB, o *Order, amountRefunded int64, paymentIntentID string) (bool, error) {
	tx = tx.WithContext(ctx)
	if err := reloadStatus(tx, o); err != nil {
		return false, err
	}
	if amountRefunded < o.RefundedMinor {
		amountRefunded = o.RefundedMinor // never move the amount backwards
	}
	set := map[string]any{"refunded_minor": amountRefunded, "updated_at": utcNow()}
	if o.StripePaymentIntentID == "" && paymentIntentID != "" {
		set["stripe_payment_intent_id"] = paymentIntentID
	}
	if err := tx.Model(&Order{}).Where("id = ?", o.ID).Updates(set).Error; err != nil {
		return false, translate(err, "record refund of order %d", o.ID)
	}
	o.RefundedMinor = amountRefunded
	if amountRefunded < o.TotalMinor || (o.Status != OrderHeld && o.Status != OrderPaid) {
		return false, nil
	}
	prev := o.Status
	moved, err := moveOrder(tx, o, OrderRefunded, map[string]any{"hold_expires_at": nil})
	if err != nil || !moved {
		return false, err
	}
	return true, freeOrder(tx, o, prev != OrderPaid)
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
func IsConfirmedAttendee(ctx context.Context, db *gorm.DB, u *User, sessionID uint) (bool, error) {
	var n int64
	sub := db.Model(&Attendee{}).Select("order_id").Where("email = ? AND status = ?", u.Email, AttendeeActive)
	err := db.WithContext(ctx).Model(&Order{}).Where("session_id = ? AND status = ? AND (user_id = ? OR id IN (?))",
		sessionID, OrderPaid, u.ID, sub).Count(&n).Error
	return n > 0, translate(err, "check attendee of session %d", sessionID)
}
