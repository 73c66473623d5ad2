package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/models"
)

// Context keys set by the session middleware.
const (
	ctxUser         = "hsw.user"
	ctxSessionToken = "hsw.session_token" // #nosec G101 -- the name of a context key, not a credential
)

// SetUser puts the logged-in user and their login-session token on c (the
// session middleware does this).
func SetUser(c echo.Context, u *models.User, token string) {
	c.Set(ctxUser, u)
	c.Set(ctxSessionToken, token)
}

// CurrentUser is the logged-in user or nil.
func CurrentUser(c echo.Context) *models.User {
	u, _ := c.Get(ctxUser).(*models.User)
	return u
}

// SessionToken is the raw login-session token of the request, or "".
func SessionToken(c echo.Context) string {
	t, _ := c.Get(ctxSessionToken).(string)
	return t
}

// SessionCookieName is the login cookie; on https the __Host- prefix pins it
// to our origin, path / and Secure.
func (b *Base) SessionCookieName() string {
	if b.Secure() {
		return "__Host-hsw_session"
	}
	return "hsw_session"
}

// CSRFCookieName is the CSRF cookie; on https it carries the __Host-
// prefix like the login cookie.
func (b *Base) CSRFCookieName() string {
	if b.Secure() {
		return "__Host-csrf"
	}
	return "_csrf"
}

// SetSessionCookie stores the login-session token in the browser.
func (b *Base) SetSessionCookie(c echo.Context, token string) {
	// #nosec G124 -- Secure whenever the site is https (BaseURL); a plain-http development server would have the browser drop a Secure cookie.
	c.SetCookie(&http.Cookie{Name: b.SessionCookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: b.Secure(), SameSite: http.SameSiteLaxMode, MaxAge: int(models.LoginSessionTTL.Seconds())})
}

// ClearSessionCookie removes the login cookie.
func (b *Base) ClearSessionCookie(c echo.Context) {
	// #nosec G124 -- clears the cookie (MaxAge -1) with the same attributes it was set with.
	c.SetCookie(&http.Cookie{Name: b.SessionCookieName(), Value: "", Path: "/", HttpOnly: true,
		Secure: b.Secure(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// flash messages are codes, not text, so a cookie can never inject wording.
var flashMessages = map[string]string{
	"welcome":            "Welcome! Your account is ready.",
	"verify_sent":        "We have emailed you a link to confirm your address. Registrations made under it appear once it is confirmed.",
	"checkout_left":      "You left the payment page. Your seats stay held until the time below; release them now if you no longer need them.",
	"order_confirmed":    "Your order is confirmed. The invoice is on its way by email.",
	"email_verified":     "Your email address is confirmed.",
	"claim_sent":         "This address already has an account from an earlier registration. We have emailed a link to set its password.",
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
	"batch_deleted":      "The saved batch result has been deleted.",
}

// SetFlash shows the message of code on the next page.
func SetFlash(c echo.Context, code string) {
	// #nosec G124 -- the flash cookie holds only a message code (no secret) and must work on plain-http development servers too.
	c.SetCookie(&http.Cookie{Name: FlashCookieName, Value: code, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// takeFlash reads and clears the flash message.
func takeFlash(c echo.Context) string {
	ck, err := c.Cookie(FlashCookieName)
	if err != nil {
		return ""
	}
	// #nosec G124 -- clears the message-code cookie set by SetFlash.
	c.SetCookie(&http.Cookie{Name: FlashCookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return flashMessages[ck.Value]
}
