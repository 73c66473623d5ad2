package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/scheduling"
	"github.com/hsworkshop/hsworkshop/models"
)

// ListWorkshops serves GET /admin/workshops.
func (h *Handler) ListWorkshops(c echo.Context) error {
	ws, err := models.ListWorkshops(c.Request().Context(), h.db)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, tplWorkshops, web.PageData{Title: "Workshops", Data: ws})
}

var workshopFormFields = []string{"title", "slug", "summary", "description_md", "agenda_md", "audience", "level",
	"duration_minutes", "ce_credit_hours", "default_price", "currency"}

// workshopFormPage is the data of the workshop form.
type workshopFormPage struct {
	Workshop     *models.Workshop // nil when creating
	LevelOptions [][2]string
}

func (h *Handler) renderWorkshopForm(c echo.Context, status int, w *models.Workshop, f, errs map[string]string) error {
	title := "New workshop"
	if w != nil {
		title = "Edit " + w.Title
	}
	return h.web.Render(c, status, tplWorkshopForm, web.PageData{Title: title, Form: f, Errors: errs,
		Data: workshopFormPage{Workshop: w, LevelOptions: levelOptions()}})
}

// NewWorkshop serves GET /admin/workshops/new.
func (h *Handler) NewWorkshop(c echo.Context) error {
	return h.renderWorkshopForm(c, http.StatusOK, nil, map[string]string{"level": "introductory", "duration_minutes": "420",
		"ce_credit_hours": "0", "default_price": "0", "currency": "USD"}, nil)
}

// EditWorkshop serves GET /admin/workshops/:id/edit.
func (h *Handler) EditWorkshop(c echo.Context) error {
	w, err := h.workshopParam(c)
	if err != nil {
		return err
	}
	f := map[string]string{"title": w.Title, "slug": w.Slug, "summary": w.Summary, "description_md": w.DescriptionMD,
		"agenda_md": w.AgendaMD, "audience": w.Audience, "level": w.Level, "duration_minutes": strconv.Itoa(w.DurationMinutes),
		"ce_credit_hours": strconv.FormatFloat(w.CECreditHours, 'f', -1, 64), "default_price": w.DefaultPrice().Decimal(), "currency": w.Currency}
	return h.renderWorkshopForm(c, http.StatusOK, w, f, nil)
}

func (h *Handler) workshopParam(c echo.Context) (*models.Workshop, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindWorkshop(c.Request().Context(), h.db, id)
}

// parseWorkshop reads the form into w.
func parseWorkshop(f map[string]string, w *models.Workshop) map[string]string {
	errs := map[string]string{}
	w.Title, w.Slug, w.Summary, w.DescriptionMD, w.AgendaMD, w.Audience, w.Level =
		f["title"], f["slug"], f["summary"], f["description_md"], f["agenda_md"], f["audience"], f["level"]
	w.Currency = f["currency"]
	if n, err := strconv.Atoi(f["duration_minutes"]); err != nil {
		errs["duration_minutes"] = "Enter whole minutes."
	} else {
		w.DurationMinutes = n
	}
	if x, err := strconv.ParseFloat(f["ce_credit_hours"], 64); err != nil {
		errs["ce_credit_hours"] = "Enter hours such as 6 or 6.5."
	} else {
		w.CECreditHours = x
	}
	if p, err := models.ParseMoney(f["default_price"], w.Currency); err != nil {
		errs["default_price"] = "Enter an amount such as 595 (0 or more)."
	} else {
		w.DefaultPriceMinor = p.Minor
	}
	for k, v := range scheduling.ValidateWorkshop(w) {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
	return errs
}

// CreateWorkshop serves POST /admin/workshops.
func (h *Handler) CreateWorkshop(c echo.Context) error {
	return h.saveWorkshop(c, nil)
}

// UpdateWorkshop serves POST /admin/workshops/:id.
func (h *Handler) UpdateWorkshop(c echo.Context) error {
	w, err := h.workshopParam(c)
	if err != nil {
		return err
	}
	return h.saveWorkshop(c, w)
}

func (h *Handler) saveWorkshop(c echo.Context, cur *models.Workshop) error {
	f := formOf(c, workshopFormFields)
	w := &models.Workshop{}
	if cur != nil {
		cp := *cur
		w = &cp
	}
	if errs := parseWorkshop(f, w); len(errs) > 0 {
		return h.renderWorkshopForm(c, http.StatusUnprocessableEntity, cur, f, errs)
	}
	err := h.sched.SaveWorkshop(c.Request().Context(), actor(c), w)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderWorkshopForm(c, http.StatusUnprocessableEntity, cur, f, ve.Fields)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/workshops?saved=%d", w.ID))
}

// auditPage is the data of the audit log viewer.
type auditPage struct {
	Entries []models.AuditEntry
	Actions []string
	Next    string // query of the next (older) page, "" on the last
}

const auditPageSize = 50

// ShowAudit serves GET /admin/audit: filter by actor (email), action,
// object type and id, and date range (UTC days); keyset pages of 50.
func (h *Handler) ShowAudit(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	f := map[string]string{"actor": q.Get("actor"), "action": q.Get("action"), "object_type": q.Get("object_type"),
		"object_id": q.Get("object_id"), "from": q.Get("from"), "to": q.Get("to")}
	errs := map[string]string{}
	flt := models.AuditFilter{Action: f["action"], ObjectType: f["object_type"], ObjectID: f["object_id"], Limit: auditPageSize + 1}
	if f["actor"] != "" {
		u, err := models.FindUserByEmail(ctx, h.db, f["actor"])
		switch {
		case errors.Is(err, models.ErrNotFound):
			errs["actor"] = "No user has this email address."
		case err != nil:
			return err
		default:
			flt.ActorID = u.ID
		}
	}
	if f["from"] != "" {
		d, err := time.Parse("2006-01-02", f["from"])
		if err != nil {
			errs["from"] = "Enter a date such as 2026-11-01."
		}
		flt.Since = d
	}
	if f["to"] != "" {
		d, err := time.Parse("2006-01-02", f["to"])
		if err != nil {
			errs["to"] = "Enter a date such as 2026-11-30."
		}
		flt.Until = d.AddDate(0, 0, 1)
	}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseUint(b, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The page link is not valid.")
		}
		flt.BeforeID = uint(n)
	}
	actions, err := models.ListAuditActions(ctx, h.db)
	if err != nil {
		return err
	}
	p := auditPage{Actions: actions}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		es, err := models.ListAuditEntries(ctx, h.db, flt)
		if err != nil {
			return err
		}
		if len(es) > auditPageSize {
			es = es[:auditPageSize]
			nq := c.QueryParams()
			nq.Set("before", strconv.FormatUint(uint64(es[len(es)-1].ID), 10))
			p.Next = nq.Encode()
		}
		p.Entries = es
	}
	return h.web.Render(c, status, tplAudit, web.PageData{Title: "Audit log", Form: f, Errors: errs, Data: p})
}

func levelOptions() [][2]string {
	out := make([][2]string, 0, len(scheduling.Levels))
	for _, l := range scheduling.Levels {
		out = append(out, [2]string{l, strings.ToUpper(l[:1]) + l[1:]})
	}
	return out
}
