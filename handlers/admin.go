package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/models"
)

// adminDashboard is the data of the admin home.
type adminDashboard struct {
	Sessions []models.Session
	Emails   []models.Email
}

func (a *App) showAdminDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	ss, err := models.ListSessionsForAdmin(ctx, a.db, a.now().AddDate(0, 0, -7))
	if err != nil {
		return err
	}
	ms, err := models.ListEmails(ctx, a.db, 5)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, tplAdminDashboard, pageData{Title: "Admin", Data: adminDashboard{Sessions: ss, Emails: ms}})
}

// adminOutbox is the data of the outbox page.
type adminOutbox struct {
	Emails      []models.Email
	SMTPEnabled bool
}

func (a *App) listAdminEmails(c echo.Context) error {
	ms, err := models.ListEmails(c.Request().Context(), a.db, 200)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, tplAdminOutbox, pageData{Title: "Outbox", Data: adminOutbox{Emails: ms, SMTPEnabled: a.cfg.SMTPEnabled}})
}

func (a *App) showAdminEmail(c echo.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	m, err := models.FindEmail(c.Request().Context(), a.db, id)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, tplAdminEmail, pageData{Title: m.Subject, Data: m})
}
