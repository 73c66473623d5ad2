package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0003HTS creates the tables of the tariff reference: imported
// editions of the USITC HTS export, each stored whole (gzipped) with its
// name, source and digest, so the app can rebuild its index from the
// newest one at start-up.
func migrate0003HTS(tx *gorm.DB) error {
	type htsEdition struct {
		ID         uint      `gorm:"primaryKey"`
		Name       string    `gorm:"size:200;not null"`
		Source     string    `gorm:"size:500;not null;default:''"`
		AsOf       string    `gorm:"size:40;not null;default:''"`
		SHA256     string    `gorm:"column:sha256;size:64;not null;uniqueIndex"`
		Rows       int       `gorm:"not null"`
		Lines      int       `gorm:"not null"`
		ExportGzip []byte    `gorm:"not null"`
		ImportedAt time.Time `gorm:"not null;index"`
	}
	return tx.Migrator().CreateTable(&htsEdition{})
}
