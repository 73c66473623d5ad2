package handlers_test

// The attack suite: every route of the router, taken from e.Routes() so a
// new area is covered from its first route, is tried as anonymous, a
// learner who owns the objects, another learner, the instructor of another
// session and an admin, with the object IDs and refs of the fixture world;
// every state-changing route must refuse a missing or foreign CSRF token.
//
// A route missing from routeAccess fails TestAttackRoutesAreInMatrix with
// the line to add.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// outcome is how a route must answer one role.
type outcome int

const (
	allow  outcome = iota // anything but 401/403/404 (and never 5xx)
	login                 // 401
	forbid                // 403
	hidden                // 404: someone else's object reveals nothing
	bad                   // 400: the webhook without a signature
)

func (o outcome) String() string {
	return [...]string{"allowed", "401", "403", "404", "400"}[o]
}

// The roles, in the order of an access row.
var roleNames = [...]string{"anonymous", "learner (owner)", "another learner", "instructor of another session", "admin"}

// access is the outcome per role, in roleNames order.
type access [5]outcome

var (
	public    = access{allow, allow, allow, allow, allow}
	userOnly  = access{login, allow, allow, allow, allow}
	adminOnly = access{login, forbid, forbid, forbid, allow}
	ownSeat   = access{login, allow, hidden, hidden, hidden}
	// Order pages are keyed by an unguessable ref (the buyer's key, as in
	// the emails); with the ref anyone may act, without it nobody finds it.
	byRef = public
	// Waiting-list claims are keyed by the emailed token; without it
	// nobody finds anything.
	byToken = access{hidden, hidden, hidden, hidden, hidden}
	signed  = access{bad, bad, bad, bad, bad}
)

// routeAccess is the authorization matrix: one line per route.
var routeAccess = map[string]access{
	"GET /":                                   public,
	"GET /static/*":                           public,
	"GET /healthz":                            public,
	"GET /sessions":                           public,
	"GET /sessions/:id":                       public,
	"GET /workshops/:slug":                    public,
	"GET /calendar.ics":                       public,
	"GET /terms":                              public,
	"GET /sessions/:id/register":              public,
	"POST /sessions/:id/register":             public,
	"GET /sessions/:id/waitlist":              public,
	"POST /sessions/:id/waitlist":             public,
	"GET /waitlist/claim":                     byToken,
	"POST /waitlist/claim":                    byToken,
	"GET /orders/confirm":                     public,
	"POST /orders/confirm":                    public,
	"GET /orders/:ref":                        byRef,
	"GET /orders/:ref/return":                 byRef,
	"GET /orders/:ref/checkout-cancelled":     byRef,
	"POST /orders/:ref/checkout-cancelled":    byRef,
	"POST /orders/:ref/cancel":                byRef,
	"POST /orders/:ref/attendees/:aid/cancel": byRef,
	"GET /orders/:ref/invoice.pdf":            byRef,
	"GET /orders/:ref/receipt.pdf":            byRef,
	"GET /orders/:ref/session.ics":            byRef,
	"POST /webhooks/stripe":                   signed,
	"GET /signup":                             public,
	"POST /signup":                            public,
	"GET /login":                              public,
	"POST /login":                             public,
	"POST /logout":                            public,
	"GET /password/forgot":                    public,
	"POST /password/forgot":                   public,
	"GET /password/reset":                     public,
	"POST /password/reset":                    public,
	"GET /account":                            userOnly,
	"POST /account":                           userOnly,
	"POST /account/password":                  userOnly,
	"GET /account/registrations":              userOnly,
	"GET /account/seats/:id":                  ownSeat,
	"GET /account/seats/:id/session.ics":      ownSeat,
	"GET /account/verify":                     public,
	"POST /account/verify":                    userOnly,
	"POST /account/verify/resend":             userOnly,
	"GET /admin":                              adminOnly,
	"GET /admin/emails":                       adminOnly,
	"GET /admin/emails/:id":                   adminOnly,
	"GET /admin/orders":                       adminOnly,
	"POST /admin/orders/:id/mark-paid":        adminOnly,
	"POST /admin/orders/:id/clear-flag":       adminOnly,
	"GET /admin/sessions/:id":                 adminOnly,
	"POST /admin/sessions/:id/capacity":       adminOnly,
	"POST /admin/sessions/:id/policy":         adminOnly,
	"GET /admin/sessions/:id/roster.csv":      adminOnly, // and the session's own instructor
	"GET /api/v1/sessions":                    public,
	"GET /api/v1/sessions/:id":                public,
	"POST /api/v1/sessions/:id/orders":        public,
	"GET /hts":                                public,
	"GET /hts/search":                         public,
	"GET /hts/:code":                          public,
	"GET /api/v1/hts/search":                  public,
	"GET /api/v1/hts/:code":                   public,
	"GET /tools/duty":                         public,
	"GET /api/v1/duty":                        public,
}

