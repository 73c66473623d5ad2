package booking_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestRegistrationFormInvoice(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true })
	if err := models.CreateDiscountCode(t.Context(), ta.DB, &models.DiscountCode{Code: "TEAM15", Kind: models.DiscountPercent, PercentBP: 1500, Active: true, MinSeats: 2}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/sessions/%d/register", s.ID)
	page := ta.Do(t, ht.Request{Path: path + "?seats=2"})
	for _, want := range []string{`name="attendee_name_2"`, "2 × $595.00", "$1,190.00", `for="f-discount_code"`, "Request an invoice"} {
		if !strings.Contains(page.Body.String(), want) {
			t.Errorf("form lacks %q", want)
		}
	}
	if strings.Contains(page.Body.String(), "Pay now by card") {
		t.Error("card offered without Stripe")
	}
	// Changing the number of attendees keeps what was typed.
	more := ht.RegisterValues("invoice")
	more.Set("seats", "3")
	more.Set("action", "seats")
	rec0 := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: more})
	if b := rec0.Body.String(); rec0.Code != 200 || !strings.Contains(b, `name="attendee_name_3"`) || !strings.Contains(b, `value="Ben Okafor"`) ||
		!strings.Contains(b, `value="PO-7781"`) || strings.Contains(b, "field-error") {
		t.Fatalf("change seats: %d", rec0.Code)
	}
	if ta.ActiveSeats(t, s.ID) != 0 {
		t.Fatal("changing the count took seats")
	}
	// Applying a code re-prices without creating anything.
	v := ht.RegisterValues("invoice")
	v.Set("discount_code", "team15")
	v.Set("action", "apply_code")
	rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: v})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "−$178.50") || !strings.Contains(rec.Body.String(), "$1,011.50") {
		t.Fatalf("apply code: %d", rec.Code)
	}
	// Errors are shown beside their fields; nothing is stored.
	bad := ht.RegisterValues("invoice")
	bad.Set("attendee_email_2", "not-an-email")
	bad.Del("terms")
	bad.Set("discount_code", "NOPE")
	rec = ta.Do(t, ht.Request{Method: "POST", Path: path, Form: bad})
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-attendee_email_2-error"`) ||
		!strings.Contains(body, "Please accept the terms") || !strings.Contains(body, "We do not know this code") || !strings.Contains(body, `value="Ben Okafor"`) {
		t.Fatalf("invalid form: %d", rec.Code)
	}
	if ta.ActiveSeats(t, s.ID) != 0 {
		t.Fatal("invalid form took seats")
	}
	// The real submission.
	v.Set("action", "place")
	rec = ta.Do(t, ht.Request{Method: "POST", Path: path, Form: v})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/orders/") {
		t.Fatalf("place: %d %s", rec.Code, rec.Body.String())
	}
	o, err := models.FindOrderByRef(t.Context(), ta.DB, strings.TrimPrefix(rec.Header().Get("Location"), "/orders/"))
	if err != nil {
		t.Fatal(err)
	}
	// An anonymous buyer's invoice order is held briefly, without an
	// invoice, until the buyer confirms by the emailed link (issue 8, hole 5).
	if !o.AwaitingConfirmation() || o.InvoiceNumber != nil || !o.HoldExpiresAt.Equal(ht.Now.Add(35*time.Minute)) || ta.CountEmails(t, "invoice:") != 0 {
		t.Fatalf("unconfirmed order: status %s, invoice %v, hold %v, %d invoice emails", o.Status, o.InvoiceNumber, o.HoldExpiresAt, ta.CountEmails(t, "invoice:"))
	}
	o = ta.ConfirmOrderByEmail(t, o)
	if o.Status != models.OrderPendingInvoice || o.TotalMinor != 101150 || o.DiscountMinor != 17850 || o.PONumber != "PO-7781" ||
		o.InvoiceNumber == nil || *o.InvoiceNumber != "INV-000001" || len(o.Attendees) != 2 {
		t.Fatalf("order: %+v", o)
	}
	if o.Attendees[0].PriceMinor+o.Attendees[1].PriceMinor != o.TotalMinor {
		t.Error("attendee shares do not add up to the total")
	}
	due := ht.Now.Add(14 * 24 * time.Hour)
	if due.After(s.StartsAt) {
		due = s.StartsAt
	}
	if !o.InvoiceDueAt.Equal(due) {
		t.Errorf("due: got %v, want %v (14 days, capped at the start)", o.InvoiceDueAt, due)
	}
	if ta.Session(t, s.ID).SeatsTaken != 2 {
		t.Error("seats not taken")
	}
	var m models.Email
	if err := ta.DB.Preload("Attachments").Where("dedupe_key = ?", "invoice:INV-000001").First(&m).Error; err != nil {
		t.Fatalf("invoice email: %v", err)
	}
	if len(m.Attachments) != 1 || !strings.HasPrefix(string(m.Attachments[0].Data), "%PDF-") {
		t.Errorf("invoice attachment: %d", len(m.Attachments))
	}
	orderPage := ta.Do(t, ht.Request{Path: "/orders/" + o.Ref}).Body.String()
	for _, want := range []string{"Invoice issued", "INV-000001", "Ana Pérez", "Ben Okafor", "$1,011.50", "/invoice.pdf"} {
		if !strings.Contains(orderPage, want) {
			t.Errorf("order page lacks %q", want)
		}
	}
	if strings.Contains(orderPage, "secret-room") {
		t.Error("join link shown before payment")
	}
	pdf := ta.Do(t, ht.Request{Path: "/orders/" + o.Ref + "/invoice.pdf"})
	if pdf.Code != 200 || pdf.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("invoice pdf: %d %s", pdf.Code, pdf.Header().Get("Content-Type"))
	}
	if c := ta.Do(t, ht.Request{Path: "/orders/" + o.Ref + "/receipt.pdf"}).Code; c != 404 {
		t.Errorf("receipt before payment: %d", c)
	}
	// Staff mark it paid: confirmations go out, the join link appears.
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	if c := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: admin, Form: url.Values{}}).Code; c != http.StatusSeeOther {
		t.Fatalf("mark paid: %d", c)
	}
	if got := ta.Order(t, o.ID); got.Status != models.OrderPaid || ta.CountEmails(t, "order_confirmation:") != 1 {
		t.Errorf("after mark paid: %s", got.Status)
	}
	if !strings.Contains(ta.Do(t, ht.Request{Path: "/orders/" + o.Ref}).Body.String(), "secret-room") {
		t.Error("join link hidden from a confirmed order")
	}
	learner := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	if c := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: learner, Form: url.Values{}}).Code; c != http.StatusForbidden {
		t.Errorf("learner marking paid: %d", c)
	}
}

