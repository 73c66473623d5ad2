// Package pdfdoc starts the project's PDF documents (certificates, CE
// transcripts, invoices) with an embedded Unicode font, and turns user
// text into text that font can print. It imports nothing from the project;
// internal/certificate and internal/invoice import it.
//
// The font is Liberation Sans (SIL Open Font License 1.1, shipped as the Go
// module codeberg.org/go-fonts/liberation, so nothing is fetched at run
// time). It has Arial's metrics, so layouts made for Helvetica keep their
// line breaks, and it covers Latin with all its extensions (Polish,
// Turkish, Vietnamese, …), Greek and Cyrillic. fpdf embeds only the glyphs
// a document uses, so a page costs about 20–40 KB of font.
//
// What it cannot print: scripts without glyphs in the font (Chinese,
// Japanese, Korean, Arabic, Thai, Devanagari, …) and right-to-left scripts
// (Hebrew has glyphs, but fpdf neither reorders nor shapes, so it would
// come out backwards). No font in a Go module covers CJK, and fpdf cannot
// shape Arabic. Rather than print boxes or question marks, Text writes each
// run of such characters as its Unicode code points in brackets,
// "[U+674E U+5C0F U+9F8D]": an exact, reversible record of what was
// entered, and visibly not a rendering of it. Documents that did so say so
// in a footnote (FallbackNote), and Unprintable lets a form refuse such a
// name at entry with a clear message.
//
// Cost: fpdf parses and subsets the TrueType file for every document
// (about 20 ms and 13 MB for an invoice, against 4 ms with a core font),
// and invoices are rendered inside the booking's write transaction. So
// Render draws first with fpdf's core Helvetica, whose Windows-1252
// covers most names (Liberation Sans has the same metrics, so the layout
// is the same), and draws again with the embedded font only when some
// text needs it.
package pdfdoc

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// Family is the name the embedded font is registered under.
const Family = "LiberationSans"

// core is fpdf's built-in font used when Windows-1252 covers the text.
const core = "Helvetica"

// FallbackNote is the footnote of a document in which Text wrote some
// characters as code points.
const FallbackNote = "Characters shown as [U+…] are written as Unicode code points because this document's font cannot print them."

// Options says how to start a document.
type Options struct {
	Orientation string    // "P" or "L"
	Title       string    // document information; may be any Unicode
	Author      string    // also the creator
	At          time.Time // creation and modification date, so the bytes are a function of the input
	Compress    bool      // false only in tests that read the content streams
}

// Doc is an fpdf document (US Letter, millimetres) being drawn, in the
// core font or in the embedded one (regular "" and bold "B"). Draw text
// only through Text (or Fit) and choose fonts only with Font.
type Doc struct {
	*fpdf.Fpdf
	cov         *coverage // nil while drawing in the core font
	needUnicode bool      // Text met a character outside Windows-1252
	fellBack    bool
}

// coverage answers which characters the embedded font can print.
type coverage struct {
	faces []*sfnt.Font
	buf   sfnt.Buffer
}

// face is one style of the embedded font.
type face struct {
	style string
	ttf   []byte
}

// faces are the embedded font's styles and their TrueType data.
func faces() []face {
	return []face{{"", liberationsansregular.TTF}, {"B", liberationsansbold.TTF}}
}

// newCoverage parses the font's tables (sfnt reads them lazily, so this is
// cheap).
func newCoverage() (*coverage, error) {
	c := &coverage{}
	for _, f := range faces() {
		sf, err := sfnt.Parse(f.ttf)
		if err != nil {
			return nil, fmt.Errorf("parse font %s %q: %w", Family, f.style, err)
		}
		c.faces = append(c.faces, sf)
	}
	return c, nil
}

