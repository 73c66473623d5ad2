package certs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/models"
)

// world is a held session with one paid attendee marked present, the
// people of the authorization matrix, and the attendee's certificate once
// issued.
type world struct {
	ta                          *ht.App
	admin, instructor, otherIns *models.User
	holder, otherLearner        *models.User
	ws                          *models.Workshop
	sess                        *models.Session
	upcoming                    *models.Session
	attendees                   []models.Attendee
}

func newWorld(t *testing.T, mutate ...func(*handlers.Deps)) *world {
	t.Helper()
	ta := ht.New(t, mutate...)
	w := &world{ta: ta}
	w.admin = ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	w.instructor = ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	w.otherIns = ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	w.holder = ht.MustUser(t, ta.DB, models.RoleLearner, "")
	w.otherLearner = ht.MustUser(t, ta.DB, models.RoleLearner, "")
	w.ws = ht.MustWorkshop(t, ta.DB)
	start := ht.Now.Add(-48 * time.Hour)
	w.sess = ht.MustSession(t, ta.DB, w.ws, func(s *models.Session) {
		s.StartsAt, s.EndsAt, s.RegistrationClosesAt = start, start.Add(7*time.Hour), start.Add(-time.Hour)
		s.InstructorID = &w.instructor.ID
	})
	w.upcoming = ht.MustSession(t, ta.DB, w.ws)
	// The holder's address in upper case: accounts match case-insensitively.
	w.attendees = w.order(t, w.sess, models.OrderPaid, [2]string{"Holder Person", strings.ToUpper(w.holder.Email)}, [2]string{"Absent Person", "absent@example.com"})
	w.mark(t, w.sess, w.attendees[0], "present", 0)
	w.mark(t, w.sess, w.attendees[1], "absent", 0)
	return w
}

func (w *world) order(t *testing.T, s *models.Session, status models.OrderStatus, people ...[2]string) []models.Attendee {
	t.Helper()
	buyer := ht.MustUser(t, w.ta.DB, models.RoleLearner, "")
	o := &models.Order{Ref: fmt.Sprintf("ref-%d-%d", s.ID, buyer.ID), SessionID: s.ID, UserID: buyer.ID, BuyerName: "Buyer",
		BuyerEmail: buyer.Email, Seats: len(people), UnitPriceMinor: 100, SubtotalMinor: 100, TotalMinor: 100, Currency: "USD",
		PaymentMethod: models.PayByInvoice, Status: status}
	for i, p := range people {
		o.Attendees = append(o.Attendees, models.Attendee{Position: i, Name: p[0], Email: p[1], PriceMinor: 100, Status: models.AttendeeActive})
	}
	if err := w.ta.DB.Create(o).Error; err != nil {
		t.Fatal(err)
	}
	return o.Attendees
}

func (w *world) mark(t *testing.T, s *models.Session, a models.Attendee, status string, hours float64) {
	t.Helper()
	if err := w.ta.DB.Table("attendance_marks").Create(map[string]any{"session_id": s.ID, "attendee_id": a.ID, "status": status,
		"hours": hours, "marked_at": ht.Now}).Error; err != nil {
		t.Fatal(err)
	}
}

