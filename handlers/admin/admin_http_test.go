package admin_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// world is a session taught by one instructor, another instructor, a
// learner and an admin.
type world struct {
	ta                    *ht.App
	w                     *models.Workshop
	s                     *models.Session
	admin, teacher, other *models.User
	learner               *models.User
}

func newWorld(t *testing.T, mutate ...func(*models.Session)) *world {
	t.Helper()
	ta := ht.New(t)
	return seedWorld(t, ta, mutate...)
}

func seedWorld(t *testing.T, ta *ht.App, mutate ...func(*models.Session)) *world {
	t.Helper()
	wd := &world{ta: ta}
	wd.admin = ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	wd.teacher = ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	wd.other = ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	wd.learner = ht.MustUser(t, ta.DB, models.RoleLearner, "")
	wd.w = ht.MustWorkshop(t, ta.DB)
	id := wd.teacher.ID
	opts := append([]func(*models.Session){func(s *models.Session) { s.InstructorID = &id; s.AllowInvoice = true }}, mutate...)
	wd.s = ht.MustSession(t, ta.DB, wd.w, opts...)
	return wd
}

// sessionValues is a valid session form, 30 days after the test clock.
func sessionValues(workshopID uint) url.Values {
	return url.Values{"workshop_id": {fmt.Sprint(workshopID)}, "time_zone": {"America/Chicago"}, "format": {"virtual"},
		"starts_at": {"2027-01-05T09:00"}, "ends_at": {"2027-01-05T16:30"}, "registration_closes_at": {"2027-01-03T17:00"},
		"capacity": {"20"}, "price": {"595.00"}, "currency": {"USD"}, "cancel_cutoff_hours": {"168"}, "cancel_fee": {"50"},
		"status": {"draft"}, "join_url": {"https://meet.example.test/room"}}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestAuthorizationMatrix: every route of the scheduling console answers
// anonymous 401, learner 403, instructors 403 on admin pages and 404 on
// another instructor's session, and admins 200/303.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	wd := newWorld(t)
	ta, s := wd.ta, wd.s
	type route struct {
		method, path string
		form         url.Values
		staff        bool // instructors of the session may use it
		adminWant    int
	}
	sid := s.ID
	routes := []route{
		{"GET", "/admin/schedule", nil, false, 200},
		{"GET", "/admin/sessions/new", nil, false, 200},
		{"POST", "/admin/sessions", sessionValues(wd.w.ID), false, 303},
		{"GET", fmt.Sprintf("/admin/sessions/%d/edit", sid), nil, false, 200},
		{"POST", fmt.Sprintf("/admin/sessions/%d", sid), with(sessionValues(wd.w.ID), "status", "", "instructor_id", fmt.Sprint(wd.teacher.ID)), false, 303},
		{"POST", fmt.Sprintf("/admin/sessions/%d/duplicate", sid), url.Values{}, false, 303},
		{"POST", fmt.Sprintf("/admin/sessions/%d/status", sid), url.Values{"to": {"draft"}}, false, 303},
		{"GET", fmt.Sprintf("/admin/sessions/%d/cancel", sid), nil, false, 200},
		{"GET", fmt.Sprintf("/admin/sessions/%d/email", sid), nil, false, 200},
		{"GET", "/admin/series/new", nil, false, 200},
		{"GET", "/admin/workshops", nil, false, 200},
		{"GET", "/admin/workshops/new", nil, false, 200},
		{"GET", fmt.Sprintf("/admin/workshops/%d/edit", wd.w.ID), nil, false, 200},
		{"GET", "/admin/audit", nil, false, 200},
		{"GET", "/admin", nil, false, 200},
		{"GET", "/staff/sessions", nil, true, 200},
		{"GET", fmt.Sprintf("/staff/sessions/%d/roster", sid), nil, true, 200},
		{"GET", fmt.Sprintf("/staff/sessions/%d/sign-in", sid), nil, true, 200},
		{"GET", fmt.Sprintf("/staff/sessions/%d/attendance", sid), nil, true, 200},
		{"POST", fmt.Sprintf("/staff/sessions/%d/attendance", sid), url.Values{}, true, 303},
		{"POST", fmt.Sprintf("/admin/sessions/%d/cancel", sid), url.Values{"confirm": {"yes"}}, false, 303},
	}
	if len(routes) == 0 {
		t.Fatal("no routes")
	}
	for _, r := range routes {
		do := func(u *models.User) int {
			var form url.Values
			if r.form != nil {
				form = with(r.form)
			}
			return ta.Do(t, ht.Request{Method: r.method, Path: r.path, Form: form, As: u}).Code
		}
		if got := do(nil); got != http.StatusUnauthorized {
			t.Errorf("%s %s anonymous: got %d, want 401", r.method, r.path, got)
		}
		if got := do(wd.learner); got != http.StatusForbidden {
			t.Errorf("%s %s learner: got %d, want 403", r.method, r.path, got)
		}
		if r.staff {
			own := do(wd.teacher)
			if own != r.adminWant {
				t.Errorf("%s %s own instructor: got %d, want %d", r.method, r.path, own, r.adminWant)
			}
			if strings.Contains(r.path, "/sessions/") {
				if got := do(wd.other); got != http.StatusNotFound {
					t.Errorf("%s %s other instructor: got %d, want 404", r.method, r.path, got)
				}
			}
		} else if got := do(wd.teacher); got != http.StatusForbidden {
			t.Errorf("%s %s instructor: got %d, want 403", r.method, r.path, got)
		}
		if got := do(wd.admin); got != r.adminWant {
			t.Errorf("%s %s admin: got %d, want %d", r.method, r.path, got, r.adminWant)
		}
	}
	// CSRF: every POST without the token is refused.
	for _, r := range routes {
		if r.method != "POST" {
			continue
		}
		if got := ta.Do(t, ht.Request{Method: "POST", Path: r.path, Form: with(r.form), NoCSRF: true, As: wd.admin}).Code; got != http.StatusForbidden {
			t.Errorf("%s without CSRF: got %d, want 403", r.path, got)
		}
	}
}

