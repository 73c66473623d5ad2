package learn

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"go.yaml.in/yaml/v3"

	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// Languages of the fenced blocks that render specially.
const (
	blockDuty   = "duty"
	blockOrigin = "origin"
)

// dutyRequired are the keys every duty block has; dutyOptional are the
// other keys a block may set: the fields that both the duty calculator page
// (/tools/duty) and duty.ParseBlock understand, so the "check it" link and
// the test that reruns the block give the same figure, plus a free-text
// label. usmca is "yes" or "no".
var (
	dutyRequired = []string{"code", "country", "date", "value", "duties"}
	dutyOptional = map[string]bool{"usmca": true, "steel": true, "aluminum": true, "copper": true, "class": true,
		"label": true}
)

// DutyExample is a worked duty stack from a ```duty block: the calculator's
// inputs and the total duties (USD, excluding fees) the lesson says it
// gives. A test elsewhere runs each one through internal/duty.
type DutyExample struct {
	Lesson      string            // lesson slug
	N           int               // 1-based position among the lesson's duty blocks
	Code        string            // as written, e.g. 8471.30.01
	Country     string            // ISO 3166 alpha-2, upper case
	Date        string            // entry date, YYYY-MM-DD
	Value       string            // customs value in dollars, as written
	ValueCents  int64             // Value in cents
	Duties      string            // expected total duties in dollars, as written
	DutiesCents int64             // Duties in cents
	Label       string            // optional caption
	Extra       map[string]string // other calculator fields (usmca, steel, …)
	Body        string            // the block's text as written, for duty.ParseBlock
}

