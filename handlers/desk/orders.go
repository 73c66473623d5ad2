package desk

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/desk"
	"github.com/hsworkshop/hsworkshop/models"
)

// orderSearch is the filter form of the orders list (query string).
type orderSearch struct {
	Q       string `query:"q"`
	Session string `query:"session"`
	Status  string `query:"status"`
	Method  string `query:"method"`
	From    string `query:"from"`
	Until   string `query:"until"`
	Flagged bool   `query:"flagged"`
}

// filter checks the form and builds the query filter.
func (f orderSearch) filter() (models.OrderFilter, map[string]string) {
	errs := map[string]string{}
	mf := models.OrderFilter{Query: strings.TrimSpace(f.Q), Flagged: f.Flagged}
	if len(mf.Query) > 200 {
		errs["q"] = "Search for at most 200 characters."
	}
	if f.Session != "" {
		id, err := strconv.ParseUint(f.Session, 10, 32)
		if err != nil || id == 0 {
			errs["session"] = "Enter a session number."
		}
		mf.SessionID = uint(id)
	}
	switch models.OrderStatus(f.Status) {
	case "", models.OrderHeld, models.OrderPendingInvoice, models.OrderPaid, models.OrderExpired, models.OrderCancelled, models.OrderRefunded:
		mf.Status = models.OrderStatus(f.Status)
	default:
		errs["status"] = "Choose a status from the list."
	}
	switch models.PaymentMethod(f.Method) {
	case "", models.PayByCard, models.PayByInvoice:
		mf.Method = models.PaymentMethod(f.Method)
	default:
		errs["method"] = "Choose card or invoice."
	}
	if f.From != "" {
		t, err := time.Parse(time.DateOnly, f.From)
		if err != nil {
			errs["from"] = "Enter a date as YYYY-MM-DD."
		}
		mf.From = t
	}
	if f.Until != "" {
		t, err := time.Parse(time.DateOnly, f.Until)
		if err != nil {
			errs["until"] = "Enter a date as YYYY-MM-DD."
		}
		mf.Until = t.AddDate(0, 0, 1) // through the whole last day
	}
	if errs["from"] == "" && errs["until"] == "" && !mf.From.IsZero() && !mf.Until.IsZero() && !mf.From.Before(mf.Until) {
		errs["until"] = "The last day must be on or after the first day."
	}
	return mf, errs
}

// ordersPage is the data of the orders list.
type ordersPage struct {
	Orders []models.Order
	Total  int64
}

// ListOrders serves GET /admin/desk/orders.
func (h *Handler) ListOrders(c echo.Context) error {
	var f orderSearch
	if err := web.BindQuery(c, &f); err != nil {
		return err
	}
	mf, errs := f.filter()
	if len(errs) > 0 {
		return h.render(c, http.StatusUnprocessableEntity, TplOrders, web.PageData{Title: "Orders", Form: f, Errors: errs, Data: ordersPage{}})
	}
	os, n, err := h.desk.SearchOrders(c.Request().Context(), mf)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, TplOrders, web.PageData{Title: "Orders", Form: f, Data: ordersPage{Orders: os, Total: n}})
}

// orderForms holds what the order page's forms were sent with.
type orderForms struct {
	Amount    string `form:"amount"`
	Reason    string `form:"reason"`
	Key       string `form:"key"`
	Reference string `form:"reference"`
	SessionID string `form:"session_id"`
	Note      string `form:"note"`
	// AcceptDifference is the attendee move's "move anyway" box ("yes").
	AcceptDifference string `form:"accept_difference"`
	// AttendeeID names the attendee whose move form was sent (from the
	// path), so its errors show beside that form only.
	AttendeeID string `form:"-"`
}

// orderPage is the data of an order's desk page.
type orderPage struct {
	Detail *desk.OrderDetail
	// Key is a fresh idempotency key for the refund form.
	Key string
}

// ShowOrder serves GET /admin/desk/orders/:id.
func (h *Handler) ShowOrder(c echo.Context) error {
	return h.renderOrder(c, http.StatusOK, orderForms{}, nil)
}

func (h *Handler) renderOrder(c echo.Context, status int, f orderForms, errs map[string]string) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.desk.Order(c.Request().Context(), id)
	if err != nil {
		return err
	}
	key := f.Key
	if key == "" || status == http.StatusOK {
		key = models.NewToken()[:22]
	}
	return h.render(c, status, TplOrder, web.PageData{Title: "Order " + d.Order.Number(), Form: f, Errors: errs,
		Data: orderPage{Detail: d, Key: key}})
}

func orderURL(id uint, code string) string {
	return fmt.Sprintf("/admin/desk/orders/%d?done=%s", id, code)
}

