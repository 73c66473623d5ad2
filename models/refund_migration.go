package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0004RefundIntents turns refunds into intents: a row is written
// (status pending) in the transaction that decides the refund, Stripe is
// called after the commit, and the result is recorded. Rows that shipped
// before this step were recorded after Stripe answered: they are succeeded.
func migrate0004RefundIntents(tx *gorm.DB) error {
	type refund struct {
		Status    string `gorm:"size:20;not null;default:'succeeded';index"`
		Attempts  int    `gorm:"not null;default:0"`
		LastError string `gorm:"size:500;not null;default:''"`
		SettledAt *time.Time
	}
	m := tx.Table("refunds").Migrator()
	for _, col := range []string{"Status", "Attempts", "LastError", "SettledAt"} {
		if err := m.AddColumn(&refund{}, col); err != nil {
			return err
		}
	}
	return nil
}
