package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// loginLimits throttles failed logins per account and per client IP. The
// counts live in the database so every instance enforces the same limit.
type loginLimits struct {
	Window     time.Duration
	PerAccount int64
	PerIP      int64
	// ResetsPerHour caps reset emails per address.
	ResetsPerHour int64
}

var defaultLoginLimits = loginLimits{Window: 15 * time.Minute, PerAccount: 5, PerIP: 30, ResetsPerHour: 3}

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
	if p := models.PasswordProblem(f.Password); p != "" {
		errs["password"] = p
	} else if f.Password != f.Confirm {
		errs["password_confirm"] = "The two passwords do not match."
	}
	return errs
}

func (a *App) newSignup(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, "/account")
	}
	return a.render(c, http.StatusOK, tplSignup, pageData{Title: "Create an account", Form: signupForm{Next: c.QueryParam("next")}})
}

func (a *App) createSignup(c echo.Context) error {
	var f signupForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	errs := f.validate()
	f.Password, f.Confirm = "", ""
	if len(errs) > 0 {
		return a.render(c, http.StatusUnprocessableEntity, tplSignup, pageData{Title: "Create an account", Form: f, Errors: errs})
	}
	hash, err := a.passwords.Hash(c.FormValue("password"))
	if err != nil {
		return err
	}
	u := &models.User{Name: f.Name, Email: f.Email, Company: f.Company, PasswordHash: hash, Role: models.RoleLearner}
	err = models.CreateUser(c.Request().Context(), a.db, u)
	if errors.Is(err, models.ErrConflict) {
		errs["email"] = "An account with this address already exists. Log in, or reset the password."
		return a.render(c, http.StatusUnprocessableEntity, tplSignup, pageData{Title: "Create an account", Form: f, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := a.startLogin(c, u); err != nil {
		return err
	}
	setFlash(c, "welcome")
	return redirect(c, safeNext(f.Next))
}

// loginForm is the login form.
type loginForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
}

func (a *App) newLogin(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, safeNext(c.QueryParam("next")))
	}
	return a.render(c, http.StatusOK, tplLogin, pageData{Title: "Log in", Form: loginForm{Next: c.QueryParam("next")}})
}

func (a *App) createLogin(c echo.Context) error {
	var f loginForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
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
		return a.render(c, http.StatusUnprocessableEntity, tplLogin, pageData{Title: "Log in", Form: f, Errors: errs})
	}
	ctx := c.Request().Context()
	acctKey, ipKey := "login:acct:"+f.Email, "login:ip:"+c.RealIP()
	throttled, err := a.throttled(ctx, acctKey, ipKey)
	if err != nil {
		return err
	}
	if throttled {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(a.limits.Window.Seconds())))
		return a.render(c, http.StatusTooManyRequests, tplLogin, pageData{Title: "Log in", Form: f,
			Errors: map[string]string{"form": fmt.Sprintf("Too many failed attempts. Wait %d minutes, or reset your password.", int(a.limits.Window.Minutes()))}})
	}
	u, err := models.FindUserByEmail(ctx, a.db, f.Email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if !a.passwords.Check(u, password) { // nil-safe and equally slow for unknown users
		if err := models.RecordLoginFailure(ctx, a.db, a.now(), acctKey, ipKey); err != nil {
			return err
		}
		return a.render(c, http.StatusUnauthorized, tplLogin, pageData{Title: "Log in", Form: f,
			Errors: map[string]string{"form": msgBadLogin}})
	}
	if err := models.ClearLoginFailures(ctx, a.db, acctKey); err != nil {
		return err
	}
	if err := a.startLogin(c, u); err != nil {
		return err
	}
	setFlash(c, "logged_in")
	return redirect(c, safeNext(f.Next))
}

// throttled reports whether any key has reached its failure limit.
func (a *App) throttled(ctx context.Context, acctKey, ipKey string) (bool, error) {
	since := a.now().Add(-a.limits.Window)
	n, err := models.CountLoginFailures(ctx, a.db, acctKey, since)
	if err != nil || n >= a.limits.PerAccount {
		return err == nil, err
	}
	n, err = models.CountLoginFailures(ctx, a.db, ipKey, since)
	return err == nil && n >= a.limits.PerIP, err
}

// startLogin rotates the session: any session the browser had is ended
// server-side and a fresh token is issued, defeating session fixation.
func (a *App) startLogin(c echo.Context, u *models.User) error {
	ctx := c.Request().Context()
	if old, ok := c.Get(ctxSessionToken).(string); ok && old != "" {
		if err := models.DeleteLoginSession(ctx, a.db, old); err != nil {
			return err
		}
	} else if ck, err := c.Cookie(a.sessionCookieName()); err == nil && ck.Value != "" {
		if err := models.DeleteLoginSession(ctx, a.db, ck.Value); err != nil {
			return err
		}
	}
	token, err := models.CreateLoginSession(ctx, a.db, u.ID, c.RealIP(), c.Request().UserAgent(), a.now())
	if err != nil {
		return err
	}
	a.setSessionCookie(c, token)
	return nil
}

func (a *App) deleteLogin(c echo.Context) error {
	if token, ok := c.Get(ctxSessionToken).(string); ok {
		if err := models.DeleteLoginSession(c.Request().Context(), a.db, token); err != nil {
			return err
		}
	}
	a.clearSessionCookie(c)
	setFlash(c, "logged_out")
	return redirect(c, "/")
}

// forgotForm asks for the address to send a reset link to.
type forgotForm struct {
	Email string `form:"email"`
}

