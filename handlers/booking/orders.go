package booking

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/calendar"
	"github.com/hsworkshop/hsworkshop/internal/invoice"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// orderFromRef loads the order named by the unguessable ref in the URL.
// The ref is the buyer's key (guests have no password), as in the emails.
func (h *Handler) orderFromRef(c echo.Context) (*models.Order, error) {
	ref := c.Param("ref")
	if len(ref) < 16 || len(ref) > 40 {
		return nil, echo.NewHTTPError(http.StatusNotFound, "We could not find that order.")
	}
	return models.FindOrderByRef(c.Request().Context(), h.db, ref)
}

// orderPage is the data of an order's page.
type orderPage struct {
	Order   *models.Order
	Refunds []models.Refund
	// Moved are the orders the desk split off this one (seats moved to
	// another session).
	Moved       []models.Order
	CanCancel   bool
	CancelFee   models.Money
	Deadline    string
	Confirming  bool
	ShowPrivate bool
	Staff       bool
}

// ShowOrder serves GET /orders/:ref.
func (h *Handler) ShowOrder(c echo.Context) error {
	o, err := h.orderFromRef(c)
	if err != nil {
		return err
	}
	refunds, err := models.ListRefunds(c.Request().Context(), h.db, o.ID)
	if err != nil {
		return err
	}
	moved, err := models.ListSplitOrders(c.Request().Context(), h.db, o.ID)
	if err != nil {
		return err
	}
	p := orderPage{Order: o, Refunds: refunds, Moved: moved, CanCancel: h.bk.MayCancel(o) == "", CancelFee: o.Session.CancelFee(),
		Deadline: web.InZone(&o.Session, o.Session.CancelDeadline()), Confirming: o.Status == models.OrderHeld && o.StripeCheckoutSessionID != "",
		ShowPrivate: o.Status == models.OrderPaid, Staff: web.CurrentUser(c).StaffOf(&o.Session)}
	noStore(c)
	if p.Confirming {
		// The page refreshes itself until the webhook confirms the payment.
		c.Response().Header().Set("Refresh", "5")
	}
	return h.web.Render(c, http.StatusOK, web.TplOrderShow, web.PageData{Title: "Order " + o.Number(), Data: p})
}

// confirmForm carries an order-confirmation token to the POST.
type confirmForm struct {
	Token string `form:"token"`
}

// ShowConfirmOrder serves GET /orders/confirm: the emailed link of an
// invoice order from an unproven buyer. It changes nothing (mail scanners
// open links); the button POSTs.
func (h *Handler) ShowConfirmOrder(c echo.Context) error {
	noStore(c)
	return h.web.Render(c, http.StatusOK, web.TplOrderConfirm, web.PageData{Title: "Confirm your order", Form: confirmForm{Token: c.QueryParam("token")}})
}

// ConfirmOrder serves POST /orders/confirm: the invoice is issued and
// emailed, and the seats held for the invoice term.
func (h *Handler) ConfirmOrder(c echo.Context) error {
	var f confirmForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	o, err := h.bk.ConfirmInvoiceOrder(c.Request().Context(), f.Token)
	switch {
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrConflict):
		noStore(c)
		return h.web.Render(c, http.StatusGone, web.TplOrderConfirm, web.PageData{Title: "Confirmation link expired", Data: "expired"})
	case err != nil:
		return err
	}
	web.SetFlash(c, "order_confirmed")
	return web.Redirect(c, "/orders/"+o.Ref)
}

// ReturnFromCheckout is Stripe's success URL. Fulfilment belongs to the
// webhook; as a fallback the server asks Stripe for the session state
// (never trusting the URL itself) and confirms a paid one the same way.
func (h *Handler) ReturnFromCheckout(c echo.Context) error {
	o, err := h.orderFromRef(c)
	if err != nil {
		return err
	}
	if err := h.bk.ConfirmReturn(c.Request().Context(), o, c.QueryParam("session_id")); err != nil {
		return err
	}
	return web.Redirect(c, "/orders/"+o.Ref)
}

// LeftCheckout is Stripe's cancel URL (GET /orders/:ref/checkout-cancelled):
// it changes nothing (links are prefetched and scanned) and shows the order
// page, where a button releases the seats now (they lapse with the hold
// anyway).
func (h *Handler) LeftCheckout(c echo.Context) error {
	o, err := h.orderFromRef(c)
	if err != nil {
		return err
	}
	if o.Status == models.OrderHeld {
		web.SetFlash(c, "checkout_left")
	}
	return web.Redirect(c, "/orders/"+o.Ref)
}

// CheckoutCancelled serves POST /orders/:ref/checkout-cancelled: the buyer
// gives up paying, so the seats go back at once (idempotent: an order that
// is no longer held is left alone).
func (h *Handler) CheckoutCancelled(c echo.Context) error {
	o, err := h.orderFromRef(c)
	if err != nil {
		return err
	}
	if o.Status == models.OrderHeld {
		if err := h.bk.CancelHeld(c.Request().Context(), o); err != nil {
			return err
		}
	}
	return web.Redirect(c, "/orders/"+o.Ref)
}

// CancelOrder cancels the whole order within the policy: card payments
// are refunded through Stripe less the fee, invoices are voided.
func (h *Handler) CancelOrder(c echo.Context) error {
	o, err := h.orderFromRef(c)
	if err != nil {
		return err
	}
	if why := h.bk.MayCancel(o); why != "" {
		return echo.NewHTTPError(http.StatusConflict, why)
	}
	if err := h.cancelWholeOrder(c.Request().Context(), o); err != nil {
		return err
	}
	web.SetFlash(c, "order_cancelled")
	return web.Redirect(c, "/orders/"+o.Ref)
}

