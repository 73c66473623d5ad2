package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// seriesShowPage is the data of a series page: its sessions, what the
// bulk actions would touch, and what its cancellations did so far.
type seriesShowPage struct {
	Series    *models.SessionSeries
	Sessions  []models.Session
	Drafts    int // upcoming drafts "Publish all drafts" would publish
	Remaining int // upcoming draft or published sessions "Cancel" would cancel
	// Cancelled adds up the cancellation records of the series' cancelled
	// sessions (each also has its own summary page).
	Cancelled    int
	CardRefunds  int
	Refunded     []models.Money
	EmailsQueued int
}

// seriesMessage is the confirmation after a redirect here with ?created=,
// ?published= or ?cancelled=.
func seriesMessage(c echo.Context) string {
	n := func(k string) (int, bool) {
		v, err := strconv.Atoi(c.QueryParam(k))
		return v, err == nil
	}
	if k, ok := n("created"); ok {
		return fmt.Sprintf("Series created: %d %s.", k, web.Plural(k, "session", "sessions"))
	}
	if k, ok := n("published"); ok {
		if k == 0 {
			return "Nothing to publish: the series has no upcoming drafts."
		}
		return fmt.Sprintf("Published %d %s: now in the catalog.", k, web.Plural(k, "session", "sessions"))
	}
	if k, ok := n("cancelled"); ok {
		if k == 0 {
			return "Nothing to cancel: no session of the series is left to run."
		}
		return fmt.Sprintf("Cancelled %d %s. Attendees were emailed and card payments refunded; the totals are below.", k, web.Plural(k, "session", "sessions"))
	}
	return ""
}

func (h *Handler) renderSeriesShow(c echo.Context, status int, form, errs map[string]string) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	x, err := models.FindSessionSeries(ctx, h.db, id)
	if err != nil {
		return err
	}
	ss, err := models.ListSeriesSessions(ctx, h.db, id)
	if err != nil {
		return err
	}
	p := seriesShowPage{Series: x, Sessions: ss}
	now := h.web.Now()
	for _, s := range ss {
		switch {
		case s.Status == models.StatusCancelled:
			rec, err := models.FindSessionCancellation(ctx, h.db, s.ID)
			if errors.Is(err, models.ErrNotFound) {
				p.Cancelled++
				continue
			}
			if err != nil {
				return err
			}
			p.Cancelled++
			p.CardRefunds += rec.CardRefunds
			p.EmailsQueued += rec.EmailsQueued
			p.Refunded = models.AddByCurrency(p.Refunded, rec.Refunded())
		case !s.Upcoming(now):
		case s.Status == models.StatusDraft:
			p.Drafts++
			p.Remaining++
		case s.Status == models.StatusPublished:
			p.Remaining++
		}
	}
	if form == nil {
		form = map[string]string{}
	}
	return h.web.Render(c, status, tplSeriesShow, web.PageData{Title: "Series: " + x.Name, Form: form, Errors: errs, Data: p,
		Flash: seriesMessage(c)})
}

// ShowSeries serves GET /admin/series/:id.
func (h *Handler) ShowSeries(c echo.Context) error {
	return h.renderSeriesShow(c, http.StatusOK, nil, nil)
}

// PublishSeries serves POST /admin/series/:id/publish: every upcoming
// draft of the series is published; a repeat publishes nothing.
func (h *Handler) PublishSeries(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	n, err := h.sched.PublishSeries(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/series/%d?published=%d", id, n))
}

// CancelSeries serves POST /admin/series/:id/cancel: every session of the
// series not yet started is cancelled as a single one would be (refunds,
// emails, summary); a repeat cancels nothing more.
func (h *Handler) CancelSeries(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	f := formOf(c, []string{"reason", "confirm"})
	if f["confirm"] != "yes" {
		return h.renderSeriesShow(c, http.StatusUnprocessableEntity, f, map[string]string{"confirm": "Tick the box to confirm."})
	}
	res, err := h.sched.CancelSeries(c.Request().Context(), actor(c), id, f["reason"])
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderSeriesShow(c, http.StatusUnprocessableEntity, f, ve.Fields)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/series/%d?cancelled=%d", id, len(res.Sessions)))
}
