package hts

import (
	"math"
	"strings"
)

// rowRec is a printed row of the schedule by position: the lines of its
// code column and statistical suffix (-1 for none), or the text of a
// text-only row. A coded row prints its main line's description, units
// and indent; of the rates, only the columns the row itself printed.
type rowRec struct {
	line, stat int32 // positions in Index.lines, -1 for none
	text       int32 // position in Index.texts for a text-only row, else -1
	indent     int32
	rates      uint8 // rowGeneral | rowColumn2: the rate columns the row printed
}

// Rate columns a row printed.
const (
	rowGeneral uint8 = 1 << iota // General and Special (printed together)
	rowColumn2
)

// printed makes the Rows of rs.
func (ix *Index) printed(rs []rowRec) []Row {
	out := make([]Row, len(rs))
	for i, r := range rs {
		if r.text >= 0 {
			out[i] = Row{Indent: int(r.indent), Description: ix.texts[r.text]}
			continue
		}
		row := Row{Indent: int(r.indent)}
		if r.line >= 0 {
			row.Line = ix.lines.line(r.line)
			row.Code = row.Line.Code
		}
		if r.stat >= 0 {
			row.Stat = ix.lines.line(r.stat)
			row.Suffix = row.Stat.Digits[8:]
		}
		m := row.Main()
		row.Description, row.Units = m.Description, m.Units
		if r.rates&rowGeneral != 0 {
			row.General, row.Special = m.General, m.Special
		}
		if r.rates&rowColumn2 != 0 {
			row.Column2 = m.Column2
		}
		out[i] = row
	}
	return out
}

// lineRec is a line without pointers: its strings are ids in the
// store's arena (0 for ""), its slices spans of the store's shared arrays.
type lineRec struct {
	code, digits, desc, hsDesc, general, special, column2 uint32
	rateSource, section, origin, quota, additional        uint32
	path, units, s301, s232                               [2]int32
	node, up                                              int32 // as in Line
	level, indent                                         int16
}

// lineStore holds the lines of an Index in schedule order, without a
// pointer per line: the collector marks its few arrays, not 42k lines of
// a dozen strings each. line makes the *Line a caller gets; the index's
// own code reads the fields it needs through the accessors.
type lineStore struct {
	recs  []lineRec
	arena string
	ends  []uint32 // string id k is arena[ends[k-2]:ends[k-1]] (from 0 for k = 1)
	paths []string
	units []string
	s301  []S301Listing
	s232  []S232Listing
}

func (ls *lineStore) len() int { return len(ls.recs) }

func (ls *lineStore) str(id uint32) string {
	if id == 0 {
		return ""
	}
	start := uint32(0)
	if id > 1 {
		start = ls.ends[id-2]
	}
	return ls.arena[start:ls.ends[id-1]]
}

func (ls *lineStore) digits(i int) string { return ls.str(ls.recs[i].digits) }
func (ls *lineStore) level(i int) int     { return int(ls.recs[i].level) }

// line makes the Line at position i (a new value each time).
func (ls *lineStore) line(i int32) *Line {
	r := &ls.recs[i]
	return &Line{Code: ls.str(r.code), Digits: ls.str(r.digits), Level: int(r.level), Indent: int(r.indent),
		Description: ls.str(r.desc), Path: spanOf(ls.paths, r.path), Units: spanOf(ls.units, r.units),
		General: ls.str(r.general), Special: ls.str(r.special), Column2: ls.str(r.column2), RateSource: ls.str(r.rateSource),
		S301: spanOf(ls.s301, r.s301), S232: spanOf(ls.s232, r.s232), Section: ls.str(r.section), Origin: Origin(ls.str(r.origin)),
		HSDescription: ls.str(r.hsDesc), Quota: ls.str(r.quota), AdditionalDuties: ls.str(r.additional),
		seq: i, node: r.node, up: r.up}
}

// spanOf is the slice of a span of all (nil for an empty one), capped so
// that an append by a caller copies it.
func spanOf[T any](all []T, sp [2]int32) []T {
	if sp[0] == sp[1] {
		return nil
	}
	return all[sp[0]:sp[1]:sp[1]]
}

