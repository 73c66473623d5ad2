// Package handlertest is the HTTP test harness of the handler areas: a
// fresh migrated database per test (SQLite, or PostgreSQL with
// TEST_DATABASE_URL), the whole app behind the real router, middleware and
// error handler, a movable clock, requests with CSRF and login, table
// scenarios, fixtures and Stripe helpers. Area tests (package <area>_test)
// and the handlers tests use it.
//
// It may import handlers (to build the app), handlers/web, services,
// adapters and models; only tests import it.
package handlertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/handlers"
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/internal/testsvc"
	"github.com/hsworkshop/hsworkshop/models"
	"github.com/labstack/echo/v4"
	"github.com/stripe/stripe-go/v76"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Passwords hashes at bcrypt's minimum cost so tests stay fast under
// -race; TestDefaultPasswordCost checks production's cost.
var Passwords = models.NewPasswords(bcrypt.MinCost)

// Now is the fixed clock of every handler test.
var Now = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

// App is a handlers.App wired to a fresh database, behind the real router.
type App struct {
	E        *echo.Echo
	DB       *gorm.DB
	Handlers *handlers.App
	// Deps are the dependencies the app was built with (to build a second
	// instance on the same database).
	Deps handlers.Deps
	Log  *LockedBuffer
	now  *atomic.Pointer[time.Time]
}

// sharedPages is the page set of the first App built from the embedded
// templates and assets; later ones reuse it instead of parsing again (a
// parsed html/template set is immutable and safe for concurrent use).
var sharedPages atomic.Pointer[web.Renderer]

// New builds an App on its own migrated database (SQLite or
// Postgres per TEST_DATABASE_URL) with a fixed, movable clock.
func New(t *testing.T, mutate ...func(*handlers.Deps)) *App {
	t.Helper()
	db, _ := testdb.Open(t)
	return NewOn(t, db, mutate...)
}

// NewOn builds an App as New does, on a database the test already has (a
// copy of a testdb.Snapshot of a fixture world, say).
func NewOn(t *testing.T, db *gorm.DB, mutate ...func(*handlers.Deps)) *App {
	t.Helper()
	logBuf := &LockedBuffer{}
	clock := &atomic.Pointer[time.Time]{}
	n := Now
	clock.Store(&n)
	d := handlers.Deps{DB: db, Logger: slog.New(slog.NewTextHandler(logBuf, nil)),
		Now:    func() time.Time { return *clock.Load() },
		Config: handlers.Config{BaseURL: "http://hsw.test", RateLimit: 0}, Passwords: Passwords}
	for _, m := range mutate {
		m(&d)
	}
	standard := d.TemplatesFS == nil && d.StaticFS == nil && d.DevTemplatesFS == nil && !d.Config.Dev && d.Pages == nil
	if standard {
		d.Pages = sharedPages.Load()
	}
	app, err := handlers.New(d)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if standard && d.Pages == nil {
		sharedPages.CompareAndSwap(nil, app.Renderer())
	}
	d.Pages = nil // Deps as the test built them
	e := echo.New()
	app.Register(e)
	return &App{E: e, DB: db, Handlers: app, Deps: d, Log: logBuf, now: clock}
}

// SetNow moves the test clock.
func (ta *App) SetNow(t time.Time) { ta.now.Store(&t) }

// Now is the test clock's time.
func (ta *App) Now() time.Time { return *ta.now.Load() }

// LockedBuffer collects log output from concurrent requests.
type LockedBuffer = testsvc.SyncBuffer

// Request is one HTTP call through the real router and middleware.
type Request struct {
	Method  string // GET when empty
	Path    string
	Form    url.Values // sent form-encoded, with a CSRF token unless NoCSRF
	Body    string
	Headers map[string]string
	Cookies []*http.Cookie
	As      *models.User // logged in as
	Remote  string
	NoCSRF  bool
}

