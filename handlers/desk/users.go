package desk

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/desk"
	"github.com/hsworkshop/hsworkshop/models"
)

// inviteForm invites a staff member.
type inviteForm struct {
	Name  string `form:"name"`
	Email string `form:"email"`
	Role  string `form:"role"`
}

// userSearch filters the user list (query string).
type userSearch struct {
	Q    string `query:"q"`
	Role string `query:"role"`
}

// usersPage is the data of the users page.
type usersPage struct {
	Users  []models.UserListing
	Search userSearch
}

// ListUsers serves GET /admin/users.
func (h *Handler) ListUsers(c echo.Context) error {
	return h.renderUsers(c, http.StatusOK, inviteForm{Role: string(models.RoleInstructor)}, nil)
}

func (h *Handler) renderUsers(c echo.Context, status int, f inviteForm, errs map[string]string) error {
	var s userSearch
	if err := web.BindQuery(c, &s); err != nil {
		return err
	}
	if s.Role != "" && !models.ValidRole(models.Role(s.Role)) {
		s.Role = ""
		if errs == nil {
			errs = map[string]string{}
		}
		errs["role_filter"] = "Choose a role from the list."
		status = http.StatusUnprocessableEntity
	}
	us, err := h.desk.Users(c.Request().Context(), models.UserFilter{Query: strings.TrimSpace(s.Q), Role: models.Role(s.Role)})
	if err != nil {
		return err
	}
	return h.render(c, status, TplUsers, web.PageData{Title: "Users and roles", Form: f, Errors: errs, Data: usersPage{Users: us, Search: s}})
}

// InviteUser serves POST /admin/users.
func (h *Handler) InviteUser(c echo.Context) error {
	var f inviteForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	_, err := h.desk.InviteStaff(c.Request().Context(), actor(c), desk.Invite{Name: f.Name, Email: f.Email, Role: models.Role(f.Role)}, h.web.BaseURL)
	if fe := fieldErrors(err); fe != nil {
		return h.renderUsers(c, http.StatusUnprocessableEntity, f, fe)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, "/admin/users?done=invited")
}

// roleForm changes one user's role.
type roleForm struct {
	Role string `form:"role"`
}

// userActionError re-renders the list for a refused action.
func (h *Handler) userActionError(c echo.Context, err error) error {
	switch {
	case errors.Is(err, desk.ErrLastAdmin):
		return h.renderUsers(c, http.StatusUnprocessableEntity, inviteForm{Role: string(models.RoleInstructor)},
			map[string]string{"form": "This is the last active admin: make another user admin first."})
	case fieldErrors(err) != nil:
		return h.renderUsers(c, http.StatusUnprocessableEntity, inviteForm{Role: string(models.RoleInstructor)},
			map[string]string{"form": "Choose learner, instructor or admin."})
	}
	return err
}

// UpdateRole serves POST /admin/users/:id/role.
func (h *Handler) UpdateRole(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var f roleForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	if err := h.desk.SetRole(c.Request().Context(), actor(c), id, models.Role(f.Role)); err != nil {
		return h.userActionError(c, err)
	}
	return web.Redirect(c, "/admin/users?done=role_saved")
}

// Deactivate serves POST /admin/users/:id/deactivate.
func (h *Handler) Deactivate(c echo.Context) error { return h.setActive(c, false) }

// Reactivate serves POST /admin/users/:id/reactivate.
func (h *Handler) Reactivate(c echo.Context) error { return h.setActive(c, true) }

func (h *Handler) setActive(c echo.Context, active bool) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.desk.SetActive(c.Request().Context(), actor(c), id, active); err != nil {
		return h.userActionError(c, err)
	}
	if active {
		return web.Redirect(c, "/admin/users?done=reactivated")
	}
	return web.Redirect(c, "/admin/users?done=deactivated")
}

// SendReset serves POST /admin/users/:id/password-reset.
func (h *Handler) SendReset(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.desk.SendPasswordReset(c.Request().Context(), actor(c), id, h.web.BaseURL); err != nil {
		return err
	}
	return web.Redirect(c, "/admin/users?done=reset_sent")
}
