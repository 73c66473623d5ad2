package certificate

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

var seq atomic.Int64

// now is the fixed clock of these tests: the seeded session ended the day
// before.
var now = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

type fixture struct {
	db   *gorm.DB
	svc  *Service
	ws   *models.Workshop
	sess *models.Session
}

func newFixture(t *testing.T, post PostTestChecker) *fixture {
	t.Helper()
	db, _ := testdb.Open(t)
	out, err := outbox.New(db, nil, nil, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Deps{DB: db, Outbox: out, PostTests: post, Now: func() time.Time { return now }, BaseURL: "https://hsw.test/"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: svc}
	f.ws = &models.Workshop{Slug: fmt.Sprintf("w-%d", seq.Add(1)), Title: "HS Classification Fundamentals", Summary: "s",
		DescriptionMD: "d", DurationMinutes: 420, CECreditHours: 6, DefaultPriceMinor: 1000, Currency: "USD"}
	if err := db.Create(f.ws).Error; err != nil {
		t.Fatal(err)
	}
	// 8 Dec 2026 is not reachable from now; the session ran on 26 Nov 2026,
	// 09:00–16:00 in Chicago.
	start := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	f.sess = f.session(t, start)
	return f
}

func (f *fixture) session(t *testing.T, start time.Time) *models.Session {
	t.Helper()
	s := &models.Session{WorkshopID: f.ws.ID, StartsAt: start, EndsAt: start.Add(7 * time.Hour), TimeZone: "America/Chicago",
		Format: models.FormatVirtual, Capacity: 20, PriceMinor: 1000, Currency: "USD", Status: models.StatusPublished,
		RegistrationClosesAt: start.Add(-time.Hour)}
	if err := models.CreateSession(context.Background(), f.db, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// user stores an account that has proven its address.
func (f *fixture) user(t *testing.T, email string) *models.User {
	t.Helper()
	proven := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u := &models.User{Name: "U " + email, Email: email, Role: models.RoleLearner, EmailVerifiedAt: &proven}
	if err := models.CreateUser(context.Background(), f.db, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// unprovenUser stores an account that has not proven its address.
func (f *fixture) unprovenUser(t *testing.T, email string) *models.User {
	t.Helper()
	u := &models.User{Name: "U " + email, Email: email, Role: models.RoleLearner}
	if err := models.CreateUser(context.Background(), f.db, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// order stores an order of sess with one attendee per name; emails are
// derived from the names.
func (f *fixture) order(t *testing.T, sess *models.Session, status models.OrderStatus, names ...string) []models.Attendee {
	t.Helper()
	n := seq.Add(1)
	buyer := f.user(t, fmt.Sprintf("buyer%d@example.com", n))
	o := &models.Order{Ref: fmt.Sprintf("ref-%d", n), SessionID: sess.ID, UserID: buyer.ID, BuyerName: "Buyer", BuyerEmail: buyer.Email,
		Seats: len(names), UnitPriceMinor: 1000, SubtotalMinor: 1000, TotalMinor: 1000, Currency: "USD",
		PaymentMethod: models.PayByInvoice, Status: status}
	for i, nm := range names {
		o.Attendees = append(o.Attendees, models.Attendee{Position: i, Name: nm, Email: emailOf(nm), PriceMinor: 1000, Status: models.AttendeeActive})
	}
	if err := f.db.Create(o).Error; err != nil {
		t.Fatal(err)
	}
	return o.Attendees
}

func emailOf(name string) string { return fmt.Sprintf("%s@example.com", name) }

func (f *fixture) mark(t *testing.T, sess *models.Session, a models.Attendee, status AttendanceStatus, hours float64) {
	t.Helper()
	err := f.db.Table("attendance_marks").Create(map[string]any{"session_id": sess.ID, "attendee_id": a.ID, "status": string(status),
		"hours": hours, "marked_at": now}).Error
	if err != nil {
		t.Fatal(err)
	}
}

// fakePostTests passes the users in passed.
type fakePostTests struct{ passed map[uint]bool }

func (f fakePostTests) PassedPostTest(_ context.Context, userID, _ uint) (bool, error) {
	return f.passed[userID], nil
}
