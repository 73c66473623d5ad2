package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/calendar"
	"github.com/hsworkshop/hsworkshop/internal/invoice"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// orderFromRef loads the order named by the unguessable ref in the URL.
// The ref is the buyer's key (guests have no password), as in the emails.
func (a *App) orderFromRef(c echo.Context) (*models.Order, error) {
	ref := c.Param("ref")
	if len(ref) < 16 || len(ref) > 40 {
		return nil, echo.NewHTTPError(http.StatusNotFound, "We could not find that order.")
	}
	return models.FindOrderByRef(c.Request().Context(), a.db, ref)
}

// orderPage is the data of an order's page.
type orderPage struct {
	Order       *models.Order
	Refunds     []models.Refund
	CanCancel   bool
	CancelFee   models.Money
	Deadline    string
	Confirming  bool
	ShowPrivate bool
	Staff       bool
}

func (a *App) showOrder(c echo.Context) error {
	o, err := a.orderFromRef(c)
	if err != nil {
		return err
	}
	refunds, err := models.ListRefunds(c.Request().Context(), a.db, o.ID)
	if err != nil {
		return err
	}
	p := orderPage{Order: o, Refunds: refunds, CanCancel: a.buyerMayCancel(o) == "", CancelFee: o.Session.CancelFee(),
		Deadline: inZone(&o.Session, o.Session.CancelDeadline()), Confirming: o.Status == models.OrderHeld && o.StripeCheckoutSessionID != "",
		ShowPrivate: o.Status == models.OrderPaid, Staff: currentUser(c).IsStaff()}
	if p.Confirming {
		// The page refreshes itself until the webhook confirms the payment.
		c.Response().Header().Set("Refresh", "5")
	}
	return a.render(c, http.StatusOK, tplOrderShow, pageData{Title: "Order " + o.Number(), Data: p})
}

// buyerMayCancel explains why the buyer cannot cancel (now), or "".
func (a *App) buyerMayCancel(o *models.Order) string {
	switch {
	case o.Status != models.OrderPaid && o.Status != models.OrderPendingInvoice && o.Status != models.OrderHeld:
		return "This order is " + o.Status.Label() + "."
	case !o.Session.CancellationOpen(a.now()):
		return "The cancellation deadline for this session has passed. Contact us if your plans changed: we can usually transfer the seat to a colleague."
	}
	return ""
}

// returnFromCheckout is Stripe's success URL. Fulfilment belongs to the
// webhook; as a fallback the server asks Stripe for the session state
// (never trusting the URL itself) and confirms a paid one the same way.
func (a *App) returnFromCheckout(c echo.Context) error {
	o, err := a.orderFromRef(c)
	if err != nil {
		return err
	}
	id := c.QueryParam("session_id")
	if a.pay != nil && (o.Status == models.OrderHeld || o.Status == models.OrderExpired) && id != "" && id == o.StripeCheckoutSessionID {
		cs, err := a.pay.GetCheckout(c.Request().Context(), id)
		if err != nil {
			a.log.Warn("checkout lookup failed; waiting for the webhook", "order", o.ID, "err", err)
		} else if cs.PaymentStatus == "paid" {
			if err := a.db.WithContext(c.Request().Context()).Transaction(func(tx *gorm.DB) error {
				return a.applyPayment(c.Request().Context(), tx, o, cs.PaymentIntentID)
			}); err != nil {
				return err
			}
		}
	}
	return redirect(c, "/orders/"+o.Ref)
}

// checkoutCancelled is Stripe's cancel URL: the buyer left Checkout, so
// the seats go back at once.
func (a *App) checkoutCancelled(c echo.Context) error {
	o, err := a.orderFromRef(c)
	if err != nil {
		return err
	}
	if o.Status == models.OrderHeld {
		if err := a.cancelHeld(c.Request().Context(), o); err != nil {
			return err
		}
	}
	return redirect(c, "/orders/"+o.Ref)
}

