package seed

import (
	"context"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestSeedAttachesPrework seeds after the lessons are synced (as cmd does)
// and checks every demo workshop listed gets its prework lessons in order.
func TestSeedAttachesPrework(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	if _, err := learn.Sync(ctx, db, content.FS, learn.NewRenderer()); err != nil {
		t.Fatal(err)
	}
	if seeded, err := IfEmpty(ctx, db, time.Date(2026, 11, 27, 21, 0, 0, 0, time.UTC)); err != nil || !seeded {
		t.Fatalf("IfEmpty: %v %v", seeded, err)
	}
	if len(demoPrework) == 0 {
		t.Fatal("no demo prework listed")
	}
	for _, p := range demoPrework {
		w, err := models.FindWorkshopBySlug(ctx, db, p.workshop)
		if err != nil {
			t.Fatalf("workshop %s: %v", p.workshop, err)
		}
		var rows []models.WorkshopPrework
		if err := db.Where("workshop_id = ?", w.ID).Order("position").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(p.lessons) {
			t.Fatalf("%s prework: got %d lessons, want %d", p.workshop, len(rows), len(p.lessons))
		}
		for i, r := range rows {
			l, err := models.FindLessonByID(ctx, db, r.LessonID)
			if err != nil {
				t.Fatal(err)
			}
			if l.Slug != p.lessons[i] {
				t.Errorf("%s prework %d: got %s, want %s", p.workshop, i, l.Slug, p.lessons[i])
			}
		}
	}
}
