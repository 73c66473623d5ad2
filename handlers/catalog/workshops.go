package catalog

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// homePage is the data of the home page.
type homePage struct {
	Upcoming  []models.Session
	Workshops []models.Workshop
	Topics    []models.Topic
}

// Home serves GET /.
func (h *Handler) Home(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.web.Now()
	ss, err := models.ListUpcomingSessions(ctx, h.db, now, models.SessionFilter{})
	if err != nil {
		return err
	}
	web.CacheUntil(c, nextChange(now, ss))
	ws, err := models.ListWorkshops(ctx, h.db)
	if err != nil {
		return err
	}
	ts, err := models.ListTopics(ctx, h.db)
	if err != nil {
		return err
	}
	if len(ss) > 6 {
		ss = ss[:6]
	}
	return h.web.Render(c, http.StatusOK, web.TplHome, web.PageData{
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

// ListSessions serves GET /sessions.
func (h *Handler) ListSessions(c echo.Context) error {
	ctx := c.Request().Context()
	var f catalogFilter
	if err := web.BindQuery(c, &f); err != nil {
		return err
	}
	topics, err := models.ListTopics(ctx, h.db)
	if err != nil {
		return err
	}
	errs := f.validate(topics)
	now := h.web.Now()
	all, err := models.ListUpcomingSessions(ctx, h.db, now, models.SessionFilter{})
	if err != nil {
		return err
	}
	web.CacheUntil(c, nextChange(now, all))
	ss := models.FilterSessions(all, models.SessionFilter{Topic: f.Topic, Format: models.Format(f.Format), Month: f.Month})
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	return h.web.Render(c, status, web.TplCatalog, web.PageData{
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

// ShowSession serves GET /sessions/:id.
func (h *Handler) ShowSession(c echo.Context) error {
	s, err := web.PublicSessionParam(c, h.db)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := h.web.Now()
	others, err := models.ListUpcomingSessions(ctx, h.db, now, models.SessionFilter{WorkshopID: s.WorkshopID})
	if err != nil {
		return err
	}
	kept := others[:0]
	for _, o := range others {
		if o.ID != s.ID {
			kept = append(kept, o)
		}
	}
	web.CacheUntil(c, nextChange(now, []models.Session{*s}, kept))
	u := web.CurrentUser(c)
	p := sessionPage{Session: s, Open: s.RegistrationOpen(now), ShowPrivate: h.canSeePrivate(ctx, u, s),
		OtherDates: kept, EarlyBird: s.EarlyBirdActive(now), UnitPrice: s.UnitPriceAt(now),
		ClosedReason: web.ClosedReason(s, now), PayOptions: h.payOptions(s)}
	return h.web.Render(c, http.StatusOK, web.TplSessionShow, web.PageData{Title: s.Workshop.Title, Description: s.Workshop.Summary, Data: p})
}

// canSeePrivate decides who sees join links and room details: admins, the
// session's instructor, and
// confirmed attendees (the buyer or an attendee of a paid order).
func (h *Handler) canSeePrivate(ctx context.Context, u *models.User, s *models.Session) bool {
	if u == nil {
		return false
	}
	if u.StaffOf(s) { // an instructor only for their own sessions
		return true
	}
	ok, err := models.IsConfirmedAttendee(ctx, h.db, u, s.ID)
	if err != nil {
		h.web.Log.Error("check attendee", "err", err)
	}
	return ok
}

// payOptions describes how a session can be paid.
func (h *Handler) payOptions(s *models.Session) string {
	switch {
	case h.bk.CardEnabled() && h.bk.InvoiceAllowed(s):
		return "Pay by card or request an invoice."
	case h.bk.CardEnabled():
		return "Pay by card."
	}
	return "Pay by invoice."
}

// ShowTerms is the terms and cancellation policy.
func (h *Handler) ShowTerms(c echo.Context) error {
	return h.web.Render(c, http.StatusOK, web.TplTerms, web.PageData{Title: "Terms and cancellation policy"})
}

// workshopPage is the data of a workshop's page.
type workshopPage struct {
	Workshop *models.Workshop
	Sessions []models.Session
}

// ShowWorkshop serves GET /workshops/:slug.
func (h *Handler) ShowWorkshop(c echo.Context) error {
	ctx := c.Request().Context()
	slug := strings.ToLower(c.Param("slug"))
	w, err := models.FindWorkshopBySlug(ctx, h.db, slug)
	if err != nil {
		return err
	}
	now := h.web.Now()
	ss, err := models.ListUpcomingSessions(ctx, h.db, now, models.SessionFilter{WorkshopID: w.ID})
	if err != nil {
		return err
	}
	web.CacheUntil(c, nextChange(now, ss))
	return h.web.Render(c, http.StatusOK, web.TplWorkshopShow, web.PageData{Title: w.Title, Description: w.Summary,
		Data: workshopPage{Workshop: w, Sessions: ss}})
}

// nextChange is the first moment after now at which a page showing ss
// changes by the clock alone: a session starts (it leaves the upcoming
// lists), its registration closes or its early-bird price ends. Zero if
// none does.
func nextChange(now time.Time, ss ...[]models.Session) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, list := range ss {
		for i := range list {
			s := &list[i]
			consider(s.StartsAt)
			consider(s.RegistrationClosesAt)
			if s.EarlyBirdDeadline != nil {
				consider(*s.EarlyBirdDeadline)
			}
		}
	}
	return next
}
