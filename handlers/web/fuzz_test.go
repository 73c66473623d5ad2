package web

import (
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
		html := strings.ToLower(string(md.HTML(src)))
		for _, bad := range []string{"<script", "javascript:", " onerror=", " onload="} {
			if strings.Contains(html, bad) {
				t.Fatalf("markdown of %q contains %q: %s", src, bad, html)
			}
		}
	})
}
