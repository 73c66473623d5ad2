package handlers

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/models"
)

// adminOrders lists invoices awaiting payment and orders flagged for staff.
func (a *App) listAdminOrders(c echo.Context) error {
	os, err := models.ListOrdersNeedingAction(c.Request().Context(), a.db)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, tplAdminOrders, pageData{Title: "Payments to handle", Data: os})
}

// adminOrderID loads the order of an admin route.
func (a *App) adminOrder(c echo.Context) (*models.Order, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindOrder(c.Request().Context(), a.db, id)
}

// markOrderPaid confirms an invoice order once the money arrived.
func (a *App) markOrderPaid(c echo.Context) error {
	o, err := a.adminOrder(c)
	if err != nil {
		return err
	}
	if err := a.bk.MarkInvoicePaid(c.Request().Context(), o); err != nil {
		return err
	}
	setFlash(c, "invoice_paid")
	return redirect(c, "/admin/orders")
}

// clearOrderFlag marks a flagged order as handled.
func (a *App) clearOrderFlag(c echo.Context) error {
	o, err := a.adminOrder(c)
	if err != nil {
		return err
	}
	if err := models.ClearOrderFlag(c.Request().Context(), a.db, o.ID); err != nil {
		return err
	}
	return redirect(c, "/admin/orders")
}

// adminSessionPage is the data of a session's staff page.
type adminSessionPage struct {
	Session  *models.Session
	Orders   []models.Order
	Waitlist []models.WaitlistEntry
}

func (a *App) showAdminSession(c echo.Context) error {
	return a.renderAdminSession(c, http.StatusOK, nil, nil)
}

// renderAdminSession shows a session's staff page; form holds values the
// user typed (re-shown with errs), anything missing comes from the session.
func (a *App) renderAdminSession(c echo.Context, status int, errs map[string]string, form map[string]string) error {
	s, err := a.sessionParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	os, err := models.ListOrdersForSession(ctx, a.db, s.ID)
	if err != nil {
		return err
	}
	wl, err := models.ListWaitlist(ctx, a.db, s.ID)
	if err != nil {
		return err
	}
	f := map[string]string{"capacity": strconv.Itoa(s.Capacity), "cancel_cutoff_hours": strconv.Itoa(s.CancelCutoffHours),
		"cancel_fee": s.CancelFee().Decimal(), "allow_invoice": strconv.FormatBool(s.AllowInvoice)}
	for k, v := range form {
		f[k] = v
	}
	return a.render(c, status, tplAdminSession, pageData{Title: s.Workshop.Title, Errors: errs, Form: f,
		Data: adminSessionPage{Session: s, Orders: os, Waitlist: wl}})
}

// updateCapacity changes a session's capacity; raising it offers the new
// seats to the waiting list.
func (a *App) updateCapacity(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	raw := c.FormValue("capacity")
	form := map[string]string{"capacity": raw}
	n, perr := strconv.Atoi(raw)
	if perr != nil {
		return a.renderAdminSession(c, http.StatusUnprocessableEntity, map[string]string{"capacity": "Enter a whole number."}, form)
	}
	ctx := c.Request().Context()
	err = a.bk.SetCapacity(ctx, id, n)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return a.renderAdminSession(c, http.StatusUnprocessableEntity, ve.Fields, form)
	}
	if err != nil {
		return err
	}
	setFlash(c, "capacity_saved")
	return redirect(c, fmt.Sprintf("/admin/sessions/%d", id))
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

// updatePolicy saves whether invoices are offered and the cancellation
// cutoff and fee of a session.
func (a *App) updatePolicy(c echo.Context) error {
	s, err := a.sessionParam(c)
	if err != nil {
		return err
	}
	var f policyForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	hours, fee, errs := f.validate(s)
	if len(errs) > 0 {
		return a.renderAdminSession(c, http.StatusUnprocessableEntity, errs, map[string]string{
			"cancel_cutoff_hours": f.CutoffHours, "cancel_fee": f.Fee, "allow_invoice": strconv.FormatBool(f.AllowInvoice)})
	}
	if err := models.SetSessionPolicy(c.Request().Context(), a.db, s.ID, f.AllowInvoice, hours, fee); err != nil {
		return err
	}
	setFlash(c, "policy_saved")
	return redirect(c, fmt.Sprintf("/admin/sessions/%d", s.ID))
}

// rosterCSV exports a session's confirmed and invoiced attendees for staff:
// admins, or the session's own instructor.
func (a *App) rosterCSV(c echo.Context) error {
	s, err := a.sessionParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := currentUser(c)
	if !u.IsAdmin() && (s.InstructorID == nil || *s.InstructorID != u.ID) {
		return echo.NewHTTPError(http.StatusForbidden, "Only admins and this session's instructor can export its roster.")
	}
	os, err := models.ListOrdersForSession(ctx, a.db, s.ID, models.OrderPaid, models.OrderPendingInvoice)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="roster-session-%d.csv"`, s.ID))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"attendee_name", "attendee_email", "company", "order", "status", "payment_method", "po_number", "buyer_name", "buyer_email"})
	for _, o := range os {
		for _, at := range o.ActiveAttendees() {
			_ = w.Write([]string{csvSafe(at.Name), at.Email, csvSafe(o.Company), o.Number(), string(o.Status), string(o.PaymentMethod),
				csvSafe(o.PONumber), csvSafe(o.BuyerName), o.BuyerEmail})
		}
	}
	w.Flush()
	return w.Error()
}

// csvSafe defuses spreadsheet formula injection in user-typed cells.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
