package handlers_test

// Fuzz targets over the real router: the JSON order decoder, the form
// decoder of the registration form and the Stripe webhook after its
// signature is verified. Any input must get an answer below 500.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// fuzzApp builds the app on a migrated SQLite file in f's temp dir with
// one published session (id 1) and the fake Stripe.
func fuzzApp(f *testing.F) *echo.Echo {
	f.Helper()
	ctx := context.Background()
	db, err := models.Open("sqlite:" + f.TempDir() + "/fuzz.db")
	if err != nil {
		f.Fatal(err)
	}
	if err := models.Migrate(ctx, db); err != nil {
		f.Fatal(err)
	}
	w := &models.Workshop{Slug: "fuzz", Title: "Fuzz", Summary: "s", Level: "introductory", DurationMinutes: 60, DefaultPriceMinor: 1000, Currency: "USD"}
	if err := db.Create(w).Error; err != nil {
		f.Fatal(err)
	}
	start := ht.Now.AddDate(0, 0, 10)
	s := &models.Session{WorkshopID: w.ID, StartsAt: start, EndsAt: start.Add(time.Hour), TimeZone: "UTC", Format: models.FormatVirtual,
		Capacity: 1000, PriceMinor: 1000, Currency: "USD", Status: models.StatusPublished, RegistrationClosesAt: start.Add(-time.Hour), AllowInvoice: true}
	if err := models.CreateSession(ctx, db, s); err != nil {
		f.Fatal(err)
	}
	app, err := handlers.New(handlers.Deps{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return ht.Now },
		Config: handlers.Config{BaseURL: "http://hsw.test"}, Passwords: ht.Passwords, Payments: payments.NewFake(ht.WebhookSecret)})
	if err != nil {
		f.Fatal(err)
	}
	e := echo.New()
	app.Register(e)
	return e
}

func serve(e *echo.Echo, req *http.Request) int {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code
}

func FuzzAPIOrderJSON(f *testing.F) {
	f.Add(ht.APIOrderBody(2, "invoice"))
	f.Add(`{"buyer":{"name":"A","email":"a@b.example"},"attendees":[{"name":"A","email":"a@b.example"}],"payment_method":"invoice","seats":-1}`)
	f.Add(`{"attendees":[{"name":1e400}]}`)
	f.Add(`{"buyer":null,"attendees":null}`)
	e := fuzzApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/sessions/1/orders", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if code := serve(e, req); code >= 500 {
			t.Fatalf("body %q: got %d, want below 500", body, code)
		}
	})
}

var fuzzCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func FuzzRegistrationForm(f *testing.F) {
	f.Add(ht.RegisterValues("invoice").Encode())
	f.Add("seats=99999999999999999999&attendee_name_1=%00&payment_method=card")
	f.Add("seats=-3&terms=yes&action=place")
	e := fuzzApp(f)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	m := fuzzCSRF.FindStringSubmatch(rec.Body.String())
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "_csrf" {
			cookie = c
		}
	}
	if m == nil || cookie == nil {
		f.Fatal("no CSRF token from /login")
	}
	f.Fuzz(func(t *testing.T, form string) {
		req := httptest.NewRequest(http.MethodPost, "/sessions/1/register", strings.NewReader("_csrf="+m[1]+"&"+form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		if code := serve(e, req); code >= 500 {
			t.Fatalf("form %q: got %d, want below 500", form, code)
		}
	})
}

func FuzzStripeWebhook(f *testing.F) {
	f.Add(string(ht.StripeEvent("", "checkout.session.completed", map[string]any{"id": "cs_1", "object": "checkout.session", "client_reference_id": "1"})))
	f.Add(string(ht.StripeEvent("", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge", "amount": -5})))
	f.Add(`{"id":"evt_x","type":"checkout.session.expired","data":{"object":{"metadata":{"order_id":"99999999999999999999"}}}}`)
	e := fuzzApp(f)
	f.Fuzz(func(t *testing.T, payload string) {
		body := []byte(payload)
		req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", payments.SignatureHeader(body, ht.WebhookSecret, time.Now()))
		if code := serve(e, req); code >= 500 && code != http.StatusServiceUnavailable {
			t.Fatalf("signed payload %q: got %d, want below 500", payload, code)
		}
	})
}
