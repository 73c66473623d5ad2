package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0014Notes adds what issue 11 asks of rosters and series: an
// optional per-attendee note of dietary or accessibility needs (personal
// data, shown only to the session's staff, the buyer and the attendee), and
// a session_series row that links the sessions the series generator
// creates together (sessions.series_id; NULL for sessions scheduled one by
// one, including every session made before this step).
func migrate0014Notes(tx *gorm.DB) error {
	type attendee struct {
		Needs string `gorm:"size:500;not null;default:''"`
	}
	if err := tx.Table("attendees").Migrator().AddColumn(&attendee{}, "Needs"); err != nil {
		return err
	}
	type sessionSeries struct {
		ID          uint      `gorm:"primaryKey"`
		Name        string    `gorm:"size:200;not null"`
		Rule        string    `gorm:"size:300;not null;default:''"` // the rule in words, as the admin chose it
		CreatedByID *uint     `gorm:"index"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	if err := tx.Table("session_series").AutoMigrate(&sessionSeries{}); err != nil {
		return err
	}
	type session struct {
		SeriesID *uint `gorm:"index"`
	}
	if err := tx.Table("sessions").Migrator().AddColumn(&session{}, "SeriesID"); err != nil {
		return err
	}
	return tx.Table("sessions").Migrator().CreateIndex(&session{}, "SeriesID")
}
