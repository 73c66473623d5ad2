// Package quiz serves the practice quizzes and the exam simulator: the
// catalog, attempts (practice with feedback after each answer, timed
// exams, reviews of mistakes), the learner's progress, and the staff pages
// (item analysis, class results, item management).
//
// It may import handlers/web, the quiz service (internal/quizsvc), the
// quiz engine (internal/quiz) and models; never another handler area.
package quiz

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
	"github.com/hsworkshop/hsworkshop/models"
	"gorm.io/gorm"
)

// Page names of the area.
const (
	TplIndex     = "quiz/index"
	TplAttempt   = "quiz/attempt"
	TplResult    = "quiz/result"
	TplProgress  = "quiz/progress"
	TplAnalytics = "admin/quiz/analytics"
	TplClass     = "admin/quiz/class"
	TplItems     = "admin/quiz/items"
	TplItem      = "admin/quiz/item"
)

// Handler serves the quiz pages.
type Handler struct {
	web *web.Base
	db  *gorm.DB
	svc *quizsvc.Service
}

// New builds the quiz area.
func New(base *web.Base, db *gorm.DB, svc *quizsvc.Service) *Handler {
	return &Handler{web: base, db: db, svc: svc}
}

// unavailable is the answer when the tariff data did not load.
var errUnavailable = echo.NewHTTPError(http.StatusServiceUnavailable, "Quizzes are unavailable: the tariff data did not load.")

// fail maps service errors to HTTP answers.
func fail(err error) error {
	switch {
	case errors.Is(err, quizsvc.ErrUnavailable):
		return errUnavailable
	case errors.Is(err, quizsvc.ErrUnknownQuiz):
		return echo.NewHTTPError(http.StatusNotFound, "We could not find that quiz.")
	case errors.Is(err, models.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "We could not find that page.")
	}
	return err
}

func timeMinutes(n int) time.Duration { return time.Duration(n) * time.Minute }
