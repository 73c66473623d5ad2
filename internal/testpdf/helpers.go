package testpdf

import (
	"bytes"
	"testing"

	"github.com/go-pdf/fpdf"
)

// ScriptNames are people's and companies' names in the scripts the
// documents must print, keyed by script.
func ScriptNames() map[string]string {
	return map[string]string{
		"Polish":          "Łukasz Wróblewski",
		"Vietnamese":      "Đặng Thị Hương",
		"Russian":         "Ольга Смирнова",
		"Greek":           "Ελένη Παπαδοπούλου",
		"Turkish":         "Çağrı Yılmaz",
		"Spanish":         "María Pérez",
		"German":          "Jürgen Weiß GmbH",
		"Ukrainian":       "Оксана Ґудзь",
		"Romanian":        "Ștefan Țurcanu",
		"Czech":           "Jiří Dvořák",
		"PDF syntax":      `Evil) Tj /F1 99 Tf (x \ (nested) <3c>`,
		"Vietnamese corp": "Công ty TNHH Xuất nhập khẩu Hưng Thịnh",
	}
}

// MustRead reads pdf and fails t if it cannot, or if any character was
// drawn without a glyph.
func MustRead(t testing.TB, pdf []byte) *Doc {
	t.Helper()
	d, err := Read(pdf)
	if err != nil {
		t.Fatalf("read PDF: %v", err)
	}
	if len(d.NoGlyph) > 0 {
		t.Errorf("characters drawn without a glyph: %q", string(d.NoGlyph))
	}
	return d
}

// Legacy renders lines the way the documents did before they embedded a
// font: fpdf's core Helvetica with its cp1252 translator. Tests run the
// same checks on it as a negative control.
func Legacy(lines ...string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "Letter", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	for _, l := range lines {
		pdf.CellFormat(0, 6, tr(l), "", 1, "L", false, 0, "")
	}
	var buf bytes.Buffer
	err := pdf.Output(&buf)
	return buf.Bytes(), err
}

// LegacyShows renders s with Legacy and reports whether the same reading
// finds it there: false for any s outside Windows-1252.
func LegacyShows(t testing.TB, s string) bool {
	t.Helper()
	b, err := Legacy(s)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return doc.Contains(s)
}
