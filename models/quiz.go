package models

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// QuizItem is one question of the quiz bank as stored: the question as
// JSON (key included; the quiz service parses and validates it), a few
// columns to filter on, and whether staff edited or retired it. Items are
// synced from content/quiz; a staff-edited item is kept on re-sync, and a
// retired one stays for the attempts that used it.
type QuizItem struct {
	ID            uint   `gorm:"primaryKey"`
	QuestionID    string `gorm:"size:64;not null;uniqueIndex"`
	Kind          string `gorm:"size:20;not null"`
	Track         string `gorm:"size:40;not null;index"`
	Topic         string `gorm:"size:80;not null"`
	Difficulty    int    `gorm:"not null"`
	Body          string `gorm:"type:text;not null"`
	SourceHash    string `gorm:"size:64;not null;default:''"`
	EditedByStaff bool   `gorm:"not null;default:false"`
	EditedByID    *uint
	RetiredAt     *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Retired reports whether the item is no longer drawn for new quizzes.
func (i QuizItem) Retired() bool { return i.RetiredAt != nil }

// Workshop quiz kinds.
const (
	WorkshopQuizPre  = "pre"
	WorkshopQuizPost = "post"
)

// WorkshopQuiz attaches a pre-test or a post-test (a quiz spec as JSON)
// to a workshop.
type WorkshopQuiz struct {
	ID         uint `gorm:"primaryKey"`
	WorkshopID uint `gorm:"not null"`
	Workshop   Workshop
	Kind       string `gorm:"size:10;not null"`
	Spec       string `gorm:"type:text;not null"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// QuizAttempt is one learner's run of a quiz: the assembled quiz (spec,
// seed and, in its items, the order of questions and choices), the
// deadline of a timed exam and, once submitted, the score.
type QuizAttempt struct {
	ID            uint   `gorm:"primaryKey"`
	UserID        uint   `gorm:"not null"`
	QuizKey       string `gorm:"size:120;not null"`
	Name          string `gorm:"size:200;not null"`
	Mode          string `gorm:"size:20;not null"`
	Spec          string `gorm:"type:text;not null"`
	Seed          uint64 `gorm:"not null"`
	OpenBook      bool
	PassMark      float64
	Questions     int
	WorkshopID    *uint
	WorkshopKind  string
	ReviewOfID    *uint
	StartedAt     time.Time
	Deadline      *time.Time
	SubmittedAt   *time.Time
	AutoSubmitted bool
	Points        float64
	Score         float64
	Passed        bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Items         []QuizAttemptItem `gorm:"foreignKey:AttemptID"`
}

// Submitted reports whether the attempt is closed.
func (a QuizAttempt) Submitted() bool { return a.SubmittedAt != nil }

// Expired reports whether a timed attempt's deadline has passed at now.
func (a QuizAttempt) Expired(now time.Time) bool {
	return a.Deadline != nil && !now.Before(*a.Deadline)
}

// QuizAttemptItem is one question of an attempt, with the answer and,
// once graded, its result (the JSON of quiz.Result) and the figures the
// analytics read.
type QuizAttemptItem struct {
	ID          uint   `gorm:"primaryKey"`
	AttemptID   uint   `gorm:"not null"`
	Position    int    `gorm:"not null"`
	QuestionID  string `gorm:"size:64;not null"`
	Track       string
	Topic       string
	ChoiceOrder string
	Answer      string
	AnsweredAt  *time.Time
	Graded      bool
	Score       float64
	Correct     bool
	Level       int
	Given       string
	KeyCode     string
	Result      string
}

// SaveQuizItem inserts or updates an item by QuestionID.
func SaveQuizItem(ctx context.Context, db *gorm.DB, it *QuizItem) error {
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "question_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"kind", "track", "topic", "difficulty", "body", "source_hash",
			"edited_by_staff", "edited_by_id", "retired_at", "updated_at"}),
	}).Create(it).Error
	if err != nil {
		return fmt.Errorf("save quiz item %q: %w", it.QuestionID, err)
	}
	return nil
}

// ListQuizItems returns every item, retired ones included, by id.
func ListQuizItems(ctx context.Context, db *gorm.DB) ([]QuizItem, error) {
	var out []QuizItem
	if err := db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list quiz items: %w", err)
	}
	return out, nil
}

// FindQuizItem returns the item of a question id.
func FindQuizItem(ctx context.Context, db *gorm.DB, questionID string) (*QuizItem, error) {
	var it QuizItem
	err := db.WithContext(ctx).Where("question_id = ?", questionID).First(&it).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("find quiz item %q: %w", questionID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find quiz item %q: %w", questionID, err)
	}
	return &it, nil
}

// SetQuizItemRetired retires (at) or restores (nil) an item.
func SetQuizItemRetired(ctx context.Context, db *gorm.DB, questionID string, at *time.Time) error {
	res := db.WithContext(ctx).Model(&QuizItem{}).Where("question_id = ?", questionID).
		Updates(map[string]any{"retired_at": at, "updated_at": utcNow()})
	if res.Error != nil {
		return fmt.Errorf("retire quiz item %q: %w", questionID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("retire quiz item %q: %w", questionID, ErrNotFound)
	}
	return nil
}

// QuizItemsVersion is a cheap fingerprint of the bank table (count and
// latest update), so each instance can tell when another one changed it.
func QuizItemsVersion(ctx context.Context, db *gorm.DB) (string, error) {
	var row struct {
		N    int64
		Last string
	}
	err := db.WithContext(ctx).Raw(`SELECT COUNT(*) AS n, COALESCE(CAST(MAX(updated_at) AS TEXT), '') AS last FROM quiz_items`).Scan(&row).Error
	if err != nil {
		return "", fmt.Errorf("quiz items version: %w", err)
	}
	return fmt.Sprintf("%d/%s", row.N, row.Last), nil
}

// CreateQuizAttempt stores a new attempt with its items.
func CreateQuizAttempt(ctx context.Context, db *gorm.DB, a *QuizAttempt) error {
	if err := db.WithContext(ctx).Create(a).Error; err != nil {
		return fmt.Errorf("create quiz attempt: %w", err)
	}
	return nil
}

// FindQuizAttempt loads an attempt with its items in order. An attempt of
// another user is not found: attempts belong to their user.
func FindQuizAttempt(ctx context.Context, db *gorm.DB, id, userID uint) (*QuizAttempt, error) {
	var a QuizAttempt
	err := db.WithContext(ctx).Preload("Items", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Where("id = ? AND user_id = ?", id, userID).First(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("find quiz attempt %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find quiz attempt %d: %w", id, err)
	}
	return &a, nil
}

// SaveQuizAnswer records an answer to an item of an open attempt. It
// fails with ErrConflict when the attempt was submitted meanwhile or, for
// a graded (practice) item, when it was already answered.
func SaveQuizAnswer(ctx context.Context, db *gorm.DB, it *QuizAttemptItem, onlyOnce bool) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&QuizAttemptItem{}).Where("id = ?", it.ID).
			Where("attempt_id IN (SELECT id FROM quiz_attempts WHERE id = ? AND submitted_at IS NULL)", it.AttemptID)
		if onlyOnce {
			q = q.Where("answered_at IS NULL")
		}
		res := q.Updates(map[string]any{"answer": it.Answer, "answered_at": it.AnsweredAt, "graded": it.Graded,
			"score": it.Score, "correct": it.Correct, "level": it.Level, "given": it.Given, "key_code": it.KeyCode, "result": it.Result})
		if res.Error != nil {
			return fmt.Errorf("save answer %d: %w", it.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("save answer %d: %w", it.ID, ErrConflict)
		}
		return nil
	})
}

// SubmitQuizAttempt closes an open attempt with its graded items in one
// transaction; ErrConflict when it was already submitted.
func SubmitQuizAttempt(ctx context.Context, db *gorm.DB, a *QuizAttempt, items []QuizAttemptItem) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&QuizAttempt{}).Where("id = ? AND submitted_at IS NULL", a.ID).Updates(map[string]any{
			"submitted_at": a.SubmittedAt, "auto_submitted": a.AutoSubmitted, "points": a.Points,
			"score": a.Score, "passed": a.Passed, "updated_at": utcNow()})
		if res.Error != nil {
			return fmt.Errorf("submit attempt %d: %w", a.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("submit attempt %d: %w", a.ID, ErrConflict)
		}
		for _, it := range items {
			err := tx.Model(&QuizAttemptItem{}).Where("id = ?", it.ID).Updates(map[string]any{
				"graded": true, "score": it.Score, "correct": it.Correct, "level": it.Level, "given": it.Given,
				"key_code": it.KeyCode, "result": it.Result}).Error
			if err != nil {
				return fmt.Errorf("grade item %d: %w", it.ID, err)
			}
		}
		return nil
	})
}

// ListQuizAttempts returns a user's attempts, newest first, without items.
func ListQuizAttempts(ctx context.Context, db *gorm.DB, userID uint) ([]QuizAttempt, error) {
	var out []QuizAttempt
	if err := db.WithContext(ctx).Where("user_id = ?", userID).Order("started_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list attempts of user %d: %w", userID, err)
	}
	return out, nil
}

// ListExpiredQuizAttempts returns the ids of open attempts whose deadline
// passed before now.
func ListExpiredQuizAttempts(ctx context.Context, db *gorm.DB, now time.Time, limit int) ([]QuizAttempt, error) {
	var out []QuizAttempt
	err := db.WithContext(ctx).Where("submitted_at IS NULL AND deadline IS NOT NULL AND deadline <= ?", now.UTC()).
		Order("deadline").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list expired attempts: %w", err)
	}
	return out, nil
}

// ListGradedQuizItems returns graded items with their attempt's score,
// oldest first. For one user (the learner's progress) every graded answer
// counts, open practice sets included; userID 0 (item analysis) takes only
// submitted attempts and leaves reviews out, since they draw only earlier
// mistakes.
func ListGradedQuizItems(ctx context.Context, db *gorm.DB, userID uint) ([]GradedItem, error) {
	var out []GradedItem
	q := db.WithContext(ctx).Table("quiz_attempt_items i").
		Select("i.attempt_id, i.question_id, i.track, i.topic, i.score, i.correct, i.level, i.given, i.key_code, a.score AS attempt_score, a.submitted_at, i.answered_at, a.quiz_key, a.user_id").
		Joins("JOIN quiz_attempts a ON a.id = i.attempt_id").
		Where("i.graded = ?", true)
	if userID != 0 {
		q = q.Where("a.user_id = ?", userID)
	} else {
		q = q.Where("a.submitted_at IS NOT NULL AND a.mode <> ?", "review")
	}
	if err := q.Order("i.attempt_id, i.position").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list graded quiz items: %w", err)
	}
	for i := range out {
		if out[i].SubmittedAt == nil {
			out[i].SubmittedAt = out[i].AnsweredAt
		}
		if out[i].SubmittedAt != nil {
			out[i].At = *out[i].SubmittedAt
		}
	}
	// Oldest first: by when the attempt closed, or the answer was given.
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// GradedItem is one graded question of a submitted attempt.
type GradedItem struct {
	AttemptID    uint
	UserID       uint
	QuizKey      string
	QuestionID   string
	Track        string
	Topic        string
	Score        float64
	Correct      bool
	Level        int
	Given        string
	KeyCode      string
	AttemptScore float64
	SubmittedAt  *time.Time
	AnsweredAt   *time.Time
	// At is when the attempt was submitted or, in an open practice set,
	// when the answer was given.
	At time.Time `gorm:"-"`
}

// ListSubmittedQuizAttempts returns every submitted attempt (not reviews),
// for the score distributions.
func ListSubmittedQuizAttempts(ctx context.Context, db *gorm.DB) ([]QuizAttempt, error) {
	var out []QuizAttempt
	err := db.WithContext(ctx).Where("submitted_at IS NOT NULL AND mode <> ?", "review").Order("quiz_key, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list submitted attempts: %w", err)
	}
	return out, nil
}

// SaveWorkshopQuiz attaches (or replaces) a workshop's pre- or post-test.
func SaveWorkshopQuiz(ctx context.Context, db *gorm.DB, wq *WorkshopQuiz) error {
	err := db.WithContext(ctx).Omit("Workshop").Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "workshop_id"}, {Name: "kind"}},
		DoUpdates: clause.AssignmentColumns([]string{"spec", "updated_at"}),
	}).Create(wq).Error
	if err != nil {
		return fmt.Errorf("save workshop quiz: %w", err)
	}
	return nil
}

// FindWorkshopQuiz returns a workshop's quiz of kind.
func FindWorkshopQuiz(ctx context.Context, db *gorm.DB, workshopID uint, kind string) (*WorkshopQuiz, error) {
	var wq WorkshopQuiz
	err := db.WithContext(ctx).Preload("Workshop").Where("workshop_id = ? AND kind = ?", workshopID, kind).First(&wq).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("find %s-test of workshop %d: %w", kind, workshopID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find %s-test of workshop %d: %w", kind, workshopID, err)
	}
	return &wq, nil
}

// ListWorkshopQuizzesForUser returns the workshop quizzes of sessions that
// have not ended on which the user holds a confirmed seat (as
// ListPreworkForUser decides it), one row per workshop and kind.
func ListWorkshopQuizzesForUser(ctx context.Context, db *gorm.DB, u *User, now time.Time) ([]WorkshopQuizRow, error) {
	if !u.Verified() {
		return nil, nil
	}
	userID, email := u.ID, NormalizeEmail(u.Email)
	var rows []WorkshopQuizRow
	err := db.WithContext(ctx).Raw(`
SELECT q.workshop_id, w.title AS workshop_title, q.kind, q.spec, s.starts_at, s.id AS session_id
FROM sessions s
JOIN workshops w ON w.id = s.workshop_id
JOIN workshop_quizzes q ON q.workshop_id = w.id
WHERE s.ends_at > ? AND s.status <> ?
  AND EXISTS (
    SELECT 1 FROM orders o
    WHERE o.session_id = s.id AND o.status = ?
      AND (o.user_id = ? OR (? <> '' AND EXISTS (
        SELECT 1 FROM attendees a WHERE a.order_id = o.id AND a.status = ? AND LOWER(a.email) = ?))))
ORDER BY s.starts_at, s.id, q.workshop_id, q.kind DESC`,
		now.UTC(), StatusCancelled, OrderPaid, userID, email, AttendeeActive, email).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list workshop quizzes of user %d: %w", userID, err)
	}
	// One row per workshop and kind: the earliest session's.
	seen := map[string]bool{}
	out := rows[:0]
	for _, r := range rows {
		k := fmt.Sprintf("%d/%s", r.WorkshopID, r.Kind)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// WorkshopQuizRow is a workshop quiz a learner is asked to take.
type WorkshopQuizRow struct {
	WorkshopID    uint
	WorkshopTitle string
	Kind          string
	Spec          string
	StartsAt      time.Time
	SessionID     uint
}

// ClassMember is a person holding a confirmed seat on a session, with the
// account their address matches (UserID 0 when none).
type ClassMember struct {
	Name   string
	Email  string
	UserID uint
}

// ListClassMembers returns the active attendees of a session's paid
// orders, matched by email to the accounts that have proven it (an
// account that has not is no one's: its attempts are not the attendee's).
func ListClassMembers(ctx context.Context, db *gorm.DB, sessionID uint) ([]ClassMember, error) {
	var out []ClassMember
	err := db.WithContext(ctx).Raw(`
SELECT a.name, LOWER(a.email) AS email, COALESCE(u.id, 0) AS user_id
FROM attendees a
JOIN orders o ON o.id = a.order_id
LEFT JOIN users u ON LOWER(u.email) = LOWER(a.email) AND u.email_verified_at IS NOT NULL
WHERE o.session_id = ? AND o.status = ? AND a.status = ?
ORDER BY a.name, a.id`, sessionID, OrderPaid, AttendeeActive).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list class of session %d: %w", sessionID, err)
	}
	return out, nil
}

// ListWorkshopAttempts returns the submitted workshop-quiz attempts of the
// given users for a workshop, oldest first.
func ListWorkshopAttempts(ctx context.Context, db *gorm.DB, workshopID uint, userIDs []uint) ([]QuizAttempt, error) {
	var out []QuizAttempt
	if len(userIDs) == 0 {
		return out, nil
	}
	err := db.WithContext(ctx).Where("workshop_id = ? AND user_id IN ? AND submitted_at IS NOT NULL", workshopID, userIDs).
		Order("submitted_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list attempts of workshop %d: %w", workshopID, err)
	}
	return out, nil
}

// HasPassedWorkshopQuiz reports whether the user submitted a passing
// attempt of the workshop's quiz of kind.
func HasPassedWorkshopQuiz(ctx context.Context, db *gorm.DB, userID, workshopID uint, kind string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&QuizAttempt{}).
		Where("user_id = ? AND workshop_id = ? AND workshop_kind = ? AND submitted_at IS NOT NULL AND passed = ?", userID, workshopID, kind, true).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("passed %s-test of workshop %d: %w", kind, workshopID, err)
	}
	return n > 0, nil
}

// ScorePercent is the attempt's score as a whole percentage.
func (a QuizAttempt) ScorePercent() string { return fmt.Sprintf("%.0f%%", a.Score*100) }

// PassPercent is the pass mark as a whole percentage.
func (a QuizAttempt) PassPercent() string { return fmt.Sprintf("%.0f%%", a.PassMark*100) }