// CalcBody is the block's text without its label line: what
// duty.ParseBlock reads (the label is a caption, not a calculator input).
func (d DutyExample) CalcBody() string {
	var sb strings.Builder
	for _, line := range strings.Split(d.Body, "\n") {
		k, _, _ := strings.Cut(line, ":")
		if strings.EqualFold(strings.TrimSpace(k), "label") {
			continue
		}
		sb.WriteString(line)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// CalculatorURL is the duty calculator (/tools/duty, a GET form) filled in
// with the example. The calculator claims USMCA for any non-empty usmca
// field, so the field is sent only for "usmca: yes".
func (d DutyExample) CalculatorURL() string {
	v := url.Values{}
	v.Set("code", d.Code)
	v.Set("country", d.Country)
	v.Set("date", d.Date)
	v.Set("value", d.Value)
	for k, x := range d.Extra {
		if k == "usmca" && x != "yes" {
			continue
		}
		v.Set(k, x)
	}
	return "/tools/duty?" + v.Encode()
}

// OriginCase is a USMCA origin case from a ```origin block. YAML is the
// block's text for the origin package to decode into its own case type.
type OriginCase struct {
	Lesson  string // lesson slug
	N       int    // 1-based position among the lesson's origin blocks
	YAML    string
	Summary []OriginField // top-level keys in written order, for the summary box
}

// OriginField is one top-level key of an origin case: a scalar as written,
// a list as its length ("3 items"), a mapping as its keys.
type OriginField struct {
	Key, Value string
}

// parseOrigin reads the n-th origin block of lesson slug.
func parseOrigin(slug string, n int, src string) (OriginCase, error) {
	o := OriginCase{Lesson: slug, N: n, YAML: src}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		return o, fmt.Errorf("origin block %d: %w", n, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode || len(doc.Content[0].Content) == 0 {
		return o, fmt.Errorf("origin block %d: not a YAML mapping", n)
	}
	m := doc.Content[0].Content
	for i := 0; i+1 < len(m); i += 2 {
		k, v := m[i].Value, m[i+1]
		switch v.Kind {
		case yaml.ScalarNode:
			o.Summary = append(o.Summary, OriginField{k, v.Value})
		case yaml.SequenceNode:
			word := "items"
			if len(v.Content) == 1 {
				word = "item"
			}
			o.Summary = append(o.Summary, OriginField{k, fmt.Sprintf("%d %s", len(v.Content), word)})
		case yaml.MappingNode:
			var keys []string
			for j := 0; j+1 < len(v.Content); j += 2 {
				keys = append(keys, v.Content[j].Value)
			}
			o.Summary = append(o.Summary, OriginField{k, strings.Join(keys, ", ")})
		}
	}
	return o, nil
}

// ID names the case for the origin lab: "<lesson-slug>-<n>".
func (o OriginCase) ID() string { return fmt.Sprintf("%s-%d", o.Lesson, o.N) }

// LabURL opens the case in the origin lab.
func (o OriginCase) LabURL() string { return "/learn/origin-lab?case=" + url.QueryEscape(o.ID()) }

// Blocks are a lesson's worked examples, in the order they appear.
type Blocks struct {
	Duty   []DutyExample
	Origin []OriginCase
}

// ExtractBlocks returns the ```duty and ```origin blocks of a lesson body.
// slug is the lesson's slug, used to name the cases.
func ExtractBlocks(slug, body string) (Blocks, error) {
	src := []byte(body)
	doc := newMarkdown().Parser().Parse(text.NewReader(src))
	var b Blocks
	var errs []string
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		fc, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		switch string(fc.Language(src)) {
		case blockDuty:
			body := blockText(fc, src)
			d, err := parseDuty(body)
			d.Lesson, d.N, d.Body = slug, len(b.Duty)+1, body
			if err != nil {
				errs = append(errs, fmt.Sprintf("duty block %d: %v", d.N, err))
			}
			b.Duty = append(b.Duty, d)
		case blockOrigin:
			o, err := parseOrigin(slug, len(b.Origin)+1, blockText(fc, src))
			if err != nil {
				errs = append(errs, err.Error())
			}
			b.Origin = append(b.Origin, o)
		}
		return ast.WalkSkipChildren, nil
	})
	if err != nil {
		return Blocks{}, fmt.Errorf("walk lesson %q: %w", slug, err)
	}
	if len(errs) > 0 {
		return b, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return b, nil
}

// blockText is the content of a fenced block.
func blockText(fc *ast.FencedCodeBlock, src []byte) string {
	var sb strings.Builder
	lines := fc.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		sb.Write(seg.Value(src))
	}
	return sb.String()
}

// parseDuty reads "key: value" lines into a DutyExample.
func parseDuty(s string) (DutyExample, error) {
	d := DutyExample{Extra: map[string]string{}}
	kv := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return d, fmt.Errorf("line %d %q is not key: value", i+1, line)
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.Trim(strings.TrimSpace(v), `"'`)
		if _, dup := kv[k]; dup {
			return d, fmt.Errorf("key %q repeated", k)
		}
		kv[k] = v
	}
	var problems []string
	for _, k := range dutyRequired {
		if kv[k] == "" {
			problems = append(problems, "missing "+k)
		}
	}
	var unknown []string
	for k, v := range kv {
		switch {
		case k == "label":
			d.Label = v
		case dutyOptional[k]:
			d.Extra[k] = v
		case !containsString(dutyRequired, k):
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		problems = append(problems, "unknown key "+k)
	}
	if u, ok := kv["usmca"]; ok && u != "yes" && u != "no" {
		problems = append(problems, fmt.Sprintf("usmca %q must be yes or no", u))
	}
	d.Code, d.Country, d.Date, d.Value, d.Duties = kv["code"], strings.ToUpper(kv["country"]), kv["date"], kv["value"], kv["duties"]
	if d.Code != "" {
		if c, err := hts.ParseCode(d.Code); err != nil {
			problems = append(problems, fmt.Sprintf("code %q: %v", d.Code, err))
		} else if c.Level() < 8 {
			problems = append(problems, fmt.Sprintf("code %q: the calculator needs an 8- or 10-digit line", d.Code))
		}
	}
	if d.Country != "" && (len(d.Country) != 2 || strings.Trim(d.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		problems = append(problems, fmt.Sprintf("country %q is not a two-letter code", d.Country))
	}
	if d.Date != "" {
		if _, err := duty.ParseDate(d.Date); err != nil {
			problems = append(problems, fmt.Sprintf("date %q: %v", d.Date, err))
		}
	}
	var err error
	if d.Value != "" {
		if d.ValueCents, err = duty.ParseDollars(d.Value); err != nil {
			problems = append(problems, fmt.Sprintf("value %q: %v", d.Value, err))
		}
	}
	if d.Duties != "" {
		if d.DutiesCents, err = duty.ParseDollars(d.Duties); err != nil {
			problems = append(problems, fmt.Sprintf("duties %q: %v", d.Duties, err))
		}
	}
	if len(problems) > 0 {
		return d, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return d, nil
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Blocks returns the worked examples of every lesson in the catalog, in
// reading order: what a test runs through the duty calculator and the
// origin package so that lessons and code cannot drift apart.
func (c *Catalog) Blocks() (Blocks, error) {
	var all Blocks
	for _, l := range c.Lessons {
		b, err := ExtractBlocks(l.Slug, l.Body)
		if err != nil {
			return Blocks{}, fmt.Errorf("%s: %w", l.Path, err)
		}
		all.Duty = append(all.Duty, b.Duty...)
		all.Origin = append(all.Origin, b.Origin...)
	}
	return all, nil
}
