package certs

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/certificate"
	"github.com/hsworkshop/hsworkshop/models"
)

// verifyPage is the data of the public verification page.
type verifyPage struct {
	Code        string
	Certificate *models.Certificate // nil when not found
	Credit      string
}

// ShowVerification serves GET /certificates/:code: the holder, course,
// date and credit hours of a valid certificate; "not found" (404) for an
// unknown code; "revoked on DATE" (410) for a revoked one, without the
// details shown as valid.
func (h *Handler) ShowVerification(c echo.Context) error {
	code := models.NormalizeCertificateCode(c.Param("code"))
	cert, err := h.certs.Verify(c.Request().Context(), code)
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	if errors.Is(err, models.ErrNotFound) {
		return h.web.Render(c, http.StatusNotFound, TplVerify, web.PageData{Title: "Certificate not found", Data: verifyPage{Code: code}})
	}
	if err != nil {
		return err
	}
	if cert.Revoked() {
		return h.web.Render(c, http.StatusGone, TplVerify, web.PageData{Title: "Certificate revoked", Data: verifyPage{Code: code, Certificate: cert}})
	}
	return h.web.Render(c, http.StatusOK, TplVerify, web.PageData{Title: "Certificate verified",
		Data: verifyPage{Code: code, Certificate: cert, Credit: certificate.FormatHours(cert.CreditHours)}})
}

// DownloadCertificate serves GET /certificates/:code/pdf to its holder (an
// account that has proven the attendee's email) and to staff (admins, the session's
// instructor); anyone else gets a 404.
func (h *Handler) DownloadCertificate(c echo.Context) error {
	ctx := c.Request().Context()
	cert, err := h.certs.Verify(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	sess, err := models.FindSession(ctx, h.db, cert.SessionID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	u := web.CurrentUser(c)
	if !certificate.CanDownload(u, cert, sess) {
		// Someone else's certificate is not found (as another learner's
		// seat or another instructor's session); its holder is told why.
		if !certificate.IsHolder(u, cert) {
			return echo.NewHTTPError(http.StatusNotFound, "We could not find that certificate.")
		}
		if cert.Revoked() {
			return echo.NewHTTPError(http.StatusGone, "This certificate has been revoked.")
		}
		return echo.NewHTTPError(http.StatusForbidden, "Only the certificate's holder, logged in with the email it was issued to and having confirmed that address, can download it.")
	}
	pdf, err := h.certs.PDF(*cert)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="certificate-%s.pdf"`, cert.Code))
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// minePage is the data of the learner's certificates and transcript.
type minePage struct {
	Transcript *certificate.Transcript
}

// ShowTranscript serves GET /certificates: the logged-in user's
// certificates grouped by CBP CE triennial period, with totals.
func (h *Handler) ShowTranscript(c echo.Context) error {
	t, err := h.certs.Transcript(c.Request().Context(), web.CurrentUser(c))
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, TplMine, web.PageData{Title: "Certificates and CE transcript", Data: minePage{Transcript: t}})
}

// TranscriptCSV serves GET /certificates/transcript.csv.
func (h *Handler) TranscriptCSV(c echo.Context) error {
	t, err := h.certs.Transcript(c.Request().Context(), web.CurrentUser(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", `attachment; filename="ce-transcript.csv"`)
	c.Response().Header().Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	return h.certs.WriteCSV(c.Response(), t)
}

// TranscriptPDF serves GET /certificates/transcript.pdf.
func (h *Handler) TranscriptPDF(c echo.Context) error {
	t, err := h.certs.Transcript(c.Request().Context(), web.CurrentUser(c))
	if err != nil {
		return err
	}
	pdf, err := h.certs.TranscriptPDF(t)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="ce-transcript.pdf"`)
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}
