package handlers_test

// Checkers of the staff XSS test (xss_staff_test.go): each reads one kind
// of output (HTML page or email, CSV, PDF, iCalendar) and reports what in
// it would act on a reader instead of being shown as text, plus the plain
// text a marker can be searched in.

import (
	"bytes"
	"compress/zlib"
	"encoding/csv"
	"fmt"
	"github.com/hsworkshop/hsworkshop/internal/testpdf"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"

	"golang.org/x/net/html"
)

// liveHTML lists what in an HTML document would run: a payload's element
// (script with our alert, img/iframe/svg from text), an on* handler or a
// javascript: URL in an attribute.
func liveHTML(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	inScript, jsonScript := false, false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken:
			// Typed text may sit in a JSON data block (escaped by
			// html/template), never in a script that runs.
			if s := string(z.Text()); inScript && !jsonScript && strings.Contains(s, xssTagPrefix) {
				out = append(out, "field text inside a running script: "+clip(s))
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "script" {
				inScript = false
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if tag == "script" && tt == html.StartTagToken {
				inScript, jsonScript = true, strings.Contains(string(z.Raw()), "json")
			}
			switch tag {
			case "iframe", "object", "embed", "base", "frame", "frameset":
				out = append(out, "element <"+tag+">")
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key, val := strings.ToLower(string(k)), strings.ToLower(strings.TrimSpace(string(v)))
				switch {
				case strings.HasPrefix(key, "on"):
					out = append(out, fmt.Sprintf("<%s %s=%q>", tag, key, clip(val)))
				case (key == "href" || key == "src" || key == "action" || key == "formaction" || key == "xlink:href" || key == "data" || key == "srcdoc") &&
					(strings.HasPrefix(strings.Join(strings.Fields(val), ""), "javascript:") || strings.HasPrefix(val, "data:text/html") || key == "srcdoc"):
					out = append(out, fmt.Sprintf("<%s %s=%q>", tag, key, clip(val)))
				}
			}
		}
	}
}

// htmlText is the document's text as a reader sees it (entities decoded),
// with attribute values, to search markers in.
func htmlText(doc string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
			b.WriteByte(' ')
		case html.StartTagToken, html.SelfClosingTagToken:
			_, more := z.TagName()
			for more {
				var v []byte
				_, v, more = z.TagAttr()
				b.Write(v)
				b.WriteByte(' ')
			}
		}
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// numberCell matches cells a spreadsheet reads as a number: "-12.50" is
// not a formula.
var numberCell = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// liveCSV lists cells a spreadsheet would evaluate as a formula, and
// returns the cells' text for markers.
func liveCSV(body string) (problems []string, text string) {
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return []string{"not valid CSV: " + err.Error()}, ""
	}
	var b strings.Builder
	for i, rec := range recs {
		for j, cell := range rec {
			b.WriteString(cell)
			b.WriteByte('\n')
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !numberCell.MatchString(cell) {
				problems = append(problems, fmt.Sprintf("row %d column %d starts a formula: %q", i+1, j+1, clip(cell)))
			}
		}
	}
	return problems, b.String()
}

var pdfStream = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

// pdfInflate replaces every Flate stream of a PDF with its content.
func pdfInflate(doc []byte) []byte {
	return pdfStream.ReplaceAllFunc(doc, func(m []byte) []byte {
		raw := pdfStream.FindSubmatch(m)[1]
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return m
		}
		out, err := io.ReadAll(zr)
		if err != nil && len(out) == 0 {
			return m
		}
		return append(append([]byte("stream\n"), out...), []byte("\nendstream")...)
	})
}

// pdfActive are PDF names that run code, open addresses or files.
var pdfActive = []string{"/JavaScript", "/JS", "/Launch", "/SubmitForm", "/ImportData", "/OpenAction", "/AA", "/RichMedia", "/EmbeddedFile", "/GoToR"}

// livePDF splits an (inflated) PDF into its string literals and the rest:
// text from a field must stay inside string literals (escaped, drawn as
// glyphs), never add names or operators, and link annotations (/URI) may
// only point at the site. It returns the problems and the strings' text.
func livePDF(doc []byte, markers []string) (problems []string, text string) {
	doc = pdfInflate(doc)
	var outside, strs strings.Builder
	var lastName string
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case c == '(':
			s, end := pdfLiteral(doc, i)
			i = end
			strs.WriteString(s)
			strs.WriteByte('\n')
			if lastName == "/URI" && !strings.HasPrefix(s, "http://hsw.test") {
				problems = append(problems, "a link annotation points at "+clip(s))
			}
			lastName = ""
			outside.WriteString("()")
		case c == '<' && i+1 < len(doc) && doc[i+1] != '<':
			end := bytes.IndexByte(doc[i:], '>')
			if end < 0 {
				return append(problems, "unterminated hex string"), strs.String()
			}
			i += end
			outside.WriteString("<>")
		case c == '/':
			j := i + 1
			for j < len(doc) && !bytes.ContainsRune([]byte(" \t\r\n/()<>[]{}%"), rune(doc[j])) {
				j++
			}
			lastName = string(doc[i:j])
			outside.WriteString(lastName)
			i = j - 1
		default:
			outside.WriteByte(c)
			if c > ' ' {
				lastName = ""
			}
		}
	}
	rest := outside.String()
	for _, n := range pdfActive {
		if regexp.MustCompile(regexp.QuoteMeta(n) + `[\s/()<>\[\]]`).MatchString(rest) {
			problems = append(problems, "active PDF name "+n)
		}
	}
	for _, m := range markers {
		if strings.Contains(rest, m) {
			problems = append(problems, "field text "+m+" escaped its string into the PDF's structure")
		}
	}
	return problems, strs.String()
}

