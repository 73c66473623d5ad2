package account_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"github.com/hsworkshop/hsworkshop/handlers/account"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestSignup(t *testing.T) {
	t.Parallel()
	valid := func() url.Values {
		return url.Values{"name": {"Ana Pérez"}, "email": {"Ana@Broker.example"}, "company": {"Pérez Customs"},
			"password": {ht.GoodPassword}, "password_confirm": {ht.GoodPassword}}
	}
	with := func(k, v string) url.Values { f := valid(); f.Set(k, v); return f }
	ht.Run(t, []ht.Scenario{
		{Name: "creates a learner and logs in", Req: ht.Request{Method: "POST", Path: "/signup", Form: valid()},
			WantStatus: http.StatusSeeOther, WantLocation: "/",
			Check: func(t *testing.T, ta *ht.App, rec *httptest.ResponseRecorder) {
				u, err := models.FindUserByEmail(context.Background(), ta.DB, "ana@broker.example")
				if err != nil {
					t.Fatal(err)
				}
				if u.Role != models.RoleLearner || u.Company != "Pérez Customs" || !strings.HasPrefix(u.PasswordHash, "$2a$04$") {
					t.Errorf("stored user: %+v", u)
				}
				if ta.SessionCookie(rec) == nil {
					t.Error("no session cookie after sign-up")
				}
			}},
		{Name: "short password", Req: ht.Request{Method: "POST", Path: "/signup", Form: with("password", "tiny-pw")},
			WantStatus: 422, WantBody: []string{"Use at least 12 characters.", `value="Ana Pérez"`}, WantNotBody: []string{"tiny-pw"}},
		{Name: "mismatch", Req: ht.Request{Method: "POST", Path: "/signup", Form: with("password_confirm", "something else entirely")},
			WantStatus: 422, WantBody: []string{"The two passwords do not match."}},
		{Name: "bad email", Req: ht.Request{Method: "POST", Path: "/signup", Form: with("email", "not-an-email")},
			WantStatus: 422, WantBody: []string{"Enter an email address"}},
		{Name: "missing name", Req: ht.Request{Method: "POST", Path: "/signup", Form: with("name", "  ")},
			WantStatus: 422, WantBody: []string{"Enter your name."}},
		{Name: "duplicate email", Req: ht.Request{Method: "POST", Path: "/signup", Form: valid()},
			Setup: func(t *testing.T, ta *ht.App) {
				if err := models.CreateUser(context.Background(), ta.DB, &models.User{Email: "ana@broker.example", Name: "Ana"}); err != nil {
					t.Fatal(err)
				}
			},
			// A guest account (no password) is claimed only through an
			// emailed link, never by signing up over it.
			WantStatus: http.StatusSeeOther, WantLocation: "/login",
			Check: func(t *testing.T, ta *ht.App, rec *httptest.ResponseRecorder) {
				if ta.SessionCookie(rec) != nil {
					t.Error("signing up over a guest account logged in")
				}
				if n := ta.CountEmails(t, "password_reset:"); n != 1 {
					t.Errorf("claim emails: got %d, want 1", n)
				}
			}},
		{Name: "duplicate email of an account with a password", Req: ht.Request{Method: "POST", Path: "/signup", Form: valid()},
			Setup: func(t *testing.T, ta *ht.App) {
				if err := models.CreateUser(context.Background(), ta.DB, &models.User{Email: "ana@broker.example", Name: "Ana", PasswordHash: "x"}); err != nil {
					t.Fatal(err)
				}
			},
			WantStatus: 422, WantBody: []string{"already exists"}},
		{Name: "next is kept on site", Req: ht.Request{Method: "POST", Path: "/signup", Form: with("next", "https://evil.example/")},
			WantStatus: http.StatusSeeOther, WantLocation: "/"},
	})
}

