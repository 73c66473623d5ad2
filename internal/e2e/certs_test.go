//go:build browser

package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

const (
	certLearnerEmail    = "grace@certs.e2e.example.com"
	certLearnerPassword = "learner password, long enough"
	certLearnerName     = "Grace Hopper"
)

// codeRe is a certificate verification code.
var codeRe = regexp.MustCompile(`^[A-Z2-7]{16}$`)

// TestCertificatesJourney: with a held session whose attendance is already
// marked (one present, one absent), an admin previews and issues the
// certificates, the learner finds theirs under "Certificates" and downloads
// the PDF, anyone can verify it on the public page, and after the admin
// revokes it the public page says so.
func TestCertificatesJourney(t *testing.T) {
	srv := startServer(t)
	sessionID, title := seedHeldSession(t, srv.DSN)
	b := newBrowser(t, srv)

	b.Step("admin-preview")
	b.openAndLogIn(adminEmail, adminPassword)
	b.mustOpen("/admin/certs")
	b.visited("admin certificates")
	link := fmt.Sprintf(`a[href="/admin/certs/sessions/%d"]`, sessionID)
	if got := b.follow("click the session's preview link", chromedp.Click(chromedp.CSS(link))); got != http.StatusOK {
		b.fatalf("preview: got %d, want 200", got)
	}
	rows := b.texts("table.cert-preview tbody tr")
	if len(rows) != 2 {
		b.fatalf("preview rows: got %d (%q), want 2", len(rows), rows)
	}
	joined := strings.Join(rows, "\n")
	for _, want := range []string{certLearnerName, "Qualifies", "Marked absent."} {
		if !strings.Contains(joined, want) {
			b.errorf("preview lacks %q:\n%s", want, joined)
		}
	}
	b.visited("issue preview")
	b.shot("preview")

	b.Step("admin-issue")
	if got := b.follow(`click "Issue 1 certificate"`, chromedp.Click(chromedp.CSS(`form[action$="/issue"] button`))); got != http.StatusOK {
		b.fatalf("issue: got %d, want 200", got)
	}
	if got := b.mustText(".alert-info"); !strings.Contains(got, "1 issued and emailed") {
		b.errorf("issue result: got %q", got)
	}
	code := b.mustText("table.cert-preview a.cert-code")
	if !codeRe.MatchString(code) {
		b.fatalf("certificate code: got %q, want 16 base32 characters", code)
	}
	b.visited("issued")
	b.shot("issued")
	// Issuing again creates nothing new: the button is off and a forced
	// post reports the one already issued.
	if _, ok := b.text(`form[action$="/issue"] button[disabled]`); !ok {
		b.errorf("issue button: want it disabled once everyone has a certificate")
	}
	b.logOut()

	b.Step("learner-transcript")
	b.openAndLogIn(certLearnerEmail, certLearnerPassword)
	b.clickNav("Certificates")
	if got := b.mustText(".cert-period h2"); got != "Period 1 Feb 2024 – 31 Jan 2027" {
		b.errorf("period heading: got %q", got)
	}
	if got := b.mustText(".cert-period tbody"); !strings.Contains(got, title) {
		b.errorf("transcript row: got %q, want %q", got, title)
	}
	b.visited("transcript")
	b.shot("transcript")

	b.Step("learner-download")
	pdf := fetchBytes(b, "/certificates/"+code+"/pdf")
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		b.fatalf("download: got %.20q, want a PDF", pdf)
	}
	if dir := os.Getenv("E2E_SHOTS"); dir == "1" {
		p := filepath.Join(screenshotDir, "certificate.pdf")
		if err := os.MkdirAll(screenshotDir, 0o755); err == nil && os.WriteFile(p, pdf, 0o644) == nil {
			t.Logf("certificate PDF: %s", p)
		}
	}
	if csv := string(fetchBytes(b, "/certificates/transcript.csv")); !strings.Contains(csv, code) {
		b.errorf("transcript CSV lacks %s:\n%s", code, csv)
	}
	b.logOut()

	b.Step("public-verify")
	b.mustOpen("/certificates/" + code)
	if got := b.mustText(".cert-holder"); got != certLearnerName {
		b.errorf("holder: got %q, want %q", got, certLearnerName)
	}
	if got := b.mustText(".cert-credit"); got != "6" {
		b.errorf("credit hours: got %q, want 6", got)
	}
	b.visited("verification page")
	b.shot("verify-valid")
	if got := b.open("/certificates/AAAAAAAAAAAAAAAA"); got != http.StatusNotFound {
		b.errorf("unknown code: got %d, want 404", got)
	}
	if got := b.mustText("main h1"); got != "Certificate not found" {
		b.errorf("unknown code heading: got %q", got)
	}
	b.visited("unknown certificate")

	b.Step("phone-width")
	phone := newPhoneBrowser(t, srv)
	phone.checkNarrow("verify", "/certificates/"+code)
	phone.Step("phone-login")
	phone.openAndLogIn(certLearnerEmail, certLearnerPassword)
	phone.checkNarrow("transcript", "/certificates")

	b.Step("admin-revoke")
	b.openAndLogIn(adminEmail, adminPassword)
	b.mustOpen("/admin/certs/" + code)
	b.typeInto("f-reason", "Attendance was recorded against the wrong person")
	if got := b.follow(`click "Revoke certificate"`, chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`))); got != http.StatusOK {
		b.fatalf("revoke: got %d, want 200", got)
	}
	if got := b.mustText(".alert-error"); !strings.Contains(got, "Revoked on") {
		b.errorf("admin page after revoking: got %q", got)
	}
	b.logOut()
	if got := b.open("/certificates/" + code); got != http.StatusGone {
		b.errorf("revoked code: got %d, want 410", got)
	}
	if got := b.mustText("main h1"); got != "Certificate revoked" {
		b.errorf("revoked heading: got %q", got)
	}
	if _, ok := b.text(".cert-holder"); ok {
		b.errorf("revoked page shows the holder as valid")
	}
	b.visited("revoked certificate")
	b.shot("verify-revoked")
}

// fetchBytes GETs path from the page (with its cookies) and returns the body.
func fetchBytes(b *browser, path string) []byte {
	b.t.Helper()
	js := fmt.Sprintf(`fetch(%s).then(r => r.ok ? r.arrayBuffer() : Promise.reject("status " + r.status)).then(buf => {
  let s = ""; const a = new Uint8Array(buf); for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s);
})`, jsString(path))
	ctx, cancel := b.stepContext()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatalf("fetch %s: %v", path, err)
	}
	out, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		b.fatalf("fetch %s: %v", path, err)
	}
	return out
}

// seedHeldSession adds, to the running server's database, a session of the
// first workshop that ended yesterday, a learner account, a paid order
// for that learner and a colleague, and their attendance marks (present,
// absent) as the attendance page would store them. It returns the
// session's ID and the workshop title.
func seedHeldSession(t *testing.T, dsn string) (uint, string) {
	t.Helper()
	ctx := context.Background()
	db, err := models.Open(dsn)
	if err != nil {
		t.Fatalf("open the server's database: %v", err)
	}
	defer func() { _ = models.Close(db) }()
	var w models.Workshop
	if err := db.Order("id").First(&w).Error; err != nil {
		t.Fatalf("find a seeded workshop: %v", err)
	}
	if err := db.Table("workshops").Where("id = ?", w.ID).Update("ce_credit_hours", 6).Error; err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Add(-30 * time.Hour).Truncate(time.Hour)
	s := &models.Session{WorkshopID: w.ID, StartsAt: start, EndsAt: start.Add(7 * time.Hour), TimeZone: "America/Chicago",
		Format: models.FormatVirtual, Capacity: 10, SeatsTaken: 2, PriceMinor: 59500, Currency: "USD", Status: models.StatusPublished,
		RegistrationClosesAt: start.Add(-24 * time.Hour)}
	if err := models.CreateSession(ctx, db, s); err != nil {
		t.Fatalf("create the held session: %v", err)
	}
	hash, err := models.NewPasswords(bcrypt.MinCost).Hash(certLearnerPassword)
	if err != nil {
		t.Fatal(err)
	}
	// The holder has proven its address: certificates belong only to such accounts.
	proven := time.Now().UTC()
	u := &models.User{Name: certLearnerName, Email: certLearnerEmail, PasswordHash: hash, Role: models.RoleLearner, EmailVerifiedAt: &proven}
	if err := models.CreateUser(ctx, db, u); err != nil {
		t.Fatalf("create the learner: %v", err)
	}
	o := &models.Order{Ref: "certs-e2e-order-0001", SessionID: s.ID, UserID: u.ID, BuyerName: certLearnerName, BuyerEmail: certLearnerEmail,
		Seats: 2, UnitPriceMinor: 59500, SubtotalMinor: 119000, TotalMinor: 119000, Currency: "USD",
		PaymentMethod: models.PayByInvoice, Status: models.OrderPaid,
		Attendees: []models.Attendee{
			{Position: 0, Name: certLearnerName, Email: certLearnerEmail, PriceMinor: 59500, Status: models.AttendeeActive},
			{Position: 1, Name: "Alan Turing", Email: "alan@certs.e2e.example.com", PriceMinor: 59500, Status: models.AttendeeActive},
		}}
	if err := db.Create(o).Error; err != nil {
		t.Fatalf("create the order: %v", err)
	}
	for i, status := range []string{"present", "absent"} {
		if err := markAttendance(db, s.ID, o.Attendees[i].ID, status); err != nil {
			t.Fatalf("mark attendance: %v", err)
		}
	}
	return s.ID, w.Title
}

func markAttendance(db *gorm.DB, sessionID, attendeeID uint, status string) error {
	return db.Table("attendance_marks").Create(map[string]any{"session_id": sessionID, "attendee_id": attendeeID, "status": status,
		"hours": 0, "marked_at": time.Now().UTC()}).Error
}
