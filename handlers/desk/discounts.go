package desk

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/desk"
	"github.com/hsworkshop/hsworkshop/models"
)

// discountRow is a code in the list with its discount in words.
type discountRow struct {
	models.DiscountUsage
	Off string
}

// offText says what a code takes off: "12.5% off" or "$50.00 off".
func offText(d models.DiscountCode) string {
	if d.Kind == models.DiscountPercent {
		whole, frac := d.PercentBP/100, d.PercentBP%100
		switch {
		case frac == 0:
			return fmt.Sprintf("%d%% off", whole)
		case frac%10 == 0:
			return fmt.Sprintf("%d.%d%% off", whole, frac/10)
		}
		return fmt.Sprintf("%d.%02d%% off", whole, frac)
	}
	return models.Money{Minor: d.AmountMinor, Currency: d.Currency}.String() + " off"
}

// discountsPage is the data of the discount list (with the new-code form).
type discountsPage struct {
	Codes     []discountRow
	Workshops []models.Workshop
}

// discountPage is the data of one code's edit page.
type discountPage struct {
	Code      *models.DiscountCode
	Workshops []models.Workshop
}

// ListDiscounts serves GET /admin/desk/discounts.
func (h *Handler) ListDiscounts(c echo.Context) error {
	return h.renderDiscounts(c, http.StatusOK, desk.DiscountInput{Kind: "percent", Scope: "all", Currency: "USD", MinSeats: "1", Active: true}, nil)
}

func (h *Handler) renderDiscounts(c echo.Context, status int, f desk.DiscountInput, errs map[string]string) error {
	ctx := c.Request().Context()
	cs, err := h.desk.Discounts(ctx)
	if err != nil {
		return err
	}
	ws, err := h.desk.Workshops(ctx)
	if err != nil {
		return err
	}
	rows := make([]discountRow, 0, len(cs))
	for _, x := range cs {
		rows = append(rows, discountRow{DiscountUsage: x, Off: offText(x.DiscountCode)})
	}
	return h.render(c, status, TplDiscounts, web.PageData{Title: "Discount codes", Form: f, Errors: errs, Data: discountsPage{Codes: rows, Workshops: ws}})
}

// CreateDiscount serves POST /admin/desk/discounts.
func (h *Handler) CreateDiscount(c echo.Context) error {
	var f desk.DiscountInput
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	_, err := h.desk.SaveDiscount(c.Request().Context(), actor(c), 0, f)
	if fe := fieldErrors(err); fe != nil {
		return h.renderDiscounts(c, http.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, "/admin/desk/discounts?done=discount_saved")
}

// EditDiscount serves GET /admin/desk/discounts/:id.
func (h *Handler) EditDiscount(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.desk.Discount(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.renderDiscount(c, http.StatusOK, d, desk.InputFromDiscount(d), nil)
}

func (h *Handler) renderDiscount(c echo.Context, status int, d *models.DiscountCode, f desk.DiscountInput, errs map[string]string) error {
	ws, err := h.desk.Workshops(c.Request().Context())
	if err != nil {
		return err
	}
	return h.render(c, status, TplDiscount, web.PageData{Title: "Discount " + d.Code, Form: f, Errors: errs, Data: discountPage{Code: d, Workshops: ws}})
}

// UpdateDiscount serves POST /admin/desk/discounts/:id.
func (h *Handler) UpdateDiscount(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var f desk.DiscountInput
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	ctx := c.Request().Context()
	_, err = h.desk.SaveDiscount(ctx, actor(c), id, f)
	if fe := fieldErrors(err); fe != nil {
		d, ferr := h.desk.Discount(ctx, id)
		if ferr != nil {
			return ferr
		}
		return h.renderDiscount(c, http.StatusUnprocessableEntity, d, f, fe)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/desk/discounts/%d?done=discount_saved", id))
}

// DeleteDiscount serves POST /admin/desk/discounts/:id/delete; a code
// orders used is kept (422 with the advice to deactivate it).
func (h *Handler) DeleteDiscount(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = h.desk.DeleteDiscount(ctx, actor(c), id)
	if errors.Is(err, models.ErrConflict) {
		d, ferr := h.desk.Discount(ctx, id)
		if ferr != nil {
			return ferr
		}
		return h.renderDiscount(c, http.StatusUnprocessableEntity, d, desk.InputFromDiscount(d),
			map[string]string{"form": "Orders used this code, so it stays for their history. Untick “Active” to stop new use."})
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, "/admin/desk/discounts?done=discount_gone")
}

// ListWaitlist serves GET /admin/desk/waitlist.
func (h *Handler) ListWaitlist(c echo.Context) error {
	return h.renderWaitlist(c, http.StatusOK, nil)
}

func (h *Handler) renderWaitlist(c echo.Context, status int, errs map[string]string) error {
	es, err := h.desk.Waitlist(c.Request().Context())
	if err != nil {
		return err
	}
	return h.render(c, status, TplWaitlist, web.PageData{Title: "Waiting lists", Errors: errs, Data: es})
}

// OfferWaitlist serves POST /admin/desk/waitlist/:id/offer.
func (h *Handler) OfferWaitlist(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	err = h.desk.OfferWaitlist(c.Request().Context(), actor(c), id)
	switch {
	case errors.Is(err, models.ErrSeatsFull):
		return h.renderWaitlist(c, http.StatusUnprocessableEntity, map[string]string{"form": "Not enough free seats in that session for this entry."})
	case errors.Is(err, models.ErrDeadlinePassed):
		return h.renderWaitlist(c, http.StatusUnprocessableEntity, map[string]string{"form": "Registration for that session has closed."})
	case errors.Is(err, models.ErrConflict):
		return h.renderWaitlist(c, http.StatusUnprocessableEntity, map[string]string{"form": "That entry is no longer waiting."})
	case err != nil:
		return err
	}
	return web.Redirect(c, "/admin/desk/waitlist?done=offered")
}

// RemoveWaitlist serves POST /admin/desk/waitlist/:id/remove.
func (h *Handler) RemoveWaitlist(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	err = h.desk.RemoveWaitlist(c.Request().Context(), actor(c), id)
	if errors.Is(err, models.ErrConflict) {
		return h.renderWaitlist(c, http.StatusUnprocessableEntity, map[string]string{"form": "That entry is no longer on the list."})
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, "/admin/desk/waitlist?done=removed")
}
