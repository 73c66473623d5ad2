package models

// This file holds the rows behind the admin reports, discount-code
// administration and the cross-session waiting-list view.

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// PaidOrderRow is the part of a paid order the revenue report needs.
type PaidOrderRow struct {
	ID            uint
	PaidAt        time.Time
	TotalMinor    int64
	RefundedMinor int64
	Currency      string
}

// ListPaidOrderRows returns every order that was paid at some point, with
// its payment time in [from, until).
func ListPaidOrderRows(ctx context.Context, db *gorm.DB, from, until time.Time) ([]PaidOrderRow, error) {
	var rs []PaidOrderRow
	err := db.WithContext(ctx).Model(&Order{}).Select("id, paid_at, total_minor, refunded_minor, currency").
		Where("paid_at IS NOT NULL AND paid_at >= ? AND paid_at < ?", from.UTC(), until.UTC()).Order("paid_at, id").Scan(&rs).Error
	return rs, translate(err, "list paid orders")
}

// RegistrationRow is the part of an order the registrations report needs.
type RegistrationRow struct {
	ID        uint
	CreatedAt time.Time
	Seats     int
	Status    OrderStatus
}

// ListRegistrationRows returns the orders created in [from, until) that
// became registrations (confirmed or invoiced, including those later
// cancelled or refunded after payment).
func ListRegistrationRows(ctx context.Context, db *gorm.DB, from, until time.Time) ([]RegistrationRow, error) {
	var rs []RegistrationRow
	err := db.WithContext(ctx).Model(&Order{}).Select("id, created_at, seats, status").
		Where("created_at >= ? AND created_at < ? AND (status IN ? OR paid_at IS NOT NULL)", from.UTC(), until.UTC(),
			[]OrderStatus{OrderPaid, OrderPendingInvoice}).Order("created_at, id").Scan(&rs).Error
	return rs, translate(err, "list registrations")
}

// ListUpcomingForReport returns published sessions starting in [now, until),
// soonest first, with their workshop.
func ListUpcomingForReport(ctx context.Context, db *gorm.DB, now, until time.Time) ([]Session, error) {
	var ss []Session
	err := db.WithContext(ctx).Preload("Workshop").Where("status = ? AND starts_at > ? AND starts_at < ?", StatusPublished, now.UTC(), until.UTC()).
		Order("starts_at, id").Find(&ss).Error
	return ss, translate(err, "list upcoming sessions")
}

// DiscountUsage is a discount code with what it did.
type DiscountUsage struct {
	DiscountCode
	PaidOrders    int64 // paid orders that used it
	DiscountGiven int64 // minor units taken off those orders
}

// ListDiscountUsage returns every discount code with its paid orders and
// the discount given on them, most used first.
func ListDiscountUsage(ctx context.Context, db *gorm.DB) ([]DiscountUsage, error) {
	var cs []DiscountCode
	if err := db.WithContext(ctx).Order("code").Find(&cs).Error; err != nil {
		return nil, translate(err, "list discount codes")
	}
	type agg struct {
		DiscountCodeID uint
		N              int64
		Sum            int64
	}
	var as []agg
	err := db.WithContext(ctx).Model(&Order{}).Select("discount_code_id, COUNT(*) AS n, COALESCE(SUM(discount_minor), 0) AS sum").
		Where("discount_code_id IS NOT NULL AND paid_at IS NOT NULL").Group("discount_code_id").Scan(&as).Error
	if err != nil {
		return nil, translate(err, "count discount use")
	}
	by := map[uint]agg{}
	for _, a := range as {
		by[a.DiscountCodeID] = a
	}
	out := make([]DiscountUsage, 0, len(cs))
	for _, c := range cs {
		out = append(out, DiscountUsage{DiscountCode: c, PaidOrders: by[c.ID].N, DiscountGiven: by[c.ID].Sum})
	}
	return out, nil
}

// FindDiscountCodeByID loads one discount code.
func FindDiscountCodeByID(ctx context.Context, db *gorm.DB, id uint) (*DiscountCode, error) {
	var d DiscountCode
	if err := db.WithContext(ctx).First(&d, id).Error; err != nil {
		return nil, translate(err, "find discount code %d", id)
	}
	return &d, nil
}

// SaveDiscountCode creates d (ID 0) or saves every field of it; a code
// already taken is ErrConflict.
func SaveDiscountCode(ctx context.Context, tx *gorm.DB, d *DiscountCode) error {
	d.Code = NormalizeCode(d.Code)
	var n int64
	if err := tx.WithContext(ctx).Model(&DiscountCode{}).Where("code = ? AND id <> ?", d.Code, d.ID).Count(&n).Error; err != nil {
		return translate(err, "check discount code %q", d.Code)
	}
	if n > 0 {
		return fmt.Errorf("save discount code %q: taken: %w", d.Code, ErrConflict)
	}
	if d.ID == 0 {
		return translate(tx.WithContext(ctx).Create(d).Error, "create discount code %q", d.Code)
	}
	return translate(tx.WithContext(ctx).Omit("uses", "created_at").Save(d).Error, "save discount code %q", d.Code)
}