// freeze packs what the builder made into the Index: the lines into a
// lineStore with their strings interned into one arena, the code tree and
// the printed rows as positions. The builder's pointers and maps become
// garbage.
func (b *builder) freeze() {
	ix := b.ix
	in := newInterner()
	// Slices shared by many lines (a path by siblings, "No." by most
	// lines) are kept once, in one backing array per kind.
	paths := newSpans[string](strings.Join)
	units := newSpans[string](strings.Join)
	s301 := newSpans(func(ls []S301Listing, sep string) string {
		var sb strings.Builder
		for _, x := range ls {
			sb.WriteString(x.List + "\x01" + x.Ch99 + "\x01" + x.Rate + sep)
		}
		return sb.String()
	})
	s232 := newSpans(func(ls []S232Listing, sep string) string {
		var sb strings.Builder
		for _, x := range ls {
			sb.WriteString(x.Metal + "\x01" + x.Ch99 + "\x01" + x.Annex + "\x01" + x.Basis + "\x01" + x.EffectiveDate + "\x01" + x.Prefix)
			if x.Partial {
				sb.WriteString("\x01p")
			}
			sb.WriteString(sep)
		}
		return sb.String()
	})
	st := &ix.lines
	st.recs = make([]lineRec, len(b.lines))
	for i, l := range b.lines {
		st.recs[i] = lineRec{code: in.id(l.Code), digits: in.id(l.Digits), desc: in.id(l.Description), hsDesc: in.id(l.HSDescription),
			general: in.id(l.General), special: in.id(l.Special), column2: in.id(l.Column2), rateSource: in.id(l.RateSource),
			section: in.id(l.Section), origin: in.id(string(l.Origin)), quota: in.id(l.Quota), additional: in.id(l.AdditionalDuties),
			path: paths.add(l.Path), units: units.add(l.Units), s301: s301.add(l.S301), s232: s232.add(l.S232),
			node: l.node, up: l.up, level: int16(l.Level), indent: int16(l.Indent)} // #nosec G115 -- levels are 2-10 and printed indents single digits
	}
	st.paths, st.units, st.s301, st.s232 = paths.all, units.all, s301.all, s232.all
	for i := range st.paths {
		in.add(&st.paths[i])
	}
	for i := range st.units {
		in.add(&st.units[i])
	}
	for i := range st.s301 {
		x := &st.s301[i]
		in.add(&x.List)
		in.add(&x.Ch99)
		in.add(&x.Rate)
	}
	for i := range st.s232 {
		x := &st.s232[i]
		for _, p := range []*string{&x.Metal, &x.Ch99, &x.Annex, &x.Basis, &x.EffectiveDate, &x.Prefix} {
			in.add(p)
		}
	}
	// The code tree: each line's children follow it in schedule order.
	n := len(st.recs)
	count := make([]int32, n+1)
	for i := range st.recs {
		if up := st.recs[i].up; up > 0 {
			count[up-1]++
		}
	}
	ix.kidAt = make([]int32, n+1)
	for i := range n {
		ix.kidAt[i+1] = ix.kidAt[i] + count[i]
	}
	ix.kids = make([]int32, ix.kidAt[n])
	next := count[:n]
	copy(next, ix.kidAt[:n])
	for i := range st.recs {
		if up := st.recs[i].up; up > 0 {
			ix.kids[next[up-1]] = idx32(i)
			next[up-1]++
		}
	}
	// The printed rows.
	pos := func(l *Line) int32 {
		if l == nil {
			return -1
		}
		return l.seq
	}
	ix.rows = make([]rowRec, len(b.rows))
	for i, r := range b.rows {
		rr := rowRec{line: pos(r.Line), stat: pos(r.Stat), text: -1, indent: idx32(r.Indent)}
		if r.Main() == nil {
			rr.text = idx32(len(ix.texts))
			ix.texts = append(ix.texts, r.Description)
		}
		if r.General != "" || r.Special != "" {
			rr.rates |= rowGeneral
		}
		if r.Column2 != "" {
			rr.rates |= rowColumn2
		}
		ix.rows[i] = rr
	}
	for i := range ix.texts {
		in.add(&ix.texts[i])
	}
	ix.heading = make(map[int32][2]int32, len(b.heading))
	for d, span := range b.heading {
		ix.heading[b.byDigits[d].seq] = [2]int32{idx32(span[0]), idx32(span[1])}
	}
	st.arena, st.ends = in.finish()
	for i := range ix.sections {
		for j, c := range ix.sections[i].Chapters {
			ix.sections[i].Chapters[j] = st.line(c.seq)
		}
	}
}

// spans keeps slices once: equal slices (by key) share one span of all.
type spans[T any] struct {
	key func([]T, string) string
	at  map[string][2]int32
	all []T
}

func newSpans[T any](key func([]T, string) string) *spans[T] {
	return &spans[T]{key: key, at: map[string][2]int32{}}
}

// add returns the span of a slice equal to xs, adding it when new.
func (s *spans[T]) add(xs []T) [2]int32 {
	if len(xs) == 0 {
		return [2]int32{}
	}
	k := s.key(xs, "\x00")
	if sp, ok := s.at[k]; ok {
		return sp
	}
	sp := [2]int32{idx32(len(s.all)), idx32(len(s.all) + len(xs))}
	s.all = append(s.all, xs...)
	s.at[k] = sp
	return sp
}

// interner copies strings into one arena, each distinct string once. id
// returns a string's id (0 for ""); add records a string field, which
// finish points into the arena, so the field must not move in between.
type interner struct {
	ids  map[string]uint32
	buf  []byte
	ends []uint32
	refs []internRef
}

type internRef struct {
	p  *string
	id uint32
}

func newInterner() *interner { return &interner{ids: map[string]uint32{}} }

func (in *interner) id(s string) uint32 {
	if s == "" {
		return 0
	}
	id, ok := in.ids[s]
	if !ok {
		in.buf = append(in.buf, s...)
		if len(in.buf) > math.MaxUint32 {
			panic("hts: string arena over 4 GiB")
		}
		in.ends = append(in.ends, uint32(len(in.buf))) // #nosec G115 -- checked just above
		id = uint32(len(in.ends))                      // #nosec G115 -- at most one id per byte of the arena
		in.ids[s] = id
	}
	return id
}

func (in *interner) add(p *string) {
	if id := in.id(*p); id != 0 {
		in.refs = append(in.refs, internRef{p, id})
	}
}

// finish builds the arena, points the recorded fields into it and returns
// it with the end of each string.
func (in *interner) finish() (string, []uint32) {
	ls := lineStore{arena: string(in.buf), ends: in.ends}
	for _, r := range in.refs {
		*r.p = ls.str(r.id)
	}
	return ls.arena, ls.ends
}
