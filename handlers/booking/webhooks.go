package booking

import (
	"fmt"
	"io"
	"net/http"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/labstack/echo/v4"
)

// maxWebhookBody is the largest webhook body accepted (Stripe events are
// a few KiB).
const maxWebhookBody = 64 << 10

// StripeWebhook receives Stripe events. The raw body is read (size-limited)
// before anything else touches it, the signature is verified, and the event
// is applied in one transaction with its id, so a redelivery is a no-op.
func (h *Handler) StripeWebhook(c echo.Context) error {
	if !h.bk.CardEnabled() {
		return echo.NewHTTPError(http.StatusNotFound, "Card payments are not enabled.")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxWebhookBody+1))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Could not read the body.")
	}
	if len(body) > maxWebhookBody {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "Webhook body too large.")
	}
	ev, err := h.bk.VerifyWebhook(body, c.Request().Header.Get("Stripe-Signature"))
	if err != nil {
		h.web.Log.Warn("webhook rejected", "err", err)
		return c.JSON(http.StatusBadRequest, web.JSONError{Error: "invalid_signature", Message: "The Stripe-Signature header does not verify."})
	}
	if err := h.bk.ApplyStripeEvent(c.Request().Context(), ev); err != nil {
		// A 5xx makes Stripe retry; the transaction rolled back, event id included.
		return fmt.Errorf("apply stripe event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return c.JSON(http.StatusOK, map[string]bool{"received": true})
}
