package seed

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestSeedDemoCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	now := time.Date(2026, 11, 27, 21, 0, 0, 0, time.UTC)
	seeded, err := IfEmpty(ctx, db, now)
	if err != nil || !seeded {
		t.Fatalf("IfEmpty: %v %v", seeded, err)
	}
	again, err := IfEmpty(ctx, db, now)
	if err != nil || again {
		t.Fatalf("second IfEmpty seeded again: %v %v", again, err)
	}
	ws, err := models.ListWorkshops(ctx, db)
	if err != nil || len(ws) < 4 {
		t.Fatalf("workshops: %d %v", len(ws), err)
	}
	for _, w := range ws {
		if len(w.DescriptionMD) < 500 || w.AgendaMD == "" || len(w.Topics) == 0 {
			t.Errorf("workshop %s is thin: %d chars, agenda %d, %d topics", w.Slug, len(w.DescriptionMD), len(w.AgendaMD), len(w.Topics))
		}
		for _, bad := range []string{"lorem ipsum", "TODO", "TBD"} {
			if strings.Contains(w.DescriptionMD, bad) {
				t.Errorf("workshop %s contains %q", w.Slug, bad)
			}
		}
	}
	ss, err := models.ListUpcomingSessions(ctx, db, now, models.SessionFilter{})
	if err != nil || len(ss) < 8 {
		t.Fatalf("sessions: %d %v", len(ss), err)
	}
	zones, formats := map[string]bool{}, map[models.Format]bool{}
	caps, prices := map[int]bool{}, map[int64]bool{}
	nearlyFull := 0
	for _, s := range ss {
		if d := s.StartsAt.Sub(now); d < 24*time.Hour || d > 90*24*time.Hour {
			t.Errorf("session %d starts %v from now, want 1..90 days", s.ID, d)
		}
		if errs := s.Validate(); len(errs) > 0 {
			t.Errorf("session %d invalid: %v", s.ID, errs)
		}
		if s.Format != models.FormatInPerson && !strings.Contains(s.JoinURL, ".example") {
			t.Errorf("session %d: demo join link %q is not on a reserved example domain", s.ID, s.JoinURL)
		}
		zones[s.TimeZone], formats[s.Format], caps[s.Capacity], prices[s.PriceMinor] = true, true, true, true
		os, err := models.ListOrdersForSession(ctx, db, s.ID, models.OrderPaid)
		if err != nil {
			t.Fatal(err)
		}
		booked := 0
		for _, o := range os {
			booked += len(o.ActiveAttendees())
		}
		if booked != s.SeatsTaken {
			t.Errorf("session %d: %d seats taken but %d booked by demo orders", s.ID, s.SeatsTaken, booked)
		}
		if !s.AllowInvoice || s.CancelCutoffHours == 0 {
			t.Errorf("session %d: booking policy not set", s.ID)
		}
		if s.SeatsLeft() <= 2 && s.SeatsLeft() > 0 {
			nearlyFull++
		}
	}
	if len(zones) < 3 || !formats[models.FormatVirtual] || !formats[models.FormatInPerson] || len(caps) < 2 || len(prices) < 2 {
		t.Errorf("variety: zones %v formats %v capacities %d prices %d", zones, formats, len(caps), len(prices))
	}
	if nearlyFull < 1 {
		t.Error("no nearly full session")
	}
	if _, err := models.FindDiscountCode(ctx, db, "team3"); err != nil {
		t.Errorf("demo discount code: %v", err)
	}
}

// TestSeedLocalTimes checks that wall-clock times are kept in each
// session's own zone across a DST change (seeded in November for March).
func TestSeedLocalTimes(t *testing.T) {
	t.Parallel()
	s := SessionSpec{Workshop: "w", DaysFromNow: 120, LocalStart: "09:00", LocalEnd: "16:30", TimeZone: "America/New_York",
		Format: "virtual", Capacity: 10, PriceMinor: 100, Currency: "USD", RegistrationClosesHoursBefore: 24}
	m, err := buildSession(s, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), map[string]uint{"w": 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.StartsAt.In(m.Location()).Format("15:04 MST"); got != "09:00 EDT" {
		t.Errorf("start: got %s, want 09:00 EDT", got)
	}
	if got := m.EndsAt.Sub(m.StartsAt); got != 7*time.Hour+30*time.Minute {
		t.Errorf("length: got %v", got)
	}
}
