package handlers

import (
	"bytes"
	"context"
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

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// testPasswords hashes at bcrypt's minimum cost so tests stay fast under
// -race; TestDefaultPasswordCost checks production's cost.
var testPasswords = models.NewPasswords(bcrypt.MinCost)

// testNow is the fixed clock of every handler test.
var testNow = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

// testApp is an App wired to a fresh database, behind the real router.
type testApp struct {
	e   *echo.Echo
	db  *gorm.DB
	app *App
	log *lockedBuffer
	now *atomic.Pointer[time.Time]
}

// newTestApp builds an App on its own migrated database (SQLite or
// Postgres per TEST_DATABASE_URL) with a fixed, movable clock.
func newTestApp(t *testing.T, mutate ...func(*Deps)) *testApp {
	t.Helper()
	db, _ := testdb.Open(t)
	logBuf := &lockedBuffer{}
	clock := &atomic.Pointer[time.Time]{}
	n := testNow
	clock.Store(&n)
	d := Deps{DB: db, Logger: slog.New(slog.NewTextHandler(logBuf, nil)),
		Now:    func() time.Time { return *clock.Load() },
		Config: Config{BaseURL: "http://hsw.test", RateLimit: 0}, Passwords: testPasswords}
	for _, m := range mutate {
		m(&d)
	}
	app, err := New(d)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e := echo.New()
	app.Register(e)
	return &testApp{e: e, db: db, app: app, log: logBuf, now: clock}
}

// setNow moves the test clock.
func (ta *testApp) setNow(t time.Time) { ta.now.Store(&t) }

// lockedBuffer collects log output from concurrent requests.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// request is one HTTP call through the real router and middleware.
type request struct {
	method  string
	path    string
	form    url.Values
	body    string
	headers map[string]string
	cookies []*http.Cookie
	as      *models.User
	remote  string
	noCSRF  bool
}

func (ta *testApp) do(t *testing.T, r request) *httptest.ResponseRecorder {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	cookies := append([]*http.Cookie{}, r.cookies...)
	if r.as != nil {
		cookies = append(cookies, ta.login(t, r.as))
	}
	switch {
	case r.form != nil:
		if !r.noCSRF && r.method != http.MethodGet {
			tok, ck := ta.csrf(t)
			r.form.Set("_csrf", tok)
			cookies = append(cookies, ck)
		}
		body = strings.NewReader(r.form.Encode())
	case r.body != "":
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.form != nil {
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	if r.remote != "" {
		req.RemoteAddr = r.remote
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	ta.e.ServeHTTP(rec, req)
	return rec
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf fetches a form token the way a browser without Sec-Fetch-Site
// would: from the page's hidden input, paired with the cookie it set.
func (ta *testApp) csrf(t *testing.T) (string, *http.Cookie) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/login", nil)
	rec := httptest.NewRecorder()
	ta.e.ServeHTTP(rec, req)
	m := csrfInput.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no CSRF input on /login (status %d)", rec.Code)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "_csrf" {
			return m[1], c
		}
	}
	t.Fatal("no _csrf cookie set by /login")
	return "", nil
}

// login starts a server-side session for u and returns its cookie.
func (ta *testApp) login(t *testing.T, u *models.User) *http.Cookie {
	t.Helper()
	token, err := models.CreateLoginSession(context.Background(), ta.db, u.ID, "192.0.2.1", "test", *ta.now.Load())
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return &http.Cookie{Name: ta.app.web.SessionCookieName(), Value: token}
}

// scenario is one row of a table-driven HTTP test.
type scenario struct {
	name         string
	req          request
	setup        func(t *testing.T, ta *testApp)
	wantStatus   int
	wantBody     []string
	wantNotBody  []string
	wantLocation string
	check        func(t *testing.T, ta *testApp, rec *httptest.ResponseRecorder)
}

// runScenarios runs each scenario on its own fresh app.
func runScenarios(t *testing.T, scenarios []scenario, mutate ...func(*Deps)) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t, mutate...)
			if sc.setup != nil {
				sc.setup(t, ta)
			}
			rec := ta.do(t, sc.req)
			if sc.wantStatus != 0 && rec.Code != sc.wantStatus {
				t.Fatalf("status: got %d, want %d\nbody: %.2000s", rec.Code, sc.wantStatus, rec.Body.String())
			}
			body := rec.Body.String()
			for _, w := range sc.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("body does not contain %q\nbody: %.3000s", w, body)
				}
			}
			for _, w := range sc.wantNotBody {
				if strings.Contains(body, w) {
					t.Errorf("body contains %q but should not", w)
				}
			}
			if sc.wantLocation != "" && rec.Header().Get("Location") != sc.wantLocation {
				t.Errorf("Location: got %q, want %q", rec.Header().Get("Location"), sc.wantLocation)
			}
			if sc.check != nil {
				sc.check(t, ta, rec)
			}
		})
	}
}

// Fixtures.

var fixtureSeq atomic.Int64

func mustUser(t *testing.T, db *gorm.DB, role models.Role, password string) *models.User {
	t.Helper()
	hash := ""
	if password != "" {
		var err error
		if hash, err = testPasswords.Hash(password); err != nil {
			t.Fatal(err)
		}
	}
	n := fixtureSeq.Add(1)
	u := &models.User{Name: fmt.Sprintf("User %d", n), Email: fmt.Sprintf("user%d@example.com", n), Role: role, PasswordHash: hash}
	if err := models.CreateUser(context.Background(), db, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func mustWorkshop(t *testing.T, db *gorm.DB, opts ...func(*models.Workshop)) *models.Workshop {
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

func mustTopic(t *testing.T, db *gorm.DB, slug, name string) models.Topic {
	t.Helper()
	tp := models.Topic{Slug: slug, Name: name}
	if err := db.Create(&tp).Error; err != nil {
		t.Fatalf("create topic: %v", err)
	}
	return tp
}

// mustSession creates a published session of w starting days after testNow
// at 14:00 UTC, 7 h long, with 20 seats at $595.
func mustSession(t *testing.T, db *gorm.DB, w *models.Workshop, opts ...func(*models.Session)) *models.Session {
	t.Helper()
	start := testNow.AddDate(0, 0, 10).Truncate(24 * time.Hour).Add(14 * time.Hour)
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