// applyPayment confirms a verified payment for o inside tx: confirmation
// emails when it became paid, an automatic refund when it arrived after the
// hold lapsed and no seat was left.
func (a *App) applyPayment(ctx context.Context, tx *gorm.DB, o *models.Order, paymentIntentID string) error {
	outcome, err := models.RecordPayment(ctx, tx, o, paymentIntentID, a.now())
	if err != nil {
		return err
	}
	switch outcome {
	case models.PaymentConfirmed:
		fresh, err := models.FindOrder(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		return a.queueConfirmation(ctx, tx, fresh)
	case models.PaymentMustRefund:
		key := fmt.Sprintf("late-payment-%d", o.ID)
		if _, err := a.refund(ctx, tx, o, nil, o.TotalMinor, "paid after the seats were released", key); err != nil {
			return err
		}
		a.log.Warn("late payment refunded: session full", "order", o.ID)
		return a.queueCancellation(ctx, tx, o, "late_refund:"+strconv.FormatUint(uint64(o.ID), 10), nil, o.TotalMinor, 0)
	}
	return nil
}

// refund returns money through Stripe (idempotent by key) and records it.
func (a *App) refund(ctx context.Context, tx *gorm.DB, o *models.Order, attendeeID *uint, amount int64, reason, key string) (string, error) {
	if amount <= 0 {
		return "", nil
	}
	if a.pay == nil || o.StripePaymentIntentID == "" {
		return "", fmt.Errorf("refund order %d: no card payment to refund: %w", o.ID, models.ErrConflict)
	}
	id, err := a.pay.Refund(ctx, payments.RefundParams{PaymentIntentID: o.StripePaymentIntentID, AmountMinor: amount,
		Reason: reason, IdempotencyKey: key, OrderID: o.ID})
	if err != nil {
		return "", err
	}
	recorded, err := models.RecordRefund(ctx, tx, &models.Refund{OrderID: o.ID, AttendeeID: attendeeID, AmountMinor: amount,
		Currency: o.Currency, Reason: reason, StripeRefundID: id, IdempotencyKey: key})
	if err != nil || !recorded {
		return id, err
	}
	o.RefundedMinor += amount
	return id, tx.Model(&models.Order{}).Where("id = ?", o.ID).
		Update("refunded_minor", gorm.Expr("refunded_minor + ?", amount)).Error
}

// cancelOrder cancels the whole order within the policy: card payments
// are refunded through Stripe less the fee, invoices are voided.
func (a *App) cancelOrder(c echo.Context) error {
	o, err := a.orderFromRef(c)
	if err != nil {
		return err
	}
	if why := a.buyerMayCancel(o); why != "" {
		return echo.NewHTTPError(http.StatusConflict, why)
	}
	ctx := c.Request().Context()
	if o.Status == models.OrderHeld {
		if err := a.cancelHeld(ctx, o); err != nil {
			return err
		}
		setFlash(c, "order_cancelled")
		return redirect(c, "/orders/"+o.Ref)
	}
	// The active seats' shares are what is left to refund; seats cancelled
	// earlier were settled (refund or fee) when they were cancelled.
	var remaining int64
	for _, at := range o.ActiveAttendees() {
		remaining += at.PriceMinor
	}
	fee, refund, bankRefund := int64(0), int64(0), int64(0)
	if o.Status == models.OrderPaid {
		// An unpaid invoice is voided without a fee (see the terms).
		fee = min(o.Session.CancelFeeMinor*int64(len(o.ActiveAttendees())), remaining)
		if o.PaymentMethod == models.PayByCard {
			refund = remaining - fee
		} else {
			bankRefund = remaining - fee
		}
	}
	err = a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		wasPaidInvoice := o.Status == models.OrderPaid && o.PaymentMethod == models.PayByInvoice
		moved, err := models.CancelOrder(ctx, tx, o, refund, fee, a.now())
		if err != nil || !moved {
			return err
		}
		if _, err := a.refund(ctx, tx, o, nil, refund, "cancelled by buyer", fmt.Sprintf("cancel-order-%d", o.ID)); err != nil {
			return err
		}
		if wasPaidInvoice {
			if err := models.FlagOrder(ctx, tx, o.ID, fmt.Sprintf("Invoice order cancelled after payment: refund %s by bank transfer.",
				models.Money{Minor: bankRefund, Currency: o.Currency})); err != nil {
				return err
			}
		}
		if err := a.queueCancellation(ctx, tx, o, fmt.Sprintf("cancel_order:%d", o.ID), nil, refund+bankRefund, fee); err != nil {
			return err
		}
		return a.offerFreedSeats(ctx, tx, o.SessionID)
	})
	if err != nil {
		return a.paymentError(err)
	}
	setFlash(c, "order_cancelled")
	return redirect(c, "/orders/"+o.Ref)
}

