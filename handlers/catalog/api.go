package catalog

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/calendar"
	"github.com/hsworkshop/hsworkshop/models"
)

// apiWorkshopRef is the workshop as embedded in a session.
type apiWorkshopRef struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// apiSession is the stable JSON shape of a session (PRODUCT.md).
type apiSession struct {
	ID        uint           `json:"id"`
	Workshop  apiWorkshopRef `json:"workshop"`
	StartsAt  string         `json:"starts_at"`
	EndsAt    string         `json:"ends_at"`
	TimeZone  string         `json:"time_zone"`
	Format    models.Format  `json:"format"`
	Capacity  int            `json:"capacity"`
	SeatsLeft int            `json:"seats_left"`
	Price     models.Money   `json:"price"`
	URL       string         `json:"url"`
}

// toAPISession renders s for the API; price is what one seat costs now
// (the early-bird price while it runs).
func (h *Handler) toAPISession(s *models.Session, now time.Time) apiSession {
	return apiSession{
		ID: s.ID, Workshop: apiWorkshopRef{Slug: s.Workshop.Slug, Title: s.Workshop.Title},
		StartsAt: s.StartsAt.UTC().Format(time.RFC3339), EndsAt: s.EndsAt.UTC().Format(time.RFC3339),
		TimeZone: s.TimeZone, Format: s.Format, Capacity: s.Capacity, SeatsLeft: s.SeatsLeft(),
		Price: s.UnitPriceAt(now), URL: h.web.SessionURL(s.ID),
	}
}

// APIListSessions serves GET /api/v1/sessions.
func (h *Handler) APIListSessions(c echo.Context) error {
	now := h.web.Now()
	ss, err := models.ListUpcomingSessions(c.Request().Context(), h.db, now, models.SessionFilter{})
	if err != nil {
		return err
	}
	out := make([]apiSession, 0, len(ss))
	for i := range ss {
		out = append(out, h.toAPISession(&ss[i], now))
	}
	return c.JSON(http.StatusOK, out)
}

// APIShowSession serves GET /api/v1/sessions/:id.
func (h *Handler) APIShowSession(c echo.Context) error {
	id, err := web.APISessionID(c)
	if err != nil {
		return err
	}
	s, err := models.FindSession(c.Request().Context(), h.db, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && s.Status != models.StatusPublished) {
		return echo.NewHTTPError(http.StatusNotFound, "No published session has that id.")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.toAPISession(s, h.web.Now()))
}

// CalendarFeed is an iCalendar feed of every published upcoming session.
func (h *Handler) CalendarFeed(c echo.Context) error {
	now := h.web.Now()
	ss, err := models.ListUpcomingSessions(c.Request().Context(), h.db, now, models.SessionFilter{})
	if err != nil {
		return err
	}
	body := calendar.Build(ss, calendar.Options{BaseURL: h.web.BaseURL, Now: now, Name: "hsworkshop sessions"})
	c.Response().Header().Set("Content-Disposition", `inline; filename="hsworkshop-sessions.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}
