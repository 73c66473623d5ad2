package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0007Security adds the client IP of orders (for the open-seat
// caps), proven addresses (users.email_verified_at and
// the emailed single-use verification tokens) and the login throttle rows
// counted with one atomic upsert each.
func migrate0007Security(tx *gorm.DB) error {
	type user struct {
		EmailVerifiedAt *time.Time
	}
	if err := tx.Table("users").Migrator().AddColumn(&user{}, "EmailVerifiedAt"); err != nil {
		return err
	}
	type order struct {
		ClientIP string `gorm:"size:64;not null;default:'';index"`
	}
	if err := tx.Table("orders").Migrator().AddColumn(&order{}, "ClientIP"); err != nil {
		return err
	}
	type emailVerification struct {
		ID        uint      `gorm:"primaryKey"`
		TokenHash string    `gorm:"size:64;not null;uniqueIndex"` // sha256 of the emailed token
		UserID    uint      `gorm:"not null;index"`
		Purpose   string    `gorm:"size:20;not null;default:'account'"`
		OrderID   *uint     `gorm:"index"`
		Email     string    `gorm:"size:254;not null;default:''"`
		ExpiresAt time.Time `gorm:"not null"`
		UsedAt    *time.Time
		CreatedAt time.Time `gorm:"not null"`
	}
	type loginThrottle struct {
		Key         string    `gorm:"primaryKey;size:300"`
		Failures    int       `gorm:"not null;default:0"`
		FirstAt     time.Time `gorm:"not null"`
		LockedUntil *time.Time
	}
	type systemNotice struct {
		Key       string `gorm:"primaryKey;size:100"`
		Message   string `gorm:"size:1000;not null"`
		UpdatedAt time.Time
	}
	return tx.Migrator().CreateTable(&emailVerification{}, &loginThrottle{}, &systemNotice{})
}