// Do sends r through the real router and middleware and returns the response.
func (ta *App) Do(t *testing.T, r Request) *httptest.ResponseRecorder {
	t.Helper()
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	var body io.Reader
	cookies := append([]*http.Cookie{}, r.Cookies...)
	if r.As != nil {
		cookies = append(cookies, ta.Login(t, r.As))
	}
	switch {
	case r.Form != nil:
		if !r.NoCSRF && r.Method != http.MethodGet {
			tok, ck := ta.CSRF(t)
			r.Form.Set("_csrf", tok)
			cookies = append(cookies, ck)
		}
		body = strings.NewReader(r.Form.Encode())
	case r.Body != "":
		body = strings.NewReader(r.Body)
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if r.Form != nil {
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	if r.Remote != "" {
		req.RemoteAddr = r.Remote
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	ta.E.ServeHTTP(rec, req)
	return rec
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// CSRF fetches a form token the way a browser without Sec-Fetch-Site
// would: from the page's hidden input, paired with the cookie it set.
func (ta *App) CSRF(t *testing.T) (string, *http.Cookie) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/login", nil)
	rec := httptest.NewRecorder()
	ta.E.ServeHTTP(rec, req)
	m := csrfInput.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no CSRF input on /login (status %d)", rec.Code)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "_csrf" || c.Name == "__Host-csrf" {
			return m[1], c
		}
	}
	t.Fatal("no CSRF cookie set by /login")
	return "", nil
}

// Login starts a server-side session for u and returns its cookie.
func (ta *App) Login(t *testing.T, u *models.User) *http.Cookie {
	t.Helper()
	token, err := models.CreateLoginSession(context.Background(), ta.DB, u.ID, "192.0.2.1", "test", ta.Now())
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return &http.Cookie{Name: ta.Handlers.SessionCookieName(), Value: token} // #nosec G124 -- a request cookie sent by the test client; attributes apply only to Set-Cookie
}

// Scenario is one row of a table-driven HTTP test.
type Scenario struct {
	Name         string
	Req          Request
	Setup        func(t *testing.T, ta *App)
	WantStatus   int
	WantBody     []string
	WantNotBody  []string
	WantLocation string
	Check        func(t *testing.T, ta *App, rec *httptest.ResponseRecorder)
}

// Run runs each Scenario on its own fresh app.
func Run(t *testing.T, scenarios []Scenario, mutate ...func(*handlers.Deps)) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			ta := New(t, mutate...)
			if sc.Setup != nil {
				sc.Setup(t, ta)
			}
			rec := ta.Do(t, sc.Req)
			if sc.WantStatus != 0 && rec.Code != sc.WantStatus {
				t.Fatalf("status: got %d, want %d\nbody: %.2000s", rec.Code, sc.WantStatus, rec.Body.String())
			}
			body := rec.Body.String()
			for _, w := range sc.WantBody {
				if !strings.Contains(body, w) {
					t.Errorf("body does not contain %q\nbody: %.3000s", w, body)
				}
			}
			for _, w := range sc.WantNotBody {
				if strings.Contains(body, w) {
					t.Errorf("body contains %q but should not", w)
				}
			}
			if sc.WantLocation != "" && rec.Header().Get("Location") != sc.WantLocation {
				t.Errorf("Location: got %q, want %q", rec.Header().Get("Location"), sc.WantLocation)
			}
			if sc.Check != nil {
				sc.Check(t, ta, rec)
			}
		})
	}
}

// Fixtures.

var fixtureSeq atomic.Int64

// MustUser creates a user with role and password (none when empty) whose
// address is proven (MustUnverifiedUser for one that is not).
func MustUser(t *testing.T, db *gorm.DB, role models.Role, password string) *models.User {
	t.Helper()
	at := Now
	return mustUser(t, db, role, password, &at)
}

// MustUnverifiedUser creates a user who has not proven the address.
func MustUnverifiedUser(t *testing.T, db *gorm.DB, role models.Role, password string) *models.User {
	t.Helper()
	return mustUser(t, db, role, password, nil)
}