func (a *App) newPasswordForgot(c echo.Context) error {
	return a.render(c, http.StatusOK, tplForgot, pageData{Title: "Reset your password", Form: forgotForm{}})
}

// createPasswordForgot always answers the same way, whether or not the
// address has an account, so it cannot be used to probe for customers.
func (a *App) createPasswordForgot(c echo.Context) error {
	var f forgotForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	f.Email = models.NormalizeEmail(f.Email)
	if !models.ValidEmail(f.Email) {
		return a.render(c, http.StatusUnprocessableEntity, tplForgot, pageData{Title: "Reset your password", Form: f,
			Errors: map[string]string{"email": "Enter an email address like name@company.com."}})
	}
	ctx := c.Request().Context()
	key := "reset:" + f.Email
	n, err := models.CountLoginFailures(ctx, a.db, key, a.now().Add(-time.Hour))
	if err != nil {
		return err
	}
	u, err := models.FindUserByEmail(ctx, a.db, f.Email)
	switch {
	case errors.Is(err, models.ErrNotFound):
	case err != nil:
		return err
	case n >= a.limits.ResetsPerHour:
		a.log.Warn("password reset throttled", "email", f.Email)
	default:
		if err := a.sendPasswordReset(ctx, u); err != nil {
			return err
		}
		// Counted like a failure so repeated requests cannot flood a mailbox.
		if err := models.RecordLoginFailure(ctx, a.db, a.now(), key); err != nil {
			return err
		}
	}
	setFlash(c, "reset_sent")
	return redirect(c, "/login")
}

func (a *App) sendPasswordReset(ctx context.Context, u *models.User) error {
	token, r, err := models.CreatePasswordReset(ctx, a.db, u.ID, a.now())
	if err != nil {
		return err
	}
	link := a.cfg.BaseURL + "/password/reset?token=" + url.QueryEscape(token)
	return a.outbox.Enqueue(ctx, a.db, mail.KindPasswordReset, fmt.Sprintf("password_reset:%d", r.ID), u.Email, u.Name,
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
	if p := models.PasswordProblem(f.Password); p != "" {
		errs["password"] = p
	} else if f.Password != f.Confirm {
		errs["password_confirm"] = "The two passwords do not match."
	}
	return errs
}

func (a *App) editPasswordReset(c echo.Context) error {
	token := c.QueryParam("token")
	_, err := models.FindUsablePasswordReset(c.Request().Context(), a.db, token, a.now())
	if errors.Is(err, models.ErrNotFound) {
		return a.render(c, http.StatusGone, tplReset, pageData{Title: "Reset link expired", Data: "expired"})
	}
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, tplReset, pageData{Title: "Choose a new password", Form: resetForm{Token: token}})
}

func (a *App) updatePasswordReset(c echo.Context) error {
	var f resetForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	if errs := f.validate(); len(errs) > 0 {
		return a.render(c, http.StatusUnprocessableEntity, tplReset, pageData{Title: "Choose a new password",
			Form: resetForm{Token: f.Token}, Errors: errs})
	}
	hash, err := a.passwords.Hash(f.Password)
	if err != nil {
		return err
	}
	_, err = models.ConsumePasswordReset(c.Request().Context(), a.db, f.Token, hash, a.now())
	if errors.Is(err, models.ErrNotFound) {
		return a.render(c, http.StatusGone, tplReset, pageData{Title: "Reset link expired", Data: "expired"})
	}
	if err != nil {
		return err
	}
	a.clearSessionCookie(c)
	setFlash(c, "password_reset")
	return redirect(c, "/login")
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

func (a *App) showProfile(c echo.Context) error {
	u := currentUser(c)
	return a.render(c, http.StatusOK, tplProfile, pageData{Title: "Your account",
		Form: profileForm{Name: u.Name, Company: u.Company, JobTitle: u.JobTitle}})
}

func (a *App) updateProfile(c echo.Context) error {
	var f profileForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	if errs := f.validate(); len(errs) > 0 {
		return a.render(c, http.StatusUnprocessableEntity, tplProfile, pageData{Title: "Your account", Form: f, Errors: errs})
	}
	u := currentUser(c)
	u.Name, u.Company, u.JobTitle = f.Name, f.Company, f.JobTitle
	if err := models.UpdateUserProfile(c.Request().Context(), a.db, u); err != nil {
		return err
	}
	setFlash(c, "profile_saved")
	return redirect(c, "/account")
}

func (a *App) updatePassword(c echo.Context) error {
	var f passwordForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	u := currentUser(c)
	errs := map[string]string{}
	if !a.passwords.Check(u, f.Current) {
		errs["current_password"] = "This is not your current password."
	}
	if p := models.PasswordProblem(f.Password); p != "" {
		errs["password"] = p
	} else if f.Password != f.Confirm {
		errs["password_confirm"] = "The two passwords do not match."
	}
	if len(errs) > 0 {
		return a.render(c, http.StatusUnprocessableEntity, tplProfile, pageData{Title: "Your account",
			Form: profileForm{Name: u.Name, Company: u.Company, JobTitle: u.JobTitle}, Errors: errs})
	}
	hash, err := a.passwords.Hash(f.Password)
	if err != nil {
		return err
	}
	token, _ := c.Get(ctxSessionToken).(string)
	if err := models.SetUserPassword(c.Request().Context(), a.db, u.ID, hash, models.HashToken(token)); err != nil {
		return err
	}
	setFlash(c, "password_saved")
	return redirect(c, "/account")
}
