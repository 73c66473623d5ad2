package learn

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzRender: any lesson body renders without a panic, and what comes out
// carries no script, event handler or javascript: link.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"# T\n\ntext **bold** 8471.30.01", "<script>alert(1)</script>", "[x](javascript:alert(1))",
		"```duty\ncode: 8471.30.01\n```", "<img src=x onerror=alert(1)>", "| a | b |\n|---|---|\n| 1 | 2 |"} {
		f.Add(s)
	}
	r := NewRenderer()
	f.Fuzz(func(t *testing.T, body string) {
		out, err := r.Render("fuzz", body)
		if err != nil {
			return // a malformed example block is reported, not rendered
		}
		if tag := liveTag(string(out.HTML)); tag != "" {
			t.Fatalf("render of %q has the live tag %s", body, tag)
		}
	})
}

var (
	tagRe     = regexp.MustCompile(`<[^>]*>`)
	handlerRe = regexp.MustCompile(`\son[a-z]+\s*=`)
)

// liveTag returns the first tag of sanitised HTML that could run script (a
// script element, an event-handler attribute, a javascript: URL), or "".
// Text is escaped by the sanitiser, so every "<" starts a real tag.
func liveTag(html string) string {
	for _, tag := range tagRe.FindAllString(html, -1) {
		low := strings.ToLower(tag)
		if strings.HasPrefix(low, "<script") || handlerRe.MatchString(low) || strings.Contains(low, "javascript:") {
			return tag
		}
	}
	return ""
}
