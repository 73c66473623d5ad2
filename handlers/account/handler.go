// Package account holds sign-up, log-in and log-out, password reset and
// the profile pages, with their throttles.
//
// It may import handlers/web, services (internal/outbox) and models; never
// another handler area.
package account

import (
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/models"
)

// Handler serves the account pages.
type Handler struct {
	web       *web.Base
	db        *gorm.DB
	outbox    *outbox.Outbox
	passwords *models.Passwords
	limits    Limits
}

// New builds the account area; a zero limits means DefaultLimits.
func New(base *web.Base, db *gorm.DB, out *outbox.Outbox, passwords *models.Passwords, limits Limits) *Handler {
	limits = limits.withDefaults()
	return &Handler{web: base, db: db, outbox: out, passwords: passwords, limits: limits}
}