func TestLoginLogoutAndRotation(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	u := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	// A pre-existing (possibly planted) session cookie must not survive login.
	planted := ta.Login(t, u)
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Cookies: []*http.Cookie{planted},
		Form: url.Values{"email": {strings.ToUpper(u.Email)}, "password": {ht.GoodPassword}, "next": {"/account"}}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account" {
		t.Fatalf("login: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	fresh := ta.SessionCookie(rec)
	if fresh == nil || fresh.Value == planted.Value {
		t.Fatal("session not rotated at login")
	}
	if !fresh.HttpOnly || fresh.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie flags: %+v", fresh)
	}
	if rec := ta.Do(t, ht.Request{Path: "/account", Cookies: []*http.Cookie{planted}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("old session still valid after login: %d", rec.Code)
	}
	if rec := ta.Do(t, ht.Request{Path: "/account", Cookies: []*http.Cookie{fresh}}); rec.Code != 200 {
		t.Fatalf("new session: got %d", rec.Code)
	}
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/logout", Cookies: []*http.Cookie{fresh}, Form: url.Values{}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("logout: got %d", rec.Code)
	}
	// The server forgot the session: replaying the old cookie fails.
	if rec := ta.Do(t, ht.Request{Path: "/account", Cookies: []*http.Cookie{fresh}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("session valid after logout: %d", rec.Code)
	}
}

func TestLoginSameMessageForUnknownAndWrong(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	u := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	wrong := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Form: url.Values{"email": {u.Email}, "password": {"wrong password here"}}})
	unknown := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Form: url.Values{"email": {"nobody@example.com"}, "password": {"wrong password here"}}})
	if wrong.Code != unknown.Code || wrong.Code != http.StatusUnauthorized {
		t.Fatalf("status: wrong %d, unknown %d", wrong.Code, unknown.Code)
	}
	if !strings.Contains(wrong.Body.String(), "The email address or password is not correct.") || !strings.Contains(unknown.Body.String(), "The email address or password is not correct.") {
		t.Error("messages differ or are missing")
	}
	empty := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Form: url.Values{"email": {""}, "password": {""}}})
	if empty.Code != 422 || !strings.Contains(empty.Body.String(), "Enter your password.") {
		t.Errorf("empty form: got %d", empty.Code)
	}
}

// TestLoginThrottleSurvivesSpoofedXFF: after the per-account limit, even the
// right password is refused, and a client rotating X-Forwarded-For (with no
// trusted proxy configured) is still throttled by its real address.
func TestLoginThrottleSurvivesSpoofedXFF(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, func(d *handlers.Deps) {
		d.LoginLimits = account.Limits{Window: 15 * time.Minute, PerAccount: 3, PerIP: 5, ResetsPerHour: 3}
	})
	victim := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	try := func(email, pw, xff string) int {
		return ta.Do(t, ht.Request{Method: "POST", Path: "/login", Remote: "203.0.113.9:5000",
			Headers: map[string]string{"X-Forwarded-For": xff, "X-Real-Ip": xff},
			Form:    url.Values{"email": {email}, "password": {pw}}}).Code
	}
	for i := 0; i < 3; i++ {
		if c := try(victim.Email, "wrong password 123", "10.0.0."+string(rune('1'+i))); c != http.StatusUnauthorized {
			t.Fatalf("attempt %d: got %d", i, c)
		}
	}
	if c := try(victim.Email, ht.GoodPassword, "198.51.100.77"); c != http.StatusTooManyRequests {
		t.Fatalf("account not throttled after 3 failures: got %d", c)
	}
	// Per-IP: other accounts from the same real IP, each with a new spoofed XFF.
	for i := 0; i < 2; i++ {
		try("other"+string(rune('a'+i))+"@example.com", "wrong password 123", "192.0.2."+string(rune('1'+i)))
	}
	if c := try("fresh@example.com", "wrong password 123", "192.0.2.200"); c != http.StatusTooManyRequests {
		t.Fatalf("IP not throttled despite spoofed X-Forwarded-For: got %d", c)
	}
	// Another real client is unaffected (negative control).
	other := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Remote: "198.51.100.5:6000",
		Form: url.Values{"email": {"fresh@example.com"}, "password": {"wrong password 123"}}})
	if other.Code != http.StatusUnauthorized {
		t.Fatalf("a different client was throttled: %d", other.Code)
	}
	// After the window the victim can log in again.
	ta.SetNow(ht.Now.Add(16 * time.Minute))
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Remote: "198.51.100.5:6000",
		Form: url.Values{"email": {victim.Email}, "password": {ht.GoodPassword}}}).Code; c != http.StatusSeeOther {
		t.Fatalf("after window: got %d", c)
	}
}

func TestTrustedProxyXFF(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, func(d *handlers.Deps) {
		d.Config.TrustedProxies = []string{"10.1.0.0/16"}
		d.LoginLimits = account.Limits{Window: 15 * time.Minute, PerAccount: 100, PerIP: 2, ResetsPerHour: 3}
	})
	try := func(remote, xff string) int {
		return ta.Do(t, ht.Request{Method: "POST", Path: "/login", Remote: remote, Headers: map[string]string{"X-Forwarded-For": xff},
			Form: url.Values{"email": {"x@example.com"}, "password": {"wrong password 123"}}}).Code
	}
	try("10.1.2.3:443", "203.0.113.1")
	try("10.1.2.3:443", "203.0.113.1")
	if c := try("10.1.2.3:443", "203.0.113.1"); c != http.StatusTooManyRequests {
		t.Fatalf("client behind proxy not throttled: %d", c)
	}
	if c := try("10.1.2.3:443", "203.0.113.2"); c != http.StatusUnauthorized {
		t.Fatalf("a different client behind the proxy was throttled: %d", c)
	}
}

