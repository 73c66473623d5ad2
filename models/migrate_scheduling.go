package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0009Scheduling adds attendance marks and the record of session
// cancellations by staff.
func migrate0009Scheduling(tx *gorm.DB) error {
	type attendanceMark struct {
		ID         uint    `gorm:"primaryKey"`
		SessionID  uint    `gorm:"not null;index"`
		AttendeeID uint    `gorm:"not null;uniqueIndex"`
		Status     string  `gorm:"size:20;not null"`
		Hours      float64 `gorm:"not null;default:0"`
		MarkedByID *uint
		MarkedAt   time.Time `gorm:"not null"`
	}
	type sessionCancellation struct {
		ID              uint `gorm:"primaryKey"`
		SessionID       uint `gorm:"not null;uniqueIndex"`
		ActorID         *uint
		Reason          string    `gorm:"size:500;not null;default:''"`
		CardRefunds     int       `gorm:"not null;default:0"`
		RefundedMinor   int64     `gorm:"not null;default:0"`
		Currency        string    `gorm:"size:3;not null;default:''"`
		InvoicesVoided  int       `gorm:"not null;default:0"`
		PaidInvoices    int       `gorm:"not null;default:0"`
		HoldsReleased   int       `gorm:"not null;default:0"`
		EmailsQueued    int       `gorm:"not null;default:0"`
		WaitlistCleared int       `gorm:"not null;default:0"`
		CancelledAt     time.Time `gorm:"not null"`
	}
	if err := tx.Table("attendance_marks").AutoMigrate(&attendanceMark{}); err != nil {
		return err
	}
	return tx.Table("session_cancellations").AutoMigrate(&sessionCancellation{})
}
