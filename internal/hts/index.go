package hts

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Index is the loaded schedule. Safe for concurrent use after construction:
// nothing in it changes once Build returns. The *Line values it hands out
// are made for each call from the packed lines (two lookups of one code
// give equal lines at different addresses: compare Codes, not pointers);
// their slices are shared and must not be modified.
//
// It is laid out for the garbage collector, which marks the whole index at
// every cycle of the server: the lines are one array of pointer-free
// records linked by position (int32) rather than by pointer, their strings
// are ids in one arena, and the printed rows, code-tree children and
// search postings are arrays of positions.
type Index struct {
	edition Edition
	actions ActionsInfo
	// lines in schedule order (chapter, heading, its lines, next
	// heading…), which is also the order of their digit strings: a code is
	// found by binary search.
	lines lineStore
	// kids[kidAt[i]:kidAt[i+1]] are the positions of line i's code-tree
	// children, in code order.
	kidAt    []int32
	kids     []int32
	sections []Section
	rows     []rowRec           // every printed row, in order
	texts    []string           // descriptions of the text-only rows
	heading  map[int32][2]int32 // heading position → [start, end) in rows
	search   *searcher
	stats    Stats
}

// Section is an HS section with its chapters (XXII holds the US-only
// chapters 98 and 99).
type Section struct {
	Roman    string
	Name     string
	Chapters []*Line
}

// Row is one row of a heading as the schedule prints it: the code column
// (blank on a statistical row under a printed 8-digit line), the statistical
// suffix, the indented description, the unit and the rates as printed.
type Row struct {
	Code        string // dotted code in the heading/subheading column, or ""
	Suffix      string // statistical suffix, or ""
	Indent      int
	Description string
	Units       []string
	General     string
	Special     string
	Column2     string
	// Line is the line the code column stands for (nil on text-only rows
	// and on statistical rows under a printed 8-digit line); Stat is the
	// 10-digit line when the row has a suffix.
	Line *Line
	Stat *Line
}

// Main is the line this row stands for: its statistical line if it has a
// suffix, else the line of its code column; nil for text-only rows.
func (r Row) Main() *Line {
	if r.Stat != nil {
		return r.Stat
	}
	return r.Line
}

// Stats counts what Build made of the data.
type Stats struct {
	Rows            int // data rows of the export
	TextRows        int // text-only rows (kept as structure)
	Chapters        int
	Headings        int
	Subheadings     int
	RateLines       int // 8-digit lines
	StatLines       int // 10-digit lines
	Derived8        int // 8-digit lines derived from a single 10-digit row
	DerivedHeadings int // headings printed only as their single line
	HSSubheadings   int // 6-digit subheadings added from HS 2022
	S301Lines       int // 8-digit lines on at least one Section 301 list
	S301Unmatched   int // hts8 codes of the 301 lists with no line in this edition
	S232Lines       int // lines covered by at least one 232 listing
}

// Lookup finds a line by code in any accepted input form. It returns an
// error wrapping ErrMalformedCode or ErrUnknownCode.
func (ix *Index) Lookup(code string) (*Line, error) {
	c, err := ParseCode(code)
	if err != nil {
		return nil, err
	}
	return ix.LookupCode(c)
}

// LookupCode finds a line by parsed code; the error wraps ErrUnknownCode.
func (ix *Index) LookupCode(c Code) (*Line, error) {
	if l := ix.find(c.Digits()); l != nil {
		return l, nil
	}
	return nil, fmt.Errorf("%w: %s is not in the %s", ErrUnknownCode, c.Dotted(), ix.edition.Name)
}

// Nearest returns the deepest line that c falls under (its chapter at
// least), or nil when even the chapter is unknown.
func (ix *Index) Nearest(c Code) *Line {
	for d := c.Digits(); len(d) >= 2; d = d[:len(d)-2] {
		if l := ix.find(d); l != nil {
			return l
		}
	}
	return nil
}

// find returns the line with digits d, or nil.
func (ix *Index) find(d string) *Line {
	i := ix.lowerBound(d)
	if i < ix.lines.len() && ix.lines.digits(i) == d {
		return ix.lines.line(idx32(i))
	}
	return nil
}

// lowerBound is the position of the first line whose digits are not
// below d.
func (ix *Index) lowerBound(d string) int {
	return sort.Search(ix.lines.len(), func(i int) bool { return ix.lines.digits(i) >= d })
}

// Edition describes the schedule the index was built from.
func (ix *Index) Edition() Edition { return ix.edition }

// Actions describes the Section 301/232 lists attached to the lines.
func (ix *Index) Actions() ActionsInfo { return ix.actions }

// Stats reports the counts of the build.
func (ix *Index) Stats() Stats { return ix.stats }

// Len is the number of lines (chapters to statistical lines).
func (ix *Index) Len() int { return ix.lines.len() }

// Lines returns every line in schedule order. The lines are made for the
// call (the index keeps them packed): a caller that needs a few should
// Lookup them.
func (ix *Index) Lines() []*Line {
	out := make([]*Line, ix.lines.len())
	for i := range out {
		out[i] = ix.lines.line(idx32(i))
	}
	return out
}

// Sections lists the sections with their chapters.
func (ix *Index) Sections() []Section { return ix.sections }

