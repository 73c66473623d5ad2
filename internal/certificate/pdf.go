package certificate

import (
	"fmt"

	"github.com/hsworkshop/hsworkshop/internal/pdfdoc"
	"github.com/hsworkshop/hsworkshop/models"
)

// CertificateContent is what a certificate PDF says, line by line; the
// renderer only lays it out, so tests can check the wording directly.
type CertificateContent struct {
	Issuer        string
	Holder        string
	Course        string
	Dates         string // in the session's zone
	When          string // dates and times with the zone named
	Credit        string // "6.5 CE credit hours"
	Attendance    string // "Attended in full" / "Attended 4.5 of 7 hours"
	Accreditation string // "Accreditation: …" or ""
	Code          string
	VerifyURL     string
	IssuedOn      string
	Revoked       string // "REVOKED on …" for staff copies of revoked certificates
}

// Content is the text of c's certificate.
func (s *Service) Content(c models.Certificate) CertificateContent {
	cc := CertificateContent{Issuer: s.issuer, Holder: c.HolderName, Course: c.CourseTitle, Dates: c.Dates(), When: c.When() + " (" + c.TimeZone + ")",
		Credit: FormatHours(c.CreditHours) + " CE credit hours", Code: c.Code, VerifyURL: s.VerifyURL(c.Code),
		IssuedOn: "Issued " + c.IssuedAt.UTC().Format("2 January 2006")}
	if c.CreditHours == 1 {
		cc.Credit = "1 CE credit hour"
	}
	cc.Attendance = "Attended in full"
	if c.Attendance == string(Partial) {
		cc.Attendance = "Attended " + FormatHours(c.HoursAttended) + " hours (partial attendance)"
	}
	if c.AccreditationID != "" {
		cc.Accreditation = "Accreditation: " + c.AccreditationID
	}
	if c.RevokedAt != nil {
		cc.Revoked = "REVOKED on " + c.RevokedAt.UTC().Format("2 January 2006")
	}
	return cc
}

// PDF renders c's certificate (US Letter, landscape).
func (s *Service) PDF(c models.Certificate) ([]byte, error) {
	return renderCertificate(s.Content(c), c, true)
}

