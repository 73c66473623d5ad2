package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/models"
)

func TestCSRF(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{name: "signup without token is refused", req: request{method: "POST", path: "/signup", noCSRF: true,
			form: url.Values{"name": {"X"}, "email": {"x@example.com"}, "password": {goodPassword}, "password_confirm": {goodPassword}}},
			wantStatus: http.StatusForbidden, wantBody: []string{"This form has expired"},
			check: func(t *testing.T, ta *testApp, _ *httptest.ResponseRecorder) {
				if _, err := models.FindUserByEmail(t.Context(), ta.db, "x@example.com"); err == nil {
					t.Error("user created despite missing CSRF token")
				}
			}},
		{name: "login with a wrong token is refused", req: request{method: "POST", path: "/login", noCSRF: true,
			form: url.Values{"_csrf": {"forged"}, "email": {"x@example.com"}, "password": {"whatever12345"}}},
			wantStatus: http.StatusForbidden},
		{name: "cross-site POST is refused", req: request{method: "POST", path: "/login", noCSRF: true,
			headers: map[string]string{"Sec-Fetch-Site": "cross-site"},
			form:    url.Values{"email": {"x@example.com"}, "password": {"whatever12345"}}},
			wantStatus: http.StatusForbidden},
		{name: "logout without token is refused", req: request{method: "POST", path: "/logout", noCSRF: true, form: url.Values{}},
			wantStatus: http.StatusForbidden},
	})
}

func TestAuthorisation(t *testing.T) {
	t.Parallel()
	learner := func(t *testing.T, ta *testApp) *models.User { return mustUser(t, ta.db, models.RoleLearner, "") }
	for _, path := range []string{"/admin", "/admin/emails", "/admin/emails/1"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			if rec := ta.do(t, request{path: path}); rec.Code != http.StatusUnauthorized {
				t.Errorf("anonymous: got %d, want 401", rec.Code)
			}
			if rec := ta.do(t, request{path: path, as: learner(t, ta)}); rec.Code != http.StatusForbidden {
				t.Errorf("learner: got %d, want 403", rec.Code)
			}
			if rec := ta.do(t, request{path: path, as: mustUser(t, ta.db, models.RoleInstructor, "")}); rec.Code != http.StatusForbidden {
				t.Errorf("instructor: got %d, want 403", rec.Code)
			}
			admin := mustUser(t, ta.db, models.RoleAdmin, "")
			want := 200
			if path == "/admin/emails/1" {
				want = 404
			}
			if rec := ta.do(t, request{path: path, as: admin}); rec.Code != want {
				t.Errorf("admin: got %d, want %d", rec.Code, want)
			}
		})
	}
	t.Run("401 page offers a login form that returns here", func(t *testing.T) {
		t.Parallel()
		ta := newTestApp(t)
		rec := ta.do(t, request{path: "/account"})
		if rec.Code != 401 || !strings.Contains(rec.Body.String(), `name="next" value="/account"`) {
			t.Errorf("got %d", rec.Code)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, baseURL string, wantHSTS bool) {
		ta := newTestApp(t, func(d *Deps) { d.Config.BaseURL = baseURL })
		rec := ta.do(t, request{path: "/login"})
		h := rec.Header()
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"Referrer-Policy": "strict-origin-when-cross-origin",
		} {
			if h.Get(k) != want {
				t.Errorf("%s: got %q, want %q", k, h.Get(k), want)
			}
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP lacks %q: %s", want, csp)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP allows inline code: %s", csp)
		}
		if h.Get("X-Request-Id") == "" {
			t.Error("no request ID")
		}
		if got := h.Get("Strict-Transport-Security") != ""; got != wantHSTS {
			t.Errorf("HSTS present: got %v, want %v", got, wantHSTS)
		}
		var csrfCookie *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == "_csrf" {
				csrfCookie = c
			}
		}
		if csrfCookie == nil || csrfCookie.Secure != wantHSTS || csrfCookie.SameSite != http.SameSiteLaxMode || !csrfCookie.HttpOnly {
			t.Errorf("csrf cookie: %+v", csrfCookie)
		}
		if strings.Contains(rec.Body.String(), "<script>") {
			t.Error("inline script in page")
		}
	}
	t.Run("http", func(t *testing.T) { t.Parallel(); check(t, "http://hsw.test", false) })
	t.Run("https", func(t *testing.T) { t.Parallel(); check(t, "https://hsw.test", true) })
}

