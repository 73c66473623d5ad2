package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0013Batches adds saved batch results: the result CSV of a batch
// upload (gzip-compressed) that a logged-in user chose to keep, with its
// summary figures. Nothing else of a batch is stored.
func migrate0013Batches(tx *gorm.DB) error {
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type savedBatch struct {
		ID          uint      `gorm:"primaryKey"`
		UserID      uint      `gorm:"not null;index"`
		User        user      `gorm:"constraint:OnDelete:CASCADE"`
		Name        string    `gorm:"size:120;not null"`
		FileName    string    `gorm:"size:200;not null;default:''"`
		Rows        int       `gorm:"not null"`
		ErrorRows   int       `gorm:"not null;default:0"`
		IEEPACents  int64     `gorm:"not null"`
		DutiesCents int64     `gorm:"not null"`
		S122Cents   int64     `gorm:"not null"`
		ResultGzip  []byte    `gorm:"not null"`
		ResultBytes int       `gorm:"not null"`
		CreatedAt   time.Time `gorm:"not null;index"`
	}
	return tx.Migrator().CreateTable(&savedBatch{})
}
