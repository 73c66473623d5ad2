package quiz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	qz "github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
	"github.com/hsworkshop/hsworkshop/models"
)

type analyticsPage struct {
	A         *quizsvc.Analytics
	Sessions  []models.Session
	Workshops []models.Workshop
	Attach    attachForm
}

// ShowAnalytics shows item analysis, the confusion list and the score
// distributions (staff), with the sessions whose class results the
// viewer may open.
func (h *Handler) ShowAnalytics(c echo.Context) error {
	return h.renderAnalytics(c, http.StatusOK, attachForm{Kind: models.WorkshopQuizPre, Count: "10", PassMark: "70", Minutes: "30"}, nil)
}

func (h *Handler) renderAnalytics(c echo.Context, status int, f attachForm, errs map[string]string) error {
	ctx := c.Request().Context()
	if !h.svc.Available() {
		return errUnavailable
	}
	a, err := h.svc.Analytics(ctx)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	all, err := models.ListSessionsForAdmin(ctx, h.db, h.web.Now().AddDate(-1, 0, 0))
	if err != nil {
		return err
	}
	var ss []models.Session
	for _, s := range all {
		if u.IsAdmin() || (s.InstructorID != nil && *s.InstructorID == u.ID) {
			ss = append(ss, s)
		}
	}
	p := analyticsPage{A: a, Sessions: ss, Attach: f}
	if u.IsAdmin() {
		if p.Workshops, err = models.ListWorkshops(ctx, h.db); err != nil {
			return err
		}
	}
	return h.web.Render(c, status, TplAnalytics, web.PageData{Title: "Quiz analytics", Data: p, Errors: errs,
		Flash: notes[c.QueryParam("note")]})
}

type classPage struct {
	Session *models.Session
	Rows    []quizsvc.ClassRow
}

// ShowClassResults shows a session's pre- and post-test results side by
// side: admins and the session's own instructor only (another instructor's
// session is not found, as on the /staff pages).
func (h *Handler) ShowClassResults(c echo.Context) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	if !u.IsAdmin() && (s.InstructorID == nil || *s.InstructorID != u.ID) {
		return echo.NewHTTPError(http.StatusNotFound, "We could not find that session.")
	}
	rows, err := h.svc.ClassResults(c.Request().Context(), s)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, TplClass, web.PageData{Title: "Class results: " + s.Workshop.Title, Data: classPage{Session: s, Rows: rows}})
}

// attachForm keeps the typed numbers as text, so a value that is not a
// number is shown again with a message beside its field rather than
// refused by the binder.
type attachForm struct {
	WorkshopID uint   `form:"workshop_id"`
	Kind       string `form:"kind"`
	Track      string `form:"track"`
	Count      string `form:"count"`
	Minutes    string `form:"minutes"`
	PassMark   string `form:"pass_mark"`
}

// attachNumbers are an attachForm's numbers once validated.
type attachNumbers struct{ count, minutes, passMark int }

func (f attachForm) validate() (attachNumbers, map[string]string) {
	errs := map[string]string{}
	if f.WorkshopID == 0 {
		errs["workshop_id"] = "Choose a workshop."
	}
	if f.Kind != models.WorkshopQuizPre && f.Kind != models.WorkshopQuizPost {
		errs["kind"] = "Choose pre-test or post-test."
	}
	number := func(field, v string, lo, hi int, msg string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			errs[field] = msg
		}
		return n
	}
	n := attachNumbers{
		count:    number("count", f.Count, 1, 80, "Between 1 and 80 questions."),
		minutes:  number("minutes", f.Minutes, 5, 270, "Between 5 and 270 minutes."),
		passMark: number("pass_mark", f.PassMark, 1, 100, "A percentage from 1 to 100."),
	}
	return n, errs
}

// AttachWorkshopQuiz attaches a pre- or post-test to a workshop (admins).
func (h *Handler) AttachWorkshopQuiz(c echo.Context) error {
	var f attachForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	n, errs := f.validate()
	if len(errs) > 0 {
		return h.renderAnalytics(c, http.StatusUnprocessableEntity, f, errs)
	}
	var tracks []string
	if f.Track != "" {
		tracks = []string{f.Track}
	}
	title := "Pre-test"
	if f.Kind == models.WorkshopQuizPost {
		title = "Post-test"
	}
	spec := quizsvc.WorkshopTest(title, n.count, tracks...)
	spec.TimeLimit = timeMinutes(n.minutes)
	spec.PassMark = float64(n.passMark) / 100
	err := h.svc.AttachWorkshopQuiz(c.Request().Context(), f.WorkshopID, f.Kind, spec)
	switch {
	case errors.Is(err, qz.ErrInvalid):
		return h.renderAnalytics(c, http.StatusUnprocessableEntity, f, map[string]string{"count": "The bank cannot fill that: " + err.Error()})
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrConflict):
		return h.renderAnalytics(c, http.StatusUnprocessableEntity, f, map[string]string{"workshop_id": "No such workshop."})
	case err != nil:
		return fail(err)
	}
	return web.Redirect(c, "/admin/quiz?note=attached")
}

type itemsPage struct {
	Items  []quizsvc.ItemRow
	Filter quizsvc.ItemFilter
}