var resetLink = regexp.MustCompile(`http://hsw\.test/password/reset\?token=([A-Za-z0-9_-]+)`)

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	u := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	other := ta.Login(t, u)
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {u.Email}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("forgot: %d", rec.Code)
	}
	unknown := ta.Do(t, ht.Request{Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {"ghost@example.com"}}})
	if unknown.Code != rec.Code || unknown.Header().Get("Location") != rec.Header().Get("Location") {
		t.Error("unknown address answered differently")
	}
	ms := ta.Mailbox(t, "")
	if len(ms) != 1 || ms[0].ToAddr != u.Email || ms[0].Kind != "password_reset" {
		t.Fatalf("outbox: %+v", ms)
	}
	if !strings.Contains(ta.Log.String(), "email kept in outbox") {
		t.Error("email not logged while SMTP is off")
	}
	m := resetLink.FindStringSubmatch(ms[0].TextBody)
	if m == nil {
		t.Fatalf("no reset link in %q", ms[0].TextBody)
	}
	token := m[1]
	if rec := ta.Do(t, ht.Request{Path: "/password/reset?token=" + token}); rec.Code != 200 {
		t.Fatalf("reset form: %d", rec.Code)
	}
	bad := ta.Do(t, ht.Request{Method: "POST", Path: "/password/reset", Form: url.Values{"token": {token}, "password": {"short"}, "password_confirm": {"short"}}})
	if bad.Code != 422 {
		t.Fatalf("short password: %d", bad.Code)
	}
	const newPW = "a brand new passphrase"
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/password/reset", Form: url.Values{"token": {token}, "password": {newPW}, "password_confirm": {newPW}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body.String())
	}
	again := ta.Do(t, ht.Request{Method: "POST", Path: "/password/reset", Form: url.Values{"token": {token}, "password": {newPW}, "password_confirm": {newPW}}})
	if again.Code != http.StatusGone {
		t.Errorf("token reused: %d", again.Code)
	}
	if rec := ta.Do(t, ht.Request{Path: "/account", Cookies: []*http.Cookie{other}}); rec.Code != http.StatusUnauthorized {
		t.Error("old sessions survive a password reset")
	}
	fresh, _ := models.FindUserByID(context.Background(), ta.DB, u.ID)
	if !ht.Passwords.Check(fresh, newPW) || ht.Passwords.Check(fresh, ht.GoodPassword) {
		t.Error("password not changed")
	}
	// Expired tokens fail.
	ta.Do(t, ht.Request{Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {u.Email}}})
	ms = ta.Mailbox(t, "password_reset")
	token2 := resetLink.FindStringSubmatch(ms[0].TextBody)[1]
	ta.SetNow(ht.Now.Add(2 * time.Hour))
	if rec := ta.Do(t, ht.Request{Path: "/password/reset?token=" + token2}); rec.Code != http.StatusGone {
		t.Errorf("expired token: %d", rec.Code)
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	u := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/account", As: u, Form: url.Values{"name": {"New Name"}, "company": {"ACME Imports"}, "job_title": {"Compliance lead"}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("update: %d", rec.Code)
	}
	got, _ := models.FindUserByID(context.Background(), ta.DB, u.ID)
	if got.Name != "New Name" || got.Company != "ACME Imports" || got.JobTitle != "Compliance lead" {
		t.Errorf("profile: %+v", got)
	}
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/account", As: u, Form: url.Values{"name": {""}}})
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "Enter your name.") {
		t.Errorf("empty name: %d", rec.Code)
	}
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/account/password", As: u, Form: url.Values{"current_password": {"nope nope nope"}, "password": {"another good passphrase"}, "password_confirm": {"another good passphrase"}}})
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "not your current password") {
		t.Errorf("wrong current: %d", rec.Code)
	}
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/account/password", As: u, Form: url.Values{"current_password": {ht.GoodPassword}, "password": {"another good passphrase"}, "password_confirm": {"another good passphrase"}}})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("change: %d", rec.Code)
	}
}