// TestSessionFormRejectsBadInput: each validation rule answers 422 with
// its message beside the field, and nothing is stored.
func TestSessionFormRejectsBadInput(t *testing.T) {
	t.Parallel()
	wd := newWorld(t)
	ta := wd.ta
	base := sessionValues(wd.w.ID)
	cases := []struct {
		name, field string
		kv          []string
	}{
		{"end before start", "ends_at", []string{"ends_at", "2027-01-05T08:00"}},
		{"bad zone", "time_zone", []string{"time_zone", "America/Atlantis"}},
		{"negative price", "price", []string{"price", "-10"}},
		{"zero capacity", "capacity", []string{"capacity", "0"}},
		{"early bird after start", "early_bird_deadline", []string{"early_bird_price", "495", "early_bird_deadline", "2027-01-06T09:00"}},
		{"early bird not below price", "early_bird_price", []string{"early_bird_price", "700", "early_bird_deadline", "2027-01-01T09:00"}},
		{"registration closes after start", "registration_closes_at", []string{"registration_closes_at", "2027-01-05T10:00"}},
		{"no workshop", "workshop_id", []string{"workshop_id", "9999"}},
		{"join link not https", "join_url", []string{"join_url", "javascript:alert(1)"}},
		{"in person without city", "city", []string{"format", "in_person"}},
		{"fee above price", "cancel_fee", []string{"cancel_fee", "900"}},
		{"bad date", "starts_at", []string{"starts_at", "next tuesday"}},
		{"instructor not staff", "instructor_id", []string{"instructor_id", fmt.Sprint(wd.learner.ID)}},
	}
	for _, tc := range cases {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: "/admin/sessions", Form: with(base, tc.kv...), As: wd.admin})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: got %d, want 422", tc.name, rec.Code)
			continue
		}
		if !strings.Contains(rec.Body.String(), `id="f-`+tc.field+`-error"`) {
			t.Errorf("%s: no error beside %s", tc.name, tc.field)
		}
	}
	var n int64
	if err := ta.DB.Model(&models.Session{}).Count(&n).Error; err != nil || n != 1 {
		t.Errorf("sessions stored: got %d %v, want only the fixture", n, err)
	}
	// Capacity below the seats taken, on edit.
	ta.PlaceAPIOrder(t, wd.s.ID, 3, "invoice")
	edit := with(sessionValues(wd.w.ID), "capacity", "2", "starts_at", wd.s.LocalStart().Format("2006-01-02T15:04"),
		"time_zone", wd.s.TimeZone, "ends_at", wd.s.LocalEnd().Format("2006-01-02T15:04"),
		"registration_closes_at", wd.s.RegistrationClosesAt.In(wd.s.Location()).Format("2006-01-02T15:04"))
	rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/sessions/%d", wd.s.ID), Form: edit, As: wd.admin})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "below the seats already taken") {
		t.Errorf("capacity below seats: got %d, want 422 with the message", rec.Code)
	}
}