// ListItems lists the bank for staff, filtered by track, kind, text and
// retirement.
func (h *Handler) ListItems(c echo.Context) error {
	var f quizsvc.ItemFilter
	if err := web.BindQuery(c, &f); err != nil {
		return err
	}
	items, err := h.svc.Items(c.Request().Context(), f)
	if err != nil {
		return fail(err)
	}
	return h.web.Render(c, http.StatusOK, TplItems, web.PageData{Title: "Quiz items", Data: itemsPage{Items: items, Filter: f},
		Flash: notes[c.QueryParam("note")]})
}

type itemPage struct {
	Item *quizsvc.ItemRow
	JSON string
}

// EditItem shows an item's edit form: the question as JSON (every type
// has the same form), with its key.
func (h *Handler) EditItem(c echo.Context) error {
	it, err := h.svc.Item(c.Request().Context(), c.Param("qid"))
	if err != nil {
		return fail(err)
	}
	raw, err := json.MarshalIndent(it.Question, "", "  ")
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, TplItem, web.PageData{Title: "Edit " + it.Question.ID, Data: itemPage{Item: it, JSON: string(raw)},
		Flash: notes[c.QueryParam("note")]})
}

type itemForm struct {
	JSON string `form:"json"`
}

// UpdateItem saves an edited item after checking it and its key against
// the tariff data; a problem re-renders the form with 422.
func (h *Handler) UpdateItem(c echo.Context) error {
	ctx := c.Request().Context()
	it, err := h.svc.Item(ctx, c.Param("qid"))
	if err != nil {
		return fail(err)
	}
	var f itemForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	bad := func(msg string) error {
		return h.web.Render(c, http.StatusUnprocessableEntity, TplItem, web.PageData{Title: "Edit " + it.Question.ID,
			Data: itemPage{Item: it, JSON: f.JSON}, Errors: map[string]string{"json": msg}})
	}
	var q qz.Question
	dec := json.NewDecoder(strings.NewReader(f.JSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return bad("Not valid question JSON: " + err.Error())
	}
	if q.ID != it.Question.ID {
		return bad(fmt.Sprintf("The id must stay %q: attempts refer to it.", it.Question.ID))
	}
	var ie *quizsvc.ItemError
	switch err := h.svc.SaveItem(ctx, web.CurrentUser(c).ID, &q); {
	case errors.As(err, &ie):
		return bad(ie.Problem)
	case err != nil:
		return fail(err)
	}
	return web.Redirect(c, "/admin/quiz/items/"+url.PathEscape(q.ID)+"?note=saved")
}

type retireForm struct {
	Retire string `form:"retire"`
}

// RetireItem retires an item or brings it back.
func (h *Handler) RetireItem(c echo.Context) error {
	var f retireForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	retire := f.Retire != "no"
	if err := h.svc.RetireItem(c.Request().Context(), c.Param("qid"), retire); err != nil {
		return fail(err)
	}
	note := "retired"
	if !retire {
		note = "restored"
	}
	return web.Redirect(c, "/admin/quiz/items/"+url.PathEscape(c.Param("qid"))+"?note="+note)
}

// ExportItems downloads the bank as JSON or CSV (?format=csv).
func (h *Handler) ExportItems(c echo.Context) error {
	var buf bytes.Buffer
	ctx := c.Request().Context()
	if c.QueryParam("format") == "csv" {
		if err := h.svc.ExportCSV(ctx, &buf); err != nil {
			return fail(err)
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="quiz-bank.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	}
	if err := h.svc.ExportJSON(ctx, &buf); err != nil {
		return fail(err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="quiz-bank.json"`)
	return c.Blob(http.StatusOK, "application/json", buf.Bytes())
}

// maxImportBytes bounds an uploaded bank file.
const maxImportBytes = 4 << 20

// ImportItems imports a JSON or CSV export; every question is checked and
// one bad question imports nothing.
func (h *Handler) ImportItems(c echo.Context) error {
	ctx := c.Request().Context()
	fh, err := c.FormFile("file")
	problem := ""
	var res quizsvc.ImportResult
	if err != nil {
		problem = "Choose a JSON or CSV export to import."
	} else {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		r := io.LimitReader(f, maxImportBytes)
		if strings.HasSuffix(strings.ToLower(fh.Filename), ".csv") {
			res, err = h.svc.ImportCSV(ctx, web.CurrentUser(c).ID, r)
		} else {
			res, err = h.svc.ImportJSON(ctx, web.CurrentUser(c).ID, r)
		}
		var ie *quizsvc.ItemError
		switch {
		case errors.As(err, &ie):
			problem = ie.Problem
		case err != nil:
			return fail(err)
		}
	}
	if problem != "" {
		items, err := h.svc.Items(ctx, quizsvc.ItemFilter{})
		if err != nil {
			return fail(err)
		}
		return h.web.Render(c, http.StatusUnprocessableEntity, TplItems, web.PageData{Title: "Quiz items",
			Data: itemsPage{Items: items}, Errors: map[string]string{"file": problem}})
	}
	return web.Redirect(c, "/admin/quiz/items?note=imported&n="+strconv.Itoa(res.Saved))
}
