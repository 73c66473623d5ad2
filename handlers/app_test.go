package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	bookingweb "github.com/hsworkshop/hsworkshop/handlers/booking"

	"github.com/hsworkshop/hsworkshop/handlers/account"
	"github.com/hsworkshop/hsworkshop/handlers/admin"
	"github.com/hsworkshop/hsworkshop/handlers/catalog"
	"github.com/hsworkshop/hsworkshop/handlers/certs"
	"github.com/hsworkshop/hsworkshop/handlers/desk"
	learnweb "github.com/hsworkshop/hsworkshop/handlers/learn"
	quizweb "github.com/hsworkshop/hsworkshop/handlers/quiz"
	"github.com/hsworkshop/hsworkshop/handlers/tariff"
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	rec := ta.Do(t, ht.Request{Path: "/healthz"})
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"status":"ok","tariff_index":"loading"}` {
		t.Fatalf("healthy: got %d %s", rec.Code, rec.Body.String())
	}
	if err := models.Close(ta.DB); err != nil {
		t.Fatal(err)
	}
	rec = ta.Do(t, ht.Request{Path: "/healthz"})
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Fatalf("db down: got %d %s", rec.Code, rec.Body.String())
	}
}

func TestStaticAssetsCacheBusting(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	home := ta.Do(t, ht.Request{Path: "/login"}).Body.String()
	i := strings.Index(home, "/static/css/app.css?v=")
	if i < 0 {
		t.Fatal("layout does not link the hashed stylesheet")
	}
	href := home[i : i+len("/static/css/app.css?v=")+12]
	rec := ta.Do(t, ht.Request{Path: href})
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("hashed asset: got %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("content type: got %q", rec.Header().Get("Content-Type"))
	}
	rec = ta.Do(t, ht.Request{Path: "/static/css/app.css?v=stale"})
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash: got %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if rec := ta.Do(t, ht.Request{Path: "/static/../go.mod"}); rec.Code != 404 {
		t.Errorf("path escape: got %d", rec.Code)
	}
}

// TestRenderEveryPageWithZeroData renders each page template with empty
// data: a template that dereferences something optional fails here.
func TestRenderEveryPageWithZeroData(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	zero := web.ZeroPages()
	areas := []map[string]web.PageData{ // one line per area
		catalog.ZeroPages(),
		bookingweb.ZeroPages(),
		account.ZeroPages(),
		tariff.ZeroPages(),
		admin.ZeroPages(),
		certs.ZeroPages(),
		learnweb.ZeroPages(),
		quizweb.ZeroPages(),
		desk.ZeroPages(),
	}
	for _, area := range areas {
		for name, pd := range area {
			if _, dup := zero[name]; dup {
				t.Errorf("page %s claimed by two areas", name)
			}
			zero[name] = pd
		}
	}
	names := ta.Handlers.Renderer().Names()
	if len(names) < len(zero) {
		t.Fatalf("got %d parsed pages, want at least %d", len(names), len(zero))
	}
	for _, name := range names {
		pd, ok := zero[name]
		if !ok {
			t.Errorf("page %s has no zero-data case in this test", name)
			continue
		}
		var buf strings.Builder
		pd.Errors, pd.User = map[string]string{}, &models.User{Role: models.RoleAdmin}
		if err := ta.Handlers.Renderer().Render(&buf, name, pd, nil); err != nil {
			t.Errorf("render %s: %v", name, err)
		}
	}
}

func TestMarkdownIsSanitisedAndShifted(t *testing.T) {
	t.Parallel()
	md := web.NewMarkdown()
	got := string(md.HTML("## Overview\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **ok**"))
	if !strings.Contains(got, "<h3") || strings.Contains(got, "<h2") {
		t.Errorf("heading not shifted: %s", got)
	}
	if strings.Contains(got, "<script") || strings.Contains(got, "javascript:") {
		t.Errorf("unsafe markup survived: %s", got)
	}
	if !strings.Contains(got, "<strong>ok</strong>") {
		t.Errorf("markdown not rendered: %s", got)
	}
}

// TestReadyz: readiness waits for the background tariff index; liveness
// (/healthz) does not.
func TestReadyz(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	if rec := ta.Do(t, ht.Request{Path: "/readyz"}); rec.Code != 503 || !strings.Contains(rec.Body.String(), `"loading"`) {
		t.Errorf("before the index: got %d %s, want 503 loading", rec.Code, rec.Body)
	}
	if rec := ta.Do(t, ht.Request{Path: "/hts/search?q=laptop"}); rec.Code != 503 {
		t.Errorf("tariff search before the index: got %d, want 503", rec.Code)
	}
	ix := ht.BundledHTS(t) // built once per test binary, as the app's loader would build it
	ta.Handlers.SetHTS(ix, ix)
	if rec := ta.Do(t, ht.Request{Path: "/readyz"}); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"loaded"`) {
		t.Errorf("after the index: got %d %s, want 200 loaded", rec.Code, rec.Body)
	}
	if rec := ta.Do(t, ht.Request{Path: "/hts/search?q=laptop"}); rec.Code != 200 {
		t.Errorf("tariff search after the index: got %d, want 200", rec.Code)
	}
}