// TestCreateEditDuplicatePublishAudited: each change writes one audit
// entry with the actor, and the audit page shows and filters them.
func TestCreateEditDuplicatePublishAudited(t *testing.T) {
	t.Parallel()
	wd := newWorld(t)
	ta := wd.ta
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/admin/sessions", Form: with(sessionValues(wd.w.ID),
		"early_bird_price", "495", "early_bird_deadline", "2026-12-20T23:59", "instructor_id", fmt.Sprint(wd.teacher.ID)), As: wd.admin})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: got %d\n%s", rec.Code, rec.Body.String())
	}
	var s models.Session
	if err := ta.DB.Order("id DESC").First(&s).Error; err != nil {
		t.Fatal(err)
	}
	if s.Status != models.StatusDraft || s.StartsAt.Format(time.RFC3339) != "2027-01-05T15:00:00Z" || s.EarlyBirdPriceMinor == nil || *s.EarlyBirdPriceMinor != 49500 {
		t.Errorf("created: got %s %s %v, want a draft at 15:00Z with early bird 49500", s.Status, s.StartsAt, s.EarlyBirdPriceMinor)
	}
	for _, step := range []struct{ path, to string }{{"/status", "published"}, {"/duplicate", ""}} {
		form := url.Values{}
		if step.to != "" {
			form.Set("to", step.to)
		}
		if c := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/sessions/%d%s", s.ID, step.path), Form: form, As: wd.admin}).Code; c != http.StatusSeeOther {
			t.Fatalf("%s: got %d", step.path, c)
		}
	}
	// Completing a session that has not started is refused.
	if c := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/sessions/%d/status", s.ID), Form: url.Values{"to": {"completed"}}, As: wd.admin}).Code; c != http.StatusConflict {
		t.Errorf("complete before start: got %d, want 409", c)
	}
	var es []models.AuditEntry
	if err := ta.DB.Order("id").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Action)
		if e.ActorID == nil || *e.ActorID != wd.admin.ID {
			t.Errorf("%s: actor %v, want the admin", e.Action, e.ActorID)
		}
	}
	if want := "session.create,session.publish,session.duplicate"; strings.Join(got, ",") != want {
		t.Errorf("audit actions: got %v, want %s", got, want)
	}
	page := ta.Do(t, ht.Request{Path: "/admin/audit?action=session.publish", As: wd.admin})
	if page.Code != 200 || !strings.Contains(page.Body.String(), "session.publish") || strings.Contains(page.Body.String(), "Duplicated session") {
		t.Errorf("audit filter: got %d, want only the publish entry", page.Code)
	}
	if c := ta.Do(t, ht.Request{Path: "/admin/audit?from=yesterday", As: wd.admin}).Code; c != http.StatusUnprocessableEntity {
		t.Errorf("audit bad date: got %d, want 422", c)
	}
	if c := ta.Do(t, ht.Request{Path: "/admin/audit?actor=nobody@example.com", As: wd.admin}).Code; c != http.StatusUnprocessableEntity {
		t.Errorf("audit unknown actor: got %d, want 422", c)
	}
}

