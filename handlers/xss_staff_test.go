package handlers_test

// The attack suite's staff half (issue 8): script, attribute, URL,
// spreadsheet-formula and calendar-line payloads typed into every text
// field staff can fill in (admin, desk, certificates, lessons, quiz items,
// instructors' attendance) through the real routes are inert wherever the
// text reappears: public, learner and staff pages, the outbox (HTML and
// text parts, attachments), CSV exports, PDFs and calendar files. Two
// guards keep the field list whole: every text control of a staff form and
// every string field of the models staff edit must be listed here.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/hsworkshop/hsworkshop/content"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	qz "github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/models"
)

// xssTagPrefix starts every field's marker, so a marker found in an
// output names the field it came from.
const xssTagPrefix = "zxq"

// The payloads. Every free-text field gets all of them at once, the
// marker as its own word (PDF lines wrap at spaces).
const (
	xssFormula = `=HYPERLINK("http://x")`
	xssScript  = `<script>alert(1)</script>`
	xssAttr    = `"><img src=x onerror=alert(1)>`
	xssURL     = `javascript:alert(1)`
	// xssICS tries to add an attendee and an event to calendar files.
	xssICS = "\r\nATTENDEE:mailto:evil@x\nBEGIN:VEVENT\rX-INJ:1 end"
)

// xssValue is the payload of the field with marker tag.
func xssValue(tag string) string {
	return xssFormula + " " + tag + " " + xssScript + xssAttr + " " + xssURL + xssICS
}

// xssMarkdown is the payload of a Markdown field: the above plus raw HTML
// and javascript: links in Markdown's own syntax.
func xssMarkdown(tag string) string {
	return xssValue(tag) + "\n\n[click " + tag + "](javascript:alert(1)) <a href=\"javascript:alert(2)\">a</a> " +
		"<iframe src=\"javascript:alert(3)\"></iframe>\n\n![img](x \"onerror=alert(4)\")\n"
}

// staffField is one text field staff type, as the form posts it.
type staffField struct {
	form, name string // form key (see staffForms) and posted name
	tag        string // marker
	// want are outputs (names of crawled documents, substrings) where the
	// marker must reappear: proof the payload reached them.
	want []string
}

// shortFields take less than the full payload (one line of at most 80
// characters, or a 120-character column): they get a shorter one, and
// the full payload must be refused with the form, never a 500.
var shortFields = map[string]func(string) string{"certws.accreditation_id": xssShort, "bulk.subject": xssShort, "session.city": xssMedium}

// staffFields are the free-text fields that are stored as typed.
var staffFields = []staffField{
	{"workshop", "title", "zxqWsTitle", []string{"page /workshops/", "page /sessions/", "page /sessions (catalog)", "page /account/registrations", "page /admin/schedule",
		"ics /calendar.ics", "ics order", "pdf invoice", "pdf receipt", "pdf certificate", "pdf transcript", "csv transcript", "csv report fill",
		"email order_confirmation", "email attendee_confirmation", "email invoice", "email order_cancellation", "email certificate_issued", "email staff_notice"}},
	{"workshop", "summary", "zxqWsSummary", []string{"page /workshops/", "ics /calendar.ics"}},
	{"workshop", "description_md", "zxqWsDesc", []string{"page /workshops/"}},
	{"workshop", "agenda_md", "zxqWsAgenda", []string{"page /workshops/"}},
	{"workshop", "audience", "zxqWsAudience", []string{"page /admin/workshops/ (edit)"}},
	{"certws", "accreditation_id", "zxqAccred", []string{"page /certificates/ (verify)", "pdf certificate", "pdf transcript", "csv transcript", "email certificate_issued"}},
	{"session", "venue_name", "zxqVenue", []string{"page /sessions/", "ics /calendar.ics", "ics order", "email order_confirmation", "email staff_notice", "page /staff/sessions/ sign-in"}},
	{"session", "venue_address", "zxqAddress", []string{"page /sessions/", "ics /calendar.ics"}},
	{"session", "city", "zxqCity", []string{"page /sessions/", "ics /calendar.ics", "page /admin/schedule"}},
	{"session", "room_details", "zxqRoom", []string{"page /account/seats/", "page /orders/", "ics order", "ics seat", "email order_confirmation", "email attendee_confirmation", "email staff_notice"}},
	{"session", "join_url", "zxqJoin", []string{"page /account/seats/", "page /orders/", "ics order", "ics seat", "email order_confirmation", "email staff_notice"}},
	{"series", "series_name", "zxqSeries", []string{"page /admin/series/ (series)", "page /admin/schedule"}},
	{"cancel", "reason", "zxqCancel", []string{"page /admin/sessions/ (cancellation)", "email staff_notice"}},
	{"bulk", "subject", "zxqBulkSubj", []string{"email staff_notice", "page /admin/emails"}},
	{"bulk", "body", "zxqBulkBody", []string{"email staff_notice"}},
	{"discount", "description", "zxqDiscDesc", []string{"page /admin/desk/discounts"}},
	{"refund", "reason", "zxqRefund", []string{"page /admin/desk/orders/"}},
	{"markpaid", "reference", "zxqPayRef", []string{"page /admin/desk/orders/"}},
	{"resolve", "note", "zxqResolve", []string{"page /admin/desk/orders/"}},
	{"revoke", "reason", "zxqRevoke", []string{"page /admin/certs/ revoked"}},
	{"invite", "name", "zxqInvite", []string{"page /admin/users", "email password_reset"}},
	{"lesson", "title", "zxqLsTitle", []string{"page /learn/", "page /learn (index)", "page /learn/dashboard", "page /admin/lessons"}},
	{"lesson", "summary", "zxqLsSummary", []string{"page /learn/ lesson"}},
	{"lesson", "sources", "zxqLsSource", []string{"page /learn/"}},
	{"lesson", "body", "zxqLsBody", []string{"page /learn/"}},
	{"quizitem", "json", "zxqQuiz", []string{"page /quiz/attempts/", "page /admin/quiz/items", "csv quiz bank"}},
}

// discountCodes are typed into the code field: no spaces, 40 characters
// at most, upper-cased by the desk.
var discountCodes = []string{`=ZXQCODE<SCRIPT>ALERT(1)</SCRIPT>`, `"><IMG/SRC=X/ONERROR=ALERT(1)>ZXQCD2`}

// validatedFields are text controls whose value must match a format: the
// payload is refused (422) and the form shown again, inert.
var validatedFields = map[string][]string{
	"session":  {"time_zone", "currency", "price", "early_bird_price", "cancel_fee", "capacity", "cancel_cutoff_hours", "starts_at", "ends_at", "registration_closes_at", "early_bird_deadline", "join_url"},
	"series":   {"count", "first_date", "start_time", "end_time", "close_hours", "early_bird_days"},
	"workshop": {"slug", "duration_minutes", "ce_credit_hours", "default_price", "currency"},
	"certws":   {"ce_credit_hours"},
	"discount": {"kind", "percent", "amount", "currency", "valid_from", "valid_until", "max_uses", "min_seats", "session_id"},
	"refund":   {"amount"},
	"invite":   {"email"},
	"lesson":   {"minutes", "as_of"},
	"capacity": {"capacity"},
	"policy":   {"cancel_cutoff_hours", "cancel_fee"},
	"attach":   {"count", "minutes", "pass_mark"},
	"attend":   {"status", "hours"},
}

// xssWorld is the shared world of the test: one app, its people and the
// rows the payloads reach.
type xssWorld struct {
	ta                       *ht.App
	fake                     *payments.Fake
	admin, teacher, learner  *models.User
	holder2                  *models.User
	ws                       *models.Workshop
	s1, s0, s2               *models.Session
	invoice, card, cancelled *models.Order
	seatID                   uint
	lessonSlug, lessonID     string
	quizID, quizKey          string
	attempt                  string
	certs                    []models.Certificate
}

