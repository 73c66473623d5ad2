package learn

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hsworkshop/hsworkshop/content"
)

// fixtureFS is the fixture content tree (two tracks, five lessons).
func fixtureFS() fs.FS { return os.DirFS("testdata") }

// mapFixture copies the fixture tree into a MapFS that a test may change.
func mapFixture(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(fixtureFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fixtureFS(), p)
		if err != nil {
			return err
		}
		m[p] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		t.Fatalf("copy fixture: %v", err)
	}
	return m
}

const firstLesson = "lessons/01-basics/01-first-lesson.md"

func TestLoadFixture(t *testing.T) {
	c, err := Load(fixtureFS())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(c.Tracks) != 2 || len(c.Lessons) != 5 {
		t.Fatalf("got %d tracks, %d lessons, want 2, 5", len(c.Tracks), len(c.Lessons))
	}
	var got []string
	for _, l := range c.Lessons {
		got = append(got, l.Slug)
	}
	want := "first-lesson second-lesson third-lesson fourth-lesson fifth-lesson"
	if strings.Join(got, " ") != want {
		t.Errorf("got order %v, want %s", got, want)
	}
	l := c.Lessons[1]
	if l.AsOf != "2026-11-30" || len(l.Sources) != 1 || len(l.SelfCheck) != 2 || l.Hash == "" {
		t.Errorf("got front matter %+v, want as_of, 1 source, 2 questions and a hash", l.FrontMatter)
	}
	if strings.Contains(l.Body, "self_check") || !strings.HasPrefix(l.Body, "## Introduction") {
		t.Errorf("body should start after the front matter, got %.40q", l.Body)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(m fstest.MapFS, lesson string) string // returns the new lesson text
		want   string
	}{
		{"missing title", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, `title: "Lesson first-lesson"`+"\n", "", 1)
		}, "missing title"},
		{"missing summary", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, "summary: A fixture lesson.\n", "", 1)
		}, "missing summary"},
		{"missing as_of", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "as_of: 2026-11-30\n", "", 1) }, "missing as_of"},
		{"as_of not a date", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, "as_of: 2026-11-30", "as_of: November 2026", 1)
		}, "is not a date"},
		{"no minutes", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "minutes: 6\n", "", 1) }, "minutes must be"},
		{"unknown key", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, "minutes: 6", "minutes: 6\nminuets: 6", 1)
		}, "minuets"},
		{"no sources", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, "sources:\n  - title: \"HTSUS (2025 edition)\"\n    url: https://hts.usitc.gov/\n", "sources: []\n", 1)
		}, "at least one source"},
		{"bad source url", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, "url: https://hts.usitc.gov/", "url: hts.usitc.gov", 1)
		}, "not an http(s) address"},
		{"duplicate slug", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, "slug: first-lesson", "slug: second-lesson", 1)
		}, `slug "second-lesson" already used`},
		{"duplicate order", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "\norder: 1\n", "\norder: 2\n", 1) }, "order 2 already used"},
		{"unknown prerequisite", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, "prerequisites: []", "prerequisites: [no-such-lesson]", 1)
		}, `prerequisite "no-such-lesson" is not a lesson`},
		{"track mismatch", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "track: basics", "track: more", 1) }, "does not match"},
		{"short body", func(_ fstest.MapFS, s string) string {
			i := strings.Index(s, "## Introduction")
			return s[:i] + "## Introduction\n\nToo short.\n\n```\n" + strings.Repeat("code words do not count ", 200) + "\n```\n\n## Key points\n\n- Short.\n"
		}, "at least 600"},
		{"no key points", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "## Key points", "## Summary", 1) }, `no "Key points" section`},
		{"answer out of range", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "answer: [0]", "answer: [2]", 1) }, "answer index 2 is out of range"},
		{"negative answer", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "answer: [0]", "answer: [-1]", 1) }, "answer index -1 is out of range"},
		{"two answers on single", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "answer: [0]", "answer: [0, 1]", 1) }, "exactly one answer"},
		{"no answer", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "answer: [0]", "answer: []", 1) }, "missing answer"},
		{"bad question type", func(_ fstest.MapFS, s string) string { return strings.Replace(s, "type: single", "type: truefalse", 1) }, `type "truefalse"`},
		{"one question only", func(_ fstest.MapFS, s string) string {
			i, j := strings.Index(s, "  - type: multiple"), strings.Index(s, "---\n## Introduction")
			return s[:i] + s[j:]
		}, "self_check has 1 questions"},
		{"no front matter", func(_ fstest.MapFS, s string) string { return strings.TrimPrefix(s, "---\n") }, "front matter"},
		{"bad duty block", func(_ fstest.MapFS, s string) string {
			return strings.Replace(s, "## Key points", "```duty\ncode: 8471\ncountry: China\ndate: soon\nvalue: ten\n```\n\n## Key points", 1)
		}, "duty block 1"},
		{"duplicate track order", func(m fstest.MapFS, s string) string {
			m["lessons/02-more/track.yaml"] = &fstest.MapFile{Data: []byte("slug: more\ntitle: More\norder: 1\nsummary: Two.\n")}
			m["lessons/02-more/README.md"] = &fstest.MapFile{Data: []byte("# Notes for authors\n")}
			return s
		}, "track order 1 already used"},
		{"missing track.yaml", func(m fstest.MapFS, s string) string { delete(m, "lessons/01-basics/track.yaml"); return s }, "lessons/01-basics/track.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mapFixture(t)
			m[firstLesson] = &fstest.MapFile{Data: []byte(tt.change(m, string(m[firstLesson].Data)))}
			errs := Validate(m)
			if len(errs) == 0 {
				t.Fatalf("got no errors, want one containing %q", tt.want)
			}
			joined := errors.Join(errs...).Error()
			if !strings.Contains(joined, tt.want) {
				t.Errorf("got errors %q, want one containing %q", joined, tt.want)
			}
			if tt.name != "missing track.yaml" && tt.name != "duplicate slug" && tt.name != "duplicate track order" && !strings.Contains(joined, firstLesson) {
				t.Errorf("got errors %q, want them to name %s", joined, firstLesson)
			}
			if _, err := Load(m); err == nil {
				t.Errorf("Load: got nil error, want one")
			}
		})
	}
}

