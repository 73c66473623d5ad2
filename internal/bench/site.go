package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Site talks to a running app the way a browser and an API client would:
// it finds fixtures, signs users in and changes sessions through the admin
// forms, so the harness needs no knowledge of the schema.
type Site struct {
	Base string
	c    *http.Client
}

// NewSite returns a client with its own cookie jar.
func NewSite(base string) (*Site, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("cookie jar: %w", err)
	}
	return &Site{Base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// APISession is the part of /api/v1/sessions the harness reads.
type APISession struct {
	ID       int `json:"id"`
	Capacity int `json:"capacity"`
	Left     int `json:"seats_left"`
	Workshop struct {
		Slug string `json:"slug"`
	} `json:"workshop"`
}

// Do sends a request and returns the status, content type and body.
func (s *Site) Do(ctx context.Context, method, uri string, body io.Reader, contentType string) (int, string, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.Base+uri, body)
	if err != nil {
		return 0, "", nil, fmt.Errorf("%s %s: %w", method, uri, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.c.Do(req)
	if err != nil {
		return 0, "", nil, fmt.Errorf("%s %s: %w", method, uri, err)
	}
	defer resp.Body.Close() //nolint:errcheck // read fully below
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", nil, fmt.Errorf("%s %s: read: %w", method, uri, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b, nil
}

// Sessions lists the published sessions from the API.
func (s *Site) Sessions(ctx context.Context) ([]APISession, error) {
	st, _, b, err := s.Do(ctx, http.MethodGet, "/api/v1/sessions", nil, "")
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/sessions: status %d", st)
	}
	var out []APISession
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode /api/v1/sessions: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("GET /api/v1/sessions: no sessions (is the demo catalog seeded?)")
	}
	return out, nil
}

// Session reads one session from the API.
func (s *Site) Session(ctx context.Context, id int) (APISession, error) {
	var out APISession
	st, _, b, err := s.Do(ctx, http.MethodGet, "/api/v1/sessions/"+itoa(id), nil, "")
	if err != nil {
		return out, err
	}
	if st != http.StatusOK {
		return out, fmt.Errorf("GET /api/v1/sessions/%d: status %d", id, st)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("decode session %d: %w", id, err)
	}
	return out, nil
}

var csrfField = regexp.MustCompile(`name="_csrf"\s+value="([^"]+)"`)

// PostForm fetches formPage for its CSRF token and posts fields to action;
// it expects a redirect (303 or 302), the app's answer to a valid form.
func (s *Site) PostForm(ctx context.Context, formPage, action string, fields url.Values) error {
	_, err := s.postForm(ctx, formPage, action, fields)
	return err
}

// postForm is PostForm returning where the redirect leads.
func (s *Site) postForm(ctx context.Context, formPage, action string, fields url.Values) (string, error) {
	st, _, b, err := s.Do(ctx, http.MethodGet, formPage, nil, "")
	if err != nil {
		return "", err
	}
	if st != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", formPage, st)
	}
	m := csrfField.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("GET %s: no _csrf field in the form", formPage)
	}
	fields.Set("_csrf", string(m[1]))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Base+action, strings.NewReader(fields.Encode()))
	if err != nil {
		return "", fmt.Errorf("POST %s: %w", action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.c.Do(req)
	if err != nil {
		return "", fmt.Errorf("POST %s: %w", action, err)
	}
	defer resp.Body.Close() //nolint:errcheck // read fully below
	b, err = io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("POST %s: read: %w", action, err)
	}
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("POST %s: status %d (want a redirect): %.300s", action, resp.StatusCode, b)
	}
	return resp.Header.Get("Location"), nil
}

// Login signs in with the login form.
func (s *Site) Login(ctx context.Context, email, password string) error {
	return s.PostForm(ctx, "/login", "/login", url.Values{"email": {email}, "password": {password}})
}

// Signup creates a learner account with the signup form (which signs in).
func (s *Site) Signup(ctx context.Context, name, email, password string) error {
	return s.PostForm(ctx, "/signup", "/signup", url.Values{"name": {name}, "email": {email},
		"password": {password}, "password_confirm": {password}})
}

// SetCapacity changes a session's capacity through the admin form (the
// site must be signed in as an admin).
func (s *Site) SetCapacity(ctx context.Context, id, capacity int) error {
	p := "/admin/sessions/" + itoa(id)
	return s.PostForm(ctx, p, p+"/capacity", url.Values{"capacity": {itoa(capacity)}})
}

var (
	practiceKey = regexp.MustCompile(`name="key" value="(track:[^"]+)"`)
	attemptPath = regexp.MustCompile(`^/quiz/attempts/([0-9]+)`)
)

// StartPractice presses the first track's "Start" button on the quiz page
// (the site must be signed in) and returns the attempt's id.
func (s *Site) StartPractice(ctx context.Context) (int, error) {
	st, _, b, err := s.Do(ctx, http.MethodGet, "/quiz", nil, "")
	if err != nil {
		return 0, err
	}
	if st != http.StatusOK {
		return 0, fmt.Errorf("GET /quiz: status %d", st)
	}
	m := practiceKey.FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("GET /quiz: no practice set to start (signed in?)")
	}
	loc, err := s.postForm(ctx, "/quiz", "/quiz/start", url.Values{"key": {string(m[1])}})
	if err != nil {
		return 0, err
	}
	g := attemptPath.FindStringSubmatch(loc)
	if g == nil {
		return 0, fmt.Errorf("POST /quiz/start: redirected to %q, want an attempt", loc)
	}
	return strconv.Atoi(g[1])
}

// CookieHeader is the Cookie header the jar would send to the app, without
// one-shot flash cookies.
func (s *Site) CookieHeader() (string, error) {
	u, err := url.Parse(s.Base + "/")
	if err != nil {
		return "", fmt.Errorf("cookie url: %w", err)
	}
	var parts []string
	for _, c := range s.c.Jar.Cookies(u) {
		if strings.Contains(c.Name, "flash") {
			continue
		}
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; "), nil
}

// orderBody is a one-attendee invoice order for the orders API; n makes
// the addresses unique where buyerEmail or attendeeEmail is empty.
func orderBody(n int64, buyerEmail, attendeeEmail string) []byte {
	if buyerEmail == "" {
		buyerEmail = "buyer" + strconv.FormatInt(n, 10) + "@bench.example.com"
	}
	if attendeeEmail == "" {
		attendeeEmail = "attendee" + strconv.FormatInt(n, 10) + "@bench.example.com"
	}
	b, _ := json.Marshal(map[string]any{ // cannot fail: plain maps of strings
		"buyer":          map[string]string{"name": "Bench Buyer", "email": buyerEmail, "company": "Bench Co"},
		"attendees":      []map[string]string{{"name": "Bench Attendee", "email": attendeeEmail}},
		"payment_method": "invoice",
	})
	return b
}

// Order places one invoice order for one attendee through the orders API
// (as an API client: not signed in); it returns the HTTP status.
func (s *Site) Order(ctx context.Context, sessionID int, n int64, buyerEmail, attendeeEmail string) (int, []byte, error) {
	st, _, b, err := s.Do(ctx, http.MethodPost, "/api/v1/sessions/"+itoa(sessionID)+"/orders",
		bytes.NewReader(orderBody(n, buyerEmail, attendeeEmail)), "application/json")
	return st, b, err
}

func itoa(n int) string { return strconv.Itoa(n) }
