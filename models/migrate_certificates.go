package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0010Certificates adds the continuing-education fields of a
// workshop (accreditation identifier, whether a post-test must be passed),
// and the certificates table. Attendance is read from attendance_marks
// (0009_scheduling).
func migrate0010Certificates(tx *gorm.DB) error {
	for _, stmt := range []string{
		"ALTER TABLE workshops ADD COLUMN accreditation_id VARCHAR(80) NOT NULL DEFAULT ''",
		"ALTER TABLE workshops ADD COLUMN requires_post_test BOOLEAN NOT NULL DEFAULT FALSE",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	type certificate struct {
		ID              uint      `gorm:"primaryKey"`
		Code            string    `gorm:"size:32;not null;uniqueIndex"`
		SessionID       uint      `gorm:"not null;uniqueIndex:idx_certificates_session_attendee,priority:1"`
		AttendeeID      uint      `gorm:"not null;uniqueIndex:idx_certificates_session_attendee,priority:2"`
		WorkshopID      uint      `gorm:"not null;index"`
		HolderName      string    `gorm:"size:200;not null"`
		HolderEmail     string    `gorm:"size:254;not null;index"`
		CourseTitle     string    `gorm:"size:200;not null"`
		StartsAt        time.Time `gorm:"not null"`
		EndsAt          time.Time `gorm:"not null"`
		TimeZone        string    `gorm:"size:64;not null"`
		Attendance      string    `gorm:"size:20;not null"`
		HoursAttended   float64   `gorm:"not null;default:0"`
		CreditHours     float64   `gorm:"not null;default:0"`
		AccreditationID string    `gorm:"size:80;not null;default:''"`
		IssuedAt        time.Time `gorm:"not null"`
		IssuedByID      *uint
		RevokedAt       *time.Time
		RevokedByID     *uint
		RevokedReason   string    `gorm:"size:500;not null;default:''"`
		CreatedAt       time.Time `gorm:"not null"`
		UpdatedAt       time.Time `gorm:"not null"`
	}
	return tx.Table("certificates").Migrator().CreateTable(&certificate{})
}
