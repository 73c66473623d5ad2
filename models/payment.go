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
	CreatedAt      time.Time
}

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

// ListRefunds returns an order's refunds, oldest first.
func ListRefunds(ctx context.Context, db *gorm.DB, orderID uint) ([]Refund, error) {
	var rs []Refund
	err := db.WithContext(ctx).Where("order_id = ?", orderID).Order("id").Find(&rs).Error
	return rs, translate(err, "list refunds of order %d", orderID)
}
