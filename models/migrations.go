package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one ordered, append-only schema step. Each Up declares the
// structs it creates as they were on that day ("frozen"), so later changes to
// the live models never rewrite history.
type migration struct {
	ID string
	Up func(tx *gorm.DB) error
}

// schemaMigration records an applied migration.
type schemaMigration struct {
	ID        string `gorm:"primaryKey;size:100"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// migrations lists every step in order. Never edit or reorder a step that
// has shipped; append a new one.
var migrations = []migration{
	{ID: "0001_init", Up: migrate0001Init},
	{ID: "0002_registration", Up: migrate0002Registration},
	{ID: "0003_hts", Up: migrate0003HTS},
	{ID: "0004_refund_intents", Up: migrate0004RefundIntents},
	{ID: "0005_learning", Up: migrate0005Learning},
	{ID: "0006_audit", Up: migrate0006Audit},
	{ID: "0007_security", Up: migrate0007Security},
	{ID: "0008_quiz", Up: migrate0008Quiz},
	{ID: "0009_scheduling", Up: migrate0009Scheduling},
	{ID: "0010_certificates", Up: migrate0010Certificates},
	{ID: "0011_desk", Up: migrate0011Desk},
	{ID: "0012_perf", Up: migrate0012Perf},
	{ID: "0013_batches", Up: migrate0013Batches},
	{ID: "0014_notes", Up: migrate0014Notes},
	{ID: "0016_move", Up: migrate0016Move},
	{ID: "0017_claims", Up: migrate0017Claims},
}

// Migrate applies the pending migrations, each in its own transaction.
// It is safe to run on every start: applied steps are skipped. On Postgres
// an advisory lock stops two instances starting together from racing.
func Migrate(ctx context.Context, db *gorm.DB) error {
	db = db.WithContext(ctx)
	if IsPostgres(db) {
		// Hold a session-level advisory lock on a dedicated connection.
		conn, err := db.DB()
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		c, err := conn.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: lock connection: %w", err)
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
			return fmt.Errorf("migrate: advisory lock: %w", err)
		}
		defer c.ExecContext(context.Background(), "SELECT pg_advisory_unlock(727274)") //nolint:errcheck // released with the connection anyway
	}
	if err := db.Migrator().AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		err := db.Transaction(func(tx *gorm.DB) error {
			var n int64
			if err := tx.Model(&schemaMigration{}).Where("id = ?", m.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if err := m.Up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{ID: m.ID, AppliedAt: utcNow()}).Error
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.ID, err)
		}
	}
	return nil
}

// PendingMigrations lists the IDs not yet applied.
func PendingMigrations(ctx context.Context, db *gorm.DB) ([]string, error) {
	var done []string
	if db.Migrator().HasTable(&schemaMigration{}) {
		if err := db.WithContext(ctx).Model(&schemaMigration{}).Pluck("id", &done).Error; err != nil {
			return nil, fmt.Errorf("list migrations: %w", err)
		}
	}
	applied := map[string]bool{}
	for _, id := range done {
		applied[id] = true
	}
	var pending []string
	for _, m := range migrations {
		if !applied[m.ID] {
			pending = append(pending, m.ID)
		}
	}
	return pending, nil
}

func migrate0001Init(tx *gorm.DB) error {
	type user struct {
		ID           uint   `gorm:"primaryKey"`
		Email        string `gorm:"size:254;not null;uniqueIndex"`
		Name         string `gorm:"size:200;not null"`
		Company      string `gorm:"size:200;not null;default:''"`
		JobTitle     string `gorm:"size:200;not null;default:''"`
		Bio          string `gorm:"type:text;not null;default:''"`
		PasswordHash string `gorm:"size:200;not null;default:''"`
		Role         string `gorm:"size:20;not null;default:'learner';index"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type loginSession struct {
		ID         string    `gorm:"primaryKey;size:64"` // sha256 of the cookie token
		UserID     uint      `gorm:"not null;index"`
		User       user      `gorm:"constraint:OnDelete:CASCADE"`
		IP         string    `gorm:"size:64;not null;default:''"`
		UserAgent  string    `gorm:"size:300;not null;default:''"`
		CreatedAt  time.Time `gorm:"not null"`
		LastSeenAt time.Time `gorm:"not null"`
		ExpiresAt  time.Time `gorm:"not null;index"`
	}
	type loginFailure struct {
		ID        uint      `gorm:"primaryKey"`
		Key       string    `gorm:"size:300;not null;index:idx_login_failures_key_at,priority:1"`
		CreatedAt time.Time `gorm:"not null;index:idx_login_failures_key_at,priority:2"`
	}
	type passwordReset struct {
		ID        uint      `gorm:"primaryKey"`
		TokenHash string    `gorm:"size:64;not null;uniqueIndex"`
		UserID    uint      `gorm:"not null;index"`
		User      user      `gorm:"constraint:OnDelete:CASCADE"`
		ExpiresAt time.Time `gorm:"not null"`
		UsedAt    *time.Time
		CreatedAt time.Time
	}
	type topic struct {
		ID       uint   `gorm:"primaryKey"`
		Slug     string `gorm:"size:80;not null;uniqueIndex"`
		Name     string `gorm:"size:120;not null"`
		Position int    `gorm:"not null;default:0"`
	}
	type workshop struct {
		ID                uint   `gorm:"primaryKey"`
		Slug              string `gorm:"size:120;not null;uniqueIndex"`
		Title             string `gorm:"size:200;not null"`
		Summary           string `gorm:"size:600;not null"`
		DescriptionMD     string `gorm:"type:text;not null"`
		AgendaMD          string `gorm:"type:text;not null;default:''"`
		Audience          string `gorm:"size:600;not null;default:''"`
		Level             string `gorm:"size:30;not null;default:'introductory'"`
		DurationMinutes   int    `gorm:"not null"`
		CECreditHours     float64
		DefaultPriceMinor int64     `gorm:"not null"`
		Currency          string    `gorm:"size:3;not null"`
		CreatedAt         time.Time `gorm:"not null"`
		UpdatedAt         time.Time `gorm:"not null"`
	}
	type workshopTopic struct {
		WorkshopID uint     `gorm:"primaryKey"`
		Workshop   workshop `gorm:"constraint:OnDelete:CASCADE"`
		TopicID    uint     `gorm:"primaryKey;index"`
		Topic      topic    `gorm:"constraint:OnDelete:CASCADE"`
	}
	type session struct {
		ID                   uint      `gorm:"primaryKey"`
		WorkshopID           uint      `gorm:"not null;index"`
		Workshop             workshop  `gorm:"constraint:OnDelete:RESTRICT"`
		StartsAt             time.Time `gorm:"not null;index"`
		EndsAt               time.Time `gorm:"not null"`
		TimeZone             string    `gorm:"size:64;not null"`
		Format               string    `gorm:"size:20;not null"`
		VenueName            string    `gorm:"size:200;not null;default:''"`
		VenueAddress         string    `gorm:"size:400;not null;default:''"`
		City                 string    `gorm:"size:120;not null;default:''"`
		RoomDetails          string    `gorm:"type:text;not null;default:''"`
		JoinURL              string    `gorm:"size:500;not null;default:''"`
		Capacity             int       `gorm:"not null"`
		SeatsTaken           int       `gorm:"not null;default:0"`
		PriceMinor           int64     `gorm:"not null"`
		Currency             string    `gorm:"size:3;not null"`
		EarlyBirdPriceMinor  *int64
		EarlyBirdDeadline    *time.Time
		RegistrationClosesAt time.Time `gorm:"not null"`
		Status               string    `gorm:"size:20;not null;default:'draft';index"`
		InstructorID         *uint     `gorm:"index"`
		Instructor           *user     `gorm:"constraint:OnDelete:SET NULL"`
		CreatedAt            time.Time `gorm:"not null"`
		UpdatedAt            time.Time `gorm:"not null"`
	}
	type email struct {
		ID            uint   `gorm:"primaryKey"`
		Kind          string `gorm:"size:40;not null;index"`
		DedupeKey     string `gorm:"size:200;not null;uniqueIndex"`
		ToAddr        string `gorm:"size:254;not null"`
		ToName        string `gorm:"size:200;not null;default:''"`
		Subject       string `gorm:"size:300;not null"`
		TextBody      string `gorm:"type:text;not null"`
		HTMLBody      string `gorm:"type:text;not null;default:''"`
		Status        string `gorm:"size:20;not null;default:'queued';index"`
		Attempts      int    `gorm:"not null;default:0"`
		NextAttemptAt time.Time
		SentAt        *time.Time
		LastError     string    `gorm:"type:text;not null;default:''"`
		CreatedAt     time.Time `gorm:"not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	for _, m := range []any{&user{}, &loginSession{}, &loginFailure{}, &passwordReset{}, &topic{}, &workshop{}, &workshopTopic{}, &session{}, &email{}} {
		if err := tx.Migrator().CreateTable(m); err != nil {
			return err
		}
	}
	return nil
}
