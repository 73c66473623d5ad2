package models

// This file holds system notices: problems found at run time that staff
// must act on (e.g. Stripe sending webhooks in another API version), shown
// on the admin pages until resolved.

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SystemNotice is one open problem for admins, keyed so a repeat only
// refreshes it.
type SystemNotice struct {
	Key       string `gorm:"primaryKey;size:100"`
	Message   string `gorm:"size:1000;not null"`
	UpdatedAt time.Time
}

// RaiseNotice records (or refreshes) the notice key.
func RaiseNotice(ctx context.Context, db *gorm.DB, key, message string, now time.Time) error {
	n := SystemNotice{Key: key, Message: message, UpdatedAt: now.UTC()}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"message", "updated_at"})}).Create(&n).Error
	return translate(err, "raise notice %q", key)
}

// ClearNotice removes the notice key (the problem went away).
func ClearNotice(ctx context.Context, db *gorm.DB, key string) error {
	return translate(db.WithContext(ctx).Where("key = ?", key).Delete(&SystemNotice{}).Error, "clear notice %q", key)
}

// ListNotices returns the open notices, newest first.
func ListNotices(ctx context.Context, db *gorm.DB) ([]SystemNotice, error) {
	var ns []SystemNotice
	err := db.WithContext(ctx).Order("updated_at DESC").Find(&ns).Error
	return ns, translate(err, "list notices")
}
