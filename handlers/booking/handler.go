// Package booking is the HTTP side of registration and payment: the
// registration and waiting-list forms, order pages and their documents,
// cancellation, the Stripe webhook and the order API. Handlers bind,
// validate, call internal/booking and render.
//
// It may import handlers/web, services (internal/booking), adapters
// (internal/invoice, internal/calendar, internal/payments) and models;
// never another handler area.
package booking

import (
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/booking"
)

// Handler serves the booking pages and API.
type Handler struct {
	web *web.Base
	db  *gorm.DB
	bk  *booking.Service
}

// New builds the booking area.
func New(base *web.Base, db *gorm.DB, bk *booking.Service) *Handler {
	return &Handler{web: base, db: db, bk: bk}
}
