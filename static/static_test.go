package static

import (
	"io/fs"
	"strings"
	"testing"
)

// TestStylesheetsBalance catches a stylesheet whose braces do not pair up:
// browsers then swallow every rule after the gap into an @media block,
// which no Go test of a page would notice (a merge once left two such gaps
// and every admin page overflowed phone screens).
func TestStylesheetsBalance(t *testing.T) {
	var n int
	err := fs.WalkDir(FS, "css", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".css") {
			return err
		}
		n++
		b, err := fs.ReadFile(FS, path)
		if err != nil {
			return err
		}
		depth := 0
		for i, line := range strings.Split(stripComments(string(b)), "\n") {
			depth += strings.Count(line, "{") - strings.Count(line, "}")
			if depth < 0 {
				t.Errorf("%s:%d: a closing brace without its opening one", path, i+1)
				depth = 0
			}
		}
		if depth != 0 {
			t.Errorf("%s: %d block(s) left open at the end", path, depth)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no stylesheet found")
	}
}

// stripComments blanks /* … */ comments, keeping their line breaks.
func stripComments(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			return b.String()
		}
		b.WriteString(strings.Repeat("\n", strings.Count(s[i:i+2+j+2], "\n")))
		s = s[i+2+j+2:]
	}
}
