package learn

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/models"
)

// adminLessonsPage is the data of /admin/lessons.
type adminLessonsPage struct {
	Tracks []adminTrack
	Saved  string // title of the lesson just saved
}

type adminTrack struct {
	Title   string
	Lessons []models.Lesson
}

// ListAdminLessons serves GET /admin/lessons (admins): every lesson, with
// whether staff have edited it (edited lessons are kept on re-sync).
func (h *Handler) ListAdminLessons(c echo.Context) error {
	ctx := c.Request().Context()
	ts, err := h.lessons.Tracks(ctx, 0)
	if err != nil {
		return err
	}
	ls, err := h.lessons.AllLessons(ctx)
	if err != nil {
		return err
	}
	bySlug := map[string]models.Lesson{}
	for _, l := range ls {
		bySlug[l.Slug] = l
	}
	var p adminLessonsPage
	for _, t := range ts {
		at := adminTrack{Title: t.Title}
		for _, s := range t.Lessons {
			at.Lessons = append(at.Lessons, bySlug[s.Slug])
		}
		p.Tracks = append(p.Tracks, at)
	}
	if s, ok := bySlug[c.QueryParam("saved")]; ok {
		p.Saved = s.Title
	}
	return h.web.Render(c, http.StatusOK, web.TplAdminLessons, web.PageData{Title: "Lessons", Data: p})
}

// lessonForm is the staff edit form. Sources are one per line,
// "Title | https://address". The self-check is kept as it is.
type lessonForm struct {
	Title   string `form:"title"`
	Summary string `form:"summary"`
	Minutes string `form:"minutes"`
	AsOf    string `form:"as_of"`
	Sources string `form:"sources"`
	Body    string `form:"body"`
	Action  string `form:"action"` // "preview" or "save"
}

// maxBody bounds a lesson body (the request body limit is the backstop).
const maxBody = 200_000

// validate checks the form and builds the edit; selfCheck is kept from
// the stored lesson.
func (f *lessonForm) validate(selfCheck []learn.Question) (learn.LessonEdit, map[string]string) {
	errs := map[string]string{}
	e := learn.LessonEdit{Title: strings.TrimSpace(f.Title), Summary: strings.TrimSpace(f.Summary),
		AsOf: strings.TrimSpace(f.AsOf), BodyMD: strings.ReplaceAll(f.Body, "\r\n", "\n"), SelfCheck: selfCheck}
	// The bounds are the columns' sizes (PostgreSQL refuses longer text).
	if e.Title == "" || utf8.RuneCountInString(e.Title) > 300 {
		errs["title"] = "Enter the title (up to 300 characters)."
	}
	if e.Summary == "" || utf8.RuneCountInString(e.Summary) > 1000 {
		errs["summary"] = "Enter a one-sentence summary (up to 1,000 characters)."
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.Minutes)); err != nil || n < 1 || n > 600 {
		errs["minutes"] = "Enter the reading time in whole minutes, from 1 to 600."
	} else {
		e.Minutes = n
	}
	if _, err := time.Parse(time.DateOnly, e.AsOf); err != nil {
		errs["as_of"] = "Enter the date the facts were checked, as YYYY-MM-DD."
	}
	for i, line := range strings.Split(strings.ReplaceAll(f.Sources, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		title, addr, ok := strings.Cut(line, "|")
		title, addr = strings.TrimSpace(title), strings.TrimSpace(addr)
		u, err := url.Parse(addr)
		if !ok || title == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs["sources"] = "Line " + strconv.Itoa(i+1) + " is not \"Title | https://address\"."
			break
		}
		e.Sources = append(e.Sources, learn.Source{Title: title, URL: addr})
	}
	if len(e.Sources) == 0 && errs["sources"] == "" {
		errs["sources"] = "List at least one public source."
	}
	if strings.TrimSpace(e.BodyMD) == "" {
		errs["body"] = "The lesson text is empty."
	} else if len(e.BodyMD) > maxBody {
		errs["body"] = "The lesson text is too long."
	}
	return e, errs
}

// editLessonPage is the data of the edit page.
type editLessonPage struct {
	Lesson  *models.Lesson
	Preview template.HTML // sanitised
}

func (h *Handler) renderEdit(c echo.Context, status int, p editLessonPage, f lessonForm, errs map[string]string) error {
	return h.web.Render(c, status, web.TplAdminLessonEdit, web.PageData{Title: "Edit " + p.Lesson.Title,
		Data: p, Form: f, Errors: errs})
}

// EditAdminLesson serves GET /admin/lessons/:slug/edit (admins).
func (h *Handler) EditAdminLesson(c echo.Context) error {
	l, err := h.lessons.StoredLesson(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	var sources []learn.Source
	if err := json.Unmarshal([]byte(orEmpty(l.Sources)), &sources); err != nil {
		return err
	}
	lines := make([]string, len(sources))
	for i, s := range sources {
		lines[i] = s.Title + " | " + s.URL
	}
	f := lessonForm{Title: l.Title, Summary: l.Summary, Minutes: strconv.Itoa(l.Minutes), AsOf: l.AsOf,
		Sources: strings.Join(lines, "\n"), Body: l.BodyMD}
	return h.renderEdit(c, http.StatusOK, editLessonPage{Lesson: l}, f, nil)
}

func orEmpty(js string) string {
	if strings.TrimSpace(js) == "" {
		return "[]"
	}
	return js
}

// UpdateAdminLesson serves POST /admin/lessons/:slug/edit (admins): the
// "preview" button renders the Markdown as learners will see it; "save"
// stores the edit, which later content syncs keep.
func (h *Handler) UpdateAdminLesson(c echo.Context) error {
	ctx := c.Request().Context()
	l, err := h.lessons.StoredLesson(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	var f lessonForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	var selfCheck []learn.Question
	if err := json.Unmarshal([]byte(orEmpty(l.SelfCheck)), &selfCheck); err != nil {
		return err
	}
	e, errs := f.validate(selfCheck)
	p := editLessonPage{Lesson: l}
	if errs["body"] == "" {
		out, err := h.lessons.Renderer().Render(l.Slug, e.BodyMD)
		if err != nil {
			errs["body"] = "The text could not be rendered: " + err.Error()
		} else {
			p.Preview = template.HTML(out.HTML) // #nosec G203 -- out.HTML was sanitised by the renderer's policy (learn.Renderer.Render)
		}
	}
	if len(errs) > 0 {
		return h.renderEdit(c, http.StatusUnprocessableEntity, p, f, errs)
	}
	if f.Action == "preview" {
		return h.renderEdit(c, http.StatusOK, p, f, nil)
	}
	err = h.lessons.EditLesson(ctx, l.Slug, e, learn.Editor{User: web.CurrentUser(c), IP: c.RealIP()})
	if errors.Is(err, models.ErrInvalid) {
		return h.renderEdit(c, http.StatusUnprocessableEntity, p, f, map[string]string{"form": err.Error()})
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, "/admin/lessons?saved="+url.QueryEscape(l.Slug))
}