// SectionOf returns the section a line belongs to.
func (ix *Index) SectionOf(l *Line) Section {
	for _, s := range ix.sections {
		if s.Roman == l.Section {
			return s
		}
	}
	return Section{Roman: l.Section}
}

// Children lists the lines one level down the code tree (a heading's
// subheadings, a subheading's 8-digit lines…), in code order.
func (ix *Index) Children(l *Line) []*Line {
	if !ix.owns(l) {
		return nil
	}
	ks := ix.kids[ix.kidAt[l.seq]:ix.kidAt[l.seq+1]]
	if len(ks) == 0 {
		return nil
	}
	out := make([]*Line, len(ks))
	for i, k := range ks {
		out[i] = ix.lines.line(k)
	}
	return out
}

// owns reports whether l is a line of this index (and not, say, a zero
// Line a template is checked with).
func (ix *Index) owns(l *Line) bool {
	return l != nil && l.Digits != "" && int(l.seq) < ix.lines.len() && ix.lines.digits(int(l.seq)) == l.Digits
}

// Parent is the line one level up the code tree, or nil for a chapter.
func (ix *Index) Parent(l *Line) *Line {
	if l.up == 0 || !ix.owns(l) {
		return nil
	}
	return ix.lines.line(l.up - 1)
}

// Ancestors lists the code-tree ancestors of l, chapter first.
func (ix *Index) Ancestors(l *Line) []*Line {
	var out []*Line
	for p := ix.Parent(l); p != nil; p = ix.Parent(p) {
		out = append(out, p)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// Prev and Next are the neighbouring lines of the same or a shallower
// level in schedule order: what a reader scanning the schedule sees
// before and after l. They return nil at the ends.
func (ix *Index) Prev(l *Line) *Line {
	for i := int(l.seq) - 1; i >= 0; i-- {
		if ix.lines.level(i) <= l.Level {
			return ix.lines.line(idx32(i))
		}
	}
	return nil
}

// Next is the counterpart of Prev.
func (ix *Index) Next(l *Line) *Line {
	for i := int(l.seq) + 1; i < ix.lines.len(); i++ {
		if ix.lines.level(i) <= l.Level {
			return ix.lines.line(idx32(i))
		}
	}
	return nil
}

// Schedule returns the printed rows of the heading or subheading l (the
// rows whose codes fall under it, with the text-only rows above them), or
// nil for chapters and lines below the 6-digit level.
func (ix *Index) Schedule(l *Line) []Row {
	if l.Level != 4 && l.Level != 6 {
		return nil
	}
	h := ix.find(l.Digits[:4])
	if h == nil {
		return nil
	}
	span, ok := ix.heading[h.seq]
	if !ok {
		return nil
	}
	rows := ix.printed(ix.rows[span[0]:span[1]])
	if l.Level == 4 {
		return rows
	}
	// For a subheading keep the rows under it and the text rows that
	// introduce them: a text row is kept when the next coded row at a
	// deeper indent falls under the subheading.
	var out []Row
	for i, r := range rows {
		if m := r.Main(); m != nil {
			if strings.HasPrefix(m.Digits, l.Digits) {
				out = append(out, r)
			}
			continue
		}
		for _, n := range rows[i+1:] {
			if n.Indent <= r.Indent {
				break
			}
			if m := n.Main(); m != nil {
				if strings.HasPrefix(m.Digits, l.Digits) {
					out = append(out, r)
				}
				break
			}
		}
	}
	return out
}

// CountUnder counts the 8-digit rate lines under l and how many of them are
// on a Section 301 list or covered (wholly or partly) by a 232 listing.
func (ix *Index) CountUnder(l *Line) (rateLines, on301, on232 int) {
	// The lines under l follow it in schedule order.
	for i := int(l.seq); i < ix.lines.len(); i++ {
		if !strings.HasPrefix(ix.lines.digits(i), l.Digits) {
			break
		}
		m := &ix.lines.recs[i]
		if m.level != 8 {
			continue
		}
		rateLines++
		if m.s301[1] > m.s301[0] {
			on301++
		}
		if m.s232[1] > m.s232[0] {
			on232++
		}
	}
	return rateLines, on301, on232
}

// LoadBundled builds the index of the export shipped in fsys (the content
// tree: content.FS), with its HS, tariff-action and alias files.
func LoadBundled(fsys fs.FS) (*Index, error) {
	ref, err := loadReference(fsys)
	if err != nil {
		return nil, err
	}
	gz, err := fs.ReadFile(fsys, bundledExport)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", bundledExport, err)
	}
	exp, err := ReadExport(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("bundled export: %w", err)
	}
	ed := bundledEdition()
	if exp.SHA256 != ed.SHA256 {
		return nil, fmt.Errorf("bundled export: sha256 %s, want %s (see content/hts/NOTICE.md)", exp.SHA256, ed.SHA256)
	}
	ed.Rows = len(exp.Rows)
	return build(exp.Rows, ed, ref)
}

// Build builds an index of an export's rows with the bundled reference
// files of fsys (HS 2022, tariff-action lists, aliases).
func Build(rows []ExportRow, ed Edition, fsys fs.FS) (*Index, error) {
	ref, err := loadReference(fsys)
	if err != nil {
		return nil, err
	}
	if ed.Rows == 0 {
		ed.Rows = len(rows)
	}
	return build(rows, ed, ref)
}