// TestSeriesPreviewThenCreate: the preview stores nothing; creating makes
// every session published, at 09:00 local across the DST change.
func TestSeriesPreviewThenCreate(t *testing.T) {
	t.Parallel()
	wd := newWorld(t)
	ta := wd.ta
	form := with(sessionValues(wd.w.ID), "rule", "monthly", "count", "6", "first_date", "2027-01-01", "weekday", "2", "nth", "1",
		"start_time", "09:00", "end_time", "16:30", "close_hours", "48", "time_zone", "America/New_York")
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/admin/series/preview", Form: with(form), As: wd.admin})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Create all 6 sessions") || !strings.Contains(rec.Body.String(), "Tue 6 Apr 2027, 09:00–16:30 EDT") {
		t.Fatalf("preview: got %d\n%.3000s", rec.Code, rec.Body.String())
	}
	var n int64
	if err := ta.DB.Model(&models.Session{}).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("after preview: %d sessions %v, want 1", n, err)
	}
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/admin/series", Form: with(form, "publish", "true"), As: wd.admin})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: got %d\n%.2000s", rec.Code, rec.Body.String())
	}
	var ss []models.Session
	if err := ta.DB.Where("id <> ?", wd.s.ID).Order("starts_at").Find(&ss).Error; err != nil {
		t.Fatal(err)
	}
	if len(ss) != 6 {
		t.Fatalf("got %d sessions, want 6", len(ss))
	}
	for _, s := range ss {
		if s.Status != models.StatusPublished || s.LocalStart().Hour() != 9 {
			t.Errorf("session %d: got %s at %v, want published at 09:00 local", s.ID, s.Status, s.LocalStart())
		}
	}
	// Bad input: 422 with the message beside the field, nothing stored.
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/admin/series", Form: with(form, "end_time", "08:00"), As: wd.admin})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="f-end_time-error"`) {
		t.Errorf("bad series: got %d, want 422 with an end_time error", rec.Code)
	}
}

// TestCancelWithAttendeesThroughTheRouter: a card order and an invoice
// order; cancelling twice refunds once and shows the summary.
func TestCancelWithAttendeesThroughTheRouter(t *testing.T) {
	t.Parallel()
	pay := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithFakeStripe(pay))
	wd := seedWorld(t, ta)
	o := ta.CardOrder(t, wd.s.ID, 2)
	if c := ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_x")), time.Now()).Code; c != 200 {
		t.Fatalf("pay: %d", c)
	}
	inv := ta.PlaceAPIOrder(t, wd.s.ID, 1, "invoice")
	path := fmt.Sprintf("/admin/sessions/%d/cancel", wd.s.ID)
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: url.Values{}, As: wd.admin}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("without confirm: got %d, want 422", rec.Code)
	}
	for i := 0; i < 2; i++ {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: url.Values{"confirm": {"yes"}, "reason": {"Instructor ill."}}, As: wd.admin})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("cancel %d: got %d", i+1, rec.Code)
		}
	}
	if calls := pay.RefundCalls(); len(calls) != 1 || calls[0].AmountMinor != o.TotalMinor {
		t.Errorf("refunds: got %+v, want one of %d", calls, o.TotalMinor)
	}
	if got := ta.Order(t, inv.ID); got.Status != models.OrderCancelled {
		t.Errorf("invoice: got %s, want cancelled", got.Status)
	}
	page := ta.Do(t, ht.Request{Path: path + "lation", As: wd.admin})
	if page.Code != 200 || !strings.Contains(page.Body.String(), "Card orders refunded") || !strings.Contains(page.Body.String(), "$1,190.00") {
		t.Errorf("summary: got %d\n%.3000s", page.Code, page.Body.String())
	}
	// Card order: its buyer and 2 attendees; invoice order: its buyer and 1 attendee.
	if n := ta.CountEmails(t, "session_cancel:"); n != 5 {
		t.Errorf("cancellation emails: got %d, want 5", n)
	}
}

