package models

// This file holds attendance marks (present / absent / partial hours per
// attendee of a session) and the record of a session's cancellation by staff.

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AttendanceStatus is what the instructor marked for one attendee.
type AttendanceStatus string

// Attendance statuses.
const (
	AttendancePresent AttendanceStatus = "present"
	AttendanceAbsent  AttendanceStatus = "absent"
	AttendancePartial AttendanceStatus = "partial"
)

// Valid reports whether a is a known status.
func (a AttendanceStatus) Valid() bool {
	return a == AttendancePresent || a == AttendanceAbsent || a == AttendancePartial
}

// Label is the status in words.
func (a AttendanceStatus) Label() string {
	switch a {
	case AttendancePresent:
		return "Present"
	case AttendanceAbsent:
		return "Absent"
	case AttendancePartial:
		return "Partial"
	}
	return "Not marked"
}

// Attendance is one attendee's mark for the session of their order.
type Attendance struct {
	ID         uint             `gorm:"primaryKey"`
	SessionID  uint             `gorm:"not null;index"`
	AttendeeID uint             `gorm:"not null;uniqueIndex"`
	Status     AttendanceStatus `gorm:"size:20;not null"`
	// Hours attended (partial marks); present counts the full session.
	Hours      float64
	MarkedByID *uint
	MarkedAt   time.Time `gorm:"not null"`
}

// TableName keeps the plural readable.
func (Attendance) TableName() string { return "attendance_marks" }

// ListAttendance returns the marks of a session keyed by attendee ID.
func ListAttendance(ctx context.Context, db *gorm.DB, sessionID uint) (map[uint]Attendance, error) {
	var as []Attendance
	if err := db.WithContext(ctx).Where("session_id = ?", sessionID).Find(&as).Error; err != nil {
		return nil, translate(err, "list attendance of session %d", sessionID)
	}
	out := make(map[uint]Attendance, len(as))
	for _, a := range as {
		out[a.AttendeeID] = a
	}
	return out, nil
}

// UpsertAttendance stores a's mark (replacing an earlier one) inside tx.
func UpsertAttendance(ctx context.Context, tx *gorm.DB, a *Attendance) error {
	a.MarkedAt = a.MarkedAt.UTC()
	err := tx.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "attendee_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "hours", "marked_by_id", "marked_at"})}).Create(a).Error
	return translate(err, "mark attendance of attendee %d", a.AttendeeID)
}

// SessionCancellation records what cancelling a session did, once per
// session: the summary staff see and the guard that makes a second run a
// no-op.
type SessionCancellation struct {
	ID              uint `gorm:"primaryKey"`
	SessionID       uint `gorm:"not null;uniqueIndex"`
	ActorID         *uint
	Reason          string `gorm:"size:500;not null;default:''"`
	CardRefunds     int
	RefundedMinor   int64
	Currency        string `gorm:"size:3;not null;default:''"`
	InvoicesVoided  int
	PaidInvoices    int // paid invoices flagged for a bank refund
	HoldsReleased   int
	EmailsQueued    int
	WaitlistCleared int
	CancelledAt     time.Time `gorm:"not null"`
}

// Refunded is the total card refund decided.
func (c SessionCancellation) Refunded() Money {
	return Money{Minor: c.RefundedMinor, Currency: c.Currency}
}

// FindSessionCancellation loads the cancellation record of a session.
func FindSessionCancellation(ctx context.Context, db *gorm.DB, sessionID uint) (*SessionCancellation, error) {
	var c SessionCancellation
	if err := db.WithContext(ctx).Where("session_id = ?", sessionID).First(&c).Error; err != nil {
		return nil, translate(err, "find cancellation of session %d", sessionID)
	}
	return &c, nil
}

// CreateSessionCancellation stores c inside the cancelling transaction.
func CreateSessionCancellation(ctx context.Context, tx *gorm.DB, c *SessionCancellation) error {
	c.CancelledAt = c.CancelledAt.UTC()
	return translate(tx.WithContext(ctx).Create(c).Error, "record cancellation of session %d", c.SessionID)
}

