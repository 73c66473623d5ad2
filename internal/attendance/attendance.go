// Package attendance is the roster side of a session: who is booked (with
// order and payment status), attendance marking by the session's
// instructor or an admin, and bulk email to attendees filtered by status.
// Every change writes the audit log in its own transaction.
//
// It is a service: it may import lower services (internal/booking,
// internal/audit), adapters and models; never handlers or cmd.
package attendance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/models"
)

// ErrNotYours is returned when an instructor asks for a session they do
// not teach; handlers answer 404 so other sessions are not revealed.
var ErrNotYours = errors.New("not this instructor's session")

// Service runs the roster workflows.
type Service struct {
	db  *gorm.DB
	bk  *booking.Service
	log *audit.Log
	now func() time.Time
}

// New builds a Service on db and bk (both required); now defaults to
// time.Now.
func New(db *gorm.DB, bk *booking.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, bk: bk, log: audit.New(now), now: now}
}

// MayManage reports whether u may see the roster of and mark s: admins,
// and the session's own instructor.
func MayManage(u *models.User, s *models.Session) bool {
	return u.IsAdmin() || (u != nil && u.Role == models.RoleInstructor && s.InstructorID != nil && *s.InstructorID == u.ID)
}

// Session loads session id for u, or ErrNotYours (wrapping
// models.ErrNotFound) when u may not manage it.
func (s *Service) Session(ctx context.Context, u *models.User, id uint) (*models.Session, error) {
	x, err := models.FindSession(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if !MayManage(u, x) {
		return nil, fmt.Errorf("session %d: %w: %w", id, ErrNotYours, models.ErrNotFound)
	}
	return x, nil
}

// Row is one attendee on a roster.
type Row struct {
	Attendee models.Attendee
	Order    models.Order
	Mark     models.Attendance // Status "" when not marked
}

// Roster is a session's attendees (paid and invoiced orders), its holds
// and waiting list.
type Roster struct {
	Rows     []Row
	Held     []models.Order
	Waitlist []models.WaitlistEntry
}

// Roster loads the roster of session id.
func (s *Service) Roster(ctx context.Context, id uint) (Roster, error) {
	var r Roster
	os, err := models.ListOrdersForSession(ctx, s.db, id, models.OrderPaid, models.OrderPendingInvoice, models.OrderHeld)
	if err != nil {
		return r, err
	}
	marks, err := models.ListAttendance(ctx, s.db, id)
	if err != nil {
		return r, err
	}
	for _, o := range os {
		if o.Status == models.OrderHeld {
			r.Held = append(r.Held, o)
			continue
		}
		for _, at := range o.ActiveAttendees() {
			r.Rows = append(r.Rows, Row{Attendee: at, Order: o, Mark: marks[at.ID]})
		}
	}
	r.Waitlist, err = models.ListWaitlist(ctx, s.db, id)
	return r, err
}

// ContactHours is the teaching time of a session, which a present
// attendee is credited with: the workshop's contact time when set (a
// two-day class is not 31 hours of teaching), else the session's length.
func ContactHours(x *models.Session) float64 {
	if x.Workshop.DurationMinutes > 0 {
		return float64(x.Workshop.DurationMinutes) / 60
	}
	return x.EndsAt.Sub(x.StartsAt).Hours()
}

// Mark is one attendee's attendance as submitted.
type Mark struct {
	AttendeeID uint
	Status     models.AttendanceStatus
	Hours      float64 // partial only
}

// Record stores marks for session x by u (checked with MayManage), with
// one audit entry. Unknown attendees, unknown statuses and partial hours
// outside (0, session length) are field errors keyed "mark-<id>".
func (s *Service) Record(ctx context.Context, u *models.User, ip string, x *models.Session, marks []Mark) error {
	if !MayManage(u, x) {
		return fmt.Errorf("mark session %d: %w: %w", x.ID, ErrNotYours, models.ErrNotFound)
	}
	r, err := s.Roster(ctx, x.ID)
	if err != nil {
		return err
	}
	known := map[uint]bool{}
	for _, row := range r.Rows {
		known[row.Attendee.ID] = true
	}
	length := ContactHours(x)
	errs := map[string]string{}
	for i := range marks {
		m := &marks[i]
		key := fmt.Sprintf("mark-%d", m.AttendeeID)
		switch {
		case !known[m.AttendeeID]:
			errs[key] = "This person is not on the roster."
		case !m.Status.Valid():
			errs[key] = "Choose present, absent or partial."
		case m.Status == models.AttendancePartial && (m.Hours <= 0 || m.Hours >= length):
			errs[key] = fmt.Sprintf("Enter the hours attended, more than 0 and less than %.1f.", length)
		}
		switch m.Status {
		case models.AttendancePresent:
			m.Hours = length
		case models.AttendanceAbsent:
			m.Hours = 0
		}
	}
	if len(errs) > 0 {
		return &models.ValidationError{Fields: errs}
	}
	if len(marks) == 0 {
		return nil
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		after := audit.Fields{}
		var uid *uint
		if u != nil {
			id := u.ID
			uid = &id
		}
		for _, m := range marks {
			if err := models.UpsertAttendance(ctx, tx, &models.Attendance{SessionID: x.ID, AttendeeID: m.AttendeeID, Status: m.Status,
				Hours: m.Hours, MarkedByID: uid, MarkedAt: s.now()}); err != nil {
				return err
			}
			after[fmt.Sprint(m.AttendeeID)] = fmt.Sprintf("%s %.2fh", m.Status, m.Hours)
		}
		return s.log.Record(ctx, tx, audit.Action{Actor: u, IP: ip, Action: "attendance.mark", ObjectType: "session", ObjectID: x.ID,
			Summary: fmt.Sprintf("Marked attendance of %d people", len(marks)), After: after})
	})
}

