// Package certificate issues certificates of attendance after a session,
// verifies and revokes them, keeps each workshop's continuing-education
// fields, and builds a learner's CE transcript grouped by CBP's broker
// continuing-education triennial periods (CSV and PDF).
//
// It is a service: it may import adapters (internal/mail through the
// outbox), lower services (internal/outbox, internal/audit) and models;
// never handlers. Attendance and post-test results come through the
// AttendanceSource and PostTestChecker interfaces, so the attendance and
// quiz services plug in without this package importing them.
package certificate

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
)

// AttendanceStatus is how an attendee took part in a session.
type AttendanceStatus string

// Attendance statuses, as attendance marking stores them.
const (
	Present AttendanceStatus = "present"
	Absent  AttendanceStatus = "absent"
	Partial AttendanceStatus = "partial"
)

// Attendance is one attendee's mark for one session. Hours is the time
// attended; zero on a "present" mark means the whole session.
type Attendance struct {
	AttendeeID uint
	Status     AttendanceStatus
	Hours      float64
}

// AttendanceSource answers "how did each attendee of session S attend",
// keyed by attendee ID; attendees without a mark are absent from the map.
// TableAttendance reads the attendance_marks table; the attendance
// service may provide its own.
type AttendanceSource interface {
	SessionAttendance(ctx context.Context, db *gorm.DB, sessionID uint) (map[uint]Attendance, error)
}

// PostTestChecker answers whether a user passed a workshop's post-test
// (the quiz service implements it). A nil checker means no workshop's
// post-test is enforced.
type PostTestChecker interface {
	PassedPostTest(ctx context.Context, userID, workshopID uint) (bool, error)
}

// Deps are the Service's dependencies.
type Deps struct {
	DB     *gorm.DB
	Outbox *outbox.Outbox
	// Attendance defaults to TableAttendance.
	Attendance AttendanceSource
	// PostTests may be nil (post-tests not enforced).
	PostTests PostTestChecker
	Logger    *slog.Logger
	Now       func() time.Time
	// BaseURL is the public origin, without a trailing slash; it goes into
	// verification links printed on certificates.
	BaseURL string
	// Issuer is the business name printed on certificates.
	Issuer string
}

// Service issues, verifies and revokes certificates and builds transcripts.
type Service struct {
	db       *gorm.DB
	out      *outbox.Outbox
	att      AttendanceSource
	post     PostTestChecker
	log      *slog.Logger
	now      func() time.Time
	audit    *audit.Log
	baseURL  string
	issuer   string
	randCode func() (string, error)
}

// New builds the Service.
func New(d Deps) (*Service, error) {
	if d.DB == nil || d.Outbox == nil {
		return nil, errors.New("certificate: DB and Outbox are required")
	}
	s := &Service{db: d.DB, out: d.Outbox, att: d.Attendance, post: d.PostTests, log: d.Logger, now: d.Now,
		baseURL: strings.TrimRight(d.BaseURL, "/"), issuer: d.Issuer, randCode: NewCode}
	if s.att == nil {
		s.att = TableAttendance{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.issuer == "" {
		s.issuer = "hsworkshop"
	}
	s.audit = audit.New(s.now)
	return s, nil
}

// VerifyURL is the public verification page of a code.
func (s *Service) VerifyURL(code string) string { return s.baseURL + "/certificates/" + code }

// DownloadURL is the holder's PDF download of a code.
func (s *Service) DownloadURL(code string) string {
	return s.baseURL + "/certificates/" + code + "/pdf"
}
