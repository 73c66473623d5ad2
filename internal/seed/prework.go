package seed

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// demoPrework lists, per demo workshop, the lessons its attendees read
// before the first day (shown on their learning dashboard).
var demoPrework = []struct {
	workshop string
	lessons  []string
}{
	{"hs-classification-fundamentals", []string{"hs-purpose-and-editions", "hs-structure", "gri-1-headings-and-notes"}},
	{"htsus-in-depth", []string{"tariff-lines-and-statistical-suffixes", "rate-columns"}},
	{"usmca-origin-determination", []string{"usmca-origin-criteria", "usmca-tariff-shift", "usmca-regional-value-content"}},
	{"section-301-232-tariff-actions", []string{"section-301-background", "section-232-steel-and-aluminum", "ieepa-fentanyl-and-reciprocal-tariffs"}},
	{"classification-clinic-machinery-electronics", []string{"gri-3a-3b-specificity-and-essential-character", "gri-6-subheadings"}},
}

// AttachPrework sets the demo workshops' prework lessons. Lessons must be
// synced first (learn.Sync); with no lessons in the database it does
// nothing, and a demo workshop that is missing is skipped. A lesson slug
// that is missing while others exist is an error (the list is stale).
func AttachPrework(ctx context.Context, db *gorm.DB) error {
	ls, err := models.ListLessonsInOrder(ctx, db)
	if err != nil {
		return fmt.Errorf("attach prework: %w", err)
	}
	if len(ls) == 0 {
		return nil
	}
	ids := map[string]uint{}
	for _, l := range ls {
		ids[l.Slug] = l.ID
	}
	for _, p := range demoPrework {
		w, err := models.FindWorkshopBySlug(ctx, db, p.workshop)
		if errors.Is(err, models.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("attach prework: %w", err)
		}
		var lessonIDs []uint
		for _, s := range p.lessons {
			id, ok := ids[s]
			if !ok {
				return fmt.Errorf("attach prework to %q: no lesson %q", p.workshop, s)
			}
			lessonIDs = append(lessonIDs, id)
		}
		if err := models.SetWorkshopPrework(ctx, db, w.ID, lessonIDs); err != nil {
			return fmt.Errorf("attach prework: %w", err)
		}
	}
	return nil
}
