package certificate

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/hsworkshop/hsworkshop/internal/pdfdoc"
	"github.com/hsworkshop/hsworkshop/internal/testpdf"
	"github.com/hsworkshop/hsworkshop/models"
)

// shows reports whether the PDF's text, lines joined by spaces (a wrapped
// line is drawn in pieces), contains s.
func shows(doc *testpdf.Doc, s string) bool {
	return strings.Contains(strings.Join(doc.Texts, " "), s)
}

func TestCertificateNamesInEveryScript(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for script, name := range testpdf.ScriptNames() {
		c := models.Certificate{Code: "K7Q2MX4RZP9TBW3D", HolderName: name, CourseTitle: "HS Classification Fundamentals",
			StartsAt: f.sess.StartsAt, EndsAt: f.sess.EndsAt, TimeZone: "America/Chicago", Attendance: "full", HoursAttended: 7,
			CreditHours: 6, IssuedAt: now}
		b, err := f.svc.PDF(c)
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		doc := testpdf.MustRead(t, b)
		if !shows(doc, name) {
			t.Errorf("%s: certificate does not show %q:\n%s", script, name, doc.All())
		}
		if shows(doc, "code points") {
			t.Errorf("%s: fallback note on a printable name", script)
		}
		if _, err := charmap.Windows1252.NewEncoder().String(name); err != nil && testpdf.LegacyShows(t, name) {
			t.Errorf("%s: negative control: the core-font PDF shows %q", script, name)
		}
	}
}

func TestCertificateUnprintableNameIsCodePointsWithNote(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c := models.Certificate{Code: "K7Q2MX4RZP9TBW3D", HolderName: "李小龍 (Bruce Lee)", CourseTitle: "HS Classification Fundamentals",
		StartsAt: f.sess.StartsAt, EndsAt: f.sess.EndsAt, TimeZone: "America/Chicago", Attendance: "full", HoursAttended: 7,
		CreditHours: 6, IssuedAt: now}
	b, err := f.svc.PDF(c)
	if err != nil {
		t.Fatal(err)
	}
	doc := testpdf.MustRead(t, b)
	for _, want := range []string{"[U+674E U+5C0F U+9F8D] (Bruce Lee)", pdfdoc.FallbackNote, "verification page shows the name exactly",
		"https://hsw.test/certificates/K7Q2MX4RZP9TBW3D"} {
		if !shows(doc, want) {
			t.Errorf("certificate lacks %q:\n%s", want, doc.All())
		}
	}
	if strings.Contains(doc.All(), "?") {
		t.Errorf("certificate prints '?':\n%s", doc.All())
	}
}

func TestTranscriptNamesInEveryScript(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	end := time.Date(2025, 5, 1, 20, 0, 0, 0, time.UTC)
	names := testpdf.ScriptNames()
	// One line per script, titled with that script's name (cut to fit the column).
	var cs []models.Certificate
	for _, name := range names {
		r := []rune(name)
		cs = append(cs, models.Certificate{Code: "A1", CourseTitle: string(r[:min(len(r), 20)]), StartsAt: end.Add(-7 * time.Hour), EndsAt: end,
			TimeZone: "America/Chicago", CreditHours: 1, HoursAttended: 1})
	}
	// Each render embeds the font (~1 s under -race): three holders suffice
	// for the header and footer, the course lines cover every script.
	for _, script := range []string{"Vietnamese", "Greek", "Polish"} {
		name := names[script]
		b, err := f.svc.TranscriptPDF(BuildTranscript(name, "ana@example.com", now, cs))
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		doc := testpdf.MustRead(t, b)
		for _, want := range []string{name + " <ana@example.com>", "CE transcript of " + name} {
			if !shows(doc, want) {
				t.Errorf("%s: transcript does not show %q:\n%s", script, want, doc.All())
			}
		}
		for _, c := range cs {
			if !shows(doc, c.CourseTitle) {
				t.Errorf("transcript does not show course %q:\n%s", c.CourseTitle, doc.All())
			}
		}
	}
	tr := BuildTranscript("محمد علي", "m@example.com", now, nil)
	b, err := f.svc.TranscriptPDF(tr)
	if err != nil {
		t.Fatal(err)
	}
	doc := testpdf.MustRead(t, b)
	for _, want := range []string{"[U+0645 U+062D U+0645 U+062F] [U+0639 U+0644 U+064A] <m@example.com>", pdfdoc.FallbackNote} {
		if !shows(doc, want) {
			t.Errorf("transcript lacks %q:\n%s", want, doc.All())
		}
	}
}
