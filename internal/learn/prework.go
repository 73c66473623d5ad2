package learn

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/models"
)

// WorkshopPrework is a workshop with its prework lessons, in the order
// attendees see them.
type WorkshopPrework struct {
	Workshop models.Workshop
	Lessons  []models.Lesson
}

// UnknownLessonError is returned by SetPrework for a lesson ID that no
// lesson has.
type UnknownLessonError struct{ ID uint }

func (e *UnknownLessonError) Error() string {
	return "no lesson has id " + strconv.FormatUint(uint64(e.ID), 10)
}

// Unwrap makes the error a models.ErrInvalid.
func (e *UnknownLessonError) Unwrap() error { return models.ErrInvalid }

// PreworkByWorkshop lists every workshop (by title) with its prework lessons
// in their stored order, for staff.
func (s *Service) PreworkByWorkshop(ctx context.Context) ([]WorkshopPrework, error) {
	ws, err := models.ListWorkshops(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("prework by workshop: %w", err)
	}
	ls, err := models.ListLessonsInOrder(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("prework by workshop: %w", err)
	}
	ps, err := models.ListWorkshopPrework(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("prework by workshop: %w", err)
	}
	byID := make(map[uint]models.Lesson, len(ls))
	for _, l := range ls {
		byID[l.ID] = l
	}
	of := map[uint][]models.Lesson{}
	for _, p := range ps {
		if l, ok := byID[p.LessonID]; ok {
			of[p.WorkshopID] = append(of[p.WorkshopID], l)
		}
	}
	out := make([]WorkshopPrework, 0, len(ws))
	for _, w := range ws {
		out = append(out, WorkshopPrework{Workshop: w, Lessons: of[w.ID]})
	}
	return out, nil
}

// PreworkOf returns workshop workshopID with its prework lesson IDs in
// order; models.ErrNotFound when there is no such workshop.
func (s *Service) PreworkOf(ctx context.Context, workshopID uint) (*models.Workshop, []uint, error) {
	w, err := models.FindWorkshop(ctx, s.db, workshopID)
	if err != nil {
		return nil, nil, fmt.Errorf("prework of workshop: %w", err)
	}
	ids, err := s.preworkIDs(ctx, s.db, workshopID)
	if err != nil {
		return nil, nil, err
	}
	return w, ids, nil
}

func (s *Service) preworkIDs(ctx context.Context, db *gorm.DB, workshopID uint) ([]uint, error) {
	var ids []uint
	err := db.WithContext(ctx).Model(&models.WorkshopPrework{}).Where("workshop_id = ?", workshopID).
		Order("position, id").Pluck("lesson_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("prework of workshop %d: %w", workshopID, err)
	}
	return ids, nil
}

// SetPrework replaces workshop workshopID's prework with lessonIDs, kept in
// reading order (track order, then lesson order; duplicates dropped), and
// records the change in the audit log in the same transaction. An unknown
// workshop is models.ErrNotFound; an unknown lesson is an
// *UnknownLessonError (a models.ErrInvalid).
func (s *Service) SetPrework(ctx context.Context, workshopID uint, lessonIDs []uint, editor Editor) error {
	if _, err := models.FindWorkshop(ctx, s.db, workshopID); err != nil {
		return fmt.Errorf("set prework: %w", err)
	}
	ls, err := models.ListLessonsInOrder(ctx, s.db)
	if err != nil {
		return fmt.Errorf("set prework: %w", err)
	}
	want := map[uint]bool{}
	for _, id := range lessonIDs {
		want[id] = true
	}
	slugOf := make(map[uint]string, len(ls))
	var ordered []uint
	var after []string
	for _, l := range ls {
		slugOf[l.ID] = l.Slug
		if want[l.ID] {
			ordered = append(ordered, l.ID)
			after = append(after, l.Slug)
			delete(want, l.ID)
		}
	}
	for _, id := range lessonIDs {
		if want[id] {
			return fmt.Errorf("set prework of workshop %d: %w", workshopID, &UnknownLessonError{ID: id})
		}
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := s.preworkIDs(ctx, tx, workshopID)
		if err != nil {
			return err
		}
		before := make([]string, 0, len(old))
		for _, id := range old {
			before = append(before, slugOf[id])
		}
		if err := models.SetWorkshopPrework(ctx, tx, workshopID, ordered); err != nil {
			return err
		}
		return audit.New(s.now).Record(ctx, tx, audit.Action{
			Actor: editor.User, IP: editor.IP, Action: "workshop.prework", ObjectType: "workshop", ObjectID: workshopID,
			Summary: "Set the prework of workshop " + strconv.FormatUint(uint64(workshopID), 10),
			Before:  audit.Fields{"lessons": before}, After: audit.Fields{"lessons": orEmpty(after)},
		})
	})
	if err != nil {
		return fmt.Errorf("set prework of workshop %d: %w", workshopID, err)
	}
	return nil
}

// orEmpty keeps an empty list a list (not null) in the audit log.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
