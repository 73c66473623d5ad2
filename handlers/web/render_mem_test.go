package web

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hsworkshop/hsworkshop/templates"
)

// TestPagesCompiledLazily: start-up validates every page but keeps none;
// a page is compiled on its first render and kept for the next.
func TestPagesCompiledLazily(t *testing.T) {
	t.Parallel()
	r, err := NewRenderer(tree(map[string]string{
		"pages/a.html": `{{define "content"}}a{{end}}`,
		"pages/b.html": `{{define "content"}}b{{end}}`,
	}), TemplateFuncs(map[string]string{}, NewMarkdown()), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := compiledCount(r); n != 0 {
		t.Fatalf("%d pages kept after start-up, want 0", n)
	}
	for range 2 {
		var buf strings.Builder
		if err := r.Render(&buf, "a", PageData{}, nil); err != nil {
			t.Fatal(err)
		}
		if buf.String() != "<main>a</main>" {
			t.Fatalf("got %q", buf.String())
		}
	}
	if n := compiledCount(r); n != 1 {
		t.Errorf("%d pages kept after rendering one page twice, want 1", n)
	}
	if err := r.Render(&strings.Builder{}, "missing", PageData{}, nil); err == nil || !strings.Contains(err.Error(), `no template "missing"`) {
		t.Errorf("unknown page: got %v", err)
	}
	if n := compiledCount(r); n != 1 {
		t.Errorf("an unknown page name was kept: %d pages", n)
	}
}

func compiledCount(r *Renderer) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.compiled)
}

// TestCompiledPageKeepsReachableTemplates: a compiled page holds the
// templates base reaches (through blocks, if, range, with and else) and
// not the partials it never calls; output is unchanged.
func TestCompiledPageKeepsReachableTemplates(t *testing.T) {
	t.Parallel()
	fsys := tree(map[string]string{
		"pages/plain.html": `{{define "content"}}plain{{end}}`,
		"pages/deep.html": `{{define "content"}}{{if .Flash}}{{template "field" 1}}{{else}}{{template "viaElse" .}}{{end}}` +
			`{{range .Notices}}{{template "inRange" .}}{{end}}{{with .Title}}{{template "inWith" .}}{{end}}{{end}}` +
			`{{define "viaElse"}}{{template "nested" .}}{{end}}{{define "nested"}}n{{end}}` +
			`{{define "inRange"}}r{{.}}{{end}}{{define "inWith"}}w{{.}}{{end}}{{define "unused"}}u{{end}}`,
	})
	fsys["partials/other.html"] = &fstest.MapFile{Data: []byte(`{{define "other"}}o{{end}}`)}
	r, err := NewRenderer(fsys, TemplateFuncs(map[string]string{}, NewMarkdown()), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		page string
		data PageData
		want string
		has  []string
		not  []string
	}{
		{"plain", PageData{}, "<main>plain</main>", []string{"base", "content"}, []string{"field", "other"}},
		{"deep", PageData{Title: "t", Notices: []string{"a"}}, "<main>nrawt</main>",
			[]string{"base", "content", "field", "viaElse", "nested", "inRange", "inWith"}, []string{"unused", "other"}},
	} {
		var buf strings.Builder
		if err := r.Render(&buf, c.page, c.data, nil); err != nil {
			t.Fatalf("%s: %v", c.page, err)
		}
		if buf.String() != c.want {
			t.Errorf("%s: got %q, want %q", c.page, buf.String(), c.want)
		}
		tpl, err := r.page(c.page)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range c.has {
			if tpl.Lookup(n) == nil {
				t.Errorf("%s: %q was dropped", c.page, n)
			}
		}
		for _, n := range c.not {
			if tpl.Lookup(n) != nil {
				t.Errorf("%s: unreachable %q was kept", c.page, n)
			}
		}
	}
}

