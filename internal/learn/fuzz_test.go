package learn

import (
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
		html := strings.ToLower(string(out.HTML))
		for _, bad := range []string{"<script", "javascript:", " onerror=", " onload="} {
			if strings.Contains(html, bad) {
				t.Fatalf("render of %q contains %q: %s", body, bad, out.HTML)
			}
		}
	})
}
