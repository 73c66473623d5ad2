package booking

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/models"
)

// maxSeatsPerOrder bounds one order; larger groups talk to the office.
const maxSeatsPerOrder = booking.MaxSeatsPerOrder

// registration is what a buyer submits, from the form or the JSON API.
type registration = booking.Registration

// fieldNames maps validation keys to the form's or the API's field names.
type fieldNames interface {
	buyer(field string) string
	attendee(i int, field string) string
}

type formFields struct{}

func (formFields) buyer(f string) string           { return "buyer_" + f }
func (formFields) attendee(i int, f string) string { return fmt.Sprintf("attendee_%s_%d", f, i+1) }

type apiFields struct{}

func (apiFields) buyer(f string) string           { return "buyer." + f }
func (apiFields) attendee(i int, f string) string { return fmt.Sprintf("attendees[%d].%s", i, f) }

// validate checks the registration against the session and prices it.
// Field errors use the names of the caller's format.
func (h *Handler) validateRegistration(ctx context.Context, s *models.Session, r *registration, names fieldNames) (models.Quote, map[string]string, error) {
	r.Normalize()
	errs := map[string]string{}
	if r.BuyerName == "" || len(r.BuyerName) > 200 {
		errs[names.buyer("name")] = "Enter the buyer's name (up to 200 characters)."
	}
	if !models.ValidEmail(r.BuyerEmail) {
		errs[names.buyer("email")] = "Enter an email address like name@company.com."
	}
	if len(r.Company) > 200 {
		errs[names.buyer("company")] = "Use at most 200 characters."
	}
	if len(r.PONumber) > 100 {
		errs["po_number"] = "Use at most 100 characters."
	}
	if r.BillingEmail != "" && !models.ValidEmail(r.BillingEmail) {
		errs["billing_email"] = "Enter an email address like accounts@company.com, or leave it empty."
	}
	n := len(r.Attendees)
	switch {
	case n == 0:
		errs["attendees"] = "Add at least one attendee."
	case n > maxSeatsPerOrder:
		errs["attendees"] = fmt.Sprintf("One order can have at most %d attendees; contact us for larger groups.", maxSeatsPerOrder)
	}
	seen := map[string]bool{}
	for i, at := range r.Attendees {
		if at.Name == "" || len(at.Name) > 200 {
			errs[names.attendee(i, "name")] = "Enter the attendee's name."
		}
		switch {
		case !models.ValidEmail(at.Email):
			errs[names.attendee(i, "email")] = "Enter the attendee's email address."
		case seen[at.Email]:
			errs[names.attendee(i, "email")] = "Each attendee needs their own email address."
		}
		seen[at.Email] = true
		if msg := models.CheckNeeds(at.Needs); msg != "" {
			errs[names.attendee(i, "needs")] = msg
		}
	}
	switch r.Method {
	case models.PayByCard:
		if !h.bk.CardEnabled() {
			errs["payment_method"] = "Card payment is not available; choose invoice."
		}
	case models.PayByInvoice:
		if !h.bk.InvoiceAllowed(s) {
			errs["payment_method"] = "This session does not offer invoice payment; choose card."
		}
	default:
		errs["payment_method"] = "Choose card or invoice."
	}
	var code *models.DiscountCode
	if r.DiscountCode != "" {
		d, err := models.FindDiscountCode(ctx, h.db, r.DiscountCode)
		switch {
		case errors.Is(err, models.ErrNotFound):
			errs["discount_code"] = "We do not know this code. Check the spelling."
		case err != nil:
			return models.Quote{}, nil, err
		default:
			if msg := d.CheckFor(*s, max(n, 1), h.web.Now()); msg != "" {
				errs["discount_code"] = msg
			} else {
				code = d
			}
		}
	}
	return models.PriceOrder(*s, max(n, 1), code, h.web.Now()), errs, nil
}

// registerForm is the registration form.
type registerForm struct {
	Seats        int
	BuyerName    string
	BuyerEmail   string
	Company      string
	PONumber     string
	BillingEmail string
	Attendees    []models.AttendeeInput
	Method       string
	DiscountCode string
	Terms        bool
	WaitlistTok  string
}

// registerPage is the data of the registration page.
type registerPage struct {
	Session       *models.Session
	Quote         models.Quote
	SeatChoices   []int
	CardEnabled   bool
	InvoiceOK     bool
	FromWaitlist  bool
	WaitlistEntry *models.WaitlistEntry
	CodeApplied   bool
}

