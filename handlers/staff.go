package handlers

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

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
	if err := a.MarkInvoicePaid(c.Request().Context(), o); err != nil {
		return err
	}
	setFlash(c, "invoice_paid")
	return redirect(c, "/admin/orders")
}

// MarkInvoicePaid confirms a pending invoice order and sends the
// confirmations; the CLI's "orders mark-paid" uses it too.
func (a *App) MarkInvoicePaid(ctx context.Context, o *models.Order) error {
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		moved, err := models.MarkInvoicePaid(ctx, tx, o, a.now())
		if err != nil || !moved {
			return err
		}
		fresh, err := models.FindOrder(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		return a.queueConfirmation(ctx, tx, fresh)
	})
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
	return a.renderAdminSession(c, http.StatusOK, nil, "")
}

func (a *App) renderAdminSession(c echo.Context, status int, errs map[string]string, capacity string) error {
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
	if capacity == "" {
		capacity = strconv.Itoa(s.Capacity)
	}
	return a.render(c, status, tplAdminSession, pageData{Title: s.Workshop.Title, Errors: errs,
		Form: map[string]string{"capacity": capacity}, Data: adminSessionPage{Session: s, Orders: os, Waitlist: wl}})
}

// updateCapacity changes a session's capacity; raising it offers the new
// seats to the waiting list.
func (a *App) updateCapacity(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	raw := c.FormValue("capacity")
	n, perr := strconv.Atoi(raw)
	if perr != nil {
		return a.renderAdminSession(c, http.StatusUnprocessableEntity, map[string]string{"capacity": "Enter a whole number."}, raw)
	}
	ctx := c.Request().Context()
	err = a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.SetSessionCapacity(ctx, tx, id, n); err != nil {
			return err
		}
		return a.offerFreedSeats(ctx, tx, id)
	})
	if ve, ok := err.(*models.ValidationError); ok {
		return a.renderAdminSession(c, http.StatusUnprocessableEntity, ve.Fields, raw)
	}
	if err != nil {
		return err
	}
	setFlash(c, "capacity_saved")
	return redirect(c, fmt.Sprintf("/admin/sessions/%d", id))
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
