package models

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// EmailStatus is where a message is in the outbox.
type EmailStatus string

// Outbox statuses.
const (
	EmailQueued EmailStatus = "queued" // waiting for the sender (or kept when SMTP is off)
	EmailSent   EmailStatus = "sent"
	EmailFailed EmailStatus = "failed" // gave up after retries
)

// Email is one outgoing message in the outbox. DedupeKey is unique, so the
// same event (a redelivered webhook, a double click) can never queue twice.
type Email struct {
	ID            uint   `gorm:"primaryKey"`
	Kind          string `gorm:"size:40;not null"`
	DedupeKey     string `gorm:"size:200;not null;uniqueIndex"`
	ToAddr        string `gorm:"size:254;not null"`
	ToName        string `gorm:"size:200;not null;default:''"`
	Subject       string `gorm:"size:300;not null"`
	TextBody      string `gorm:"type:text;not null"`
	HTMLBody      string `gorm:"column:html_body;type:text;not null;default:''"`
	Status        EmailStatus
	Attempts      int
	NextAttemptAt time.Time
	SentAt        *time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// EnqueueEmail stores m unless a message with the same DedupeKey exists, and
// reports whether it was queued now.
func EnqueueEmail(ctx context.Context, db *gorm.DB, m *Email) (bool, error) {
	if m.Status == "" {
		m.Status = EmailQueued
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = utcNow()
	}
	res := db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(m)
	if res.Error != nil {
		return false, translate(res.Error, "enqueue email %q", m.DedupeKey)
	}
	return res.RowsAffected == 1, nil
}

// ListEmails returns the newest messages first.
func ListEmails(ctx context.Context, db *gorm.DB, limit int) ([]Email, error) {
	var ms []Email
	err := db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&ms).Error
	return ms, translate(err, "list emails")
}

// FindEmail loads one message.
func FindEmail(ctx context.Context, db *gorm.DB, id uint) (*Email, error) {
	var m Email
	if err := db.WithContext(ctx).First(&m, id).Error; err != nil {
		return nil, translate(err, "find email %d", id)
	}
	return &m, nil
}