// csrfExempt are the state-changing routes without a CSRF token: the
// webhook is verified by its signature, the JSON API acts on no cookie.
var csrfExempt = map[string]bool{
	"POST /webhooks/stripe":            true,
	"POST /api/v1/sessions/:id/orders": true,
}

// world is the fixture every route is tried against: objects owned by the
// learner (a seat on an order bought by a guest buyer), a session taught
// by someone other than the instructor role, an outbox message.
type world struct {
	roles    [5]*models.User
	workshop *models.Workshop
	session  *models.Session
	order    *models.Order
	seat     models.Attendee
	emailID  uint
}

func newWorld(t *testing.T, ta *ht.App) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{}
	w.roles[1] = ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	w.roles[2] = ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	w.roles[3] = ht.MustUser(t, ta.DB, models.RoleInstructor, ht.GoodPassword)
	w.roles[4] = ht.MustUser(t, ta.DB, models.RoleAdmin, ht.GoodPassword)
	teacher := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	ws := ht.MustWorkshop(t, ta.DB)
	w.workshop = ws
	w.session = ht.MustSession(t, ta.DB, ws, func(s *models.Session) { s.AllowInvoice = true; s.InstructorID = &teacher.ID })
	body := fmt.Sprintf(`{"buyer":{"name":"Guest Buyer","email":"buyer@broker.example"},"attendees":[{"name":"Owner","email":%q},{"name":"Colleague","email":"colleague@broker.example"}],"payment_method":"invoice"}`, w.roles[1].Email)
	rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", w.session.ID), body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("world order: %d %s", rec.Code, rec.Body.String())
	}
	out := ht.DecodeJSON[struct{ ID string }](t, rec)
	o, err := models.FindOrderByRef(ctx, ta.DB, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	o = ta.ConfirmOrderByEmail(t, o)
	w.order = o
	if len(o.Attendees) != 2 {
		t.Fatalf("world order: got %d attendees, want 2", len(o.Attendees))
	}
	w.seat = o.Attendees[0]
	// Paid, so that every document (invoice and receipt) exists.
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: w.roles[4], Form: url.Values{}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("world: mark paid: %d", rec.Code)
	}
	w.order = ta.Order(t, o.ID)
	ms := ta.Mailbox(t, "")
	if len(ms) == 0 {
		t.Fatal("world: no outbox message")
	}
	w.emailID = ms[0].ID
	return w
}

var paramRe = regexp.MustCompile(`:[a-z_]+|\*$`)

// fill puts the world's IDs into a route pattern. A new area whose
// parameters mean something else adds a case here.
func (w *world) fill(path string) string {
	return paramRe.ReplaceAllStringFunc(path, func(p string) string {
		switch {
		case p == "*":
			return "css/app.css"
		case p == ":ref":
			return w.order.Ref
		case p == ":aid":
			return fmt.Sprint(w.order.Attendees[1].ID)
		case p == ":slug":
			return w.workshop.Slug
		case p == ":code":
			return "8471.30.01"
		case p == ":id" && strings.HasPrefix(path, "/admin/orders/"):
			return fmt.Sprint(w.order.ID)
		case p == ":id" && strings.HasPrefix(path, "/admin/emails/"):
			return fmt.Sprint(w.emailID)
		case p == ":id" && strings.HasPrefix(path, "/account/seats/"):
			return fmt.Sprint(w.seat.ID)
		default:
			return fmt.Sprint(w.session.ID)
		}
	})
}

// routeKeys lists the routes of the router as "METHOD path" (Echo's own
// not-found entries left out).
func routeKeys(ta *ht.App) []string {
	var keys []string
	for _, r := range ta.E.Routes() {
		if r.Method == "echo_route_not_found" {
			continue
		}
		keys = append(keys, r.Method+" "+r.Path)
	}
	sort.Strings(keys)
	return keys
}

func TestAttackRoutesAreInMatrix(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	keys := routeKeys(ta)
	if len(keys) < len(routeAccess) {
		t.Errorf("router has %d routes, the matrix %d: remove the lines of deleted routes", len(keys), len(routeAccess))
	}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
		if _, ok := routeAccess[k]; !ok {
			t.Errorf("route %q is not in the attack suite's authorization matrix: add a line such as\n\t%q: userOnly,\nto routeAccess in handlers/attack_test.go (and a case to world.fill if its parameters are new)", k, k)
		}
	}
	for k := range routeAccess {
		if !seen[k] {
			t.Errorf("matrix line %q matches no route: remove it", k)
		}
	}
}

