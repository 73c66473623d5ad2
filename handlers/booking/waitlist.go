package booking

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// waitlistForm is the "join the waiting list" form.
type waitlistForm struct {
	Name  string `form:"name"`
	Email string `form:"email"`
	Seats string `form:"seats"`
}

func (f *waitlistForm) validate(capacity int) (int, map[string]string) {
	errs := map[string]string{}
	f.Name, f.Email = strings.TrimSpace(f.Name), models.NormalizeEmail(f.Email)
	if f.Name == "" || len(f.Name) > 200 {
		errs["name"] = "Enter your name."
	}
	if !models.ValidEmail(f.Email) {
		errs["email"] = "Enter an email address like name@company.com."
	}
	n, err := strconv.Atoi(f.Seats)
	if err != nil || n < 1 || n > min(capacity, maxSeatsPerOrder) {
		errs["seats"] = fmt.Sprintf("Choose between 1 and %d seats.", min(capacity, maxSeatsPerOrder))
	}
	return n, errs
}

// waitlistPage is the data of the waiting-list page.
type waitlistPage struct {
	Session     *models.Session
	Waiting     int64
	SeatChoices []int
	Full        bool
}

func (h *Handler) waitlistSession(c echo.Context) (*models.Session, error) {
	s, err := web.PublicSessionParam(c, h.db)
	if err != nil {
		return nil, err
	}
	if !s.RegistrationOpen(h.web.Now()) {
		return nil, echo.NewHTTPError(http.StatusConflict, web.ClosedReason(s, h.web.Now()))
	}
	return s, nil
}

// NewWaitlist serves GET /sessions/:id/waitlist.
func (h *Handler) NewWaitlist(c echo.Context) error {
	s, err := h.waitlistSession(c)
	if err != nil {
		return err
	}
	f := waitlistForm{Seats: "1"}
	if u := web.CurrentUser(c); u != nil {
		f.Name, f.Email = u.Name, u.Email
	}
	return h.renderWaitlist(c, http.StatusOK, s, f, nil)
}

func (h *Handler) renderWaitlist(c echo.Context, status int, s *models.Session, f waitlistForm, errs map[string]string) error {
	n, err := models.CountWaiting(c.Request().Context(), h.db, s.ID)
	if err != nil {
		return err
	}
	p := waitlistPage{Session: s, Waiting: n, SeatChoices: seatChoices(s.Capacity), Full: c.QueryParam("full") == "1"}
	return h.web.Render(c, status, web.TplWaitlist, web.PageData{Title: "Waiting list: " + s.Workshop.Title, Form: f, Errors: errs, Data: p})
}

// CreateWaitlist serves POST /sessions/:id/waitlist.
func (h *Handler) CreateWaitlist(c echo.Context) error {
	s, err := h.waitlistSession(c)
	if err != nil {
		return err
	}
	var f waitlistForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	seats, errs := f.validate(s.Capacity)
	if len(errs) > 0 {
		return h.renderWaitlist(c, http.StatusUnprocessableEntity, s, f, errs)
	}
	ctx := c.Request().Context()
	e := &models.WaitlistEntry{SessionID: s.ID, Name: f.Name, Email: f.Email, Seats: seats}
	if u := web.CurrentUser(c); u != nil {
		e.UserID = &u.ID
	}
	if err := h.bk.JoinWaitlist(ctx, s, e); err != nil {
		return err
	}
	web.SetFlash(c, "waitlist_joined")
	return web.Redirect(c, fmt.Sprintf("/sessions/%d", s.ID))
}

// waitlistOffer loads the live offer of the token in the query or form.
func (h *Handler) waitlistOffer(c echo.Context, token string) (*models.WaitlistEntry, *models.Session, error) {
	ctx := c.Request().Context()
	e, err := models.FindWaitlistOffer(ctx, h.db, token)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, echo.NewHTTPError(http.StatusNotFound, "This offer link is not valid.")
	}
	if err != nil {
		return nil, nil, err
	}
	if !e.OfferLive(h.web.Now()) {
		return nil, nil, echo.NewHTTPError(http.StatusGone, "This offer has expired or was already used; the seats passed to the next person on the waiting list.")
	}
	s, err := models.FindSession(ctx, h.db, e.SessionID)
	return e, s, err
}

// ShowWaitlistClaim serves GET /waitlist/claim.
func (h *Handler) ShowWaitlistClaim(c echo.Context) error {
	token := c.QueryParam("token")
	e, s, err := h.waitlistOffer(c, token)
	if err != nil {
		return err
	}
	f := registerForm{Seats: e.Seats, BuyerName: e.Name, BuyerEmail: e.Email, Method: string(models.PayByCard),
		Attendees: make([]models.AttendeeInput, e.Seats), WaitlistTok: token}
	if !h.bk.CardEnabled() {
		f.Method = string(models.PayByInvoice)
	}
	f.Attendees[0] = models.AttendeeInput{Name: e.Name, Email: e.Email}
	return h.renderRegister(c, http.StatusOK, s, f, nil, e, false)
}

// ClaimWaitlist serves POST /waitlist/claim.
func (h *Handler) ClaimWaitlist(c echo.Context) error {
	e, s, err := h.waitlistOffer(c, c.FormValue("waitlist_token"))
	if err != nil {
		return err
	}
	f, err := bindRegisterForm(c)
	if err != nil {
		return err
	}
	if f.Seats != e.Seats {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("This offer is for exactly %d %s.", e.Seats, web.Plural(e.Seats, "seat", "seats")))
	}
	return h.submitRegistration(c, s, f, e)
}
