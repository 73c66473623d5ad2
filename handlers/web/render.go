package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	"text/template/parse"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/hsworkshop/hsworkshop/models"
)

// Page template names, one per file under templates/pages.
const (
	TplHome           = "home/index"
	TplCatalog        = "sessions/index"
	TplSessionShow    = "sessions/show"
	TplWorkshopShow   = "workshops/show"
	TplSignup         = "accounts/signup"
	TplLogin          = "accounts/login"
	TplForgot         = "accounts/forgot"
	TplReset          = "accounts/reset"
	TplProfile        = "accounts/profile"
	TplVerify         = "accounts/verify"
	TplAdminDashboard = "admin/dashboard"
	TplAdminOutbox    = "admin/outbox"
	TplAdminEmail     = "admin/email"
	TplError          = "errors/error"
)

// Tariff reference pages.
const (
	TplHTSBrowse  = "hts/browse"
	TplHTSChapter = "hts/chapter"
	TplHTSHeading = "hts/heading"
	TplHTSLine    = "hts/line"
	TplHTSSearch  = "hts/search"
	TplHTSMissing = "hts/missing"
)

// Registration and payment pages.
const (
	TplTerms           = "home/terms"
	TplRegister        = "orders/register"
	TplOrderShow       = "orders/show"
	TplMyRegistrations = "orders/mine"
	TplSeatShow        = "orders/seat"
	TplOrderConfirm    = "orders/confirm"
	TplWaitlist        = "orders/waitlist"
	TplAdminOrders     = "admin/orders"
	TplAdminSession    = "admin/session"
)

// Duty calculator page.
const TplDutyCalculator = "duty/calculator"

// Learning pages and the staff lesson editor.
const (
	TplLearnTracks     = "learn/index"
	TplLearnLesson     = "learn/lesson"
	TplLearnDashboard  = "learn/dashboard"
	TplLearnOriginLab  = "learn/origin_lab"
	TplAdminLessons    = "admin/lessons/index"
	TplAdminLessonEdit = "admin/lessons/edit"
)

// Staff pages that choose each workshop's prework lessons.
const (
	TplAdminPrework     = "admin/lessons/prework"
	TplAdminPreworkEdit = "admin/lessons/prework_edit"
)

// TplDutyBatch is the batch entries and IEEPA refunds page.
const TplDutyBatch = "duty/batch"

// TplDutyBatches lists a user's saved batch results.
const TplDutyBatches = "duty/batches"

// PageData is what every page template receives.
type PageData struct {
	Title       string
	Description string
	User        *models.User
	Flash       string
	CSRF        string
	Form        any
	Errors      map[string]string
	Data        any
	Path        string
	Now         time.Time
	BaseURL     string
	// Notices are open system problems shown to admins on /admin pages.
	Notices []string
}

// Renderer holds the page templates. Every page is parsed at start-up so a
// broken template stops the server, but those validation copies are then
// dropped: html/template's Clone deep-copies every layout and partial tree,
// so holding ~100 pages cost ~14 MB of heap. A page is compiled again (a
// clone of the shared base with the page parsed into it, so pages can each
// define "content" without clashing) on its first render and kept.
type Renderer struct {
	fsys  fs.FS
	funcs template.FuncMap
	base  *template.Template // layouts + partials + funcs; never executed, only cloned
	files map[string]string  // page name -> file path, validated at start-up

	mu       sync.Mutex
	compiled map[string]*lazyPage

	// reload, when set, re-parses from disk on every render (the -dev flag).
	reload func() (map[string]*template.Template, error)
}

// lazyPage is one page compiled on first use.
type lazyPage struct {
	once sync.Once
	t    *template.Template
	err  error
}

// NewRenderer parses every page in fsys once; any error stops start-up.
func NewRenderer(fsys fs.FS, funcs template.FuncMap, dev bool, devFS fs.FS) (*Renderer, error) {
	base, files, err := parseBase(fsys, funcs)
	if err != nil {
		return nil, err
	}
	for name, f := range files {
		if _, err := parsePage(fsys, base, name, f); err != nil {
			return nil, err
		}
	}
	r := &Renderer{fsys: fsys, funcs: funcs, base: base, files: files, compiled: map[string]*lazyPage{}}
	if dev && devFS != nil {
		r.reload = func() (map[string]*template.Template, error) { return parsePages(devFS, funcs) }
	}
	return r, nil
}

