package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

const testWebhookSecret = "whsec_test_secret"

// withFakeStripe turns card payments on with an in-memory Stripe.
func withFakeStripe(f *payments.Fake) func(*Deps) {
	return func(d *Deps) { d.Payments = f }
}

// apiOrderBody is a valid order request for n attendees.
func apiOrderBody(n int, method string, extra ...string) string {
	var atts []string
	for i := 0; i < n; i++ {
		atts = append(atts, fmt.Sprintf(`{"name":"Attendee %d","email":"att%d-%d@example.com"}`, i+1, i+1, time.Now().UnixNano()))
	}
	body := fmt.Sprintf(`{"buyer":{"name":"Maria Buyer","email":"maria@broker.example","company":"Broker & Co"},"attendees":[%s],"payment_method":%q`,
		strings.Join(atts, ","), method)
	for _, e := range extra {
		body += "," + e
	}
	return body + "}"
}

func (ta *testApp) postJSON(t *testing.T, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	return ta.do(t, request{method: http.MethodPost, path: path, body: body, headers: map[string]string{"Content-Type": "application/json"}})
}

// placeAPIOrder creates an order through the API and returns it.
func (ta *testApp) placeAPIOrder(t *testing.T, sessionID uint, n int, method string, extra ...string) *models.Order {
	t.Helper()
	rec := ta.postJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", sessionID), apiOrderBody(n, method, extra...))
	if rec.Code != http.StatusCreated {
		t.Fatalf("place order: got %d %s", rec.Code, rec.Body.String())
	}
	var out struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	o, err := models.FindOrderByRef(context.Background(), ta.db, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (ta *testApp) order(t *testing.T, id uint) *models.Order {
	t.Helper()
	o, err := models.FindOrder(context.Background(), ta.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (ta *testApp) session(t *testing.T, id uint) *models.Session {
	t.Helper()
	s, err := models.FindSession(context.Background(), ta.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// countEmails counts outbox messages whose dedupe key starts with prefix.
func (ta *testApp) countEmails(t *testing.T, prefix string) int64 {
	t.Helper()
	var n int64
	if err := ta.db.Model(&models.Email{}).Where("dedupe_key LIKE ?", prefix+"%").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// activeSeats sums the seats of orders that hold seats, straight from the
// orders (not the counter), to check the capacity invariant.
func (ta *testApp) activeSeats(t *testing.T, sessionID uint) int {
	t.Helper()
	var n int64
	err := ta.db.Model(&models.Attendee{}).Joins("JOIN orders ON orders.id = attendees.order_id").
		Where("orders.session_id = ? AND orders.status IN ? AND attendees.status = ?", sessionID,
			[]models.OrderStatus{models.OrderHeld, models.OrderPendingInvoice, models.OrderPaid}, models.AttendeeActive).Count(&n).Error
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

var eventSeq atomic.Int64

// stripeEvent builds a Stripe event JSON of the given type around object.
func stripeEvent(id, typ string, object map[string]any) []byte {
	if id == "" {
		id = fmt.Sprintf("evt_test_%d", eventSeq.Add(1))
	}
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": stripe.APIVersion,
		"created": time.Now().Unix(), "livemode": false, "data": map[string]any{"object": object}})
	return b
}

// checkoutObject is a checkout.session object for an order.
func checkoutObject(o *models.Order, paymentStatus, pi string) map[string]any {
	return map[string]any{"id": o.StripeCheckoutSessionID, "object": "checkout.session", "client_reference_id": fmt.Sprint(o.ID),
		"payment_status": paymentStatus, "payment_intent": pi, "amount_total": o.TotalMinor, "currency": strings.ToLower(o.Currency),
		"metadata": map[string]string{"order_id": fmt.Sprint(o.ID)}}
}

// chargeObject is a refunded charge for a payment intent.
func chargeObject(orderID uint, pi string, amount, refunded int64) map[string]any {
	return map[string]any{"id": "ch_" + pi, "object": "charge", "payment_intent": pi, "amount": amount, "amount_refunded": refunded,
		"refunded": refunded >= amount, "metadata": map[string]string{"order_id": fmt.Sprint(orderID)}}
}

// postWebhook delivers a signed event to the webhook.
func (ta *testApp) postWebhook(t *testing.T, body []byte, at time.Time) *httptest.ResponseRecorder {
	t.Helper()
	return ta.do(t, request{method: http.MethodPost, path: "/webhooks/stripe", body: string(body),
		headers: map[string]string{"Stripe-Signature": payments.SignatureHeader(body, testWebhookSecret, at), "Content-Type": "application/json"}})
}

// cardOrder places a card order through the API with the fake Stripe and
// returns it with its checkout session id.
func (ta *testApp) cardOrder(t *testing.T, sessionID uint, n int) *models.Order {
	t.Helper()
	o := ta.placeAPIOrder(t, sessionID, n, "card")
	if o.Status != models.OrderHeld || o.StripeCheckoutSessionID == "" {
		t.Fatalf("card order: status %s checkout %q", o.Status, o.StripeCheckoutSessionID)
	}
	return o
}
