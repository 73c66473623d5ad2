package certificate

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/testpdf"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestCredit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ hours, ce, want float64 }{
		{7, 6, 6}, {6, 6, 6}, {4.75, 6, 4.5}, {0.4, 6, 0}, {0.5, 6, 0.5}, {3, 0, 0}, {0, 6, 0}, {-1, 6, 0}, {6.5, 6.5, 6.5},
	} {
		if got := Credit(tc.hours, tc.ce); got != tc.want {
			t.Errorf("Credit(%v, %v): got %v, want %v", tc.hours, tc.ce, got, tc.want)
		}
	}
}

func TestQualify(t *testing.T) {
	t.Parallel()
	w := models.WorkshopCE{CECreditHours: 6}
	paid := models.OrderPaid
	for _, tc := range []struct {
		name    string
		order   models.OrderStatus
		att     Attendance
		marked  bool
		pt      PostTest
		ok      bool
		credit  float64
		wantWhy string
	}{
		{"present full", paid, Attendance{Status: Present}, true, PostTestNotRequired, true, 6, "full credit"},
		{"present with hours over the CE hours is capped", paid, Attendance{Status: Present, Hours: 7}, true, PostTestNotRequired, true, 6, "full credit"},
		{"partial rounds down to a half hour", paid, Attendance{Status: Partial, Hours: 4.75}, true, PostTestNotRequired, true, 4.5, "4.5 of 6"},
		{"partial under half an hour", paid, Attendance{Status: Partial, Hours: 0.25}, true, PostTestNotRequired, false, 0, "less than half an hour"},
		{"partial without hours", paid, Attendance{Status: Partial}, true, PostTestNotRequired, false, 0, "no hours"},
		{"absent", paid, Attendance{Status: Absent}, true, PostTestNotRequired, false, 0, "absent"},
		{"not marked", paid, Attendance{}, false, PostTestNotRequired, false, 0, "No attendance"},
		{"post-test passed", paid, Attendance{Status: Present}, true, PostTestPassed, true, 6, "full credit"},
		{"post-test failed", paid, Attendance{Status: Present}, true, PostTestNotPassed, false, 0, "post-test"},
		{"post-test without account", paid, Attendance{Status: Present}, true, PostTestNoAccount, false, 0, "no account"},
		{"invoice unpaid", models.OrderPendingInvoice, Attendance{Status: Present}, true, PostTestNotRequired, false, 0, "not paid"},
	} {
		d := Qualify(w, tc.order, tc.att, tc.marked, tc.pt)
		if d.Qualifies != tc.ok || d.Credit != tc.credit {
			t.Errorf("%s: got qualifies=%v credit=%v, want %v %v (%s)", tc.name, d.Qualifies, d.Credit, tc.ok, tc.credit, d.Reason)
		}
		if !strings.Contains(d.Reason, tc.wantWhy) {
			t.Errorf("%s: reason %q does not contain %q", tc.name, d.Reason, tc.wantWhy)
		}
	}
}

