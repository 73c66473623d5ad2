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
	// LockedUntil is the lease of the sender instance working on it.
	LockedUntil *time.Time
	LastError   string
	Attachments []EmailAttachment `gorm:"foreignKey:EmailID"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EmailAttachment is a file sent with a message (calendar invite, invoice).
type EmailAttachment struct {
	ID          uint `gorm:"primaryKey"`
	EmailID     uint
	Filename    string
	ContentType string
	Data        []byte
	// Render, when set, marks the attachment pending: Data is still to be
	// rendered from what Render names (e.g. "invoice:42"), after the
	// transaction that queued the message, and FillEmailAttachment stores
	// it. A message with a pending attachment is never sent.
	Render string
}

// PendingAttachment is an attachment queued empty, to be rendered after
// the commit from what render names.
func PendingAttachment(filename, contentType, render string) EmailAttachment {
	return EmailAttachment{Filename: filename, ContentType: contentType, Data: []byte{}, Render: render}
}

// FillEmailAttachment stores the rendered data of the pending attachments
// named render and reports whether any was still pending (another instance,
// or the job, may have filled it first).
func FillEmailAttachment(ctx context.Context, db *gorm.DB, render string, data []byte) (bool, error) {
	res := db.WithContext(ctx).Model(&EmailAttachment{}).Where("render = ? AND render <> ''", render).
		Updates(map[string]any{"data": data, "render": ""})
	if res.Error != nil {
		return false, translate(res.Error, "fill attachment %q", render)
	}
	return res.RowsAffected > 0, nil
}

// ListPendingAttachments returns what the pending attachments are to be
// rendered from (at most limit names), for the job that fills those left
// behind by a failure after a commit.
func ListPendingAttachments(ctx context.Context, db *gorm.DB, limit int) ([]string, error) {
	var renders []string
	err := db.WithContext(ctx).Model(&EmailAttachment{}).Where("render <> ''").Distinct("render").Order("render").Limit(limit).Pluck("render", &renders).Error
	return renders, translate(err, "list pending attachments")
}

// MaxEmailAttempts is how often the sender tries before giving up.
const MaxEmailAttempts = 8

// EnqueueEmail stores m unless a message with the same DedupeKey exists, and
// reports whether it was queued now.
func EnqueueEmail(ctx context.Context, db *gorm.DB, m *Email) (bool, error) {
	if m.Status == "" {
		m.Status = EmailQueued
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = utcNow()
	}
	atts := m.Attachments
	m.Attachments = nil
	res := db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(m)
	m.Attachments = atts
	if res.Error != nil {
		return false, translate(res.Error, "enqueue email %q", m.DedupeKey)
	}
	if res.RowsAffected != 1 {
		return false, nil
	}
	for i := range atts {
		atts[i].EmailID = m.ID
	}
	if len(atts) > 0 {
		if err := db.WithContext(ctx).Create(&atts).Error; err != nil {
			return false, translate(err, "store attachments of email %q", m.DedupeKey)
		}
	}
	return true, nil
}

// ClaimDueEmails leases up to limit queued messages that are due (and
// whose attachments are all rendered), so that of several sender instances
// exactly one works on each message. On
// PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED; SQLite's
// single writer makes the immediate transaction enough.
func ClaimDueEmails(ctx context.Context, db *gorm.DB, now time.Time, limit int, lease time.Duration) ([]Email, error) {
	var claimed []Email
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("status = ? AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)", EmailQueued, now.UTC(), now.UTC()).
			Where("NOT EXISTS (SELECT 1 FROM email_attachments a WHERE a.email_id = emails.id AND a.render <> '')").
			Order("id").Limit(limit)
		if IsPostgres(tx) {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var ids []uint
		if err := q.Model(&Email{}).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		until := now.UTC().Add(lease)
		if err := tx.Model(&Email{}).Where("id IN ?", ids).Updates(map[string]any{"locked_until": until, "updated_at": utcNow()}).Error; err != nil {
			return err
		}
		return tx.Preload("Attachments").Where("id IN ?", ids).Order("id").Find(&claimed).Error
	})
	return claimed, translate(err, "claim due emails")
}

// MarkEmailSent records a delivery and purges the secret links (reset,
// confirmation and claim tokens, order references) from the stored bodies:
// once delivered, the only live copy is in the recipient's mailbox.
func MarkEmailSent(ctx context.Context, db *gorm.DB, id uint, now time.Time) error {
	var m Email
	if err := db.WithContext(ctx).Select("id", "text_body", "html_body").First(&m, id).Error; err != nil {
		return translate(err, "mark email %d sent", id)
	}
	err := db.WithContext(ctx).Model(&Email{}).Where("id = ?", id).Updates(map[string]any{
		"status": EmailSent, "sent_at": now.UTC(), "locked_until": nil, "attempts": gorm.Expr("attempts + 1"), "last_error": "", "updated_at": utcNow(),
		"text_body": RedactSecretLinks(m.TextBody), "html_body": RedactSecretLinks(m.HTMLBody)}).Error
	return translate(err, "mark email %d sent", id)
}

// MarkEmailFailed records a failed attempt: it is retried with exponential
// backoff (1, 2, 4 … minutes) and given up after MaxEmailAttempts.
// A permanent failure (e.g. the server rejected the address) is not retried.
func MarkEmailFailed(ctx context.Context, db *gorm.DB, m *Email, cause error, permanent bool, now time.Time) error {
	attempts := m.Attempts + 1
	set := map[string]any{"attempts": attempts, "last_error": cause.Error(), "locked_until": nil, "updated_at": utcNow()}
	if permanent || attempts >= MaxEmailAttempts {
		set["status"] = EmailFailed
	} else {
		set["next_attempt_at"] = now.UTC().Add(time.Minute << (attempts - 1))
	}
	return translate(db.WithContext(ctx).Model(&Email{}).Where("id = ?", m.ID).Updates(set).Error, "mark email %d failed", m.ID)
}

// ListEmails returns the newest messages first, as staff may see them:
// secret links (tokens, order references) redacted.
func ListEmails(ctx context.Context, db *gorm.DB, limit int) ([]Email, error) {
	var ms []Email
	err := db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&ms).Error
	for i := range ms {
		ms[i].redact()
	}
	return ms, translate(err, "list emails")
}

// FindEmail loads one message as staff may see it (secret links redacted).
func FindEmail(ctx context.Context, db *gorm.DB, id uint) (*Email, error) {
	var m Email
	if err := db.WithContext(ctx).Preload("Attachments").First(&m, id).Error; err != nil {
		return nil, translate(err, "find email %d", id)
	}
	m.redact()
	return &m, nil
}

// redact removes secret links from the bodies of a message being shown.
func (m *Email) redact() {
	m.TextBody, m.HTMLBody = RedactSecretLinks(m.TextBody), RedactSecretLinks(m.HTMLBody)
}
