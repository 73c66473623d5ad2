package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// Limits throttles failed logins. The counts live in the database so every
// instance enforces the same limit, and each is one atomic upsert.
type Limits struct {
	Window time.Duration
	// PerAccountIP failures of one account from one client IP start a
	// backoff lock (one minute, doubling per further failure, at most
	// Window) for that pair only: a stranger guessing from elsewhere never
	// locks the owner out of their own network.
	PerAccountIP int64
	// PerAccount is the much higher ceiling over all IPs in Window (a
	// distributed guess); it locks the account until the window ends or a
	// password reset clears it.
	PerAccount int64
	// PerIP failures from one client IP over all accounts lock that IP.
	PerIP int64
	// ResetsPerHour caps reset emails per address.
	ResetsPerHour int64
}

// DefaultLimits are the production throttles.
var DefaultLimits = Limits{Window: 15 * time.Minute, PerAccountIP: 5, PerAccount: 50, PerIP: 30, ResetsPerHour: 3}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.Window > 0 {
		d.Window = l.Window
	}
	for _, p := range []struct{ dst, src *int64 }{{&d.PerAccountIP, &l.PerAccountIP}, {&d.PerAccount, &l.PerAccount}, {&d.PerIP, &l.PerIP}, {&d.ResetsPerHour, &l.ResetsPerHour}} {
		if *p.src > 0 {
			*p.dst = *p.src
		}
	}
	return d
}

const msgBadLogin = "The email address or password is not correct."

// signupForm is the sign-up form.
type signupForm struct {
	Name     string `form:"name"`
	Email    string `form:"email"`
	Company  string `form:"company"`
	Password string `form:"password"`
	Confirm  string `form:"password_confirm"`
	Next     string `form:"next"`
}

func (f *signupForm) validate() map[string]string {
	errs := map[string]string{}
	f.Name, f.Company = strings.TrimSpace(f.Name), strings.TrimSpace(f.Company)
	f.Email = models.NormalizeEmail(f.Email)
	if f.Name == "" {
		errs["name"] = "Enter your name."
	} else if len(f.Name) > 200 {
		errs["name"] = "Use at most 200 characters."
	}
	if !models.ValidEmail(f.Email) {
		errs["email"] = "Enter an email address like name@company.com."
	}
	if len(f.Company) > 200 {
		errs["company"] = "Use at most 200 characters."
	}
	web.PasswordErrors(errs, f.Password, f.Confirm)
	return errs
}

// NewSignup serves GET /signup.
func (h *Handler) NewSignup(c echo.Context) error {
	if web.CurrentUser(c) != nil {
		return web.Redirect(c, "/account")
	}
	return h.web.Render(c, http.StatusOK, web.TplSignup, web.PageData{Title: "Create an account", Form: signupForm{Next: c.QueryParam("next")}})
}