// TestAttendanceByInstructor: the instructor marks present, absent and
// partial hours; bad hours are a 422 beside the attendee; the mark is
// audited; the roster and CSV show it.
func TestAttendanceByInstructor(t *testing.T) {
	t.Parallel()
	wd := newWorld(t)
	ta := wd.ta
	o := ta.PlaceAPIOrder(t, wd.s.ID, 3, "invoice")
	a := o.Attendees
	if len(a) != 3 {
		t.Fatalf("got %d attendees, want 3", len(a))
	}
	path := fmt.Sprintf("/staff/sessions/%d/attendance", wd.s.ID)
	bad := url.Values{fmt.Sprintf("status-%d", a[0].ID): {"partial"}, fmt.Sprintf("hours-%d", a[0].ID): {"99"}}
	rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: bad, As: wd.teacher})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), fmt.Sprintf(`id="e-%d"`, a[0].ID)) {
		t.Fatalf("bad hours: got %d, want 422 beside the attendee", rec.Code)
	}
	good := url.Values{fmt.Sprintf("status-%d", a[0].ID): {"present"}, fmt.Sprintf("status-%d", a[1].ID): {"absent"},
		fmt.Sprintf("status-%d", a[2].ID): {"partial"}, fmt.Sprintf("hours-%d", a[2].ID): {"3.5"}}
	if c := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: good, As: wd.teacher}).Code; c != http.StatusSeeOther {
		t.Fatalf("mark: got %d", c)
	}
	marks, err := models.ListAttendance(context.Background(), ta.DB, wd.s.ID)
	if err != nil || len(marks) != 3 {
		t.Fatalf("marks: got %d %v, want 3", len(marks), err)
	}
	if m := marks[a[0].ID]; m.Status != models.AttendancePresent || m.Hours != 7 {
		t.Errorf("present: got %+v, want 7 hours", m)
	}
	if m := marks[a[2].ID]; m.Status != models.AttendancePartial || m.Hours != 3.5 {
		t.Errorf("partial: got %+v, want 3.5 hours", m)
	}
	var e models.AuditEntry
	if err := ta.DB.Where("action = ?", "attendance.mark").First(&e).Error; err != nil || e.ActorID == nil || *e.ActorID != wd.teacher.ID {
		t.Errorf("audit: got %+v %v, want an entry by the instructor", e, err)
	}
	page := ta.Do(t, ht.Request{Path: fmt.Sprintf("/staff/sessions/%d/roster", wd.s.ID), As: wd.teacher})
	if page.Code != 200 || !strings.Contains(page.Body.String(), "Partial (3.5 h)") {
		t.Errorf("roster: got %d, want the partial mark", page.Code)
	}
	// The other instructor cannot mark.
	if c := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: good, As: wd.other}).Code; c != http.StatusNotFound {
		t.Errorf("other instructor: got %d, want 404", c)
	}
}

// TestRosterCSVDefusesFormulas: every column passes the guard.
func TestRosterCSVDefusesFormulas(t *testing.T) {
	t.Parallel()
	wd := newWorld(t)
	ta := wd.ta
	body := `{"buyer":{"name":"=HYPERLINK(\"http://x\")","email":"buyer@example.com","company":"+cmd|' /C calc'!A0"},` +
		`"attendees":[{"name":"@SUM(1+1)","email":"att@example.com"}],"payment_method":"invoice","po_number":"-2+3"}`
	rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", wd.s.ID), body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("order: got %d %s", rec.Code, rec.Body.String())
	}
	// The buyer confirms the invoice order by the emailed link; only then
	// is it on the roster.
	var o models.Order
	if err := ta.DB.Preload("Session.Workshop").Where("buyer_email = ?", "buyer@example.com").First(&o).Error; err != nil {
		t.Fatal(err)
	}
	ta.ConfirmOrderByEmail(t, &o)
	rec = ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/sessions/%d/roster.csv", wd.s.ID), As: wd.teacher})
	if rec.Code != 200 {
		t.Fatalf("csv: got %d", rec.Code)
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: got %d rows %v, want header and one attendee", len(rows), err)
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s: %q starts with a formula character", rows[0][i], cell)
		}
	}
	if c := ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/sessions/%d/roster.csv", wd.s.ID), As: wd.other}).Code; c != http.StatusNotFound {
		t.Errorf("other instructor csv: got %d, want 404", c)
	}
}