// parseBase parses the layouts and partials and lists the page files by
// page name.
func parseBase(fsys fs.FS, funcs template.FuncMap) (*template.Template, map[string]string, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, nil, fmt.Errorf("parse layouts: %w", err)
	}
	// Pages are found recursively, so areas may nest folders
	// (pages/admin/lessons/edit.html is "admin/lessons/edit").
	var found []string
	err = fs.WalkDir(fsys, "pages", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			found = append(found, p)
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("find pages: %w", err)
	}
	if len(found) == 0 {
		return nil, nil, fmt.Errorf("find pages: no pages/**/*.html in the template tree")
	}
	errFiles, err := fs.Glob(fsys, "errors/*.html")
	if err != nil {
		return nil, nil, fmt.Errorf("find error pages: %w", err)
	}
	files := map[string]string{}
	for _, f := range append(found, errFiles...) {
		files[strings.TrimSuffix(strings.TrimPrefix(f, "pages/"), ".html")] = f
	}
	return base, files, nil
}

// parsePage clones base and parses the page file f into the clone.
func parsePage(fsys fs.FS, base *template.Template, name, f string) (*template.Template, error) {
	t, err := base.Clone()
	if err != nil {
		return nil, fmt.Errorf("clone base for %s: %w", name, err)
	}
	if _, err := t.ParseFS(fsys, f); err != nil {
		return nil, fmt.Errorf("parse %s: %w", f, err)
	}
	return t, nil
}

// parsePages parses every page eagerly (the -dev reload path).
func parsePages(fsys fs.FS, funcs template.FuncMap) (map[string]*template.Template, error) {
	base, files, err := parseBase(fsys, funcs)
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(files))
	for name, f := range files {
		t, err := parsePage(fsys, base, name, f)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// Names lists the page names (the smoke test renders each).
func (r *Renderer) Names() []string {
	out := make([]string, 0, len(r.files))
	for n := range r.files {
		out = append(out, n)
	}
	return out
}

// page returns the compiled page, compiling it on first use; safe for
// concurrent renders.
func (r *Renderer) page(name string) (*template.Template, error) {
	f, ok := r.files[name]
	if !ok {
		return nil, fmt.Errorf("render: no template %q", name)
	}
	r.mu.Lock()
	p, ok := r.compiled[name]
	if !ok {
		p = &lazyPage{}
		r.compiled[name] = p
	}
	r.mu.Unlock()
	p.once.Do(func() { p.t, p.err = r.compile(name, f) })
	return p.t, p.err
}

// compile parses the page into a clone of base, then keeps only the
// templates "base" can reach: a page that never calls the admin or tariff
// partials does not hold their trees. Template calls name their target
// as a constant, so reachability is known before execution, and the kept
// trees are the ones the full clone would execute.
func (r *Renderer) compile(name, f string) (*template.Template, error) {
	full, err := parsePage(r.fsys, r.base, name, f)
	if err != nil {
		return nil, err
	}
	out := template.New("base").Funcs(r.funcs)
	todo := []string{"base"}
	seen := map[string]bool{"base": true}
	for len(todo) > 0 {
		n := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		t := full.Lookup(n)
		if t == nil || t.Tree == nil {
			continue // executing it fails with "no such template", as in the full set
		}
		if _, err := out.AddParseTree(n, t.Tree); err != nil {
			return nil, fmt.Errorf("compile %s: %w", name, err)
		}
		for _, called := range calledTemplates(t.Tree.Root) {
			if !seen[called] {
				seen[called] = true
				todo = append(todo, called)
			}
		}
	}
	return out, nil
}

// calledTemplates lists the {{template}} calls (blocks included) under n.
func calledTemplates(n parse.Node) []string {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		var out []string
		for _, c := range n.Nodes {
			out = append(out, calledTemplates(c)...)
		}
		return out
	case *parse.TemplateNode:
		return []string{n.Name}
	case *parse.IfNode:
		return append(calledTemplates(n.List), calledTemplates(n.ElseList)...)
	case *parse.RangeNode:
		return append(calledTemplates(n.List), calledTemplates(n.ElseList)...)
	case *parse.WithNode:
		return append(calledTemplates(n.List), calledTemplates(n.ElseList)...)
	}
	return nil
}

