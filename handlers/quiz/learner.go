package quiz

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	qz "github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
	"github.com/hsworkshop/hsworkshop/models"
)

type indexPage struct {
	Catalog   *quizsvc.Catalog
	Workshops []quizsvc.WorkshopQuizForUser
}

// ShowCatalog lists the quizzes: the learner's workshop tests, the exam
// presets and the practice sets by track and topic.
func (h *Handler) ShowCatalog(c echo.Context) error {
	ctx := c.Request().Context()
	cat, err := h.svc.Catalog(ctx)
	if err != nil {
		return fail(err)
	}
	ws, err := h.svc.QuizzesForUser(ctx, web.CurrentUser(c))
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, TplIndex, web.PageData{Title: "Practice quizzes and exam simulator",
		Description: "Practice tariff classification, GRI, USMCA origin and trade-action questions; take a timed CBLE-style exam.",
		Data:        indexPage{Catalog: cat, Workshops: ws}})
}

type startForm struct {
	Key string `form:"key"`
}

// StartAttempt starts a quiz from the catalog and opens its first question.
func (h *Handler) StartAttempt(c echo.Context) error {
	var f startForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	if strings.TrimSpace(f.Key) == "" || len(f.Key) > 120 {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose a quiz from the list.")
	}
	a, err := h.svc.Start(c.Request().Context(), web.CurrentUser(c), f.Key)
	if err != nil {
		return fail(err)
	}
	return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d", a.ID))
}

type attemptPage struct {
	View      *quizsvc.View
	Item      *quizsvc.ViewItem
	Seconds   int    // left on the exam clock
	Clock     string // Seconds as h:mm:ss
	Deadline  string
	Answer    answerForm
	Exam      bool
	Practice  bool
	Positions []int
}

// ShowAttempt shows a question of an open attempt (practice: the next
// unanswered one, or ?q=N to see an answered one with its feedback; exam:
// ?q=N) or, once submitted, the results.
func (h *Handler) ShowAttempt(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	v, err := h.svc.Attempt(c.Request().Context(), web.CurrentUser(c).ID, id)
	if err != nil {
		return fail(err)
	}
	if !v.Open() {
		return h.web.Render(c, http.StatusOK, TplResult, web.PageData{Title: v.Attempt.Name + ": results", Data: newResultPage(v),
			Flash: notes[c.QueryParam("note")]})
	}
	pos := v.Next()
	if q := c.QueryParam("q"); q != "" {
		if pos, err = strconv.Atoi(q); err != nil {
			return echo.NewHTTPError(http.StatusNotFound, "We could not find that question.")
		}
	}
	if pos == 0 {
		pos = 1
	}
	return h.renderAttempt(c, http.StatusOK, v, pos, answerForm{}, nil)
}

func (h *Handler) renderAttempt(c echo.Context, status int, v *quizsvc.View, pos int, f answerForm, errs map[string]string) error {
	it, err := v.Item(pos)
	if err != nil {
		return fail(err)
	}
	if f.Position == 0 {
		f = answerForm{Position: pos, Text: it.Answer.Text, Choice: it.Answer.Choices}
	}
	p := attemptPage{View: v, Item: it, Answer: f, Exam: v.Exam(), Practice: !v.Exam()}
	if v.Attempt.Deadline != nil {
		p.Seconds = int(quizsvc.Remaining(v.Attempt, h.svc.Now()).Seconds())
		p.Deadline = v.Attempt.Deadline.UTC().Format("2006-01-02T15:04:05Z")
		p.Clock = fmt.Sprintf("%d:%02d:%02d", p.Seconds/3600, p.Seconds/60%60, p.Seconds%60)
	}
	for i := range v.Items {
		p.Positions = append(p.Positions, i+1)
	}
	return h.web.Render(c, status, TplAttempt, web.PageData{Title: fmt.Sprintf("%s: question %d of %d", v.Attempt.Name, pos, len(v.Items)),
		Data: p, Errors: errs, Flash: notes[c.QueryParam("note")]})
}

type answerForm struct {
	Position int      `form:"position"`
	Text     string   `form:"text"`
	Choice   []string `form:"choice"`
	Go       string   `form:"go"` // exam: "next", "prev", "stay" or "submit"
}

// Picked reports whether a choice id was picked (for re-rendering).
func (f answerForm) Picked(id string) bool {
	for _, c := range f.Choice {
		if c == id {
			return true
		}
	}
	return false
}

func (f answerForm) validate(it *quizsvc.ViewItem) map[string]string {
	errs := map[string]string{}
	switch it.Question.Kind {
	case qz.KindHSCode, qz.KindNumeric:
		switch t := strings.TrimSpace(f.Text); {
		case t == "":
			errs["text"] = "Type your answer."
		case len(t) > 40:
			errs["text"] = "Keep the answer to 40 characters."
		}
	default:
		switch {
		case len(f.Choice) == 0:
			errs["choice"] = "Pick an answer."
		case len(f.Choice) > len(it.Question.Choices):
			errs["choice"] = "Pick among the choices shown."
		case !it.Question.Multiple && len(f.Choice) > 1:
			errs["choice"] = "Pick one answer."
		}
	}
	return errs
}