// CancelAttendee cancels one seat of an order within the policy.
func (h *Handler) CancelAttendee(c echo.Context) error {
	o, err := h.orderFromRef(c)
	if err != nil {
		return err
	}
	if why := h.bk.MayCancel(o); why != "" {
		return echo.NewHTTPError(http.StatusConflict, why)
	}
	aid, err := web.ParamID(c, "aid")
	if err != nil {
		return err
	}
	var target *models.Attendee
	for i := range o.Attendees {
		if o.Attendees[i].ID == aid && o.Attendees[i].Status == models.AttendeeActive {
			target = &o.Attendees[i]
		}
	}
	if target == nil {
		return echo.NewHTTPError(http.StatusNotFound, "That attendee is not on this order, or is already cancelled.")
	}
	whole := len(o.ActiveAttendees()) == 1 || o.Status == models.OrderHeld
	if whole {
		if err := h.cancelWholeOrder(c.Request().Context(), o); err != nil {
			return err
		}
		web.SetFlash(c, "order_cancelled")
		return web.Redirect(c, "/orders/"+o.Ref)
	}
	if err := h.bk.CancelAttendee(c.Request().Context(), o, target); err != nil {
		return h.paymentError(err)
	}
	web.SetFlash(c, "attendee_cancelled")
	return web.Redirect(c, "/orders/"+o.Ref)
}

// cancelWholeOrder releases a hold, or cancels a confirmed order with its
// refund (a provider outage becomes a clear 503).
func (h *Handler) cancelWholeOrder(ctx context.Context, o *models.Order) error {
	if o.Status == models.OrderHeld {
		return h.bk.CancelHeld(ctx, o)
	}
	return h.paymentError(h.bk.CancelOrder(ctx, o))
}

// paymentError turns a provider outage into a clear message; the
// transaction was rolled back, so nothing changed.
func (h *Handler) paymentError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, payments.ErrUnavailable) {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "We could not reach the payment provider to issue the refund, so nothing was changed. Please try again in a few minutes.").SetInternal(err)
	}
	return err
}

// OrderDocument serves the invoice or receipt PDF of an order.
func (h *Handler) OrderDocument(kind invoice.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		o, err := h.orderFromRef(c)
		if err != nil {
			return err
		}
		var name string
		switch {
		case kind == invoice.Invoice && o.InvoiceNumber != nil:
			name = *o.InvoiceNumber + ".pdf"
		case kind == invoice.Receipt && o.PaidAt != nil:
			name = "receipt-" + o.Number() + ".pdf"
		default:
			return echo.NewHTTPError(http.StatusNotFound, "This order has no such document.")
		}
		pdf, err := invoice.Render(*o, h.bk.InvoiceDocument(o, kind))
		if err != nil {
			return err
		}
		noStore(c)
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
		return c.Blob(http.StatusOK, "application/pdf", pdf)
	}
}

// OrderCalendar serves the .ics of a confirmed order (with the join link).
func (h *Handler) OrderCalendar(c echo.Context) error {
	o, err := h.orderFromRef(c)
	if err != nil {
		return err
	}
	private := o.Status == models.OrderPaid
	noStore(c)
	body := calendar.Build([]models.Session{o.Session}, calendar.Options{BaseURL: h.web.BaseURL, Private: private, Now: h.web.Now()})
	c.Response().Header().Set("Content-Disposition", `attachment; filename="session.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}

// myRegistrations is the data of "My registrations": orders the user
// bought, and seats on orders bought by others.
type myRegistrations struct {
	Orders []models.Order
	Seats  []models.Seat
}

// MyRegistrations lists the logged-in user's orders and seats; an account
// that has not proven its address sees neither.
func (h *Handler) MyRegistrations(c echo.Context) error {
	ctx, u := c.Request().Context(), web.CurrentUser(c)
	os, err := models.ListOrdersForUser(ctx, h.db, u)
	if err != nil {
		return err
	}
	seats, err := models.ListSeatsForUser(ctx, h.db, u)
	if err != nil {
		return err
	}
	noStore(c)
	return h.web.Render(c, http.StatusOK, web.TplMyRegistrations, web.PageData{Title: "My registrations", Data: myRegistrations{Orders: os, Seats: seats}})
}

// seatParam loads the attendee seat of :id if it belongs to the user's
// proven address; anyone else's is 404.
func (h *Handler) seatParam(c echo.Context) (*models.Seat, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	seat, err := models.FindSeatForUser(c.Request().Context(), h.db, web.CurrentUser(c), id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "We could not find that seat.")
	}
	return seat, err
}

// ShowSeat serves GET /account/seats/:id: an attendee's own seat (session,
// join details once confirmed, calendar file), never the buyer's order.
func (h *Handler) ShowSeat(c echo.Context) error {
	seat, err := h.seatParam(c)
	if err != nil {
		return err
	}
	noStore(c)
	return h.web.Render(c, http.StatusOK, web.TplSeatShow, web.PageData{Title: "Your seat", Data: seat})
}

// SeatCalendar serves GET /account/seats/:id/session.ics (private details
// only once the seat is confirmed).
func (h *Handler) SeatCalendar(c echo.Context) error {
	seat, err := h.seatParam(c)
	if err != nil {
		return err
	}
	body := calendar.Build([]models.Session{seat.Order.Session}, calendar.Options{BaseURL: h.web.BaseURL, Private: seat.Confirmed(), Now: h.web.Now()})
	noStore(c)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="session.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}

// noStore keeps pages with private details out of shared and browser caches.
func noStore(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}