// Render draws a document with draw and returns the PDF. draw may run
// twice (see the package comment), so it must only draw. The document has
// 18 mm margins and automatic page breaks.
func Render(o Options, draw func(*Doc) error) ([]byte, error) {
	d, err := drawn(o, false, draw)
	if err == nil && d.needUnicode {
		d, err = drawn(o, true, draw)
	}
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// drawn starts a document and draws it.
func drawn(o Options, embed bool, draw func(*Doc) error) (*Doc, error) {
	d, err := newDoc(o, embed)
	if err != nil {
		return nil, err
	}
	return d, draw(d)
}

// newDoc starts a document in the core font, or with the embedded one.
func newDoc(o Options, embed bool) (*Doc, error) {
	pdf := fpdf.New(o.Orientation, "mm", "Letter", "")
	d := &Doc{Fpdf: pdf}
	if embed {
		cov, err := newCoverage()
		if err != nil {
			return nil, err
		}
		d.cov = cov
		for _, f := range faces() {
			pdf.AddUTF8FontFromBytes(Family, f.style, f.ttf)
		}
		if err := pdf.Error(); err != nil {
			return nil, fmt.Errorf("add font %s: %w", Family, err)
		}
	}
	pdf.SetCompression(o.Compress)
	pdf.SetCreationDate(o.At)
	pdf.SetModificationDate(o.At)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(o.Title, true)
	pdf.SetAuthor(o.Author, true)
	pdf.SetCreator(o.Author, true)
	pdf.SetLang("en")
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	d.Font("", 10)
	return d, nil
}

// Font selects the document's font in style "" or "B" at size points.
func (d *Doc) Font(style string, size float64) {
	if d.cov == nil {
		d.SetFont(core, style, size)
		return
	}
	d.SetFont(Family, style, size)
}

// Embedded reports whether the document is drawn in the embedded font.
func (d *Doc) Embedded() bool { return d.cov != nil }

// FellBack reports whether Text has written any characters as code points
// in this document, so the renderer can add FallbackNote.
func (d *Doc) FellBack() bool { return d.fellBack }

// Text returns s as the document prints it: composed (NFC, so "e" plus a
// combining accent becomes "é"), line breaks and tabs as spaces, other
// control characters dropped, and each run of characters the font cannot
// print written as "[U+XXXX …]". Format characters (soft hyphens,
// zero-width joiners, bidi overrides that could disguise a name) are
// dropped too.
func (d *Doc) Text(s string) string {
	var b strings.Builder
	var run []rune
	flush := func() {
		if len(run) == 0 {
			return
		}
		d.fellBack = true
		b.WriteByte('[')
		for i, r := range run {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "U+%04X", r)
		}
		b.WriteByte(']')
		run = run[:0]
	}
	for _, r := range norm.NFC.String(s) {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			flush()
			b.WriteByte(' ')
		case invisible(r):
			// Nothing to print.
		case d.cov == nil:
			// The core font takes Windows-1252 bytes.
			c, ok := charmap.Windows1252.EncodeRune(r)
			if !ok {
				d.needUnicode = true
			}
			b.WriteByte(c)
		case d.cov.printable(r):
			flush()
			b.WriteRune(r)
		default:
			run = append(run, r)
		}
	}
	flush()
	return b.String()
}

// printable reports whether every face has a glyph for r and r is written
// left to right. fpdf writes UTF-16 without surrogate pairs, so r must be
// in the Basic Multilingual Plane.
func (c *coverage) printable(r rune) bool {
	if r > 0xFFFF {
		return false
	}
	if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL {
		return false
	}
	for _, f := range c.faces {
		if g, err := f.GlyphIndex(&c.buf, r); err != nil || g == 0 {
			return false
		}
	}
	return true
}

// Fit returns Text(s), shortened with "..." until it fits width w (mm)
// in the current font.
func (d *Doc) Fit(s string, w float64) string {
	t := d.Text(s)
	if d.GetStringWidth(t) <= w {
		return t
	}
	r := []rune(s)
	for len(r) > 1 && d.GetStringWidth(d.Text(string(r)+"...")) > w {
		r = r[:len(r)-1]
	}
	return d.Text(string(r) + "...")
}

// Lines returns how many lines MultiCell will take for text t (from Text)
// at width w.
func (d *Doc) Lines(t string, w float64) int {
	if d.cov == nil {
		return len(d.SplitLines([]byte(t), w))
	}
	return len(d.SplitText(t, w))
}

// Unprintable returns the characters of s that documents cannot print and
// would write as code points, each once, in order; nil if there are none.
// Forms use it to refuse a name at entry, so the holder can enter it in
// letters the certificate can print.
func Unprintable(s string) ([]rune, error) {
	c, err := newCoverage()
	if err != nil {
		return nil, err
	}
	var out []rune
	seen := map[rune]bool{}
	for _, r := range norm.NFC.String(s) {
		if invisible(r) || c.printable(r) || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	return out, nil
}

// invisible reports whether r is a control or format character, which
// documents drop rather than print.
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}
