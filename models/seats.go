package models

// This file holds seat accounting: taking and releasing seats in one
// locked write, and freeing an order's seats.

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// SeatTaker takes n seats of session s inside tx or returns ErrSeatsFull.
// s is the session as read before the transaction began.
type SeatTaker func(ctx context.Context, tx *gorm.DB, s *Session, n int) error

// TakeSeats is the production SeatTaker: one conditional UPDATE that checks
// and takes the seats in a single locked write, so concurrent buyers can
// never take more than the capacity (on SQLite and PostgreSQL alike).
func TakeSeats(ctx context.Context, tx *gorm.DB, s *Session, n int) error {
	res := tx.WithContext(ctx).Exec(`UPDATE sessions SET seats_taken = seats_taken + ?, updated_at = ?
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
func ReleaseSeats(ctx context.Context, tx *gorm.DB, sessionID uint, n int) error {
	if n <= 0 {
		return nil
	}
	res := tx.WithContext(ctx).Exec("UPDATE sessions SET seats_taken = seats_taken - ?, updated_at = ? WHERE id = ? AND seats_taken >= ?", n, utcNow(), sessionID, n)
	if res.Error != nil {
		return translate(res.Error, "release %d seats of session %d", n, sessionID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("release %d seats of session %d: fewer taken: %w", n, sessionID, ErrConflict)
	}
	return nil
}

// freeOrder returns the seats of o's active attendees and, for an order
// that was never paid, its discount-code use.
func freeOrder(ctx context.Context, tx *gorm.DB, o *Order, releaseCode bool) error {
	active := 0
	for _, a := range o.Attendees {
		if a.Status == AttendeeActive {
			active++
		}
	}
	if err := ReleaseSeats(ctx, tx, o.SessionID, active); err != nil {
		return err
	}
	if o.DiscountCodeID != nil && releaseCode {
		return releaseDiscount(tx, *o.DiscountCodeID)
	}
	return nil
}
