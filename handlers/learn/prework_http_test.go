package learn_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/models"
)

// preworkPaths are the staff prework routes for workshop w.
func preworkPaths(w *models.Workshop) []ht.Request {
	p := fmt.Sprintf("/admin/lessons/prework/%d", w.ID)
	return []ht.Request{
		{Path: "/admin/lessons/prework"},
		{Path: p},
		{Method: "POST", Path: p, Form: url.Values{"lesson": {"1"}}},
	}
}

func TestPreworkAdminAccess(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	w := ht.MustWorkshop(t, ta.DB, func(w *models.Workshop) { w.Title = "Origin Bootcamp" })
	for _, c := range []struct {
		name string
		as   *models.User
		want int
	}{
		{"anonymous", nil, http.StatusUnauthorized},
		{"learner", mustLearner(t, ta), http.StatusForbidden},
		{"instructor", ht.MustUser(t, ta.DB, models.RoleInstructor, ""), http.StatusForbidden},
	} {
		for _, r := range preworkPaths(w) {
			r.As = c.as
			rec := ta.Do(t, r)
			if rec.Code != c.want {
				t.Errorf("%s %s as %s: got %d, want %d", r.Method, r.Path, c.name, rec.Code, c.want)
			}
			if c.as == nil && !strings.Contains(rec.Body.String(), `action="/login`) {
				t.Errorf("%s %s as anonymous: no login form", r.Method, r.Path)
			}
		}
	}
	if n := len(preworkRows(t, ta, w)); n != 0 {
		t.Errorf("prework rows after refused posts: got %d, want 0", n)
	}
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	for path, want := range map[string][]string{
		"/admin/lessons":         {`href="/admin/lessons/prework"`},
		"/admin/lessons/prework": {"Origin Bootcamp", fmt.Sprintf(`href="/admin/lessons/prework/%d"`, w.ID), "None"},
		fmt.Sprintf("/admin/lessons/prework/%d", w.ID): {"Prework for Origin Bootcamp", `name="_csrf"`,
			`type="checkbox" name="lesson"`, "<legend>The Harmonized System", "USMCA"},
	} {
		rec := ta.Do(t, ht.Request{Path: path, As: admin})
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s as admin: got %d, want 200", path, rec.Code)
		}
		for _, s := range want {
			if !strings.Contains(rec.Body.String(), s) {
				t.Errorf("GET %s lacks %q", path, s)
			}
		}
	}
	for _, path := range []string{"/admin/lessons/prework/999999", "/admin/lessons/prework/abc"} {
		if rec := ta.Do(t, ht.Request{Path: path, As: admin}); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, rec.Code)
		}
	}
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/admin/lessons/prework/999999", Form: url.Values{}, As: admin})
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST unknown workshop: got %d, want 404", rec.Code)
	}
}

func preworkRows(t *testing.T, ta *ht.App, w *models.Workshop) []models.WorkshopPrework {
	t.Helper()
	var ps []models.WorkshopPrework
	if err := ta.DB.Where("workshop_id = ?", w.ID).Order("position").Find(&ps).Error; err != nil {
		t.Fatal(err)
	}
	return ps
}

func mustLesson(t *testing.T, ta *ht.App, slug string) *models.Lesson {
	t.Helper()
	l, err := models.FindLessonBySlug(context.Background(), ta.DB, slug)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPreworkSaveNeedsCSRF(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	w := ht.MustWorkshop(t, ta.DB)
	l := mustLesson(t, ta, originSlug)
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/lessons/prework/%d", w.ID),
		Form: url.Values{"lesson": {fmt.Sprint(l.ID)}}, As: admin, NoCSRF: true})
	if rec.Code != http.StatusForbidden {
		t.Errorf("without CSRF: got %d, want 403", rec.Code)
	}
	if n := len(preworkRows(t, ta, w)); n != 0 {
		t.Errorf("prework rows after a refused post: got %d, want 0", n)
	}
}