// CreateSignup serves POST /signup.
func (h *Handler) CreateSignup(c echo.Context) error {
	var f signupForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	errs := f.validate()
	f.Password, f.Confirm = "", ""
	if len(errs) > 0 {
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplSignup, web.PageData{Title: "Create an account", Form: f, Errors: errs})
	}
	hash, err := h.passwords.Hash(c.FormValue("password"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := &models.User{Name: f.Name, Email: f.Email, Company: f.Company, PasswordHash: hash, Role: models.RoleLearner}
	err = models.CreateUser(ctx, h.db, u)
	if errors.Is(err, models.ErrConflict) {
		existing, ferr := models.FindUserByEmail(ctx, h.db, f.Email)
		if ferr != nil {
			return ferr
		}
		if existing.PasswordHash == "" {
			// A guest account (made by a purchase): it is claimed only by
			// proving the address, through an emailed reset link.
			if err := h.sendPasswordReset(ctx, existing); err != nil {
				return err
			}
			web.SetFlash(c, "claim_sent")
			return web.Redirect(c, "/login")
		}
		errs["email"] = "An account with this address already exists. Log in, or reset the password."
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplSignup, web.PageData{Title: "Create an account", Form: f, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := h.sendVerification(ctx, u); err != nil {
		return err
	}
	if err := h.startLogin(c, u); err != nil {
		return err
	}
	web.SetFlash(c, "verify_sent")
	return web.Redirect(c, web.SafeNext(f.Next))
}

// sendVerification emails u a single-use link proving its address.
func (h *Handler) sendVerification(ctx context.Context, u *models.User) error {
	token, v, err := models.CreateEmailVerification(ctx, h.db, u.ID, u.Email, models.VerifyAccount, nil, models.EmailVerificationTTL, h.web.Now())
	if err != nil {
		return err
	}
	link := h.web.BaseURL + "/account/verify?token=" + url.QueryEscape(token)
	return h.outbox.Enqueue(ctx, h.db, mail.KindEmailVerification, fmt.Sprintf("email_verification:%d", v.ID), u.Email, u.Name,
		mail.ResetData{Name: u.Name, Link: link})
}

// verifyForm carries the emailed token to the confirming POST.
type verifyForm struct {
	Token string `form:"token"`
}

// ShowVerify serves GET /account/verify: the emailed link. It changes
// nothing (mail scanners open links); the logged-in owner confirms with a
// button. Someone not logged in is asked to log in first, so a link opened
// by the mailbox owner never confirms an account someone else created.
func (h *Handler) ShowVerify(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	token := c.QueryParam("token")
	u := web.CurrentUser(c)
	if u == nil {
		return h.web.Render(c, http.StatusOK, web.TplLogin, web.PageData{Title: "Log in", Flash: "Log in to the account to confirm its address. If you did not create it, use “Forgot your password?” instead.",
			Form: web.LoginForm{Next: "/account/verify?token=" + url.QueryEscape(token)}})
	}
	if u.Verified() {
		web.SetFlash(c, "email_verified")
		return web.Redirect(c, "/account/registrations")
	}
	return h.web.Render(c, http.StatusOK, web.TplVerify, web.PageData{Title: "Confirm your email address", Form: verifyForm{Token: token}})
}

// ConfirmVerify serves POST /account/verify.
func (h *Handler) ConfirmVerify(c echo.Context) error {
	var f verifyForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	u := web.CurrentUser(c)
	err := models.ConsumeAccountVerification(c.Request().Context(), h.db, f.Token, u.ID, h.web.Now())
	if errors.Is(err, models.ErrNotFound) {
		return h.web.Render(c, http.StatusGone, web.TplVerify, web.PageData{Title: "Confirmation link expired", Data: "expired"})
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "email_verified")
	return web.Redirect(c, "/account/registrations")
}

// ResendVerify serves POST /account/verify/resend (at most three links an hour).
func (h *Handler) ResendVerify(c echo.Context) error {
	u := web.CurrentUser(c)
	ctx := c.Request().Context()
	if !u.Verified() {
		n, err := models.CountRecentEmailVerifications(ctx, h.db, u.ID, h.web.Now().Add(-time.Hour))
		if err != nil {
			return err
		}
		if n >= h.limits.ResetsPerHour {
			return echo.NewHTTPError(http.StatusTooManyRequests, "We have sent several links in the last hour. Use the newest one, or try again later.")
		}
		if err := h.sendVerification(ctx, u); err != nil {
			return err
		}
	}
	web.SetFlash(c, "verify_sent")
	return web.Redirect(c, "/account")
}

// NewLogin serves GET /login.
func (h *Handler) NewLogin(c echo.Context) error {
	if web.CurrentUser(c) != nil {
		return web.Redirect(c, web.SafeNext(c.QueryParam("next")))
	}
	return h.web.Render(c, http.StatusOK, web.TplLogin, web.PageData{Title: "Log in", Form: web.LoginForm{Next: c.QueryParam("next")}})
}

// CreateLogin serves POST /login.
func (h *Handler) CreateLogin(c echo.Context) error {
	var f web.LoginForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	password := f.Password
	f.Password = ""
	f.Email = models.NormalizeEmail(f.Email)
	errs := map[string]string{}
	if f.Email == "" {
		errs["email"] = "Enter your email address."
	}
	if password == "" {
		errs["password"] = "Enter your password."
	}
	if len(errs) > 0 {
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplLogin, web.PageData{Title: "Log in", Form: f, Errors: errs})
	}
	ctx := c.Request().Context()
	keys := loginKeys(f.Email, c.RealIP())
	until, err := models.ThrottledUntil(ctx, h.db, h.web.Now(), keys.acctIP, keys.acct, keys.ip)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		wait := int(until.Sub(h.web.Now()).Round(time.Second).Seconds())
		c.Response().Header().Set("Retry-After", fmt.Sprint(wait))
		return h.web.Render(c, http.StatusTooManyRequests, web.TplLogin, web.PageData{Title: "Log in", Form: f,
			Errors: map[string]string{"form": fmt.Sprintf("Too many failed attempts. Wait %d minutes, or reset your password.", (wait+59)/60)}})
	}
	u, err := models.FindUserByEmail(ctx, h.db, f.Email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if !h.passwords.Check(u, password) { // nil-safe and equally slow for unknown users
		if err := h.countFailure(ctx, keys); err != nil {
			return err
		}
		return h.web.Render(c, http.StatusUnauthorized, web.TplLogin, web.PageData{Title: "Log in", Form: f,
			Errors: map[string]string{"form": msgBadLogin}})
	}
	if err := models.ClearThrottles(ctx, h.db, []string{keys.acctIP}); err != nil {
		return err
	}
	if err := h.startLogin(c, u); err != nil {
		return err
	}
	web.SetFlash(c, "logged_in")
	return web.Redirect(c, web.SafeNext(f.Next))
}

// throttleKeys are the three counters a login attempt touches.
type throttleKeys struct{ acctIP, acct, ip string }

func loginKeys(email, ip string) throttleKeys {
	return throttleKeys{acctIP: "login:acctip:" + email + "|" + ip, acct: "login:acct:" + email, ip: "login:ip:" + ip}
}

// countFailure adds a failure to each counter (one atomic upsert each) and
// sets the lock each has earned: a doubling backoff for the account from
// this IP, a window-long lock at the per-account ceiling or per-IP limit.
func (h *Handler) countFailure(ctx context.Context, k throttleKeys) error {
	now, l := h.web.Now(), h.limits
	n, _, err := models.CountThrottleFailure(ctx, h.db, k.acctIP, now, l.Window)
	if err != nil {
		return err
	}
	if over := int64(n) - l.PerAccountIP; over >= 0 {
		lock := l.Window
		if over < 20 && time.Minute<<over < lock {
			lock = time.Minute << over
		}
		if err := models.LockThrottle(ctx, h.db, k.acctIP, now.Add(lock)); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		key   string
		limit int64
	}{{k.acct, l.PerAccount}, {k.ip, l.PerIP}} {
		n, first, err := models.CountThrottleFailure(ctx, h.db, c.key, now, l.Window)
		if err != nil {
			return err
		}
		if int64(n) >= c.limit {
			if err := models.LockThrottle(ctx, h.db, c.key, first.Add(l.Window)); err != nil {
				return err
			}
		}
	}
	return nil
}

// startLogin rotates the session: any session the browser had is ended
// server-side and a fresh token is issued, defeating session fixation.
func (h *Handler) startLogin(c echo.Context, u *models.User) error {
	ctx := c.Request().Context()
	if old, ok := web.SessionToken(c), true; ok && old != "" {
		if err := models.DeleteLoginSession(ctx, h.db, old); err != nil {
			return err
		}
	} else if ck, err := c.Cookie(h.web.SessionCookieName()); err == nil && ck.Value != "" {
		if err := models.DeleteLoginSession(ctx, h.db, ck.Value); err != nil {
			return err
		}
	}
	token, err := models.CreateLoginSession(ctx, h.db, u.ID, c.RealIP(), c.Request().UserAgent(), h.web.Now())
	if err != nil {
		return err
	}
	h.web.SetSessionCookie(c, token)
	return nil
}

// DeleteLogin serves POST /logout.
func (h *Handler) DeleteLogin(c echo.Context) error {
	if token, ok := web.SessionToken(c), true; ok {
		if err := models.DeleteLoginSession(c.Request().Context(), h.db, token); err != nil {
			return err
		}
	}
	h.web.ClearSessionCookie(c)
	web.SetFlash(c, "logged_out")
	return web.Redirect(c, "/")
}

// forgotForm asks for the address to send a reset link to.
type forgotForm struct {
	Email string `form:"email"`
}

// NewPasswordForgot serves GET /password/forgot.
func (h *Handler) NewPasswordForgot(c echo.Context) error {
	return h.web.Render(c, http.StatusOK, web.TplForgot, web.PageData{Title: "Reset your password", Form: forgotForm{}})
}

// CreatePasswordForgot always answers the same way, whether or not the
// address has an account, so it cannot be used to probe for customers.
func (h *Handler) CreatePasswordForgot(c echo.Context) error {
	var f forgotForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	f.Email = models.NormalizeEmail(f.Email)
	if !models.ValidEmail(f.Email) {
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplForgot, web.PageData{Title: "Reset your password", Form: f,
			Errors: map[string]string{"email": "Enter an email address like name@company.com."}})
	}
	ctx := c.Request().Context()
	key := "reset:" + f.Email
	n, err := models.CountLoginFailures(ctx, h.db, key, h.web.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	u, err := models.FindUserByEmail(ctx, h.db, f.Email)
	switch {
	case errors.Is(err, models.ErrNotFound):
	case err != nil:
		return err
	case n >= h.limits.ResetsPerHour:
		h.web.Log.Warn("password reset throttled", "email", f.Email)
	default:
		if err := h.sendPasswordReset(ctx, u); err != nil {
			return err
		}
		// Counted like a failure so repeated requests cannot flood a mailbox.
		if err := models.RecordLoginFailure(ctx, h.db, h.web.Now(), key); err != nil {
			return err
		}
	}
	web.SetFlash(c, "reset_sent")
	return web.Redirect(c, "/login")
}

func (h *Handler) sendPasswordReset(ctx context.Context, u *models.User) error {
	token, r, err := models.CreatePasswordReset(ctx, h.db, u.ID, h.web.Now())
	if err != nil {
		return err
	}
	link := h.web.BaseURL + "/password/reset?token=" + url.QueryEscape(token)
	return h.outbox.Enqueue(ctx, h.db, mail.KindPasswordReset, fmt.Sprintf("password_reset:%d", r.ID), u.Email, u.Name,
		mail.ResetData{Name: u.Name, Link: link})
}

// resetForm sets a new password with an emailed token.
type resetForm struct {
	Token    string `form:"token"`
	Password string `form:"password"`
	Confirm  string `form:"password_confirm"`
}

func (f *resetForm) validate() map[string]string {
	errs := map[string]string{}
	web.PasswordErrors(errs, f.Password, f.Confirm)
	return errs
}

// EditPasswordReset serves GET /password/reset.
func (h *Handler) EditPasswordReset(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	token := c.QueryParam("token")
	_, err := models.FindUsablePasswordReset(c.Request().Context(), h.db, token, h.web.Now())
	if errors.Is(err, models.ErrNotFound) {
		return h.web.Render(c, http.StatusGone, web.TplReset, web.PageData{Title: "Reset link expired", Data: "expired"})
	}
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, web.TplReset, web.PageData{Title: "Choose a new password", Form: resetForm{Token: token}})
}

// UpdatePasswordReset serves POST /password/reset.
func (h *Handler) UpdatePasswordReset(c echo.Context) error {
	var f resetForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	if errs := f.validate(); len(errs) > 0 {
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplReset, web.PageData{Title: "Choose a new password",
			Form: resetForm{Token: f.Token}, Errors: errs})
	}
	hash, err := h.passwords.Hash(f.Password)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	userID, err := models.ConsumePasswordReset(ctx, h.db, f.Token, hash, h.web.Now())
	if errors.Is(err, models.ErrNotFound) {
		return h.web.Render(c, http.StatusGone, web.TplReset, web.PageData{Title: "Reset link expired", Data: "expired"})
	}
	if err != nil {
		return err
	}
	// The owner proved the address: every lock on the account lifts.
	if u, err := models.FindUserByID(ctx, h.db, userID); err == nil {
		k := loginKeys(u.Email, "")
		if err := models.ClearThrottles(ctx, h.db, []string{k.acct}, "login:acctip:"+u.Email+"|"); err != nil {
			return err
		}
	} else {
		return err
	}
	h.web.ClearSessionCookie(c)
	web.SetFlash(c, "password_reset")
	return web.Redirect(c, "/login")
}

