// Package desk is the admin back office area: the payments desk
// (/admin/desk: orders, refunds, invoice payments, moves, flagged cases,
// discount codes, waiting lists), the reports dashboard (/admin/reports,
// SVG charts with CSV downloads) and staff accounts (/admin/users). Every
// route is admin-only (the guard sits on the group in routes.go).
//
// It may import handlers/web, services (internal/desk) and models; never
// another handler area.
package desk

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/desk"
	"github.com/hsworkshop/hsworkshop/models"
)

// Page template names of this area.
const (
	TplOrders    = "admin/desk/orders"
	TplOrder     = "admin/desk/order"
	TplFlags     = "admin/desk/flags"
	TplDiscounts = "admin/desk/discounts"
	TplDiscount  = "admin/desk/discount"
	TplWaitlist  = "admin/desk/waitlist"
	TplReports   = "admin/reports/index"
	TplUsers     = "admin/users/index"
)

// Handler serves the back-office pages.
type Handler struct {
	web  *web.Base
	desk *desk.Service
}

// New builds the desk area.
func New(base *web.Base, svc *desk.Service) *Handler {
	return &Handler{web: base, desk: svc}
}

// actor is the staff member making the request.
func actor(c echo.Context) desk.Actor {
	return desk.Actor{User: web.CurrentUser(c), IP: c.RealIP()}
}

// fieldErrors returns the field messages of a validation error, or nil.
func fieldErrors(err error) map[string]string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

// done messages are shown after a redirect (?done=code); codes, not text,
// so a link can never inject wording.
var done = map[string]string{
	"refunded":       "The refund is recorded. Card refunds go to Stripe now; a failure is retried and shows in the queue.",
	"refund_repeat":  "That refund was already recorded (the form was sent twice); nothing was refunded again.",
	"paid":           "The invoice is marked paid and the confirmations are queued.",
	"moved":          "The order was moved; confirmed attendees get the new calendar invite by email.",
	"attendee_moved": "The attendee was moved: their seat is now an order of its own (see the history) and this order keeps the payment. The attendee and the buyer are emailed the new invite.",
	"resent":         "The confirmation is queued again.",
	"resolved":       "The case is marked handled.",
	"retried":        "Stripe was asked again; see the refund's status below.",
	"discount_saved": "The discount code is saved.",
	"discount_gone":  "The discount code is deleted.",
	"offered":        "Seats are offered and the claim link is emailed.",
	"removed":        "The entry is removed from the waiting list.",
	"invited":        "The account is created and a link to set a password is emailed (valid one hour; send a new reset link if it lapses).",
	"role_saved":     "The role is changed; the user's logins were ended.",
	"deactivated":    "The account is deactivated and its logins ended.",
	"reactivated":    "The account is active again.",
	"reset_sent":     "A password reset link is emailed (valid one hour).",
}

// render shows a page with the ?done message, if any.
func (h *Handler) render(c echo.Context, status int, name string, d web.PageData) error {
	if msg, ok := done[c.QueryParam("done")]; ok && status == http.StatusOK {
		d.Flash = msg
	}
	return h.web.Render(c, status, name, d)
}
