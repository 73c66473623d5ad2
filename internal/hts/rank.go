package hts

import (
	"slices"
)

// Ranking of issue 13: a description of goods is read the way a
// classifier reads it. Every query word leaves evidence on the heading
// whose text (heading, printed rows, lines, HS 2022 texts, aliases) it
// matches best; headings are ranked on that evidence, weighted by the
// word's rarity and its position in the description, and the lines
// inside the best headings are ranked by the line scoring of the sweep.
// The results lead with the best line of each of the best headings.
const (
	// linePool is how many lines the sweep keeps for the headings to
	// choose from.
	linePool = 80
	// linesPerWord sizes the pool by the query: a short query needs fewer.
	linesPerWord = 10
	// positionScale: the k-th content word of a description weighs
	// 1/(1+k/positionScale); the goods are usually named first.
	positionScale = 6.0
	// lineShare is the weight of a heading's best line beside the
	// evidence gathered over the whole heading.
	lineShare = 0.25
	// diverseHeadings is how many headings the results open with, one
	// line each, before further lines of the best headings.
	diverseHeadings = 5
	// diversityFloor: a heading opens the results only when its score is
	// at least this share of the best heading's.
	diversityFloor = 0.3
	// perHeading bounds the lines of one heading in the results.
	perHeading = 6
)

// headings fills hidx and heads: the heading each node falls under.
func (s *searcher) headings(nodes []snode) {
	s.hidx = make([]int32, len(nodes))
	for id, nd := range nodes {
		switch {
		case nd.level == 4:
			s.hidx[id] = idx32(len(s.heads))
			s.heads = append(s.heads, idx32(id))
		case nd.level == 2 || nd.parent < 0:
			s.hidx[id] = -1
		default:
			s.hidx[id] = s.hidx[nd.parent]
		}
	}
}

// evidence records w as the match of query word k in heading h when it is
// the strongest so far.
func (sc *scratch) evidence(h int32, k int, w float32) {
	if sc.hStamp[h] != sc.gen {
		sc.hStamp[h] = sc.gen
		n := len(sc.hBest)
		sc.hAt[h] = idx32(n)
		sc.hBest = slices.Grow(sc.hBest, sc.width)[:n+sc.width]
		clear(sc.hBest[n:])
		sc.heads = append(sc.heads, h)
	}
	if b := &sc.hBest[int(sc.hAt[h])+k]; w > *b {
		*b = w
	}
}

// row is heading h's evidence, one entry per query word.
func (sc *scratch) row(h int32) []float32 {
	return sc.hBest[sc.hAt[h] : int(sc.hAt[h])+sc.width]
}

// positionWeight is the weight of the query word at content position pos.
func positionWeight(pos int) float32 { return 1 / (1 + float32(pos)/positionScale) }

// headRank is a heading's standing in a query.
type headRank struct {
	h     int32
	score float32
	best  int32 // the heading's best line in the pool, -1 for none
	// partsOf is the heading of goods whose parts lifted this heading.
	partsOf string
}

