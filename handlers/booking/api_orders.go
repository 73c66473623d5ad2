package booking

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/models"
)

// apiOrderRequest is the body of POST /api/v1/sessions/{id}/orders.
type apiOrderRequest struct {
	Buyer struct {
		Name    string `json:"name"`
		Email   string `json:"email"`
		Company string `json:"company"`
	} `json:"buyer"`
	Attendees     []models.AttendeeInput `json:"attendees"`
	PaymentMethod string                 `json:"payment_method"`
	DiscountCode  string                 `json:"discount_code"`
	PONumber      string                 `json:"po_number"`
	BillingEmail  string                 `json:"billing_email"`
}

// apiOrder is the 201 answer.
type apiOrder struct {
	ID            string       `json:"id"`
	Number        string       `json:"number"`
	Status        string       `json:"status"`
	PaymentMethod string       `json:"payment_method"`
	Amount        models.Money `json:"amount"`
	HoldExpiresAt *string      `json:"hold_expires_at"`
	CheckoutURL   *string      `json:"checkout_url"`
	URL           string       `json:"url"`
}

// APICreateOrder registers seats for other programs, with the same rules
// as the form: 201, 409 sold out, 422 validation, 400 malformed, 404.
func (h *Handler) APICreateOrder(c echo.Context) error {
	id, err := web.APISessionID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	s, err := models.FindSession(ctx, h.db, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && s.Status != models.StatusPublished) {
		return echo.NewHTTPError(http.StatusNotFound, "No published session has that id.")
	}
	if err != nil {
		return err
	}
	var req apiOrderRequest
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Could not read the body.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return c.JSON(http.StatusBadRequest, web.JSONError{Error: "malformed", Message: "The body is not valid JSON of the expected shape: " + err.Error()})
	}
	if why := web.ClosedReason(s, h.web.Now()); why != "" && !s.SoldOut() {
		return c.JSON(http.StatusConflict, web.JSONError{Error: "registration_closed", Message: why})
	}
	r := registration{BuyerName: req.Buyer.Name, BuyerEmail: req.Buyer.Email, Company: req.Buyer.Company, PONumber: req.PONumber,
		BillingEmail: req.BillingEmail, Attendees: req.Attendees, Method: models.PaymentMethod(req.PaymentMethod), DiscountCode: req.DiscountCode}
	q, errs, err := h.validateRegistration(ctx, s, &r, apiFields{})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return web.ValidationJSON(c, errs)
	}
	waitlist := fmt.Sprintf("%s/sessions/%d/waitlist", h.web.BaseURL, s.ID)
	r.ClientIP = c.RealIP()
	res, err := h.bk.PlaceOrder(ctx, s, r, q, nil, nil)
	switch {
	case errors.Is(err, booking.ErrOpenSeatsCap):
		return c.JSON(http.StatusTooManyRequests, web.JSONError{Error: "too_many_open_seats",
			Message: fmt.Sprintf("An address may hold at most %d, and a client at most %d, seats on unpaid invoices; confirm or pay those first.", booking.MaxOpenSeatsPerEmail, booking.MaxOpenSeatsPerIP)})
	case errors.Is(err, models.ErrSeatsFull):
		return c.JSON(http.StatusConflict, map[string]string{"error": "sold_out", "message": "Not enough seats are left.", "waitlist_url": waitlist})
	case errors.Is(err, models.ErrConflict) && r.DiscountCode != "":
		return c.JSON(http.StatusConflict, web.JSONError{Error: "discount_used_up", Fields: map[string]string{"discount_code": "This code has just been used up."}})
	case errors.Is(err, booking.ErrPaymentUnavailable):
		return c.JSON(http.StatusServiceUnavailable, web.JSONError{Error: "payment_unavailable", Message: "The card payment provider could not be reached; nothing was booked."})
	case err != nil:
		return err
	}
	o := res.Order
	out := apiOrder{ID: o.Ref, Number: o.Number(), Status: o.APIStatus(), PaymentMethod: string(o.PaymentMethod),
		Amount: o.Total(), URL: h.bk.OrderURL(o)}
	if o.HoldExpiresAt != nil {
		t := o.HoldExpiresAt.UTC().Format(time.RFC3339)
		out.HoldExpiresAt = &t
	}
	if res.CheckoutURL != "" {
		out.CheckoutURL = &res.CheckoutURL
	}
	return c.JSON(http.StatusCreated, out)
}
