package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// AuditEntry is one staff action that changed data: who, what, when, and
// the key fields before and after. The table is append-only: models offers
// no update or delete, and on PostgreSQL a trigger refuses both.
type AuditEntry struct {
	ID         uint      `gorm:"primaryKey"`
	At         time.Time `gorm:"not null;index"`
	ActorID    *uint     `gorm:"index"`
	ActorEmail string    `gorm:"size:254;not null;default:''"`
	Action     string    `gorm:"size:80;not null;index"`
	ObjectType string    `gorm:"size:40;not null;index:idx_audit_object,priority:1"`
	ObjectID   string    `gorm:"size:80;not null;default:'';index:idx_audit_object,priority:2"`
	Summary    string    `gorm:"size:500;not null;default:''"`
	Before     string    `gorm:"type:text;not null;default:'{}'"` // JSON object of key fields
	After      string    `gorm:"type:text;not null;default:'{}'"` // JSON object of key fields
	IP         string    `gorm:"size:64;not null;default:''"`
}

// AuditFilter narrows ListAuditEntries; zero fields do not filter.
type AuditFilter struct {
	ActorID    uint
	Action     string
	ObjectType string
	ObjectID   string
	Since      time.Time
	Until      time.Time // exclusive
	Limit      int
	BeforeID   uint // keyset pagination: entries with a smaller ID
}

// CreateAuditEntry appends e. Pass the transaction of the change it
// records, so the entry exists exactly when the change does.
func CreateAuditEntry(ctx context.Context, db *gorm.DB, e *AuditEntry) error {
	if e.ID != 0 {
		return fmt.Errorf("create audit entry: %w: already stored", ErrConflict)
	}
	if err := db.WithContext(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("create audit entry %s: %w", e.Action, err)
	}
	return nil
}

// ListAuditEntries returns entries matching f, newest first.
func ListAuditEntries(ctx context.Context, db *gorm.DB, f AuditFilter) ([]AuditEntry, error) {
	q := db.WithContext(ctx).Model(&AuditEntry{})
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until.UTC())
	}
	if f.BeforeID != 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var es []AuditEntry
	if err := q.Order("id DESC").Limit(limit).Find(&es).Error; err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return es, nil
}

// ListAuditActions returns the distinct actions recorded, for filters.
func ListAuditActions(ctx context.Context, db *gorm.DB) ([]string, error) {
	var as []string
	if err := db.WithContext(ctx).Model(&AuditEntry{}).Distinct("action").Order("action").Pluck("action", &as).Error; err != nil {
		return nil, fmt.Errorf("list audit actions: %w", err)
	}
	return as, nil
}
