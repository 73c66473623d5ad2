package models

// This file holds the payments desk's queries: order search, the pieces
// of an order's history, payments recorded against invoices, refund sums
// and moving an order to another session.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// OrderFilter narrows SearchOrders; zero fields do not filter.
type OrderFilter struct {
	Query     string // ref, order number, buyer name/email, company, PO or invoice number
	SessionID uint
	Status    OrderStatus
	Method    PaymentMethod
	From      time.Time // created at or after (UTC)
	Until     time.Time // created before (UTC)
	Flagged   bool
	Limit     int
}

// SearchOrders returns orders matching f, newest first, and how many match.
func SearchOrders(ctx context.Context, db *gorm.DB, f OrderFilter) ([]Order, int64, error) {
	q := db.WithContext(ctx).Model(&Order{})
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + strings.ToLower(s) + "%"
		cond := "LOWER(ref) = ? OR LOWER(buyer_email) LIKE ? OR LOWER(billing_email) LIKE ? OR LOWER(buyer_name) LIKE ? OR LOWER(company) LIKE ? OR LOWER(po_number) LIKE ? OR LOWER(COALESCE(invoice_number, '')) LIKE ?"
		args := []any{strings.ToLower(s), like, like, like, like, like, like}
		var id uint
		if _, err := fmt.Sscanf(strings.ToUpper(s), "HSW-%d", &id); err == nil && id > 0 {
			cond += " OR id = ?"
			args = append(args, id)
		}
		q = q.Where("("+cond+")", args...)
	}
	if f.SessionID != 0 {
		q = q.Where("session_id = ?", f.SessionID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Method != "" {
		q = q.Where("payment_method = ?", f.Method)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("created_at < ?", f.Until.UTC())
	}
	if f.Flagged {
		q = q.Where("needs_attention = ?", true)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return nil, 0, translate(err, "count orders")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var os []Order
	err := preloadOrder(q).Order("created_at DESC, id DESC").Limit(limit).Find(&os).Error
	return os, n, translate(err, "search orders")
}

// ListStripeEventsForOrder returns the webhook events applied to an order.
func ListStripeEventsForOrder(ctx context.Context, db *gorm.DB, orderID uint) ([]StripeEvent, error) {
	var es []StripeEvent
	err := db.WithContext(ctx).Where("order_id = ?", orderID).Order("processed_at, id").Find(&es).Error
	return es, translate(err, "list stripe events of order %d", orderID)
}

// ListEmailsForOrder returns the outbox messages queued about an order: the
// ones keyed by the order and by its attendees.
func ListEmailsForOrder(ctx context.Context, db *gorm.DB, o *Order) ([]Email, error) {
	var keys []string
	for _, k := range []string{"order_confirmation", "cancel_order", "order_expired", "late_refund"} {
		keys = append(keys, fmt.Sprintf("%s:%d", k, o.ID))
	}
	if o.InvoiceNumber != nil {
		keys = append(keys, "invoice:"+*o.InvoiceNumber)
	}
	q := db.WithContext(ctx).Model(&Email{})
	cond := "dedupe_key IN ?"
	args := []any{keys}
	for _, k := range []string{"order_moved", "order_resent", "desk_refund"} {
		cond += " OR dedupe_key LIKE ?"
		args = append(args, fmt.Sprintf("%s:%d:%%", k, o.ID))
	}
	for _, a := range o.Attendees {
		for _, k := range []string{"attendee_confirmation", "cancel_attendee", "reminder"} {
			cond += " OR dedupe_key = ?"
			args = append(args, fmt.Sprintf("%s:%d", k, a.ID))
		}
		for _, k := range []string{"attendee_moved", "attendee_resent"} {
			cond += " OR dedupe_key LIKE ?"
			args = append(args, fmt.Sprintf("%s:%d:%%", k, a.ID))
		}
	}
	var es []Email
	err := q.Where(cond, args...).Order("created_at, id").Find(&es).Error
	return es, translate(err, "list emails of order %d", o.ID)
}

// InvoicePayment is a payment staff recorded against an invoice order,
// with the bank or cheque reference it arrived under.
type InvoicePayment struct {
	ID          uint `gorm:"primaryKey"`
	OrderID     uint
	Reference   string
	AmountMinor int64
	Currency    string
	RecordedBy  *uint
	RecordedAt  time.Time
}

// Amount is the money received.
func (p InvoicePayment) Amount() Money { return Money{Minor: p.AmountMinor, Currency: p.Currency} }

// RecordInvoicePayment stores p inside the caller's transaction.
func RecordInvoicePayment(ctx context.Context, tx *gorm.DB, p *InvoicePayment) error {
	return translate(tx.WithContext(ctx).Create(p).Error, "record payment of order %d", p.OrderID)
}

// ListInvoicePayments returns the payments recorded against an order.
func ListInvoicePayments(ctx context.Context, db *gorm.DB, orderID uint) ([]InvoicePayment, error) {
	var ps []InvoicePayment
	err := db.WithContext(ctx).Where("order_id = ?", orderID).Order("recorded_at, id").Find(&ps).Error
	return ps, translate(err, "list payments of order %d", orderID)
}

// AddRefundedWithin adds amount to the order's refunded total only if the
// total stays within what was paid; it is one conditional UPDATE, so two
// racing refunds can never together exceed the payment. It reports whether
// the amount fitted.
func AddRefundedWithin(ctx context.Context, tx *gorm.DB, orderID uint, amount int64) (bool, error) {
	res := tx.WithContext(ctx).Exec(`UPDATE orders SET refunded_minor = refunded_minor + ?, updated_at = ?
		WHERE id = ? AND paid_at IS NOT NULL AND refunded_minor + ? <= total_minor`, amount, utcNow(), orderID, amount)
	if res.Error != nil {
		return false, translate(res.Error, "add refund to order %d", orderID)
	}
	return res.RowsAffected == 1, nil
}

// FindRefundByKey loads a refund by its idempotency key.
func FindRefundByKey(ctx context.Context, db *gorm.DB, key string) (*Refund, error) {
	var r Refund
	if err := db.WithContext(ctx).Where("idempotency_key = ?", key).First(&r).Error; err != nil {
		return nil, translate(err, "find refund %q", key)
	}
	return &r, nil
}

// MarkRefundSettled records a refund done outside Stripe (bank transfer)
// as carried out at now.
func MarkRefundSettled(ctx context.Context, tx *gorm.DB, id uint, now time.Time) error {
	err := tx.WithContext(ctx).Model(&Refund{}).Where("id = ?", id).
		Updates(map[string]any{"status": RefundSucceeded, "settled_at": now.UTC()}).Error
	return translate(err, "settle refund %d", id)
}

// RefundManual is the StripeRefundID of refunds made by bank transfer.
const RefundManual = "manual"

// MoveOrderSession moves a paid or invoiced order's active seats from its
// session to target in one transaction: seats are taken in the target with
// the conditional TakeSeats (ErrSeatsFull when they do not fit) and
// released in the source.
func MoveOrderSession(ctx context.Context, tx *gorm.DB, o *Order, target *Session) error {
	tx = tx.WithContext(ctx)
	if o.Status != OrderPaid && o.Status != OrderPendingInvoice {
		return fmt.Errorf("move order %d: it is %s: %w", o.ID, o.Status, ErrConflict)
	}
	n := len(o.ActiveAttendees())
	if n == 0 {
		return fmt.Errorf("move order %d: no active seats: %w", o.ID, ErrConflict)
	}
	if err := TakeSeats(ctx, tx, target, n); err != nil {
		return err
	}
	if err := ReleaseSeats(ctx, tx, o.SessionID, n); err != nil {
		return err
	}
	res := tx.Model(&Order{}).Where("id = ? AND session_id = ? AND status = ?", o.ID, o.SessionID, o.Status).
		Updates(map[string]any{"session_id": target.ID, "updated_at": utcNow()})
	if res.Error != nil {
		return translate(res.Error, "move order %d", o.ID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("move order %d: changed meanwhile: %w", o.ID, ErrConflict)
	}
	return nil
}

// ListMoveTargets returns the other published, upcoming sessions of a
// workshop, soonest first.
func ListMoveTargets(ctx context.Context, db *gorm.DB, s *Session, now time.Time) ([]Session, error) {
	var ss []Session
	err := preloadSession(db.WithContext(ctx)).Where("workshop_id = ? AND id <> ? AND status = ? AND starts_at > ?",
		s.WorkshopID, s.ID, StatusPublished, now.UTC()).Order("starts_at").Find(&ss).Error
	return ss, translate(err, "list sessions to move to")
}

// ListFlaggedOrders returns the orders flagged for staff, oldest first.
func ListFlaggedOrders(ctx context.Context, db *gorm.DB) ([]Order, error) {
	var os []Order
	err := preloadOrder(db.WithContext(ctx)).Where("needs_attention = ?", true).Order("updated_at, id").Find(&os).Error
	return os, translate(err, "list flagged orders")
}

// ListStuckRefunds returns card refunds still pending after at least one
// failed attempt, oldest first: the failed refunds staff must look at.
func ListStuckRefunds(ctx context.Context, db *gorm.DB) ([]Refund, error) {
	var rs []Refund
	err := db.WithContext(ctx).Where("status = ? AND attempts > 0", RefundPending).Order("id").Find(&rs).Error
	return rs, translate(err, "list stuck refunds")
}

// SplitAttendee moves one active attendee of a paid order o to target, a
// session of the same workshop, as a new one-seat order split off o, inside
// tx: the seat is taken in target by take (ErrSeatsFull when none is free)
// and released in o's session, o shrinks by one seat, and the attendee row
// itself moves to the new order, so its ID (seat page, calendar file,
// attendance and certificate) follows the person. The payment stays on o:
// the new order carries no money and points back with MovedFromOrderID.
// A change meanwhile (o no longer paid or in its session, the attendee no
// longer active in o, o down to one seat) is ErrConflict.
func SplitAttendee(ctx context.Context, tx *gorm.DB, o *Order, attendeeID uint, target *Session, take SeatTaker, now time.Time) (*Order, error) {
	tx = tx.WithContext(ctx)
	if err := take(ctx, tx, target, 1); err != nil {
		return nil, err
	}
	if err := ReleaseSeats(ctx, tx, o.SessionID, 1); err != nil {
		return nil, err
	}
	res := tx.Model(&Order{}).Where("id = ? AND session_id = ? AND status = ? AND seats > 1", o.ID, o.SessionID, OrderPaid).
		Updates(map[string]any{"seats": gorm.Expr("seats - 1"), "updated_at": utcNow()})
	if res.Error != nil {
		return nil, translate(res.Error, "shrink order %d", o.ID)
	}
	if res.RowsAffected != 1 {
		return nil, fmt.Errorf("split attendee %d off order %d: order changed meanwhile: %w", attendeeID, o.ID, ErrConflict)
	}
	created := now.UTC()
	child := &Order{Ref: NewToken()[:24], SessionID: target.ID, UserID: o.UserID, BuyerName: o.BuyerName, BuyerEmail: o.BuyerEmail,
		BillingEmail: o.BillingEmail, Company: o.Company, PONumber: o.PONumber, Seats: 1, Currency: o.Currency,
		PaymentMethod: o.PaymentMethod, Status: OrderPaid, PaidAt: o.PaidAt, MovedFromOrderID: &o.ID, CreatedAt: created}
	if err := tx.Omit("Session", "DiscountCode", "Attendees").Create(child).Error; err != nil {
		return nil, translate(err, "create order split off %d", o.ID)
	}
	res = tx.Model(&Attendee{}).Where("id = ? AND order_id = ? AND status = ?", attendeeID, o.ID, AttendeeActive).
		Updates(map[string]any{"order_id": child.ID, "position": 1, "updated_at": utcNow()})
	if res.Error != nil {
		return nil, translate(res.Error, "move attendee %d", attendeeID)
	}
	if res.RowsAffected != 1 {
		return nil, fmt.Errorf("split attendee %d off order %d: attendee changed meanwhile: %w", attendeeID, o.ID, ErrConflict)
	}
	return child, nil
}

// ListSplitOrders returns the orders the desk split off the paying order
// payerID (see SplitAttendee), oldest first, in any of statuses (all when
// none are given).
func ListSplitOrders(ctx context.Context, db *gorm.DB, payerID uint, statuses ...OrderStatus) ([]Order, error) {
	return listOrders(ctx, db, "moved_from_order_id", payerID, statuses, "list orders split off order %d")
}

// SeatsBought is how many seats o was bought with: its own attendees,
// cancelled ones included, and those the desk moved out into split (the
// orders ListSplitOrders returns for o). o.Seats counts only the seats o
// still holds.
func (o Order) SeatsBought(split []Order) int {
	n := len(o.Attendees)
	for _, c := range split {
		n += len(c.Attendees)
	}
	return n
}
