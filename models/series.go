package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SessionSeries is one run of the series generator: the sessions it
// created carry its ID in sessions.series_id, so staff can see, publish
// or cancel them together.
type SessionSeries struct {
	ID   uint `gorm:"primaryKey"`
	Name string
	// Rule is the rule in words ("Monthly on the first Tuesday, …").
	Rule        string
	CreatedByID *uint
	CreatedAt   time.Time
}

// TableName keeps the plural the migration created.
func (SessionSeries) TableName() string { return "session_series" }

// CreateSessionSeries inserts a series row (in the caller's transaction,
// before its sessions).
func CreateSessionSeries(ctx context.Context, tx *gorm.DB, x *SessionSeries) error {
	return translate(tx.WithContext(ctx).Create(x).Error, "create session series")
}

// FindSessionSeries loads one series.
func FindSessionSeries(ctx context.Context, db *gorm.DB, id uint) (*SessionSeries, error) {
	var x SessionSeries
	if err := db.WithContext(ctx).First(&x, id).Error; err != nil {
		return nil, translate(err, "find session series %d", id)
	}
	return &x, nil
}

// ListSeriesSessions returns every session of a series, any status, in
// date order, with what a session page shows.
func ListSeriesSessions(ctx context.Context, db *gorm.DB, seriesID uint) ([]Session, error) {
	var ss []Session
	err := preloadSession(db.WithContext(ctx)).Where("series_id = ?", seriesID).Order("starts_at, id").Find(&ss).Error
	return ss, translate(err, "list sessions of series %d", seriesID)
}
