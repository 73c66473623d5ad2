package catalog_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	ics "github.com/arran4/golang-ical"

	"github.com/hsworkshop/hsworkshop/models"
)

func TestPublicPages(t *testing.T) {
	t.Parallel()
	catalog := func(t *testing.T, ta *ht.App) {
		hs := ht.MustTopic(t, ta.DB, "hs-classification", "HS classification")
		usmca := ht.MustTopic(t, ta.DB, "usmca", "USMCA origin")
		w1 := ht.MustWorkshop(t, ta.DB, func(w *models.Workshop) { w.Title = "GRI Fundamentals"; w.Topics = []models.Topic{hs} })
		w2 := ht.MustWorkshop(t, ta.DB, func(w *models.Workshop) { w.Title = "USMCA Origin"; w.Topics = []models.Topic{usmca} })
		ht.MustSession(t, ta.DB, w1, func(s *models.Session) { s.TimeZone = "America/Chicago" })
		ht.MustSession(t, ta.DB, w2, func(s *models.Session) {
			s.Format = models.FormatInPerson
			s.City = "Laredo, TX"
			s.StartsAt = time.Date(2027, 1, 12, 15, 0, 0, 0, time.UTC)
			s.EndsAt = s.StartsAt.Add(7 * time.Hour)
			s.RegistrationClosesAt = s.StartsAt.Add(-time.Hour)
		})
		ht.MustSession(t, ta.DB, w1, func(s *models.Session) { s.Status = models.StatusDraft; s.City = "Draftville" })
	}
	ht.Run(t, []ht.Scenario{
		{Name: "home lists sessions and workshops", Req: ht.Request{Path: "/"}, Setup: catalog, WantStatus: 200,
			WantBody: []string{"GRI Fundamentals", "USMCA Origin", "Next sessions"}, WantNotBody: []string{"Draftville"}},
		{Name: "catalog unfiltered", Req: ht.Request{Path: "/sessions"}, Setup: catalog, WantStatus: 200,
			WantBody: []string{"GRI Fundamentals", "USMCA Origin", "2 sessions"}, WantNotBody: []string{"Draftville"}},
		{Name: "catalog by topic", Req: ht.Request{Path: "/sessions?topic=usmca"}, Setup: catalog, WantStatus: 200,
			WantBody: []string{"USMCA Origin", "1 session match"}, WantNotBody: []string{`<a href="/sessions/1">GRI Fundamentals`}},
		{Name: "catalog by format", Req: ht.Request{Path: "/sessions?format=in_person"}, Setup: catalog, WantStatus: 200,
			WantBody: []string{"Laredo, TX", "1 session match"}},
		{Name: "catalog by month", Req: ht.Request{Path: "/sessions?month=2027-01"}, Setup: catalog, WantStatus: 200,
			WantBody: []string{"USMCA Origin", "1 session match", "January 2027"}},
		{Name: "catalog bad filter is explained beside the field", Req: ht.Request{Path: "/sessions?topic=nope&month=13-2026"}, Setup: catalog,
			WantStatus: http.StatusBadRequest, WantBody: []string{"Unknown topic; showing all topics.", "Use a month like 2026-12", `aria-invalid="true"`, "2 sessions"}},
		{Name: "unknown session is a friendly 404", Req: ht.Request{Path: "/sessions/999"}, WantStatus: 404, WantBody: []string{"Page not found"}},
		{Name: "non-numeric session id is 404", Req: ht.Request{Path: "/sessions/abc"}, WantStatus: 404},
		{Name: "draft session is hidden", Req: ht.Request{Path: "/sessions/3"}, Setup: catalog, WantStatus: 404},
		{Name: "unknown workshop 404", Req: ht.Request{Path: "/workshops/nope"}, WantStatus: 404},
		{Name: "unknown route JSON 404 when asked", Req: ht.Request{Path: "/nope", Headers: map[string]string{"Accept": "application/json"}},
			WantStatus: 404, WantBody: []string{`"error":"not_found"`}},
	})

	t.Run("session page shows its own zone, named, and the viewer-local hook", func(t *testing.T) {
		t.Parallel()
		ta := ht.New(t)
		w := ht.MustWorkshop(t, ta.DB)
		// 2026-12-08 15:00 UTC is 07:00 in Los Angeles (PST, UTC-8).
		ht.MustSession(t, ta.DB, w, func(s *models.Session) {
			s.TimeZone = "America/Los_Angeles"
			s.StartsAt = time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
			s.EndsAt = s.StartsAt.Add(7*time.Hour + 30*time.Minute)
			s.RegistrationClosesAt = s.StartsAt.Add(-24 * time.Hour)
		})
		rec := ta.Do(t, ht.Request{Path: "/sessions/1"})
		body := rec.Body.String()
		for _, want := range []string{"Tue 8 Dec 2026, 07:00–14:30 PST", "America/Los_Angeles", `data-local-start="2026-12-08T15:00:00Z"`} {
			if !strings.Contains(body, want) {
				t.Errorf("session page lacks %q", want)
			}
		}
		if strings.Contains(body, "15:00–22:30") {
			t.Error("session page shows UTC wall-clock times")
		}
	})
}