// pdfLiteral reads the literal string opening at doc[i] ('('), with
// balanced parentheses and backslash escapes, and returns its decoded text
// (UTF-16 with a byte-order mark decoded) and the index of its ')'.
func pdfLiteral(doc []byte, i int) (string, int) {
	b, n := testpdf.Literal(doc[i:])
	return decodePDFText(b), i + n - 1
}

func decodePDFText(b []byte) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		u := make([]uint16, 0, len(b)/2)
		for k := 2; k+1 < len(b); k += 2 {
			u = append(u, uint16(b[k])<<8|uint16(b[k+1]))
		}
		return string(utf16.Decode(u))
	}
	return string(b)
}

// icsProps are the properties our calendar files may contain; anything
// else (ATTENDEE, X-INJ…) was injected.
var icsProps = map[string]bool{"BEGIN": true, "END": true, "VERSION": true, "PRODID": true, "METHOD": true, "CALSCALE": true,
	"X-WR-CALNAME": true, "NAME": true, "UID": true, "DTSTAMP": true, "DTSTART": true, "DTEND": true, "LAST-MODIFIED": true,
	"SEQUENCE": true, "SUMMARY": true, "URL": true, "DESCRIPTION": true, "LOCATION": true, "STATUS": true, "TZID": true,
	"TZOFFSETFROM": true, "TZOFFSETTO": true, "TZNAME": true}

// icsText are the TEXT properties whose values hold typed text.
var icsText = map[string]bool{"SUMMARY": true, "DESCRIPTION": true, "LOCATION": true, "X-WR-CALNAME": true, "NAME": true}

// liveICS checks an iCalendar file against RFC 5545: CRLF-delimited lines
// with no bare CR or LF, only our properties, balanced components, TEXT
// values with ; , \ escaped; it returns the unescaped text values.
func liveICS(body string) (problems []string, text string) {
	if !strings.HasSuffix(body, "\r\n") {
		problems = append(problems, "does not end with CRLF")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			problems = append(problems, fmt.Sprintf("bare line break inside %q", clip(l)))
		}
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var stack []string
	var b strings.Builder
	for _, l := range lines {
		// Lines split at any CR or LF as a lenient reader would.
		for _, part := range regexp.MustCompile(`\r\n|\r|\n`).Split(l, -1) {
			name, _, _ := strings.Cut(part, ":")
			name, _, _ = strings.Cut(name, ";")
			if !icsProps[name] {
				problems = append(problems, fmt.Sprintf("unexpected property %q", clip(part)))
			}
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			problems = append(problems, fmt.Sprintf("line without a value %q", clip(l)))
			continue
		}
		prop, _, _ := strings.Cut(name, ";")
		switch prop {
		case "BEGIN":
			stack = append(stack, value)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				problems = append(problems, "END:"+value+" does not close the open component")
			} else {
				stack = stack[:len(stack)-1]
			}
		}
		if icsText[prop] {
			v, err := icsUnescape(value)
			if err != "" {
				problems = append(problems, prop+": "+err)
			}
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	if len(stack) > 0 {
		problems = append(problems, "unclosed components "+strings.Join(stack, ","))
	}
	return problems, b.String()
}

// icsUnescape decodes a TEXT value and says what is not escaped as RFC
// 5545 section 3.3.11 requires.
func icsUnescape(v string) (string, string) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			if i+1 >= len(v) {
				return b.String(), "a lone backslash at the end"
			}
			i++
			switch v[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			case '\\', ';', ',':
				b.WriteByte(v[i])
			default:
				return b.String(), fmt.Sprintf("unknown escape \\%c", v[i])
			}
		case ';', ',':
			return b.String(), fmt.Sprintf("unescaped %q in %q", c, clip(v))
		default:
			if c < ' ' && c != '\t' {
				return b.String(), fmt.Sprintf("control character %q in %q", c, clip(v))
			}
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}