// issue issues the session's certificates as the admin and returns the
// holder's certificate.
func (w *world) issue(t *testing.T) *models.Certificate {
	t.Helper()
	rec := w.ta.Do(t, ht.Request{Method: http.MethodPost, Path: fmt.Sprintf("/admin/certs/sessions/%d/issue", w.sess.ID), As: w.admin, Form: url.Values{}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("issue: got %d, want 303\n%.1500s", rec.Code, rec.Body.String())
	}
	cs, err := models.ListCertificatesForSession(context.Background(), w.ta.DB, w.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("certificates: got %d, want 1", len(cs))
	}
	return &cs[0]
}

type call struct {
	name   string
	req    ht.Request
	status int
	body   []string
}

func run(t *testing.T, ta *ht.App, calls []call) {
	t.Helper()
	for _, c := range calls {
		rec := ta.Do(t, c.req)
		if rec.Code != c.status {
			t.Errorf("%s: %s %s: got %d, want %d\n%.800s", c.name, c.req.Method, c.req.Path, rec.Code, c.status, rec.Body.String())
			continue
		}
		for _, b := range c.body {
			if !strings.Contains(rec.Body.String(), b) {
				t.Errorf("%s: body lacks %q\n%.2000s", c.name, b, rec.Body.String())
			}
		}
	}
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cert := w.issue(t)
	code := cert.Code
	get := func(p string, u *models.User) ht.Request { return ht.Request{Path: p, As: u} }
	adminGets := []string{"/admin/certs", fmt.Sprintf("/admin/certs/sessions/%d", w.sess.ID), "/admin/certs/workshops",
		fmt.Sprintf("/admin/certs/workshops/%d", w.ws.ID), "/admin/certs/" + code}
	var calls []call
	for _, p := range adminGets {
		calls = append(calls,
			call{"anonymous " + p, get(p, nil), http.StatusUnauthorized, nil},
			call{"learner " + p, get(p, w.holder), http.StatusForbidden, nil},
			call{"instructor " + p, get(p, w.instructor), http.StatusForbidden, nil},
			call{"admin " + p, get(p, w.admin), http.StatusOK, nil})
	}
	posts := []struct {
		path string
		form url.Values
	}{
		{fmt.Sprintf("/admin/certs/sessions/%d/issue", w.sess.ID), url.Values{}},
		{"/admin/certs/" + code + "/revoke", url.Values{"reason": {"Recorded in error"}}},
		{fmt.Sprintf("/admin/certs/workshops/%d", w.ws.ID), url.Values{"ce_credit_hours": {"7"}}},
	}
	for _, p := range posts {
		for _, u := range []struct {
			who    string
			user   *models.User
			status int
		}{{"anonymous", nil, http.StatusUnauthorized}, {"learner", w.holder, http.StatusForbidden}, {"instructor", w.instructor, http.StatusForbidden}} {
			calls = append(calls, call{u.who + " POST " + p.path, ht.Request{Method: http.MethodPost, Path: p.path, As: u.user, Form: p.form}, u.status, nil})
		}
	}
	pdf := "/certificates/" + code + "/pdf"
	calls = append(calls,
		call{"anonymous verify", get("/certificates/"+code, nil), http.StatusOK, []string{"Valid certificate", "Holder Person", w.ws.Title, "6"}},
		call{"anonymous pdf", get(pdf, nil), http.StatusUnauthorized, nil},
		call{"holder pdf", get(pdf, w.holder), http.StatusOK, nil},
		call{"other learner pdf", get(pdf, w.otherLearner), http.StatusNotFound, nil},
		call{"other instructor pdf", get(pdf, w.otherIns), http.StatusNotFound, nil},
		call{"session instructor pdf", get(pdf, w.instructor), http.StatusOK, nil},
		call{"admin pdf", get(pdf, w.admin), http.StatusOK, nil},
		call{"anonymous transcript", get("/certificates", nil), http.StatusUnauthorized, nil},
		call{"holder transcript", get("/certificates", w.holder), http.StatusOK, []string{"Period 1 Feb 2024 – 31 Jan 2027", w.ws.Title, code}},
		call{"anonymous transcript csv", get("/certificates/transcript.csv", nil), http.StatusUnauthorized, nil},
		call{"holder transcript csv", get("/certificates/transcript.csv", w.holder), http.StatusOK, []string{"2024-02-01,2027-01-31", code}},
		call{"holder transcript pdf", get("/certificates/transcript.pdf", w.holder), http.StatusOK, []string{"%PDF-"}},
		call{"anonymous transcript pdf", get("/certificates/transcript.pdf", nil), http.StatusUnauthorized, nil},
	)
	run(t, w.ta, calls)

	// Another learner's transcript holds none of the holder's certificates.
	rec := w.ta.Do(t, get("/certificates", w.otherLearner))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), code) || !strings.Contains(rec.Body.String(), "no certificates yet") {
		t.Errorf("other learner's transcript: got %d, want 200 without %s", rec.Code, code)
	}
	rec = w.ta.Do(t, get("/certificates/transcript.csv", w.otherLearner))
	if strings.Contains(rec.Body.String(), code) {
		t.Errorf("other learner's CSV lists the holder's certificate")
	}
	rec = w.ta.Do(t, get(pdf, w.holder))
	if ct := rec.Header().Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
		t.Errorf("holder pdf: got Content-Type %q, want a PDF", ct)
	}
	// Nothing changed through the refused POSTs.
	c, err := models.FindCertificateByCode(context.Background(), w.ta.DB, code)
	if err != nil || c.Revoked() {
		t.Errorf("certificate after refused revokes: %v revoked=%v", err, c != nil && c.Revoked())
	}
	wce, err := models.FindWorkshopCE(context.Background(), w.ta.DB, w.ws.ID)
	if err != nil || wce.CECreditHours != 6 {
		t.Errorf("workshop after refused edits: %v hours %v, want 6", err, wce)
	}
}

