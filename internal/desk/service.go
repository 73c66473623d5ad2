// Package desk is the admin back office behind /admin/desk, /admin/reports
// and /admin/users: the payments desk (order search and history, refunds,
// invoice payments, moving attendees, flagged cases), discount codes, the
// waiting lists across sessions, the dashboard reports and staff account
// administration. Every change writes its audit entry in the change's own
// transaction.
//
// It is a service: it may import other services (internal/booking for the
// order workflows, internal/outbox, internal/audit), adapters
// (internal/mail) and models; never handlers or cmd.
package desk

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/models"
)

// Deps is everything New needs.
type Deps struct {
	DB      *gorm.DB
	Booking *booking.Service
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Quiz fills the quiz charts of the reports; nil leaves them out.
	Quiz QuizStats
}

// Service runs the back-office workflows and queries.
type Service struct {
	db    *gorm.DB
	bk    *booking.Service
	audit *audit.Log
	now   func() time.Time
	quiz  QuizStats
}

// New builds a Service.
func New(d Deps) (*Service, error) {
	if d.DB == nil || d.Booking == nil {
		return nil, errors.New("desk: DB and Booking are required")
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &Service{db: d.DB, bk: d.Booking, audit: audit.New(now), now: now, quiz: d.Quiz}, nil
}

// Actor is the staff member acting and where from (for the audit log).
type Actor struct {
	User *models.User
	IP   string
}

// userID is the actor's user id, or nil.
func (a Actor) userID() *uint {
	if a.User == nil {
		return nil
	}
	id := a.User.ID
	return &id
}

// hook returns a booking.AuditHook recording act by a.
func (s *Service) hook(a Actor, act audit.Action) booking.AuditHook {
	act.Actor, act.IP = a.User, a.IP
	return func(tx *gorm.DB) error { return s.audit.Record(tx.Statement.Context, tx, act) }
}
