package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/models"
)

// adminDashboard is the data of the admin home.
type adminDashboard struct {
	Sessions []models.Session
	Emails   []models.Email
}

// ShowAdminDashboard serves GET /admin.
func (h *Handler) ShowAdminDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	ss, err := models.ListSessionsForAdmin(ctx, h.db, h.web.Now().AddDate(0, 0, -7))
	if err != nil {
		return err
	}
	ms, err := models.ListEmails(ctx, h.db, 5)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, web.TplAdminDashboard, web.PageData{Title: "Admin", Data: adminDashboard{Sessions: ss, Emails: ms}})
}

// adminOutbox is the data of the outbox page.
type adminOutbox struct {
	Emails      []models.Email
	SMTPEnabled bool
}

// ListAdminEmails serves GET /admin/emails.
func (h *Handler) ListAdminEmails(c echo.Context) error {
	ms, err := models.ListEmails(c.Request().Context(), h.db, 200)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, web.TplAdminOutbox, web.PageData{Title: "Outbox", Data: adminOutbox{Emails: ms, SMTPEnabled: h.smtp}})
}

// ShowAdminEmail serves GET /admin/emails/:id.
func (h *Handler) ShowAdminEmail(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	m, err := models.FindEmail(c.Request().Context(), h.db, id)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, web.TplAdminEmail, web.PageData{Title: m.Subject, Data: m})
}
