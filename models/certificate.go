package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Certificate is a certificate of attendance issued to one attendee of one
// session. The holder, course, dates, hours and accreditation are copied
// when it is issued, so later edits to the workshop or the order never
// change a certificate already in someone's hands. Code is the public,
// unguessable verification code. A revoked certificate stays on file.
type Certificate struct {
	ID          uint   `gorm:"primaryKey"`
	Code        string `gorm:"size:32;not null;uniqueIndex"`
	SessionID   uint
	AttendeeID  uint
	WorkshopID  uint
	HolderName  string
	HolderEmail string
	CourseTitle string
	StartsAt    time.Time // UTC
	EndsAt      time.Time // UTC
	TimeZone    string    // IANA zone of the session
	// Attendance is the attendance status credited: present or partial.
	Attendance      string
	HoursAttended   float64
	CreditHours     float64
	AccreditationID string
	IssuedAt        time.Time
	IssuedByID      *uint
	RevokedAt       *time.Time
	RevokedByID     *uint
	RevokedReason   string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Revoked reports whether the certificate has been revoked.
func (c Certificate) Revoked() bool { return c.RevokedAt != nil }

// Location is the session's zone; an unknown name falls back to UTC.
func (c Certificate) Location() *time.Location {
	if loc, err := time.LoadLocation(c.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// When formats the session's dates in its own zone, naming the zone, the
// way Session.When does.
func (c Certificate) When() string {
	return Session{StartsAt: c.StartsAt, EndsAt: c.EndsAt, TimeZone: c.TimeZone}.When()
}

// Dates is the session's date or date range in its own zone, without
// times: "8 December 2026" or "8–9 December 2026".
func (c Certificate) Dates() string {
	s, e := c.StartsAt.In(c.Location()), c.EndsAt.In(c.Location())
	switch {
	case s.Year() == e.Year() && s.YearDay() == e.YearDay():
		return s.Format("2 January 2006")
	case s.Year() == e.Year() && s.Month() == e.Month():
		return fmt.Sprintf("%d–%s", s.Day(), e.Format("2 January 2006"))
	}
	return s.Format("2 January 2006") + " – " + e.Format("2 January 2006")
}

// CompletedOn is the civil date the session ended in its own zone; the CE
// period a certificate counts toward is decided by it.
func (c Certificate) CompletedOn() time.Time {
	e := c.EndsAt.In(c.Location())
	return time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.UTC)
}

// NormalizeCertificateCode upper-cases a typed code and drops spaces and
// dashes, so "abcd-efgh …" finds ABCDEFGH….
func NormalizeCertificateCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, s)
}

// FindCertificateByCode loads a certificate by its verification code.
func FindCertificateByCode(ctx context.Context, db *gorm.DB, code string) (*Certificate, error) {
	var c Certificate
	if err := db.WithContext(ctx).Where("code = ?", NormalizeCertificateCode(code)).First(&c).Error; err != nil {
		return nil, translate(err, "find certificate")
	}
	return &c, nil
}

// ListCertificatesForSession returns the certificates of a session, by holder.
func ListCertificatesForSession(ctx context.Context, db *gorm.DB, sessionID uint) ([]Certificate, error) {
	var cs []Certificate
	err := db.WithContext(ctx).Where("session_id = ?", sessionID).Order("holder_name, id").Find(&cs).Error
	return cs, translate(err, "list certificates of session %d", sessionID)
}

// ListCertificatesForEmail returns the certificates held by an address
// (compared case-insensitively), oldest session first.
func ListCertificatesForEmail(ctx context.Context, db *gorm.DB, email string) ([]Certificate, error) {
	var cs []Certificate
	err := db.WithContext(ctx).Where("holder_email = ?", NormalizeEmail(email)).Order("ends_at, id").Find(&cs).Error
	return cs, translate(err, "list certificates")
}

// ListRecentCertificates returns the newest certificates, at most limit.
func ListRecentCertificates(ctx context.Context, db *gorm.DB, limit int) ([]Certificate, error) {
	var cs []Certificate
	err := db.WithContext(ctx).Order("issued_at DESC, id DESC").Limit(limit).Find(&cs).Error
	return cs, translate(err, "list recent certificates")
}