func TestPreworkSaveShowsOnDashboard(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	ctx := context.Background()
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	u := mustLearner(t, ta)
	w := ht.MustWorkshop(t, ta.DB, func(w *models.Workshop) { w.Title = "Origin Bootcamp" })
	s := ht.MustSession(t, ta.DB, w)
	o := &models.Order{Ref: "ref-prework-admin", SessionID: s.ID, UserID: u.ID, BuyerName: "B", BuyerEmail: u.Email,
		Seats: 1, Currency: "USD", PaymentMethod: models.PayByCard, Status: models.OrderPaid}
	if err := ta.DB.Omit("Session", "DiscountCode", "Attendees").Create(o).Error; err != nil {
		t.Fatal(err)
	}
	origin, gated, public := mustLesson(t, ta, originSlug), mustLesson(t, ta, gatedSlug), mustLesson(t, ta, publicSlug)
	// An older choice that the save replaces.
	if err := models.SetWorkshopPrework(ctx, ta.DB, w.ID, []uint{public.ID}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/lessons/prework/%d", w.ID)
	// Ticked out of reading order and one twice: stored once each, in reading order.
	rec := ta.Do(t, ht.Request{Method: "POST", Path: path, As: admin, Remote: "203.0.113.9:1234",
		Form: url.Values{"lesson": {fmt.Sprint(origin.ID), fmt.Sprint(gated.ID), fmt.Sprint(origin.ID)}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: got %d, want 303\n%.1500s", rec.Code, rec.Body.String())
	}
	if got, want := rec.Header().Get("Location"), fmt.Sprintf("/admin/lessons/prework?saved=%d", w.ID); got != want {
		t.Errorf("location: got %q, want %q", got, want)
	}
	rows := preworkRows(t, ta, w)
	if len(rows) != 2 {
		t.Fatalf("prework rows: got %d, want 2", len(rows))
	}
	if rows[0].LessonID != gated.ID || rows[1].LessonID != origin.ID {
		t.Errorf("prework order: got lessons %d, %d, want %d (HS track), %d (USMCA track)", rows[0].LessonID, rows[1].LessonID, gated.ID, origin.ID)
	}
	list := ta.Do(t, ht.Request{Path: "/admin/lessons/prework?saved=" + fmt.Sprint(w.ID), As: admin}).Body.String()
	for _, want := range []string{"Saved the prework of “Origin Bootcamp”", `href="/learn/` + originSlug + `"`, `href="/learn/` + gatedSlug + `"`} {
		if !strings.Contains(list, want) {
			t.Errorf("prework list lacks %q", want)
		}
	}
	body := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: u}).Body.String()
	for _, want := range []string{"Origin Bootcamp", `href="/learn/` + originSlug + `"`, `href="/learn/` + gatedSlug + `"`, "0 of 2 lessons done"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	form := ta.Do(t, ht.Request{Path: path, As: admin}).Body.String()
	if want := fmt.Sprintf(`value="%d" checked`, origin.ID); !strings.Contains(form, want) {
		t.Errorf("form does not tick the saved lesson (%q)", want)
	}

	es, err := models.ListAuditEntries(ctx, ta.DB, models.AuditFilter{Action: "workshop.prework"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("audit entries: got %d, want 1", len(es))
	}
	e := es[0]
	if e.ObjectType != "workshop" || e.ObjectID != fmt.Sprint(w.ID) || e.ActorID == nil || *e.ActorID != admin.ID {
		t.Errorf("audit entry: got %s %s by %v, want workshop %d by %d", e.ObjectType, e.ObjectID, e.ActorID, w.ID, admin.ID)
	}
	if !strings.Contains(e.Before, publicSlug) || !strings.Contains(e.After, gatedSlug) || !strings.Contains(e.After, originSlug) {
		t.Errorf("audit before/after: got %s → %s", e.Before, e.After)
	}

	// Ticking nothing clears the prework.
	rec = ta.Do(t, ht.Request{Method: "POST", Path: path, As: admin, Form: url.Values{}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("clear: got %d, want 303", rec.Code)
	}
	if n := len(preworkRows(t, ta, w)); n != 0 {
		t.Errorf("prework rows after clearing: got %d, want 0", n)
	}
}

func TestPreworkUnknownLessonIs422(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	ctx := context.Background()
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	w := ht.MustWorkshop(t, ta.DB)
	origin, public := mustLesson(t, ta, originSlug), mustLesson(t, ta, publicSlug)
	if err := models.SetWorkshopPrework(ctx, ta.DB, w.ID, []uint{public.ID}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"999999", "abc"} {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/lessons/prework/%d", w.ID), As: admin,
			Form: url.Values{"lesson": {fmt.Sprint(origin.ID), bad}}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("lesson %q: got %d, want 422", bad, rec.Code)
		}
		body := rec.Body.String()
		for _, want := range []string{`id="f-lessons-error"`, "no lesson “" + bad + "”", fmt.Sprintf(`value="%d" checked`, origin.ID)} {
			if !strings.Contains(body, want) {
				t.Errorf("lesson %q: page lacks %q", bad, want)
			}
		}
		rows := preworkRows(t, ta, w)
		if len(rows) != 1 || rows[0].LessonID != public.ID {
			t.Errorf("lesson %q: prework changed to %v, want only lesson %d", bad, rows, public.ID)
		}
	}
	es, err := models.ListAuditEntries(ctx, ta.DB, models.AuditFilter{Action: "workshop.prework"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 0 {
		t.Errorf("audit entries after refused saves: got %d, want 0", len(es))
	}
}
