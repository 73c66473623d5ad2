package faults

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// failFast bounds how long a request may take while the database is down.
const failFast = 5 * time.Second

// dbOutage503Fixed records whether the app maps a database outage to 503.
// It does since issue 14's fix (web.Base.HTTPErrorHandler turns a 500 into
// a 503 when a 1 s ping fails); with false the test would accept the old
// 500 and skip with the defect.
const dbOutage503Fixed = true

// TestDatabaseUnavailable puts a TCP proxy between a serve process and
// PostgreSQL and cuts it mid-run (the shared server cannot be stopped):
// pages and the API must answer 503 fast, HTML with a friendly page,
// /healthz 503; once the proxy is restored the same process serves again.
func TestDatabaseUnavailable(t *testing.T) {
	dsn := needPostgres(t)
	db := openDB(t, dsn)
	sid := prepareSession(t, db, 50)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.Addr()
	srv := startServer(t, "server", "DATABASE_URL="+u.String(), "JOBS_INTERVAL_SECONDS=1")
	for _, p := range []string{"/healthz", "/api/v1/sessions", "/sessions", fmt.Sprintf("/sessions/%d", sid)} {
		if r := fetch(srv.URL+p, "text/html"); r.status != http.StatusOK {
			t.Fatalf("GET %s before the outage: got %d (%v), want 200", p, r.status, r.err)
		}
	}
	if r := placeOrder(srv.URL, sid, "invoice", "before-outage"); r.Status != http.StatusCreated {
		t.Fatalf("order before the outage: got %d %s, want 201", r.Status, r.Body)
	}

	proxy.cut()
	checks := []struct {
		name, path, accept string
		html               bool
	}{
		{"health", "/healthz", "", false},
		{"API list", "/api/v1/sessions", "application/json", false},
		{"API one", fmt.Sprintf("/api/v1/sessions/%d", sid), "application/json", false},
		{"catalog page", "/sessions", "text/html", true},
		{"session page", fmt.Sprintf("/sessions/%d", sid), "text/html", true},
	}
	var known []string // the known defect: 500 instead of 503
	for _, c := range checks {
		r := fetch(srv.URL+c.path, c.accept)
		if r.err != nil {
			t.Errorf("%s during the outage: %v after %v, want a 503 within %v", c.name, r.err, r.elapsed.Round(time.Millisecond), failFast)
			continue
		}
		if !dbOutage503Fixed && c.path != "/healthz" && r.status == http.StatusInternalServerError && r.elapsed <= failFast {
			known = append(known, fmt.Sprintf("%s (GET %s): 500 after %v", c.name, c.path, r.elapsed.Round(time.Millisecond)))
			continue
		}
		if r.status != http.StatusServiceUnavailable || r.elapsed > failFast {
			t.Errorf("%s (GET %s) during the outage: got %d after %v, want 503 within %v; body: %.200s",
				c.name, c.path, r.status, r.elapsed.Round(time.Millisecond), failFast, r.body)
		}
		switch {
		case c.html && !strings.Contains(r.contentType, "text/html"):
			t.Errorf("%s during the outage: got Content-Type %q, want a friendly HTML page", c.name, r.contentType)
		case c.html && !strings.Contains(strings.ToLower(r.body), "try again"):
			t.Errorf("%s during the outage: the page does not tell the visitor to try again; body: %.300s", c.name, r.body)
		case !c.html && !strings.Contains(r.body, `"unavailable"`):
			t.Errorf("%s during the outage: got body %.200s, want a JSON error \"unavailable\"", c.name, r.body)
		}
	}
	or := placeOrder(srv.URL, sid, "invoice", "during-outage")
	if !dbOutage503Fixed && or.Status == http.StatusInternalServerError && or.Elapsed <= failFast {
		known = append(known, fmt.Sprintf("order (POST /api/v1/sessions/%d/orders): 500 after %v", sid, or.Elapsed.Round(time.Millisecond)))
	} else if or.Status != http.StatusServiceUnavailable || or.Elapsed > failFast {
		t.Errorf("order during the outage: got %d after %v (err %v), want 503 within %v; body %.200s",
			or.Status, or.Elapsed.Round(time.Millisecond), or.Err, failFast, or.Body)
	}

	proxy.restore()
	waitFor(t, 15*time.Second, "/healthz back to 200 after the database returned", func() (bool, string) {
		r := fetch(srv.URL+"/healthz", "")
		return r.status == http.StatusOK, fmt.Sprintf("status %d, err %v", r.status, r.err)
	})
	for _, p := range []string{"/api/v1/sessions", "/sessions"} {
		if r := fetch(srv.URL+p, "text/html"); r.status != http.StatusOK {
			t.Errorf("GET %s after the outage: got %d (%v), want 200", p, r.status, r.err)
		}
	}
	if r := placeOrder(srv.URL, sid, "invoice", "after-outage"); r.Status != http.StatusCreated {
		t.Errorf("order after the outage: got %d %s, want 201", r.Status, r.Body)
	}
	checkSeatInvariant(t, db)
	if len(known) > 0 {
		t.Skipf("KNOWN DEFECT (issue 14, fault suite 3): with the database down the app answers 500, not 503 with a friendly page: %s. "+
			"Fix: in httpErrorHandler, turn a 500 into 503 when models.Ping fails within 1 s; then set dbOutage503Fixed = true. "+
			"Fails fast, /healthz 503 and recovery without restart were checked and pass.", strings.Join(known, "; "))
	}
}

type fetched struct {
	status      int
	contentType string
	body        string
	elapsed     time.Duration
	err         error
}

// fetch GETs url with an Accept header and a 15 s cap, timing the answer.
func fetch(url, accept string) fetched {
	c := &http.Client{Timeout: 15 * time.Second}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return fetched{err: err}
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return fetched{err: err, elapsed: time.Since(start)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return fetched{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: string(b),
		elapsed: time.Since(start), err: err}
}
