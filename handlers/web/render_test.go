package web

import (
	"strings"
	"testing"
	"testing/fstest"
)

func tree(pages map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"layouts/base.html":   {Data: []byte(`{{define "base"}}<main>{{block "content" .}}{{end}}</main>{{end}}`)},
		"partials/field.html": {Data: []byte(`{{define "field"}}[{{.}}]{{end}}`)},
		"errors/error.html":   {Data: []byte(`{{define "content"}}error{{end}}`)},
	}
	for p, body := range pages {
		fsys[p] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// TestPagesFoundRecursively: pages in nested area folders are found and
// named by their path under pages/.
func TestPagesFoundRecursively(t *testing.T) {
	t.Parallel()
	r, err := NewRenderer(tree(map[string]string{
		"pages/learn/index.html":               `{{define "content"}}lessons{{end}}`,
		"pages/admin/lessons/edit.html":        `{{define "content"}}{{template "field" "title"}}{{end}}`,
		"pages/admin/quizzes/questions/a.html": `{{define "content"}}deep{{end}}`,
	}), TemplateFuncs(map[string]string{}, NewMarkdown()), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"learn/index": "lessons", "admin/lessons/edit": "[title]", "admin/quizzes/questions/a": "deep", "errors/error": "error"} {
		var buf strings.Builder
		if err := r.Render(&buf, name, PageData{}, nil); err != nil {
			t.Errorf("render %s: %v", name, err)
			continue
		}
		if got := buf.String(); got != "<main>"+want+"</main>" {
			t.Errorf("%s: got %q, want %q", name, got, "<main>"+want+"</main>")
		}
	}
	if got := len(r.Names()); got != 4 {
		t.Errorf("got %d pages, want 4", got)
	}
}

// TestPageParseErrorIsFatal: one broken page anywhere in the tree stops
// start-up, naming the file.
func TestPageParseErrorIsFatal(t *testing.T) {
	t.Parallel()
	_, err := NewRenderer(tree(map[string]string{
		"pages/learn/index.html":        `{{define "content"}}ok{{end}}`,
		"pages/admin/lessons/edit.html": `{{define "content"}}{{if}}{{end}}`,
	}), TemplateFuncs(map[string]string{}, NewMarkdown()), false, nil)
	if err == nil || !strings.Contains(err.Error(), "pages/admin/lessons/edit.html") {
		t.Fatalf("got %v, want a parse error naming pages/admin/lessons/edit.html", err)
	}
	if _, err := NewRenderer(tree(nil), TemplateFuncs(map[string]string{}, NewMarkdown()), false, nil); err == nil {
		t.Error("a tree without pages was accepted")
	}
}