// cancelAttendee cancels one seat of an order within the policy.
func (a *App) cancelAttendee(c echo.Context) error {
	o, err := a.orderFromRef(c)
	if err != nil {
		return err
	}
	if why := a.buyerMayCancel(o); why != "" {
		return echo.NewHTTPError(http.StatusConflict, why)
	}
	aid, err := paramID(c, "aid")
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
	if len(o.ActiveAttendees()) == 1 || o.Status == models.OrderHeld {
		return a.cancelOrder(c)
	}
	ctx := c.Request().Context()
	// Fees apply to paid seats; an unpaid invoice simply drops the seat
	// (whole unpaid invoices are voided without a fee, as the terms say).
	fee := int64(0)
	if o.Status == models.OrderPaid {
		fee = min(o.Session.CancelFeeMinor, target.PriceMinor)
	}
	refund := int64(0)
	if o.Status == models.OrderPaid && o.PaymentMethod == models.PayByCard {
		refund = target.PriceMinor - fee
	}
	err = a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.CancelAttendee(ctx, tx, o, target.ID, refund, fee, a.now()); err != nil {
			return err
		}
		if _, err := a.refund(ctx, tx, o, &target.ID, refund, "attendee cancelled by buyer", fmt.Sprintf("cancel-attendee-%d", target.ID)); err != nil {
			return err
		}
		shown := refund
		if o.Status == models.OrderPaid && o.PaymentMethod == models.PayByInvoice {
			shown = target.PriceMinor - fee
			if err := models.FlagOrder(ctx, tx, o.ID, fmt.Sprintf("Seat of %s cancelled on a paid invoice: refund %s by bank transfer.",
				target.Name, models.Money{Minor: shown, Currency: o.Currency})); err != nil {
				return err
			}
		}
		if err := a.queueCancellation(ctx, tx, o, fmt.Sprintf("cancel_attendee:%d", target.ID), []string{target.Name}, shown, fee); err != nil {
			return err
		}
		return a.offerFreedSeats(ctx, tx, o.SessionID)
	})
	if err != nil {
		return a.paymentError(err)
	}
	setFlash(c, "attendee_cancelled")
	return redirect(c, "/orders/"+o.Ref)
}

// paymentError turns a provider outage into a clear message; the
// transaction was rolled back, so nothing changed.
func (a *App) paymentError(err error) error {
	if errors.Is(err, payments.ErrUnavailable) {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "We could not reach the payment provider to issue the refund, so nothing was changed. Please try again in a few minutes.").SetInternal(err)
	}
	return err
}

// orderDocument serves the invoice or receipt PDF of an order.
func (a *App) orderDocument(kind invoice.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		o, err := a.orderFromRef(c)
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
		pdf, err := invoice.Render(*o, a.invoiceDocument(o, kind))
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
		return c.Blob(http.StatusOK, "application/pdf", pdf)
	}
}

// orderCalendar serves the .ics of a confirmed order (with the join link).
func (a *App) orderCalendar(c echo.Context) error {
	o, err := a.orderFromRef(c)
	if err != nil {
		return err
	}
	private := o.Status == models.OrderPaid
	body := calendar.Build([]models.Session{o.Session}, calendar.Options{BaseURL: a.cfg.BaseURL, Private: private, Now: a.now()})
	c.Response().Header().Set("Content-Disposition", `attachment; filename="session.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}

// myRegistrations lists the logged-in user's orders.
func (a *App) myRegistrations(c echo.Context) error {
	os, err := models.ListOrdersForUser(c.Request().Context(), a.db, currentUser(c))
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, tplMyRegistrations, pageData{Title: "My registrations", Data: os})
}
