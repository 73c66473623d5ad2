package handlers

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/hsworkshop/hsworkshop/models"
)

// Context keys set by the middleware.
const (
	ctxUser         = "hsw.user"
	ctxSessionToken = "hsw.session_token"
)

// contentSecurityPolicy allows only our own scripts and styles (no inline
// script), forbids framing, and lets forms post only to us and to Stripe
// Checkout (Chrome applies form-action to the redirect after a POST).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; " +
	"form-action 'self' https://checkout.stripe.com"

// sessionCookieName is the login cookie; on https the __Host- prefix pins it
// to our origin, path / and Secure.
func (a *App) sessionCookieName() string {
	if a.cfg.secure() {
		return "__Host-hsw_session"
	}
	return "hsw_session"
}

func (a *App) useMiddleware(e *echo.Echo) {
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true,
		LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			a.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("id", v.RequestID), slog.String("method", v.Method), slog.String("uri", v.URI),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP))
			return nil
		},
	}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		a.log.Error("panic", "id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
		return err
	}}))
	hsts := 0
	if a.cfg.secure() {
		hsts = 63072000
	}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ContentSecurityPolicy: contentSecurityPolicy, ReferrerPolicy: "strict-origin-when-cross-origin",
		HSTSMaxAge: hsts,
	}))
	e.Use(a.extraHeaders)
	e.Use(middleware.BodyLimit("1M"))
	if a.cfg.RateLimit > 0 {
		e.Use(a.rateLimiter())
	}
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup: "form:_csrf", CookieName: "_csrf", CookiePath: "/", CookieHTTPOnly: true,
		CookieSecure: a.cfg.secure(), CookieSameSite: http.SameSiteLaxMode, CookieMaxAge: 86400,
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
		if a.cfg.secure() {
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
		ck, err := c.Cookie(a.sessionCookieName())
		if err != nil || ck.Value == "" {
			return next(c)
		}
		s, err := models.FindLoginSession(c.Request().Context(), a.db, ck.Value, a.now())
		switch {
		case errors.Is(err, models.ErrNotFound):
			a.clearSessionCookie(c)
		case err != nil:
			return err
		default:
			u := s.User
			c.Set(ctxUser, &u)
			c.Set(ctxSessionToken, ck.Value)
		}
		return next(c)
	}
}

// currentUser is the logged-in user or nil.
func currentUser(c echo.Context) *models.User {
	u, _ := c.Get(ctxUser).(*models.User)
	return u
}

// requireUser lets logged-in users through; others get the login page with 401.
func (a *App) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
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
		u := currentUser(c)
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
	if wantsJSON(c) {
		return echo.NewHTTPError(http.StatusUnauthorized, "Log in to continue.")
	}
	form := loginForm{Next: c.Request().URL.RequestURI()}
	return a.render(c, http.StatusUnauthorized, tplLogin, pageData{Title: "Log in", Form: form,
		Flash: "Please log in to continue."})
}

// safeNext keeps a post-login redirect on this site: a path, never a URL.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// flash messages are codes, not text, so a cookie can never inject wording.
var flashMessages = map[string]string{
	"welcome":            "Welcome! Your account is ready.",
	"logged_in":          "You are logged in.",
	"logged_out":         "You have been logged out.",
	"reset_sent":         "If an account exists for that address, we have emailed a link to reset the password. It works for one hour.",
	"password_reset":     "Your password has been changed. Log in with the new password.",
	"profile_saved":      "Your profile has been saved.",
	"password_saved":     "Your password has been changed. Other devices have been logged out.",
	"order_cancelled":    "The order has been cancelled. A confirmation is on its way by email.",
	"attendee_cancelled": "The attendee has been cancelled. A confirmation is on its way by email.",
	"waitlist_joined":    "You are on the waiting list. We will email you as soon as seats free up.",
	"invoice_paid":       "The invoice is marked paid and the confirmations are queued.",
	"capacity_saved":     "Capacity saved. Any freed seats were offered to the waiting list.",
	"policy_saved":       "Booking policy saved. It applies to cancellations from now on.",
}

func setFlash(c echo.Context, code string) {
	c.SetCookie(&http.Cookie{Name: "hsw_flash", Value: code, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads and clears the flash message.
func takeFlash(c echo.Context) string {
	ck, err := c.Cookie("hsw_flash")
	if err != nil {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: "hsw_flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return flashMessages[ck.Value]
}

func (a *App) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{Name: a.sessionCookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: a.cfg.secure(), SameSite: http.SameSiteLaxMode, MaxAge: int(models.LoginSessionTTL.Seconds())})
}

func (a *App) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: a.sessionCookieName(), Value: "", Path: "/", HttpOnly: true,
		Secure: a.cfg.secure(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
