// Package admin is the staff console: dashboard, outbox, payments to
// handle, scheduling (sessions, series, cancellation, workshops), rosters,
// attendance marking, sign-in sheets, bulk email and the audit log.
//
// It may import handlers/web, services (internal/booking,
// internal/scheduling, internal/attendance) and models; never another
// handler area.
package admin

import (
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/attendance"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/internal/scheduling"
)

// Handler serves the staff pages.
type Handler struct {
	web   *web.Base
	db    *gorm.DB
	bk    *booking.Service
	sched *scheduling.Service
	att   *attendance.Service
	smtp  bool
}

// New builds the admin area; smtp tells whether the outbox is delivered.
func New(base *web.Base, db *gorm.DB, bk *booking.Service, smtp bool) *Handler {
	return &Handler{web: base, db: db, bk: bk, smtp: smtp,
		sched: scheduling.New(db, bk, base.Now), att: attendance.New(db, bk, base.Now)}
}
