package handlers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/models"
)

// homePage is the data of the home page.
type homePage struct {
	Upcoming  []models.Session
	Workshops []models.Workshop
	Topics    []models.Topic
}

func (a *App) home(c echo.Context) error {
	ctx := c.Request().Context()
	ss, err := models.ListUpcomingSessions(ctx, a.db, a.now(), models.SessionFilter{})
	if err != nil {
		return err
	}
	ws, err := models.ListWorkshops(ctx, a.db)
	if err != nil {
		return err
	}
	ts, err := models.ListTopics(ctx, a.db)
	if err != nil {
		return err
	}
	if len(ss) > 6 {
		ss = ss[:6]
	}
	return a.render(c, http.StatusOK, tplHome, pageData{
		Title:       "Tariff classification training",
		Description: "Live workshops on HS/HTSUS classification, USMCA origin and Section 301/232 tariffs.",
		Data:        homePage{Upcoming: ss, Workshops: ws, Topics: ts},
	})
}

// catalogFilter is the catalog's query string.
type catalogFilter struct {
	Topic  string `query:"topic"`
	Format string `query:"format"`
	Month  string `query:"month"`
}

// validate checks the filter against what exists; bad values are reported
// beside their field and ignored for the search.
func (f *catalogFilter) validate(topics []models.Topic) map[string]string {
	errs := map[string]string{}
	if f.Topic != "" {
		found := false
		for _, t := range topics {
			found = found || t.Slug == f.Topic
		}
		if !found {
			errs["topic"] = "Unknown topic; showing all topics."
			f.Topic = ""
		}
	}
	if f.Format != "" && !models.Format(f.Format).Valid() {
		errs["format"] = "Unknown format; showing all formats."
		f.Format = ""
	}
	if f.Month != "" {
		if _, err := time.Parse("2006-01", f.Month); err != nil {
			errs["month"] = "Use a month like 2026-12; showing all months."
			f.Month = ""
		}
	}
	return errs
}

// catalogPage is the data of the catalog.
type catalogPage struct {
	Sessions []models.Session
	Topics   []models.Topic
	Formats  []models.Format
	Months   []string
	Filter   catalogFilter
	Filtered bool
}

func (a *App) listSessions(c echo.Context) error {
	ctx := c.Request().Context()
	var f catalogFilter
	if err := (&echo.DefaultBinder{}).BindQueryParams(c, &f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The filter could not be read.")
	}
	topics, err := models.ListTopics(ctx, a.db)
	if err != nil {
		return err
	}
	errs := f.validate(topics)
	all, err := models.ListUpcomingSessions(ctx, a.db, a.now(), models.SessionFilter{})
	if err != nil {
		return err
	}
	ss, err := models.ListUpcomingSessions(ctx, a.db, a.now(),
		models.SessionFilter{Topic: f.Topic, Format: models.Format(f.Format), Month: f.Month})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	return a.render(c, status, tplCatalog, pageData{
		Title: "Upcoming sessions", Errors: errs, Form: f,
		Description: "Scheduled live workshops: dates, formats, prices and seats left.",
		Data: catalogPage{Sessions: ss, Topics: topics, Formats: models.Formats, Months: models.UpcomingMonths(all),
			Filter: f, Filtered: f.Topic != "" || f.Format != "" || f.Month != ""},
	})
}

// sessionPage is the data of a session's page.
type sessionPage struct {
	Session      *models.Session
	Open         bool
	ShowPrivate  bool
	OtherDates   []models.Session
	EarlyBird    bool
	UnitPrice    models.Money
	ClosedReason string
	PayOptions   string
}

func (a *App) showSession(c echo.Context) error {
	s, err := a.publicSessionParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := a.now()
	others, err := models.ListUpcomingSessions(ctx, a.db, now, models.SessionFilter{WorkshopID: s.WorkshopID})
	if err != nil {
		return err
	}
	kept := others[:0]
	for _, o := range others {
		if o.ID != s.ID {
			kept = append(kept, o)
		}
	}
	u := currentUser(c)
	p := sessionPage{Session: s, Open: s.RegistrationOpen(now), ShowPrivate: a.canSeePrivate(ctx, u, s),
		OtherDates: kept, EarlyBird: s.EarlyBirdActive(now), UnitPrice: s.UnitPriceAt(now),
		ClosedReason: closedReason(s, now), PayOptions: a.payOptions(s)}
	return a.render(c, http.StatusOK, tplSessionShow, pageData{Title: s.Workshop.Title, Description: s.Workshop.Summary, Data: p})
}

// canSeePrivate decides who sees join links and room details: staff, and
// confirmed attendees (the buyer or an attendee of a paid order).
func (a *App) canSeePrivate(ctx context.Context, u *models.User, s *models.Session) bool {
	if u == nil {
		return false
	}
	if u.IsStaff() {
		return true
	}
	ok, err := models.IsConfirmedAttendee(ctx, a.db, u, s.ID)
	if err != nil {
		a.log.Error("check attendee", "err", err)
	}
	return ok
}

// payOptions describes how a session can be paid.
func (a *App) payOptions(s *models.Session) string {
	switch {
	case a.bk.CardEnabled() && a.bk.InvoiceAllowed(s):
		return "Pay by card or request an invoice."
	case a.bk.CardEnabled():
		return "Pay by card."
	}
	return "Pay by invoice."
}

// showTerms is the terms and cancellation policy.
func (a *App) showTerms(c echo.Context) error {
	return a.render(c, http.StatusOK, tplTerms, pageData{Title: "Terms and cancellation policy"})
}

// closedReason explains why a session cannot be booked, or "".
func closedReason(s *models.Session, now time.Time) string {
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

// workshopPage is the data of a workshop's page.
type workshopPage struct {
	Workshop *models.Workshop
	Sessions []models.Session
}

func (a *App) showWorkshop(c echo.Context) error {
	ctx := c.Request().Context()
	slug := strings.ToLower(c.Param("slug"))
	w, err := models.FindWorkshopBySlug(ctx, a.db, slug)
	if err != nil {
		return err
	}
	ss, err := models.ListUpcomingSessions(ctx, a.db, a.now(), models.SessionFilter{WorkshopID: w.ID})
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, tplWorkshopShow, pageData{Title: w.Title, Description: w.Summary,
		Data: workshopPage{Workshop: w, Sessions: ss}})
}

// healthz answers 200 when the database does, 503 otherwise.
func (a *App) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := models.Ping(ctx, a.db); err != nil {
		a.log.Warn("health check failed", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database_unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// serveStatic serves embedded assets; a request whose ?v= matches the
// content hash may be cached for a year, anything else must revalidate.
func (a *App) serveStatic(c echo.Context) error {
	p := strings.TrimPrefix(c.Param("*"), "/")
	h, ok := a.hashes[p]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "No such file.")
	}
	if v := c.QueryParam("v"); v != "" && v == h {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	c.Response().Header().Set("ETag", `"`+h+`"`)
	req := c.Request().Clone(c.Request().Context())
	req.URL.Path = "/" + p
	http.FileServerFS(a.static).ServeHTTP(c.Response(), req)
	return nil
}
