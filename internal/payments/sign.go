package payments

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// SignatureHeader builds a Stripe-Signature header for payload signed with
// secret at t, using stripe-go's own ComputeSignature. Tests (and local
// tools replaying events) use it; production only verifies.
func SignatureHeader(payload []byte, secret string, t time.Time) string {
	return "t=" + strconv.FormatInt(t.Unix(), 10) + ",v1=" + hex.EncodeToString(webhook.ComputeSignature(t, payload, secret))
}
