package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0008Quiz creates the quiz tables: the question bank as staff
// edit it (synced from content/quiz), attempts with one row per question,
// and the pre- and post-tests a workshop attaches.
func migrate0008Quiz(tx *gorm.DB) error {
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type workshop struct {
		ID uint `gorm:"primaryKey"`
	}
	type quizItem struct {
		ID            uint   `gorm:"primaryKey"`
		QuestionID    string `gorm:"size:64;not null;uniqueIndex"`
		Kind          string `gorm:"size:20;not null"`
		Track         string `gorm:"size:40;not null;index"`
		Topic         string `gorm:"size:80;not null"`
		Difficulty    int    `gorm:"not null"`
		Body          string `gorm:"type:text;not null"` // the question as JSON, key included
		SourceHash    string `gorm:"size:64;not null;default:''"`
		EditedByStaff bool   `gorm:"not null;default:false"`
		EditedByID    *uint  `gorm:"index"`
		EditedBy      *user  `gorm:"constraint:OnDelete:SET NULL"`
		RetiredAt     *time.Time
		CreatedAt     time.Time `gorm:"not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	type workshopQuiz struct {
		ID         uint      `gorm:"primaryKey"`
		WorkshopID uint      `gorm:"not null;uniqueIndex:idx_workshop_quiz_kind,priority:1"`
		Workshop   workshop  `gorm:"constraint:OnDelete:CASCADE"`
		Kind       string    `gorm:"size:10;not null;uniqueIndex:idx_workshop_quiz_kind,priority:2"` // pre or post
		Spec       string    `gorm:"type:text;not null"`                                             // quiz.Spec as JSON
		CreatedAt  time.Time `gorm:"not null"`
		UpdatedAt  time.Time `gorm:"not null"`
	}
	type quizAttempt struct {
		ID            uint      `gorm:"primaryKey"`
		UserID        uint      `gorm:"not null;index"`
		User          user      `gorm:"constraint:OnDelete:CASCADE"`
		QuizKey       string    `gorm:"size:120;not null;index"` // the catalog entry it was started from
		Name          string    `gorm:"size:200;not null"`
		Mode          string    `gorm:"size:20;not null"`
		Spec          string    `gorm:"type:text;not null"` // quiz.Spec as JSON
		Seed          uint64    `gorm:"not null"`
		OpenBook      bool      `gorm:"not null;default:false"`
		PassMark      float64   `gorm:"not null;default:0"`
		Questions     int       `gorm:"not null"`
		WorkshopID    *uint     `gorm:"index"`
		Workshop      *workshop `gorm:"constraint:OnDelete:SET NULL"`
		WorkshopKind  string    `gorm:"size:10;not null;default:''"`
		ReviewOfID    *uint     `gorm:"index"`
		StartedAt     time.Time `gorm:"not null"`
		Deadline      *time.Time
		SubmittedAt   *time.Time `gorm:"index"`
		AutoSubmitted bool       `gorm:"not null;default:false"`
		Points        float64    `gorm:"not null;default:0"`
		Score         float64    `gorm:"not null;default:0"`
		Passed        bool       `gorm:"not null;default:false"`
		CreatedAt     time.Time  `gorm:"not null"`
		UpdatedAt     time.Time  `gorm:"not null"`
	}
	type quizAttemptItem struct {
		ID          uint        `gorm:"primaryKey"`
		AttemptID   uint        `gorm:"not null;uniqueIndex:idx_quiz_attempt_item_pos,priority:1"`
		Attempt     quizAttempt `gorm:"constraint:OnDelete:CASCADE"`
		Position    int         `gorm:"not null;uniqueIndex:idx_quiz_attempt_item_pos,priority:2"`
		QuestionID  string      `gorm:"size:64;not null;index"`
		Track       string      `gorm:"size:40;not null"`
		Topic       string      `gorm:"size:80;not null"`
		ChoiceOrder string      `gorm:"type:text;not null;default:'[]'"` // JSON
		Answer      string      `gorm:"type:text;not null;default:''"`   // quiz.Answer as JSON, '' until answered
		AnsweredAt  *time.Time
		Graded      bool    `gorm:"not null;default:false"`
		Score       float64 `gorm:"not null;default:0"`
		Correct     bool    `gorm:"not null;default:false"`
		Level       int     `gorm:"not null;default:0"`
		Given       string  `gorm:"size:40;not null;default:''"` // normalised hs_code answer
		KeyCode     string  `gorm:"size:40;not null;default:''"`
		Result      string  `gorm:"type:text;not null;default:''"` // quiz.Result as JSON once graded
	}
	if err := tx.Migrator().CreateTable(&quizItem{}, &workshopQuiz{}, &quizAttempt{}, &quizAttemptItem{}); err != nil {
		return err
	}
	return nil
}