func TestSecureSessionCookieOnHTTPS(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, func(d *Deps) { d.Config.BaseURL = "https://hsw.test" })
	u := mustUser(t, ta.db, models.RoleLearner, goodPassword)
	rec := ta.do(t, request{method: "POST", path: "/login", form: url.Values{"email": {u.Email}, "password": {goodPassword}}})
	c := sessionCookie(ta, rec)
	if c == nil || c.Name != "__Host-hsw_session" || !c.Secure || !c.HttpOnly || c.Path != "/" {
		t.Fatalf("session cookie: %+v", c)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	big := url.Values{"name": {strings.Repeat("x", 2<<20)}}
	if rec := ta.do(t, request{method: "POST", path: "/signup", form: big}); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", rec.Code)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, func(d *Deps) { d.Config.RateLimit = 3 })
	codes := []int{}
	for i := 0; i < 5; i++ {
		codes = append(codes, ta.do(t, request{method: "POST", path: "/password/forgot", remote: "203.0.113.50:1",
			headers: map[string]string{"X-Forwarded-For": "10.9.9." + string(rune('0'+i))},
			form:    url.Values{"email": {"a@example.com"}}}).Code)
	}
	if codes[4] != http.StatusTooManyRequests {
		t.Errorf("codes: %v, want the last to be 429", codes)
	}
	// GETs are not limited.
	for i := 0; i < 5; i++ {
		if c := ta.do(t, request{path: "/sessions", remote: "203.0.113.50:1"}).Code; c != 200 {
			t.Fatalf("GET limited: %d", c)
		}
	}
}

func TestPanicBecomes500Page(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ta.e.GET("/boom", func(echo.Context) error { panic("kaboom") })
	rec := ta.do(t, request{path: "/boom"})
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "kaboom") || !strings.Contains(rec.Body.String(), "Something went wrong") {
		t.Errorf("got %d %s", rec.Code, rec.Body.String())
	}
}

// TestStateChangingRoutesNeedCSRFAndRoles checks every form POST of the
// registration and staff areas without a token (403, nothing stored), and
// the staff POSTs as anonymous (401) and as a learner (403).
func TestStateChangingRoutesNeedCSRFAndRoles(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	s := mustSession(t, ta.db, mustWorkshop(t, ta.db), func(s *models.Session) { s.AllowInvoice = true })
	o := ta.placeAPIOrder(t, s.ID, 2, "invoice")
	admin := mustUser(t, ta.db, models.RoleAdmin, "")
	forms := map[string]url.Values{
		fmt.Sprintf("/sessions/%d/register", s.ID):                              registerValues("invoice"),
		fmt.Sprintf("/sessions/%d/waitlist", s.ID):                              {"name": {"W"}, "email": {"w@example.com"}, "seats": {"1"}},
		"/waitlist/claim":                                                       {"waitlist_token": {"x"}},
		"/orders/" + o.Ref + "/cancel":                                          {},
		fmt.Sprintf("/orders/%s/attendees/%d/cancel", o.Ref, o.Attendees[0].ID): {},
		fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID):                         {},
		fmt.Sprintf("/admin/orders/%d/clear-flag", o.ID):                        {},
		fmt.Sprintf("/admin/sessions/%d/capacity", s.ID):                        {"capacity": {"50"}},
		fmt.Sprintf("/admin/sessions/%d/policy", s.ID):                          {"cancel_cutoff_hours": {"1"}, "cancel_fee": {"0"}},
	}
	for path, form := range forms {
		if c := ta.do(t, request{method: "POST", path: path, form: form, noCSRF: true, as: admin}).Code; c != http.StatusForbidden {
			t.Errorf("%s without CSRF token: got %d, want 403", path, c)
		}
		if strings.HasPrefix(path, "/admin/") {
			if c := ta.do(t, request{method: "POST", path: path, form: url.Values{}}).Code; c != http.StatusUnauthorized {
				t.Errorf("%s anonymous: got %d, want 401", path, c)
			}
			if c := ta.do(t, request{method: "POST", path: path, form: url.Values{}, as: mustUser(t, ta.db, models.RoleLearner, "")}).Code; c != http.StatusForbidden {
				t.Errorf("%s as learner: got %d, want 403", path, c)
			}
		}
	}
	got := ta.order(t, o.ID)
	if got.Status != models.OrderPendingInvoice || len(got.ActiveAttendees()) != 2 || ta.activeSeats(t, s.ID) != 2 || ta.session(t, s.ID).Capacity != 20 {
		t.Errorf("a refused request changed data: order %s, %d attendees, %d seats, capacity %d",
			got.Status, len(got.ActiveAttendees()), ta.activeSeats(t, s.ID), ta.session(t, s.ID).Capacity)
	}
}
