package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

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

func (a *App) waitlistSession(c echo.Context) (*models.Session, error) {
	s, err := a.publicSessionParam(c)
	if err != nil {
		return nil, err
	}
	if !s.RegistrationOpen(a.now()) {
		return nil, echo.NewHTTPError(http.StatusConflict, closedReason(s, a.now()))
	}
	return s, nil
}

func (a *App) newWaitlist(c echo.Context) error {
	s, err := a.waitlistSession(c)
	if err != nil {
		return err
	}
	f := waitlistForm{Seats: "1"}
	if u := currentUser(c); u != nil {
		f.Name, f.Email = u.Name, u.Email
	}
	return a.renderWaitlist(c, http.StatusOK, s, f, nil)
}

func (a *App) renderWaitlist(c echo.Context, status int, s *models.Session, f waitlistForm, errs map[string]string) error {
	n, err := models.CountWaiting(c.Request().Context(), a.db, s.ID)
	if err != nil {
		return err
	}
	p := waitlistPage{Session: s, Waiting: n, SeatChoices: seatChoices(s.Capacity), Full: c.QueryParam("full") == "1"}
	return a.render(c, status, tplWaitlist, pageData{Title: "Waiting list: " + s.Workshop.Title, Form: f, Errors: errs, Data: p})
}

func (a *App) createWaitlist(c echo.Context) error {
	s, err := a.waitlistSession(c)
	if err != nil {
		return err
	}
	var f waitlistForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	seats, errs := f.validate(s.Capacity)
	if len(errs) > 0 {
		return a.renderWaitlist(c, http.StatusUnprocessableEntity, s, f, errs)
	}
	ctx := c.Request().Context()
	e := &models.WaitlistEntry{SessionID: s.ID, Name: f.Name, Email: f.Email, Seats: seats}
	if u := currentUser(c); u != nil {
		e.UserID = &u.ID
	}
	if err := a.bk.JoinWaitlist(ctx, s, e); err != nil {
		return err
	}
	setFlash(c, "waitlist_joined")
	return redirect(c, fmt.Sprintf("/sessions/%d", s.ID))
}

// waitlistOffer loads the live offer of the token in the query or form.
func (a *App) waitlistOffer(c echo.Context, token string) (*models.WaitlistEntry, *models.Session, error) {
	ctx := c.Request().Context()
	e, err := models.FindWaitlistOffer(ctx, a.db, token)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, echo.NewHTTPError(http.StatusNotFound, "This offer link is not valid.")
	}
	if err != nil {
		return nil, nil, err
	}
	if !e.OfferLive(a.now()) {
		return nil, nil, echo.NewHTTPError(http.StatusGone, "This offer has expired or was already used; the seats passed to the next person on the waiting list.")
	}
	s, err := models.FindSession(ctx, a.db, e.SessionID)
	return e, s, err
}

func (a *App) showWaitlistClaim(c echo.Context) error {
	token := c.QueryParam("token")
	e, s, err := a.waitlistOffer(c, token)
	if err != nil {
		return err
	}
	f := registerForm{Seats: e.Seats, BuyerName: e.Name, BuyerEmail: e.Email, Method: string(models.PayByCard),
		Attendees: make([]models.AttendeeInput, e.Seats), WaitlistTok: token}
	if !a.bk.CardEnabled() {
		f.Method = string(models.PayByInvoice)
	}
	f.Attendees[0] = models.AttendeeInput{Name: e.Name, Email: e.Email}
	return a.renderRegister(c, http.StatusOK, s, f, nil, e, false)
}

func (a *App) claimWaitlist(c echo.Context) error {
	e, s, err := a.waitlistOffer(c, c.FormValue("waitlist_token"))
	if err != nil {
		return err
	}
	f, err := bindRegisterForm(c)
	if err != nil {
		return err
	}
	if f.Seats != e.Seats {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("This offer is for exactly %d %s.", e.Seats, plural(e.Seats, "seat", "seats")))
	}
	return a.submitRegistration(c, s, f, e)
}