// post sends a staff form and fails unless the status is want.
func (w *xssWorld) post(t *testing.T, as *models.User, path string, v url.Values, want int) string {
	t.Helper()
	rec := w.ta.Do(t, ht.Request{Method: http.MethodPost, Path: path, As: as, Form: v})
	if rec.Code != want {
		errs := regexp.MustCompile(`(?s)class="(?:field-error|alert alert-error)"[^>]*>(.*?)</`).FindAllStringSubmatch(rec.Body.String(), -1)
		log := w.ta.Log.String()
		t.Fatalf("POST %s: got %d, want %d; errors %q\n%.300s\nlog: %s", path, rec.Code, want, errs, rec.Body.String(), log[max(0, len(log)-1500):])
	}
	if rec.Code == http.StatusSeeOther {
		return rec.Header().Get("Location")
	}
	return rec.Body.String()
}

// xssShort is the one-line payload of at most 80 characters.
func xssShort(tag string) string {
	return "=1+2 " + tag + " " + xssScript + `"><svg/onload=alert(1)>`
}

// xssMedium is a payload of at most 120 characters with line breaks.
func xssMedium(tag string) string {
	return xssShort(tag) + "\r\nATTENDEE:mailto:e@x\rX-INJ:1 end"
}

// fieldValues are the payloads of form's stored fields.
func fieldValues(form string, v url.Values) url.Values {
	for _, f := range staffFields {
		if f.form == form {
			if short, ok := shortFields[f.form+"."+f.name]; ok {
				v.Set(f.name, short(f.tag))
			} else {
				v.Set(f.name, xssValue(f.tag))
			}
		}
	}
	return v
}

// fullValues are fieldValues with the full payload in short fields too,
// which those refuse.
func fullValues(form string, v url.Values) url.Values {
	for _, f := range staffFields {
		if f.form == form {
			v.Set(f.name, xssValue(f.tag))
		}
	}
	return v
}

func TestAttackStaffXSSIsInert(t *testing.T) {
	t.Parallel()
	w := newXSSWorld(t)
	docs := w.enterAndCrawl(t)

	markers := make([]string, 0, len(staffFields))
	for _, f := range staffFields {
		markers = append(markers, f.tag)
	}
	text := map[string]string{} // document name → its readable text
	for _, d := range docs {
		if _, dup := text[d.name]; dup {
			t.Errorf("two outputs are named %q: the reach check needs unique names", d.name)
		}
		var problems []string
		switch d.kind {
		case "page", "email-html":
			problems, text[d.name] = liveHTML(d.body), htmlText(d.body)
		case "email-text":
			// Plain text shows the payload as typed, not HTML-escaped.
			if strings.Contains(d.body, xssTagPrefix) && (strings.Contains(d.body, "&lt;") || strings.Contains(d.body, "&#34;")) {
				problems = append(problems, "HTML entities in a plain-text part")
			}
			text[d.name] = d.body
		case "subject":
			if strings.ContainsAny(d.body, "\r\n") {
				problems = append(problems, "line break in a header")
			}
			text[d.name] = d.body
		case "csv":
			problems, text[d.name] = liveCSV(d.body)
		case "pdf":
			if !strings.HasPrefix(d.body, "%PDF-") {
				problems = append(problems, "not a PDF")
			}
			problems2, s := livePDF([]byte(d.body), markers)
			problems, text[d.name] = append(problems, problems2...), s
		case "ics":
			problems, text[d.name] = liveICS(d.body)
		}
		for _, p := range problems {
			t.Errorf("%s: %s", d.name, p)
		}
	}
	if testing.Verbose() {
		names := make([]string, 0, len(text))
		for n := range text {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			var ms []string
			for _, m := range markers {
				if strings.Contains(text[n], m) {
					ms = append(ms, m)
				}
			}
			t.Logf("%s: %v", n, ms)
		}
	}
	// Search boxes echo what was searched for (inert, checked above).
	for _, n := range []string{"page search desk orders", "page search users", "page search quiz items", "page search audit"} {
		if !strings.Contains(text[n], "zxqSearch") {
			t.Errorf("%s does not show the search text", n)
		}
	}
	// Each field's marker reached the outputs it is shown in.
	for _, f := range staffFields {
		for _, want := range f.want {
			found, seen := false, false
			for name, s := range text {
				if strings.HasPrefix(name, want) {
					seen = true
					found = found || strings.Contains(s, f.tag)
				}
			}
			switch {
			case !seen:
				t.Errorf("%s.%s: no output named %q was crawled", f.form, f.name, want)
			case !found:
				t.Errorf("%s.%s: marker %s does not reappear in %q (did the payload reach it?)", f.form, f.name, f.tag, want)
			}
		}
	}
	for _, code := range []string{"ZXQCODE", "ZXQCD2"} {
		for _, want := range []string{"page /admin/desk/discounts", "page /admin/desk/discounts/ (edit)"} {
			found := false
			for name, s := range text {
				found = found || (strings.HasPrefix(name, want) && strings.Contains(s, code))
			}
			if !found {
				t.Errorf("discount code %s does not reappear in %q", code, want)
			}
		}
	}
	for _, want := range []string{"pdf invoice", "email invoice", "csv report discounts", "page /admin/reports", "page /admin/desk/orders/ invoice"} {
		found := false
		for name, s := range text {
			found = found || (strings.HasPrefix(name, want) && strings.Contains(s, "ZXQCODE"))
		}
		if !found {
			t.Errorf("the discount code used does not reappear in %q", want)
		}
	}
	t.Run("every staff text control is listed", func(t *testing.T) { w.guardForms(t) })
	t.Run("every string field staff edit is listed", guardModels)
}

// newXSSWorld builds the app with the tariff index, fake Stripe and the
// lessons; a workshop with an upcoming session (s1), an ended one (s0)
// and one to cancel (s2); staff and learners.
func newXSSWorld(t *testing.T) *xssWorld {
	t.Helper()
	fake := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithHTS(t), ht.WithFakeStripe(fake))
	if _, err := learn.Sync(context.Background(), ta.DB, content.FS, learn.NewRenderer()); err != nil {
		t.Fatalf("sync lessons: %v", err)
	}
	w := &xssWorld{ta: ta, fake: fake}
	w.admin = ht.MustUser(t, ta.DB, models.RoleAdmin, ht.GoodPassword)
	w.teacher = ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	w.learner = ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	w.holder2 = ht.MustUser(t, ta.DB, models.RoleLearner, "")
	w.ws = ht.MustWorkshop(t, ta.DB)
	w.s1 = ht.MustSession(t, ta.DB, w.ws, func(s *models.Session) { s.AllowInvoice = true; s.InstructorID = &w.teacher.ID })
	start := ht.Now.Add(-48 * time.Hour)
	w.s0 = ht.MustSession(t, ta.DB, w.ws, func(s *models.Session) {
		s.StartsAt, s.EndsAt, s.RegistrationClosesAt = start, start.Add(7*time.Hour), start.Add(-time.Hour)
		s.InstructorID = &w.teacher.ID
	})
	w.s2 = ht.MustSession(t, ta.DB, w.ws, func(s *models.Session) { s.AllowInvoice = true })
	// The ended session's attendees (registration closed before the test
	// begins, so they are stored as the booking service would).
	o := &models.Order{Ref: "xss-ended", SessionID: w.s0.ID, UserID: w.learner.ID, BuyerName: "Buyer", BuyerEmail: w.learner.Email,
		Seats: 2, UnitPriceMinor: 100, SubtotalMinor: 200, TotalMinor: 200, Currency: "USD", PaymentMethod: models.PayByInvoice, Status: models.OrderPaid}
	o.Attendees = []models.Attendee{{Position: 0, Name: "Holder One", Email: w.learner.Email, PriceMinor: 100, Status: models.AttendeeActive},
		{Position: 1, Name: "Holder Two", Email: w.holder2.Email, PriceMinor: 100, Status: models.AttendeeActive}}
	if err := ta.DB.Create(o).Error; err != nil {
		t.Fatal(err)
	}
	return w
}