// MoveSessionStatus moves a session from one of from to to with a
// conditional update; it reports whether it moved.
func MoveSessionStatus(ctx context.Context, tx *gorm.DB, id uint, from []SessionStatus, to SessionStatus) (bool, error) {
	res := tx.WithContext(ctx).Model(&Session{}).Where("id = ? AND status IN ?", id, from).
		Updates(map[string]any{"status": to, "updated_at": utcNow()})
	if res.Error != nil {
		return false, translate(res.Error, "move session %d to %s", id, to)
	}
	return res.RowsAffected == 1, nil
}

// SaveSession validates s and writes every editable field inside tx.
// SeatsTaken is re-read so capacity is checked against the stored count.
// UpdatedAt moves forward at least a second per save, so the calendar
// invite's SEQUENCE (seconds since creation) grows with every edit.
func SaveSession(ctx context.Context, tx *gorm.DB, s *Session) error {
	var cur Session
	if err := tx.WithContext(ctx).Select("id", "seats_taken", "updated_at").First(&cur, s.ID).Error; err != nil {
		return translate(err, "save session %d", s.ID)
	}
	s.SeatsTaken = cur.SeatsTaken
	if errs := s.Validate(); len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	s.StartsAt, s.EndsAt, s.RegistrationClosesAt = s.StartsAt.UTC(), s.EndsAt.UTC(), s.RegistrationClosesAt.UTC()
	if s.EarlyBirdDeadline != nil {
		d := s.EarlyBirdDeadline.UTC()
		s.EarlyBirdDeadline = &d
	}
	updated := utcNow()
	if floor := cur.UpdatedAt.UTC().Add(time.Second); updated.Before(floor) {
		updated = floor
	}
	s.UpdatedAt = updated
	res := tx.WithContext(ctx).Model(&Session{}).Where("id = ?", s.ID).Updates(map[string]any{
		"workshop_id": s.WorkshopID, "starts_at": s.StartsAt, "ends_at": s.EndsAt, "time_zone": s.TimeZone, "format": s.Format,
		"venue_name": s.VenueName, "venue_address": s.VenueAddress, "city": s.City, "room_details": s.RoomDetails,
		"join_url": s.JoinURL, "capacity": s.Capacity, "price_minor": s.PriceMinor, "currency": s.Currency,
		"early_bird_price_minor": s.EarlyBirdPriceMinor, "early_bird_deadline": s.EarlyBirdDeadline,
		"registration_closes_at": s.RegistrationClosesAt, "instructor_id": s.InstructorID, "allow_invoice": s.AllowInvoice,
		"cancel_cutoff_hours": s.CancelCutoffHours, "cancel_fee_minor": s.CancelFeeMinor, "updated_at": updated})
	if res.Error != nil {
		return translate(res.Error, "save session %d", s.ID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("save session %d: %w", s.ID, ErrNotFound)
	}
	return nil
}

// ListSessionsForInstructor returns the sessions an instructor teaches that
// end after since, soonest first.
func ListSessionsForInstructor(ctx context.Context, db *gorm.DB, instructorID uint, since time.Time) ([]Session, error) {
	var ss []Session
	err := preloadSession(db.WithContext(ctx)).Where("instructor_id = ? AND ends_at > ?", instructorID, since.UTC()).
		Order("starts_at, id").Find(&ss).Error
	return ss, translate(err, "list sessions of instructor %d", instructorID)
}

// ListStaff returns admins and instructors, by name, for instructor pickers.
func ListStaff(ctx context.Context, db *gorm.DB) ([]User, error) {
	var us []User
	err := db.WithContext(ctx).Where("role IN ?", []Role{RoleAdmin, RoleInstructor}).Order("name, id").Find(&us).Error
	return us, translate(err, "list staff")
}

// FindWorkshop loads one workshop by ID.
func FindWorkshop(ctx context.Context, db *gorm.DB, id uint) (*Workshop, error) {
	var w Workshop
	if err := db.WithContext(ctx).First(&w, id).Error; err != nil {
		return nil, translate(err, "find workshop %d", id)
	}
	return &w, nil
}
