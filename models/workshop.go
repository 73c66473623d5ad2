package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Topic groups workshops for browsing ("HS classification", "USMCA origin").
type Topic struct {
	ID       uint   `gorm:"primaryKey"`
	Slug     string `gorm:"size:80;not null;uniqueIndex"`
	Name     string `gorm:"size:120;not null"`
	Position int    `gorm:"not null;default:0"`
}

// Workshop is a course the business offers; Sessions are its dated runs.
type Workshop struct {
	ID                uint   `gorm:"primaryKey"`
	Slug              string `gorm:"size:120;not null;uniqueIndex"`
	Title             string `gorm:"size:200;not null"`
	Summary           string `gorm:"size:600;not null"`
	DescriptionMD     string `gorm:"column:description_md;type:text;not null"`
	AgendaMD          string `gorm:"column:agenda_md;type:text;not null;default:''"`
	Audience          string `gorm:"size:600;not null;default:''"`
	Level             string `gorm:"size:30;not null;default:'introductory'"`
	DurationMinutes   int    `gorm:"not null"`
	CECreditHours     float64
	DefaultPriceMinor int64   `gorm:"not null"`
	Currency          string  `gorm:"size:3;not null"`
	Topics            []Topic `gorm:"many2many:workshop_topics"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// DefaultPrice is the workshop's list price.
func (w Workshop) DefaultPrice() Money {
	return Money{Minor: w.DefaultPriceMinor, Currency: w.Currency}
}

// Duration is the contact time of one run.
func (w Workshop) Duration() time.Duration { return time.Duration(w.DurationMinutes) * time.Minute }

// HasTopic reports whether the workshop is tagged with the topic slug.
func (w Workshop) HasTopic(slug string) bool {
	for _, t := range w.Topics {
		if t.Slug == slug {
			return true
		}
	}
	return false
}

// ListTopics returns all topics in display order.
func ListTopics(ctx context.Context, db *gorm.DB) ([]Topic, error) {
	var ts []Topic
	err := db.WithContext(ctx).Order("position, name").Find(&ts).Error
	return ts, translate(err, "list topics")
}

// ListWorkshops returns every workshop with its topics, by title.
func ListWorkshops(ctx context.Context, db *gorm.DB) ([]Workshop, error) {
	var ws []Workshop
	err := db.WithContext(ctx).Preload("Topics", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Order("title").Find(&ws).Error
	return ws, translate(err, "list workshops")
}

// FindWorkshopBySlug loads one workshop with its topics.
func FindWorkshopBySlug(ctx context.Context, db *gorm.DB, slug string) (*Workshop, error) {
	var w Workshop
	err := db.WithContext(ctx).Preload("Topics", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Where("slug = ?", slug).First(&w).Error
	if err != nil {
		return nil, translate(err, "find workshop %q", slug)
	}
	return &w, nil
}

// CountWorkshops counts workshops (zero means the catalog was never seeded).
func CountWorkshops(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Workshop{}).Count(&n).Error
	return n, translate(err, "count workshops")
}