func classify(code int) outcome {
	switch code {
	case http.StatusUnauthorized:
		return login
	case http.StatusForbidden:
		return forbid
	case http.StatusNotFound:
		return hidden
	case http.StatusBadRequest:
		return bad
	}
	return allow
}

func TestAttackAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	probe := ht.New(t)
	for _, key := range routeKeys(probe) {
		want, ok := routeAccess[key]
		if !ok {
			continue // TestAttackRoutesAreInMatrix reports it
		}
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			method, pattern, _ := strings.Cut(key, " ")
			// A state-changing route gets a fresh world per role, so one
			// role's effect (a cancellation) does not decide the next answer.
			var ta *ht.App
			var w *world
			for i := range roleNames {
				if ta == nil || method != http.MethodGet {
					ta = attackApp(t, pattern)
					w = newWorld(t, ta)
				}
				as := w.roles[i]
				path := w.fill(pattern)
				req := ht.Request{Method: method, Path: path, As: as}
				if method != http.MethodGet {
					req.Form = url.Values{}
					if strings.HasPrefix(pattern, "/api/") || pattern == "/webhooks/stripe" {
						req.Form, req.Body = nil, "{}"
						req.Headers = map[string]string{"Content-Type": "application/json"}
					}
				}
				rec := ta.Do(t, req)
				if rec.Code >= 500 {
					t.Errorf("as %s: got %d, want never a 5xx", roleNames[i], rec.Code)
					continue
				}
				got := classify(rec.Code)
				exp := want[i]
				if exp == allow && got == bad {
					got = allow // a 400 for an empty form is an answer, not a refusal
				}
				if got != exp {
					t.Errorf("%s as %s: got %d (%s), want %s", path, roleNames[i], rec.Code, got, exp)
				}
			}
		})
	}
}

// attackApp builds the app for a route: with card payments (so the
// webhook is live) and, for tariff routes, the tariff index.
func attackApp(t *testing.T, pattern string) *ht.App {
	t.Helper()
	opts := []func(*handlers.Deps){ht.WithFakeStripe(payments.NewFake(ht.WebhookSecret))}
	if strings.Contains(pattern, "hts") || strings.Contains(pattern, "duty") {
		opts = append(opts, ht.WithHTS(t))
	}
	return ht.New(t, opts...)
}

// TestAttackCSRFOnEveryStateChange: every non-GET route (but the exempt
// machine endpoints) refuses a request without a token and one whose token
// does not match its cookie, even from an admin, and changes nothing.
func TestAttackCSRFOnEveryStateChange(t *testing.T) {
	t.Parallel()
	ta := attackApp(t, "")
	w := newWorld(t, ta)
	n := 0
	for _, key := range routeKeys(ta) {
		method, pattern, _ := strings.Cut(key, " ")
		if method == http.MethodGet || method == http.MethodHead || csrfExempt[key] {
			continue
		}
		n++
		path := w.fill(pattern)
		for _, as := range []*models.User{nil, w.roles[1], w.roles[4]} {
			if c := ta.Do(t, ht.Request{Method: method, Path: path, As: as, NoCSRF: true, Form: url.Values{}}).Code; c != http.StatusForbidden {
				t.Errorf("%s without a CSRF token: got %d, want 403", key, c)
			}
			tok, _ := ta.CSRF(t)
			_, otherCookie := ta.CSRF(t)
			rec := ta.Do(t, ht.Request{Method: method, Path: path, As: as, NoCSRF: true, Cookies: []*http.Cookie{otherCookie},
				Form: url.Values{"_csrf": {tok}}})
			if rec.Code != http.StatusForbidden {
				t.Errorf("%s with a foreign CSRF token: got %d, want 403", key, rec.Code)
			}
		}
	}
	if n < 15 {
		t.Fatalf("checked %d state-changing routes, want at least 15", n)
	}
	if o := ta.Order(t, w.order.ID); o.Status != models.OrderPaid || len(o.ActiveAttendees()) != 2 {
		t.Errorf("a refused request changed the order: %s, %d attendees", o.Status, len(o.ActiveAttendees()))
	}
	// The webhook instead requires a valid signature.
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/webhooks/stripe", Body: `{"id":"evt_1","type":"checkout.session.completed"}`,
		Headers: map[string]string{"Stripe-Signature": "t=1,v1=forged", "Content-Type": "application/json"}}).Code; c != http.StatusBadRequest {
		t.Errorf("webhook with a forged signature: got %d, want 400", c)
	}
}
