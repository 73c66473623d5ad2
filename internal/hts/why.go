package hts

import (
	"sort"
	"strings"
)

// Why explains one search result: the query words it matched and the
// text each was found in, the heading it was ranked under, and the rules
// that moved it. A learner reads the reasoning; a teacher can argue with
// it. Search fills it when Options.Explain is set.
type Why struct {
	// Heading is the heading the result was ranked under ("8512"), with
	// its rank among the headings the query touched (1 = best) and its
	// share of the best heading's score (0-1).
	Heading     string
	HeadingRank int
	Standing    float64
	// Matches lists, for each query word that counts, where it matched,
	// the closest text first: the line itself, one of its aliases, the
	// rows printed above it, the heading, the HS 2022 text, or another
	// line of the same heading.
	Matches []Match
	// Unmatched are the query words that found nothing in this heading.
	Unmatched []string
	// Rules are the adjustments applied to the result, in words.
	Rules []string
}

// Match is one query word found in one text.
type Match struct {
	// Word is the query word as written (lower case); Term is the
	// schedule's word it matched, when it differs (a typo or a prefix).
	Word string
	Term string
	// Source is where it was found: SourceLine, SourceAlias,
	// SourceParent, SourceHeading, SourceHS or SourceHeadingLine.
	Source string
	// Code is the line whose text matched ("" for a printed text row
	// above the line), Text that text.
	Code string
	Text string
}

// Sources of a Match.
const (
	SourceLine        = "line"         // the result's own description
	SourceAlias       = "alias"        // a commercial name of the result
	SourceParent      = "parent"       // a row printed above the result, or its subheading
	SourceHeading     = "heading"      // the heading's text
	SourceHS          = "hs"           // the HS 2022 text of the result, its subheading or heading
	SourceHeadingLine = "heading line" // another line of the same heading (evidence for the heading)
)

// QueryReading says how a query was read: the words that were scored and
// the words set aside as numbers, units or packing and marketing words.
type QueryReading struct {
	Words   []string
	Ignored []string
	// Cut is set when the query was longer than MaxQueryLen characters
	// and only its beginning was read.
	Cut bool
}

// ReadQuery reports how Search reads q.
func (ix *Index) ReadQuery(q string) QueryReading {
	q, cut := TrimQuery(q)
	r := QueryReading{Cut: cut}
	seen := map[string]bool{}
	for _, w := range ix.search.stems.readOnly().tokenize(q) {
		switch {
		case noiseWord(w.surface):
			r.Ignored = append(r.Ignored, w.surface)
		case !seen[w.stem]:
			seen[w.stem] = true
			r.Words = append(r.Words, w.surface)
		}
	}
	return r
}

// explain fills the Why of a hit on node n, ranked under heading rank r.
func (s *searcher) explain(n int32, r *headRank, rank int, best float32, gs []group, wantParts bool) *Why {
	nd := &s.nodes[n]
	l := s.line(n)
	why := &Why{HeadingRank: rank}
	var hl *Line
	if r != nil {
		hl = s.line(s.heads[r.h])
		why.Heading = hl.Code
		if best > 0 {
			why.Standing = float64(r.score / best)
		}
	}
	type text struct {
		source, code, text string
	}
	var texts []text
	texts = append(texts, text{SourceLine, l.Code, l.Description})
	for _, a := range s.aliases[n] {
		texts = append(texts, text{SourceAlias, l.Code, a})
	}
	// Path: chapter, heading, printed rows above the line.
	for i, p := range l.Path {
		switch {
		case i == 0:
		case i == 1 && l.Level > 4:
			texts = append(texts, text{SourceHeading, why.Heading, p})
		default:
			texts = append(texts, text{SourceParent, "", p})
		}
	}
	if l.HSDescription != "" {
		texts = append(texts, text{SourceHS, l.Code, l.HSDescription})
	}
	if nd.hs6 >= 0 {
		if sub := s.line(nd.hs6); sub != nil {
			texts = append(texts, text{SourceParent, sub.Code, sub.Description})
			if sub.HSDescription != "" && sub.HSDescription != sub.Description {
				texts = append(texts, text{SourceHS, sub.Code, sub.HSDescription})
			}
		}
	}
	if hl != nil && hl.seq != l.seq && hl.HSDescription != "" {
		texts = append(texts, text{SourceHS, hl.Code, hl.HSDescription})
	}
	stems := make([][]word, len(texts))
	for i, t := range texts {
		stems[i] = s.stems.readOnly().tokenize(t.text)
	}
	for _, g := range gs {
		found := false
		for i, t := range texts {
			if term, ok := matchIn(s, g, stems[i]); ok {
				why.Matches = append(why.Matches, Match{Word: g.surface, Term: term, Source: t.source, Code: t.code, Text: t.text})
				found = true
				break
			}
		}
		if !found && r != nil {
			if m, ok := s.headingLineMatch(g, s.heads[r.h]); ok {
				why.Matches = append(why.Matches, m)
				found = true
			}
		}
		if !found {
			why.Unmatched = append(why.Unmatched, g.surface)
		}
	}
	if nd.part && !wantParts {
		why.Rules = append(why.Rules, "Lowered: a line for parts, and the description does not ask for parts (Section XVI note 2, Section XVII note 2: parts go with their goods only when they are not goods of their own heading).")
	}
	if r != nil && r.partsOf != "" {
		why.Rules = append(why.Rules, "Raised: the description asks for parts, and parts of the goods of heading "+r.partsOf+" go to heading "+why.Heading+" unless they are goods of a heading of their own (Section XVI note 2, Section XVII note 2).")
	}
	if nd.us {
		why.Rules = append(why.Rules, "Lowered: chapters 98 and 99 qualify goods classified in chapters 1-97; classify the goods there first.")
	}
	return why
}

// matchIn reports whether one of the words ws is one of g's terms, and
// which (when it is not the query word itself).
func matchIn(s *searcher, g group, ws []word) (string, bool) {
	for _, a := range g.alts {
		t := s.vocab[a.term]
		for _, w := range ws {
			if w.stem == t || containsString(w.parts, t) {
				if t == g.word {
					return "", true
				}
				return w.surface, true
			}
		}
	}
	return "", false
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// headingLineMatch finds a line of the heading at node h whose own text
// has one of g's terms.
func (s *searcher) headingLineMatch(g group, h int32) (Match, bool) {
	for _, a := range g.alts {
		p := s.posting(a.term)
		i := sort.Search(len(p.nodes), func(i int) bool { return p.nodes[i] >= h })
		for ; i < len(p.nodes) && p.nodes[i] < s.end[h]; i++ {
			l := s.line(p.nodes[i])
			if l == nil {
				continue
			}
			text := l.Description
			if !strings.Contains(strings.ToLower(text), g.surface[:min(len(g.surface), 4)]) && l.HSDescription != "" {
				text = l.HSDescription
			}
			m := Match{Word: g.surface, Source: SourceHeadingLine, Code: l.Code, Text: text}
			if s.vocab[a.term] != g.word {
				m.Term = s.vocab[a.term]
			}
			return m, true
		}
	}
	return Match{}, false
}
