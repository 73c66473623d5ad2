// Package web is the shared base of the handler areas: the template
// Renderer and PageData, the Base every area's Handler embeds (render with
// the common page fields, the clock, the public URL, the login cookie), the
// current user, path parameters, flash messages, form binding with its one
// "could not be read" answer, the password-confirmation rule, the JSON
// error shape and the central HTTP error handler.
//
// It may import models and the template/static leaf packages; never a
// handler area, a service or cmd.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// Base is what every area needs to answer a request: the parsed pages,
// the public origin, the clock and the logger. Areas hold a *Base.
type Base struct {
	Tpl *Renderer
	// BaseURL is the public origin, without a trailing slash.
	BaseURL string
	// Dev shows error detail.
	Dev bool
	Log *slog.Logger
	Now func() time.Time
	// Ping checks the database; the error handler turns a 500 into a 503
	// when it fails (an outage, not a bug). Nil skips the check.
	Ping func(context.Context) error
	// Notices lists open system problems; admins see them on /admin pages.
	// Nil shows none.
	Notices func(ctx context.Context) []string
}

// Secure reports whether the site is served over https.
func (b *Base) Secure() bool { return strings.HasPrefix(b.BaseURL, "https://") }

// Render fills the fields every page needs and renders the named page.
func (b *Base) Render(c echo.Context, status int, name string, d PageData) error {
	d.User = CurrentUser(c)
	if tok, ok := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string); ok {
		d.CSRF = tok
	}
	if d.Flash == "" {
		d.Flash = takeFlash(c)
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	d.Path = c.Request().URL.Path
	if b.Notices != nil && d.User.IsAdmin() && strings.HasPrefix(d.Path, "/admin") {
		d.Notices = b.Notices(c.Request().Context())
	}
	d.Now = b.Now()
	d.BaseURL = b.BaseURL
	return c.Render(status, name, d)
}

// Redirect answers a POST with 303 See Other (POST-redirect-GET).
func Redirect(c echo.Context, to string) error { return c.Redirect(http.StatusSeeOther, to) }

// ParamID parses a positive numeric path parameter; anything else is a 404
// (for pages) so that /sessions/abc reads as "no such session".
func ParamID(c echo.Context, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || n == 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "We could not find that page.")
	}
	return uint(n), nil
}

// SessionParam loads the session named by the :id path parameter, in any
// status (staff pages).
func SessionParam(c echo.Context, db *gorm.DB) (*models.Session, error) {
	id, err := ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindSession(c.Request().Context(), db, id)
}

// PublicSessionParam loads the session named by :id if the public may see
// it (drafts are 404).
func PublicSessionParam(c echo.Context, db *gorm.DB) (*models.Session, error) {
	id, err := ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindPublishedSession(c.Request().Context(), db, id)
}

// APISessionID parses the id of an API path; a malformed one is a 404 too,
// since no session can have it.
func APISessionID(c echo.Context) (uint, error) {
	n, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || n == 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "No published session has that id.")
	}
	return uint(n), nil
}

// InZone formats t in the session's zone, naming the zone.
func InZone(s *models.Session, t time.Time) string {
	return t.In(s.Location()).Format("Mon 2 Jan 2006, 15:04 MST")
}

// Plural picks the singular or plural wording for n.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// SessionURL is the public page of a session.
func (b *Base) SessionURL(id uint) string { return fmt.Sprintf("%s/sessions/%d", b.BaseURL, id) }

// ErrUnreadable is the one answer to a form, query or body that cannot be
// bound at all (400; as JSON {"error":"bad_request"}). Field problems are
// 422 with the fields named instead.
var ErrUnreadable = echo.NewHTTPError(http.StatusBadRequest, "The request could not be read.")

// Bind binds the request (path, query, form) into f; a failure is
// ErrUnreadable.
func Bind(c echo.Context, f any) error {
	if err := c.Bind(f); err != nil {
		return ErrUnreadable
	}
	return nil
}

// BindQuery binds only the query string into f (GET forms); a failure is
// ErrUnreadable.
func BindQuery(c echo.Context, f any) error {
	if err := (&echo.DefaultBinder{}).BindQueryParams(c, f); err != nil {
		return ErrUnreadable
	}
	return nil
}

// PasswordErrors applies the password rules to a new password and its
// confirmation, adding "password" or "password_confirm" to errs.
func PasswordErrors(errs map[string]string, password, confirm string) {
	if p := models.PasswordProblem(password); p != "" {
		errs["password"] = p
	} else if password != confirm {
		errs["password_confirm"] = "The two passwords do not match."
	}
}

// LoginForm is the login form (also shown by the guards on a 401).
type LoginForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
}

// SafeNext keeps a post-login redirect on this site: a path, never a URL.
func SafeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// ClosedReason explains why a session cannot be booked, or "".
func ClosedReason(s *models.Session, now time.Time) string {
	switch {
	case s.Status == models.StatusCancelled:
		return "This session has been cancelled."
	case s.Status == models.StatusCompleted || !s.Upcoming(now):
		return "This session has already taken place."
	case !now.Before(s.RegistrationClosesAt):
		return "Registration for this session has closed."
	case s.SoldOut():
		return "This session is sold out."
	}
	return ""
}

// cacheUntilKey is the context key of CacheUntil.
const cacheUntilKey = "web.cacheUntil"

// CacheUntil tells the page cache that the page being rendered changes by
// itself at t (a session starts, registration closes, an early-bird price
// ends); a zero t says nothing. The earliest call wins.
func CacheUntil(c echo.Context, t time.Time) {
	if t.IsZero() {
		return
	}
	if prev, ok := c.Get(cacheUntilKey).(time.Time); ok && !t.Before(prev) {
		return
	}
	c.Set(cacheUntilKey, t)
}

// CachedUntil is the earliest time given to CacheUntil, if any.
func CachedUntil(c echo.Context) (time.Time, bool) {
	t, ok := c.Get(cacheUntilKey).(time.Time)
	return t, ok
}

// FlashCookieName is the cookie that carries a one-time message.
const FlashCookieName = "hsw_flash"