// enterAndCrawl types every payload through the staff routes, runs the
// flows that carry the text into emails and documents, then fetches every
// output.
func (w *xssWorld) enterAndCrawl(t *testing.T) []xssDoc {
	t.Helper()
	w.enterContent(t)
	w.runFlows(t)
	return w.crawl(t)
}

func (w *xssWorld) enterContent(t *testing.T) {
	t.Helper()
	a := w.admin
	ws := fmt.Sprintf("/admin/workshops/%d", w.ws.ID)
	base := url.Values{"slug": {w.ws.Slug}, "level": {"introductory"}, "duration_minutes": {"420"}, "ce_credit_hours": {"6"},
		"default_price": {"595"}, "currency": {"USD"}}
	w.tooLong(t, "workshop", ws, fieldValues("workshop", clone(base)), nil)
	w.rejected(t, "workshop", ws, fieldValues("workshop", clone(base)))
	w.post(t, a, ws, fieldValues("workshop", clone(base)), http.StatusSeeOther)

	certws := fmt.Sprintf("/admin/certs/workshops/%d", w.ws.ID)
	w.tooLong(t, "certws", certws, fieldValues("certws", url.Values{"ce_credit_hours": {"6"}}), nil)
	w.rejected(t, "certws", certws, fieldValues("certws", url.Values{}))
	w.rejected(t, "", certws, fullValues("certws", url.Values{"ce_credit_hours": {"6"}}))
	w.post(t, a, certws, fieldValues("certws", url.Values{"ce_credit_hours": {"6"}}), http.StatusSeeOther)

	// The session: hybrid, so the venue and the join link both reach the
	// calendar. The join link must be https://, so its payload follows.
	sess := func(s *models.Session) url.Values {
		loc := s.Location()
		return url.Values{"workshop_id": {fmt.Sprint(w.ws.ID)}, "starts_at": {s.StartsAt.In(loc).Format("2006-01-02T15:04")},
			"ends_at": {s.EndsAt.In(loc).Format("2006-01-02T15:04")}, "registration_closes_at": {s.RegistrationClosesAt.In(loc).Format("2006-01-02T15:04")},
			"time_zone": {s.TimeZone}, "format": {"hybrid"}, "capacity": {"20"}, "price": {"595"}, "currency": {"USD"},
			"instructor_id": {fmt.Sprint(w.teacher.ID)}, "allow_invoice": {"true"}, "cancel_cutoff_hours": {"168"}, "cancel_fee": {"0"}, "status": {"published"}}
	}
	sv := fieldValues("session", sess(w.s1))
	sv.Set("join_url", "https://meet.example.test/j/?x= zxqJoin "+xssScript+xssAttr+xssICS)
	w.tooLong(t, "session", fmt.Sprintf("/admin/sessions/%d", w.s1.ID), clone(sv), nil)
	w.rejected(t, "session", fmt.Sprintf("/admin/sessions/%d", w.s1.ID), clone(sv))
	w.rejected(t, "", fmt.Sprintf("/admin/sessions/%d", w.s1.ID), fullValues("session", sess(w.s1)))
	w.post(t, a, fmt.Sprintf("/admin/sessions/%d", w.s1.ID), sv, http.StatusSeeOther)
	// A javascript: join link is refused.
	bad := clone(sv)
	bad.Set("join_url", xssURL)
	if body := w.post(t, a, fmt.Sprintf("/admin/sessions/%d", w.s1.ID), bad, http.StatusUnprocessableEntity); len(liveHTML(body)) > 0 {
		t.Errorf("session form with a javascript: join link: %v", liveHTML(body))
	}
	// A series from the same payloads: previewed, then created as drafts.
	series := fieldValues("series", fieldValues("session", sess(w.s1)))
	series.Set("join_url", "https://meet.example.test/j/zxqJoin")
	for k, v := range map[string]string{"rule": "weekly", "count": "2", "first_date": ht.Now.AddDate(0, 1, 0).Format("2006-01-02"),
		"start_time": "09:00", "end_time": "16:00", "close_hours": "24"} {
		series.Set(k, v)
	}
	series.Del("status")
	w.rejected(t, "series", "/admin/series/preview", clone(series))
	if body := w.post(t, a, "/admin/series/preview", clone(series), http.StatusOK); len(liveHTML(body)) > 0 {
		t.Errorf("series preview: %v", liveHTML(body))
	}
	w.post(t, a, "/admin/series", series, http.StatusSeeOther)
	// The other session forms: capacity and policy.
	w.rejected(t, "capacity", fmt.Sprintf("/admin/sessions/%d/capacity", w.s1.ID), url.Values{})
	w.rejected(t, "policy", fmt.Sprintf("/admin/sessions/%d/policy", w.s1.ID), url.Values{})

	// Discount codes, with the description's payload.
	for _, code := range discountCodes {
		dv := fieldValues("discount", url.Values{"code": {code}, "kind": {"percent"}, "percent": {"10"}, "currency": {"USD"}, "scope": {"all"},
			"min_seats": {"1"}, "active": {"true"}})
		w.post(t, a, "/admin/desk/discounts", dv, http.StatusSeeOther)
	}
	// A description longer than its column (200) is refused, never a 500.
	long := url.Values{"code": {"ZXQLONG"}, "description": {strings.Repeat("d", 201)}, "kind": {"percent"}, "percent": {"10"}, "currency": {"USD"},
		"scope": {"all"}, "min_seats": {"1"}, "active": {"true"}}
	if body := w.post(t, a, "/admin/desk/discounts", long, http.StatusUnprocessableEntity); !strings.Contains(body, "f-description-error") {
		t.Error("discount form: no field error for a description longer than its column")
	}
	w.rejected(t, "discount", "/admin/desk/discounts", fieldValues("discount", url.Values{"code": {"ZXQBAD"}, "kind": {"amount"}, "scope": {"all"}}))

	// The staff invite (its email is the password link).
	n := 0
	w.tooLong(t, "invite", "/admin/users", fieldValues("invite", url.Values{"role": {"instructor"}}), func(v url.Values) {
		n++
		v.Set("email", fmt.Sprintf("long%d@example.com", n))
	})
	w.tooLong(t, "discount", "/admin/desk/discounts", fieldValues("discount", url.Values{"kind": {"percent"}, "percent": {"10"}, "currency": {"USD"},
		"scope": {"all"}, "min_seats": {"1"}}), func(v url.Values) { n++; v.Set("code", fmt.Sprintf("ZXQLONG%d", n)) })
	w.rejected(t, "invite", "/admin/users", fieldValues("invite", url.Values{"role": {"instructor"}}))
	w.post(t, a, "/admin/users", fieldValues("invite", url.Values{"email": {"invitee@example.com"}, "role": {"instructor"}}), http.StatusSeeOther)

	w.enterLesson(t)
	w.enterQuizItem(t)
	w.rejected(t, "attach", "/admin/quiz/workshops", url.Values{"workshop_id": {fmt.Sprint(w.ws.ID)}, "kind": {"pre"}})
}

// tooLong posts base with each stored field of form (in turn) far longer
// than any column: the form may store it or refuse it, never fail with a
// 500 (PostgreSQL refuses text longer than a sized column). vary adjusts
// each request (a fresh code or address).
func (w *xssWorld) tooLong(t *testing.T, form, path string, base url.Values, vary func(url.Values)) {
	t.Helper()
	for _, f := range staffFields {
		if f.form != form {
			continue
		}
		v := clone(base)
		v.Set(f.name, strings.Repeat("x", 5001))
		if vary != nil {
			vary(v)
		}
		rec := w.ta.Do(t, ht.Request{Method: http.MethodPost, Path: path, As: w.admin, Form: v})
		if rec.Code != http.StatusSeeOther && rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s with 5001 characters in %s: got %d, want the value stored (303) or refused (422)", path, f.name, rec.Code)
		}
	}
}

