package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0005Learning creates the lesson engine's tables: tracks, lessons
// (synced from content/lessons, editable by staff), per-user progress and
// the lessons a workshop lists as prework.
func migrate0005Learning(tx *gorm.DB) error {
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type workshop struct {
		ID uint `gorm:"primaryKey"`
	}
	type track struct {
		ID        uint      `gorm:"primaryKey"`
		Slug      string    `gorm:"size:120;not null;uniqueIndex"`
		Title     string    `gorm:"size:200;not null"`
		Summary   string    `gorm:"size:1000;not null;default:''"`
		Position  int       `gorm:"not null;default:0"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	type lesson struct {
		ID            uint      `gorm:"primaryKey"`
		Slug          string    `gorm:"size:120;not null;uniqueIndex"`
		TrackID       uint      `gorm:"not null;index"`
		Track         track     `gorm:"constraint:OnDelete:RESTRICT"`
		Position      int       `gorm:"not null;default:0"`
		Title         string    `gorm:"size:300;not null"`
		Summary       string    `gorm:"size:1000;not null;default:''"`
		Minutes       int       `gorm:"not null;default:0"`
		Prerequisites string    `gorm:"type:text;not null;default:'[]'"` // JSON array of slugs
		AsOf          string    `gorm:"size:10;not null"`                // YYYY-MM-DD
		Sources       string    `gorm:"type:text;not null;default:'[]'"` // JSON
		SelfCheck     string    `gorm:"type:text;not null;default:'[]'"` // JSON, with answers
		BodyMD        string    `gorm:"column:body_md;type:text;not null"`
		HTML          string    `gorm:"column:html;type:text;not null;default:''"`
		TOC           string    `gorm:"column:toc;type:text;not null;default:'[]'"`
		SourcePath    string    `gorm:"size:300;not null;default:''"`
		SourceHash    string    `gorm:"size:64;not null;default:''"`
		EditedByStaff bool      `gorm:"not null;default:false"`
		EditedByID    *uint     `gorm:"index"`
		EditedBy      *user     `gorm:"constraint:OnDelete:SET NULL"`
		CreatedAt     time.Time `gorm:"not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	type lessonProgress struct {
		ID           uint   `gorm:"primaryKey"`
		UserID       uint   `gorm:"not null;uniqueIndex:idx_lesson_progress_user_lesson,priority:1"`
		User         user   `gorm:"constraint:OnDelete:CASCADE"`
		LessonID     uint   `gorm:"not null;uniqueIndex:idx_lesson_progress_user_lesson,priority:2;index"`
		Lesson       lesson `gorm:"constraint:OnDelete:CASCADE"`
		CompletedAt  *time.Time
		LastViewedAt *time.Time
		CreatedAt    time.Time `gorm:"not null"`
		UpdatedAt    time.Time `gorm:"not null"`
	}
	type workshopPrework struct {
		ID         uint     `gorm:"primaryKey"`
		WorkshopID uint     `gorm:"not null;uniqueIndex:idx_workshop_prework_pair,priority:1"`
		Workshop   workshop `gorm:"constraint:OnDelete:CASCADE"`
		LessonID   uint     `gorm:"not null;uniqueIndex:idx_workshop_prework_pair,priority:2;index"`
		Lesson     lesson   `gorm:"constraint:OnDelete:CASCADE"`
		Position   int      `gorm:"not null;default:0"`
	}
	if err := tx.Migrator().CreateTable(&track{}, &lesson{}); err != nil {
		return err
	}
	if err := tx.Table("lesson_progress").Migrator().CreateTable(&lessonProgress{}); err != nil {
		return err
	}
	if err := tx.Table("workshop_prework").Migrator().CreateTable(&workshopPrework{}); err != nil {
		return err
	}
	return nil
}