// TestBulkEmailPreviewThenSend: the preview shows the count and queues
// nothing; sending queues one email per attendee once, even if resent.
func TestBulkEmailPreviewThenSend(t *testing.T) {
	t.Parallel()
	wd := newWorld(t)
	ta := wd.ta
	ta.PlaceAPIOrder(t, wd.s.ID, 2, "invoice")
	path := fmt.Sprintf("/admin/sessions/%d/email", wd.s.ID)
	form := url.Values{"audience": {"pending_invoice"}, "subject": {"Bring your HTSUS"}, "body": {"See you Tuesday."}, "action": {"preview"}}
	rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: with(form), As: wd.admin})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Preview: 2 recipients") {
		t.Fatalf("preview: got %d\n%.2000s", rec.Code, rec.Body.String())
	}
	if n := ta.CountEmails(t, "bulk:"); n != 0 {
		t.Fatalf("after preview: %d emails, want 0", n)
	}
	for i := 0; i < 2; i++ {
		if c := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: with(form, "action", "send", "batch", "b1"), As: wd.admin}).Code; c != http.StatusSeeOther {
			t.Fatalf("send: got %d", c)
		}
	}
	if n := ta.CountEmails(t, "bulk:"); n != 2 {
		t.Errorf("bulk emails: got %d, want 2", n)
	}
	for _, tc := range []struct{ field, k, v string }{{"subject", "subject", ""}, {"audience", "audience", "attended"}, {"audience", "audience", "everyone"}} {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: with(form, tc.k, tc.v), As: wd.admin})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="f-`+tc.field+`-error"`) {
			t.Errorf("%s=%q: got %d, want 422 beside %s", tc.k, tc.v, rec.Code, tc.field)
		}
	}
}

// TestWorkshopCRUD: create, edit, validation beside the fields, slug clash.
func TestWorkshopCRUD(t *testing.T) {
	t.Parallel()
	wd := newWorld(t)
	ta := wd.ta
	form := url.Values{"title": {"Origin under USMCA"}, "slug": {"usmca-origin"}, "summary": {"Rules of origin in practice."},
		"description_md": {"## What you learn\n\nTariff shift rules."}, "level": {"intermediate"}, "duration_minutes": {"420"},
		"ce_credit_hours": {"6.5"}, "default_price": {"695"}, "currency": {"USD"}}
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/admin/workshops", Form: with(form), As: wd.admin}).Code; c != http.StatusSeeOther {
		t.Fatalf("create: got %d", c)
	}
	w, err := models.FindWorkshopBySlug(context.Background(), ta.DB, "usmca-origin")
	if err != nil || w.CECreditHours != 6.5 || w.DefaultPriceMinor != 69500 {
		t.Fatalf("created: got %+v %v", w, err)
	}
	if c := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/workshops/%d", w.ID), Form: with(form, "title", "USMCA origin"), As: wd.admin}).Code; c != http.StatusSeeOther {
		t.Errorf("edit: got %d", c)
	}
	for _, tc := range []struct{ field, v string }{{"slug", "Bad Slug"}, {"slug", wd.w.Slug}, {"title", ""}, {"level", "expert"},
		{"ce_credit_hours", "lots"}, {"default_price", "-1"}, {"duration_minutes", "5"}} {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: "/admin/workshops", Form: with(form, tc.field, tc.v), As: wd.admin})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="f-`+tc.field+`-error"`) {
			t.Errorf("%s=%q: got %d, want 422 beside the field", tc.field, tc.v, rec.Code)
		}
	}
	var n int64
	if err := ta.DB.Model(&models.AuditEntry{}).Where("object_type = ?", "workshop").Count(&n).Error; err != nil || n != 2 {
		t.Errorf("workshop audit entries: got %d %v, want 2", n, err)
	}
}
