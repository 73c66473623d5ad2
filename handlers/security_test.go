package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/models"
)

func TestCSRF(t *testing.T) {
	t.Parallel()
	ht.Run(t, []ht.Scenario{
		{Name: "signup without token is refused", Req: ht.Request{Method: "POST", Path: "/signup", NoCSRF: true,
			Form: url.Values{"name": {"X"}, "email": {"x@example.com"}, "password": {ht.GoodPassword}, "password_confirm": {ht.GoodPassword}}},
			WantStatus: http.StatusForbidden, WantBody: []string{"This form has expired"},
			Check: func(t *testing.T, ta *ht.App, _ *httptest.ResponseRecorder) {
				if _, err := models.FindUserByEmail(t.Context(), ta.DB, "x@example.com"); err == nil {
					t.Error("user created despite missing CSRF token")
				}
			}},
		{Name: "login with a wrong token is refused", Req: ht.Request{Method: "POST", Path: "/login", NoCSRF: true,
			Form: url.Values{"_csrf": {"forged"}, "email": {"x@example.com"}, "password": {"whatever12345"}}},
			WantStatus: http.StatusForbidden},
		{Name: "cross-site POST is refused", Req: ht.Request{Method: "POST", Path: "/login", NoCSRF: true,
			Headers: map[string]string{"Sec-Fetch-Site": "cross-site"},
			Form:    url.Values{"email": {"x@example.com"}, "password": {"whatever12345"}}},
			WantStatus: http.StatusForbidden},
		{Name: "logout without token is refused", Req: ht.Request{Method: "POST", Path: "/logout", NoCSRF: true, Form: url.Values{}},
			WantStatus: http.StatusForbidden},
	})
}

func TestAuthorisation(t *testing.T) {
	t.Parallel()
	learner := func(t *testing.T, ta *ht.App) *models.User { return ht.MustUser(t, ta.DB, models.RoleLearner, "") }
	for _, path := range []string{"/admin", "/admin/emails", "/admin/emails/1"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			ta := ht.New(t)
			if rec := ta.Do(t, ht.Request{Path: path}); rec.Code != http.StatusUnauthorized {
				t.Errorf("anonymous: got %d, want 401", rec.Code)
			}
			if rec := ta.Do(t, ht.Request{Path: path, As: learner(t, ta)}); rec.Code != http.StatusForbidden {
				t.Errorf("learner: got %d, want 403", rec.Code)
			}
			if rec := ta.Do(t, ht.Request{Path: path, As: ht.MustUser(t, ta.DB, models.RoleInstructor, "")}); rec.Code != http.StatusForbidden {
				t.Errorf("instructor: got %d, want 403", rec.Code)
			}
			admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
			want := 200
			if path == "/admin/emails/1" {
				want = 404
			}
			if rec := ta.Do(t, ht.Request{Path: path, As: admin}); rec.Code != want {
				t.Errorf("admin: got %d, want %d", rec.Code, want)
			}
		})
	}
	t.Run("401 page offers a login form that returns here", func(t *testing.T) {
		t.Parallel()
		ta := ht.New(t)
		rec := ta.Do(t, ht.Request{Path: "/account"})
		if rec.Code != 401 || !strings.Contains(rec.Body.String(), `name="next" value="/account"`) {
			t.Errorf("got %d", rec.Code)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, baseURL string, wantHSTS bool) {
		ta := ht.New(t, func(d *handlers.Deps) { d.Config.BaseURL = baseURL })
		rec := ta.Do(t, ht.Request{Path: "/login"})
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
		wantName := "_csrf"
		if wantHSTS {
			wantName = "__Host-csrf" // pinned to the origin on https
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name == wantName {
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
	ta := ht.New(t, func(d *handlers.Deps) { d.Config.BaseURL = "https://hsw.test" })
	u := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Form: url.Values{"email": {u.Email}, "password": {ht.GoodPassword}}})
	c := ta.SessionCookie(rec)
	if c == nil || c.Name != "__Host-hsw_session" || !c.Secure || !c.HttpOnly || c.Path != "/" {
		t.Fatalf("session cookie: %+v", c)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	big := url.Values{"name": {strings.Repeat("x", 2<<20)}}
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: "/signup", Form: big}); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", rec.Code)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, func(d *handlers.Deps) { d.Config.RateLimit = 3 })
	codes := []int{}
	for i := 0; i < 5; i++ {
		codes = append(codes, ta.Do(t, ht.Request{Method: "POST", Path: "/password/forgot", Remote: "203.0.113.50:1",
			Headers: map[string]string{"X-Forwarded-For": "10.9.9." + string(rune('0'+i))},
			Form:    url.Values{"email": {"a@example.com"}}}).Code)
	}
	if codes[4] != http.StatusTooManyRequests {
		t.Errorf("codes: %v, want the last to be 429", codes)
	}
	// GETs are not limited.
	for i := 0; i < 5; i++ {
		if c := ta.Do(t, ht.Request{Path: "/sessions", Remote: "203.0.113.50:1"}).Code; c != 200 {
			t.Fatalf("GET limited: %d", c)
		}
	}
}

func TestPanicBecomes500Page(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	ta.E.GET("/boom", func(echo.Context) error { panic("kaboom") })
	rec := ta.Do(t, ht.Request{Path: "/boom"})
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "kaboom") || !strings.Contains(rec.Body.String(), "Something went wrong") {
		t.Errorf("got %d %s", rec.Code, rec.Body.String())
	}
}

// TestStateChangingRoutesNeedCSRFAndRoles checks every form POST of the
// registration and staff areas without a token (403, nothing stored), and
// the staff POSTs as anonymous (401) and as a learner (403).
func TestStateChangingRoutesNeedCSRFAndRoles(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true })
	o := ta.PlaceAPIOrder(t, s.ID, 2, "invoice")
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	forms := map[string]url.Values{
		fmt.Sprintf("/sessions/%d/register", s.ID):                              ht.RegisterValues("invoice"),
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
		if c := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: form, NoCSRF: true, As: admin}).Code; c != http.StatusForbidden {
			t.Errorf("%s without CSRF token: got %d, want 403", path, c)
		}
		if strings.HasPrefix(path, "/admin/") {
			if c := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: url.Values{}}).Code; c != http.StatusUnauthorized {
				t.Errorf("%s anonymous: got %d, want 401", path, c)
			}
			if c := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: url.Values{}, As: ht.MustUser(t, ta.DB, models.RoleLearner, "")}).Code; c != http.StatusForbidden {
				t.Errorf("%s as learner: got %d, want 403", path, c)
			}
		}
	}
	got := ta.Order(t, o.ID)
	if got.Status != models.OrderPendingInvoice || len(got.ActiveAttendees()) != 2 || ta.ActiveSeats(t, s.ID) != 2 || ta.Session(t, s.ID).Capacity != 20 {
		t.Errorf("a refused request changed data: order %s, %d attendees, %d seats, capacity %d",
			got.Status, len(got.ActiveAttendees()), ta.ActiveSeats(t, s.ID), ta.Session(t, s.ID).Capacity)
	}
}
