// Package admin is the staff console: dashboard, outbox, payments to
// handle, session capacity and booking policy, and the roster.
//
// It may import handlers/web, services (internal/booking) and models; never
// another handler area.
package admin

import (
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/booking"
)

// Handler serves the staff pages.
type Handler struct {
	web  *web.Base
	db   *gorm.DB
	bk   *booking.Service
	smtp bool
}

// New builds the admin area; smtp tells whether the outbox is delivered.
func New(base *web.Base, db *gorm.DB, bk *booking.Service, smtp bool) *Handler {
	return &Handler{web: base, db: db, bk: bk, smtp: smtp}
}
