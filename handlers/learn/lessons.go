package learn

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/learn"
)

// tracksPage is the data of /learn.
type tracksPage struct {
	Tracks []learn.TrackSummary
	Done   int
	Total  int
}

// ListTracks serves GET /learn: every track with the learner's progress;
// a visitor sees which lessons are open to everyone.
func (h *Handler) ListTracks(c echo.Context) error {
	ts, err := h.lessons.Tracks(c.Request().Context(), learn.UserID(web.CurrentUser(c)))
	if err != nil {
		return err
	}
	p := tracksPage{Tracks: ts}
	for _, t := range ts {
		p.Done += t.Done
		p.Total += t.Total
	}
	return h.web.Render(c, http.StatusOK, web.TplLearnTracks, web.PageData{Title: "Lessons",
		Description: "Lessons on HS classification, the GRIs, the HTSUS, USMCA origin, Section 301, Section 232 and the 2025–26 tariff actions.",
		Data:        p})
}

// lessonView is the data of a lesson page.
type lessonView struct {
	Lesson   *learn.LessonPage
	Grade    *learn.GradeResult
	Answers  [][]int // ticked choices, kept when the self-check is re-shown
	SignedIn bool
}

// Checked reports whether choice i of question q was ticked.
func (v lessonView) Checked(q, i int) bool {
	if q < 0 || q >= len(v.Answers) {
		return false
	}
	for _, a := range v.Answers[q] {
		if a == i {
			return true
		}
	}
	return false
}

// ShowLesson serves GET /learn/:slug. The first lesson of each track is
// public; the others send a visitor to log in first. A learner's visit is
// recorded for "continue where you left off".
func (h *Handler) ShowLesson(c echo.Context) error {
	slug := c.Param("slug")
	uid := learn.UserID(web.CurrentUser(c))
	page, err := h.lessons.Lesson(c.Request().Context(), slug, uid)
	if isLoginRequired(err) {
		return loginFirst(c, "/learn/"+slug)
	}
	if err != nil {
		return err
	}
	if err := h.lessons.MarkViewed(c.Request().Context(), slug, uid); err != nil {
		return err
	}
	return h.renderLesson(c, http.StatusOK, lessonView{Lesson: page}, nil)
}

func (h *Handler) renderLesson(c echo.Context, status int, v lessonView, errs map[string]string) error {
	v.SignedIn = web.CurrentUser(c) != nil
	return h.web.Render(c, status, web.TplLearnLesson, web.PageData{Title: v.Lesson.Title,
		Description: v.Lesson.Summary, Data: v, Errors: errs})
}

// CompleteLesson serves POST /learn/:slug/complete (signed-in learners).
func (h *Handler) CompleteLesson(c echo.Context) error {
	slug := c.Param("slug")
	if err := h.lessons.MarkComplete(c.Request().Context(), slug, learn.UserID(web.CurrentUser(c))); err != nil {
		return err
	}
	return web.Redirect(c, "/learn/"+slug+"#lesson-progress")
}

// readAnswers reads the self-check form: field q<N> holds the index of
// each ticked choice of question N. A question left blank or a value that
// is not one of its choices is a field error named q<N>.
func readAnswers(form map[string][]string, qs []learn.PublicQuestion) ([][]int, map[string]string) {
	answers := make([][]int, len(qs))
	errs := map[string]string{}
	for _, q := range qs {
		name := "q" + strconv.Itoa(q.N)
		vals := form[name]
		if len(vals) == 0 {
			errs[name] = "Choose an answer to this question."
			continue
		}
		if !q.Multiple() && len(vals) > 1 {
			errs[name] = "Choose one answer only."
			continue
		}
		for _, s := range vals {
			i, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || i < 0 || i >= len(q.Choices) {
				errs[name] = "That is not one of the choices."
				break
			}
			answers[q.N] = append(answers[q.N], i)
		}
	}
	return answers, errs
}

// CheckLesson serves POST /learn/:slug/check: it grades the self-check on
// the server and shows the lesson again with the results. Unanswered
// questions re-show the form (422) with a message beside each.
func (h *Handler) CheckLesson(c echo.Context) error {
	slug := c.Param("slug")
	ctx := c.Request().Context()
	uid := learn.UserID(web.CurrentUser(c))
	page, err := h.lessons.Lesson(ctx, slug, uid)
	if isLoginRequired(err) {
		return loginFirst(c, "/learn/"+slug)
	}
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return web.ErrUnreadable
	}
	answers, errs := readAnswers(form, page.SelfCheck)
	v := lessonView{Lesson: page, Answers: answers}
	if len(errs) > 0 {
		errs["selfcheck"] = "Answer every question, then check your answers."
		return h.renderLesson(c, http.StatusUnprocessableEntity, v, errs)
	}
	if v.Grade, err = h.lessons.Grade(ctx, slug, uid, answers); err != nil {
		return err
	}
	return h.renderLesson(c, http.StatusOK, v, nil)
}
