package certs

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/certificate"
	"github.com/hsworkshop/hsworkshop/models"
)

// adminIndex is the data of /admin/certs.
type adminIndex struct {
	Sessions []models.Session
	Recent   []models.Certificate
}

// ShowAdminIndex serves GET /admin/certs: sessions that ended in the last
// 120 days or are under way, and the newest certificates.
func (h *Handler) ShowAdminIndex(c echo.Context) error {
	ctx := c.Request().Context()
	ss, err := models.ListSessionsForAdmin(ctx, h.db, h.web.Now().AddDate(0, 0, -120))
	if err != nil {
		return err
	}
	var ended []models.Session
	for _, s := range ss {
		if s.StartsAt.Before(h.web.Now()) && s.Status != models.StatusCancelled {
			ended = append(ended, s)
		}
	}
	recent, err := models.ListRecentCertificates(ctx, h.db, 50)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, TplAdminIndex, web.PageData{Title: "Certificates", Data: adminIndex{Sessions: ended, Recent: recent}})
}

// adminSession is the data of a session's issuing preview.
type adminSession struct {
	Preview *certificate.Preview
	// Result is the outcome of the issuing run just done, if any.
	Result *certificate.Result
}

// ShowAdminSession serves GET /admin/certs/sessions/:id: who qualifies
// and why the others do not, with the button to issue.
func (h *Handler) ShowAdminSession(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.certs.Preview(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, TplAdminSession, web.PageData{Title: "Certificates: " + p.Workshop.Title,
		Data: adminSession{Preview: p, Result: resultParam(c)}})
}

// IssueSession serves POST /admin/certs/sessions/:id/issue. Issuing twice
// creates nothing twice.
func (h *Handler) IssueSession(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	res, err := h.certs.Issue(c.Request().Context(), web.CurrentUser(c), c.RealIP(), id)
	if errors.Is(err, certificate.ErrNotEnded) {
		return echo.NewHTTPError(http.StatusConflict, "Certificates can be issued once the session has ended (and not for a cancelled session).")
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/certs/sessions/%d?issued=%d&already=%d&refused=%d", id, res.Issued, res.Already, res.Refused))
}

// adminShow is the data of one certificate's staff page.
type adminShow struct {
	Certificate *models.Certificate
	Credit      string
}

// ShowAdminCertificate serves GET /admin/certs/:code with the revoke form.
func (h *Handler) ShowAdminCertificate(c echo.Context) error {
	return h.renderAdminCertificate(c, http.StatusOK, nil, "")
}

func (h *Handler) renderAdminCertificate(c echo.Context, status int, errs map[string]string, reason string) error {
	cert, err := h.certs.Verify(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return h.web.Render(c, status, TplAdminShow, web.PageData{Title: "Certificate " + cert.Code, Errors: errs,
		Form: map[string]string{"reason": reason}, Data: adminShow{Certificate: cert, Credit: certificate.FormatHours(cert.CreditHours)}})
}

// revokeForm is the revocation form.
type revokeForm struct {
	Reason string `form:"reason"`
}

// RevokeCertificate serves POST /admin/certs/:code/revoke.
func (h *Handler) RevokeCertificate(c echo.Context) error {
	var f revokeForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	code := models.NormalizeCertificateCode(c.Param("code"))
	err := h.certs.Revoke(c.Request().Context(), web.CurrentUser(c), c.RealIP(), code, f.Reason)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderAdminCertificate(c, http.StatusUnprocessableEntity, ve.Fields, f.Reason)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, "/admin/certs/"+code)
}

// ListWorkshops serves GET /admin/certs/workshops: each workshop's CE
// credit hours, accreditation identifier and post-test requirement.
func (h *Handler) ListWorkshops(c echo.Context) error {
	ws, err := models.ListWorkshopCE(c.Request().Context(), h.db)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, TplAdminWorkshop, web.PageData{Title: "CE credit hours by workshop", Data: ws})
}

// EditWorkshop serves GET /admin/certs/workshops/:id.
func (h *Handler) EditWorkshop(c echo.Context) error {
	return h.renderWorkshop(c, http.StatusOK, nil, nil)
}

func (h *Handler) renderWorkshop(c echo.Context, status int, errs map[string]string, f *certificate.WorkshopForm) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	w, err := models.FindWorkshopCE(c.Request().Context(), h.db, id)
	if err != nil {
		return err
	}
	if f == nil {
		f = &certificate.WorkshopForm{CECreditHours: certificate.FormatHours(w.CECreditHours), AccreditationID: w.AccreditationID,
			RequiresPostTest: w.RequiresPostTest}
	}
	return h.web.Render(c, status, TplAdminEditWS, web.PageData{Title: "CE fields: " + w.Title, Errors: errs, Data: w,
		Form: map[string]any{"ce_credit_hours": f.CECreditHours, "accreditation_id": f.AccreditationID, "requires_post_test": f.RequiresPostTest}})
}

// UpdateWorkshop serves POST /admin/certs/workshops/:id.
func (h *Handler) UpdateWorkshop(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var f certificate.WorkshopForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	err = h.certs.UpdateWorkshop(c.Request().Context(), web.CurrentUser(c), c.RealIP(), id, f)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderWorkshop(c, http.StatusUnprocessableEntity, ve.Fields, &f)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, "/admin/certs/workshops")
}

// resultParam reads the counts of an issuing run from the redirect's query.
func resultParam(c echo.Context) *certificate.Result {
	if c.QueryParam("issued") == "" {
		return nil
	}
	n := func(k string) int {
		v, err := strconv.Atoi(c.QueryParam(k))
		if err != nil || v < 0 {
			return 0
		}
		return v
	}
	return &certificate.Result{Issued: n("issued"), Already: n("already"), Refused: n("refused")}
}
