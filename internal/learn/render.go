package learn

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// codeRE finds dotted tariff codes in prose: a heading and subheading
// ("7318.15"), an 8-digit line ("8471.30.01", "9903.01.32") or a 10-digit
// line ("8471.30.0100", "8471.30.01.00"). A bare 4-digit heading is not
// matched: it cannot be told from a year.
var codeRE = regexp.MustCompile(`\d{4}\.\d{2}(?:\.\d{2}(?:\.?\d{2})?)?`)

// classRE is what a class attribute may hold after sanitising.
var classRE = regexp.MustCompile(`^[a-z0-9 -]+$`)

// kindExample is the node kind of a rendered ```duty or ```origin block.
// goldmark registers kinds by name; this is a fixed identifier, not state.
var kindExample = ast.NewNodeKind("LearnExample")

// TOCEntry is one h2 or h3 of a lesson, for the table of contents.
type TOCEntry struct {
	Level int    `json:"level"`
	ID    string `json:"id"`
	Text  string `json:"text"`
}

// Rendered is a lesson body as sanitised HTML with its contents.
type Rendered struct {
	HTML string // sanitised; safe to wrap in template.HTML
	TOC  []TOCEntry
}

// Renderer turns lesson Markdown into sanitised HTML. It is safe for
// concurrent use; build one and share it.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// newMarkdown is the one goldmark configuration lessons are parsed with.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Typographer),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(exampleRenderer{}, 100))),
	)
}

// NewRenderer builds a Renderer. Raw HTML in lessons is dropped by goldmark
// (it runs without WithUnsafe) and anything left is sanitised by a
// bluemonday UGC policy that also keeps heading IDs and our classes.
func NewRenderer() *Renderer {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(classRE).OnElements("a", "table", "figure", "figcaption", "aside", "dl", "p", "div", "span")
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)).OnElements("h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(row|col)$`)).OnElements("th")
	// Lessons are written by staff, not users: their links need no nofollow.
	p.RequireNoFollowOnLinks(false)
	return &Renderer{md: newMarkdown(), policy: p}
}

// Render converts a lesson body. slug names the lesson (for origin-lab
// links). Fenced ```duty and ```origin blocks become worked-example boxes;
// dotted tariff codes in text and inline code link to the tariff browser.
func (r *Renderer) Render(slug, body string) (Rendered, error) {
	src := []byte(body)
	doc := r.md.Parser().Parse(text.NewReader(src))
	if err := replaceExamples(doc, src, slug); err != nil {
		return Rendered{}, fmt.Errorf("render lesson %q: %w", slug, err)
	}
	linkCodes(doc, src)
	toc := collectTOC(doc, src)
	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, src, doc); err != nil {
		return Rendered{}, fmt.Errorf("render lesson %q: %w", slug, err)
	}
	return Rendered{HTML: r.policy.Sanitize(buf.String()), TOC: toc}, nil
}

// Sanitize passes HTML from the database cache through the policy again,
// for callers that cannot vouch for how a row was written.
func (r *Renderer) Sanitize(s string) template.HTML {
	return template.HTML(r.policy.Sanitize(s)) // #nosec G203 -- sanitised here by the bluemonday policy
}

// ReadingTime is the estimated reading time shown on a lesson, from its
// front matter's minutes.
func ReadingTime(minutes int) string {
	if minutes <= 0 {
		return ""
	}
	if minutes < 60 {
		return fmt.Sprintf("%d min read", minutes)
	}
	if minutes%60 == 0 {
		return fmt.Sprintf("%d h read", minutes/60)
	}
	return fmt.Sprintf("%d h %d min read", minutes/60, minutes%60)
}

// exampleNode is a ```duty or ```origin block after parsing.
type exampleNode struct {
	ast.BaseBlock
	duty   *DutyExample
	origin *OriginCase
}

func (n *exampleNode) Kind() ast.NodeKind { return kindExample }

