package hts

import (
	"fmt"
	"slices"
	"strings"
)

// builder turns export rows into lines, printed rows and search nodes.
// It works on a graph of *Line (lines, byDigits, rows), which freeze then
// packs into the Index's position-indexed arrays.
type builder struct {
	ix  *Index
	ref *reference
	sn  *searchBuilder

	lines    []*Line // in schedule order
	byDigits map[string]*Line
	rows     []Row
	heading  map[string][2]int // heading digits → [start, end) in rows

	chapter  *Line
	chNode   int32
	headLine *Line
	hdNode   int32
	// stack is the printed indentation: the rows above the current one,
	// each with its indent; the heading sits at the bottom with indent -1.
	stack []frame
	hs6   map[string]int32 // 6-digit digits → search node
}

// frame is one level of the printed indentation.
type frame struct {
	indent int
	node   int32
	desc   string
}

func build(rows []ExportRow, ed Edition, ref *reference) (*Index, error) {
	ix := &Index{edition: ed, actions: ref.actions}
	b := &builder{ix: ix, ref: ref, sn: newSearchBuilder(), hs6: map[string]int32{},
		byDigits: map[string]*Line{}, heading: map[string][2]int{}}
	for i := range rows {
		if err := b.row(&rows[i]); err != nil {
			return nil, fmt.Errorf("row %d: %w", rows[i].Row, err)
		}
	}
	b.closeHeading()
	ix.stats.Rows = len(rows)
	b.linkTree()
	b.sections()
	b.attachActions()
	if err := b.sn.addAliases(ref.aliases, b.byDigits); err != nil {
		return nil, err
	}
	b.freeze()
	ix.search = b.sn.finish(&ix.lines, ix.texts)
	return ix, nil
}

// add registers a line in schedule order.
func (b *builder) add(l *Line) {
	l.seq = idx32(len(b.lines))
	b.lines = append(b.lines, l)
	b.byDigits[l.Digits] = l
	switch l.Level {
	case 2:
		b.ix.stats.Chapters++
	case 4:
		b.ix.stats.Headings++
	case 6:
		b.ix.stats.Subheadings++
	case 8:
		b.ix.stats.RateLines++
	case 10:
		b.ix.stats.StatLines++
	}
}

// trimColon drops the colon the schedule prints after a row that has
// subordinate rows.
func trimColon(s string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ":"))
}

func (b *builder) row(r *ExportRow) error {
	if r.Digits == "" {
		b.ix.stats.TextRows++
		desc := trimColon(r.Description)
		parent := b.parentFor(r.Indent)
		node := b.sn.addNode(nil, parent, -1, desc, "")
		b.stack = append(b.stack, frame{indent: r.Indent, node: node, desc: desc})
		b.rows = append(b.rows, Row{Indent: r.Indent, Description: desc})
		return nil
	}
	d := r.Digits
	if b.headLine == nil || d[:4] != b.headLine.Digits {
		if err := b.startHeading(r); err != nil {
			return err
		}
		if len(d) == 4 {
			return nil
		}
	}
	desc := trimColon(r.Description)
	var hs6 int32 = -1
	if len(d) >= 8 {
		hs6 = b.ensureHS6(d[:6])
	}
	parent := b.parentFor(r.Indent)
	path := b.path()
	out := Row{Indent: r.Indent, Description: desc, Units: r.Units, General: r.General, Special: r.Special, Column2: r.Column2}

	l := &Line{Code: dotted(d), Digits: d, Level: len(d), Indent: r.Indent, Description: desc, Path: path,
		Units: r.Units, Section: b.chapter.Section, Origin: OriginPrinted, Quota: r.Quota, AdditionalDuties: r.Additional}
	if l.Level <= 6 {
		l.HSDescription = b.ref.hs[d].Description
	}
	if r.hasRates() {
		l.General, l.Special, l.Column2, l.RateSource = r.General, r.Special, r.Column2, l.Code
	}
	selfNode := true
	if l.Level == 10 {
		rate8, ok := b.byDigits[d[:8]]
		if !ok {
			// The export prints this 8-digit line only as its single
			// statistical row: derive the rate line from it.
			rate8 = &Line{Code: dotted(d[:8]), Digits: d[:8], Level: 8, Indent: r.Indent, Description: desc, Path: path,
				Units: r.Units, Section: l.Section, Origin: OriginDerived, Quota: r.Quota, AdditionalDuties: r.Additional,
				General: r.General, Special: r.Special, Column2: r.Column2}
			if r.hasRates() {
				rate8.RateSource = l.Code
			}
			b.add(rate8)
			b.ix.stats.Derived8++
			parent = b.sn.addNode(rate8, parent, hs6, desc, "")
			// The statistical row has the same text: it stays findable by
			// code but is not a separate search hit.
			selfNode = false
			out.Code, out.Line = rate8.Code, rate8
		}
		// Each column inherits on its own: a statistical row that prints
		// only Column 2 (9006.59.15.20) keeps the General and Special rates
		// of its 8-digit line. Special goes with General, since a special
		// rate qualifies the general one it is printed beside.
		if !r.hasRates() {
			l.RateSource = rate8.RateSource
		}
		if r.General == "" && r.Special == "" {
			l.General, l.Special = rate8.General, rate8.Special
		}
		if r.Column2 == "" {
			l.Column2 = rate8.Column2
		}
		out.Suffix, out.Stat = d[8:], l
	} else {
		out.Code, out.Line = l.Code, l
	}
	b.add(l)
	node := parent // a statistical row merged into its derived rate line
	if selfNode {
		node = b.sn.addNode(l, parent, hs6, desc, l.HSDescription)
	}
	if l.Level == 6 {
		b.hs6[d] = node
	}
	b.stack = append(b.stack, frame{indent: r.Indent, node: node, desc: desc})
	b.rows = append(b.rows, out)
	return nil
}