// CreateCertificate stores a new certificate; a second certificate for the
// same attendee and session, or a code already used, is ErrConflict.
func CreateCertificate(ctx context.Context, db *gorm.DB, c *Certificate) error {
	c.HolderEmail = NormalizeEmail(c.HolderEmail)
	return translate(db.WithContext(ctx).Create(c).Error, "create certificate for attendee %d", c.AttendeeID)
}

// RevokeCertificate marks a certificate revoked with a reason; revoking
// one already revoked is ErrConflict.
func RevokeCertificate(ctx context.Context, db *gorm.DB, id uint, by *uint, reason string, at time.Time) error {
	res := db.WithContext(ctx).Model(&Certificate{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": at.UTC(), "revoked_by_id": by, "revoked_reason": reason, "updated_at": at.UTC()})
	if res.Error != nil {
		return translate(res.Error, "revoke certificate %d", id)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("revoke certificate %d: %w: already revoked or missing", id, ErrConflict)
	}
	return nil
}

// WorkshopCE is the continuing-education view of a workshop: its credit
// hours, the accreditor's identifier of the course and whether a passed
// post-test is needed for a certificate. It reads and writes only those
// columns of the workshops table.
type WorkshopCE struct {
	ID               uint
	Slug             string
	Title            string
	CECreditHours    float64
	AccreditationID  string
	RequiresPostTest bool
}

// TableName maps WorkshopCE onto the workshops table.
func (WorkshopCE) TableName() string { return "workshops" }

// FindWorkshopCE loads the CE fields of one workshop.
func FindWorkshopCE(ctx context.Context, db *gorm.DB, id uint) (*WorkshopCE, error) {
	var w WorkshopCE
	if err := db.WithContext(ctx).First(&w, id).Error; err != nil {
		return nil, translate(err, "find workshop %d", id)
	}
	return &w, nil
}

// ListWorkshopCE returns the CE fields of every workshop, by title.
func ListWorkshopCE(ctx context.Context, db *gorm.DB) ([]WorkshopCE, error) {
	var ws []WorkshopCE
	err := db.WithContext(ctx).Order("title, id").Find(&ws).Error
	return ws, translate(err, "list workshops")
}

// UpdateWorkshopCE saves the CE fields of a workshop.
func UpdateWorkshopCE(ctx context.Context, db *gorm.DB, w WorkshopCE, at time.Time) error {
	res := db.WithContext(ctx).Model(&WorkshopCE{}).Where("id = ?", w.ID).Updates(map[string]any{
		"ce_credit_hours": w.CECreditHours, "accreditation_id": w.AccreditationID,
		"requires_post_test": w.RequiresPostTest, "updated_at": at.UTC()})
	if res.Error != nil {
		return translate(res.Error, "update workshop %d", w.ID)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("update workshop %d: %w", w.ID, ErrNotFound)
	}
	return nil
}

// CertificateCandidate is an attendee of a session who may earn a
// certificate: the attendee, the order's status and its buyer account.
type CertificateCandidate struct {
	AttendeeID  uint
	Name        string
	Email       string
	OrderID     uint
	OrderStatus OrderStatus
	BuyerID     uint
}

// ListCertificateCandidates returns the active attendees of a session's
// orders that hold or held seats (paid or awaiting invoice payment), by name.
func ListCertificateCandidates(ctx context.Context, db *gorm.DB, sessionID uint) ([]CertificateCandidate, error) {
	var out []CertificateCandidate
	err := db.WithContext(ctx).Table("attendees").
		Select("attendees.id AS attendee_id, attendees.name, attendees.email, orders.id AS order_id, orders.status AS order_status, orders.user_id AS buyer_id").
		Joins("JOIN orders ON orders.id = attendees.order_id").
		Where("orders.session_id = ? AND attendees.status = ? AND orders.status IN ?", sessionID, AttendeeActive,
			[]OrderStatus{OrderPaid, OrderPendingInvoice}).
		Order("attendees.name, attendees.id").Scan(&out).Error
	return out, translate(err, "list certificate candidates of session %d", sessionID)
}