func (n *exampleNode) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// replaceExamples swaps each duty/origin fenced block for an exampleNode.
func replaceExamples(doc ast.Node, src []byte, slug string) error {
	var fences []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fc, ok := n.(*ast.FencedCodeBlock); ok && entering {
			if l := string(fc.Language(src)); l == blockDuty || l == blockOrigin {
				fences = append(fences, fc)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	nDuty, nOrigin := 0, 0
	for _, fc := range fences {
		node := &exampleNode{}
		if string(fc.Language(src)) == blockDuty {
			nDuty++
			body := blockText(fc, src)
			d, err := parseDuty(body)
			if err != nil {
				return fmt.Errorf("duty block %d: %w", nDuty, err)
			}
			d.Lesson, d.N, d.Body = slug, nDuty, body
			node.duty = &d
		} else {
			nOrigin++
			o, err := parseOrigin(slug, nOrigin, blockText(fc, src))
			if err != nil {
				return err
			}
			node.origin = &o
		}
		fc.Parent().ReplaceChild(fc.Parent(), fc, node)
	}
	return nil
}

// linkCodes turns dotted tariff codes in text and inline code into links to
// /hts/<code>, except inside links, images and headings. Fenced code holds
// no text nodes, so it is left alone.
func linkCodes(doc ast.Node, src []byte) {
	var texts []*ast.Text
	var spans []*ast.CodeSpan
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link, *ast.AutoLink, *ast.Image, *ast.Heading, *exampleNode:
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			spans = append(spans, n)
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			texts = append(texts, n)
		}
		return ast.WalkContinue, nil
	})
	for _, cs := range spans {
		code, ok := wholeCode(strings.TrimSpace(nodeText(cs, src)))
		if !ok {
			continue
		}
		parent := cs.Parent()
		link := newCodeLink(code)
		parent.ReplaceChild(parent, cs, link)
		link.AppendChild(link, cs)
	}
	for _, t := range texts {
		if t.Parent() == nil {
			continue // merged into its predecessor
		}
		mergeText(t)
		splitCodes(t, src)
	}
}

// mergeText joins the text nodes that follow t and continue it in the
// source: the inline parser may cut a run of text at a dot, and a code must
// be matched whole.
func mergeText(t *ast.Text) {
	for {
		next, ok := t.NextSibling().(*ast.Text)
		if !ok || t.SoftLineBreak() || t.HardLineBreak() || t.IsRaw() || next.IsRaw() ||
			t.Segment.Padding != 0 || next.Segment.Padding != 0 || next.Segment.Start != t.Segment.Stop {
			return
		}
		t.Segment = t.Segment.WithStop(next.Segment.Stop)
		t.SetSoftLineBreak(next.SoftLineBreak())
		t.SetHardLineBreak(next.HardLineBreak())
		t.Parent().RemoveChild(t.Parent(), next)
	}
}

// wholeCode reports whether s is exactly one dotted tariff code.
func wholeCode(s string) (hts.Code, bool) {
	if loc := codeRE.FindStringIndex(s); loc == nil || loc[0] != 0 || loc[1] != len(s) {
		return hts.Code{}, false
	}
	c, err := hts.ParseCode(s)
	return c, err == nil
}

func newCodeLink(c hts.Code) *ast.Link {
	l := ast.NewLink()
	l.Destination = []byte("/hts/" + c.Dotted())
	l.SetAttributeString("class", []byte("hts-code"))
	return l
}

// splitCodes splits a text node around the codes it contains, wrapping each
// code in a link.
func splitCodes(t *ast.Text, src []byte) {
	seg := t.Segment
	if seg.Padding != 0 || t.IsRaw() {
		return
	}
	val := src[seg.Start:seg.Stop]
	parent := t.Parent()
	cur := 0
	for _, loc := range codeRE.FindAllIndex(val, -1) {
		ms, me := loc[0], loc[1]
		// Not part of a longer number: no digit or dot before, no digit (or
		// dot and digit) after.
		if ms > 0 && (isDigit(val[ms-1]) || val[ms-1] == '.') {
			continue
		}
		if me < len(val) && (isDigit(val[me]) || val[me] == '.' && me+1 < len(val) && isDigit(val[me+1])) {
			continue
		}
		c, err := hts.ParseCode(string(val[ms:me]))
		if err != nil {
			continue
		}
		if ms > cur {
			parent.InsertBefore(parent, t, ast.NewTextSegment(text.NewSegment(seg.Start+cur, seg.Start+ms)))
		}
		link := newCodeLink(c)
		link.AppendChild(link, ast.NewTextSegment(text.NewSegment(seg.Start+ms, seg.Start+me)))
		parent.InsertBefore(parent, t, link)
		cur = me
	}
	if cur > 0 {
		// The original node keeps the tail and its line-break flags.
		t.Segment = text.NewSegment(seg.Start+cur, seg.Stop)
	}
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// nodeText is the plain text under n.
func nodeText(n ast.Node, src []byte) string {
	var sb strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			sb.Write(c.Segment.Value(src))
			if c.SoftLineBreak() {
				sb.WriteByte(' ')
			}
		case *ast.String:
			sb.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return sb.String()
}

// collectTOC lists the h2 and h3 headings with their generated IDs.
func collectTOC(doc ast.Node, src []byte) []TOCEntry {
	var toc []TOCEntry
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		if h.Level == 2 || h.Level == 3 {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			toc = append(toc, TOCEntry{Level: h.Level, ID: string(idb), Text: html.UnescapeString(nodeText(h, src))})
		}
		return ast.WalkSkipChildren, nil
	})
	return toc
}

