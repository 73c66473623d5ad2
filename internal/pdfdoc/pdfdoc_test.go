package pdfdoc

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/testpdf"
)

var at = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// render prints each line in regular and in bold, as a document does,
// and returns the PDF and the Doc that drew it last.
func render(t *testing.T, lines ...string) ([]byte, *Doc) {
	t.Helper()
	var last *Doc
	b, err := Render(Options{Orientation: "P", Title: "Test " + strings.Join(lines, ", "), Author: "hsworkshop", At: at, Compress: true},
		func(d *Doc) error {
			last = d
			d.AddPage()
			for _, l := range lines {
				for _, style := range []string{"", "B"} {
					d.Font(style, 12)
					d.MultiCell(0, 6, d.Text(l), "", "L", false)
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return b, last
}

// embedded starts a document in the embedded font.
func embedded(t *testing.T) *Doc {
	t.Helper()
	d, err := newDoc(Options{Orientation: "P", At: at}, true)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTextKeepsEveryCoveredScript(t *testing.T) {
	d := embedded(t)
	for script, name := range testpdf.ScriptNames() {
		if got := d.Text(name); got != name {
			t.Errorf("%s: Text(%q) = %q, want it unchanged", script, name, got)
		}
	}
	if d.FellBack() {
		t.Errorf("FellBack after printable names only")
	}
}

func TestTextWritesUnprintableAsCodePoints(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"李小龍", "[U+674E U+5C0F U+9F8D]"},
		{"Bruce 李小龍 Lee", "Bruce [U+674E U+5C0F U+9F8D] Lee"},
		{"محمد علي", "[U+0645 U+062D U+0645 U+062F] [U+0639 U+0644 U+064A]"},
		{"שלום Cohen", "[U+05E9 U+05DC U+05D5 U+05DD] Cohen"}, // the font has Hebrew glyphs, but fpdf cannot lay out right to left
		{"Ana 😀", "Ana [U+1F600]"},                            // outside the BMP: fpdf cannot encode it
		{"สมชาย", "[U+0E2A U+0E21 U+0E0A U+0E32 U+0E22]"},
	} {
		d := embedded(t)
		if got := d.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !d.FellBack() {
			t.Errorf("Text(%q): FellBack is false", tc.in)
		}
	}
}

func TestTextNormalizes(t *testing.T) {
	d := embedded(t)
	for _, tc := range []struct{ in, want string }{
		{"Jose\u0301 Nun\u0303ez", "José Nuñez"},           // decomposed accents compose
		{"Ana\nMaría\tPérez\r", "Ana María Pérez "},        // breaks become spaces
		{"Ann\u202Egro\u202C Smith\u00AD", "Anngro Smith"}, // bidi overrides and soft hyphens vanish
		{"A\x00B\x1bC", "ABC"},
		{"€1 − 2 – 3 — 4 “ok” ‘ok’ …", "€1 − 2 – 3 — 4 “ok” ‘ok’ …"},
	} {
		if got := d.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if d.FellBack() {
		t.Errorf("FellBack after printable text")
	}
}

func TestUnprintable(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []rune
	}{
		{"Łukasz Wróblewski", nil},
		{"Đặng Thị Hương", nil},
		{"Bruce 李小龍 李", []rune("李小龍")},
		{"Ann\u202E", nil},
	} {
		got, err := Unprintable(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Unprintable(%q) = %q, want %q", tc.in, string(got), string(tc.want))
		}
	}
}

// TestNamesReadBack renders each name and reads the text back out of the
// compressed PDF through the font's ToUnicode CMap; every character must
// have a glyph. The same check on the old core-font rendering fails.
func TestNamesReadBack(t *testing.T) {
	names := testpdf.ScriptNames()
	var all []string
	for _, n := range names {
		all = append(all, n)
	}
	slices.Sort(all)
	pdf, _ := render(t, all...)
	doc := testpdf.MustRead(t, pdf)
	for script, name := range names {
		if !doc.Contains(name) {
			t.Errorf("%s: %q not read back from the PDF:\n%s", script, name, doc.All())
		}
	}
	if !slices.Equal(doc.Fonts, []string{"utf8liberationsans", "utf8liberationsansB"}) {
		t.Errorf("fonts: got %v, want only the embedded %s", doc.Fonts, Family)
	}
	// PDF syntax in a name stays text: no operator ran, no action exists.
	for _, active := range []string{"/JavaScript", "/JS", "/OpenAction", "/Launch", "/AA", "/URI", "/SubmitForm"} {
		if bytes.Contains(pdf, []byte(active)) {
			t.Errorf("PDF has %s", active)
		}
	}
	if len(pdf) > 120_000 {
		t.Errorf("PDF is %d bytes; the font should be subset", len(pdf))
	}

	legacy, err := testpdf.Legacy(all...)
	if err != nil {
		t.Fatal(err)
	}
	old, err := testpdf.Read(legacy)
	if err != nil {
		t.Fatal(err)
	}
	for script, name := range names {
		cp1252 := script == "Spanish" || script == "German" || script == "PDF syntax"
		if old.Contains(name) != cp1252 {
			t.Errorf("negative control, %s: core-font PDF shows %q: %v, want %v", script, name, old.Contains(name), cp1252)
		}
	}
}

// TestFallbackReadsBack: unprintable names come out as their code points,
// never as empty boxes.
func TestFallbackReadsBack(t *testing.T) {
	pdf, d := render(t, "李小龍", "محمد")
	if !d.FellBack() {
		t.Errorf("FellBack is false")
	}
	doc := testpdf.MustRead(t, pdf)
	for _, want := range []string{"[U+674E U+5C0F U+9F8D]", "[U+0645 U+062D U+0645 U+062F]"} {
		if !doc.Contains(want) {
			t.Errorf("PDF lacks %q:\n%s", want, doc.All())
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := render(t, "Łukasz Wróblewski", "Ольга Смирнова")
	b, _ := render(t, "Łukasz Wróblewski", "Ольга Смирнова")
	if !bytes.Equal(a, b) {
		t.Errorf("two renders of the same input differ")
	}
}

// TestCoreFontWhenItSuffices: text that Windows-1252 covers is drawn once
// in the core font (cheap); anything else is drawn again embedded.
func TestCoreFontWhenItSuffices(t *testing.T) {
	for _, tc := range []struct {
		text, want string
		fonts      []string
	}{
		{"María Pérez · €1,295.00 – “Zoë” Weiß", "María Pérez · €1,295.00 – “Zoë” Weiß", []string{"Helvetica", "Helvetica-Bold"}},
		{"Jose\u0301", "José", []string{"Helvetica", "Helvetica-Bold"}},
		{"Łukasz Wróblewski", "Łukasz Wróblewski", []string{"utf8liberationsans", "utf8liberationsansB"}},
		{"李小龍", "[U+674E U+5C0F U+9F8D]", []string{"utf8liberationsans", "utf8liberationsansB"}},
	} {
		pdf, d := render(t, tc.text)
		doc := testpdf.MustRead(t, pdf)
		if !slices.Equal(doc.Fonts, tc.fonts) {
			t.Errorf("%q: fonts %v, want %v", tc.text, doc.Fonts, tc.fonts)
		}
		if d.Embedded() != strings.HasPrefix(tc.fonts[0], "utf8") {
			t.Errorf("%q: Embedded() = %v", tc.text, d.Embedded())
		}
		if !doc.Contains(tc.want) || strings.ContainsAny(doc.All(), "?\ufffd") {
			t.Errorf("%q: PDF lacks %q:\n%s", tc.text, tc.want, doc.All())
		}
	}
}

func TestFitShortens(t *testing.T) {
	for _, embed := range []bool{false, true} {
		d, err := newDoc(Options{Orientation: "P", At: at}, embed)
		if err != nil {
			t.Fatal(err)
		}
		d.Font("", 10)
		s := "Classifying Machinery & Electronics — Café"
		if got := d.Fit(s, 200); got != d.Text(s) {
			t.Errorf("embedded %v: Fit with room: got %q", embed, got)
		}
		got := d.Fit(s, 30)
		if !strings.HasSuffix(got, "...") || d.GetStringWidth(got) > 30 || !strings.HasPrefix(got, "Class") {
			t.Errorf("embedded %v: Fit(30): got %q, width %.1f", embed, got, d.GetStringWidth(got))
		}
	}
}

func BenchmarkEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := newDoc(Options{Orientation: "P", At: at}, true); err != nil {
			b.Fatal(err)
		}
	}
}