func TestSessionPagePrivateDetails(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	w := ht.MustWorkshop(t, ta.DB)
	learner := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	instructor := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	other := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	ht.MustSession(t, ta.DB, w, func(s *models.Session) { s.InstructorID = &instructor.ID })
	// Instructors see private details only for the sessions they teach (issue 8).
	for _, tc := range []struct {
		name string
		as   *models.User
		want bool
	}{{"anonymous", nil, false}, {"learner", learner, false}, {"its instructor", instructor, true},
		{"another instructor", other, false}, {"admin", ht.MustUser(t, ta.DB, models.RoleAdmin, ""), true}} {
		rec := ta.Do(t, ht.Request{Path: "/sessions/1", As: tc.as})
		got := strings.Contains(rec.Body.String(), "secret-room")
		if got != tc.want {
			t.Errorf("%s sees join link: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSessionPagePricesAndSeats(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	w := ht.MustWorkshop(t, ta.DB)
	eb := int64(49500)
	deadline := ht.Now.AddDate(0, 0, 3)
	ht.MustSession(t, ta.DB, w, func(s *models.Session) {
		s.EarlyBirdPriceMinor, s.EarlyBirdDeadline = &eb, &deadline
		s.Capacity, s.SeatsTaken = 20, 18
	})
	body := ta.Do(t, ht.Request{Path: "/sessions/1"}).Body.String()
	for _, want := range []string{"$495.00", "Early bird", "then $595.00", "Only 2 seats left", `href="/sessions/1/register"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	ta.SetNow(deadline.Add(time.Minute))
	body = ta.Do(t, ht.Request{Path: "/sessions/1"}).Body.String()
	if strings.Contains(body, "$495.00") || !strings.Contains(body, "$595.00") {
		t.Error("early-bird price still shown after its deadline")
	}
	if err := ta.DB.Model(&models.Session{}).Where("id = 1").Update("seats_taken", 20).Error; err != nil {
		t.Fatal(err)
	}
	body = ta.Do(t, ht.Request{Path: "/sessions/1"}).Body.String()
	if !strings.Contains(body, "sold out") || strings.Contains(body, `href="/sessions/1/register"`) {
		t.Error("sold-out session still offers registration")
	}
}

func TestAPISessions(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	w := ht.MustWorkshop(t, ta.DB, func(w *models.Workshop) { w.Slug = "gri-basics"; w.Title = "GRI Basics" })
	s := ht.MustSession(t, ta.DB, w, func(s *models.Session) { s.TimeZone = "America/Chicago"; s.SeatsTaken = 5 })
	ht.MustSession(t, ta.DB, w, func(s *models.Session) { s.Status = models.StatusDraft })
	ht.MustSession(t, ta.DB, w, func(s *models.Session) {
		s.StartsAt = ht.Now.Add(-48 * time.Hour)
		s.EndsAt = s.StartsAt.Add(time.Hour)
		s.RegistrationClosesAt = s.StartsAt
	})

	rec := ta.Do(t, ht.Request{Path: "/api/v1/sessions"})
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("list: got %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var list []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("list: got %d sessions, want 1 (published and upcoming only)", len(list))
	}
	got := list[0]
	want := map[string]any{"id": float64(s.ID), "starts_at": s.StartsAt.Format(time.RFC3339), "ends_at": s.EndsAt.Format(time.RFC3339),
		"time_zone": "America/Chicago", "format": "virtual", "capacity": float64(20), "seats_left": float64(15),
		"url": "http://hsw.test/sessions/1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v, want %v", k, got[k], v)
		}
	}
	if ws := got["workshop"].(map[string]any); ws["slug"] != "gri-basics" || ws["title"] != "GRI Basics" {
		t.Errorf("workshop: got %v", ws)
	}
	if p := got["price"].(map[string]any); p["amount_minor"] != float64(59500) || p["currency"] != "USD" {
		t.Errorf("price: got %v", p)
	}
	if !strings.HasSuffix(got["starts_at"].(string), "Z") {
		t.Errorf("starts_at not UTC RFC 3339: %v", got["starts_at"])
	}

	ht.Run(t, []ht.Scenario{
		{Name: "one session", Req: ht.Request{Path: "/api/v1/sessions/1"}, Setup: func(t *testing.T, ta *ht.App) {
			ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB))
		}, WantStatus: 200, WantBody: []string{`"id":1`, `"seats_left":20`}},
		{Name: "unknown", Req: ht.Request{Path: "/api/v1/sessions/42"}, WantStatus: 404, WantBody: []string{`"error":"not_found"`}},
		{Name: "malformed id", Req: ht.Request{Path: "/api/v1/sessions/x1"}, WantStatus: 404, WantBody: []string{`"error":"not_found"`}},
		{Name: "draft is 404", Req: ht.Request{Path: "/api/v1/sessions/1"}, Setup: func(t *testing.T, ta *ht.App) {
			ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Status = models.StatusDraft })
		}, WantStatus: 404, WantBody: []string{`"error"`}},
		{Name: "empty list is []", Req: ht.Request{Path: "/api/v1/sessions"}, WantStatus: 200, WantBody: []string{"[]"}},
	})
}

func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	w := ht.MustWorkshop(t, ta.DB, func(w *models.Workshop) { w.Title = "HTSUS in Depth" })
	ht.MustSession(t, ta.DB, w, func(s *models.Session) {
		s.TimeZone = "America/Chicago"
		s.StartsAt = time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
		s.EndsAt = s.StartsAt.Add(7 * time.Hour)
	})
	ht.MustSession(t, ta.DB, w, func(s *models.Session) { s.Status = models.StatusDraft })
	rec := ta.Do(t, ht.Request{Path: "/calendar.ics"})
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	cal, err := ics.ParseCalendar(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("feed does not parse: %v", err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("events: got %d, want 1", len(evs))
	}
	start := evs[0].GetProperty(ics.ComponentPropertyDtStart)
	if start.Value != "20261208T090000" || start.ICalParameters["TZID"][0] != "America/Chicago" {
		t.Errorf("DTSTART: got %v %v, want 20261208T090000 in America/Chicago", start.Value, start.ICalParameters)
	}
	if len(cal.Timezones()) != 1 {
		t.Errorf("VTIMEZONE blocks: got %d, want 1", len(cal.Timezones()))
	}
	if strings.Contains(rec.Body.String(), "secret-room") {
		t.Error("public feed leaks the join link")
	}
}
