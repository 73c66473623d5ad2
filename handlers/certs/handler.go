// Package certs is the certificates area: the public verification page
// (/certificates/{code}), the holder's PDF download, the learner's CE
// transcript (/certificates, with CSV and PDF), and the admin pages under
// /admin/certs to preview and issue a session's certificates, revoke one,
// and edit each workshop's CE credit hours, accreditation identifier and
// post-test requirement.
//
// It may import handlers/web, services (internal/certificate) and models;
// never another handler area.
package certs

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/certificate"
)

// Page template names of this area.
const (
	TplVerify        = "certs/verify"
	TplMine          = "certs/mine"
	TplAdminIndex    = "admin/certs/index"
	TplAdminSession  = "admin/certs/session"
	TplAdminShow     = "admin/certs/show"
	TplAdminWorkshop = "admin/certs/workshops"
	TplAdminEditWS   = "admin/certs/workshop"
)

// Handler serves the certificates area.
type Handler struct {
	web   *web.Base
	db    *gorm.DB
	certs *certificate.Service
	limit echo.MiddlewareFunc
}

// New builds the area. lookupsPerMinute caps verification-page lookups per
// client IP (0 turns the cap off), so codes cannot be guessed in bulk.
func New(base *web.Base, db *gorm.DB, certs *certificate.Service, lookupsPerMinute int) *Handler {
	h := &Handler{web: base, db: db, certs: certs}
	h.limit = func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	if lookupsPerMinute > 0 {
		store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(float64(lookupsPerMinute) / 60), Burst: lookupsPerMinute, ExpiresIn: 3 * time.Minute})
		h.limit = middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
			Store:               store,
			IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
			ErrorHandler: func(c echo.Context, err error) error {
				return echo.NewHTTPError(http.StatusForbidden, "Could not identify the client.")
			},
			DenyHandler: func(c echo.Context, _ string, _ error) error {
				c.Response().Header().Set("Retry-After", "60")
				return echo.NewHTTPError(http.StatusTooManyRequests, "Too many certificate lookups from your network. Wait a minute and try again.")
			},
		})
	}
	return h
}

// LookupLimit is the per-IP cap on verification lookups (route middleware).
func (h *Handler) LookupLimit(next echo.HandlerFunc) echo.HandlerFunc { return h.limit(next) }
