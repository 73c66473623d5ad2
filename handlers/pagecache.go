package handlers

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/pagecache"
)

// pageTTL bounds how long a cached page lives even if neither the data
// version nor its own clock boundary moves.
const pageTTL = time.Minute

// cached serves the anonymous catalog pages from memory: each is rendered
// once per catalog data version (one primary-key read per request, so
// every instance sees another's change at once) and per clock boundary
// (web.CacheUntil). Only GET requests without a login cookie and without a
// flash message are cached or served from the cache, and a page that
// contains the visitor's CSRF token is never stored: no visitor's page is
// ever shown to another. The CSRF cookie itself is set per visitor by the
// middleware before this runs, as on any page.
func (a *App) cached(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if a.pages == nil || req.Method != http.MethodGet || hasCookie(req, a.web.SessionCookieName()) ||
			hasCookie(req, web.FlashCookieName) || web.CurrentUser(c) != nil {
			return next(c)
		}
		ver, err := a.versions.Catalog(req.Context())
		if err != nil {
			return next(c) // the handler meets the same failure and answers it
		}
		key := req.URL.RequestURI()
		now := a.web.Now()
		if p, ok := a.pages.Get(key, ver, now); ok {
			h := c.Response().Header()
			h.Set(echo.HeaderContentType, p.ContentType)
			// With its length known, net/http sends the page without
			// chunked encoding: one write syscall fewer per page (the
			// closing chunk went out in a write of its own).
			h.Set(echo.HeaderContentLength, strconv.Itoa(len(p.Body)))
			h.Set("X-Page-Cache", "hit")
			c.Response().WriteHeader(p.Status)
			_, err := c.Response().Write(p.Body)
			return err
		}
		rec := &teeWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		if err := next(c); err != nil {
			return err
		}
		status := c.Response().Status
		ctype := c.Response().Header().Get(echo.HeaderContentType)
		if (status != http.StatusOK && status != http.StatusBadRequest) || !strings.HasPrefix(ctype, echo.MIMETextHTML) {
			return nil
		}
		if tok, _ := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string); tok != "" && bytes.Contains(rec.buf.Bytes(), []byte(tok)) {
			return nil
		}
		expires := now.Add(pageTTL)
		if t, ok := web.CachedUntil(c); ok && t.Before(expires) {
			expires = t
		}
		a.pages.Put(key, ver, &pagecache.Page{Status: status, ContentType: ctype, Body: rec.buf.Bytes(), Expires: expires})
		return nil
	}
}

// hasCookie reports whether the request carries a cookie of that name.
func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

// teeWriter passes the body through and keeps a copy for the cache.
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}