func TestRegistrationFormCardCheckout(t *testing.T) {
	t.Parallel()
	fake := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithFakeStripe(fake))
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB))
	rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/register", s.ID), Form: ht.RegisterValues("card")})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "https://checkout.stripe.com/") {
		t.Fatalf("card: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	var o models.Order
	ta.DB.First(&o)
	p := fake.Params[o.StripeCheckoutSessionID]
	if p.OrderID != o.ID || p.CustomerEmail != "ana@broker.example" || !p.ExpiresAt.Equal(*o.HoldExpiresAt) ||
		p.ExpiresAt.Sub(ht.Now) < 30*time.Minute || !strings.Contains(p.SuccessURL, "{CHECKOUT_SESSION_ID}") ||
		len(p.Items) != 1 || p.Items[0].Quantity != 2 || p.Items[0].UnitMinor != 59500 {
		t.Errorf("checkout params: %+v", p)
	}
	// Back from Stripe without paying: the seats return at once and the
	// Checkout Session is expired first.
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o.Ref + "/checkout-cancelled", Form: url.Values{}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel url: %d", rec.Code)
	}
	if got := ta.Order(t, o.ID); got.Status != models.OrderCancelled || ta.Session(t, s.ID).SeatsTaken != 0 || len(fake.Expired) != 1 {
		t.Errorf("after cancel: %s, seats %d, expired %v", got.Status, ta.Session(t, s.ID).SeatsTaken, fake.Expired)
	}
	// Paid: the success page asks Stripe server-side and confirms.
	if rec = ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/register", s.ID), Form: ht.RegisterValues("card")}); rec.Code != http.StatusSeeOther {
		t.Fatalf("second card order: %d", rec.Code)
	}
	var o2 models.Order
	ta.DB.Order("id desc").First(&o2)
	page := ta.Do(t, ht.Request{Path: "/orders/" + o2.Ref})
	if !strings.Contains(page.Body.String(), "Confirming your payment") || page.Header().Get("Refresh") == "" {
		t.Error("held order page does not say it is confirming")
	}
	fake.SetPaid(o2.StripeCheckoutSessionID, "pi_ok")
	ta.Do(t, ht.Request{Path: "/orders/" + o2.Ref + "/return?session_id=" + url.QueryEscape(o2.StripeCheckoutSessionID)})
	if got := ta.Order(t, o2.ID); got.Status != models.OrderPaid {
		t.Errorf("after return: %s", got.Status)
	}
	// A forged session id on the success URL confirms nothing.
	ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/register", s.ID), Form: ht.RegisterValues("card")})
	var o3 models.Order
	ta.DB.Order("id desc").First(&o3)
	ta.Do(t, ht.Request{Path: "/orders/" + o3.Ref + "/return?session_id=cs_forged"})
	if got := ta.Order(t, o3.ID); got.Status != models.OrderHeld {
		t.Errorf("forged return confirmed the order: %s", got.Status)
	}
	// Stripe down: nothing booked, clear message.
	fake.FailCheckout = true
	rec = ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/register", s.ID), Form: ht.RegisterValues("card")})
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "nothing was booked") {
		t.Errorf("provider down: %d", rec.Code)
	}
	if got := ta.ActiveSeats(t, s.ID); got != 4 {
		t.Errorf("seats after outage: got %d, want 4", got)
	}
}

