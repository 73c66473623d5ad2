package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Track is a series of lessons on one subject, shown in Position order.
type Track struct {
	ID        uint `gorm:"primaryKey"`
	Slug      string
	Title     string
	Summary   string
	Position  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Lesson is one lesson page. Rows are synced from content/lessons; a lesson
// staff have edited (EditedByStaff) is no longer overwritten by a re-sync.
type Lesson struct {
	ID            uint `gorm:"primaryKey"`
	Slug          string
	TrackID       uint
	Track         Track
	Position      int
	Title         string
	Summary       string
	Minutes       int
	Prerequisites string // JSON array of lesson slugs
	AsOf          string // YYYY-MM-DD: the date the facts were checked
	Sources       string // JSON array of {title, url}
	SelfCheck     string // JSON array of questions, answers included
	BodyMD        string `gorm:"column:body_md"`
	HTML          string `gorm:"column:html"` // rendered, sanitised cache of BodyMD
	TOC           string `gorm:"column:toc"`  // JSON table of contents of HTML
	SourcePath    string // file it was synced from
	SourceHash    string // sha256 of that file when last synced
	EditedByStaff bool
	EditedByID    *uint
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// PrerequisiteSlugs decodes Prerequisites; a malformed value reads as none.
func (l *Lesson) PrerequisiteSlugs() []string {
	var out []string
	if err := json.Unmarshal([]byte(l.Prerequisites), &out); err != nil {
		return nil
	}
	return out
}

// LessonProgress is one user's state on one lesson (unique per pair).
type LessonProgress struct {
	ID           uint `gorm:"primaryKey"`
	UserID       uint
	LessonID     uint
	CompletedAt  *time.Time
	LastViewedAt *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName pins the table created by migration 0010.
func (LessonProgress) TableName() string { return "lesson_progress" }

// Done reports whether the lesson was completed.
func (p LessonProgress) Done() bool { return p.CompletedAt != nil }

// WorkshopPrework lists a lesson as prework for a workshop's attendees.
type WorkshopPrework struct {
	ID         uint `gorm:"primaryKey"`
	WorkshopID uint
	LessonID   uint
	Position   int
}

// TableName pins the table created by migration 0010.
func (WorkshopPrework) TableName() string { return "workshop_prework" }

// lessonListColumns are the lesson columns lists need: not the body or HTML.
var lessonListColumns = []string{"id", "slug", "track_id", "position", "title", "summary", "minutes",
	"prerequisites", "as_of", "edited_by_staff", "updated_at"}

// ListTracks returns every track in display order.
func ListTracks(ctx context.Context, db *gorm.DB) ([]Track, error) {
	var ts []Track
	if err := db.WithContext(ctx).Order("position, id").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("list tracks: %w", err)
	}
	return ts, nil
}

// FindTrackBySlug returns the track with slug.
func FindTrackBySlug(ctx context.Context, db *gorm.DB, slug string) (*Track, error) {
	var t Track
	if err := db.WithContext(ctx).Where("slug = ?", slug).Take(&t).Error; err != nil {
		return nil, translate(err, "find track %q", slug)
	}
	return &t, nil
}

// ListLessonsInOrder returns every lesson, without body or HTML, in reading
// order: by track position, then lesson position.
func ListLessonsInOrder(ctx context.Context, db *gorm.DB) ([]Lesson, error) {
	var ls []Lesson
	cols := make([]string, len(lessonListColumns))
	for i, c := range lessonListColumns {
		cols[i] = "lessons." + c
	}
	err := db.WithContext(ctx).Select(cols).Joins("JOIN tracks ON tracks.id = lessons.track_id").
		Order("tracks.position, tracks.id, lessons.position, lessons.id").Find(&ls).Error
	if err != nil {
		return nil, fmt.Errorf("list lessons: %w", err)
	}
	return ls, nil
}

// FindLessonBySlug returns the full lesson with slug, its track loaded.
func FindLessonBySlug(ctx context.Context, db *gorm.DB, slug string) (*Lesson, error) {
	var l Lesson
	if err := db.WithContext(ctx).Preload("Track").Where("slug = ?", slug).Take(&l).Error; err != nil {
		return nil, translate(err, "find lesson %q", slug)
	}
	return &l, nil
}

// FindLessonByID returns the full lesson with id, its track loaded.
func FindLessonByID(ctx context.Context, db *gorm.DB, id uint) (*Lesson, error) {
	var l Lesson
	if err := db.WithContext(ctx).Preload("Track").Take(&l, id).Error; err != nil {
		return nil, translate(err, "find lesson %d", id)
	}
	return &l, nil
}

// SaveTrack inserts t, or updates the track with the same slug, and sets t.ID.
func SaveTrack(ctx context.Context, db *gorm.DB, t *Track) error {
	db = db.WithContext(ctx)
	var cur Track
	err := db.Where("slug = ?", t.Slug).Take(&cur).Error
	switch {
	case err == nil:
		t.ID, t.CreatedAt = cur.ID, cur.CreatedAt
		if err := db.Model(&cur).Select("title", "summary", "position").Updates(t).Error; err != nil {
			return translate(err, "update track %q", t.Slug)
		}
		return nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("find track %q: %w", t.Slug, err)
	}
	if err := db.Create(t).Error; err != nil {
		return translate(err, "create track %q", t.Slug)
	}
	return nil
}

// CreateLesson inserts a new lesson.
func CreateLesson(ctx context.Context, db *gorm.DB, l *Lesson) error {
	if err := db.WithContext(ctx).Omit("Track").Create(l).Error; err != nil {
		return translate(err, "create lesson %q", l.Slug)
	}
	return nil
}

// UpdateSyncedLesson overwrites a lesson with the content file's version,
// unless staff have edited it meanwhile: the write is conditional on
// edited_by_staff being false, and ErrConflict reports a skipped row.
func UpdateSyncedLesson(ctx context.Context, db *gorm.DB, l *Lesson) error {
	res := db.WithContext(ctx).Model(&Lesson{}).Where("id = ? AND edited_by_staff = ?", l.ID, false).
		Updates(map[string]any{
			"track_id": l.TrackID, "position": l.Position, "title": l.Title, "summary": l.Summary,
			"minutes": l.Minutes, "prerequisites": l.Prerequisites, "as_of": l.AsOf, "sources": l.Sources,
			"self_check": l.SelfCheck, "body_md": l.BodyMD, "html": l.HTML, "toc": l.TOC,
			"source_path": l.SourcePath, "source_hash": l.SourceHash, "updated_at": utcNow(),
		})
	if res.Error != nil {
		return translate(res.Error, "update lesson %q", l.Slug)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("update lesson %q: edited by staff: %w", l.Slug, ErrConflict)
	}
	return nil
}

// UpdateLessonByStaff saves a staff edit of a lesson's text and marks it
// edited, so that later content syncs leave it alone.
func UpdateLessonByStaff(ctx context.Context, db *gorm.DB, l *Lesson, editorID uint) error {
	res := db.WithContext(ctx).Model(&Lesson{}).Where("id = ?", l.ID).Updates(map[string]any{
		"title": l.Title, "summary": l.Summary, "minutes": l.Minutes, "as_of": l.AsOf, "sources": l.Sources,
		"self_check": l.SelfCheck, "body_md": l.BodyMD, "html": l.HTML, "toc": l.TOC,
		"edited_by_staff": true, "edited_by_id": editorID, "updated_at": utcNow(),
	})
	if res.Error != nil {
		return translate(res.Error, "edit lesson %q", l.Slug)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("edit lesson %d: %w", l.ID, ErrNotFound)
	}
	return nil
}

// ListLessonProgress returns userID's progress rows.
func ListLessonProgress(ctx context.Context, db *gorm.DB, userID uint) ([]LessonProgress, error) {
	var ps []LessonProgress
	if err := db.WithContext(ctx).Where("user_id = ?", userID).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("list progress of user %d: %w", userID, err)
	}
	return ps, nil
}

// MarkLessonViewed records that userID opened lessonID at.
func MarkLessonViewed(ctx context.Context, db *gorm.DB, userID, lessonID uint, at time.Time) error {
	at = at.UTC()
	p := LessonProgress{UserID: userID, LessonID: lessonID, LastViewedAt: &at}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "lesson_id"}},
		DoUpdates: clause.Assignments(map[string]any{"last_viewed_at": at, "updated_at": utcNow()}),
	}).Create(&p).Error
	if err != nil {
		return translate(err, "mark lesson %d viewed by user %d", lessonID, userID)
	}
	return nil
}