// rejected posts the payload into every validated field of form (with
// base's other values) and expects the form again, 422, inert.
func (w *xssWorld) rejected(t *testing.T, form, path string, base url.Values) {
	t.Helper()
	for _, name := range validatedFields[form] {
		base.Set(name, xssValue("zxqInvalid"))
	}
	rec := w.ta.Do(t, ht.Request{Method: http.MethodPost, Path: path, As: w.admin, Form: base})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("%s with payloads in %v: got %d, want 422", path, validatedFields[form], rec.Code)
	}
	if live := liveHTML(rec.Body.String()); len(live) > 0 {
		t.Errorf("%s re-rendered with payloads: %v", path, live)
	}
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// enterLesson edits the first public lesson (Markdown with raw HTML and
// javascript: links) and makes it the workshop's prework.
func (w *xssWorld) enterLesson(t *testing.T) {
	t.Helper()
	ls, err := models.ListLessonsInOrder(context.Background(), w.ta.DB)
	if err != nil || len(ls) == 0 {
		t.Fatalf("lessons: %d, %v", len(ls), err)
	}
	l := ls[0]
	w.lessonSlug, w.lessonID = l.Slug, fmt.Sprint(l.ID)
	path := "/admin/lessons/" + l.Slug + "/edit"
	v := url.Values{"title": {xssValue("zxqLsTitle")}, "summary": {xssValue("zxqLsSummary")}, "minutes": {"5"}, "as_of": {"2026-11-30"},
		"sources": {xssShort("zxqLsSource") + " | https://example.com/zxqLsSource?q=\"><script>alert(1)</script>"},
		"body":    {xssMarkdown("zxqLsBody")}}
	save := clone(v)
	save.Set("action", "save")
	w.tooLong(t, "lesson", path, save, nil)
	bad := clone(v)
	bad.Set("minutes", xssValue("zxqInvalid"))
	bad.Set("as_of", xssValue("zxqInvalid"))
	bad.Set("sources", "Evil | "+xssURL)
	bad.Set("action", "save")
	if body := w.post(t, w.admin, path, bad, http.StatusUnprocessableEntity); len(liveHTML(body)) > 0 {
		t.Errorf("lesson form re-rendered: %v", liveHTML(body))
	}
	// Longer than the columns (title 300, summary 1000 characters): the
	// form says so, never a 500 from PostgreSQL.
	long := clone(v)
	long.Set("title", strings.Repeat("t", 301))
	long.Set("summary", strings.Repeat("s", 1001))
	long.Set("action", "save")
	if body := w.post(t, w.admin, path, long, http.StatusUnprocessableEntity); !strings.Contains(body, "f-title-error") || !strings.Contains(body, "f-summary-error") {
		t.Error("lesson form: no field errors for a title and summary longer than their columns")
	}
	preview := clone(v)
	preview.Set("action", "preview")
	if body := w.post(t, w.admin, path, preview, http.StatusOK); len(liveHTML(body)) > 0 {
		t.Errorf("lesson preview: %v", liveHTML(body))
	}
	v.Set("action", "save")
	w.post(t, w.admin, path, v, http.StatusSeeOther)
	w.post(t, w.admin, fmt.Sprintf("/admin/lessons/prework/%d", w.ws.ID), url.Values{"lesson": {w.lessonID}}, http.StatusSeeOther)
}

