package learn

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
)

// dashboardPage is the data of the learner's dashboard.
type dashboardPage struct {
	Continue    learn.LessonLink
	HasContinue bool
	Prework     []learn.PreworkSession
	Tracks      []learn.TrackSummary
	Started     bool // some lesson done or viewed
	// Tests are the pre- and post-tests of the user's workshops.
	Tests []quizsvc.WorkshopQuizForUser
}

// ShowDashboard serves GET /learn/dashboard (signed-in learners): where
// to pick up, the prework of the workshops they are booked on, and their
// progress per track.
func (h *Handler) ShowDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	u := web.CurrentUser(c)
	var p dashboardPage
	var err error
	if p.Continue, p.HasContinue, err = h.lessons.Continue(ctx, u.ID); err != nil {
		return err
	}
	if p.Prework, err = h.lessons.Prework(ctx, u); err != nil {
		return err
	}
	if p.Tracks, err = h.lessons.Tracks(ctx, u.ID); err != nil {
		return err
	}
	if h.tests != nil {
		if p.Tests, err = h.tests.QuizzesForUser(ctx, u); err != nil {
			return err
		}
	}
	for _, t := range p.Tracks {
		for _, l := range t.Lessons {
			p.Started = p.Started || l.Done || l.Viewed
		}
	}
	return h.web.Render(c, http.StatusOK, web.TplLearnDashboard, web.PageData{Title: "Your learning", Data: p})
}