func mustUser(t *testing.T, db *gorm.DB, role models.Role, password string, verified *time.Time) *models.User {
	t.Helper()
	hash := ""
	if password != "" {
		var err error
		if hash, err = fixtureHash(password); err != nil {
			t.Fatal(err)
		}
	}
	n := fixtureSeq.Add(1)
	u := &models.User{Name: fmt.Sprintf("User %d", n), Email: fmt.Sprintf("user%d@example.com", n), Role: role, PasswordHash: hash, EmailVerifiedAt: verified}
	if err := models.CreateUser(context.Background(), db, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

// fixtureHashes holds one bcrypt hash per fixture password: a hash is
// valid for any user, and under -race even the minimum cost is a few
// milliseconds per fixture user.
var fixtureHashes sync.Map // password -> func() (string, error)

func fixtureHash(password string) (string, error) {
	f, _ := fixtureHashes.LoadOrStore(password, sync.OnceValues(func() (string, error) { return Passwords.Hash(password) }))
	return f.(func() (string, error))()
}

// MustWorkshop creates a workshop; opts adjust it before it is stored.
func MustWorkshop(t *testing.T, db *gorm.DB, opts ...func(*models.Workshop)) *models.Workshop {
	t.Helper()
	n := fixtureSeq.Add(1)
	w := &models.Workshop{Slug: fmt.Sprintf("workshop-%d", n), Title: fmt.Sprintf("Workshop %d", n), Summary: "A summary.",
		DescriptionMD: "Some **bold** text.", AgendaMD: "- 09:00 Welcome", Level: "introductory", DurationMinutes: 420,
		CECreditHours: 6, DefaultPriceMinor: 59500, Currency: "USD"}
	for _, o := range opts {
		o(w)
	}
	if err := db.Create(w).Error; err != nil {
		t.Fatalf("create workshop: %v", err)
	}
	return w
}

// MustTopic creates a catalog topic.
func MustTopic(t *testing.T, db *gorm.DB, slug, name string) models.Topic {
	t.Helper()
	tp := models.Topic{Slug: slug, Name: name}
	if err := db.Create(&tp).Error; err != nil {
		t.Fatalf("create topic: %v", err)
	}
	return tp
}

// MustSession creates a published session of w starting days after Now
// at 14:00 UTC, 7 h long, with 20 seats at $595.
func MustSession(t *testing.T, db *gorm.DB, w *models.Workshop, opts ...func(*models.Session)) *models.Session {
	t.Helper()
	start := Now.AddDate(0, 0, 10).Truncate(24 * time.Hour).Add(14 * time.Hour)
	s := &models.Session{WorkshopID: w.ID, StartsAt: start, EndsAt: start.Add(7 * time.Hour), TimeZone: "America/New_York",
		Format: models.FormatVirtual, Capacity: 20, PriceMinor: 59500, Currency: "USD", Status: models.StatusPublished,
		RegistrationClosesAt: start.Add(-24 * time.Hour), JoinURL: "https://meet.example.test/j/secret-room", RoomDetails: "Room 7, badge at desk"}
	for _, o := range opts {
		o(s)
	}
	if err := models.CreateSession(context.Background(), db, s); err != nil {
		t.Fatalf("create session: %v", err)
	}
	return s
}

// WebhookSecret signs the test webhooks of the fake Stripe.
const WebhookSecret = "whsec_test_secret" // #nosec G101 -- a test-only secret for the in-memory fake

// WithFakeStripe turns card payments on with an in-memory Stripe.
func WithFakeStripe(f *payments.Fake) func(*handlers.Deps) {
	return func(d *handlers.Deps) { d.Payments = f }
}

// APIOrderBody is a valid order Request for n attendees.
func APIOrderBody(n int, method string, extra ...string) string {
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

// PostJSON posts body as application/json to path.
func (ta *App) PostJSON(t *testing.T, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	return ta.Do(t, Request{Method: http.MethodPost, Path: path, Body: body, Headers: map[string]string{"Content-Type": "application/json"}})
}

// PlaceAPIOrder creates an order through the API and returns it.
func (ta *App) PlaceAPIOrder(t *testing.T, sessionID uint, n int, method string, extra ...string) *models.Order {
	t.Helper()
	rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", sessionID), APIOrderBody(n, method, extra...))
	if rec.Code != http.StatusCreated {
		t.Fatalf("place order: got %d %s", rec.Code, rec.Body.String())
	}
	var out struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	o, err := models.FindOrderByRef(context.Background(), ta.DB, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.AwaitingConfirmation() {
		// The buyer follows the emailed confirmation link (PlaceUnconfirmedAPIOrder
		// stops before).
		return ta.ConfirmOrderByEmail(t, o)
	}
	return o
}

// PlaceUnconfirmedAPIOrder places an API order and leaves an invoice order
// waiting for its buyer's confirmation.
func (ta *App) PlaceUnconfirmedAPIOrder(t *testing.T, sessionID uint, n int, method string, extra ...string) *models.Order {
	t.Helper()
	rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", sessionID), APIOrderBody(n, method, extra...))
	if rec.Code != http.StatusCreated {
		t.Fatalf("place order: got %d %s", rec.Code, rec.Body.String())
	}
	out := DecodeJSON[struct{ ID string }](t, rec)
	o, err := models.FindOrderByRef(context.Background(), ta.DB, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var orderConfirmLink = regexp.MustCompile(`/orders/confirm\?token=([A-Za-z0-9_-]+)`)

// ConfirmOrderByEmail follows the confirmation link emailed to the buyer
// of a held invoice order and returns the order as it is afterwards.
func (ta *App) ConfirmOrderByEmail(t *testing.T, o *models.Order) *models.Order {
	t.Helper()
	var token string
	for _, m := range ta.Mailbox(t, "order_verification") {
		if m.ToAddr == o.BuyerEmail && strings.Contains(m.DedupeKey, "order_verification:") {
			if g := orderConfirmLink.FindStringSubmatch(m.TextBody); g != nil && strings.Contains(m.TextBody, o.Session.Workshop.Title) {
				token = g[1]
				break
			}
		}
	}
	if token == "" {
		t.Fatalf("no confirmation email for order %d to %s", o.ID, o.BuyerEmail)
	}
	if rec := ta.Do(t, Request{Method: http.MethodPost, Path: "/orders/confirm", Form: url.Values{"token": {token}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("confirm order: got %d %s", rec.Code, rec.Body.String())
	}
	return ta.Order(t, o.ID)
}

// Order loads an order with its attendees and session.
func (ta *App) Order(t *testing.T, id uint) *models.Order {
	t.Helper()
	o, err := models.FindOrder(context.Background(), ta.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Session loads a session.
func (ta *App) Session(t *testing.T, id uint) *models.Session {
	t.Helper()
	s, err := models.FindSession(context.Background(), ta.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// CountEmails counts outbox messages whose dedupe key starts with prefix.
func (ta *App) CountEmails(t *testing.T, prefix string) int64 {
	t.Helper()
	var n int64
	if err := ta.DB.Model(&models.Email{}).Where("dedupe_key LIKE ?", prefix+"%").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// ActiveSeats sums the seats of orders that hold seats, straight from the
// orders (not the counter), to check the capacity invariant.
func (ta *App) ActiveSeats(t *testing.T, sessionID uint) int {
	t.Helper()
	var n int64
	err := ta.DB.Model(&models.Attendee{}).Joins("JOIN orders ON orders.id = attendees.order_id").
		Where("orders.session_id = ? AND orders.status IN ? AND attendees.status = ?", sessionID,
			[]models.OrderStatus{models.OrderHeld, models.OrderPendingInvoice, models.OrderPaid}, models.AttendeeActive).Count(&n).Error
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

var eventSeq atomic.Int64

// StripeEvent builds a Stripe event JSON of the given type around object.
func StripeEvent(id, typ string, object map[string]any) []byte {
	if id == "" {
		id = fmt.Sprintf("evt_test_%d", eventSeq.Add(1))
	}
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": stripe.APIVersion,
		"created": time.Now().Unix(), "livemode": false, "data": map[string]any{"object": object}})
	return b
}

// CheckoutObject is a checkout.session object for an order.
func CheckoutObject(o *models.Order, paymentStatus, pi string) map[string]any {
	return map[string]any{"id": o.StripeCheckoutSessionID, "object": "checkout.session", "client_reference_id": fmt.Sprint(o.ID),
		"payment_status": paymentStatus, "payment_intent": pi, "amount_total": o.TotalMinor, "currency": strings.ToLower(o.Currency),
		"metadata": map[string]string{"order_id": fmt.Sprint(o.ID)}}
}

// ChargeObject is a refunded charge for a payment intent.
func ChargeObject(orderID uint, pi string, amount, refunded int64) map[string]any {
	return map[string]any{"id": "ch_" + pi, "object": "charge", "payment_intent": pi, "amount": amount, "amount_refunded": refunded,
		"refunded": refunded >= amount, "metadata": map[string]string{"order_id": fmt.Sprint(orderID)}}
}

// PostWebhook delivers a signed event to the webhook.
func (ta *App) PostWebhook(t *testing.T, body []byte, at time.Time) *httptest.ResponseRecorder {
	t.Helper()
	return ta.Do(t, Request{Method: http.MethodPost, Path: "/webhooks/stripe", Body: string(body),
		Headers: map[string]string{"Stripe-Signature": payments.SignatureHeader(body, WebhookSecret, at), "Content-Type": "application/json"}})
}

// CardOrder places a card order through the API with the fake Stripe and
// returns it with its checkout session id.
func (ta *App) CardOrder(t *testing.T, sessionID uint, n int) *models.Order {
	t.Helper()
	o := ta.PlaceAPIOrder(t, sessionID, n, "card")
	if o.Status != models.OrderHeld || o.StripeCheckoutSessionID == "" {
		t.Fatalf("card order: status %s checkout %q", o.Status, o.StripeCheckoutSessionID)
	}
	return o
}

// bundledHTS is the bundled tariff index, built once per test binary and
// only read by the tests (about a second to build).
var bundledHTS = sync.OnceValues(func() (*hts.Index, error) { return hts.LoadBundled(content.FS) })

// BundledHTS is the bundled index shared by the test binary (read only).
func BundledHTS(t *testing.T) *hts.Index {
	t.Helper()
	ix, err := bundledHTS()
	if err != nil {
		t.Fatalf("load tariff index: %v", err)
	}
	return ix
}

// WithHTS wires the bundled index into a test app.
func WithHTS(t *testing.T) func(*handlers.Deps) {
	t.Helper()
	ix := BundledHTS(t)
	return func(d *handlers.Deps) { d.HTS = ix }
}

// DecodeJSON decodes a JSON response body into T.
func DecodeJSON[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
	return v
}

// GoodPassword passes the password rules; fixtures and forms use it.
const GoodPassword = "correct horse battery"

// SessionCookie is the login cookie a response set, or nil.
func (ta *App) SessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == ta.Handlers.SessionCookieName() && c.MaxAge >= 0 && c.Value != "" {
			return c
		}
	}
	return nil
}

// registerForm2 is a valid two-attendee form for session s.
func RegisterValues(method string) url.Values {
	return url.Values{"seats": {"2"}, "attendee_name_1": {"Ana Pérez"}, "attendee_email_1": {"ana@broker.example"},
		"attendee_name_2": {"Ben Okafor"}, "attendee_email_2": {"ben@broker.example"},
		"buyer_name": {"Ana Pérez"}, "buyer_email": {"ana@broker.example"}, "buyer_company": {"Pérez Customs"},
		"po_number": {"PO-7781"}, "payment_method": {method}, "terms": {"yes"}, "action": {"place"}}
}

// Mailbox returns the outbox messages of kind ("" for all), newest first,
// with their bodies as delivered: what the recipient's mailbox holds (the
// staff views redact secret links).
func (ta *App) Mailbox(t *testing.T, kind string) []models.Email {
	t.Helper()
	var ms []models.Email
	q := ta.DB.Order("id DESC")
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	if err := q.Find(&ms).Error; err != nil {
		t.Fatal(err)
	}
	return ms
}

// LinkIn returns the first match of re's group 1 in the newest message of
// kind to the address, failing the test when there is none.
func (ta *App) LinkIn(t *testing.T, kind, to string, re *regexp.Regexp) string {
	t.Helper()
	for _, m := range ta.Mailbox(t, kind) {
		if m.ToAddr != to {
			continue
		}
		if g := re.FindStringSubmatch(m.TextBody); g != nil {
			return g[1]
		}
	}
	t.Fatalf("no %s message to %s with a link matching %s", kind, to, re)
	return ""
}