// enterQuizItem edits every item of the smallest topic practice set (so
// the set shows an edited item), and imports the same JSON back.
func (w *xssWorld) enterQuizItem(t *testing.T) {
	t.Helper()
	rec := w.ta.Do(t, ht.Request{Path: "/admin/quiz/items/export", As: w.admin})
	if rec.Code != http.StatusOK {
		t.Fatalf("quiz export: %d", rec.Code)
	}
	var bank struct {
		Questions []json.RawMessage `json:"questions"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &bank); err != nil {
		t.Fatal(err)
	}
	byTopic := map[string][]map[string]any{}
	for _, raw := range bank.Questions {
		var q map[string]any
		if err := json.Unmarshal(raw, &q); err != nil {
			t.Fatal(err)
		}
		if q["retired"] == true || q["kind"] == "hs_code" {
			continue
		}
		k := fmt.Sprint(q["track"]) + ":" + fmt.Sprint(q["topic"])
		byTopic[k] = append(byTopic[k], q)
	}
	best := ""
	for k, qs := range byTopic {
		if len(qs) >= 3 && len(qs) <= 10 && (best == "" || len(qs) < len(byTopic[best]) || (len(qs) == len(byTopic[best]) && k < best)) {
			best = k
		}
	}
	if best == "" {
		t.Fatal("no topic practice set of 3 to 10 choice questions in the bank")
	}
	w.quizKey = "topic:" + best
	var edited []map[string]any
	for _, q := range byTopic[best] {
		delete(q, "retired")
		v := xssValue("zxqQuiz")
		q["prompt"], q["explanation"] = v, v
		q["tags"] = []string{"zxqQuiz" + xssScript}
		if cs, ok := q["choices"].([]any); ok {
			for _, c := range cs {
				c.(map[string]any)["text"] = xssValue("zxqQuiz")
				c.(map[string]any)["feedback"] = xssValue("zxqQuiz")
			}
		}
		if rs, ok := q["references"].([]any); ok {
			for _, r := range rs {
				r.(map[string]any)["cite"] = xssValue("zxqQuiz")
			}
		}
		body, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(q["id"])
		w.quizID = id
		path := "/admin/quiz/items/" + url.PathEscape(id)
		// Unknown JSON is refused and shown again inert.
		if body := w.post(t, w.admin, path, url.Values{"json": {`{"id":"` + id + `","zzz":"` + xssScript + `"}`}}, http.StatusUnprocessableEntity); len(liveHTML(body)) > 0 {
			t.Errorf("quiz item form re-rendered: %v", liveHTML(body))
		}
		if len(edited) == 0 {
			// A topic longer than its column is refused, never a 500.
			long := map[string]any{}
			for k, v := range q {
				long[k] = v
			}
			long["topic"] = strings.Repeat("t", 81)
			lb, err := json.Marshal(long)
			if err != nil {
				t.Fatal(err)
			}
			w.post(t, w.admin, path, url.Values{"json": {string(lb)}}, http.StatusUnprocessableEntity)
		}
		w.post(t, w.admin, path, url.Values{"json": {string(body)}}, http.StatusSeeOther)
		edited = append(edited, q)
	}
	// The import takes the same payloads from a file.
	file, err := json.Marshal(map[string]any{"questions": edited})
	if err != nil {
		t.Fatal(err)
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	tok, ck := w.ta.CSRF(t)
	if err := mw.WriteField("_csrf", tok); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "zxq<script>alert(1)</script>.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(file); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	rec = w.ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/items/import", As: w.admin, Body: mp.String(),
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}, Cookies: []*http.Cookie{ck}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("quiz import: got %d\n%.1000s", rec.Code, rec.Body.String())
	}
}

// runFlows carries the payloads into orders, emails and documents.
func (w *xssWorld) runFlows(t *testing.T) {
	t.Helper()
	ta, a := w.ta, w.admin
	// The learner books s1 with a payload discount code, by invoice.
	v := ht.RegisterValues("invoice")
	v.Set("buyer_email", w.learner.Email)
	v.Set("attendee_email_1", w.learner.Email)
	v.Set("discount_code", strings.ToLower(discountCodes[0]))
	rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: fmt.Sprintf("/sessions/%d/register", w.s1.ID), As: w.learner, Form: v})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/orders/") {
		t.Fatalf("register: %d %.1500s", rec.Code, rec.Body.String())
	}
	ref := strings.TrimPrefix(rec.Header().Get("Location"), "/orders/")
	o, err := models.FindOrderByRef(context.Background(), ta.DB, ref)
	if err != nil {
		t.Fatal(err)
	}
	if o.DiscountMinor == 0 {
		t.Fatalf("the payload code was not applied (discount %d)", o.DiscountMinor)
	}
	w.invoice = o
	desk := fmt.Sprintf("/admin/desk/orders/%d", o.ID)
	w.post(t, a, desk+"/mark-paid", fieldValues("markpaid", url.Values{}), http.StatusSeeOther)
	for _, at := range ta.Order(t, o.ID).Attendees {
		if strings.EqualFold(at.Email, w.learner.Email) {
			w.seatID = at.ID
		}
	}
	// A card order, paid, refunded in part with a payload reason, then
	// flagged and resolved with a payload note.
	w.card = ta.CardOrder(t, w.s1.ID, 1)
	if rec := ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(w.card, "paid", "pi_xss_1")), time.Now()); rec.Code != http.StatusOK {
		t.Fatalf("webhook: %d", rec.Code)
	}
	cardDesk := fmt.Sprintf("/admin/desk/orders/%d", w.card.ID)
	page := ta.Do(t, ht.Request{Path: cardDesk, As: a}).Body.String()
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(page)
	if key == nil {
		t.Fatal("no refund key on the desk page")
	}
	w.rejected(t, "refund", cardDesk+"/refund", fieldValues("refund", url.Values{"key": {key[1]}}))
	// A reason longer than its column (200) is refused, never a 500.
	w.post(t, a, cardDesk+"/refund", url.Values{"amount": {"10"}, "key": {key[1]}, "reason": {strings.Repeat("r", 201)}}, http.StatusUnprocessableEntity)
	w.post(t, a, cardDesk+"/refund", fieldValues("refund", url.Values{"amount": {"10"}, "key": {key[1]}}), http.StatusSeeOther)
	if err := models.FlagOrder(context.Background(), ta.DB, w.card.ID, "Paid twice"); err != nil {
		t.Fatal(err)
	}
	w.post(t, a, cardDesk+"/resolve", fieldValues("resolve", url.Values{}), http.StatusSeeOther)

	// The instructor marks attendance (payloads refused first), the admin
	// issues certificates and revokes the second holder's.
	roster := fmt.Sprintf("/staff/sessions/%d/attendance", w.s0.ID)
	ended := ta.Order(t, w.orderID(t, w.s0.ID))
	marks, bad := url.Values{}, url.Values{}
	for _, at := range ended.Attendees {
		marks.Set(fmt.Sprintf("status-%d", at.ID), "present")
		bad.Set(fmt.Sprintf("status-%d", at.ID), xssValue("zxqInvalid"))
		bad.Set(fmt.Sprintf("hours-%d", at.ID), xssValue("zxqInvalid"))
	}
	if body := w.post(t, w.teacher, roster, bad, http.StatusUnprocessableEntity); len(liveHTML(body)) > 0 {
		t.Errorf("attendance re-rendered: %v", liveHTML(body))
	}
	w.post(t, w.teacher, roster, marks, http.StatusSeeOther)
	w.post(t, a, fmt.Sprintf("/admin/certs/sessions/%d/issue", w.s0.ID), url.Values{}, http.StatusSeeOther)
	cs, err := models.ListCertificatesForSession(context.Background(), ta.DB, w.s0.ID)
	if err != nil || len(cs) != 2 {
		t.Fatalf("certificates: %d, %v", len(cs), err)
	}
	sort.Slice(cs, func(i, j int) bool { return strings.EqualFold(cs[i].HolderEmail, w.learner.Email) })
	w.certs = cs
	w.post(t, a, "/admin/certs/"+cs[1].Code+"/revoke", fieldValues("revoke", url.Values{}), http.StatusSeeOther)

	// Bulk email, previewed then sent.
	bulk := fmt.Sprintf("/admin/sessions/%d/email", w.s1.ID)
	w.rejected(t, "", bulk, fullValues("bulk", url.Values{"audience": {"all"}}))
	bv := fieldValues("bulk", url.Values{"audience": {"all"}})
	if body := w.post(t, a, bulk, clone(bv), http.StatusOK); len(liveHTML(body)) > 0 {
		t.Errorf("bulk email preview: %v", liveHTML(body))
	}
	bv.Set("action", "send")
	bv.Set("batch", "zxq1")
	w.post(t, a, bulk, bv, http.StatusSeeOther)

	// The time moves by an hour with the notice (and its calendar file).
	s1 := ta.Session(t, w.s1.ID)
	moved := fieldValues("session", url.Values{})
	sv := url.Values{"workshop_id": {fmt.Sprint(w.ws.ID)}, "time_zone": {s1.TimeZone}, "format": {"hybrid"}, "capacity": {"20"}, "price": {"595"},
		"currency": {"USD"}, "instructor_id": {fmt.Sprint(w.teacher.ID)}, "allow_invoice": {"true"}, "cancel_cutoff_hours": {"168"}, "cancel_fee": {"0"}, "notify": {"true"}}
	loc := s1.Location()
	sv.Set("starts_at", s1.StartsAt.Add(time.Hour).In(loc).Format("2006-01-02T15:04"))
	sv.Set("ends_at", s1.EndsAt.Add(time.Hour).In(loc).Format("2006-01-02T15:04"))
	sv.Set("registration_closes_at", s1.RegistrationClosesAt.In(loc).Format("2006-01-02T15:04"))
	for k, vs := range moved {
		sv[k] = vs
	}
	sv.Set("join_url", s1.JoinURL)
	if loc := w.post(t, a, fmt.Sprintf("/admin/sessions/%d", s1.ID), sv, http.StatusSeeOther); !strings.Contains(loc, "notified-") {
		t.Errorf("time change notified nobody: %s", loc)
	}

	// s2 is cancelled with a payload reason; its paid buyer is told.
	w.cancelled = ta.PlaceAPIOrder(t, w.s2.ID, 1, "invoice")
	w.post(t, a, fmt.Sprintf("/admin/orders/%d/mark-paid", w.cancelled.ID), url.Values{}, http.StatusSeeOther)
	w.post(t, a, fmt.Sprintf("/admin/sessions/%d/cancel", w.s2.ID), fieldValues("cancel", url.Values{"confirm": {"yes"}}), http.StatusSeeOther)

	// The learner takes the topic set with the edited items and submits.
	rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/quiz/start", As: w.learner, Form: url.Values{"key": {w.quizKey}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("quiz start %s: %d %.500s", w.quizKey, rec.Code, rec.Body.String())
	}
	w.attempt = rec.Header().Get("Location")
	w.post(t, w.learner, w.attempt+"/submit", url.Values{}, http.StatusSeeOther)
}

// orderID is the id of the first order of session id.
func (w *xssWorld) orderID(t *testing.T, sessionID uint) uint {
	t.Helper()
	os, err := models.ListOrdersForSession(context.Background(), w.ta.DB, sessionID)
	if err != nil || len(os) == 0 {
		t.Fatalf("orders of session %d: %d, %v", sessionID, len(os), err)
	}
	return os[0].ID
}

// xssDoc is one output to check: kind is page, email-html, email-text,
// subject, csv, pdf or ics.
type xssDoc struct{ name, kind, body string }

// crawl fetches every GET route of the router (with the world's ids) as
// the person who sees it, and every message of the outbox.
func (w *xssWorld) crawl(t *testing.T) []xssDoc {
	t.Helper()
	ta := w.ta
	var docs []xssDoc
	paths := w.routePaths(t)
	for _, p := range paths {
		rec := ta.Do(t, ht.Request{Path: p.path, As: p.as})
		if rec.Code != http.StatusOK && rec.Code != http.StatusGone {
			t.Errorf("GET %s: got %d\n%.500s", p.path, rec.Code, rec.Body.String())
			continue
		}
		kind := "page"
		ct := rec.Header().Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/csv"):
			kind = "csv"
		case strings.HasPrefix(ct, "application/pdf"):
			kind = "pdf"
		case strings.HasPrefix(ct, "text/calendar"):
			kind = "ics"
		case strings.HasPrefix(ct, "application/json"):
			continue // data, not a document: the HTML pages show it
		}
		docs = append(docs, xssDoc{p.name, kind, rec.Body.String()})
	}
	var ms []models.Email
	if err := ta.DB.Preload("Attachments").Order("id").Find(&ms).Error; err != nil {
		t.Fatal(err)
	}
	if len(ms) < 8 {
		t.Fatalf("outbox: %d messages, want the invoice, confirmations, notices and cancellation", len(ms))
	}
	for _, m := range ms {
		n := "email " + m.Kind + " #" + fmt.Sprint(m.ID)
		docs = append(docs, xssDoc{n + " html", "email-html", m.HTMLBody}, xssDoc{n + " text", "email-text", m.TextBody},
			xssDoc{n + " subject", "subject", m.Subject},
			// The name is encoded as the To header's display name when sent
			// (TestMessageRecipientNameIsEncoded in internal/mail).
			xssDoc{n + " to", "email-text", m.ToName})
		for _, at := range m.Attachments {
			switch {
			case strings.HasPrefix(at.ContentType, "text/calendar"):
				docs = append(docs, xssDoc{n + " " + at.Filename, "ics", string(at.Data)})
			case strings.HasPrefix(at.ContentType, "application/pdf"):
				docs = append(docs, xssDoc{n + " " + at.Filename, "pdf", string(at.Data)})
			}
		}
	}
	return docs
}

// crawlPath is one GET to make: its name (what the reach list refers
// to), path and viewer.
type crawlPath struct {
	name, path string
	as         *models.User
}

// routePaths fills every GET route of the router with the world's ids;
// a route this table does not know fails the test, so a new page is
// crawled from the day it is added.
func (w *xssWorld) routePaths(t *testing.T) []crawlPath {
	t.Helper()
	a, l := w.admin, w.learner
	s1, s0, s2 := fmt.Sprint(w.s1.ID), fmt.Sprint(w.s0.ID), fmt.Sprint(w.s2.ID)
	ref := w.invoice.Ref
	var emailIDs []uint
	if err := w.ta.DB.Model(&models.Email{}).Order("id").Pluck("id", &emailIDs).Error; err != nil {
		t.Fatal(err)
	}
	var discountIDs []uint
	if err := w.ta.DB.Model(&models.DiscountCode{}).Order("id").Pluck("id", &discountIDs).Error; err != nil {
		t.Fatal(err)
	}
	var seriesIDs []uint
	if err := w.ta.DB.Model(&models.SessionSeries{}).Order("id").Pluck("id", &seriesIDs).Error; err != nil {
		t.Fatal(err)
	}
	if len(seriesIDs) != 1 {
		t.Fatalf("series: got %d, want the one the series form made", len(seriesIDs))
	}
	one := func(name, path string, as *models.User) []crawlPath { return []crawlPath{{name, path, as}} }
	table := map[string][]crawlPath{
		"/admin/series/:id":               one("page /admin/series/ (series)", fmt.Sprintf("/admin/series/%d", seriesIDs[0]), a),
		"/":                               one("page / (home)", "/", nil),
		"/sessions":                       one("page /sessions (catalog)", "/sessions", nil),
		"/sessions/:id":                   {{"page /sessions/ s1", "/sessions/" + s1, nil}, {"page /sessions/ s1 (attendee)", "/sessions/" + s1, l}, {"page /sessions/ s2 (cancelled)", "/sessions/" + s2, nil}},
		"/workshops/:slug":                one("page /workshops/", "/workshops/"+w.ws.Slug, nil),
		"/calendar.ics":                   one("ics /calendar.ics", "/calendar.ics", nil),
		"/terms":                          nil,
		"/sessions/:id/register":          one("page register", "/sessions/"+s1+"/register", l),
		"/sessions/:id/waitlist":          one("page waitlist", "/sessions/"+s1+"/waitlist", nil),
		"/waitlist/claim":                 nil, // needs an offer token; shows the session like the register page
		"/orders/confirm":                 nil, // needs a token
		"/orders/:ref":                    one("page /orders/", "/orders/"+ref, l),
		"/orders/:ref/return":             nil, // redirects
		"/orders/:ref/checkout-cancelled": nil, // a paid order redirects to its page, crawled above
		"/orders/:ref/invoice.pdf":        one("pdf invoice", "/orders/"+ref+"/invoice.pdf", l),
		"/orders/:ref/receipt.pdf":        one("pdf receipt", "/orders/"+ref+"/receipt.pdf", l),
		"/orders/:ref/session.ics":        one("ics order", "/orders/"+ref+"/session.ics", l),
		"/signup":                         nil, "/login": nil, "/password/forgot": nil, "/password/reset": nil, "/account/verify": nil,
		"/account":                           one("page /account", "/account", l),
		"/account/registrations":             one("page /account/registrations", "/account/registrations", l),
		"/account/seats/:id":                 one("page /account/seats/", fmt.Sprintf("/account/seats/%d", w.seatID), l),
		"/account/seats/:id/session.ics":     one("ics seat", fmt.Sprintf("/account/seats/%d/session.ics", w.seatID), l),
		"/admin":                             one("page /admin", "/admin", a),
		"/admin/emails":                      one("page /admin/emails", "/admin/emails", a),
		"/admin/orders":                      one("page /admin/orders", "/admin/orders", a),
		"/admin/sessions/:id":                {{"page /admin/sessions/ s1", "/admin/sessions/" + s1, a}, {"page /admin/sessions/ s0", "/admin/sessions/" + s0, a}},
		"/admin/sessions/:id/roster.csv":     {{"csv roster s1", "/admin/sessions/" + s1 + "/roster.csv", w.teacher}, {"csv roster s0", "/admin/sessions/" + s0 + "/roster.csv", a}},
		"/admin/schedule":                    one("page /admin/schedule", "/admin/schedule?past=1", a),
		"/admin/sessions/new":                one("page /admin/sessions/new", "/admin/sessions/new?workshop="+fmt.Sprint(w.ws.ID), a),
		"/admin/sessions/:id/edit":           one("page /admin/sessions/ (edit)", "/admin/sessions/"+s1+"/edit", a),
		"/admin/sessions/:id/cancel":         one("page /admin/sessions/ (cancel)", "/admin/sessions/"+s1+"/cancel", a),
		"/admin/sessions/:id/cancellation":   one("page /admin/sessions/ (cancellation)", "/admin/sessions/"+s2+"/cancellation", a),
		"/admin/sessions/:id/email":          one("page /admin/sessions/ (email)", "/admin/sessions/"+s1+"/email", a),
		"/admin/series/new":                  one("page /admin/series/new", "/admin/series/new", a),
		"/admin/workshops":                   one("page /admin/workshops", "/admin/workshops", a),
		"/admin/workshops/new":               one("page /admin/workshops/new", "/admin/workshops/new", a),
		"/admin/workshops/:id/edit":          one("page /admin/workshops/ (edit)", fmt.Sprintf("/admin/workshops/%d/edit", w.ws.ID), a),
		"/admin/audit":                       one("page /admin/audit", "/admin/audit", a),
		"/staff/sessions":                    one("page /staff/sessions", "/staff/sessions", w.teacher),
		"/staff/sessions/:id/roster":         one("page /staff/sessions/ roster", "/staff/sessions/"+s1+"/roster", w.teacher),
		"/staff/sessions/:id/sign-in":        one("page /staff/sessions/ sign-in", "/staff/sessions/"+s1+"/sign-in", w.teacher),
		"/staff/sessions/:id/attendance":     one("page /staff/sessions/ attendance", "/staff/sessions/"+s0+"/attendance", w.teacher),
		"/certificates/:code":                {{"page /certificates/ (verify)", "/certificates/" + w.certs[0].Code, nil}, {"page /certificates/ (revoked)", "/certificates/" + w.certs[1].Code, nil}},
		"/certificates":                      one("page /certificates", "/certificates", l),
		"/certificates/transcript.csv":       one("csv transcript", "/certificates/transcript.csv", l),
		"/certificates/transcript.pdf":       one("pdf transcript", "/certificates/transcript.pdf", l),
		"/certificates/:code/pdf":            one("pdf certificate", "/certificates/"+w.certs[0].Code+"/pdf", l),
		"/admin/certs":                       one("page /admin/certs", "/admin/certs", a),
		"/admin/certs/sessions/:id":          one("page /admin/certs/sessions", "/admin/certs/sessions/"+s0, a),
		"/admin/certs/workshops":             one("page /admin/certs/workshops", "/admin/certs/workshops", a),
		"/admin/certs/workshops/:id":         one("page /admin/certs/workshops/ (edit)", fmt.Sprintf("/admin/certs/workshops/%d", w.ws.ID), a),
		"/admin/certs/:code":                 {{"page /admin/certs/ valid", "/admin/certs/" + w.certs[0].Code, a}, {"page /admin/certs/ revoked", "/admin/certs/" + w.certs[1].Code, a}},
		"/admin/desk/orders":                 one("page /admin/desk/orders", "/admin/desk/orders", a),
		"/admin/desk/orders/:id":             {{"page /admin/desk/orders/ invoice", fmt.Sprintf("/admin/desk/orders/%d", w.invoice.ID), a}, {"page /admin/desk/orders/ card", fmt.Sprintf("/admin/desk/orders/%d", w.card.ID), a}},
		"/admin/desk/flags":                  one("page /admin/desk/flags", "/admin/desk/flags", a),
		"/admin/desk/discounts":              one("page /admin/desk/discounts", "/admin/desk/discounts", a),
		"/admin/desk/waitlist":               one("page /admin/desk/waitlist", "/admin/desk/waitlist", a),
		"/admin/reports":                     one("page /admin/reports", "/admin/reports", a),
		"/admin/users":                       one("page /admin/users", "/admin/users", a),
		"/api/v1/sessions":                   nil, // JSON
		"/api/v1/sessions/:id":               nil,
		"/hts":                               nil, // tariff data: no staff text
		"/hts/search":                        nil,
		"/hts/:code":                         nil,
		"/api/v1/hts/search":                 nil,
		"/api/v1/hts/:code":                  nil,
		"/tools/duty":                        nil,
		"/api/v1/duty":                       nil,
		"/tools/duty/batch":                  nil,
		"/tools/duty/batch/template.csv":     nil,
		"/tools/duty/batches":                nil,
		"/tools/duty/batches/:id/result.csv": nil,
		"/learn":                             one("page /learn (index)", "/learn", l),
		"/learn/dashboard":                   one("page /learn/dashboard", "/learn/dashboard", l),
		"/learn/origin-lab":                  nil,
		"/learn/:slug":                       {{"page /learn/ lesson", "/learn/" + w.lessonSlug, nil}, {"page /learn/ lesson (learner)", "/learn/" + w.lessonSlug, l}},
		"/admin/lessons":                     one("page /admin/lessons", "/admin/lessons?saved="+w.lessonSlug, a),
		"/admin/lessons/:slug/edit":          one("page /admin/lessons/ (edit)", "/admin/lessons/"+w.lessonSlug+"/edit", a),
		"/admin/lessons/prework":             one("page /admin/lessons/prework", "/admin/lessons/prework", a),
		"/admin/lessons/prework/:workshopID": one("page /admin/lessons/prework/ (edit)", fmt.Sprintf("/admin/lessons/prework/%d", w.ws.ID), a),
		"/quiz":                              one("page /quiz", "/quiz", l),
		"/quiz/progress":                     one("page /quiz/progress", "/quiz/progress", l),
		"/quiz/attempts/:id":                 one("page /quiz/attempts/ (result)", w.attempt, l),
		"/admin/quiz":                        one("page /admin/quiz", "/admin/quiz", a),
		"/admin/quiz/sessions/:id":           one("page /admin/quiz/sessions/", "/admin/quiz/sessions/"+s1, w.teacher),
		"/admin/quiz/items":                  one("page /admin/quiz/items", "/admin/quiz/items", a),
		"/admin/quiz/items/export":           {{"json quiz bank", "/admin/quiz/items/export", a}, {"csv quiz bank", "/admin/quiz/items/export?format=csv", a}},
		"/admin/quiz/items/:qid":             one("page /admin/quiz/items/ (edit)", "/admin/quiz/items/"+url.PathEscape(w.quizID), a),
		"/static/*":                          nil, "/healthz": nil, "/readyz": nil,
	}
	for _, id := range discountIDs {
		table["/admin/desk/discounts/:id"] = append(table["/admin/desk/discounts/:id"], crawlPath{fmt.Sprintf("page /admin/desk/discounts/ (edit) #%d", id), fmt.Sprintf("/admin/desk/discounts/%d", id), a})
	}
	for _, id := range emailIDs {
		table["/admin/emails/:id"] = append(table["/admin/emails/:id"], crawlPath{fmt.Sprintf("page /admin/emails/ (outbox view) #%d", id), fmt.Sprintf("/admin/emails/%d", id), a})
	}
	for _, n := range []string{"revenue", "registrations", "fill", "discounts", "quiz", "hardest"} {
		table["/admin/reports/:name"] = append(table["/admin/reports/:name"], crawlPath{"csv report " + n, "/admin/reports/" + n + ".csv", a})
	}
	// Reflected text: search boxes and filters echo what is typed.
	q := url.QueryEscape(xssValue("zxqSearch"))
	table["/admin/desk/orders"] = append(table["/admin/desk/orders"], crawlPath{"page search desk orders", "/admin/desk/orders?q=" + q, a})
	table["/admin/users"] = append(table["/admin/users"], crawlPath{"page search users", "/admin/users?q=" + q, a})
	table["/admin/quiz/items"] = append(table["/admin/quiz/items"], crawlPath{"page search quiz items", "/admin/quiz/items?q=" + q, a})
	table["/admin/audit"] = append(table["/admin/audit"], crawlPath{"page search audit", "/admin/audit?action=" + q + "&object_type=" + q + "&object_id=" + q, a})

	var out []crawlPath
	seen := map[string]bool{}
	for _, r := range w.ta.E.Routes() {
		if r.Method != http.MethodGet || seen[r.Path] {
			continue
		}
		seen[r.Path] = true
		ps, ok := table[r.Path]
		if !ok {
			t.Errorf("GET %s is not in the XSS crawl table: add the page with the world's ids (or nil, saying why it shows no staff text)", r.Path)
			continue
		}
		out = append(out, ps...)
	}
	return out
}

// staffForms are the staff pages with forms, fetched for the form guard.
func (w *xssWorld) staffFormPages() map[string]struct {
	path string
	as   *models.User
} {
	type pg = struct {
		path string
		as   *models.User
	}
	a := w.admin
	return map[string]pg{
		"workshop": {fmt.Sprintf("/admin/workshops/%d/edit", w.ws.ID), a},
		"session":  {fmt.Sprintf("/admin/sessions/%d/edit", w.s1.ID), a},
		"series":   {"/admin/series/new", a},
		"certws":   {fmt.Sprintf("/admin/certs/workshops/%d", w.ws.ID), a},
		"cancel":   {fmt.Sprintf("/admin/sessions/%d/cancel", w.s1.ID), a},
		"bulk":     {fmt.Sprintf("/admin/sessions/%d/email", w.s1.ID), a},
		"discount": {"/admin/desk/discounts", a},
		"order":    {fmt.Sprintf("/admin/desk/orders/%d", w.invoice.ID), a},
		"card":     {fmt.Sprintf("/admin/desk/orders/%d", w.card.ID), a},
		"revoke":   {"/admin/certs/" + w.certs[0].Code, a},
		"invite":   {"/admin/users", a},
		"lesson":   {"/admin/lessons/" + w.lessonSlug + "/edit", a},
		"quizitem": {"/admin/quiz/items/" + url.PathEscape(w.quizID), a},
		"items":    {"/admin/quiz/items", a},
		"attach":   {"/admin/quiz", a},
		"sessionp": {fmt.Sprintf("/admin/sessions/%d", w.s1.ID), a},
		"attend":   {fmt.Sprintf("/staff/sessions/%d/attendance", w.s0.ID), w.teacher},
	}
}

// formNameAliases say which list a control of a page belongs to when the
// page holds several forms (the desk order page: refund, mark paid,
// resolve; the session page: capacity and policy).
var formNameAliases = map[string]string{
	"order.reason": "refund", "order.amount": "refund", "order.reference": "markpaid", "order.note": "resolve",
	"card.reason": "refund", "card.amount": "refund", "card.reference": "markpaid", "card.note": "resolve",
	"sessionp.capacity": "capacity", "sessionp.cancel_cutoff_hours": "policy", "sessionp.cancel_fee": "policy",
	"discount.code": "discount",
}

var digits = regexp.MustCompile(`[0-9]+`)

// guardForms fails for a text control of a staff form (POST) that is
// neither a listed stored field nor a listed validated one.
func (w *xssWorld) guardForms(t *testing.T) {
	listed := map[string]bool{"discount.code": true}
	for _, f := range staffFields {
		listed[f.form+"."+f.name] = true
	}
	for form, names := range validatedFields {
		for _, n := range names {
			listed[form+"."+n] = true
		}
	}
	for key, pg := range w.staffFormPages() {
		rec := w.ta.Do(t, ht.Request{Path: pg.path, As: pg.as})
		if rec.Code != http.StatusOK {
			t.Errorf("%s: GET %s got %d", key, pg.path, rec.Code)
			continue
		}
		n := 0
		for _, name := range postTextControls(rec.Body.String()) {
			n++
			name = digits.ReplaceAllString(name, "")
			name = strings.TrimSuffix(name, "-")
			form := key
			if alias, ok := formNameAliases[key+"."+name]; ok {
				form = alias
			}
			if form == "series" && listed["session."+name] {
				continue // the series form repeats the session's fields
			}
			if form == "items" && name == "q" {
				continue
			}
			if !listed[form+"."+name] {
				t.Errorf("%s (%s): text control %q is not in staffFields or validatedFields: list it so its payloads are tested", key, pg.path, name)
			}
		}
		if n == 0 && key != "items" {
			t.Errorf("%s (%s): no text control found: the guard reads nothing", key, pg.path)
		}
	}
}

// postTextControls returns the names of the text inputs and textareas of
// the page's POST forms (radio buttons count: their value is posted as
// text too).
func postTextControls(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	inPost := false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		tok := z.Token()
		attr := func(k string) string {
			for _, a := range tok.Attr {
				if a.Key == k {
					return a.Val
				}
			}
			return ""
		}
		switch {
		case tok.Data == "form" && tt == html.StartTagToken:
			inPost = strings.EqualFold(attr("method"), "post")
		case tok.Data == "form" && tt == html.EndTagToken:
			inPost = false
		case !inPost:
		case tok.Data == "textarea" && tt == html.StartTagToken:
			out = append(out, attr("name"))
		case tok.Data == "input":
			switch attr("type") {
			case "", "text", "url", "email", "search", "tel", "number", "date", "datetime-local", "time", "radio":
				if attr("name") != "" {
					out = append(out, attr("name"))
				}
			}
		}
	}
}

// staffModelFields classify every string field of the models staff edit:
// "staff" fields are in staffFields (by form.name), the others say why
// they need no staff payload here.
var staffModelFields = map[string]map[string]string{
	"Workshop": {"Slug": "validated: workshop.slug", "Title": "staff: workshop.title", "Summary": "staff: workshop.summary",
		"DescriptionMD": "staff: workshop.description_md", "AgendaMD": "staff: workshop.agenda_md", "Audience": "staff: workshop.audience",
		"Level": "validated: a fixed list", "Currency": "validated: workshop.currency"},
	"Session": {"Format": "validated: a fixed list", "Status": "validated: a fixed list", "TimeZone": "validated: session.time_zone", "VenueName": "staff: session.venue_name", "VenueAddress": "staff: session.venue_address",
		"City": "staff: session.city", "RoomDetails": "staff: session.room_details", "JoinURL": "staff: session.join_url", "Currency": "validated: session.currency"},
	"DiscountCode": {"Kind": "validated: a fixed list", "Scope": "validated: a fixed list", "Code": "staff: discount.code (discountCodes)", "Description": "staff: discount.description", "Currency": "validated: discount.currency"},
	"Certificate": {"Code": "system: generated", "HolderName": "user: attendee names (attack_input_test)", "HolderEmail": "user: validated address",
		"CourseTitle": "staff: workshop.title, copied at issue", "TimeZone": "validated: session.time_zone, copied", "Attendance": "system: a fixed status",
		"AccreditationID": "staff: certws.accreditation_id", "RevokedReason": "staff: revoke.reason"},
	"SessionCancellation": {"Reason": "staff: cancel.reason", "Currency": "system: the session's"},
	"Refund": {"Status": "system: a fixed status", "Currency": "system: the order's", "Reason": "staff: refund.reason", "StripeRefundID": "system: from Stripe",
		"IdempotencyKey": "system: generated", "LastError": "system: from Stripe"},
	"InvoicePayment": {"Reference": "staff: markpaid.reference", "Currency": "system: the order's"},
	"User": {"Role": "validated: a fixed list", "Email": "validated: invite.email", "Name": "staff: invite.name", "Company": "user: profile (attack_input_test)",
		"JobTitle": "user: profile (attack_input_test)", "Bio": "user: profile", "PasswordHash": "system: a hash"},
	"Lesson": {"Slug": "system: from content", "Title": "staff: lesson.title", "Summary": "staff: lesson.summary", "Prerequisites": "system: from content",
		"AsOf": "validated: lesson.as_of", "Sources": "staff: lesson.sources", "SelfCheck": "system: kept from content", "BodyMD": "staff: lesson.body",
		"HTML": "system: rendered from lesson.body and sanitised", "TOC": "system: rendered", "SourcePath": "system: content file",
		"SourceHash": "system: content hash"},
	"Question": {"ID": "system: must stay the item's id", "Track": "validated: a known track", "Topic": "system: kept (the set is chosen by it)",
		"Prompt": "staff: quizitem.json", "Explanation": "staff: quizitem.json", "Edition": "validated: a tariff edition", "AsOf": "validated: a date",
		"Kind": "validated: a known kind"},
	"Choice":    {"ID": "validated: the key refers to it", "Text": "staff: quizitem.json", "Feedback": "staff: quizitem.json"},
	"Reference": {"Kind": "validated", "Cite": "staff: quizitem.json"},
}

// guardModels fails for a string field of a staff-edited model that
// staffModelFields does not classify, or a "staff:" one staffFields lacks.
func guardModels(t *testing.T) {
	fields := map[string]bool{"discount.code": true}
	for _, f := range staffFields {
		fields[f.form+"."+f.name] = true
	}
	for _, v := range []any{models.Workshop{}, models.Session{}, models.DiscountCode{}, models.Certificate{}, models.SessionCancellation{},
		models.Refund{}, models.InvoicePayment{}, models.User{}, models.Lesson{}, qz.Question{}, qz.Choice{}, qz.Reference{}} {
		typ := reflect.TypeOf(v)
		known, ok := staffModelFields[typ.Name()]
		if !ok {
			t.Errorf("%s is not classified", typ.Name())
			continue
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Type.Kind() != reflect.String && !(f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.String) {
				continue
			}
			why, ok := known[f.Name]
			if !ok {
				t.Errorf("%s.%s is a new text field: add it to staffFields (and this map) so its payloads are tested, or say here why it needs none", typ.Name(), f.Name)
				continue
			}
			if ref, ok := strings.CutPrefix(why, "staff: "); ok {
				ref, _, _ = strings.Cut(ref, " ")
				ref = strings.TrimSuffix(ref, ",")
				if !fields[ref] {
					t.Errorf("%s.%s says %q but staffFields has no %s", typ.Name(), f.Name, why, ref)
				}
			}
		}
	}
}