func TestIssueThroughTheRouterIsIdempotent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	prev := fmt.Sprintf("/admin/certs/sessions/%d", w.sess.ID)
	run(t, w.ta, []call{{"preview", ht.Request{Path: prev, As: w.admin}, http.StatusOK,
		[]string{"Holder Person", "Qualifies", "Absent Person", "Marked absent.", "Issue 1 certificate"}}})
	cert := w.issue(t)
	rec := w.ta.Do(t, ht.Request{Method: http.MethodPost, Path: prev + "/issue", As: w.admin, Form: url.Values{}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != prev+"?issued=0&already=1&refused=1" {
		t.Fatalf("second issue: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	run(t, w.ta, []call{{"result", ht.Request{Path: rec.Header().Get("Location"), As: w.admin}, http.StatusOK,
		[]string{"0 issued and emailed, 1 already had one, 1 not qualified", cert.Code}}})
	if n := w.ta.CountEmails(t, "certificate:"); n != 1 {
		t.Errorf("certificate emails: got %d, want 1", n)
	}
	var m models.Email
	if err := w.ta.DB.Preload("Attachments").Where("kind = ?", "certificate_issued").First(&m).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(m.ToAddr, w.holder.Email) || len(m.Attachments) != 1 || !strings.Contains(m.TextBody, "http://hsw.test/certificates/"+cert.Code) {
		t.Errorf("email: to %s, %d attachments, body %q", m.ToAddr, len(m.Attachments), m.TextBody)
	}
	// The upcoming session cannot be issued yet; an unknown one is 404.
	run(t, w.ta, []call{
		{"not ended", ht.Request{Method: http.MethodPost, Path: fmt.Sprintf("/admin/certs/sessions/%d/issue", w.upcoming.ID), As: w.admin, Form: url.Values{}}, http.StatusConflict, nil},
		{"unknown session", ht.Request{Path: "/admin/certs/sessions/99999", As: w.admin}, http.StatusNotFound, nil},
		{"unknown session issue", ht.Request{Method: http.MethodPost, Path: "/admin/certs/sessions/99999/issue", As: w.admin, Form: url.Values{}}, http.StatusNotFound, nil},
	})
}

func TestVerificationPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cert := w.issue(t)
	run(t, w.ta, []call{
		{"valid", ht.Request{Path: "/certificates/" + cert.Code}, http.StatusOK,
			[]string{"Valid certificate", "Holder Person", w.ws.Title, w.sess.LocalStart().Format("2 January 2006"), "Credit hours", ">6<"}},
		{"valid, typed in lower case with dashes", ht.Request{Path: "/certificates/" + strings.ToLower(cert.Code[:4]+"-"+cert.Code[4:])}, http.StatusOK, []string{"Valid certificate"}},
		{"unknown", ht.Request{Path: "/certificates/AAAAAAAAAAAAAAAA"}, http.StatusNotFound, []string{"Certificate not found", "AAAAAAAAAAAAAAAA"}},
		{"malformed", ht.Request{Path: "/certificates/%3Cscript%3E"}, http.StatusNotFound, []string{"Certificate not found"}},
		{"revoke", ht.Request{Method: http.MethodPost, Path: "/admin/certs/" + cert.Code + "/revoke", As: w.admin, Form: url.Values{"reason": {"Attendance recorded in error"}}}, http.StatusSeeOther, nil},
	})
	rec := w.ta.Do(t, ht.Request{Path: "/certificates/" + cert.Code})
	body := rec.Body.String()
	if rec.Code != http.StatusGone || !strings.Contains(body, "Certificate revoked") || !strings.Contains(body, "revoked on <strong>27 November 2026</strong>") {
		t.Errorf("revoked: got %d\n%.2000s", rec.Code, body)
	}
	for _, hidden := range []string{"Valid certificate", "Holder Person", "Attendance recorded in error"} {
		if strings.Contains(body, hidden) {
			t.Errorf("revoked page shows %q", hidden)
		}
	}
	run(t, w.ta, []call{
		{"holder cannot download a revoked certificate", ht.Request{Path: "/certificates/" + cert.Code + "/pdf", As: w.holder}, http.StatusGone, nil},
		{"admin still can", ht.Request{Path: "/certificates/" + cert.Code + "/pdf", As: w.admin}, http.StatusOK, []string{"%PDF-"}},
		{"admin page shows the reason", ht.Request{Path: "/admin/certs/" + cert.Code, As: w.admin}, http.StatusOK, []string{"Attendance recorded in error"}},
		{"revoked transcript", ht.Request{Path: "/certificates", As: w.holder}, http.StatusOK, []string{"no certificates yet"}},
	})
	es, err := models.ListAuditEntries(context.Background(), w.ta.DB, models.AuditFilter{Action: "certificate.revoke"})
	if err != nil || len(es) != 1 || es[0].ActorID == nil || *es[0].ActorID != w.admin.ID {
		t.Errorf("audit: got %d entries (%v), want 1 by the admin", len(es), err)
	}
}