// MarkLessonComplete records that userID completed lessonID at. It is
// idempotent: a second call keeps the first completion time.
func MarkLessonComplete(ctx context.Context, db *gorm.DB, userID, lessonID uint, at time.Time) error {
	at = at.UTC()
	p := LessonProgress{UserID: userID, LessonID: lessonID, CompletedAt: &at, LastViewedAt: &at}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "user_id"}, {Name: "lesson_id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"completed_at": gorm.Expr("COALESCE(lesson_progress.completed_at, ?)", at),
			"updated_at":   utcNow(),
		}),
	}).Create(&p).Error
	if err != nil {
		return translate(err, "mark lesson %d complete by user %d", lessonID, userID)
	}
	return nil
}

// SetWorkshopPrework replaces workshopID's prework list with lessonIDs, in
// that order.
func SetWorkshopPrework(ctx context.Context, db *gorm.DB, workshopID uint, lessonIDs []uint) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("workshop_id = ?", workshopID).Delete(&WorkshopPrework{}).Error; err != nil {
			return fmt.Errorf("clear prework of workshop %d: %w", workshopID, err)
		}
		for i, id := range lessonIDs {
			if err := tx.Create(&WorkshopPrework{WorkshopID: workshopID, LessonID: id, Position: i}).Error; err != nil {
				return translate(err, "add lesson %d to prework of workshop %d", id, workshopID)
			}
		}
		return nil
	})
}

