// Package learn is the learning area: the tracks overview, lesson pages
// with their self-check and "mark complete", the learner's dashboard
// (continue where you left off, workshop prework), the USMCA origin lab,
// and the staff pages that edit lessons (/admin/lessons).
//
// It may import handlers/web, services (internal/learn, internal/origin)
// and models; never another handler area.
package learn

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/origin"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
	"github.com/hsworkshop/hsworkshop/models"
)

// Handler serves the learning pages.
type Handler struct {
	web     *web.Base
	lessons *learn.Service
	lab     origin.Lab
	tests   WorkshopTests
	// labIndex is the tariff index the lab checks codes against; serve sets
	// it once the index has loaded (nil: codes are checked for format only).
	labIndex atomic.Pointer[hts.Index]
}

// WorkshopTests lists the pre- and post-tests of the workshops a user is
// booked on (the quiz service); the dashboard shows them beside the
// prework lessons.
type WorkshopTests interface {
	QuizzesForUser(ctx context.Context, user *models.User) ([]quizsvc.WorkshopQuizForUser, error)
}

// New builds the learning area. lab.Table is the curated rule table;
// lab.Index may be nil (codes are then checked for format only).
// tests may be nil (no workshop tests are shown).
func New(base *web.Base, lessons *learn.Service, lab origin.Lab, tests WorkshopTests) *Handler {
	h := &Handler{web: base, lessons: lessons, lab: lab, tests: tests}
	h.labIndex.Store(lab.Index)
	return h
}

// SetLabIndex installs the tariff index the origin lab checks codes
// against once it has loaded.
func (h *Handler) SetLabIndex(ix *hts.Index) { h.labIndex.Store(ix) }

// currentLab is the lab with the index as loaded now.
func (h *Handler) currentLab() origin.Lab {
	l := h.lab
	l.Index = h.labIndex.Load()
	return l
}

// loginFirst answers a visitor who asked for a members-only lesson (or
// something inside one): a redirect to the login page that comes back here.
func loginFirst(c echo.Context, back string) error {
	return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(back))
}

// isLoginRequired reports whether err is the service's access rule.
func isLoginRequired(err error) bool { return errors.Is(err, learn.ErrLoginRequired) }