// bindRegisterForm reads the form, including attendee_name_N,
// attendee_email_N and attendee_needs_N.
func bindRegisterForm(c echo.Context) (registerForm, error) {
	f := registerForm{BuyerName: c.FormValue("buyer_name"), BuyerEmail: c.FormValue("buyer_email"),
		Company: c.FormValue("buyer_company"), PONumber: c.FormValue("po_number"), BillingEmail: c.FormValue("billing_email"),
		Method: c.FormValue("payment_method"), DiscountCode: c.FormValue("discount_code"), Terms: c.FormValue("terms") == "yes",
		WaitlistTok: c.FormValue("waitlist_token")}
	seats, err := strconv.Atoi(c.FormValue("seats"))
	if err != nil || seats < 1 || seats > maxSeatsPerOrder {
		return f, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The number of seats must be between 1 and %d.", maxSeatsPerOrder))
	}
	f.Seats = seats
	for i := 1; i <= seats; i++ {
		f.Attendees = append(f.Attendees, models.AttendeeInput{Name: c.FormValue(fmt.Sprintf("attendee_name_%d", i)),
			Email: c.FormValue(fmt.Sprintf("attendee_email_%d", i)), Needs: c.FormValue(fmt.Sprintf("attendee_needs_%d", i))})
	}
	return f, nil
}

func (f registerForm) registration() registration {
	return registration{BuyerName: f.BuyerName, BuyerEmail: f.BuyerEmail, Company: f.Company, PONumber: f.PONumber,
		BillingEmail: f.BillingEmail, Attendees: f.Attendees, Method: models.PaymentMethod(f.Method), DiscountCode: f.DiscountCode}
}

// seatChoices lists 1..min(left, max) for the seats select.
func seatChoices(left int) []int {
	var out []int
	for i := 1; i <= min(left, maxSeatsPerOrder); i++ {
		out = append(out, i)
	}
	return out
}

// bookableSession loads a session that can be registered for now, or
// explains why not.
func (h *Handler) bookableSession(c echo.Context) (*models.Session, error) {
	s, err := web.PublicSessionParam(c, h.db)
	if err != nil {
		return nil, err
	}
	if why := web.ClosedReason(s, h.web.Now()); why != "" && !s.SoldOut() {
		return nil, echo.NewHTTPError(http.StatusConflict, why)
	}
	return s, nil
}

// NewRegistration serves GET /sessions/:id/register.
func (h *Handler) NewRegistration(c echo.Context) error {
	s, err := h.bookableSession(c)
	if err != nil {
		return err
	}
	if s.SoldOut() {
		return web.Redirect(c, fmt.Sprintf("/sessions/%d/waitlist", s.ID))
	}
	seats, _ := strconv.Atoi(c.QueryParam("seats"))
	seats = min(max(seats, 1), min(s.SeatsLeft(), maxSeatsPerOrder))
	f := registerForm{Seats: seats, Method: string(models.PayByCard), Attendees: make([]models.AttendeeInput, seats)}
	if !h.bk.CardEnabled() {
		f.Method = string(models.PayByInvoice)
	}
	if u := web.CurrentUser(c); u != nil {
		f.BuyerName, f.BuyerEmail, f.Company = u.Name, u.Email, u.Company
		f.Attendees[0] = models.AttendeeInput{Name: u.Name, Email: u.Email}
	}
	return h.renderRegister(c, http.StatusOK, s, f, nil, nil, false)
}

func (h *Handler) renderRegister(c echo.Context, status int, s *models.Session, f registerForm, errs map[string]string, entry *models.WaitlistEntry, applied bool) error {
	q := models.PriceOrder(*s, f.Seats, nil, h.web.Now())
	if f.DiscountCode != "" && errs["discount_code"] == "" {
		if d, err := models.FindDiscountCode(c.Request().Context(), h.db, f.DiscountCode); err == nil && d.CheckFor(*s, f.Seats, h.web.Now()) == "" {
			q = models.PriceOrder(*s, f.Seats, d, h.web.Now())
		}
	}
	left := s.SeatsLeft()
	if entry != nil {
		left = entry.Seats
	}
	p := registerPage{Session: s, Quote: q, SeatChoices: seatChoices(left), CardEnabled: h.bk.CardEnabled(), InvoiceOK: h.bk.InvoiceAllowed(s),
		FromWaitlist: entry != nil, WaitlistEntry: entry, CodeApplied: applied}
	return h.web.Render(c, status, web.TplRegister, web.PageData{Title: "Register: " + s.Workshop.Title, Form: f, Errors: errs, Data: p})
}