// PreworkRow is one prework lesson of one session a user is booked on.
type PreworkRow struct {
	SessionID     uint
	StartsAt      time.Time
	WorkshopID    uint
	WorkshopTitle string
	LessonID      uint
	Position      int
}

// ListPreworkForUser returns the prework lessons of the sessions that have
// not ended (EndsAt after now, not cancelled) on which the user holds a
// confirmed seat: a paid order the user bought, or an active attendee on a
// paid order whose address is the user's email. Both count only once the
// account has proven its address (as IsConfirmedAttendee and
// ListOrdersForUser decide); an unproven account has none.
func ListPreworkForUser(ctx context.Context, db *gorm.DB, u *User, now time.Time) ([]PreworkRow, error) {
	if !u.Verified() {
		return nil, nil
	}
	userID, email := u.ID, NormalizeEmail(u.Email)
	var rows []PreworkRow
	err := db.WithContext(ctx).Raw(`
SELECT s.id AS session_id, s.starts_at, w.id AS workshop_id, w.title AS workshop_title,
       p.lesson_id, p.position
FROM sessions s
JOIN workshops w ON w.id = s.workshop_id
JOIN workshop_prework p ON p.workshop_id = w.id
WHERE s.ends_at > ? AND s.status <> ?
  AND EXISTS (
    SELECT 1 FROM orders o
    WHERE o.session_id = s.id AND o.status = ?
      AND (o.user_id = ? OR (? <> '' AND EXISTS (
        SELECT 1 FROM attendees a WHERE a.order_id = o.id AND a.status = ? AND LOWER(a.email) = ?))))
ORDER BY s.starts_at, s.id, p.position, p.id`,
		now.UTC(), StatusCancelled, OrderPaid, userID, email, AttendeeActive, email).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list prework of user %d: %w", userID, err)
	}
	return rows, nil
}

// ListWorkshopPrework returns every workshop's prework rows, by workshop and
// then position.
func ListWorkshopPrework(ctx context.Context, db *gorm.DB) ([]WorkshopPrework, error) {
	var ps []WorkshopPrework
	if err := db.WithContext(ctx).Order("workshop_id, position, id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("list workshop prework: %w", err)
	}
	return ps, nil
}