func renderCertificate(cc CertificateContent, c models.Certificate, compress bool) ([]byte, error) {
	b, err := pdfdoc.Render(pdfdoc.Options{Orientation: "L", Title: "Certificate of attendance " + cc.Code, Author: cc.Issuer,
		At: c.IssuedAt, Compress: compress}, func(pdf *pdfdoc.Doc) error {
		drawCertificate(pdf, cc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("render certificate %s: %w", cc.Code, err)
	}
	return b, nil
}

// drawCertificate lays out a certificate on one landscape page.
func drawCertificate(pdf *pdfdoc.Doc, cc CertificateContent) {
	tr := pdf.Text
	pdf.AddPage()
	w, h := pdf.GetPageSize()
	// Border.
	pdf.SetDrawColor(11, 92, 171)
	pdf.SetLineWidth(1.2)
	pdf.Rect(10, 10, w-20, h-20, "D")
	pdf.SetLineWidth(0.3)
	pdf.Rect(13, 13, w-26, h-26, "D")

	// Lines are centred and wrapped; y runs down the page.
	y := 26.0
	line := func(gap, size float64, style, text string, r, g, b int) {
		pdf.Font(style, size)
		pdf.SetTextColor(r, g, b)
		pdf.SetXY(24, y+gap)
		pdf.MultiCell(w-48, size*0.45, tr(text), "", "C", false)
		y = pdf.GetY()
	}
	line(0, 13, "B", cc.Issuer, 11, 92, 171)
	line(6, 28, "B", "Certificate of Attendance", 28, 39, 51)
	line(7, 12, "", "This certifies that", 91, 107, 123)
	line(3, 24, "B", cc.Holder, 28, 39, 51)
	line(4, 12, "", "attended", 91, 107, 123)
	line(3, 17, "B", cc.Course, 28, 39, 51)
	line(5, 12, "", cc.When, 28, 39, 51)
	line(1, 12, "", cc.Attendance, 28, 39, 51)
	line(5, 16, "B", cc.Credit, 11, 92, 171)
	if cc.Accreditation != "" {
		line(2, 11, "", cc.Accreditation, 28, 39, 51)
	}
	if cc.Revoked != "" {
		line(4, 16, "B", cc.Revoked, 179, 38, 30)
	}
	pdf.Font("", 9.5)
	pdf.SetTextColor(91, 107, 123)
	if pdf.FellBack() {
		// The verification page is HTML: a browser shows the name in any script.
		pdf.SetXY(22, h-50)
		pdf.MultiCell(w-44, 4.5, pdfdoc.FallbackNote+" The verification page shows the name exactly as registered.", "", "L", false)
	}
	pdf.SetXY(22, h-40)
	pdf.CellFormat(w-44, 5, tr(cc.IssuedOn+"   ·   Verification code: "+cc.Code), "", 1, "L", false, 0, "")
	pdf.SetX(22)
	pdf.CellFormat(w-44, 5, tr("Check this certificate at "+cc.VerifyURL), "", 1, "L", false, 0, cc.VerifyURL)
}

// TranscriptPDF renders the transcript.
func (s *Service) TranscriptPDF(t *Transcript) ([]byte, error) {
	return renderTranscript(s.issuer, t, true)
}

func renderTranscript(issuer string, t *Transcript, compress bool) ([]byte, error) {
	b, err := pdfdoc.Render(pdfdoc.Options{Orientation: "P", Title: "CE transcript of " + t.Name, Author: issuer,
		At: t.GeneratedAt, Compress: compress}, func(pdf *pdfdoc.Doc) error {
		drawTranscript(pdf, issuer, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("render transcript: %w", err)
	}
	return b, nil
}

// drawTranscript lists t's periods and certificates, page after page.
func drawTranscript(pdf *pdfdoc.Doc, issuer string, t *Transcript) {
	tr := pdf.Text
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.Font("", 8)
		pdf.SetTextColor(91, 107, 123)
		pdf.CellFormat(0, 4, tr(fmt.Sprintf("%s · CE transcript of %s · page %d of {nb}", issuer, t.Name, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetTextColor(28, 39, 51)
	pdf.Font("B", 18)
	pdf.CellFormat(0, 9, tr("Continuing-education transcript"), "", 1, "L", false, 0, "")
	pdf.Font("", 10.5)
	pdf.CellFormat(0, 5.5, tr(t.Name+" <"+t.Email+">"), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 5.5, tr("Generated "+t.GeneratedAt.UTC().Format("2 January 2006, 15:04 MST")+" by "+issuer), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	pdf.Font("", 8.5)
	pdf.SetTextColor(91, 107, 123)
	pdf.MultiCell(0, 4, tr("Grouped by CBP customs broker continuing-education triennial period (19 CFR 111.103). "+
		"A course counts toward CBP's requirement only if a CBP-selected accreditor accredited it; the accreditation "+
		"identifier is shown where the course has one. Courses completed before 1 January 2025 (CBP's compliance date) "+
		"are listed but not counted. Check each certificate at its verification address."), "", "L", false)
	if len(t.Periods) == 0 {
		pdf.Ln(4)
		pdf.Font("", 11)
		pdf.SetTextColor(28, 39, 51)
		pdf.CellFormat(0, 6, tr("No certificates yet."), "", 1, "L", false, 0, "")
	}
	cols := []float64{24, 72, 16, 16, 52}
	for _, p := range t.Periods {
		pdf.Ln(5)
		pdf.SetTextColor(28, 39, 51)
		pdf.Font("B", 12)
		pdf.CellFormat(0, 7, tr("Period "+p.Period.Label()), "", 1, "L", false, 0, "")
		pdf.Font("", 9)
		summary := fmt.Sprintf("Credits earned: %s. %s", FormatHours(p.Total), p.Source)
		if p.Required > 0 {
			summary = fmt.Sprintf("Credits earned: %s of %s required. Source: %s", FormatHours(p.Total), FormatHours(p.Required), p.Source)
		}
		pdf.MultiCell(0, 4.5, tr(summary), "", "L", false)
		pdf.Font("B", 8.5)
		pdf.SetFillColor(238, 242, 246)
		for i, hd := range []string{"Completed", "Course", "Hours", "Credit", "Accreditation / code"} {
			pdf.CellFormat(cols[i], 6, hd, "B", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.Font("", 8.5)
		for _, l := range p.Lines {
			c := l.Certificate
			credit := FormatHours(c.CreditHours)
			if l.BeforeCompliance {
				credit += "*"
			}
			acc := c.Code
			if c.AccreditationID != "" {
				acc = c.AccreditationID + " / " + c.Code
			}
			cells := []string{c.CompletedOn().Format("2006-01-02"), c.CourseTitle, FormatHours(c.HoursAttended), credit, acc}
			for i, v := range cells {
				pdf.CellFormat(cols[i], 6, pdf.Fit(v, cols[i]-1), "B", 0, "L", false, 0, "")
			}
			pdf.Ln(-1)
		}
	}
	if pdf.FellBack() {
		pdf.Ln(4)
		pdf.Font("", 8.5)
		pdf.SetTextColor(91, 107, 123)
		pdf.MultiCell(0, 4, pdfdoc.FallbackNote, "", "L", false)
	}
}
