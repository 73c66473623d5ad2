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

// Limits throttles failed logins per account and per client IP. The
// counts live in the database so every instance enforces the same limit.
type Limits struct {
	Window     time.Duration
	PerAccount int64
	PerIP      int64
	// ResetsPerHour caps reset emails per address.
	ResetsPerHour int64
}

// DefaultLimits are the production throttles.
var DefaultLimits = Limits{Window: 15 * time.Minute, PerAccount: 5, PerIP: 30, ResetsPerHour: 3}

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
	u := &models.User{Name: f.Name, Email: f.Email, Company: f.Company, PasswordHash: hash, Role: models.RoleLearner}
	err = models.CreateUser(c.Request().Context(), h.db, u)
	if errors.Is(err, models.ErrConflict) {
		errs["email"] = "An account with this address already exists. Log in, or reset the password."
		return h.web.Render(c, http.StatusUnprocessableEntity, web.TplSignup, web.PageData{Title: "Create an account", Form: f, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := h.startLogin(c, u); err != nil {
		return err
	}
	web.SetFlash(c, "welcome")
	return web.Redirect(c, web.SafeNext(f.Next))
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
	acctKey, ipKey := "login:acct:"+f.Email, "login:ip:"+c.RealIP()
	throttled, err := h.throttled(ctx, acctKey, ipKey)
	if err != nil {
		return err
	}
	if throttled {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(h.limits.Window.Seconds())))
		return h.web.Render(c, http.StatusTooManyRequests, web.TplLogin, web.PageData{Title: "Log in", Form: f,
			Errors: map[string]string{"form": fmt.Sprintf("Too many failed attempts. Wait %d minutes, or reset your password.", int(h.limits.Window.Minutes()))}})
	}
	u, err := models.FindUserByEmail(ctx, h.db, f.Email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if !h.passwords.Check(u, password) { // nil-safe and equally slow for unknown users
		if err := models.RecordLoginFailure(ctx, h.db, h.web.Now(), acctKey, ipKey); err != nil {
			return err
		}
		return h.web.Render(c, http.StatusUnauthorized, web.TplLogin, web.PageData{Title: "Log in", Form: f,
			Errors: map[string]string{"form": msgBadLogin}})
	}
	if err := models.ClearLoginFailures(ctx, h.db, acctKey); err != nil {
		return err
	}
	if err := h.startLogin(c, u); err != nil {
		return err
	}
	web.SetFlash(c, "logged_in")
	return web.Redirect(c, web.SafeNext(f.Next))
}

// throttled reports whether any key has reached its failure limit.
func (h *Handler) throttled(ctx context.Context, acctKey, ipKey string) (bool, error) {
	since := h.web.Now().Add(-h.limits.Window)
	n, err := models.CountLoginFailures(ctx, h.db, acctKey, since)
	if err != nil || n >= h.limits.PerAccount {
		return err == nil, err
	}
	n, err = models.CountLoginFailures(ctx, h.db, ipKey, since)
	return err == nil && n >= h.limits.PerIP, err
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
	_, err = models.ConsumePasswordReset(c.Request().Context(), h.db, f.Token, hash, h.web.Now())
	if errors.Is(err, models.ErrNotFound) {
		return h.web.Render(c, http.StatusGone, web.TplReset, web.PageData{Title: "Reset link expired", Data: "expired"})
	}
	if err != nil {
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