// AnswerQuestion records an answer. Practice: graded at once, then the
// question is shown again with its feedback. Exam: saved, then the next
// question (or the submission) follows.
func (h *Handler) AnswerQuestion(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var f answerForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	ctx, uid := c.Request().Context(), web.CurrentUser(c).ID
	v, err := h.svc.Attempt(ctx, uid, id)
	if err != nil {
		return fail(err)
	}
	if !v.Open() {
		if v.Attempt.AutoSubmitted {
			return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?note=time-up", id))
		}
		return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?note=closed", id))
	}
	it, err := v.Item(f.Position)
	if err != nil {
		return fail(err)
	}
	if v.Exam() && f.Go == "submit" && it.Answered && f.Text == "" && len(f.Choice) == 0 {
		return h.submit(c, id)
	}
	blank := strings.TrimSpace(f.Text) == "" && len(f.Choice) == 0
	if !(v.Exam() && blank) { // an exam may move on without answering
		if errs := f.validate(it); len(errs) > 0 {
			return h.renderAttempt(c, http.StatusUnprocessableEntity, v, f.Position, f, errs)
		}
		_, err = h.svc.Answer(ctx, uid, id, f.Position, qz.Answer{Text: strings.TrimSpace(f.Text), Choices: f.Choice})
		switch {
		case errors.Is(err, quizsvc.ErrTimeUp):
			return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?note=time-up", id))
		case errors.Is(err, models.ErrConflict):
			return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?q=%d&note=answered", id, f.Position))
		case err != nil:
			return fail(err)
		}
	}
	if !v.Exam() {
		return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?q=%d", id, f.Position))
	}
	next := f.Position
	switch f.Go {
	case "submit":
		return h.submit(c, id)
	case "prev":
		next = max(1, f.Position-1)
	case "stay":
	default:
		next = min(len(v.Items), f.Position+1)
	}
	return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?q=%d", id, next))
}

// SubmitAttempt closes an attempt and shows its results.
func (h *Handler) SubmitAttempt(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.submit(c, id)
}

func (h *Handler) submit(c echo.Context, id uint) error {
	_, err := h.svc.Submit(c.Request().Context(), web.CurrentUser(c).ID, id)
	if err != nil && !errors.Is(err, models.ErrConflict) {
		return fail(err)
	}
	return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?note=submitted", id))
}

// StartReview starts a retake of the questions missed in an attempt.
func (h *Handler) StartReview(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	a, err := h.svc.StartReview(c.Request().Context(), web.CurrentUser(c).ID, id)
	switch {
	case errors.Is(err, quizsvc.ErrNothingToReview):
		return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?note=no-mistakes", id))
	case errors.Is(err, models.ErrConflict):
		return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d?note=submit-first", id))
	case err != nil:
		return fail(err)
	}
	return web.Redirect(c, fmt.Sprintf("/quiz/attempts/%d", a.ID))
}

type resultPage struct {
	View   *quizsvc.View
	Tracks []trackScore
}

// trackScore is a row of the result's score by track.
type trackScore struct {
	Title     string
	Questions int
	Percent   string
}

func newResultPage(v *quizsvc.View) resultPage {
	p := resultPage{View: v}
	if v.Outcome == nil {
		return p
	}
	for _, tr := range []string{qz.TrackClassification, qz.TrackGRI, qz.TrackOrigin, qz.TrackTradeActions} {
		if t, ok := v.Outcome.ByTrack[tr]; ok {
			p.Tracks = append(p.Tracks, trackScore{Title: quizsvc.TrackTitle(tr), Questions: t.Questions, Percent: t.Percent()})
		}
	}
	return p
}

type progressPage struct {
	Progress *quizsvc.Progress
	Chart    Chart
}

// ShowProgress shows the learner's history, chart, mastery and mistakes.
func (h *Handler) ShowProgress(c echo.Context) error {
	if !h.svc.Available() {
		return errUnavailable
	}
	p, err := h.svc.Progress(c.Request().Context(), web.CurrentUser(c).ID)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, TplProgress, web.PageData{Title: "Your quiz progress",
		Data: progressPage{Progress: p, Chart: NewChart(p.Series)}})
}

// notes are the one-line messages a redirect may ask a page to show
// (?note=code); unknown codes show nothing.
var notes = map[string]string{
	"closed":       "This attempt is closed; here are its results.",
	"time-up":      "Time is up: the exam was submitted at its deadline without that answer.",
	"answered":     "That question was already answered.",
	"submitted":    "Submitted. Here are your results.",
	"no-mistakes":  "Nothing to review: every answer was right.",
	"submit-first": "Submit the attempt before reviewing it.",
	"saved":        "Saved. The key was checked against the bundled tariff data.",
	"retired":      "The item is retired: new quizzes no longer draw it; past attempts keep it.",
	"restored":     "The item is back in the pool.",
	"attached":     "The workshop test is attached.",
	"imported":     "Imported. Every key was checked against the bundled tariff data.",
}
