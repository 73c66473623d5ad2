package hts

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// alias maps commercial names ("laptop", "sneakers") to a line.
type alias struct {
	digits string
	names  []string
}

// loadAliases reads content/hts/aliases.tsv: one line per code, "CODE<TAB>
// name; name; …", with # comments.
func loadAliases(fsys fs.FS) ([]alias, error) {
	b, err := readFile(fsys, bundledAliases)
	if err != nil {
		return nil, err
	}
	var out []alias
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, names, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("read %s: line %d: want CODE<TAB>names", bundledAliases, n)
		}
		c, err := ParseCode(code)
		if err != nil {
			return nil, fmt.Errorf("read %s: line %d: %w", bundledAliases, n, err)
		}
		a := alias{digits: c.Digits()}
		for _, nm := range strings.Split(names, ";") {
			if nm = strings.TrimSpace(nm); nm != "" {
				a.names = append(a.names, nm)
			}
		}
		out = append(out, a)
	}
	return out, sc.Err()
}

// Aliases returns the commercial names mapped to l (empty for most lines).
func (ix *Index) Aliases(l *Line) []string {
	n, ok := ix.search.nodeOf(l)
	if !ok {
		return nil
	}
	return ix.search.aliases[n]
}

func (s *searcher) nodeOf(l *Line) (int32, bool) {
	return l.node - 1, l.node > 0
}

// looksLikeCode reports whether q is only digits, dots and spaces with at
// least two digits: a code or code prefix rather than words.
func looksLikeCode(q string) (string, bool) {
	var d strings.Builder
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c >= '0' && c <= '9':
			d.WriteByte(c)
		case c == '.' || c == ' ':
		default:
			return "", false
		}
	}
	return d.String(), d.Len() >= 2 && d.Len() <= 10
}

// Search finds lines for a query, best first: a code or code prefix
// ("8471.30", "847130") lists that line and the lines under it, shallow
// first; words are matched by stem, with aliases, typo tolerance and
// ranking that prefers the most specific line that fits.
func (ix *Index) Search(q string, opt Options) []Hit {
	q, _ = TrimQuery(q)
	if opt.Limit <= 0 {
		opt.Limit = 10
	}
	if q == "" {
		return nil
	}
	if d, ok := looksLikeCode(q); ok && !opt.Baseline {
		return ix.prefixSearch(d, opt.Limit)
	}
	return ix.search.run(q, opt)
}

// TrimQuery trims surrounding space from q and cuts it to its first
// MaxQueryLen characters, at a character boundary; cut reports whether
// anything but space was dropped, so a caller can say so.
func TrimQuery(q string) (trimmed string, cut bool) {
	q = strings.TrimSpace(q)
	n := 0
	for i := range q {
		if n == MaxQueryLen {
			return strings.TrimSpace(q[:i]), true
		}
		n++
	}
	return q, false
}

// prefixSearch lists the lines whose digits start with d, by level then
// schedule order. Schedule order is also the order of the digit strings
// (a heading "8471" sorts before its lines "847130…"), so the lines under a
// prefix are found by binary search and are contiguous.
func (ix *Index) prefixSearch(d string, limit int) []Hit {
	var ls []int32
	for i := ix.lowerBound(d); i < ix.lines.len(); i++ {
		if !strings.HasPrefix(ix.lines.digits(i), d) {
			break
		}
		ls = append(ls, idx32(i))
	}
	sort.SliceStable(ls, func(i, j int) bool { return ix.lines.level(int(ls[i])) < ix.lines.level(int(ls[j])) })
	if len(ls) > limit {
		ls = ls[:limit]
	}
	out := make([]Hit, len(ls))
	for i, l := range ls {
		out[i] = Hit{Line: ix.lines.line(l), Score: float64(len(ls) - i)}
	}
	return out
}

// Segment is a piece of a highlighted text.
type Segment struct {
	Text string
	Mark bool
}

// Highlight splits text into segments, marking the words whose stem is one
// of terms (the Terms of a Hit).
func Highlight(text string, terms []string) []Segment {
	if len(terms) == 0 || text == "" {
		return []Segment{{Text: text}}
	}
	set := make(map[string]bool, len(terms))
	for _, t := range terms {
		set[t] = true
	}
	var out []Segment
	at := 0
	for _, w := range tokenize(text) {
		hit := set[w.stem]
		for _, p := range w.parts {
			hit = hit || set[p]
		}
		if !hit {
			continue
		}
		if w.start > at {
			out = append(out, Segment{Text: text[at:w.start]})
		}
		out = append(out, Segment{Text: text[w.start:w.end], Mark: true})
		at = w.end
	}
	if at < len(text) {
		out = append(out, Segment{Text: text[at:]})
	}
	return out
}
