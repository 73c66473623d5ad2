package web

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzMarkdown: workshop descriptions (staff-typed markdown) render without
// a panic and never carry a script, event handler or javascript: link.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"## Overview\n\n**bold**", "<script>alert(1)</script>", "[x](javascript:alert(1))", "<img src=x onerror=alert(1)>"} {
		f.Add(s)
	}
	md := NewMarkdown()
	f.Fuzz(func(t *testing.T, src string) {
		html := string(md.HTML(src))
		if tag := liveTag(html); tag != "" {
			t.Fatalf("markdown of %q renders the live tag %s", src, tag)
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
