package learn

import (
	"context"
	"errors"
	"testing"

	"github.com/hsworkshop/hsworkshop/models"
)

func TestSetPrework(t *testing.T) {
	s, db, _ := newTestService(t)
	ctx := context.Background()
	editor := mustUser(t, db, "staff@example.com")
	w := &models.Workshop{Slug: "prework-day", Title: "Prework day", Summary: "s", DescriptionMD: "d", DurationMinutes: 60, DefaultPriceMinor: 100, Currency: "USD"}
	if err := db.Create(w).Error; err != nil {
		t.Fatal(err)
	}
	ls, err := s.AllLessons(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 5 {
		t.Fatalf("got %d lessons, want 5", len(ls))
	}
	// Chosen out of reading order, one twice: stored once each in reading order.
	if err := s.SetPrework(ctx, w.ID, []uint{ls[4].ID, ls[1].ID, ls[4].ID}, Editor{User: editor, IP: "192.0.2.1"}); err != nil {
		t.Fatalf("set prework: %v", err)
	}
	_, ids, err := s.PreworkOf(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != ls[1].ID || ids[1] != ls[4].ID {
		t.Errorf("got prework %v, want [%d %d]", ids, ls[1].ID, ls[4].ID)
	}
	all, err := s.PreworkByWorkshop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || len(all[0].Lessons) != 2 || all[0].Lessons[0].Slug != ls[1].Slug {
		t.Errorf("got prework by workshop %+v, want %s then %s", all, ls[1].Slug, ls[4].Slug)
	}

	err = s.SetPrework(ctx, w.ID, []uint{ls[0].ID, 999999}, Editor{User: editor})
	var unknown *UnknownLessonError
	if !errors.As(err, &unknown) || unknown.ID != 999999 || !errors.Is(err, models.ErrInvalid) {
		t.Errorf("unknown lesson: got %v, want an UnknownLessonError for 999999", err)
	}
	if err := s.SetPrework(ctx, 999999, nil, Editor{User: editor}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown workshop: got %v, want ErrNotFound", err)
	}
	_, ids, err = s.PreworkOf(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 {
		t.Errorf("refused saves changed the prework to %v", ids)
	}
	es, err := models.ListAuditEntries(ctx, db, models.AuditFilter{Action: "workshop.prework"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].IP != "192.0.2.1" {
		t.Fatalf("got %d audit entries (%+v), want 1 from 192.0.2.1", len(es), es)
	}
}