// rankHeadings orders the touched headings on their evidence and the
// best line each offers, and returns the results: the best line of each
// of the first diverseHeadings headings (within diversityFloor of the
// best), then further lines of the headings in order (a line of a 6-digit
// subheading not yet shown first), at most perHeading per heading.
func (s *searcher) rankHeadings(sc *scratch, gs []group, pool hitHeap, limit int, explain, wantParts bool) []Hit {
	if len(sc.heads) == 0 {
		return nil
	}
	slices.SortFunc(pool, func(a, b hit) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return int(a.seq - b.seq)
	})
	// The best line of each heading: the first of its lines in the pool.
	for _, h := range sc.heads {
		sc.hPos[h] = -1
	}
	var maxLine float32
	for i, x := range pool {
		if h := s.hidx[x.node]; h >= 0 && sc.hStamp[h] == sc.gen && sc.hPos[h] < 0 {
			sc.hPos[h] = int32(i)
			maxLine = max(maxLine, x.score)
		}
	}
	ranks := sc.ranks[:0]
	var maxEv float32
	for _, h := range sc.heads {
		row := sc.row(h)
		var ev float32
		for k := range gs {
			ev += positionWeight(gs[k].pos) * row[k]
		}
		if s.nodes[s.heads[h]].us {
			ev *= usChapterDamping
		}
		ranks = append(ranks, headRank{h: h, score: ev, best: sc.hPos[h]})
		maxEv = max(maxEv, ev)
	}
	for i := range ranks {
		r := &ranks[i]
		r.score /= max(maxEv, 1e-9)
		if r.best >= 0 && maxLine > 0 {
			r.score += lineShare * pool[r.best].score / maxLine
		}
	}
	if wantParts {
		for i, n := 0, len(ranks); i < n; i++ {
			p, ok := s.partsOf[ranks[i].h]
			if !ok {
				continue
			}
			j := slices.IndexFunc(ranks, func(r headRank) bool { return r.h == p })
			if j < 0 {
				j = len(ranks)
				ranks = append(ranks, headRank{h: p, best: -1})
			}
			if lift := ranks[i].score * partsLift; lift > ranks[j].score {
				ranks[j].score, ranks[j].partsOf = lift, s.line(s.heads[ranks[i].h]).Code
			}
		}
	}
	// Only the first few headings are shown: move them to the front in
	// order (a partial selection sort), leaving the rest unordered.
	better := func(a, b *headRank) bool { return a.score > b.score || a.score == b.score && a.h < b.h }
	top := min(len(ranks), limit+diverseHeadings)
	for i := 0; i < top; i++ {
		m := i
		for j := i + 1; j < len(ranks); j++ {
			if better(&ranks[j], &ranks[m]) {
				m = j
			}
		}
		ranks[i], ranks[m] = ranks[m], ranks[i]
	}
	ranks = ranks[:top]
	sc.ranks = ranks
	out := make([]Hit, 0, limit)
	shown := sc.shown[:0] // nodes shown
	add := func(node int32, i int, score float32) {
		shown = append(shown, node)
		h := Hit{Line: s.line(node), Score: float64(score)}
		if explain {
			h.Why = s.explain(node, &ranks[i], i+1, ranks[0].score, gs, wantParts)
		}
		out = append(out, h)
	}
	opened := 0
	for i := range ranks {
		r := &ranks[i]
		if opened == min(limit, diverseHeadings) || r.score < diversityFloor*ranks[0].score {
			break
		}
		if r.best >= 0 {
			add(pool[r.best].node, i, r.score)
		} else {
			add(s.heads[r.h], i, r.score)
		}
		opened++
	}
	// Further lines of the opened headings: new subheadings first, then any.
	subShown := func(node int32) bool {
		l := s.digits(node)
		for _, n := range shown {
			if m := s.digits(n); len(m) >= 6 && len(l) >= 6 && m[:6] == l[:6] {
				return true
			}
		}
		return false
	}
	for pass := 0; pass < 2 && len(out) < limit; pass++ {
		for i := range ranks[:opened] {
			n := 0
			for _, x := range pool {
				if len(out) == limit || n >= perHeading {
					break
				}
				if s.hidx[x.node] != ranks[i].h {
					continue
				}
				if slices.Contains(shown, x.node) {
					n++
					continue
				}
				if pass == 0 && subShown(x.node) {
					continue
				}
				add(x.node, i, ranks[i].score*0.9)
				n++
			}
		}
	}
	// Still room: the best remaining lines, whatever their heading.
	for _, x := range pool {
		if len(out) == limit {
			break
		}
		if h := s.hidx[x.node]; h >= 0 && !slices.Contains(shown, x.node) {
			i := slices.IndexFunc(ranks, func(r headRank) bool { return r.h == h })
			if i < 0 {
				out = append(out, Hit{Line: s.line(x.node), Score: float64(x.score)})
				if explain {
					out[len(out)-1].Why = s.explain(x.node, nil, 0, 0, gs, wantParts)
				}
				shown = append(shown, x.node)
				continue
			}
			add(x.node, i, ranks[i].score*0.8)
		}
	}
	sc.shown = shown[:0]
	return out
}

// materialHeadings maps the stem of a material to the heading of "other
// articles" of it, for the classic call of Section XV (and its neighbours):
// an article named by its material and by no heading of function goes to
// the material's residual heading ("tent stakes of titanium" → 8108).
// The word lends that heading evidence, so it stands among the first
// headings beside any heading of function the description matches.
var materialHeadings = map[string]string{
	"titanium": "8108", "tungsten": "8101", "molybdenum": "8102", "tantalum": "8103", "magnesium": "8104",
	"cobalt": "8105", "bismuth": "8106", "zirconium": "8109", "antimoni": "8110", "manganes": "8111",
	"beryllium": "8112", "chromium": "8112", "hafnium": "8112", "rhenium": "8112", "germanium": "8112",
	"vanadium": "8112", "gallium": "8112", "indium": "8112", "niobium": "8112", "cadmium": "8112",
	"nickel": "7508", "copper": "7419", "brass": "7419", "bronz": "7419", "aluminum": "7616",
	"zinc": "7907", "tin": "8007", "pewter": "8007", "lead": "7806",
}

// materialWeight scales the evidence a material word lends its heading,
// relative to the word's idf.
const materialWeight = 2.0

// headingNode finds the node of a heading by its digits.
func (s *searcher) headingIndex(digits string) int32 {
	for i, n := range s.heads {
		if s.digits(n) == digits {
			return int32(i)
		}
	}
	return -1
}

// partsHeadings maps headings of goods to the heading of their parts, for
// a description that asks for parts: Section XVI note 2(b) and Section
// XVII note 2 send parts suitable for use solely or principally with
// goods of a heading to the heading for those goods' parts (unless they
// are goods of a heading of their own, which then ranks on its words).
var partsHeadings = map[string]string{
	"8701": "8708", "8702": "8708", "8703": "8708", "8704": "8708", "8705": "8708",
	"8711": "8714", "8712": "8714", "8713": "8714",
	"8801": "8807", "8802": "8807", "8806": "8807",
	"8601": "8607", "8602": "8607", "8603": "8607", "8604": "8607", "8605": "8607", "8606": "8607",
	"8470": "8473", "8471": "8473", "8472": "8473",
	"8407": "8409", "8408": "8409",
	"8501": "8503", "8502": "8503",
	"8519": "8522", "8521": "8522",
	"8525": "8529", "8526": "8529", "8527": "8529", "8528": "8529",
	"8901": "8906", "9101": "9114", "9102": "9114",
}

// partsLift is the share of a goods heading's score its parts heading
// receives when the description asks for parts.
const partsLift = 0.95
