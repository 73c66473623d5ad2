package bench

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
)

// TestMailLinkReadsNewestOfKind: the link comes from the newest message of
// the kind to the address (case-insensitive), never from another kind or
// another recipient, and a missing message is an error.
func TestMailLinkReadsNewestOfKind(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "app.db")
	raw, err := OpenRaw(dsn, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE emails (id INTEGER PRIMARY KEY, kind TEXT, to_addr TEXT, text_body TEXT)`,
		`INSERT INTO emails (kind, to_addr, text_body) VALUES ('email_verification', 'a@x.example', 'Open http://h/account/verify?token=OLD now')`,
		`INSERT INTO emails (kind, to_addr, text_body) VALUES ('email_verification', 'a@x.example', 'Open http://h/account/verify?token=NEW_1-x now')`,
		`INSERT INTO emails (kind, to_addr, text_body) VALUES ('email_verification', 'b@x.example', 'Open http://h/account/verify?token=OTHER now')`,
		`INSERT INTO emails (kind, to_addr, text_body) VALUES ('order_verification', 'a@x.example', 'Open http://h/orders/confirm?token=ORDER now')`,
	} {
		if _, err := raw.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if got, err := MailLink(ctx, dsn, "email_verification", "A@x.example", verifyLinkRe); err != nil || got != "/account/verify?token=NEW_1-x" {
		t.Errorf("verification link: got %q, %v; want the newest one", got, err)
	}
	if got, err := MailLink(ctx, dsn, "order_verification", "a@x.example", orderLinkRe); err != nil || got != "/orders/confirm?token=ORDER" {
		t.Errorf("order link: got %q, %v", got, err)
	}
	if got, err := MailLink(ctx, dsn, "order_verification", "b@x.example", orderLinkRe); err == nil {
		t.Errorf("no order message to b: got %q, want an error", got)
	}
}

// TestFollowMailLinkPostsToken: the confirmation page's form is posted with
// its CSRF token and the link's token.
func TestFollowMailLinkPostsToken(t *testing.T) {
	var posted url.Values
	s := fakeSite(t, func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/account/verify":
			_, _ = w.Write([]byte(`<form><input type="hidden" name="_csrf" value="c5rf"></form>`))
		case r.Method == http.MethodPost && r.URL.Path == "/account/verify":
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return true
			}
			posted = r.PostForm
			http.Redirect(w, r, "/account", http.StatusSeeOther)
		default:
			return false
		}
		return true
	})
	if err := s.FollowMailLink(t.Context(), "/account/verify?token=tok-1", "/account/verify"); err != nil {
		t.Fatal(err)
	}
	if posted.Get("token") != "tok-1" || posted.Get("_csrf") != "c5rf" {
		t.Errorf("posted %v, want the link's token and the page's CSRF token", posted)
	}
}

// TestStartPracticeFollowsRedirect: the first track practice set is
// started and the attempt id read from the redirect.
func TestStartPracticeFollowsRedirect(t *testing.T) {
	var key string
	s := fakeSite(t, func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/quiz":
			_, _ = w.Write([]byte(`<input type="hidden" name="_csrf" value="c"><input type="hidden" name="key" value="exam:cble">` +
				`<input type="hidden" name="key" value="track:classification">`))
		case r.Method == http.MethodPost && r.URL.Path == "/quiz/start":
			key = r.FormValue("key")
			http.Redirect(w, r, "/quiz/attempts/42", http.StatusSeeOther)
		default:
			return false
		}
		return true
	})
	id, err := s.StartPractice(t.Context())
	if err != nil || id != 42 || key != "track:classification" {
		t.Errorf("got attempt %d, %v, key %q; want 42 from the first practice set", id, err, key)
	}
}

// fakeSite is a Site on a test server whose handler answers what it
// knows (true) and 404 for the rest.
func fakeSite(t *testing.T, h func(http.ResponseWriter, *http.Request) bool) *Site {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h(w, r) {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	s, err := NewSite(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
