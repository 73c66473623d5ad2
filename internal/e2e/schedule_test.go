//go:build browser

package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const (
	instructorEmail    = "elena.marchetti@hsworkshop.example" // seeded instructor, no password
	instructorPassword = "a long instructor password for e2e"
)

// submit clicks the submit button of the form posting to action.
func submit(action string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action=%s] button[type="submit"]`, jsString(action))))
}

// TestJourneyScheduleSeries: the admin opens the series form from the
// dashboard, previews "every first Tuesday for 6 months" (across the DST
// change), publishes it, and sees the six sessions on the schedule; bad
// input shows the message beside the field.
func TestJourneyScheduleSeries(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.openAndLogIn(adminEmail, adminPassword)

	b.Step("dashboard")
	b.mustOpen("/admin")
	if got := b.follow(`click "Schedule a series"`, chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Schedule a series"]`))); got != http.StatusOK {
		b.fatalf("series form: got %d", got)
	}
	b.visited("series form")
	b.shot("series-form")

	b.Step("bad-input")
	ws := b.texts(`#f-workshop_id option`)
	if len(ws) < 2 {
		b.fatalf("workshop choices: got %q, want the seeded workshops", ws)
	}
	b.setValue("f-workshop_id", "1")
	b.setValue("f-first_date", "2027-01-01")
	b.setValue("f-start_time", "09:00")
	b.setValue("f-end_time", "08:00")
	if got := b.follow(`click "Preview the dates"`, chromedp.Click(chromedp.CSS(`form[action="/admin/series/preview"] button[type="submit"]`))); got != http.StatusUnprocessableEntity {
		b.fatalf("bad series: got %d, want 422", got)
	}
	b.checkFieldError("end_time", "The end must be after the start.")
	b.visited("series form with errors")

	b.Step("preview")
	b.setValue("f-end_time", "16:30")
	b.setValue("f-price", "595")
	if got := b.follow(`click "Preview the dates"`, chromedp.Click(chromedp.CSS(`form[action="/admin/series/preview"] button[type="submit"]`))); got != http.StatusOK {
		b.fatalf("preview: got %d, want 200", got)
	}
	rows := b.texts(".series-preview tbody tr td:nth-child(2)")
	if len(rows) != 6 {
		b.fatalf("preview rows: got %d %q, want 6", len(rows), rows)
	}
	if !strings.HasPrefix(rows[0], "Tue 5 Jan 2027, 09:00–16:30 EST") || !strings.HasPrefix(rows[3], "Tue 6 Apr 2027, 09:00–16:30 EDT") {
		b.errorf("preview dates: got %q, want first Tuesdays at 09:00 local, EST then EDT", rows)
	}
	b.visited("series preview")
	b.shot("series-preview")

	b.Step("create")
	b.run(chromedp.Click(chromedp.CSS(`.series-preview input[name="publish"]`)))
	if got := b.follow(`click "Create all 6 sessions"`, chromedp.Click(chromedp.CSS(`form[action="/admin/series"] button[type="submit"]`))); got != http.StatusOK {
		b.fatalf("create series: got %d", got)
	}
	if p := b.path(); !strings.HasPrefix(p, "/admin/series/") {
		b.errorf("after create: at %q, want the new series' page", p)
	}
	b.checkFlash("Series created: 6 sessions.")
	if got := b.texts("main table tbody tr"); len(got) != 6 || strings.Count(strings.Join(got, "\n"), "published") != 6 {
		b.errorf("series page: got %q, want its 6 published sessions", got)
	}
	b.visited("series page")
	b.shot("series-page")
	seriesPath, _, _ := strings.Cut(b.path(), "?")
	phone := newPhoneBrowser(t, srv)
	if got := phone.open("/login"); got != http.StatusOK {
		phone.fatalf("GET /login: got %d", got)
	}
	phone.logIn(adminEmail, adminPassword)
	phone.checkNarrow("series-page", seriesPath)
	if got := b.open("/admin/schedule"); got != http.StatusOK {
		b.fatalf("schedule: got %d", got)
	}
	if n := len(b.texts(fmt.Sprintf(`main a[href=%s]`, jsString(seriesPath)))); n != 6 {
		b.errorf("schedule: got %d links to the series, want 6", n)
	}
	all := strings.Join(b.texts("main table tbody tr"), "\n")
	for _, d := range []string{"5 Jan 2027", "2 Feb 2027", "2 Mar 2027", "6 Apr 2027", "4 May 2027", "1 Jun 2027"} {
		if !strings.Contains(all, d+" 09:00") {
			b.errorf("schedule: no session on %s at 09:00", d)
		}
	}
	if n := strings.Count(all, "published"); n < 6 {
		b.errorf("schedule: got %d published rows, want at least 6", n)
	}
	b.visited("schedule")
	b.shot("schedule")

	b.Step("session-form")
	b.mustOpen("/admin/sessions/new")
	b.visited("new session form")
	b.shot("session-form")
}