// TestConcurrentFirstRender: many goroutines rendering pages for the first
// time at once all get the page (run with -race).
func TestConcurrentFirstRender(t *testing.T) {
	t.Parallel()
	pages := map[string]string{}
	for i := range 8 {
		pages[fmt.Sprintf("pages/p%d.html", i)] = fmt.Sprintf(`{{define "content"}}{{template "field" %d}}{{end}}`, i)
	}
	r, err := NewRenderer(tree(pages), TemplateFuncs(map[string]string{}, NewMarkdown()), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 64 {
		wg.Go(func() {
			i := g % 8
			var buf strings.Builder
			if err := r.Render(&buf, fmt.Sprintf("p%d", i), PageData{}, nil); err != nil {
				errs <- err
				return
			}
			if want := fmt.Sprintf("<main>[%d]</main>", i); buf.String() != want {
				errs <- fmt.Errorf("p%d: got %q, want %q", i, buf.String(), want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := compiledCount(r); n != 8 {
		t.Errorf("%d pages kept, want 8", n)
	}
}

// TestLazyPagesMatchEager: every real page renders byte for byte (or fails
// with the same error) as the eagerly parsed set the renderer used to keep.
func TestLazyPagesMatchEager(t *testing.T) {
	t.Parallel()
	funcs := TemplateFuncs(map[string]string{}, NewMarkdown())
	eager, err := parsePages(templates.FS, funcs)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(templates.FS, funcs, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := r.Names()
	if len(names) != len(eager) || len(names) < 50 {
		t.Fatalf("lazy set has %d pages, eager %d", len(names), len(eager))
	}
	data := PageData{Title: "T", CSRF: "tok", Path: "/x", Now: time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC), Errors: map[string]string{}}
	ok := 0
	for _, name := range names {
		var want, got strings.Builder
		werr := eager[name].ExecuteTemplate(&want, "base", data)
		gerr := r.Render(&got, name, data, nil)
		if werr == nil {
			ok++
			if gerr != nil || got.String() != want.String() {
				t.Errorf("%s: lazy render differs (err %v)", name, gerr)
			}
			continue
		}
		if gerr == nil || !strings.Contains(gerr.Error(), werr.Error()) {
			t.Errorf("%s: eager failed with %v, lazy with %v", name, werr, gerr)
		}
	}
	if ok == 0 {
		t.Error("no page rendered with empty data; the comparison proved nothing")
	}
	t.Logf("%d of %d pages render with empty data and match byte for byte", ok, len(names))
}

// benchPages are the pages the load benchmark visits: public, account,
// learning, duty and tariff pages.
var benchPages = []string{TplHome, TplCatalog, TplSessionShow, TplWorkshopShow, TplSignup, TplLogin,
	TplProfile, TplTerms, TplRegister, TplOrderShow, TplMyRegistrations, TplLearnTracks, TplLearnLesson,
	TplLearnDashboard, TplDutyCalculator, TplHTSBrowse, TplHTSChapter, TplHTSSearch, TplError}

// retained renders names with set and reports the heap still in use after
// GC, less the heap before set was built.
func retained(tb testing.TB, build func() func(string), names []string) (uint64, func(string)) {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	render := build()
	for _, n := range names {
		render(n)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc < before.HeapAlloc {
		return 0, render
	}
	return after.HeapAlloc - before.HeapAlloc, render
}

// BenchmarkPageSetHeap reports the heap the page set keeps: the old eager
// set (every page cloned and kept) against the lazy renderer after the
// benchmark's pages, and after every page. Run alone:
// go test -run '^$' -bench PageSetHeap -benchtime 1x ./handlers/web/
func BenchmarkPageSetHeap(b *testing.B) {
	funcs := TemplateFuncs(map[string]string{}, NewMarkdown())
	data := PageData{Title: "T", CSRF: "tok", Now: time.Now()}
	all := func() []string {
		r, err := NewRenderer(templates.FS, funcs, false, nil)
		if err != nil {
			b.Fatal(err)
		}
		n := r.Names()
		slices.Sort(n)
		return n
	}()
	eager := func() func(string) {
		pages, err := parsePages(templates.FS, funcs)
		if err != nil {
			b.Fatal(err)
		}
		return func(n string) { _ = pages[n].ExecuteTemplate(&strings.Builder{}, "base", data) } // escaping happens even when data is short
	}
	lazy := func() func(string) {
		r, err := NewRenderer(templates.FS, funcs, false, nil)
		if err != nil {
			b.Fatal(err)
		}
		return func(n string) { _ = r.Render(&strings.Builder{}, n, data, nil) }
	}
	for b.Loop() {
		ei, keepEI := retained(b, eager, nil)
		li, keepLI := retained(b, lazy, nil)
		b.ReportMetric(float64(ei)/1e6, "MB-eager-idle")
		b.ReportMetric(float64(li)/1e6, "MB-lazy-idle")
		runtime.KeepAlive(keepEI)
		runtime.KeepAlive(keepLI)
		e, keepE := retained(b, eager, all)
		l, keepL := retained(b, lazy, benchPages)
		la, keepLA := retained(b, lazy, all)
		b.ReportMetric(float64(e)/1e6, "MB-eager-all")
		b.ReportMetric(float64(l)/1e6, "MB-lazy-bench")
		b.ReportMetric(float64(la)/1e6, "MB-lazy-all")
		runtime.KeepAlive(keepE)
		runtime.KeepAlive(keepL)
		runtime.KeepAlive(keepLA)
	}
}

// BenchmarkFirstRender is the cost a page pays on its first render
// (compile + escape + execute) against a warm render.
func BenchmarkFirstRender(b *testing.B) {
	funcs := TemplateFuncs(map[string]string{}, NewMarkdown())
	data := PageData{Title: "T", CSRF: "tok", Now: time.Now()}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			r, err := NewRenderer(templates.FS, funcs, false, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			_ = r.Render(&strings.Builder{}, TplLogin, data, nil)
		}
	})
	b.Run("warm", func(b *testing.B) {
		r, err := NewRenderer(templates.FS, funcs, false, nil)
		if err != nil {
			b.Fatal(err)
		}
		_ = r.Render(&strings.Builder{}, TplLogin, data, nil)
		for b.Loop() {
			_ = r.Render(&strings.Builder{}, TplLogin, data, nil)
		}
	})
}
