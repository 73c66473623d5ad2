package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/hsworkshop/hsworkshop/models"
)

// render fills the fields every page needs and renders the named page.
func (a *App) render(c echo.Context, status int, name string, d pageData) error {
	d.User = currentUser(c)
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
	d.Now = a.now()
	d.BaseURL = a.cfg.BaseURL
	return c.Render(status, name, d)
}

// redirect answers a POST with 303 See Other (POST-redirect-GET).
func redirect(c echo.Context, to string) error { return c.Redirect(http.StatusSeeOther, to) }

// paramID parses a positive numeric path parameter; anything else is a 404
// (for pages) so that /sessions/abc reads as "no such session".
func paramID(c echo.Context, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || n == 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "We could not find that page.")
	}
	return uint(n), nil
}

// sessionParam loads the session named by the :id path parameter, in any
// status (staff pages).
func (a *App) sessionParam(c echo.Context) (*models.Session, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindSession(c.Request().Context(), a.db, id)
}

// publicSessionParam loads the session named by :id if the public may see
// it (drafts are 404).
func (a *App) publicSessionParam(c echo.Context) (*models.Session, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindPublishedSession(c.Request().Context(), a.db, id)
}

// inZone formats t in the session's zone, naming the zone.
func inZone(s *models.Session, t time.Time) string {
	return t.In(s.Location()).Format("Mon 2 Jan 2006, 15:04 MST")
}
