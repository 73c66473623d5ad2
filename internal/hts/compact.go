package hts

import "strings"

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
			row.Line = &ix.lines[r.line]
			row.Code = row.Line.Code
		}
		if r.stat >= 0 {
			row.Stat = &ix.lines[r.stat]
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

// freeze packs what the builder made into the Index: the lines into one
// array with their strings interned into one arena, the code tree and the
// printed rows as positions. The builder's pointers and maps become
// garbage.
func (b *builder) freeze() {
	ix := b.ix
	in := newInterner()
	ix.lines = make([]Line, len(b.lines))
	for i, l := range b.lines {
		ix.lines[i] = *l
	}
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
	type lineSpans struct{ path, units, s301, s232 [2]int32 }
	ls := make([]lineSpans, len(ix.lines))
	for i := range ix.lines {
		l := &ix.lines[i]
		ls[i] = lineSpans{paths.add(l.Path), units.add(l.Units), s301.add(l.S301), s232.add(l.S232)}
	}
	for i := range ix.lines {
		l := &ix.lines[i]
		l.Path, l.Units, l.S301, l.S232 = paths.get(ls[i].path), units.get(ls[i].units), s301.get(ls[i].s301), s232.get(ls[i].s232)
		for _, p := range []*string{&l.Code, &l.Digits, &l.Description, &l.General, &l.Special, &l.Column2,
			&l.RateSource, &l.Section, (*string)(&l.Origin), &l.HSDescription, &l.Quota, &l.AdditionalDuties} {
			in.add(p)
		}
	}
	for i := range paths.all {
		in.add(&paths.all[i])
	}
	for i := range units.all {
		in.add(&units.all[i])
	}
	for i := range s301.all {
		x := &s301.all[i]
		in.add(&x.List)
		in.add(&x.Ch99)
		in.add(&x.Rate)
	}
	for i := range s232.all {
		x := &s232.all[i]
		for _, p := range []*string{&x.Metal, &x.Ch99, &x.Annex, &x.Basis, &x.EffectiveDate, &x.Prefix} {
			in.add(p)
		}
	}
	// The code tree: each line's children follow it in schedule order.
	n := len(ix.lines)
	count := make([]int32, n+1)
	for i := range ix.lines {
		if up := ix.lines[i].up; up > 0 {
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
	for i := range ix.lines {
		if up := ix.lines[i].up; up > 0 {
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
	for i := range ix.sections {
		for j, c := range ix.sections[i].Chapters {
			ix.sections[i].Chapters[j] = &ix.lines[c.seq]
		}
	}
	in.finish()
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

// get is the slice of a span (nil for an empty one), capped so that an
// append by a caller copies it.
func (s *spans[T]) get(sp [2]int32) []T {
	if sp[0] == sp[1] {
		return nil
	}
	return s.all[sp[0]:sp[1]:sp[1]]
}

// interner copies strings into one arena, each distinct string once. add
// records a string field; finish builds the arena and points every
// recorded field into it, so the fields must not move in between.
type interner struct {
	ids  map[string]int32
	buf  []byte
	ends []int
	refs []internRef
}

type internRef struct {
	p  *string
	id int32
}

func newInterner() *interner { return &interner{ids: map[string]int32{}} }

func (in *interner) add(p *string) {
	if *p == "" {
		return
	}
	id, ok := in.ids[*p]
	if !ok {
		id = idx32(len(in.ends))
		in.ids[*p] = id
		in.buf = append(in.buf, *p...)
		in.ends = append(in.ends, len(in.buf))
	}
	in.refs = append(in.refs, internRef{p, id})
}

func (in *interner) finish() {
	arena := string(in.buf)
	for _, r := range in.refs {
		start := 0
		if r.id > 0 {
			start = in.ends[r.id-1]
		}
		*r.p = arena[start:in.ends[r.id]]
	}
}