// CreateRefund serves POST /admin/desk/orders/:id/refund.
func (h *Handler) CreateRefund(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var f orderForms
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := h.desk.Order(ctx, id)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	amount, perr := models.ParseMoney(f.Amount, d.Order.Currency)
	if perr != nil || amount.Minor <= 0 {
		errs["amount"] = fmt.Sprintf("Enter an amount greater than zero in %s, like 100.00.", d.Order.Currency)
	}
	f.Reason = strings.TrimSpace(f.Reason)
	if n := utf8.RuneCountInString(f.Reason); n < 3 || n > 200 { // the column's size
		errs["reason"] = "Say why, in 3 to 200 characters (the buyer does not see it)."
	}
	if len(f.Key) < 16 || len(f.Key) > 64 {
		errs["form"] = "The form expired; reload the page and try again."
	}
	if len(errs) > 0 {
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, errs)
	}
	res, err := h.desk.Refund(ctx, actor(c), id, amount.Minor, f.Reason, fmt.Sprintf("desk-refund-%d-%s", id, f.Key))
	if fe := fieldErrors(err); fe != nil {
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, fe)
	}
	if errors.Is(err, models.ErrConflict) {
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"amount": "This order has no card payment Stripe can refund."})
	}
	if err != nil {
		return err
	}
	if res.Repeated {
		return web.Redirect(c, orderURL(id, "refund_repeat"))
	}
	return web.Redirect(c, orderURL(id, "refunded"))
}

// MarkPaid serves POST /admin/desk/orders/:id/mark-paid.
func (h *Handler) MarkPaid(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var f orderForms
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	f.Reference = strings.TrimSpace(f.Reference)
	if n := utf8.RuneCountInString(f.Reference); n < 2 || n > 200 {
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"reference": "Enter the payment's reference (bank transfer or cheque number), up to 200 characters."})
	}
	err = h.desk.MarkPaid(c.Request().Context(), actor(c), id, f.Reference)
	if errors.Is(err, models.ErrConflict) {
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"form": "Only an invoice awaiting payment can be marked paid."})
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, orderURL(id, "paid"))
}

// MoveOrder serves POST /admin/desk/orders/:id/move.
func (h *Handler) MoveOrder(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var f orderForms
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	target, perr := strconv.ParseUint(f.SessionID, 10, 32)
	if perr != nil || target == 0 {
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"session_id": "Choose a session from the list."})
	}
	err = h.desk.Move(c.Request().Context(), actor(c), id, uint(target))
	switch {
	case fieldErrors(err) != nil:
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, fieldErrors(err))
	case errors.Is(err, models.ErrSeatsFull):
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"session_id": "That session does not have enough free seats (or is not open)."})
	case errors.Is(err, models.ErrConflict):
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"form": "Only a paid or invoiced order with active seats can be moved."})
	case err != nil:
		return err
	}
	return web.Redirect(c, orderURL(id, "moved"))
}

// MoveAttendee serves POST /admin/desk/orders/:id/attendees/:aid/move.
func (h *Handler) MoveAttendee(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	aid, err := web.ParamID(c, "aid")
	if err != nil {
		return err
	}
	var f orderForms
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	f.AttendeeID = strconv.FormatUint(uint64(aid), 10)
	target, perr := strconv.ParseUint(f.SessionID, 10, 32)
	if perr != nil || target == 0 {
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"session_id": "Choose a session from the list."})
	}
	_, err = h.desk.MoveAttendee(c.Request().Context(), actor(c), desk.AttendeeMove{OrderID: id, AttendeeID: aid,
		SessionID: uint(target), AcceptDifference: f.AcceptDifference == "yes"})
	switch fe := fieldErrors(err); {
	case fe != nil:
		// An attendee that cannot be moved has no move form on the page
		// to show the message beside: it goes at the top.
		if msg, ok := fe["attendee_id"]; ok {
			fe["form"] = msg
		}
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, fe)
	case errors.Is(err, models.ErrSeatsFull):
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"session_id": "That session has just filled up (or closed): no seat was free. Choose another."})
	case errors.Is(err, models.ErrConflict):
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"form": "The order changed while you were moving the seat; nothing was moved. Check it below and try again."})
	case err != nil:
		return err
	}
	return web.Redirect(c, orderURL(id, "attendee_moved"))
}

// ResendConfirmation serves POST /admin/desk/orders/:id/resend.
func (h *Handler) ResendConfirmation(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.desk.Resend(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return web.Redirect(c, orderURL(id, "resent"))
}

// ResolveFlag serves POST /admin/desk/orders/:id/resolve.
func (h *Handler) ResolveFlag(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var f orderForms
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	f.Note = strings.TrimSpace(f.Note)
	if n := utf8.RuneCountInString(f.Note); n < 3 || n > 300 {
		return h.renderOrder(c, http.StatusUnprocessableEntity, f, map[string]string{"note": "Say what was done, in 3 to 300 characters."})
	}
	if err := h.desk.Resolve(c.Request().Context(), actor(c), id, f.Note); err != nil {
		return err
	}
	return web.Redirect(c, orderURL(id, "resolved"))
}

// RetryRefunds serves POST /admin/desk/orders/:id/retry-refunds. A Stripe
// failure is not an error of the page: the refund stays pending and the
// order page shows the attempt.
func (h *Handler) RetryRefunds(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.desk.RetryRefunds(c.Request().Context(), actor(c), id); err != nil && errors.Is(err, models.ErrNotFound) {
		return err
	}
	return web.Redirect(c, orderURL(id, "retried"))
}

// ListFlags serves GET /admin/desk/flags.
func (h *Handler) ListFlags(c echo.Context) error {
	q, err := h.desk.Flags(c.Request().Context())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, TplFlags, web.PageData{Title: "Cases to handle", Data: q})
}