// parentFor pops the indentation stack down to the row a row of this
// indent hangs from, and returns that row's search node.
func (b *builder) parentFor(indent int) int32 {
	for len(b.stack) > 1 && b.stack[len(b.stack)-1].indent >= indent {
		b.stack = b.stack[:len(b.stack)-1]
	}
	return b.stack[len(b.stack)-1].node
}

// path lists the chapter and the printed rows above the current row.
func (b *builder) path() []string {
	p := make([]string, 0, len(b.stack)+1)
	p = append(p, b.chapter.Description)
	for _, f := range b.stack {
		p = append(p, f.desc)
	}
	return p
}

// startHeading opens a new heading (and chapter, when it changes). A
// heading the export prints only as its single line is derived from that
// line (or from the HS 2022 text when the line is indented).
func (b *builder) startHeading(r *ExportRow) error {
	b.closeHeading()
	d := r.Digits
	if b.chapter == nil || d[:2] != b.chapter.Digits {
		b.startChapter(d[:2])
	}
	hsd := b.ref.hs[d[:4]].Description
	h := &Line{Code: d[:4], Digits: d[:4], Level: 4, Path: []string{b.chapter.Description}, Section: b.chapter.Section, HSDescription: hsd}
	switch {
	case len(d) == 4:
		h.Indent, h.Description, h.Origin = r.Indent, trimColon(r.Description), OriginPrinted
		h.Units, h.Quota, h.AdditionalDuties = r.Units, r.Quota, r.Additional
		if r.hasRates() {
			h.General, h.Special, h.Column2, h.RateSource = r.General, r.Special, r.Column2, h.Code
		}
	case r.Indent == 0:
		h.Description, h.Origin = trimColon(r.Description), OriginDerived
		b.ix.stats.DerivedHeadings++
	case hsd != "":
		h.Description, h.Origin = hsd, OriginHS
		b.ix.stats.DerivedHeadings++
	default:
		h.Description, h.Origin = "Provisions "+d[:4]+" (the schedule prints no heading text)", OriginDerived
		b.ix.stats.DerivedHeadings++
	}
	b.add(h)
	b.headLine = h
	b.hdNode = b.sn.addNode(h, b.chNode, -1, h.Description, hsd)
	b.stack = append(b.stack[:0], frame{indent: -1, node: b.hdNode, desc: h.Description})
	b.heading[h.Digits] = [2]int{len(b.rows), len(b.rows)}
	if len(d) == 4 {
		b.rows = append(b.rows, Row{Code: h.Code, Line: h, Indent: r.Indent, Description: h.Description,
			Units: r.Units, General: r.General, Special: r.Special, Column2: r.Column2})
	}
	return nil
}

// closeHeading records where the current heading's rows end.
func (b *builder) closeHeading() {
	if b.headLine == nil {
		return
	}
	span := b.heading[b.headLine.Digits]
	span[1] = len(b.rows)
	b.heading[b.headLine.Digits] = span
}

