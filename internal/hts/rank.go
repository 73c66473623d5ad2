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
	linePool = 300
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
			s.hidx[id] = int32(len(s.heads))
			s.heads = append(s.heads, int32(id))
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
	row := sc.hBest[int(h)*maxTerms : int(h+1)*maxTerms]
	if sc.hStamp[h] != sc.gen {
		sc.hStamp[h] = sc.gen
		clear(row)
		sc.heads = append(sc.heads, h)
	}
	row[k] = max(row[k], w)
}

// positionWeight is the weight of the query word at content position pos.
func positionWeight(pos int) float32 { return 1 / (1 + float32(pos)/positionScale) }

// headRank is a heading's standing in a query.
type headRank struct {
	h     int32
	score float32
	lines []hit // the heading's lines from the pool, best first
	// partsOf is the heading of goods whose parts lifted this heading.
	partsOf string
}

// rankHeadings orders the touched headings on their evidence and the
// best line each offers, and returns the results: the best line of each
// of the first diverseHeadings headings, then further lines of the
// headings in order (a line of a 6-digit subheading not yet shown
// first), at most perHeading per heading.
func (s *searcher) rankHeadings(sc *scratch, gs []group, pool hitHeap, limit int, explain, wantParts bool) []Hit {
	if len(sc.heads) == 0 {
		return nil
	}
	byHead := make(map[int32]*headRank, len(sc.heads))
	ranks := make([]*headRank, 0, len(sc.heads))
	var maxEv float32
	for _, h := range sc.heads {
		row := sc.hBest[int(h)*maxTerms : int(h+1)*maxTerms]
		var ev float32
		for k := range gs {
			ev += positionWeight(gs[k].pos) * row[k]
		}
		if s.nodes[s.heads[h]].us {
			ev *= usChapterDamping
		}
		r := &headRank{h: h, score: ev}
		byHead[h] = r
		ranks = append(ranks, r)
		maxEv = max(maxEv, ev)
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
	var maxLine float32
	for _, x := range pool {
		if h := s.hidx[x.node]; h >= 0 {
			if r := byHead[h]; r != nil {
				r.lines = append(r.lines, x)
				maxLine = max(maxLine, x.score)
			}
		}
	}
	for _, r := range ranks {
		r.score /= max(maxEv, 1e-9)
		if len(r.lines) > 0 && maxLine > 0 {
			r.score += lineShare * r.lines[0].score / maxLine
		}
	}
	if wantParts {
		for _, r := range ranks {
			p, ok := s.partsOf[r.h]
			if !ok {
				continue
			}
			pr := byHead[p]
			if pr == nil {
				pr = &headRank{h: p}
				byHead[p] = pr
				ranks = append(ranks, pr)
			}
			if r.score*partsLift > pr.score {
				pr.score, pr.partsOf = r.score*partsLift, s.nodes[s.heads[r.h]].line.Code
			}
		}
	}
	slices.SortFunc(ranks, func(a, b *headRank) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return int(a.h - b.h)
	})
	out := make([]Hit, 0, limit)
	shown := map[int32]bool{}     // nodes
	subShown := map[string]bool{} // 6-digit subheadings
	rankOf := make(map[int32]int, len(ranks))
	for i, r := range ranks {
		rankOf[r.h] = i + 1
	}
	add := func(node int32, r *headRank, score float32) {
		l := s.nodes[node].line
		shown[node] = true
		if len(l.Digits) >= 6 {
			subShown[l.Digits[:6]] = true
		}
		h := Hit{Line: l, Score: float64(score)}
		if explain {
			h.Why = s.explain(node, r, rankOf[r.h], ranks[0].score, gs, wantParts)
		}
		out = append(out, h)
	}
	for _, r := range ranks {
		if len(out) == min(limit, diverseHeadings) || r.score < diversityFloor*ranks[0].score {
			break
		}
		if len(r.lines) > 0 {
			add(r.lines[0].node, r, r.score)
		} else {
			add(s.heads[r.h], r, r.score)
		}
	}
	// Further lines: new subheadings first, then any.
	for pass := 0; pass < 2 && len(out) < limit; pass++ {
		for _, r := range ranks {
			if len(out) == limit {
				break
			}
			n := 0
			for _, x := range r.lines {
				if shown[x.node] {
					n++
					continue
				}
				if n >= perHeading || len(out) == limit {
					break
				}
				l := s.nodes[x.node].line
				if pass == 0 && len(l.Digits) >= 6 && subShown[l.Digits[:6]] {
					continue
				}
				add(x.node, r, r.score*0.9)
				n++
			}
		}
	}
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
		if s.nodes[n].line.Digits == digits {
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