func TestAPIOrders(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T, ta *ht.App) {
		ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Capacity = 3; s.AllowInvoice = true })
	}
	ht.Run(t, []ht.Scenario{
		{Name: "201 invoice", Setup: setup, Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: ht.APIOrderBody(2, "invoice", `"po_number":"PO-1"`),
			Headers: map[string]string{"Content-Type": "application/json"}}, WantStatus: 201,
			WantBody: []string{`"status":"awaiting_confirmation"`, `"payment_method":"invoice"`, `"amount":{"amount_minor":119000,"currency":"USD"}`, `"hold_expires_at":"`, `"checkout_url":null`},
			Check: func(t *testing.T, ta *ht.App, rec *httptest.ResponseRecorder) {
				var out map[string]any
				json.Unmarshal(rec.Body.Bytes(), &out)
				if out["id"] == "" || out["url"] == "" {
					t.Errorf("ids: %v", out)
				}
			}},
		{Name: "409 sold out", Setup: setup, Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: ht.APIOrderBody(4, "invoice")},
			WantStatus: 409, WantBody: []string{`"error":"sold_out"`, `"waitlist_url":"http://hsw.test/sessions/1/waitlist"`}},
		{Name: "422 fields", Setup: setup, Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders",
			Body: `{"buyer":{"name":"","email":"x"},"attendees":[{"name":"A","email":"bad"}],"payment_method":"cash"}`},
			WantStatus: 422, WantBody: []string{`"error":"validation"`, `"buyer.name"`, `"buyer.email"`, `"attendees[0].email"`, `"payment_method"`}},
		{Name: "422 card without Stripe", Setup: setup, Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: ht.APIOrderBody(1, "card")},
			WantStatus: 422, WantBody: []string{`"payment_method":"Card payment is not available`}},
		{Name: "400 malformed", Setup: setup, Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: `{"buyer":`}, WantStatus: 400, WantBody: []string{`"error":"malformed"`}},
		{Name: "400 unknown field", Setup: setup, Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: `{"seats":3}`}, WantStatus: 400},
		{Name: "404 unknown session", Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/99/orders", Body: ht.APIOrderBody(1, "invoice")}, WantStatus: 404, WantBody: []string{`"error":"not_found"`}},
		{Name: "404 draft", Setup: func(t *testing.T, ta *ht.App) {
			ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Status = models.StatusDraft })
		}, Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: ht.APIOrderBody(1, "invoice")}, WantStatus: 404},
		{Name: "409 registration closed", Setup: func(t *testing.T, ta *ht.App) {
			ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.RegistrationClosesAt = ht.Now.Add(-time.Hour) })
		}, Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: ht.APIOrderBody(1, "invoice")}, WantStatus: 409, WantBody: []string{"registration_closed"}},
	})
}
