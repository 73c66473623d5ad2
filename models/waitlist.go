package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// WaitStatus is where a waiting-list entry is.
type WaitStatus string

// Waiting-list statuses.
const (
	WaitWaiting   WaitStatus = "waiting"   // in the queue
	WaitOffered   WaitStatus = "offered"   // seats reserved for this entry until the offer expires
	WaitClaimed   WaitStatus = "claimed"   // the offer became an order
	WaitLapsed    WaitStatus = "lapsed"    // the offer expired unclaimed
	WaitCancelled WaitStatus = "cancelled" // withdrawn
)

// WaitlistEntry is a person waiting for seats of a sold-out session.
type WaitlistEntry struct {
	ID             uint `gorm:"primaryKey"`
	SessionID      uint
	Session        Session
	UserID         *uint
	Name           string
	Email          string
	Seats          int
	Status         WaitStatus
	OfferTokenHash string
	OfferedAt      *time.Time
	OfferExpiresAt *time.Time
	Offers         int
	OrderID        *uint
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// JoinWaitlist adds an entry at the back of the session's queue.
func JoinWaitlist(ctx context.Context, db *gorm.DB, e *WaitlistEntry) error {
	e.Email, e.Status = NormalizeEmail(e.Email), WaitWaiting
	return translate(db.WithContext(ctx).Omit("Session").Create(e).Error, "join waiting list of session %d", e.SessionID)
}

// WaitlistOffer is an offer just made: the entry and the token to email.
type WaitlistOffer struct {
	Entry WaitlistEntry
	Token string
}

// OfferFreedSeats walks the session's queue in order and offers seats to
// every waiting entry whose size fits what is free, reserving those seats
// for it alone (they count as taken, so nobody else can buy them) until
// now+ttl. Entries too large for the free seats keep their place.
func OfferFreedSeats(ctx context.Context, tx *gorm.DB, sessionID uint, now time.Time, ttl time.Duration) ([]WaitlistOffer, error) {
	tx = tx.WithContext(ctx)
	var s Session
	if err := tx.First(&s, sessionID).Error; err != nil {
		return nil, translate(err, "offer seats of session %d", sessionID)
	}
	if s.Status != StatusPublished || !now.Before(s.RegistrationClosesAt) {
		return nil, nil
	}
	var waiting []WaitlistEntry
	if err := tx.Where("session_id = ? AND status = ?", sessionID, WaitWaiting).Order("created_at, id").Find(&waiting).Error; err != nil {
		return nil, translate(err, "list waiting list of session %d", sessionID)
	}
	var offers []WaitlistOffer
	for _, e := range waiting {
		if s.SeatsLeft() == 0 {
			break
		}
		if e.Seats > s.SeatsLeft() {
			continue
		}
		if err := TakeSeats(ctx, tx, &s, e.Seats); err != nil {
			return nil, err
		}
		s.SeatsTaken += e.Seats
		token := NewToken()
		expires := now.UTC().Add(ttl)
		if expires.After(s.RegistrationClosesAt) {
			expires = s.RegistrationClosesAt
		}
		res := tx.Model(&WaitlistEntry{}).Where("id = ? AND status = ?", e.ID, WaitWaiting).Updates(map[string]any{
			"status": WaitOffered, "offer_token_hash": HashToken(token), "offered_at": now.UTC(),
			"offer_expires_at": expires, "offers": gorm.Expr("offers + 1"), "updated_at": utcNow()})
		if res.Error != nil {
			return nil, translate(res.Error, "offer seats to entry %d", e.ID)
		}
		if res.RowsAffected != 1 {
			return nil, fmt.Errorf("offer seats to entry %d: %w", e.ID, ErrConflict)
		}
		e.Status, e.OfferExpiresAt, e.Session = WaitOffered, &expires, s
		offers = append(offers, WaitlistOffer{Entry: e, Token: token})
	}
	return offers, nil
}

// FindWaitlistOffer loads the entry an offer token belongs to.
func FindWaitlistOffer(ctx context.Context, db *gorm.DB, token string) (*WaitlistEntry, error) {
	var e WaitlistEntry
	err := db.WithContext(ctx).Preload("Session").Preload("Session.Workshop").
		Where("offer_token_hash = ? AND offer_token_hash <> ''", HashToken(token)).First(&e).Error
	if err != nil {
		return nil, translate(err, "find waiting-list offer")
	}
	return &e, nil
}

// OfferLive reports whether the entry holds a live offer at now.
func (e WaitlistEntry) OfferLive(now time.Time) bool {
	return e.Status == WaitOffered && e.OfferExpiresAt != nil && now.Before(*e.OfferExpiresAt)
}

// ClaimWaitlistOffer turns a live offer into a claim inside tx (the order
// is created by the caller in the same transaction, without taking seats
// again). A lapsed or used offer is ErrDeadlinePassed.
func ClaimWaitlistOffer(ctx context.Context, tx *gorm.DB, e *WaitlistEntry, now time.Time) error {
	res := tx.WithContext(ctx).Model(&WaitlistEntry{}).
		Where("id = ? AND status = ? AND offer_expires_at > ?", e.ID, WaitOffered, now.UTC()).
		Updates(map[string]any{"status": WaitClaimed, "updated_at": utcNow()})
	if res.Error != nil {
		return translate(res.Error, "claim offer of entry %d", e.ID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("claim offer of entry %d: %w", e.ID, ErrDeadlinePassed)
	}
	e.Status = WaitClaimed
	return nil
}

// LinkWaitlistOrder records the order a claimed offer became.
func LinkWaitlistOrder(ctx context.Context, tx *gorm.DB, entryID, orderID uint) error {
	return translate(tx.WithContext(ctx).Model(&WaitlistEntry{}).Where("id = ?", entryID).Update("order_id", orderID).Error, "link entry %d", entryID)
}

// ListLapsedOffers returns offers that expired unclaimed before now.
func ListLapsedOffers(ctx context.Context, db *gorm.DB, now time.Time, limit int) ([]WaitlistEntry, error) {
	var es []WaitlistEntry
	err := db.WithContext(ctx).Where("status = ? AND offer_expires_at <= ?", WaitOffered, now.UTC()).Order("id").Limit(limit).Find(&es).Error
	return es, translate(err, "list lapsed offers")
}

// LapseOffer ends an unclaimed offer and frees its seats; it reports
// whether it did (another instance may have got there first).
func LapseOffer(ctx context.Context, tx *gorm.DB, e *WaitlistEntry, now time.Time) (bool, error) {
	tx = tx.WithContext(ctx)
	res := tx.Model(&WaitlistEntry{}).Where("id = ? AND status = ? AND offer_expires_at <= ?", e.ID, WaitOffered, now.UTC()).
		Updates(map[string]any{"status": WaitLapsed, "updated_at": utcNow()})
	if res.Error != nil {
		return false, translate(res.Error, "lapse offer of entry %d", e.ID)
	}
	if res.RowsAffected != 1 {
		return false, nil
	}
	return true, ReleaseSeats(ctx, tx, e.SessionID, e.Seats)
}

// CountWaiting counts entries still waiting for a session.
func CountWaiting(ctx context.Context, db *gorm.DB, sessionID uint) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&WaitlistEntry{}).Where("session_id = ? AND status = ?", sessionID, WaitWaiting).Count(&n).Error
	return n, translate(err, "count waiting list of session %d", sessionID)
}

// ListWaitlist returns a session's entries in queue order.
func ListWaitlist(ctx context.Context, db *gorm.DB, sessionID uint) ([]WaitlistEntry, error) {
	var es []WaitlistEntry
	err := db.WithContext(ctx).Where("session_id = ?", sessionID).Order("created_at, id").Find(&es).Error
	return es, translate(err, "list waiting list of session %d", sessionID)
}

// SetSessionCapacity changes a session's capacity; it cannot go below the
// seats already taken.
func SetSessionCapacity(ctx context.Context, tx *gorm.DB, sessionID uint, capacity int) error {
	if capacity < 1 || capacity > 10000 {
		return &ValidationError{Fields: map[string]string{"capacity": "Capacity must be between 1 and 10,000."}}
	}
	res := tx.WithContext(ctx).Exec("UPDATE sessions SET capacity = ?, updated_at = ? WHERE id = ? AND seats_taken <= ?", capacity, utcNow(), sessionID, capacity)
	if res.Error != nil {
		return translate(res.Error, "set capacity of session %d", sessionID)
	}
	if res.RowsAffected != 1 {
		return &ValidationError{Fields: map[string]string{"capacity": "Capacity cannot be below the seats already taken."}}
	}
	return nil
}