func countRows(t *testing.T, f *fixture, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.db.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIssueIsIdempotentAndFollowsTheRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	atts := f.order(t, f.sess, models.OrderPaid, "ana", "ben", "cy", "dee")
	f.mark(t, f.sess, atts[0], Present, 0)
	f.mark(t, f.sess, atts[1], Partial, 4.75)
	f.mark(t, f.sess, atts[2], Absent, 0)
	// dee is not marked.
	admin := f.user(t, "admin@example.com")

	p, err := f.svc.Preview(ctx, f.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 4 || p.ToIssue != 2 || !p.Ended {
		t.Fatalf("preview: got %d rows, %d to issue, ended %v; want 4, 2, true", len(p.Rows), p.ToIssue, p.Ended)
	}
	res, err := f.svc.Issue(ctx, admin, "192.0.2.9", f.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res != (Result{Issued: 2, Refused: 2}) {
		t.Fatalf("first issue: got %+v, want 2 issued, 2 refused", res)
	}
	res, err = f.svc.Issue(ctx, admin, "192.0.2.9", f.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res != (Result{Already: 2, Refused: 2}) {
		t.Fatalf("second issue: got %+v, want 2 already, 2 refused", res)
	}
	cs, err := models.ListCertificatesForSession(ctx, f.db, f.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("certificates: got %d, want 2", len(cs))
	}
	byName := map[string]models.Certificate{}
	for _, c := range cs {
		byName[c.HolderName] = c
		if len(c.Code) < 10 || !ValidCodeShape(c.Code) {
			t.Errorf("code %q: want at least 10 base32 characters", c.Code)
		}
	}
	if got := byName["ana"].CreditHours; got != 6 {
		t.Errorf("ana credit: got %v, want 6", got)
	}
	if got := byName["ben"]; got.CreditHours != 4.5 || got.HoursAttended != 4.75 || got.Attendance != "partial" {
		t.Errorf("ben: got credit %v hours %v %s, want 4.5 4.75 partial", got.CreditHours, got.HoursAttended, got.Attendance)
	}
	if n := countRows(t, f, "emails", "kind = ?", "certificate_issued"); n != 2 {
		t.Errorf("certificate emails: got %d, want 2", n)
	}
	if n := countRows(t, f, "email_attachments", "content_type = ? AND filename LIKE ?", "application/pdf", "certificate-%"); n != 2 {
		t.Errorf("PDF attachments: got %d, want 2", n)
	}
	es, err := models.ListAuditEntries(ctx, f.db, models.AuditFilter{Action: "certificate.issue"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].ActorID == nil || *es[0].ActorID != admin.ID || es[0].IP != "192.0.2.9" {
		t.Fatalf("audit: got %d entries (%+v), want 2 by the admin", len(es), es)
	}
}

func TestIssueRefusesBeforeTheEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	later := f.session(t, now.Add(-time.Hour)) // under way: ends in 6 hours
	atts := f.order(t, later, models.OrderPaid, "eve")
	f.mark(t, later, atts[0], Present, 0)
	_, err := f.svc.Issue(context.Background(), nil, "", later.ID)
	if !errors.Is(err, ErrNotEnded) {
		t.Fatalf("issue during the session: got %v, want ErrNotEnded", err)
	}
	if n := countRows(t, f, "certificates", "session_id = ?", later.ID); n != 0 {
		t.Errorf("certificates: got %d, want 0", n)
	}
}

func TestIssueChecksThePostTestWhenRequired(t *testing.T) {
	t.Parallel()
	checker := fakePostTests{passed: map[uint]bool{}}
	f := newFixture(t, checker)
	ctx := context.Background()
	if err := f.db.Table("workshops").Where("id = ?", f.ws.ID).Update("requires_post_test", true).Error; err != nil {
		t.Fatal(err)
	}
	atts := f.order(t, f.sess, models.OrderPaid, "pass", "fail", "noacct", "unproven")
	for _, a := range atts {
		f.mark(t, f.sess, a, Present, 0)
	}
	checker.passed[f.user(t, emailOf("pass")).ID] = true
	f.user(t, emailOf("fail"))
	// A pass by an account that has not proven the attendee's address is
	// not the attendee's.
	checker.passed[f.unprovenUser(t, emailOf("unproven")).ID] = true
	res, err := f.svc.Issue(ctx, nil, "", f.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Issued != 1 || res.Refused != 3 {
		t.Fatalf("got %+v, want 1 issued 3 refused", res)
	}
	cs, err := models.ListCertificatesForSession(ctx, f.db, f.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].HolderName != "pass" {
		t.Fatalf("got %+v, want one certificate for pass", cs)
	}

	// Without a checker the flag is not enforced.
	f.svc.post = nil
	res, err = f.svc.Issue(ctx, nil, "", f.sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Issued != 3 {
		t.Errorf("nil checker: got %+v, want the other 3 issued", res)
	}
}

// TestHolderNeedsAProvenAddress: an account whose email equals the
// attendee's holds the certificate (downloads it, sees it in its
// transcript) only once it has proven that address; staff are unchanged.
func TestHolderNeedsAProvenAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	atts := f.order(t, f.sess, models.OrderPaid, "ana")
	f.mark(t, f.sess, atts[0], Present, 0)
	if _, err := f.svc.Issue(ctx, nil, "", f.sess.ID); err != nil {
		t.Fatal(err)
	}
	cs, err := models.ListCertificatesForSession(ctx, f.db, f.sess.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("got %d certificates (%v), want 1", len(cs), err)
	}
	c := cs[0]
	squatter := f.unprovenUser(t, strings.ToUpper(emailOf("ana")))
	admin := f.user(t, "boss@example.com")
	admin.Role = models.RoleAdmin
	unprovenAdmin := *admin
	unprovenAdmin.EmailVerifiedAt = nil
	proven := *squatter
	at := now
	proven.EmailVerifiedAt = &at

	for _, tt := range []struct {
		name string
		u    *models.User
		want bool
	}{
		{"anonymous", nil, false},
		{"unproven account with the attendee's email", squatter, false},
		{"same account after proving it", &proven, true},
		{"admin", admin, true},
		{"admin whatever its address", &unprovenAdmin, true},
	} {
		if got := CanDownload(tt.u, &c, f.sess); got != tt.want {
			t.Errorf("%s: CanDownload got %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		u    *models.User
		want int
	}{
		{"unproven account with the attendee's email", squatter, 0},
		{"same account after proving it", &proven, 1},
	} {
		tr, err := f.svc.Transcript(ctx, tt.u)
		if err != nil {
			t.Fatalf("%s: transcript: %v", tt.name, err)
		}
		n := 0
		for _, p := range tr.Periods {
			n += len(p.Lines)
		}
		if n != tt.want {
			t.Errorf("%s: transcript lines got %d, want %d", tt.name, n, tt.want)
		}
	}
}

func TestCertificatePDFCarriesCodeAndHolder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := models.Certificate{Code: "K7Q2MX4RZP9TBW3D", HolderName: "María Pérez", CourseTitle: "HS Classification Fundamentals",
		StartsAt: f.sess.StartsAt, EndsAt: f.sess.EndsAt, TimeZone: "America/Chicago", Attendance: "partial", HoursAttended: 4.75,
		CreditHours: 4.5, AccreditationID: "ACC-77", IssuedAt: now}
	cc := f.svc.Content(c)
	if cc.Dates != "26 November 2026" || !strings.Contains(cc.When, "09:00–16:00 CST") {
		t.Errorf("dates: got %q / %q, want 26 November 2026 and 09:00–16:00 CST", cc.Dates, cc.When)
	}
	if cc.VerifyURL != "https://hsw.test/certificates/K7Q2MX4RZP9TBW3D" || cc.Credit != "4.5 CE credit hours" ||
		cc.Accreditation != "Accreditation: ACC-77" || !strings.Contains(cc.Attendance, "4.75") {
		t.Errorf("content: got %+v", cc)
	}
	pdf, err := renderCertificate(cc, c, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	doc := testpdf.MustRead(t, pdf)
	for _, want := range []string{"María Pérez", "K7Q2MX4RZP9TBW3D", "https://hsw.test/certificates/K7Q2MX4RZP9TBW3D",
		"HS Classification Fundamentals", "4.5 CE credit hours", "ACC-77", "Certificate of Attendance"} {
		if !shows(doc, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, doc.All())
		}
	}
	c.RevokedAt = &now
	if cc := f.svc.Content(c); cc.Revoked != "REVOKED on 27 November 2026" {
		t.Errorf("revoked copy: got %q", cc.Revoked)
	}
}

func TestPeriodOf(t *testing.T) {
	t.Parallel()
	d := func(s string) time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ day, start, end string }{
		{"2024-01-31", "2021-02-01", "2024-01-31"},
		{"2024-02-01", "2024-02-01", "2027-01-31"},
		{"2025-06-30", "2024-02-01", "2027-01-31"},
		{"2027-01-31", "2024-02-01", "2027-01-31"},
		{"2027-02-01", "2027-02-01", "2030-01-31"},
		{"2030-02-01", "2030-02-01", "2033-01-31"},
		{"2020-12-31", "2018-02-01", "2021-01-31"},
	} {
		p := PeriodOf(d(tc.day))
		if got := p.Start.Format(time.DateOnly) + " " + p.End.Format(time.DateOnly); got != tc.start+" "+tc.end {
			t.Errorf("PeriodOf(%s): got %s, want %s %s", tc.day, got, tc.start, tc.end)
		}
	}
	if req, _ := PeriodOf(d("2025-03-01")).Required(); req != 20 {
		t.Errorf("first period: got %v credits required, want 20", req)
	}
	if req, _ := PeriodOf(d("2028-03-01")).Required(); req != 36 {
		t.Errorf("second period: got %v credits required, want 36", req)
	}
}

func TestTranscriptGroupsByPeriodInTheSessionZone(t *testing.T) {
	t.Parallel()
	chi := "America/Chicago"
	cert := func(code string, endUTC time.Time, credit float64) models.Certificate {
		return models.Certificate{Code: code, CourseTitle: "Course " + code, StartsAt: endUTC.Add(-7 * time.Hour), EndsAt: endUTC,
			TimeZone: chi, CreditHours: credit, HoursAttended: credit}
	}
	revokedAt := now
	revoked := cert("REVOKED", time.Date(2025, 5, 1, 20, 0, 0, 0, time.UTC), 6)
	revoked.RevokedAt = &revokedAt
	cs := []models.Certificate{
		cert("EARLY", time.Date(2024, 10, 1, 20, 0, 0, 0, time.UTC), 3), // before the compliance date: listed, not counted
		cert("A", time.Date(2025, 5, 1, 20, 0, 0, 0, time.UTC), 6),
		revoked,
		// 31 Jan 2027, 23:30 in Chicago is 1 Feb 05:30 UTC: still the 2024 period.
		cert("EDGE", time.Date(2027, 2, 1, 5, 30, 0, 0, time.UTC), 4.5),
		// 1 Feb 2027, 10:00 in Chicago: the 2027 period.
		cert("NEXT", time.Date(2027, 2, 1, 16, 0, 0, 0, time.UTC), 7),
	}
	tr := BuildTranscript("Ana", "ana@example.com", now, cs)
	if len(tr.Periods) != 2 {
		t.Fatalf("periods: got %d, want 2", len(tr.Periods))
	}
	newest, first := tr.Periods[0], tr.Periods[1]
	if got := newest.Period.Start.Format(time.DateOnly); got != "2027-02-01" || len(newest.Lines) != 1 || newest.Total != 7 || newest.Required != 36 {
		t.Errorf("newest period: got %s with %d lines, total %v, required %v; want 2027-02-01, 1, 7, 36",
			got, len(newest.Lines), newest.Total, newest.Required)
	}
	if got := first.Period.Start.Format(time.DateOnly); got != "2024-02-01" || len(first.Lines) != 3 || first.Total != 10.5 || first.Required != 20 {
		t.Errorf("first period: got %s with %d lines, total %v, required %v; want 2024-02-01, 3, 10.5, 20",
			got, len(first.Lines), first.Total, first.Required)
	}
	if len(first.Lines) > 0 && !first.Lines[0].BeforeCompliance {
		t.Errorf("EARLY: want it marked before the compliance date")
	}
	f := newFixture(t, nil)
	var buf bytes.Buffer
	if err := f.svc.WriteCSV(&buf, tr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("CSV: got %d lines, want header + 4:\n%s", len(lines), buf.String())
	}
	if !strings.HasPrefix(lines[0], "period_start,period_end,completed_on,course") || !strings.Contains(buf.String(), "2024-02-01,2027-01-31,2027-01-31,Course EDGE") {
		t.Errorf("CSV:\n%s", buf.String())
	}
	pdf, err := renderTranscript("hsworkshop", tr, false)
	if err != nil {
		t.Fatal(err)
	}
	doc := testpdf.MustRead(t, pdf)
	for _, want := range []string{"Period 1 Feb 2024 – 31 Jan 2027", "Course EDGE", "Credits earned: 10.5"} {
		if !shows(doc, want) {
			t.Errorf("transcript PDF lacks %q:\n%s", want, doc.All())
		}
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	atts := f.order(t, f.sess, models.OrderPaid, "ana")
	f.mark(t, f.sess, atts[0], Present, 0)
	if _, err := f.svc.Issue(ctx, nil, "", f.sess.ID); err != nil {
		t.Fatal(err)
	}
	cs, err := models.ListCertificatesForSession(ctx, f.db, f.sess.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("got %d certificates (%v), want 1", len(cs), err)
	}
	code := cs[0].Code
	var ve *models.ValidationError
	if err := f.svc.Revoke(ctx, nil, "", code, " "); !errors.As(err, &ve) || ve.Fields["reason"] == "" {
		t.Fatalf("empty reason: got %v, want a reason field error", err)
	}
	if err := f.svc.Revoke(ctx, nil, "", strings.ToLower(code), "Attendance was recorded in error"); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Verify(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Revoked() || !c.RevokedAt.Equal(now) || c.RevokedReason != "Attendance was recorded in error" {
		t.Errorf("got revoked=%v at %v reason %q", c.Revoked(), c.RevokedAt, c.RevokedReason)
	}
	if err := f.svc.Revoke(ctx, nil, "", code, "again please"); !errors.As(err, &ve) {
		t.Errorf("second revoke: got %v, want a validation error", err)
	}
	if n := countRows(t, f, "audit_entries", "action = ? AND object_id = ?", "certificate.revoke", code); n != 1 {
		t.Errorf("revoke audit entries: got %d, want 1", n)
	}
	if _, err := f.svc.Verify(ctx, "NOPE"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("malformed code: got %v, want ErrNotFound", err)
	}
}

func TestNewCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		c, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 16 || !ValidCodeShape(c) || seen[c] {
			t.Fatalf("code %q: want 16 fresh base32 characters", c)
		}
		seen[c] = true
	}
}
