package admin

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// ListAdminOrders lists invoices awaiting payment and orders flagged for staff.
func (h *Handler) ListAdminOrders(c echo.Context) error {
	os, err := models.ListOrdersNeedingAction(c.Request().Context(), h.db)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, web.TplAdminOrders, web.PageData{Title: "Payments to handle", Data: os})
}

// adminOrderID loads the order of an admin route.
func (h *Handler) adminOrder(c echo.Context) (*models.Order, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindOrder(c.Request().Context(), h.db, id)
}

// MarkOrderPaid confirms an invoice order once the money arrived.
func (h *Handler) MarkOrderPaid(c echo.Context) error {
	o, err := h.adminOrder(c)
	if err != nil {
		return err
	}
	if err := h.bk.MarkInvoicePaid(c.Request().Context(), o); err != nil {
		return err
	}
	web.SetFlash(c, "invoice_paid")
	return web.Redirect(c, "/admin/orders")
}

// ClearOrderFlag marks a flagged order as handled.
func (h *Handler) ClearOrderFlag(c echo.Context) error {
	o, err := h.adminOrder(c)
	if err != nil {
		return err
	}
	if err := models.ClearOrderFlag(c.Request().Context(), h.db, o.ID); err != nil {
		return err
	}
	return web.Redirect(c, "/admin/orders")
}

// adminSessionPage is the data of a session's staff page.
type adminSessionPage struct {
	Session  *models.Session
	Orders   []models.Order
	Waitlist []models.WaitlistEntry
}

// ShowAdminSession serves GET /admin/sessions/:id.
func (h *Handler) ShowAdminSession(c echo.Context) error {
	return h.renderAdminSession(c, http.StatusOK, nil, nil)
}

// renderAdminSession shows a session's staff page; form holds values the
// user typed (re-shown with errs), anything missing comes from the session.
func (h *Handler) renderAdminSession(c echo.Context, status int, errs map[string]string, form map[string]string) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	os, err := models.ListOrdersForSession(ctx, h.db, s.ID)
	if err != nil {
		return err
	}
	wl, err := models.ListWaitlist(ctx, h.db, s.ID)
	if err != nil {
		return err
	}
	f := map[string]string{"capacity": strconv.Itoa(s.Capacity), "cancel_cutoff_hours": strconv.Itoa(s.CancelCutoffHours),
		"cancel_fee": s.CancelFee().Decimal(), "allow_invoice": strconv.FormatBool(s.AllowInvoice)}
	for k, v := range form {
		f[k] = v
	}
	return h.web.Render(c, status, web.TplAdminSession, web.PageData{Title: s.Workshop.Title, Errors: errs, Form: f, Flash: savedMessage(c.QueryParam("saved")),
		Data: adminSessionPage{Session: s, Orders: os, Waitlist: wl}})
}

// UpdateCapacity changes a session's capacity; raising it offers the new
// seats to the waiting list.
func (h *Handler) UpdateCapacity(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	raw := c.FormValue("capacity")
	form := map[string]string{"capacity": raw}
	n, perr := strconv.Atoi(raw)
	if perr != nil {
		return h.renderAdminSession(c, http.StatusUnprocessableEntity, map[string]string{"capacity": "Enter a whole number."}, form)
	}
	ctx := c.Request().Context()
	err = h.bk.SetCapacity(ctx, id, n)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderAdminSession(c, http.StatusUnprocessableEntity, ve.Fields, form)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "capacity_saved")
	return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d", id))
}

// policyForm is a session's booking policy as staff edit it.
type policyForm struct {
	AllowInvoice bool   `form:"allow_invoice"`
	CutoffHours  string `form:"cancel_cutoff_hours"`
	Fee          string `form:"cancel_fee"`
}

func (f policyForm) validate(s *models.Session) (int, int64, map[string]string) {
	errs := map[string]string{}
	hours, err := strconv.Atoi(strings.TrimSpace(f.CutoffHours))
	if err != nil || hours < 0 || hours > 24*90 {
		errs["cancel_cutoff_hours"] = "Enter whole hours between 0 and 2160 (90 days)."
	}
	fee, err := models.ParseMoney(f.Fee, s.Currency)
	switch {
	case err != nil:
		errs["cancel_fee"] = "Enter an amount such as 50 or 50.00 (0 for no fee)."
	case fee.Minor > s.PriceMinor:
		errs["cancel_fee"] = "The fee cannot be more than the seat price (" + s.Price().String() + ")."
	}
	return hours, fee.Minor, errs
}

// UpdatePolicy saves whether invoices are offered and the cancellation
// cutoff and fee of a session.
func (h *Handler) UpdatePolicy(c echo.Context) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	var f policyForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	hours, fee, errs := f.validate(s)
	if len(errs) > 0 {
		return h.renderAdminSession(c, http.StatusUnprocessableEntity, errs, map[string]string{
			"cancel_cutoff_hours": f.CutoffHours, "cancel_fee": f.Fee, "allow_invoice": strconv.FormatBool(f.AllowInvoice)})
	}
	if err := models.SetSessionPolicy(c.Request().Context(), h.db, s.ID, f.AllowInvoice, hours, fee); err != nil {
		return err
	}
	web.SetFlash(c, "policy_saved")
	return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d", s.ID))
}

// RosterCSV exports a session's confirmed and invoiced attendees for staff:
// admins, or the session's own instructor (another instructor's session is
// not found, as on the /staff pages). The last column holds each attendee's
// dietary or accessibility needs (personal data, which is why nobody else
// may export it).
func (h *Handler) RosterCSV(c echo.Context) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := web.CurrentUser(c)
	if !u.IsAdmin() && (s.InstructorID == nil || *s.InstructorID != u.ID) {
		return echo.NewHTTPError(http.StatusNotFound, "We could not find that session.")
	}
	os, err := models.ListOrdersForSession(ctx, h.db, s.ID, models.OrderPaid, models.OrderPendingInvoice)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="roster-session-%d.csv"`, s.ID))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	if err := w.Write([]string{"attendee_name", "attendee_email", "company", "order", "status", "payment_method", "po_number", "buyer_name", "buyer_email", "needs"}); err != nil {
		return err
	}
	for _, o := range os {
		for _, at := range o.ActiveAttendees() {
			row := []string{at.Name, at.Email, o.Company, o.Number(), string(o.Status), string(o.PaymentMethod),
				o.PONumber, o.BuyerName, o.BuyerEmail, at.Needs}
			for i := range row {
				row[i] = csvSafe(row[i])
			}
			if err := w.Write(row); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}

// savedMessage is the confirmation shown after a scheduling change
// redirected here with ?saved=….
func savedMessage(code string) string {
	switch code {
	case "":
		return ""
	case "created":
		return "Session created."
	case "saved":
		return "Session saved."
	case "published":
		return "Session published: it is now in the catalog."
	case "completed":
		return "Session marked completed."
	case "draft":
		return "Session moved back to draft: it is no longer in the catalog."
	}
	if n, ok := strings.CutPrefix(code, "notified-"); ok {
		if k, err := strconv.Atoi(n); err == nil {
			return fmt.Sprintf("Session saved. The new time and an updated calendar invite were queued for %d %s.", k, web.Plural(k, "person", "people"))
		}
	}
	return ""
}

// csvSafe defuses spreadsheet formula injection in user-typed cells.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