// Audience filters for bulk email.
const (
	AudienceAll      = "all"
	AudiencePaid     = "paid"
	AudiencePending  = "pending_invoice"
	AudienceAttended = "attended"
	AudienceAbsent   = "absent"
)

// Audiences lists the filters in display order with their labels.
var Audiences = [][2]string{{AudienceAll, "Everyone booked"}, {AudiencePaid, "Paid"}, {AudiencePending, "Invoice pending"},
	{AudienceAttended, "Attended (present or partial)"}, {AudienceAbsent, "Marked absent"}}

// Recipient is one address of a bulk email.
type Recipient struct {
	Name  string
	Email string
}

// Recipients lists the distinct addresses of the roster rows matching
// audience, or a field error for an unknown audience.
func Recipients(r Roster, audience string) ([]Recipient, error) {
	var out []Recipient
	seen := map[string]bool{}
	known := false
	for _, a := range Audiences {
		known = known || a[0] == audience
	}
	if !known {
		return nil, &models.ValidationError{Fields: map[string]string{"audience": "Choose who receives the message."}}
	}
	for _, row := range r.Rows {
		ok := false
		switch audience {
		case AudienceAll:
			ok = true
		case AudiencePaid:
			ok = row.Order.Status == models.OrderPaid
		case AudiencePending:
			ok = row.Order.Status == models.OrderPendingInvoice
		case AudienceAttended:
			ok = row.Mark.Status == models.AttendancePresent || row.Mark.Status == models.AttendancePartial
		case AudienceAbsent:
			ok = row.Mark.Status == models.AttendanceAbsent
		}
		if ok && !seen[row.Attendee.Email] {
			seen[row.Attendee.Email] = true
			out = append(out, Recipient{Name: row.Attendee.Name, Email: row.Attendee.Email})
		}
	}
	return out, nil
}

// ValidateMessage checks a bulk email's subject and body.
func ValidateMessage(subject, body string) map[string]string {
	errs := map[string]string{}
	if s := strings.TrimSpace(subject); s == "" || len([]rune(s)) > 150 || strings.ContainsAny(s, "\r\n") {
		errs["subject"] = "Enter a one-line subject (up to 150 characters)."
	}
	if b := strings.TrimSpace(body); b == "" || len([]rune(b)) > 10000 {
		errs["body"] = "Enter the message (up to 10,000 characters)."
	}
	return errs
}

// SendBulk queues the message to every recipient of audience through the
// outbox in one transaction (once per batch and address) with its audit
// entry, and returns how many were queued. batch makes a resubmitted form
// a no-op (the handler passes the form's token).
func (s *Service) SendBulk(ctx context.Context, u *models.User, ip string, x *models.Session, audience, subject, body, batch string) (int, error) {
	if errs := ValidateMessage(subject, body); len(errs) > 0 {
		return 0, &models.ValidationError{Fields: errs}
	}
	r, err := s.Roster(ctx, x.ID)
	if err != nil {
		return 0, err
	}
	rs, err := Recipients(r, audience)
	if err != nil {
		return 0, err
	}
	if len(rs) == 0 {
		return 0, &models.ValidationError{Fields: map[string]string{"audience": "Nobody on the roster matches this choice."}}
	}
	subject, body = strings.TrimSpace(subject), strings.TrimSpace(body)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, rc := range rs {
			if err := s.bk.QueueNotice(ctx, tx, x, fmt.Sprintf("bulk:%d:%s:%s", x.ID, batch, rc.Email), rc.Email, rc.Name, subject, body, false); err != nil {
				return err
			}
		}
		return s.log.Record(ctx, tx, audit.Action{Actor: u, IP: ip, Action: "session.email", ObjectType: "session", ObjectID: x.ID,
			Summary: fmt.Sprintf("Emailed %d attendees (%s): %s", len(rs), audience, subject)})
	})
	return len(rs), err
}