// Render implements echo.Renderer. The page is executed into a buffer first,
// so a template error becomes a clean 500 instead of half a page.
func (r *Renderer) Render(w io.Writer, name string, data any, _ echo.Context) error {
	var t *template.Template
	if r.reload != nil {
		pages, err := r.reload()
		if err != nil {
			return err
		}
		if t = pages[name]; t == nil {
			return fmt.Errorf("render: no template %q", name)
		}
	} else {
		var err error
		if t, err = r.page(name); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// AssetHashes maps each static file path to the first 12 hex digits of the
// SHA-256 of its content.
func AssetHashes(fsys fs.FS) (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash assets: %w", err)
	}
	return out, nil
}

// Markdown turns trusted-author markdown into sanitised HTML.
type Markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewMarkdown builds the GFM renderer with the heading shift and the
// bluemonday UGC policy.
func NewMarkdown() *Markdown {
	return &Markdown{
		md: goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Typographer),
			goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(headingShift{}, 100)))),
		policy: bluemonday.UGCPolicy(),
	}
}

// headingShift demotes markdown headings one level: authored "##" sits
// under the page's own h2 section titles, so it renders as h3.
type headingShift struct{}

// Transform implements parser.ASTTransformer.
func (headingShift) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+1, 6)
		}
		return ast.WalkContinue, nil
	})
}

// HTML renders src; the result passes through bluemonday before it is
// trusted as template.HTML.
func (m *Markdown) HTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src)) // #nosec G203 -- escaped on this line
	}
	return template.HTML(m.policy.SanitizeBytes(buf.Bytes())) // #nosec G203 -- goldmark without raw HTML, then the bluemonday policy; FuzzMarkdown checks no script survives
}

// TemplateFuncs is the fixed FuncMap, built once at start-up.
func TemplateFuncs(hashes map[string]string, md *Markdown) template.FuncMap {
	return template.FuncMap{
		"asset": func(p string) string {
			p = strings.TrimPrefix(path.Clean(p), "/")
			if h, ok := hashes[p]; ok {
				return "/static/" + p + "?v=" + h
			}
			return "/static/" + p
		},
		"markdown": md.HTML,
		"money":    func(m models.Money) string { return m.String() },
		"rfc3339":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"date":     func(t time.Time, layout string) string { return t.Format(layout) },
		"when":     SessionWhen,
		"zoneAbbr": func(t time.Time) string { z, _ := t.Zone(); return z },
		"monthLabel": func(m string) string {
			t, err := time.Parse("2006-01", m)
			if err != nil {
				return m
			}
			return t.Format("January 2006")
		},
		"hours": func(minutes int) string {
			h, m := minutes/60, minutes%60
			if m == 0 {
				return fmt.Sprintf("%d h", h)
			}
			return fmt.Sprintf("%d h %02d min", h, m)
		},
		"credits": func(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") },
		"plural":  Plural,
		"add":     func(a, b int) int { return a + b },
		"int":     func(n int64) int { return int(n) },
		"ifThen": func(cond bool, yes, no string) string {
			if cond {
				return yes
			}
			return no
		},
		"moneyOf": func(minor int64, currency string) models.Money { return models.Money{Minor: minor, Currency: currency} },
		"seq": func(from, to int) []int {
			var out []int
			for i := from; i <= to; i++ {
				out = append(out, i)
			}
			return out
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}

// SessionWhen formats a session's dates in its own zone, naming the zone:
// "Tue 8 Dec 2026, 09:00–16:30 EST" or, across days,
// "Tue 8 Dec 2026, 09:00 – Wed 9 Dec 2026, 16:30 EST".
func SessionWhen(v any) string {
	var s *models.Session
	switch t := v.(type) {
	case *models.Session:
		s = t
	case models.Session:
		s = &t
	default:
		return ""
	}
	return s.When()
}
