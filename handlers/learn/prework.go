package learn

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/models"
)

// adminPreworkPage is the data of /admin/lessons/prework.
type adminPreworkPage struct {
	Workshops []learn.WorkshopPrework
	Saved     string // title of the workshop just saved
}

// ListAdminPrework serves GET /admin/lessons/prework (admins): every
// workshop with the prework lessons its attendees see.
func (h *Handler) ListAdminPrework(c echo.Context) error {
	ws, err := h.lessons.PreworkByWorkshop(c.Request().Context())
	if err != nil {
		return err
	}
	p := adminPreworkPage{Workshops: ws}
	if id, err := strconv.ParseUint(c.QueryParam("saved"), 10, 32); err == nil {
		for _, w := range ws {
			if uint64(w.Workshop.ID) == id {
				p.Saved = w.Workshop.Title
			}
		}
	}
	return h.web.Render(c, http.StatusOK, web.TplAdminPrework, web.PageData{Title: "Workshop prework", Data: p})
}

// editPreworkPage is the data of the prework form: every lesson by track,
// with the chosen ones ticked.
type editPreworkPage struct {
	Workshop *models.Workshop
	Tracks   []adminTrack
	Chosen   map[uint]bool
}

// preworkTracks groups every lesson by track, in reading order.
func (h *Handler) preworkTracks(c echo.Context) ([]adminTrack, map[uint]bool, error) {
	ctx := c.Request().Context()
	ts, err := h.lessons.Tracks(ctx, 0)
	if err != nil {
		return nil, nil, err
	}
	ls, err := h.lessons.AllLessons(ctx)
	if err != nil {
		return nil, nil, err
	}
	bySlug := map[string]models.Lesson{}
	known := map[uint]bool{}
	for _, l := range ls {
		bySlug[l.Slug] = l
		known[l.ID] = true
	}
	out := make([]adminTrack, 0, len(ts))
	for _, t := range ts {
		at := adminTrack{Title: t.Title}
		for _, s := range t.Lessons {
			at.Lessons = append(at.Lessons, bySlug[s.Slug])
		}
		out = append(out, at)
	}
	return out, known, nil
}

// EditAdminPrework serves GET /admin/lessons/prework/:workshopID (admins).
func (h *Handler) EditAdminPrework(c echo.Context) error {
	id, err := web.ParamID(c, "workshopID")
	if err != nil {
		return err
	}
	w, ids, err := h.lessons.PreworkOf(c.Request().Context(), id)
	if err != nil {
		return err
	}
	ts, _, err := h.preworkTracks(c)
	if err != nil {
		return err
	}
	p := editPreworkPage{Workshop: w, Tracks: ts, Chosen: map[uint]bool{}}
	for _, id := range ids {
		p.Chosen[id] = true
	}
	return h.web.Render(c, http.StatusOK, web.TplAdminPreworkEdit, web.PageData{Title: "Prework for " + w.Title, Data: p})
}

// UpdateAdminPrework serves POST /admin/lessons/prework/:workshopID
// (admins): the ticked "lesson" boxes replace the workshop's prework, kept
// in reading order (track order, then lesson order).
func (h *Handler) UpdateAdminPrework(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := web.ParamID(c, "workshopID")
	if err != nil {
		return err
	}
	w, _, err := h.lessons.PreworkOf(ctx, id)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	ts, known, err := h.preworkTracks(c)
	if err != nil {
		return err
	}
	p := editPreworkPage{Workshop: w, Tracks: ts, Chosen: map[uint]bool{}}
	errs := map[string]string{}
	var ids []uint
	for _, v := range form["lesson"] {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
		if err != nil || !known[uint(n)] {
			errs["lessons"] = "The list of lessons has changed since this page was opened (no lesson “" + v + "”). Check the choices and save again."
			continue
		}
		ids = append(ids, uint(n))
		p.Chosen[uint(n)] = true
	}
	if len(errs) == 0 {
		err = h.lessons.SetPrework(ctx, id, ids, learn.Editor{User: web.CurrentUser(c), IP: c.RealIP()})
		var unknown *learn.UnknownLessonError
		if errors.As(err, &unknown) {
			errs["lessons"] = "No lesson has id " + strconv.FormatUint(uint64(unknown.ID), 10) + ". Check the choices and save again."
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplAdminPreworkEdit,
			web.PageData{Title: "Prework for " + w.Title, Data: p, Errors: errs})
	}
	return web.Redirect(c, "/admin/lessons/prework?saved="+strconv.FormatUint(uint64(id), 10))
}
