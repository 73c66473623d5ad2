package models

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// StripeEvent records a processed Stripe webhook event. It is inserted in
// the same transaction as the event's effect, so a redelivery finds it and
// does nothing.
type StripeEvent struct {
	ID          string `gorm:"primaryKey"`
	Type        string
	OrderID     *uint
	ProcessedAt time.Time
}

// ClaimStripeEvent records the event inside tx and reports whether this is
// its first delivery. Concurrent deliveries of one event serialise on the
// primary key: only one transaction sees true.
func ClaimStripeEvent(ctx context.Context, tx *gorm.DB, id, typ string, now time.Time) (bool, error) {
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&StripeEvent{ID: id, Type: typ, ProcessedAt: now.UTC()})
	if res.Error != nil {
		return false, translate(res.Error, "claim stripe event %s", id)
	}
	return res.RowsAffected == 1, nil
}

// SetStripeEventOrder links a processed event to the order it touched.
func SetStripeEventOrder(ctx context.Context, tx *gorm.DB, id string, orderID uint) error {
	return translate(tx.WithContext(ctx).Model(&StripeEvent{}).Where("id = ?", id).Update("order_id", orderID).Error, "link stripe event %s", id)
}

// CountStripeEvents counts recorded events (for tests and the dashboard).
func CountStripeEvents(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&StripeEvent{}).Count(&n).Error
	return n, translate(err, "count stripe events")
}

// Refund is money returned on an order (whole or one attendee).
type Refund struct {
	ID             uint `gorm:"primaryKey"`
	OrderID        uint
	AttendeeID     *uint
	AmountMinor    int64
	Currency       string
	Reason         string
	StripeRefundID string
	IdempotencyKey string
	// Status is RefundPending until Stripe confirmed the refund.
	Status    RefundStatus
	Attempts  int
	LastError string
	SettledAt *time.Time
	CreatedAt time.Time
}

// RefundStatus is where a refund intent stands.
type RefundStatus string

// Refund statuses: an intent is pending from the transaction that decides
// it until Stripe's answer is recorded.
const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
)

// Amount is the refunded money.
func (r Refund) Amount() Money { return Money{Minor: r.AmountMinor, Currency: r.Currency} }

// RecordRefund stores a refund; the idempotency key is unique, so the same
// refund is never recorded twice.
func RecordRefund(ctx context.Context, tx *gorm.DB, r *Refund) (bool, error) {
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "idempotency_key"}}, DoNothing: true}).Create(r)
	if res.Error != nil {
		return false, translate(res.Error, "record refund %s", r.IdempotencyKey)
	}
	return res.RowsAffected == 1, nil
}

// ListPendingRefunds returns up to limit refund intents Stripe has not
// confirmed yet, oldest first, with their orders.
func ListPendingRefunds(ctx context.Context, db *gorm.DB, orderID uint, limit int) ([]Refund, error) {
	q := db.WithContext(ctx).Where("status = ?", RefundPending).Order("id").Limit(limit)
	if orderID != 0 {
		q = q.Where("order_id = ?", orderID)
	}
	var rs []Refund
	err := q.Find(&rs).Error
	return rs, translate(err, "list pending refunds")
}

// SettleRefund records Stripe's refund id for a pending intent; settling
// twice (a retry racing the first call) changes nothing.
func SettleRefund(ctx context.Context, db *gorm.DB, id uint, stripeRefundID string, now time.Time) error {
	err := db.WithContext(ctx).Model(&Refund{}).Where("id = ? AND status = ?", id, RefundPending).
		Updates(map[string]any{"status": RefundSucceeded, "stripe_refund_id": stripeRefundID, "settled_at": now.UTC()}).Error
	return translate(err, "settle refund %d", id)
}

// RefundFailed counts a failed attempt of a pending intent; it stays
// pending, and the retry job tries again.
func RefundFailed(ctx context.Context, db *gorm.DB, id uint, cause error) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	err := db.WithContext(ctx).Model(&Refund{}).Where("id = ? AND status = ?", id, RefundPending).
		Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": msg}).Error
	return translate(err, "record failed refund %d", id)
}

// ListRefunds returns an order's refunds, oldest first.
func ListRefunds(ctx context.Context, db *gorm.DB, orderID uint) ([]Refund, error) {
	var rs []Refund
	err := db.WithContext(ctx).Where("order_id = ?", orderID).Order("id").Find(&rs).Error
	return rs, translate(err, "list refunds of order %d", orderID)
}