func TestCountWords(t *testing.T) {
	tests := []struct {
		md   string
		want int
	}{
		{"## Heading\n\nOne two three.", 4},
		{"- a\n- b\n\n| x | y |\n|---|---|", 4},
		{"Before\n```duty\ncode: 1\n```\nAfter", 2},
		{"~~~\nnot counted\n~~~\ncounted", 1},
	}
	for _, tt := range tests {
		if got := CountWords(tt.md); got != tt.want {
			t.Errorf("CountWords(%q): got %d, want %d", tt.md, got, tt.want)
		}
	}
}

// TestContentLessons checks every shipped lesson: front matter, length
// floor, key points, sources, self-checks, and that each renders. It also
// holds the floor of seven tracks and 28 lessons.
func TestContentLessons(t *testing.T) {
	errs := Validate(content.FS)
	for _, err := range errs {
		t.Error(err)
	}
	c, err := Load(content.FS)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got := len(c.Tracks); got < 7 {
		t.Errorf("tracks: got %d, want at least 7", got)
	}
	if got := len(c.Lessons); got < 28 {
		t.Errorf("lessons: got %d, want at least 28", got)
	}
	r := NewRenderer()
	for _, l := range c.Lessons {
		if _, err := r.Render(l.Slug, l.Body); err != nil {
			t.Errorf("%s: %v", l.Path, err)
		}
	}
}

func TestReadmeIsNotALesson(t *testing.T) {
	m := mapFixture(t)
	m["lessons/02-more/README.md"] = &fstest.MapFile{Data: []byte("# Notes for authors\n")}
	if errs := Validate(m); len(errs) != 0 {
		t.Errorf("got %v, want no errors", errs)
	}
}
