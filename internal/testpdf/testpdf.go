// Package testpdf reads the shown text back out of the PDFs the project
// renders with fpdf, the way a PDF reader's copy-and-paste does: it inflates
// the streams, follows each Tf to its font, and maps the bytes of every Tj
// and TJ through the font's ToUnicode CMap (embedded Unicode fonts) or
// WinAnsiEncoding (fpdf's core fonts). For an embedded font it also looks
// each character up in the CIDToGIDMap, so a character drawn without a
// glyph (an empty box) is reported rather than read back as if printed.
// Tests only; it imports nothing from the project.
package testpdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Doc is what a PDF shows.
type Doc struct {
	Texts   []string // one per Tj or TJ, in drawing order, pages in order
	NoGlyph []rune   // characters shown in an embedded font that has no glyph for them
	Fonts   []string // BaseFont of every font used, in first-use order
}

// All joins the texts with newlines.
func (d *Doc) All() string { return strings.Join(d.Texts, "\n") }

// Contains reports whether one text contains s.
func (d *Doc) Contains(s string) bool {
	for _, t := range d.Texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

var (
	objHead   = regexp.MustCompile(`(\d+) 0 obj\s`)
	lengthRe  = regexp.MustCompile(`/Length (\d+)`)
	toUniRe   = regexp.MustCompile(`/ToUnicode\s*(\d+) 0 R`)
	descRe    = regexp.MustCompile(`/DescendantFonts\s*\[\s*(\d+) 0 R`)
	cidMapRe  = regexp.MustCompile(`/CIDToGIDMap\s*(\d+) 0 R`)
	contentRe = regexp.MustCompile(`/Contents\s*(\d+) 0 R`)
	fontDict  = regexp.MustCompile(`(?s)/Font\s*<<(.*?)>>`)
	fontRef   = regexp.MustCompile(`/(\S+)\s+(\d+) 0 R`)
	baseFont  = regexp.MustCompile(`/BaseFont\s*/(\S+)`)
	pageType  = regexp.MustCompile(`/Type\s*/Page\b`)
	bfrange   = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	bfchar    = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	section   = regexp.MustCompile(`(?s)begin(bfrange|bfchar)(.*?)end(?:bfrange|bfchar)`)
)

// object is one indirect object: its dictionary text and inflated stream.
type object struct {
	dict   string
	stream []byte
}

// font knows how to turn shown bytes into text.
type font struct {
	name    string
	type0   bool
	cmap    map[uint16][]rune // ToUnicode, for Type0
	cid2gid []byte            // CIDToGIDMap stream, for Type0
}

// Read returns the text pdf shows.
func Read(pdf []byte) (*Doc, error) {
	objs, order, err := objects(pdf)
	if err != nil {
		return nil, err
	}
	fonts := map[string]*font{}
	for _, o := range objs {
		m := fontDict.FindStringSubmatch(o.dict)
		if m == nil {
			continue
		}
		for _, r := range fontRef.FindAllStringSubmatch(m[1], -1) {
			f, err := loadFont(objs, r[2])
			if err != nil {
				return nil, fmt.Errorf("font /%s: %w", r[1], err)
			}
			fonts[r[1]] = f
		}
	}
	d := &Doc{}
	pages := 0
	for _, id := range order {
		o := objs[id]
		if !pageType.MatchString(o.dict) {
			continue
		}
		pages++
		m := contentRe.FindStringSubmatch(o.dict)
		if m == nil {
			return nil, fmt.Errorf("page object %s has no /Contents", id)
		}
		c, ok := objs[m[1]]
		if !ok {
			return nil, fmt.Errorf("page object %s: contents %s missing", id, m[1])
		}
		if err := d.show(c.stream, fonts); err != nil {
			return nil, fmt.Errorf("page %d: %w", pages, err)
		}
	}
	if pages == 0 {
		return nil, fmt.Errorf("no pages")
	}
	return d, nil
}

// objects splits pdf into its indirect objects, inflating FlateDecode
// streams, and returns their ids in file order.
func objects(pdf []byte) (map[string]object, []string, error) {
	objs := map[string]object{}
	var order []string
	pos := 0
	for {
		loc := objHead.FindSubmatchIndex(pdf[pos:])
		if loc == nil {
			break
		}
		id := string(pdf[pos+loc[2] : pos+loc[3]])
		start := pos + loc[1]
		end := bytes.Index(pdf[start:], []byte("endobj"))
		if end < 0 {
			return nil, nil, fmt.Errorf("object %s: no endobj", id)
		}
		body := pdf[start : start+end]
		o := object{dict: string(body)}
		if si := bytes.Index(body, []byte("stream")); si >= 0 {
			o.dict = string(body[:si])
			m := lengthRe.FindStringSubmatch(o.dict)
			if m == nil {
				return nil, nil, fmt.Errorf("object %s: stream without a direct /Length", id)
			}
			n, _ := strconv.Atoi(m[1])
			ds := start + si + len("stream")
			if pdf[ds] == '\r' {
				ds++
			}
			if pdf[ds] == '\n' {
				ds++
			}
			if ds+n > len(pdf) {
				return nil, nil, fmt.Errorf("object %s: stream runs past the file", id)
			}
			o.stream = pdf[ds : ds+n]
			if strings.Contains(o.dict, "/FlateDecode") {
				r, err := zlib.NewReader(bytes.NewReader(o.stream))
				if err != nil {
					return nil, nil, fmt.Errorf("object %s: %w", id, err)
				}
				if o.stream, err = io.ReadAll(r); err != nil {
					return nil, nil, fmt.Errorf("object %s: %w", id, err)
				}
			}
			// The stream may contain "endobj"; find the real one after it.
			end = bytes.Index(pdf[ds+n:], []byte("endobj"))
			if end < 0 {
				return nil, nil, fmt.Errorf("object %s: no endobj after its stream", id)
			}
			end += ds + n - start
		}
		objs[id] = o
		order = append(order, id)
		pos = start + end + len("endobj")
	}
	if len(objs) == 0 {
		return nil, nil, fmt.Errorf("no objects: not a PDF")
	}
	return objs, order, nil
}

// loadFont reads font object id.
func loadFont(objs map[string]object, id string) (*font, error) {
	o, ok := objs[id]
	if !ok {
		return nil, fmt.Errorf("object %s missing", id)
	}
	f := &font{}
	if m := baseFont.FindStringSubmatch(o.dict); m != nil {
		f.name = m[1]
	}
	if !strings.Contains(o.dict, "/Type0") {
		if !strings.Contains(o.dict, "/WinAnsiEncoding") {
			return nil, fmt.Errorf("%s: neither Type0 nor WinAnsiEncoding", f.name)
		}
		return f, nil
	}
	f.type0 = true
	tu := toUniRe.FindStringSubmatch(o.dict)
	de := descRe.FindStringSubmatch(o.dict)
	if tu == nil || de == nil {
		return nil, fmt.Errorf("%s: Type0 font without ToUnicode or DescendantFonts", f.name)
	}
	cm, err := parseCMap(string(objs[tu[1]].stream))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	f.cmap = cm
	gm := cidMapRe.FindStringSubmatch(objs[de[1]].dict)
	if gm == nil {
		return nil, fmt.Errorf("%s: descendant font without CIDToGIDMap", f.name)
	}
	f.cid2gid = objs[gm[1]].stream
	if len(f.cid2gid) != 2*65536 {
		return nil, fmt.Errorf("%s: CIDToGIDMap has %d bytes, want %d", f.name, len(f.cid2gid), 2*65536)
	}
	return f, nil
}

// parseCMap reads the bfrange and bfchar entries of a ToUnicode CMap with
// two-byte codes.
func parseCMap(s string) (map[uint16][]rune, error) {
	cm := map[uint16][]rune{}
	// hex reads up to four hex digits; longer codes are not fpdf's.
	hex := func(h string) (uint16, error) {
		v, err := strconv.ParseUint(h, 16, 16)
		return uint16(v), err // #nosec G115 -- ParseUint with bitSize 16 bounds v to 0xFFFF
	}
	utf := func(h string) []rune {
		var u []uint16
		for i := 0; i+4 <= len(h); i += 4 {
			v, _ := hex(h[i : i+4]) // four hex digits always parse
			u = append(u, v)
		}
		return utf16.Decode(u)
	}
	for _, sec := range section.FindAllStringSubmatch(s, -1) {
		if sec[1] == "bfrange" {
			for _, m := range bfrange.FindAllStringSubmatch(sec[2], -1) {
				lo, err1 := hex(m[1])
				hi, err2 := hex(m[2])
				dst := utf(m[3])
				if err1 != nil || err2 != nil || len(dst) != 1 || hi < lo {
					return nil, fmt.Errorf("unsupported bfrange %q", m[0])
				}
				for c := int(lo); c <= int(hi); c++ {
					cm[uint16(c)] = []rune{dst[0] + rune(c-int(lo))} // #nosec G115 -- lo <= c <= hi <= 0xFFFF
				}
			}
			continue
		}
		for _, m := range bfchar.FindAllStringSubmatch(sec[2], -1) {
			code, err := hex(m[1])
			if err != nil {
				return nil, fmt.Errorf("unsupported bfchar %q", m[0])
			}
			cm[code] = utf(m[2])
		}
	}
	if len(cm) == 0 {
		return nil, fmt.Errorf("ToUnicode CMap maps nothing")
	}
	return cm, nil
}

// show runs a content stream's text operators.
func (d *Doc) show(content []byte, fonts map[string]*font) error {
	var cur *font
	var operands []token
	used := map[string]bool{}
	for _, t := range tokenize(content) {
		if t.kind != opTok {
			operands = append(operands, t)
			continue
		}
		switch t.text {
		case "Tf":
			if len(operands) < 2 || operands[len(operands)-2].kind != nameTok {
				return fmt.Errorf("operator Tf without a font name")
			}
			name := operands[len(operands)-2].text
			cur = fonts[name]
			if cur == nil {
				return fmt.Errorf("operator Tf /%s: font not in the resources", name)
			}
			if !used[cur.name] {
				used[cur.name] = true
				d.Fonts = append(d.Fonts, cur.name)
			}
		case "Tj", "'", "\"", "TJ":
			if cur == nil {
				return fmt.Errorf("%s before Tf", t.text)
			}
			var b strings.Builder
			for _, o := range operands {
				if o.kind == strTok {
					b.WriteString(d.decode(cur, o.bytes))
				}
			}
			d.Texts = append(d.Texts, b.String())
		}
		operands = operands[:0]
	}
	return nil
}

// decode maps shown bytes to text in font f.
func (d *Doc) decode(f *font, b []byte) string {
	if !f.type0 {
		s, _ := charmap.Windows1252.NewDecoder().Bytes(b)
		return string(s)
	}
	var out []rune
	for i := 0; i+1 < len(b); i += 2 {
		code := uint16(b[i])<<8 | uint16(b[i+1])
		rs, ok := f.cmap[code]
		if !ok {
			rs = []rune{0xFFFD}
		}
		if f.cid2gid[2*int(code)] == 0 && f.cid2gid[2*int(code)+1] == 0 {
			d.NoGlyph = append(d.NoGlyph, rs...)
		}
		out = append(out, rs...)
	}
	return string(out)
}

// token kinds.
const (
	opTok = iota
	nameTok
	strTok
	otherTok
)

type token struct {
	kind  int
	text  string
	bytes []byte
}

// tokenize splits a content stream into operators, names, strings (literal
// and hex, also inside TJ arrays) and other operands.
func tokenize(s []byte) []token {
	var out []token
	isDelim := func(c byte) bool { return bytes.IndexByte([]byte("()<>[]{}/% \t\r\n\f"), c) >= 0 }
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '[' || c == ']':
			i++
		case c == '%':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case c == '(':
			b, n := Literal(s[i:])
			out = append(out, token{kind: strTok, bytes: b})
			i += n
		case c == '<' && i+1 < len(s) && s[i+1] != '<':
			j := bytes.IndexByte(s[i:], '>')
			if j < 0 {
				return out
			}
			h := strings.Map(func(r rune) rune {
				if strings.ContainsRune("0123456789abcdefABCDEF", r) {
					return r
				}
				return -1
			}, string(s[i+1:i+j]))
			if len(h)%2 == 1 {
				h += "0"
			}
			var b []byte
			for k := 0; k+2 <= len(h); k += 2 {
				v, _ := strconv.ParseUint(h[k:k+2], 16, 8)
				b = append(b, byte(v))
			}
			out = append(out, token{kind: strTok, bytes: b})
			i += j + 1
		case c == '/':
			j := i + 1
			for j < len(s) && !isDelim(s[j]) {
				j++
			}
			out = append(out, token{kind: nameTok, text: string(s[i+1 : j])})
			i = j
		default:
			j := i + 1
			for j < len(s) && !isDelim(s[j]) {
				j++
			}
			w := string(s[i:j])
			kind := opTok
			if _, err := strconv.ParseFloat(w, 64); err == nil || w == "<<" || w == ">>" || isDelim(c) {
				kind = otherTok
			}
			out = append(out, token{kind: kind, text: w})
			i = max(j, i+1)
		}
	}
	return out
}

// Literal reads a PDF literal string at the start of s (which begins with
// "(") and returns its bytes and how many input bytes it took.
func Literal(s []byte) ([]byte, int) {
	var b []byte
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case '\r', '\n':
				// A line continuation.
				if e == '\r' && i+1 < len(s) && s[i+1] == '\n' {
					i++
				}
			default:
				if e >= '0' && e <= '7' {
					v, n := 0, 0
					for n < 3 && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '7' {
						v = v*8 + int(s[i+n]-'0')
						n++
					}
					b = append(b, byte(v))
					i += n - 1
					continue
				}
				b = append(b, e)
			}
		case c == '(':
			if depth > 0 {
				b = append(b, c)
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return b, i + 1
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return b, len(s)
}