// profileForm edits the account's details.
type profileForm struct {
	Name     string `form:"name"`
	Company  string `form:"company"`
	JobTitle string `form:"job_title"`
}

func (f *profileForm) validate() map[string]string {
	errs := map[string]string{}
	f.Name, f.Company, f.JobTitle = strings.TrimSpace(f.Name), strings.TrimSpace(f.Company), strings.TrimSpace(f.JobTitle)
	if f.Name == "" {
		errs["name"] = "Enter your name."
	}
	for k, v := range map[string]string{"name": f.Name, "company": f.Company, "job_title": f.JobTitle} {
		if len(v) > 200 {
			errs[k] = "Use at most 200 characters."
		}
	}
	return errs
}

// passwordForm changes the password of the logged-in user.
type passwordForm struct {
	Current  string `form:"current_password"`
	Password string `form:"password"`
	Confirm  string `form:"password_confirm"`
}

// ShowProfile serves GET /account.
func (h *Handler) ShowProfile(c echo.Context) error {
	u := web.CurrentUser(c)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return h.web.Render(c, http.StatusOK, web.TplProfile, web.PageData{Title: "Your account",
		Form: profileForm{Name: u.Name, Company: u.Company, JobTitle: u.JobTitle}})
}

// UpdateProfile serves POST /account.
func (h *Handler) UpdateProfile(c echo.Context) error {
	var f profileForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	if errs := f.validate(); len(errs) > 0 {
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplProfile, web.PageData{Title: "Your account", Form: f, Errors: errs})
	}
	u := web.CurrentUser(c)
	u.Name, u.Company, u.JobTitle = f.Name, f.Company, f.JobTitle
	if err := models.UpdateUserProfile(c.Request().Context(), h.db, u); err != nil {
		return err
	}
	web.SetFlash(c, "profile_saved")
	return web.Redirect(c, "/account")
}

// UpdatePassword serves POST /account/password.
func (h *Handler) UpdatePassword(c echo.Context) error {
	var f passwordForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	u := web.CurrentUser(c)
	errs := map[string]string{}
	if !h.passwords.Check(u, f.Current) {
		errs["current_password"] = "This is not your current password."
	}
	web.PasswordErrors(errs, f.Password, f.Confirm)
	if len(errs) > 0 {
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplProfile, web.PageData{Title: "Your account",
			Form: profileForm{Name: u.Name, Company: u.Company, JobTitle: u.JobTitle}, Errors: errs})
	}
	hash, err := h.passwords.Hash(f.Password)
	if err != nil {
		return err
	}
	token := web.SessionToken(c)
	if err := models.SetUserPassword(c.Request().Context(), h.db, u.ID, hash, models.HashToken(token)); err != nil {
		return err
	}
	web.SetFlash(c, "password_saved")
	return web.Redirect(c, "/account")
}
