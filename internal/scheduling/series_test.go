package scheduling_test

import (
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/scheduling"
	"github.com/hsworkshop/hsworkshop/models"
)

func template() models.Session {
	return models.Session{WorkshopID: 1, TimeZone: "America/New_York", Format: models.FormatVirtual, Capacity: 20,
		PriceMinor: 59500, Currency: "USD"}
}

func TestFirstTuesdayForSixMonthsAcrossDST(t *testing.T) {
	t.Parallel()
	// 2027: US daylight saving time starts on 14 March.
	spec := scheduling.SeriesSpec{Rule: scheduling.RuleMonthly, Count: 6, FirstDate: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Weekday: time.Tuesday, Nth: 1, StartHM: "09:00", EndHM: "16:30", CloseHours: 48, Template: template()}
	ss, errs := scheduling.GenerateSeries(spec)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := []string{"2027-01-05T14:00:00Z", "2027-02-02T14:00:00Z", "2027-03-02T14:00:00Z",
		"2027-04-06T13:00:00Z", "2027-05-04T13:00:00Z", "2027-06-01T13:00:00Z"}
	if len(ss) != len(want) {
		t.Fatalf("got %d sessions, want %d", len(ss), len(want))
	}
	for i, s := range ss {
		if got := s.StartsAt.Format(time.RFC3339); got != want[i] {
			t.Errorf("session %d starts: got %v, want %v", i, got, want[i])
		}
		if l := s.LocalStart(); l.Hour() != 9 || l.Minute() != 0 || l.Weekday() != time.Tuesday || l.Day() > 7 {
			t.Errorf("session %d local start: got %v, want a first Tuesday at 09:00", i, l)
		}
		if l := s.LocalEnd(); l.Hour() != 16 || l.Minute() != 30 {
			t.Errorf("session %d local end: got %v, want 16:30", i, l)
		}
		if got := s.StartsAt.Sub(s.RegistrationClosesAt); got != 48*time.Hour {
			t.Errorf("session %d registration closes: got %v before, want 48h", i, got)
		}
	}
}

func TestWeeklyForNWeeksAcrossDST(t *testing.T) {
	t.Parallel()
	eb := int64(49500)
	tpl := template()
	tpl.EarlyBirdPriceMinor = &eb
	spec := scheduling.SeriesSpec{Rule: scheduling.RuleWeekly, Count: 3, FirstDate: time.Date(2027, 3, 9, 0, 0, 0, 0, time.UTC),
		StartHM: "09:00", EndHM: "12:00", CloseHours: 24, EarlyBirdDays: 14, Template: tpl}
	ss, errs := scheduling.GenerateSeries(spec)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := []string{"2027-03-09T14:00:00Z", "2027-03-16T13:00:00Z", "2027-03-23T13:00:00Z"}
	if len(ss) != len(want) {
		t.Fatalf("got %d sessions, want %d", len(ss), len(want))
	}
	for i, s := range ss {
		if got := s.StartsAt.Format(time.RFC3339); got != want[i] {
			t.Errorf("session %d: got %v, want %v", i, got, want[i])
		}
		if s.EarlyBirdDeadline == nil || s.EarlyBirdDeadline.In(s.Location()).Format("2006-01-02 15:04") !=
			s.LocalStart().AddDate(0, 0, -14).Format("2006-01-02 15:04") {
			t.Errorf("session %d early-bird deadline: got %v, want 14 days before at the same wall time", i, s.EarlyBirdDeadline)
		}
	}
}

func TestLastFridayAndFourthWeekday(t *testing.T) {
	t.Parallel()
	spec := scheduling.SeriesSpec{Rule: scheduling.RuleMonthly, Count: 2, FirstDate: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Weekday: time.Friday, Nth: -1, StartHM: "10:00", EndHM: "11:00", Template: template()}
	ss, errs := scheduling.GenerateSeries(spec)
	if len(errs) > 0 || len(ss) != 2 {
		t.Fatalf("got %d sessions, errors %v; want 2", len(ss), errs)
	}
	if d := ss[0].LocalStart().Format("2006-01-02"); d != "2027-01-29" {
		t.Errorf("last Friday of January 2027: got %v, want 2027-01-29", d)
	}
	if d := ss[1].LocalStart().Format("2006-01-02"); d != "2027-02-26" {
		t.Errorf("last Friday of February 2027: got %v, want 2027-02-26", d)
	}
	// A first date after the month's Nth weekday starts in the next month.
	spec.Nth, spec.FirstDate = 1, time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)
	ss, errs = scheduling.GenerateSeries(spec)
	if len(errs) > 0 || len(ss) != 2 {
		t.Fatalf("got %d sessions, errors %v; want 2", len(ss), errs)
	}
	if d := ss[0].LocalStart().Format("2006-01-02"); d != "2027-02-05" {
		t.Errorf("first Friday after 20 Jan: got %v, want 2027-02-05", d)
	}
}

func TestSeriesRejectsBadInput(t *testing.T) {
	t.Parallel()
	base := scheduling.SeriesSpec{Rule: scheduling.RuleWeekly, Count: 3, FirstDate: time.Date(2027, 3, 9, 0, 0, 0, 0, time.UTC),
		StartHM: "09:00", EndHM: "12:00", Template: template()}
	cases := map[string]func(*scheduling.SeriesSpec){
		"end_time":   func(s *scheduling.SeriesSpec) { s.EndHM = "08:00" },
		"time_zone":  func(s *scheduling.SeriesSpec) { s.Template.TimeZone = "Mars/Olympus" },
		"count":      func(s *scheduling.SeriesSpec) { s.Count = 0 },
		"start_time": func(s *scheduling.SeriesSpec) { s.StartHM = "nine" },
		"nth":        func(s *scheduling.SeriesSpec) { s.Rule, s.Nth = scheduling.RuleMonthly, 5 },
		"price":      func(s *scheduling.SeriesSpec) { s.Template.PriceMinor = -1 },
		"capacity":   func(s *scheduling.SeriesSpec) { s.Template.Capacity = 0 },
	}
	for field, mutate := range cases {
		spec := base
		mutate(&spec)
		ss, errs := scheduling.GenerateSeries(spec)
		if errs[field] == "" || ss != nil {
			t.Errorf("%s: got errors %v and %d sessions, want an error on %s", field, errs, len(ss), field)
		}
	}
}

func TestDescribeSeries(t *testing.T) {
	t.Parallel()
	monthly := scheduling.SeriesSpec{Rule: scheduling.RuleMonthly, Count: 6, FirstDate: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Weekday: time.Tuesday, Nth: 1, StartHM: "09:00", EndHM: "16:30", Template: template()}
	if got, want := monthly.Describe(), "Monthly on the first Tuesday, 6 sessions from Jan 2027, 09:00–16:30 America/New_York"; got != want {
		t.Errorf("monthly: got %q, want %q", got, want)
	}
	weekly := scheduling.SeriesSpec{Rule: scheduling.RuleWeekly, Count: 1, FirstDate: time.Date(2027, 3, 9, 0, 0, 0, 0, time.UTC),
		StartHM: "09:00", EndHM: "12:00", Template: template()}
	if got, want := weekly.Describe(), "Weekly, 1 session from 9 Mar 2027, 09:00–12:00 America/New_York"; got != want {
		t.Errorf("weekly: got %q, want %q", got, want)
	}
}
