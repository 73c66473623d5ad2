package booking

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/stripe/stripe-go/v76"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
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
	if err != nil && strings.Contains(err.Error(), "expects API version") {
		// stripe-go checks the version only after the signature verified:
		// the endpoint is ours but configured with another API version, and
		// every event will fail until it is changed.
		msg := fmt.Sprintf("Stripe webhooks are being refused: the webhook endpoint sends a different API version than this server understands (%s). In the Stripe dashboard, set the endpoint's API version to %s.", webhookVersion(body), stripe.APIVersion)
		h.web.Log.Error("stripe webhook API version mismatch", "got", webhookVersion(body), "want", stripe.APIVersion)
		if nerr := models.RaiseNotice(c.Request().Context(), h.db, noticeWebhookVersion, msg, h.web.Now()); nerr != nil {
			return nerr
		}
		return c.JSON(http.StatusBadRequest, web.JSONError{Error: "api_version_mismatch", Message: msg})
	}
	if err != nil {
		h.web.Log.Warn("webhook rejected", "err", err)
		return c.JSON(http.StatusBadRequest, web.JSONError{Error: "invalid_signature", Message: "The Stripe-Signature header does not verify."})
	}
	if err := models.ClearNotice(c.Request().Context(), h.db, noticeWebhookVersion); err != nil {
		return err
	}
	// A signed body that is not a whole event (no id to deduplicate on, no
	// data to apply) is refused, not applied (found by FuzzStripeWebhook).
	if ev.ID == "" || ev.Data == nil || len(ev.Data.Raw) == 0 {
		return c.JSON(http.StatusBadRequest, web.JSONError{Error: "invalid_event", Message: "The event has no id or no data."})
	}
	if err := h.bk.ApplyStripeEvent(c.Request().Context(), ev); err != nil {
		// A 5xx makes Stripe retry; the transaction rolled back, event id included.
		return fmt.Errorf("apply stripe event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return c.JSON(http.StatusOK, map[string]bool{"received": true})
}

// noticeWebhookVersion keys the admin notice of a webhook API-version mismatch.
const noticeWebhookVersion = "stripe_webhook_api_version"

// webhookVersion reads the api_version of a (signature-verified) event body.
func webhookVersion(body []byte) string {
	var v struct {
		APIVersion string `json:"api_version"`
	}
	if json.Unmarshal(body, &v) != nil || v.APIVersion == "" {
		return "unknown"
	}
	if len(v.APIVersion) > 40 {
		return v.APIVersion[:40]
	}
	return v.APIVersion
}