func TestFormsRejectBadInputAndForgedPosts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cert := w.issue(t)
	wsPath := fmt.Sprintf("/admin/certs/workshops/%d", w.ws.ID)
	run(t, w.ta, []call{
		{"revoke without reason", ht.Request{Method: http.MethodPost, Path: "/admin/certs/" + cert.Code + "/revoke", As: w.admin, Form: url.Values{"reason": {"  "}}},
			http.StatusUnprocessableEntity, []string{`id="f-reason-error"`, "Give the reason"}},
		{"hours not a number", ht.Request{Method: http.MethodPost, Path: wsPath, As: w.admin, Form: url.Values{"ce_credit_hours": {"six"}, "accreditation_id": {"ACC-1"}}},
			http.StatusUnprocessableEntity, []string{`id="f-ce_credit_hours-error"`, `value="six"`, `value="ACC-1"`}},
		{"hours not in half hours", ht.Request{Method: http.MethodPost, Path: wsPath, As: w.admin, Form: url.Values{"ce_credit_hours": {"6.3"}}},
			http.StatusUnprocessableEntity, []string{"half hours"}},
		{"hours negative", ht.Request{Method: http.MethodPost, Path: wsPath, As: w.admin, Form: url.Values{"ce_credit_hours": {"-1"}}}, http.StatusUnprocessableEntity, nil},
		{"accreditation too long", ht.Request{Method: http.MethodPost, Path: wsPath, As: w.admin, Form: url.Values{"ce_credit_hours": {"6"}, "accreditation_id": {strings.Repeat("x", 81)}}},
			http.StatusUnprocessableEntity, []string{`id="f-accreditation_id-error"`}},
		{"forged issue", ht.Request{Method: http.MethodPost, Path: fmt.Sprintf("/admin/certs/sessions/%d/issue", w.sess.ID), As: w.admin, Form: url.Values{}, NoCSRF: true}, http.StatusForbidden, nil},
		{"forged revoke", ht.Request{Method: http.MethodPost, Path: "/admin/certs/" + cert.Code + "/revoke", As: w.admin, Form: url.Values{"reason": {"forged"}}, NoCSRF: true}, http.StatusForbidden, nil},
		{"forged workshop edit", ht.Request{Method: http.MethodPost, Path: wsPath, As: w.admin, Form: url.Values{"ce_credit_hours": {"1"}}, NoCSRF: true}, http.StatusForbidden, nil},
		{"valid workshop edit", ht.Request{Method: http.MethodPost, Path: wsPath, As: w.admin, Form: url.Values{"ce_credit_hours": {"6.5"}, "accreditation_id": {" ACC-2026-0142 "}, "requires_post_test": {"true"}}}, http.StatusSeeOther, nil},
		{"unknown workshop", ht.Request{Method: http.MethodPost, Path: "/admin/certs/workshops/99999", As: w.admin, Form: url.Values{"ce_credit_hours": {"6"}}}, http.StatusNotFound, nil},
		{"unknown certificate", ht.Request{Path: "/admin/certs/AAAAAAAAAAAAAAAA", As: w.admin}, http.StatusNotFound, nil},
	})
	c, err := models.FindCertificateByCode(context.Background(), w.ta.DB, cert.Code)
	if err != nil || c.Revoked() {
		t.Errorf("certificate revoked by a refused post (%v)", err)
	}
	wce, err := models.FindWorkshopCE(context.Background(), w.ta.DB, w.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if wce.CECreditHours != 6.5 || wce.AccreditationID != "ACC-2026-0142" || !wce.RequiresPostTest {
		t.Errorf("workshop: got %+v, want 6.5 ACC-2026-0142 post-test", wce)
	}
	es, err := models.ListAuditEntries(context.Background(), w.ta.DB, models.AuditFilter{Action: "workshop.ce_update"})
	if err != nil || len(es) != 1 {
		t.Errorf("workshop audit entries: got %d (%v), want 1", len(es), err)
	}
}