// DeleteDiscountCode removes a code no order ever used; a used code is
// ErrConflict (deactivate it instead, so order history keeps its code).
func DeleteDiscountCode(ctx context.Context, tx *gorm.DB, id uint) error {
	var n int64
	if err := tx.WithContext(ctx).Model(&Order{}).Where("discount_code_id = ?", id).Count(&n).Error; err != nil {
		return translate(err, "check use of discount code %d", id)
	}
	if n > 0 {
		return fmt.Errorf("delete discount code %d: used by %d orders: %w", id, n, ErrConflict)
	}
	res := tx.WithContext(ctx).Delete(&DiscountCode{}, id)
	if res.Error != nil {
		return translate(res.Error, "delete discount code %d", id)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete discount code %d: %w", id, ErrNotFound)
	}
	return nil
}

// ListOpenWaitlist returns the waiting and offered entries of every
// session, by session start then queue order.
func ListOpenWaitlist(ctx context.Context, db *gorm.DB) ([]WaitlistEntry, error) {
	var es []WaitlistEntry
	err := db.WithContext(ctx).Preload("Session").Preload("Session.Workshop").
		Joins("JOIN sessions ON sessions.id = waitlist_entries.session_id").
		Where("waitlist_entries.status IN ?", []WaitStatus{WaitWaiting, WaitOffered}).
		Order("sessions.starts_at, waitlist_entries.created_at, waitlist_entries.id").Find(&es).Error
	return es, translate(err, "list waiting lists")
}

// FindWaitlistEntry loads one entry with its session.
func FindWaitlistEntry(ctx context.Context, db *gorm.DB, id uint) (*WaitlistEntry, error) {
	var e WaitlistEntry
	if err := db.WithContext(ctx).Preload("Session").Preload("Session.Workshop").Preload("Session.Instructor").First(&e, id).Error; err != nil {
		return nil, translate(err, "find waiting-list entry %d", id)
	}
	return &e, nil
}

// OfferWaitlistEntry offers seats to one waiting entry out of queue order
// (a staff decision), reserving them with the conditional TakeSeats
// (ErrSeatsFull when they are not free) until now+ttl.
func OfferWaitlistEntry(ctx context.Context, tx *gorm.DB, e *WaitlistEntry, now time.Time, ttl time.Duration) (string, error) {
	tx = tx.WithContext(ctx)
	if e.Status != WaitWaiting {
		return "", fmt.Errorf("offer entry %d: it is %s: %w", e.ID, e.Status, ErrConflict)
	}
	s := &e.Session
	if !now.Before(s.RegistrationClosesAt) {
		return "", fmt.Errorf("offer entry %d: registration closed: %w", e.ID, ErrDeadlinePassed)
	}
	if err := TakeSeats(ctx, tx, s, e.Seats); err != nil {
		return "", err
	}
	token := NewToken()
	expires := now.UTC().Add(ttl)
	if expires.After(s.RegistrationClosesAt) {
		expires = s.RegistrationClosesAt
	}
	res := tx.Model(&WaitlistEntry{}).Where("id = ? AND status = ?", e.ID, WaitWaiting).Updates(map[string]any{
		"status": WaitOffered, "offer_token_hash": HashToken(token), "offered_at": now.UTC(),
		"offer_expires_at": expires, "offers": gorm.Expr("offers + 1"), "updated_at": utcNow()})
	if res.Error != nil {
		return "", translate(res.Error, "offer seats to entry %d", e.ID)
	}
	if res.RowsAffected != 1 {
		return "", fmt.Errorf("offer seats to entry %d: %w", e.ID, ErrConflict)
	}
	e.Status, e.OfferExpiresAt = WaitOffered, &expires
	e.Offers++
	return token, nil
}

// RemoveWaitlistEntry withdraws a waiting or offered entry; an offer's
// reserved seats are released. It reports the seats released.
func RemoveWaitlistEntry(ctx context.Context, tx *gorm.DB, e *WaitlistEntry) (int, error) {
	tx = tx.WithContext(ctx)
	if e.Status != WaitWaiting && e.Status != WaitOffered {
		return 0, fmt.Errorf("remove entry %d: it is %s: %w", e.ID, e.Status, ErrConflict)
	}
	res := tx.Model(&WaitlistEntry{}).Where("id = ? AND status = ?", e.ID, e.Status).
		Updates(map[string]any{"status": WaitCancelled, "updated_at": utcNow()})
	if res.Error != nil {
		return 0, translate(res.Error, "remove entry %d", e.ID)
	}
	if res.RowsAffected != 1 {
		return 0, fmt.Errorf("remove entry %d: changed meanwhile: %w", e.ID, ErrConflict)
	}
	prev := e.Status
	e.Status = WaitCancelled
	if prev != WaitOffered {
		return 0, nil
	}
	return e.Seats, ReleaseSeats(ctx, tx, e.SessionID, e.Seats)
}