// CreateRegistration serves POST /sessions/:id/register.
func (h *Handler) CreateRegistration(c echo.Context) error {
	s, err := h.bookableSession(c)
	if err != nil {
		return err
	}
	f, err := bindRegisterForm(c)
	if err != nil {
		return err
	}
	return h.submitRegistration(c, s, f, nil)
}

// submitRegistration validates the form; "Apply code" only re-prices, and
// "place" stores the order and sends the buyer on to pay.
func (h *Handler) submitRegistration(c echo.Context, s *models.Session, f registerForm, entry *models.WaitlistEntry) error {
	ctx := c.Request().Context()
	r := f.registration()
	q, errs, err := h.validateRegistration(ctx, s, &r, formFields{})
	if err != nil {
		return err
	}
	f.DiscountCode = r.DiscountCode
	if c.FormValue("action") == "seats" && entry == nil {
		// Only the number of attendees changed: show the form again with
		// what was typed, and no errors yet.
		return h.renderRegister(c, http.StatusOK, s, f, nil, entry, false)
	}
	if c.FormValue("action") == "apply_code" {
		// Only the code matters here; other fields are checked on submit.
		codeErr := errs["discount_code"]
		errs = map[string]string{}
		if codeErr != "" {
			errs["discount_code"] = codeErr
		}
		return h.renderRegister(c, http.StatusOK, s, f, errs, entry, codeErr == "" && f.DiscountCode != "")
	}
	if !f.Terms {
		errs["terms"] = "Please accept the terms and the cancellation policy."
	}
	if entry == nil && f.Seats > s.SeatsLeft() {
		errs["seats"] = fmt.Sprintf("Only %d %s left.", s.SeatsLeft(), web.Plural(s.SeatsLeft(), "seat is", "seats are"))
	}
	if len(errs) > 0 {
		return h.renderRegister(c, http.StatusUnprocessableEntity, s, f, errs, entry, false)
	}
	r.ClientIP = c.RealIP()
	res, err := h.bk.PlaceOrder(ctx, s, r, q, web.CurrentUser(c), entry)
	switch {
	case errors.Is(err, booking.ErrOpenSeatsCap):
		errs["form"] = "Too many seats are already held on unpaid invoices for this address or network. Confirm or pay those orders first, pay by card, or contact us."
		return h.renderRegister(c, http.StatusTooManyRequests, s, f, errs, entry, false)
	case errors.Is(err, models.ErrSeatsFull):
		fresh, ferr := models.FindSession(ctx, h.db, s.ID)
		if ferr != nil {
			return ferr
		}
		if fresh.SoldOut() {
			return web.Redirect(c, fmt.Sprintf("/sessions/%d/waitlist?full=1", s.ID))
		}
		errs["seats"] = fmt.Sprintf("Someone was quicker: only %d %s left.", fresh.SeatsLeft(), web.Plural(fresh.SeatsLeft(), "seat is", "seats are"))
		return h.renderRegister(c, http.StatusConflict, fresh, f, errs, entry, false)
	case errors.Is(err, models.ErrConflict) && r.DiscountCode != "":
		errs["discount_code"] = "This code has just been used up."
		return h.renderRegister(c, http.StatusConflict, s, f, errs, entry, false)
	case errors.Is(err, booking.ErrPaymentUnavailable):
		errs["form"] = "We could not reach the card payment provider, so nothing was booked. Please try again in a minute or choose invoice payment."
		return h.renderRegister(c, http.StatusServiceUnavailable, s, f, errs, entry, false)
	case errors.Is(err, models.ErrDeadlinePassed):
		return echo.NewHTTPError(http.StatusGone, "This waiting-list offer has expired.")
	case err != nil:
		return err
	}
	if res.CheckoutURL != "" {
		return web.Redirect(c, res.CheckoutURL)
	}
	return web.Redirect(c, "/orders/"+res.Order.Ref)
}