func TestVerificationLookupsAreRateLimited(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, func(d *handlers.Deps) { d.Config.RateLimit = 3 })
	for i := 0; i < 3; i++ {
		if rec := ta.Do(t, ht.Request{Path: "/certificates/AAAAAAAAAAAAAAAA", Remote: "198.51.100.7:1234"}); rec.Code != http.StatusNotFound {
			t.Fatalf("lookup %d: got %d, want 404", i+1, rec.Code)
		}
	}
	if rec := ta.Do(t, ht.Request{Path: "/certificates/AAAAAAAAAAAAAAAA", Remote: "198.51.100.7:1234"}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("4th lookup: got %d, want 429", rec.Code)
	}
	if rec := ta.Do(t, ht.Request{Path: "/certificates/AAAAAAAAAAAAAAAA", Remote: "198.51.100.8:1234"}); rec.Code != http.StatusNotFound {
		t.Errorf("another client: got %d, want 404", rec.Code)
	}
}

// TestHolderMustProveTheAddress: an account whose email equals an
// attendee's does not hold the attendee's certificate (not in its
// transcript, no PDF) until it proves that address; then it does.
func TestHolderMustProveTheAddress(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	squatter := ht.MustUnverifiedUser(t, w.ta.DB, models.RoleLearner, "")
	att := w.order(t, w.sess, models.OrderPaid, [2]string{"Late Person", squatter.Email})
	w.mark(t, w.sess, att[0], "present", 0)
	rec := w.ta.Do(t, ht.Request{Method: http.MethodPost, Path: fmt.Sprintf("/admin/certs/sessions/%d/issue", w.sess.ID), As: w.admin, Form: url.Values{}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("issue: got %d, want 303", rec.Code)
	}
	cs, err := models.ListCertificatesForSession(ctx, w.ta.DB, w.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	code := ""
	for _, c := range cs {
		if c.AttendeeID == att[0].ID {
			code = c.Code
		}
	}
	if code == "" {
		t.Fatalf("no certificate issued for the attendee among %d", len(cs))
	}
	pdf := "/certificates/" + code + "/pdf"
	get := func(p string) ht.Request { return ht.Request{Path: p, As: squatter} }
	run(t, w.ta, []call{
		{"unproven pdf", get(pdf), http.StatusForbidden, nil},
		{"unproven transcript", get("/certificates"), http.StatusOK, []string{"no certificates yet"}},
		{"session instructor pdf", ht.Request{Path: pdf, As: w.instructor}, http.StatusOK, nil},
		{"admin pdf", ht.Request{Path: pdf, As: w.admin}, http.StatusOK, nil},
	})
	for _, p := range []string{"/certificates", "/certificates/transcript.csv"} {
		if rec := w.ta.Do(t, get(p)); strings.Contains(rec.Body.String(), code) {
			t.Errorf("unproven %s: got the certificate %s, want none", p, code)
		}
	}

	token, _, err := models.CreateEmailVerification(ctx, w.ta.DB, squatter.ID, squatter.Email, models.VerifyAccount, nil, time.Hour, ht.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.ConsumeAccountVerification(ctx, w.ta.DB, token, squatter.ID, ht.Now); err != nil {
		t.Fatal(err)
	}
	run(t, w.ta, []call{
		{"proven pdf", get(pdf), http.StatusOK, []string{"%PDF-"}},
		{"proven transcript", get("/certificates"), http.StatusOK, []string{code}},
		{"proven transcript csv", get("/certificates/transcript.csv"), http.StatusOK, []string{code}},
	})
}
