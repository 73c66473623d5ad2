// Package catalog is the public face of the workshop catalog: the home
// page, session listing and pages, workshop pages, the terms, the calendar
// feed and the read-only sessions API.
//
// It may import handlers/web, services (internal/booking, to describe how
// a session can be paid), adapters (internal/calendar) and models; never
// another handler area.
package catalog

import (
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/booking"
)

// Handler serves the catalog pages.
type Handler struct {
	web *web.Base
	db  *gorm.DB
	bk  *booking.Service
}

// New builds the catalog area.
func New(base *web.Base, db *gorm.DB, bk *booking.Service) *Handler {
	return &Handler{web: base, db: db, bk: bk}
}