// placeInvoiceOrder books n seats of session path (e.g. /sessions/3) for
// invoice through the public API and returns the HTTP status (201 when
// booked; 409 when the session is closed or full).
func placeInvoiceOrder(t *testing.T, srv *server, sessionPath string, n int, tag string) int {
	t.Helper()
	var atts []string
	for i := 1; i <= n; i++ {
		atts = append(atts, fmt.Sprintf(`{"name":"Attendee %s %d","email":"att-%s-%d@example.com","needs":"Needs of %s %d: captions"}`, tag, i, tag, i, tag, i))
	}
	body := fmt.Sprintf(`{"buyer":{"name":"Buyer %s","email":"buyer-%s@example.com","company":"Broker %s LLC"},"attendees":[%s],"payment_method":"invoice"}`,
		tag, tag, tag, strings.Join(atts, ","))
	resp, err := http.Post(srv.URL+"/api/v1"+sessionPath+"/orders", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatalf("place order: %v", err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// TestJourneyCancelSessionWithAttendees: two invoice orders; the admin
// cancels from the session page and reads the summary.
func TestJourneyCancelSessionWithAttendees(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)
	b.openAndLogIn(adminEmail, adminPassword)

	b.Step("pick")
	b.mustOpen("/admin/schedule")
	href, ok := b.attr(`main table tbody tr:last-child td a[href^="/admin/sessions/"]`, "href")
	if !ok {
		b.fatalf("no session on the schedule")
	}
	id := strings.TrimPrefix(href, "/admin/sessions/")
	for i, tag := range []string{"a", "b"} {
		if got := placeInvoiceOrder(t, srv, "/sessions/"+id, 2-i, tag); got != http.StatusCreated {
			b.fatalf("book %s on session %s: got %d, want 201", tag, id, got)
		}
		// The buyers confirm by the emailed link, so the invoices are issued.
		b.confirmOrderByEmail(srv, "buyer-"+tag+"@example.com")
	}

	b.Step("session")
	b.mustOpen(href)
	if got := b.follow(`click "Cancel session…"`, chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Cancel session…"]`))); got != http.StatusOK {
		b.fatalf("cancel page: %d", got)
	}
	b.visited("cancel confirmation")
	b.shot("cancel-confirm")

	b.Step("unconfirmed")
	if got := b.follow(`submit without ticking`, submit(href+"/cancel")); got != http.StatusUnprocessableEntity {
		b.errorf("unconfirmed: got %d, want 422", got)
	}

	b.Step("cancel")
	b.typeInto("f-reason", "The instructor is ill; we will offer a new date.")
	b.run(chromedp.Click(chromedp.CSS(`input[name="confirm"]`)))
	if got := b.follow(`click "Cancel the session"`, submit(href+"/cancel")); got != http.StatusOK {
		b.fatalf("cancel: got %d", got)
	}
	if p := b.path(); p != href+"/cancellation" {
		b.errorf("after cancel: at %q, want %q", p, href+"/cancellation")
	}
	// The seeded session may already have orders: check at least ours.
	facts := b.texts(".facts dd")
	if len(facts) < 6 {
		b.fatalf("summary: got %q, want six facts", facts)
	}
	var voided, emails int
	if _, err := fmt.Sscan(facts[1], &voided); err != nil || voided < 2 {
		b.errorf("invoices voided: got %q, want at least our 2", facts[1])
	}
	if _, err := fmt.Sscan(facts[4], &emails); err != nil || emails < 5 {
		b.errorf("emails queued: got %q, want at least 5 (2 buyers, 3 attendees)", facts[4])
	}
	if p := b.open(href); p != http.StatusOK || !strings.Contains(b.mustText("main .lead"), "cancelled") {
		b.errorf("session page after cancelling: status %d, want it marked cancelled", p)
	}
	b.visited("cancellation summary")
	b.shot("cancel-summary")
}

var resetLink = regexp.MustCompile(`/password/reset\?token=[A-Za-z0-9_-]+`)

// TestJourneyAttendanceOnPhone: the seeded instructor sets a password
// through the reset email (read from her mailbox), opens "My
// sessions" on a phone-width screen and marks attendance with the big
// buttons; the page never scrolls sideways.
func TestJourneyAttendanceOnPhone(t *testing.T) {
	srv := startServer(t)
	b := newPhoneBrowser(t, srv)

	b.Step("forgot")
	b.mustOpen("/password/forgot")
	b.typeInto("f-email", instructorEmail)
	if got := b.follow("ask for a reset link", submit("/password/forgot")); got != http.StatusOK {
		b.fatalf("forgot submit: %d", got)
	}

	b.Step("outbox")
	b.openAndLogIn(adminEmail, adminPassword)
	// Staff see reset links redacted at /admin/emails (issue 8), so the
	// link is read from the instructor's mailbox (the outbox table).
	b.mustOpen("/admin/emails")
	if body := b.mustText("main"); strings.Contains(body, "token=") {
		b.errorf("the admin outbox shows a reset token")
	}
	link := srv.mailLink(b, "password_reset", instructorEmail, regexp.MustCompile(`(`+resetLink.String()+`)`))
	// The admin's scheduling pages fit a phone too.
	for _, p := range []struct{ name, path string }{{"schedule", "/admin/schedule"}, {"session-form", "/admin/sessions/new"},
		{"series-form", "/admin/series/new"}, {"workshop-form", "/admin/workshops/new"}, {"audit", "/admin/audit"}, {"dashboard", "/admin"}} {
		b.checkNarrow(p.name, p.path)
	}
	b.Step("logout")
	b.mustOpen("/")
	b.logOut()

	b.Step("reset")
	b.mustOpen(link)
	b.typeInto("f-password", instructorPassword)
	b.typeInto("f-password_confirm", instructorPassword)
	if got := b.follow("save the password", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`))); got != http.StatusOK {
		b.fatalf("reset: %d", got)
	}
	b.openAndLogIn(instructorEmail, instructorPassword)

	b.Step("my-sessions")
	b.mustOpen("/staff/sessions")
	// Book three people on the first of her sessions that takes bookings.
	var att, sessionPath string
	for _, a := range eval[[]string](b, `[...document.querySelectorAll('.staff-session a[href$="/attendance"]')].map(a => a.getAttribute('href'))`) {
		p := strings.TrimSuffix(strings.TrimPrefix(a, "/staff"), "/attendance")
		if placeInvoiceOrder(t, srv, p, 3, "p") == http.StatusCreated {
			att, sessionPath = a, p
			break
		}
	}
	if att == "" {
		b.fatalf("no session of %s takes bookings", instructorEmail)
	}
	b.confirmOrderByEmail(srv, "buyer-p@example.com") // the invoice is issued once the buyer confirms
	b.mustOpen("/staff/sessions")
	b.checkNoSideScroll("/staff/sessions")
	b.visited("my sessions on a phone")
	b.shot("phone-my-sessions")

	b.Step("attendance")
	if got := b.follow(`tap "Attendance"`, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href=%s]`, jsString(att))))); got != http.StatusOK {
		b.fatalf("attendance page: %d", got)
	}
	// The seeded session may have other bookings: ours are the last three.
	rows := b.texts(".attendance-row legend .attendee-name")
	if len(rows) < 3 || strings.Join(rows[len(rows)-3:], "|") != "Attendee p 1|Attendee p 2|Attendee p 3" {
		b.fatalf("attendance rows: got %q, want ours last", rows)
	}
	b.checkNoSideScroll(att)
	b.visited("attendance on a phone")
	b.shot("phone-attendance")
	if h := eval[float64](b, `document.querySelector('.attendance-choices .choice').getBoundingClientRect().height`); h < 44 {
		b.errorf("touch target height: got %.0f px, want at least 44", h)
	}
	b.run(
		chromedp.Click(chromedp.CSS(`.attendance-row:nth-last-of-type(3) input[value="present"]`)),
		chromedp.Click(chromedp.CSS(`.attendance-row:nth-last-of-type(2) input[value="absent"]`)),
		chromedp.Click(chromedp.CSS(`.attendance-row:nth-last-of-type(1) input[value="partial"]`)),
	)
	b.run(chromedp.SendKeys(chromedp.CSS(`.attendance-row:nth-last-of-type(1) input[type="number"]`), "3.5"))
	if got := b.follow(`tap "Save attendance"`, chromedp.Click(chromedp.CSS(".attendance-save"))); got != http.StatusOK {
		b.fatalf("save attendance: %d", got)
	}
	b.checkFlash("Attendance saved.")

	b.Step("roster")
	b.mustOpen("/staff" + sessionPath + "/roster")
	marks := strings.Join(b.texts("main table tbody tr td:last-child"), "|")
	if !strings.Contains(marks, "Present") || !strings.Contains(marks, "Absent") || !strings.Contains(marks, "Partial (3.5 h)") {
		b.errorf("roster marks: got %q, want present, absent and partial 3.5 h", marks)
	}
	if all := strings.Join(b.texts("main table tbody tr"), "|"); !strings.Contains(all, "Needs of p 3: captions") {
		b.errorf("roster: got %q, want the attendees' needs", all)
	}
	b.checkNoSideScroll("/staff" + sessionPath + "/roster")
	b.visited("roster on a phone")
	b.shot("phone-roster")
}
