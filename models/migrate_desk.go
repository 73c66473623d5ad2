package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0011Desk adds what the payments desk and user admin need: a
// deactivation time on users and the payments staff record against
// invoices (with the bank or cheque reference).
func migrate0011Desk(tx *gorm.DB) error {
	type user struct {
		DeactivatedAt *time.Time
	}
	if err := tx.Table("users").Migrator().AddColumn(&user{}, "DeactivatedAt"); err != nil {
		return err
	}
	type invoicePayment struct {
		ID          uint      `gorm:"primaryKey"`
		OrderID     uint      `gorm:"not null;index"`
		Reference   string    `gorm:"size:200;not null"`
		AmountMinor int64     `gorm:"not null"`
		Currency    string    `gorm:"size:3;not null"`
		RecordedBy  *uint     `gorm:"index"`
		RecordedAt  time.Time `gorm:"not null"`
	}
	return tx.Table("invoice_payments").AutoMigrate(&invoicePayment{})
}