// exampleRenderer writes exampleNodes as HTML.
type exampleRenderer struct{}

func (exampleRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindExample, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		e := n.(*exampleNode)
		if e.duty != nil {
			writeDuty(w, e.duty)
		} else {
			writeOrigin(w, e.origin)
		}
		return ast.WalkSkipChildren, nil
	})
}

// dutyFieldLabels names the optional calculator fields in the table.
var dutyFieldLabels = []struct{ key, label string }{
	{"usmca", "USMCA preference claimed"},
	{"steel", "Steel content value"}, {"aluminum", "Aluminum content value"}, {"copper", "Copper content value"},
	{"class", "Product class"},
}

func writeDuty(w util.BufWriter, d *DutyExample) {
	esc := template.HTMLEscapeString
	row := func(label, val string) {
		fmt.Fprintf(w, "<tr><th scope=\"row\">%s</th><td>%s</td></tr>\n", esc(label), val)
	}
	caption := fmt.Sprintf("Worked duty example %d", d.N)
	if d.Label != "" {
		caption += ": " + d.Label
	}
	fmt.Fprintf(w, "<figure class=\"duty-example\">\n<figcaption>%s</figcaption>\n<table class=\"duty-example-table\"><tbody>\n", esc(caption))
	if c, err := hts.ParseCode(d.Code); err == nil {
		row("HTS code", fmt.Sprintf(`<a class="hts-code" href="/hts/%s">%s</a>`, esc(c.Dotted()), esc(c.Dotted())))
	}
	row("Country of origin", esc(d.Country))
	row("Entry date", esc(d.Date))
	row("Customs value", esc(formatCents(d.ValueCents)))
	for _, f := range dutyFieldLabels {
		if v, ok := d.Extra[f.key]; ok {
			if f.key == "steel" || f.key == "aluminum" || f.key == "copper" {
				if cents, err := duty.ParseDollars(v); err == nil {
					v = formatCents(cents)
				}
			}
			row(f.label, esc(v))
		}
	}
	row("Expected duties (excluding fees)", "<strong>"+esc(formatCents(d.DutiesCents))+"</strong>")
	fmt.Fprintf(w, "</tbody></table>\n<p class=\"duty-example-link\"><a href=\"%s\">Check this example in the duty calculator</a></p>\n</figure>\n",
		esc(d.CalculatorURL()))
}

func writeOrigin(w util.BufWriter, o *OriginCase) {
	esc := template.HTMLEscapeString
	fmt.Fprintf(w, "<aside class=\"origin-case\">\n<p class=\"origin-case-title\"><strong>USMCA origin case %d</strong></p>\n", o.N)
	if len(o.Summary) > 0 {
		fmt.Fprint(w, "<dl class=\"origin-case-summary\">\n")
		for _, f := range o.Summary {
			fmt.Fprintf(w, "<dt>%s</dt><dd>%s</dd>\n", esc(f.Key), esc(f.Value))
		}
		fmt.Fprint(w, "</dl>\n")
	}
	fmt.Fprintf(w, "<p class=\"origin-case-link\"><a href=\"%s\">Work through this case in the origin lab</a></p>\n</aside>\n", esc(o.LabURL()))
}

// formatCents writes cents as dollars: "$12,500.00".
func formatCents(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	whole := strconv.FormatInt(c/100, 10)
	var sb strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(r)
	}
	s := fmt.Sprintf("$%s.%02d", sb.String(), c%100)
	if neg {
		s = "-" + s
	}
	return s
}