func (b *builder) startChapter(ch string) {
	e, ok := b.ref.hs[ch]
	c := &Line{Code: ch, Digits: ch, Level: 2, Section: e.Section, Description: e.Description, HSDescription: e.Description, Origin: OriginHS}
	if name, us := usChapter(ch); us {
		c.Section, c.Description, c.HSDescription, c.Origin = sectionUS, name, "", OriginDerived
	} else if !ok {
		c.Description, c.Origin = "Chapter "+ch, OriginDerived
	}
	b.add(c)
	b.chapter = c
	b.chNode = b.sn.addNode(c, -1, -1, c.Description, "")
}

// ensureHS6 returns the search node of a 6-digit subheading, adding it from
// HS 2022 when the export does not print it; -1 when neither has it.
func (b *builder) ensureHS6(d string) int32 {
	if n, ok := b.hs6[d]; ok {
		return n
	}
	e, ok := b.ref.hs[d]
	if !ok {
		return -1
	}
	l := &Line{Code: dotted(d), Digits: d, Level: 6, Description: e.Description, HSDescription: e.Description,
		Path: []string{b.chapter.Description, b.headLine.Description}, Section: b.chapter.Section, Origin: OriginHS}
	b.add(l)
	b.ix.stats.HSSubheadings++
	n := b.sn.addNode(l, b.hdNode, -1, "", e.Description)
	b.hs6[d] = n
	return n
}

// linkTree links every line to its code-tree parent: the longest proper
// prefix that is a line (chapters 98 and 99 have no 6-digit level).
func (b *builder) linkTree() {
	for _, l := range b.lines {
		for d := l.Digits[:len(l.Digits)-2]; len(d) >= 2; d = d[:len(d)-2] {
			if p, ok := b.byDigits[d]; ok {
				l.up = p.seq + 1
				break
			}
		}
	}
}

func (b *builder) sections() {
	byRoman := map[string]int{}
	for _, s := range b.ref.sections {
		byRoman[s.Roman] = len(b.ix.sections)
		b.ix.sections = append(b.ix.sections, Section{Roman: s.Roman, Name: s.Name})
	}
	for _, l := range b.lines {
		if l.Level != 2 {
			continue
		}
		i, ok := byRoman[l.Section]
		if !ok {
			i = len(b.ix.sections)
			byRoman[l.Section] = i
			b.ix.sections = append(b.ix.sections, Section{Roman: l.Section, Name: "Section " + l.Section})
		}
		b.ix.sections[i].Chapters = append(b.ix.sections[i].Chapters, l)
	}
	kept := b.ix.sections[:0]
	for _, s := range b.ix.sections {
		if len(s.Chapters) > 0 {
			kept = append(kept, s)
		}
	}
	b.ix.sections = kept
}

// attachActions puts the Section 301 lists on 8-digit lines (and their
// statistical lines) and the 232 listings on every line a prefix covers;
// an 8-digit line also shows listings that name only some of its
// statistical lines, marked Partial.
func (b *builder) attachActions() {
	matched := map[string]bool{}
	for _, l := range b.lines {
		if l.Level >= 8 {
			if ls, ok := b.ref.s301[l.Digits[:8]]; ok {
				l.S301 = ls
				matched[l.Digits[:8]] = true
				if l.Level == 8 {
					b.ix.stats.S301Lines++
				}
			}
		}
		if l.Level >= 4 {
			for n := 4; n <= len(l.Digits); n++ {
				l.S232 = append(l.S232, b.ref.s232[l.Digits[:n]]...)
			}
		}
	}
	b.ix.stats.S301Unmatched = len(b.ref.s301) - len(matched)
	// Listings of statistical lines, in code order (not the map's).
	prefixes := make([]string, 0, len(b.ref.s232))
	for prefix := range b.ref.s232 {
		if len(prefix) > 8 {
			prefixes = append(prefixes, prefix)
		}
	}
	slices.Sort(prefixes)
	for _, prefix := range prefixes {
		if l, ok := b.byDigits[prefix[:8]]; ok {
			for _, x := range b.ref.s232[prefix] {
				x.Partial = true
				l.S232 = append(l.S232, x)
			}
		}
	}
	for _, l := range b.lines {
		if len(l.S232) > 0 {
			b.ix.stats.S232Lines++
		}
	}
}
