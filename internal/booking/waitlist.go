package booking

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// JoinWaitlist adds e to the waiting list of s, tells them their place,
// and offers seats at once when some are free (a small request may fit).
func (b *Service) JoinWaitlist(ctx context.Context, s *models.Session, e *models.WaitlistEntry) error {
	return b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		if err := models.JoinWaitlist(ctx, tx, e); err != nil {
			return 0, err
		}
		pos, err := models.CountWaiting(ctx, tx, s.ID)
		if err != nil {
			return 0, err
		}
		data := mail.WaitlistData{Site: b.Site(), Session: b.SessionInfo(s, false), Entry: *e, Position: int(pos)}
		if err := b.out.Enqueue(ctx, tx, mail.KindWaitlistJoined, fmt.Sprintf("waitlist_joined:%d", e.ID), e.Email, e.Name, data); err != nil {
			return 0, err
		}
		return s.ID, nil
	})
}

// SetCapacity changes a session's capacity and offers any seats it frees
// to the waiting list; a capacity below the seats taken is a
// *models.ValidationError.
func (b *Service) SetCapacity(ctx context.Context, sessionID uint, capacity int) error {
	return b.freeSeats(ctx, func(tx *gorm.DB) (uint, error) {
		if err := models.SetSessionCapacity(ctx, tx, sessionID, capacity); err != nil {
			return 0, err
		}
		return sessionID, nil
	})
}
