package handlers

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/hsworkshop/hsworkshop/handlers/tariff"
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// contentSecurityPolicy allows only our own scripts and styles (no inline
// script), forbids framing, and lets forms post only to us and to Stripe
// Checkout (Chrome applies form-action to the redirect after a POST).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; " +
	"form-action 'self' https://checkout.stripe.com"

func (a *App) useMiddleware(e *echo.Echo) {
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true,
		LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			a.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("id", v.RequestID), slog.String("method", v.Method), slog.String("route", web.LogRoute(c)),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP))
			return nil
		},
	}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		a.log.Error("panic", "id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
		return err
	}}))
	hsts := 0
	if a.web.Secure() {
		hsts = 63072000
	}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ContentSecurityPolicy: contentSecurityPolicy, ReferrerPolicy: "strict-origin-when-cross-origin",
		HSTSMaxAge: hsts,
	}))
	e.Use(a.extraHeaders)
	// The batch upload of the duty calculator takes a larger file; every
	// other route keeps 1 MB. Both limits apply before CSRF reads the form.
	batchUpload := func(c echo.Context) bool {
		return c.Request().Method == http.MethodPost && c.Request().URL.Path == tariff.BatchPath
	}
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M", Skipper: batchUpload}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: tariff.BatchBodyLimit,
		Skipper: func(c echo.Context) bool { return !batchUpload(c) }}))
	if a.cfg.RateLimit > 0 {
		e.Use(a.rateLimiter())
	}
	// #nosec G101 -- CSRF settings (field and cookie names), no credential.
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		// On https the __Host- prefix pins the cookie to this origin (no
		// Domain, path /, Secure), so a sibling subdomain cannot plant one.
		TokenLookup: "form:_csrf", CookieName: a.web.CSRFCookieName(), CookiePath: "/", CookieHTTPOnly: true,
		CookieSecure: a.web.Secure(), CookieSameSite: http.SameSiteLaxMode, CookieMaxAge: 86400,
		Skipper: func(c echo.Context) bool {
			// Machine endpoints: the webhook is verified by its signature and
			// the JSON API carries no cookies it would act on.
			p := c.Request().URL.Path
			return strings.HasPrefix(p, "/webhooks/") || strings.HasPrefix(p, "/api/")
		},
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from this site. Reload the page and try again.").SetInternal(err)
		},
	}))
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: a.cfg.RequestTimeout}))
	e.Use(a.loadSession)
}

// extraHeaders adds headers echo's Secure middleware does not set. HSTS is
// sent whenever the public URL is https, even behind a proxy that drops
// X-Forwarded-Proto.
func (a *App) extraHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(self)")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if a.web.Secure() {
			h.Set(echo.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// ipExtractor reads the client IP from the socket unless trusted proxies are
// configured; then only X-Forwarded-For hops added by those proxies are
// believed, so a client cannot pick its own IP to dodge throttling.
func (a *App) ipExtractor() echo.IPExtractor {
	if len(a.cfg.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, cidr := range a.cfg.TrustedProxies {
		if _, n, err := net.ParseCIDR(cidr); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// rateLimiter caps state-changing requests per client IP per minute.
func (a *App) rateLimiter() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(a.cfg.RateLimit) / 60), Burst: a.cfg.RateLimit, ExpiresIn: 3 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		Skipper: func(c echo.Context) bool {
			m := c.Request().Method
			return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions ||
				strings.HasPrefix(c.Request().URL.Path, "/webhooks/")
		},
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		ErrorHandler: func(c echo.Context, err error) error {
			return echo.NewHTTPError(http.StatusForbidden, "Could not identify the client.")
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "60")
			return echo.NewHTTPError(http.StatusTooManyRequests, "Too many requests from your network. Wait a minute and try again.")
		},
	})
}

// loadSession puts the logged-in user (if any) on the context.
func (a *App) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(a.web.SessionCookieName())
		if err != nil || ck.Value == "" {
			return next(c)
		}
		s, err := models.FindLoginSession(c.Request().Context(), a.db, ck.Value, a.web.Now())
		switch {
		case errors.Is(err, models.ErrNotFound):
			a.web.ClearSessionCookie(c)
		case err != nil:
			return err
		default:
			u := s.User
			web.SetUser(c, &u, ck.Value)
		}
		return next(c)
	}
}

// requireUser lets logged-in users through; others get the login page with 401.
func (a *App) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if web.CurrentUser(c) == nil {
			return a.unauthorized(c)
		}
		return next(c)
	}
}

// requireStaff lets instructors and admins through.
func (a *App) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return a.requireRole(next, (*models.User).IsStaff)
}

// requireAdmin lets admins through: 401 when anonymous, 403 otherwise.
func (a *App) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return a.requireRole(next, (*models.User).IsAdmin)
}

func (a *App) requireRole(next echo.HandlerFunc, allowed func(*models.User) bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := web.CurrentUser(c)
		if u == nil {
			return a.unauthorized(c)
		}
		if !allowed(u) {
			return echo.NewHTTPError(http.StatusForbidden, "Your account does not have access to this page.")
		}
		return next(c)
	}
}

// unauthorized answers 401: JSON for API callers, else the login form with a
// return path, so a person can log in right there.
func (a *App) unauthorized(c echo.Context) error {
	if web.WantsJSON(c) {
		return echo.NewHTTPError(http.StatusUnauthorized, "Log in to continue.")
	}
	form := web.LoginForm{Next: c.Request().URL.RequestURI()}
	return a.web.Render(c, http.StatusUnauthorized, web.TplLogin, web.PageData{Title: "Log in", Form: form,
		Flash: "Please log in to continue."})
}
