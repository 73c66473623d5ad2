package hts

import (
	"container/heap"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Field weights of the ranking. A match in a line's own description counts
// fully; an alias (a commercial name mapped to the line) a little more; the
// HS 2022 short text a little less; a match inherited from a parent row
// (heading, "Horses:", the 6-digit subheading) counts half, so a line that
// names the goods itself ranks above its siblings that only sit under them.
const (
	weightDesc    = 1.0
	weightAlias   = 1.3
	weightHS      = 0.75
	weightInherit = 0.5
	weightTypo    = 0.7
	weightPrefix  = 0.8
	weightPart    = 0.5
	// levelBoost prefers the more specific of two lines that fit equally.
	levelBoost = 0.05
	// bm25 parameters for the short descriptions of the schedule.
	bm25K1 = 1.2
	bm25B  = 0.6
	// usChapterDamping lowers lines of chapters 98 and 99 in word searches.
	usChapterDamping = 0.5
	// partsDamping lowers lines about parts unless the query asks for parts.
	partsDamping = 0.6
	// maxTerms bounds the words of a query that are scored (a bit mask).
	maxTerms = 64
	// MaxQueryLen bounds a query in characters (runes): Search reads the
	// first MaxQueryLen characters and ignores the rest (see TrimQuery).
	MaxQueryLen = 1000
)

// Field of a posting.
const (
	fieldDesc uint8 = iota
	fieldHS
)

// snode is a node of the search tree: a line or a text-only row.
type snode struct {
	// line is the line's position in Index.lines; a text-only row has
	// -1-t, t its position in Index.texts.
	line   int32
	parent int32 // printed parent node, -1 for chapters
	hs6    int32 // the 6-digit subheading node of an 8/10-digit line, or -1
	level  uint8 // the line's level, 0 for text-only rows
	us     bool  // the line is in chapter 98 or 99
	part   bool  // the line or a row above it is about parts ("Parts:", "Parts and accessories of…")
}

// postings of one term: parallel arrays of node and precomputed weight.
type postings struct {
	nodes   []int32
	weights []float32
}

type rawPosting struct {
	node  int32
	field uint8
	tf    uint8
	len   uint16
	part  bool // the term is part of a hyphenated word
}

// searchBuilder accumulates nodes and postings while the index is built.
type searchBuilder struct {
	nodes     []snode
	terms     map[string]int32
	raw       [][]rawPosting
	docLen    []uint16
	texts     int32 // text-only rows so far
	aliasText map[int32][]string
	stems     *stemmer
	phrases   []phrase
}

// phrase is one alias ("electric bicycle") of a node, as distinct terms.
type phrase struct {
	node  int32
	terms []int32
}

func newSearchBuilder() *searchBuilder {
	return &searchBuilder{terms: map[string]int32{}, aliasText: map[int32][]string{}, stems: &stemmer{cache: map[string]stemmed{}}}
}

// addNode adds a searchable node with its own description and HS text.
func (sb *searchBuilder) addNode(l *Line, parent, hs6 int32, desc, hsDesc string) int32 {
	id := idx32(len(sb.nodes))
	nd := snode{line: -1 - sb.texts, parent: parent, hs6: hs6}
	if l == nil {
		sb.texts++
	} else {
		nd.line = l.seq
		l.node = id + 1
		nd.level = uint8(l.Level) // #nosec G115 -- Level is 2, 4, 6, 8 or 10 (set by the parser from the digit count)
		nd.us = strings.HasPrefix(l.Digits, "98") || strings.HasPrefix(l.Digits, "99")
	}
	// Parts rows inside a heading ("Parts:", 8418.99 "Parts"); a heading
	// of parts (8708, 8473) names its goods and is not lowered.
	nd.part = (l == nil || l.Level > 4) && (isPartsText(desc) || isPartsText(hsDesc) || (parent >= 0 && sb.nodes[parent].part))
	sb.nodes = append(sb.nodes, nd)
	dl := sb.index(id, fieldDesc, desc)
	sb.docLen = append(sb.docLen, dl)
	sb.index(id, fieldHS, hsDesc)
	return id
}

// index adds the stems of text to the postings of node id in field f and
// returns the number of words.
func (sb *searchBuilder) index(id int32, f uint8, text string) uint16 {
	if text == "" {
		return 0
	}
	ws := sb.stems.tokenize(text)
	counts := map[string]uint8{}
	// The parts of a hyphenated word ("horse" of "horse-chestnuts") are
	// found, but count half: the compound means something else.
	parts := map[string]uint8{}
	for _, w := range ws {
		counts[w.stem]++
		for _, p := range w.parts {
			if p != w.stem {
				parts[p]++
			}
		}
	}
	n := uint16(min(len(ws), math.MaxUint16))
	for t, c := range counts {
		tid := sb.term(t)
		sb.raw[tid] = append(sb.raw[tid], rawPosting{node: id, field: f, tf: c, len: n})
	}
	for t, c := range parts {
		if _, whole := counts[t]; whole {
			continue
		}
		tid := sb.term(t)
		sb.raw[tid] = append(sb.raw[tid], rawPosting{node: id, field: f, tf: c, len: n, part: true})
	}
	return n
}

// term returns the id of a stem, adding it to the vocabulary.
func (sb *searchBuilder) term(t string) int32 {
	tid, ok := sb.terms[t]
	if !ok {
		tid = idx32(len(sb.raw))
		sb.terms[t] = tid
		sb.raw = append(sb.raw, nil)
	}
	return tid
}

// addAliases indexes the commercial names of the alias table on the lines
// they name.
func (sb *searchBuilder) addAliases(as []alias, lines map[string]*Line) error {
	for _, a := range as {
		l, ok := lines[a.digits]
		if !ok {
			continue // a code this edition lacks; the alias test lists them
		}
		id := l.node - 1
		if id < 0 {
			continue
		}
		for _, name := range a.names {
			ph := phrase{node: id}
			for _, w := range sb.stems.tokenize(name) {
				t := sb.term(w.stem)
				if !slices.Contains(ph.terms, t) {
					ph.terms = append(ph.terms, t)
				}
			}
			if len(ph.terms) > 0 {
				sb.phrases = append(sb.phrases, ph)
				sb.aliasText[id] = append(sb.aliasText[id], name)
			}
		}
	}
	return nil
}

// searcher is the immutable search index.
type searcher struct {
	lines  *lineStore // the Index's
	nodes  []snode
	terms  map[string]int32
	vocab  []string // term id → stem
	sorted []string // stems in order, for prefix matching
	idf    []float32
	// The postings of the description and HS text, of all terms in one
	// array: term t's are postNode[postAt[t]:postAt[t+1]], with weights.
	postAt   []int32
	postNode []int32
	postW    []float32
	phrases  []phrase
	byTerm   map[int32][]int32 // term → the alias phrases that contain it
	// deletes holds, sorted by hash, the one-deletion variants of every
	// term of four letters or more, for typo lookups (symmetric deletion).
	// Hashes, not strings, keep this large table free of pointers for the
	// garbage collector; a hash collision only adds a candidate that
	// withinOneEdit then rejects.
	deletes delTable
	// surfaces are the indexed words as written, with the term of each
	// one's stem and, in sdeletes, the words and their one-deletion
	// variants: a typo is looked up among words as well as stems, since
	// stemming can move a misspelt word further away ("choclate").
	surfaces []string
	surfTerm []int32
	sdeletes delTable
	// more lists, for each node, the nodes a match on it also offers: the
	// children of a text-only row, the 8-digit lines of a subheading.
	// more[moreAt[n]:moreAt[n+1]] are node n's.
	moreAt []int32
	more   []int32
	// end[n] is one past the last node of n's printed subtree.
	end     []int32
	aliases map[int32][]string
	stems   *stemmer // read-only after build: the stems of the indexed words
	// hidx maps each node to the index of its heading in heads (the
	// heading's node), -1 for chapters; a heading's evidence is gathered
	// from every node under it.
	hidx  []int32
	heads []int32
	// material maps a material's stem to its residual heading's index;
	// partsOf a heading of goods to the heading of their parts.
	material map[string]int32
	partsOf  map[int32]int32

	// texts are the Index's text-only rows; base is the plain engine,
	// built on its first use (only the evaluation and benchmarks use it).
	texts    []string
	base     *baseEngine
	baseOnce sync.Once

	free chan *scratch // the scratches of the queries, nil until first used
}

func bm25(tf uint8, dl uint16, avg float64) float32 {
	t := float64(tf)
	return float32(t * (bm25K1 + 1) / (t + bm25K1*(1-bm25B+bm25B*float64(dl)/avg)))
}

func idf(df, n int) float32 {
	return float32(math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5)))
}

func avgLen(ls []uint16) float64 {
	var sum, n float64
	for _, l := range ls {
		if l > 0 {
			sum += float64(l)
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return sum / n
}

func (sb *searchBuilder) finish(lines *lineStore, texts []string) *searcher {
	s := &searcher{lines: lines, texts: texts, nodes: sb.nodes, terms: sb.terms, vocab: make([]string, len(sb.raw)), idf: make([]float32, len(sb.raw)),
		phrases: sb.phrases, byTerm: map[int32][]int32{},
		aliases: sb.aliasText, stems: sb.stems}
	n := len(sb.nodes)
	avg := avgLen(sb.docLen)
	for t, id := range sb.terms {
		s.vocab[id] = t
	}
	post := make([]postings, len(sb.raw))
	for id, ps := range sb.raw {
		// Document frequency counts nodes, whatever the field.
		sort.Slice(ps, func(i, j int) bool { return ps[i].node < ps[j].node })
		df := 0
		var p postings
		for i, r := range ps {
			if i == 0 || ps[i-1].node != r.node {
				df++
			}
			w := float32(weightDesc)
			if r.field == fieldHS {
				w = weightHS
			}
			w *= bm25(r.tf, r.len, avg)
			if r.part {
				w *= weightPart
			}
			// Keep the best field per node.
			if k := len(p.nodes); k > 0 && p.nodes[k-1] == r.node {
				p.weights[k-1] = max(p.weights[k-1], w)
				continue
			}
			p.nodes = append(p.nodes, r.node)
			p.weights = append(p.weights, w)
		}
		post[id] = p
		s.idf[id] = idf(df, n)
	}
	s.postAt = make([]int32, len(post)+1)
	for id, p := range post {
		s.postAt[id+1] = s.postAt[id] + idx32(len(p.nodes))
	}
	s.postNode = make([]int32, 0, s.postAt[len(post)])
	s.postW = make([]float32, 0, s.postAt[len(post)])
	for _, p := range post {
		s.postNode = append(s.postNode, p.nodes...)
		s.postW = append(s.postW, p.weights...)
	}
	for i, ph := range s.phrases {
		for _, t := range ph.terms {
			s.byTerm[t] = append(s.byTerm[t], int32(i))
		}
	}
	s.sorted = append([]string(nil), s.vocab...)
	sort.Strings(s.sorted)
	var dels []deletion
	for id, t := range s.vocab {
		if len(t) < 4 {
			continue
		}
		for _, d := range deletions(t) {
			dels = append(dels, deletion{hash: fnv64(d), term: int32(id)})
		}
	}
	sort.Slice(dels, func(i, j int) bool { return dels[i].hash < dels[j].hash })
	s.deletes = newDelTable(dels)
	dels = nil
	for w, e := range sb.stems.cache {
		st := e.stem
		tid, ok := s.terms[st]
		if !ok || len(w) < 4 || s.postAt[tid+1] == s.postAt[tid] {
			continue
		}
		i := idx32(len(s.surfaces))
		s.surfaces = append(s.surfaces, w)
		s.surfTerm = append(s.surfTerm, tid)
		dels = append(dels, deletion{hash: fnv64(w), term: i})
		for _, d := range deletions(w) {
			dels = append(dels, deletion{hash: fnv64(d), term: i})
		}
	}
	sort.Slice(dels, func(i, j int) bool {
		a, b := dels[i], dels[j]
		return a.hash < b.hash || a.hash == b.hash && a.term < b.term
	})
	s.sdeletes = newDelTable(dels)
	more := make([][]int32, n)
	for id, nd := range sb.nodes {
		if nd.parent >= 0 && sb.nodes[nd.parent].line < 0 {
			more[nd.parent] = append(more[nd.parent], idx32(id))
		}
		if nd.level == 8 && nd.hs6 >= 0 {
			more[nd.hs6] = append(more[nd.hs6], idx32(id))
		}
	}
	s.moreAt = make([]int32, n+1)
	for id, m := range more {
		s.moreAt[id] = idx32(len(s.more))
		s.more = append(s.more, m...)
	}
	s.moreAt[n] = idx32(len(s.more))
	s.end = make([]int32, n)
	for id := n - 1; id >= 0; id-- {
		s.end[id] = max(s.end[id], idx32(id+1))
		if p := sb.nodes[id].parent; p >= 0 {
			s.end[p] = max(s.end[p], s.end[id])
		}
	}
	s.headings(sb.nodes)
	s.material = map[string]int32{}
	for st, d := range materialHeadings {
		if h := s.headingIndex(d); h >= 0 {
			s.material[st] = h
		}
	}
	s.partsOf = map[int32]int32{}
	for g, p := range partsHeadings {
		if gh, ph := s.headingIndex(g), s.headingIndex(p); gh >= 0 && ph >= 0 {
			s.partsOf[gh] = ph
		}
	}
	s.free = make(chan *scratch, scratches())
	for range cap(s.free) {
		s.free <- nil
	}
	return s
}

// line is node n's line, nil for a text-only row.
func (s *searcher) line(n int32) *Line {
	if i := s.nodes[n].line; i >= 0 {
		return s.lines.line(i)
	}
	return nil
}

// digits is node n's line's digits ("" for a text-only row).
func (s *searcher) digits(n int32) string {
	if i := s.nodes[n].line; i >= 0 {
		return s.lines.digits(int(i))
	}
	return ""
}

// deletion is a one-deletion variant of a term, by hash.
type deletion struct {
	hash uint64
	term int32
}

// fnv64 is the 64-bit FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// deleted lists the terms that have d as a one-deletion variant.
func (s *searcher) deleted(d string) []int32 { return s.deletes.lookup(d) }

// delTable is a sorted deletion table as two arrays (12 bytes an entry
// rather than a padded 16).
type delTable struct {
	hashes []uint64
	terms  []int32
}

func newDelTable(ds []deletion) delTable {
	t := delTable{hashes: make([]uint64, len(ds)), terms: make([]int32, len(ds))}
	for i, d := range ds {
		t.hashes[i], t.terms[i] = d.hash, d.term
	}
	return t
}

// lookup lists the entries with d's hash.
func (t delTable) lookup(d string) []int32 {
	h := fnv64(d)
	i := sort.Search(len(t.hashes), func(i int) bool { return t.hashes[i] >= h })
	var out []int32
	for ; i < len(t.hashes) && t.hashes[i] == h; i++ {
		out = append(out, t.terms[i])
	}
	return out
}

// posting is the postings of term t.
func (s *searcher) posting(t int32) postings {
	a, b := s.postAt[t], s.postAt[t+1]
	return postings{nodes: s.postNode[a:b:b], weights: s.postW[a:b:b]}
}

// deletions lists the strings one deletion away from t.
func deletions(t string) []string {
	out := make([]string, 0, len(t))
	for i := 0; i < len(t); i++ {
		out = append(out, t[:i]+t[i+1:])
	}
	return out
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or transposition of adjacent letters.
func withinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}

// scratch is the per-query working memory, reused through a bounded free
// list. The nodes a query touches get a slot in a dense list, found
// through at (a sparse set: at[n] is valid only when slots[at[n]].node is
// n), so nothing is cleared between queries and a scratch holds 4 bytes
// per node rather than a slot per node; the stamps of the phrase and
// heading tables are valid when they equal the current generation.
type scratch struct {
	gen   uint32
	at    []int32
	slots []slot
	// touched has a bit per node set by touch, so the scoring pass can
	// visit the touched nodes in schedule order; it is cleared as it goes.
	touched []uint64
	stack   []span
	exps    []expansion
	// phrase masks: the query words that matched each alias phrase.
	phStamp []uint32
	phMask  []uint64
	// Heading evidence: hidx maps a node to its heading's index (shared,
	// read-only); hBest[hAt[h]+k] is the strongest match of query word k
	// anywhere in heading h, valid when hStamp[h] is current (a row of
	// width query words per touched heading); heads lists the headings
	// touched.
	hidx   []int32
	hStamp []uint32
	hAt    []int32
	hPos   []int32 // a touched heading's best line in the pool
	hBest  []float32
	ranks  []headRank
	shown  []int32
	heads  []int32
	width  int
}

// expansion is a touched node whose children are offered after the sweep.
type expansion struct {
	node  int32
	cum   uint64
	score float32 // the node's own final score, 0 for text rows
}

// slot is one node's state in a query, kept together for the cache.
type slot struct {
	mask      uint64  // query words the node's own text matched
	node      int32   // the node this slot belongs to
	own       float32 // score of the node's own text and aliases
	groupBest float32 // best alternative of the word being scored
	lastGroup int8    // the word groupBest belongs to
}

// span is a touched row whose printed subtree ends before node end, with
// the query words it and the touched rows above it matched.
type span struct {
	end int32
	cum uint64
}

func newScratch(n, phrases int, hidx []int32, heads int) *scratch {
	return &scratch{at: make([]int32, n), touched: make([]uint64, (n+63)/64),
		phStamp: make([]uint32, phrases), phMask: make([]uint64, phrases),
		hidx: hidx, hStamp: make([]uint32, heads), hAt: make([]int32, heads), hPos: make([]int32, heads)}
}

func (sc *scratch) reset() {
	sc.gen++
	if sc.gen == 0 { // wrapped: clear once every 4 billion queries
		clear(sc.phStamp)
		clear(sc.hStamp)
		sc.gen = 1
	}
	sc.slots = sc.slots[:0]
	sc.heads = sc.heads[:0]
	sc.hBest = sc.hBest[:0]
}

func (sc *scratch) touch(n int32) *slot {
	if i := sc.at[n]; int(i) < len(sc.slots) && sc.slots[i].node == n {
		return &sc.slots[i]
	}
	sc.at[n] = idx32(len(sc.slots))
	sc.slots = append(sc.slots, slot{node: n, lastGroup: -1})
	sc.touched[n>>6] |= 1 << (n & 63)
	return &sc.slots[len(sc.slots)-1]
}

// slot returns node n's slot, or nil when the query did not touch n.
func (sc *scratch) slot(n int32) *slot {
	if i := sc.at[n]; int(i) < len(sc.slots) && sc.slots[i].node == n {
		return &sc.slots[i]
	}
	return nil
}

// scratches is how many queries run at once: a search is pure CPU, so
// more than the processors gain nothing, while each running query holds a
// scratch (a few hundred KiB). Twice GOMAXPROCS leaves room for a query
// paused by the scheduler or the collector; the others wait their turn.
func scratches() int { return 2 * max(runtime.GOMAXPROCS(0), 1) }

// getScratch waits for a scratch of the free list, making it on first use.
func (s *searcher) getScratch() *scratch {
	sc := <-s.free
	if sc == nil {
		sc = newScratch(len(s.nodes), len(s.phrases), s.hidx, len(s.heads))
	}
	return sc
}

// putScratch returns sc to the free list.
func (s *searcher) putScratch(sc *scratch) { s.free <- sc }

// coverage is the share of the query a node matched, each word weighted
// by its idf: missing a rare word costs more than missing "household".
func coverage(gs []group, mask uint64, idfSum float32) float32 {
	var got float32
	for k := range gs {
		if mask&(1<<k) != 0 {
			got += gs[k].idf
		}
	}
	return got / idfSum
}

// damping lowers lines a description of goods rarely means: chapters 98
// and 99, which qualify goods classified elsewhere, and parts, unless the
// query asks for parts.
func (s *searcher) damping(nd *snode, wantParts bool) float32 {
	d := float32(1)
	if nd.us {
		d *= usChapterDamping
	}
	if nd.part && !wantParts {
		d *= partsDamping
	}
	return d
}

// isPartsText reports a description about parts: "Parts", "Parts and
// accessories of…", "Machinery; parts of…" is not (it names the goods first).
func isPartsText(s string) bool {
	return len(s) >= 4 && strings.EqualFold(s[:4], "part") && (len(s) == 4 || !isWordByte(s[4]) || s[4] == 's')
}

// partsWord reports query words that ask for parts.
func partsWord(stem string) bool {
	switch stem {
	case "part", "accessori", "compon", "spare", "replac":
		return true
	}
	return false
}

// offerKids offers the lines under node n that the sweep did not score,
// each at base for what it inherits; text rows pass it on to theirs.
func (s *searcher) offerKids(sc *scratch, h *hitHeap, n int32, base float32, limit int, wantParts bool) {
	for _, c := range s.more[s.moreAt[n]:s.moreAt[n+1]] {
		if sc.slot(c) != nil {
			continue // scored in the sweep
		}
		nd := &s.nodes[c]
		if nd.level == 0 {
			s.offerKids(sc, h, c, base, limit, wantParts)
			continue
		}
		score := base * (1 + levelBoost*float32(nd.level/2)) * s.damping(nd, wantParts)
		h.offer(hit{node: c, score: score, seq: c}, limit)
	}
}

// add scores the postings of one alternative of query word k: a node
// gets the best of the alternatives of a word, summed over the words.
func (sc *scratch) add(p *postings, w0 float32, k int) {
	for i, n := range p.nodes {
		sc.bump(n, k, w0*p.weights[i])
	}
}

// bump adds w for query word k to node n, keeping the best alternative of
// each word.
func (sc *scratch) bump(n int32, k int, w float32) {
	if h := sc.hidx[n]; h >= 0 {
		sc.evidence(h, k, w)
	}
	x := sc.touch(n)
	g := int8(k) // #nosec G115 -- k indexes the query's word groups, at most maxTerms (64): the query builder stops there
	if x.lastGroup != g {
		x.lastGroup, x.groupBest = g, w
		x.own += w
		x.mask |= 1 << k
	} else if w > x.groupBest {
		x.own += w - x.groupBest
		x.groupBest = w
	}
}

// alt is one vocabulary term a query word may stand for, with its weight.
type alt struct {
	term   int32
	weight float32
}

// group is one query word and the terms it matches.
type group struct {
	word    string // the stem
	surface string // the word as written, lower case
	pos     int    // position among the content words of the query
	alts    []alt
	idf     float32 // the strongest idf among the alternatives
}

// Options switch parts of the engine off, for the evaluation's ablations.
type Options struct {
	Limit     int
	NoAliases bool
	NoTypos   bool
	NoInherit bool
	// Baseline runs the plain full-text engine instead: exact lower-case
	// tokens, BM25 over the printed descriptions only.
	Baseline bool
	// Explain fills each Hit's Why.
	Explain bool
	// Flat ranks lines alone, as the engine did before issue 13, instead
	// of ranking headings on their gathered evidence first.
	Flat bool
}

// Hit is one search result.
type Hit struct {
	Line  *Line
	Score float64
	// Terms are the stems the query matched, for highlighting.
	Terms []string
	// Why explains the ranking (with Options.Explain; nil otherwise).
	Why *Why
}

// parseQuery turns query words into groups of vocabulary terms.
func (s *searcher) parseQuery(q string, opt Options) []group {
	ws := s.stems.readOnly().tokenize(q)
	var gs []group
	var seen []string
	pos := 0
	for i, w := range ws {
		if !opt.Flat && noiseWord(w.surface) {
			continue
		}
		if slices.Contains(seen, w.stem) {
			continue // a word said twice is one piece of evidence
		}
		seen = append(seen, w.stem)
		last := i == len(ws)-1 && !strings.HasSuffix(q, " ")
		g := s.expand(w.stem, w.surface, last, opt)
		g.surface, g.pos = w.surface, pos
		pos++
		if len(g.alts) == 0 && len(w.parts) > 1 {
			// "e-bike" unknown as a whole: score its parts instead.
			for _, p := range w.parts {
				if pg := s.expand(p, p, false, opt); len(pg.alts) > 0 && !slices.Contains(seen, p) {
					seen = append(seen, p)
					pg.surface, pg.pos = p, g.pos
					gs = append(gs, pg)
				}
			}
			continue
		}
		if len(g.alts) > 0 {
			gs = append(gs, g)
		}
		if len(gs) == maxTerms {
			break
		}
	}
	return gs
}

// expand finds the vocabulary terms a stem stands for: itself, words it
// begins (the word being typed) and words one typo away.
func (s *searcher) expand(st, surface string, last bool, opt Options) group {
	g := group{word: st}
	if id, ok := s.terms[st]; ok {
		g.alts = append(g.alts, alt{id, 1})
	}
	// The word being typed may be the start of a longer one ("lapt");
	// only when it is no word of its own, or "pen" would find "pencil".
	if last && len(st) >= 3 && len(g.alts) == 0 {
		i := sort.SearchStrings(s.sorted, st)
		for n := 0; i < len(s.sorted) && strings.HasPrefix(s.sorted[i], st) && n < 12; i++ {
			if s.sorted[i] != st {
				g.alts = append(g.alts, alt{s.terms[s.sorted[i]], weightPrefix})
				n++
			}
		}
	}
	if !opt.NoTypos && len(g.alts) == 0 && len(surface) >= 5 {
		seen := map[int32]bool{}
		try := func(ids []int32) {
			for _, id := range ids {
				if !seen[id] && withinOneEdit(st, s.vocab[id]) {
					seen[id] = true
					g.alts = append(g.alts, alt{id, weightTypo})
				}
			}
		}
		if id, ok := s.terms[st]; ok {
			try([]int32{id})
		}
		try(s.deleted(st))
		for _, d := range deletions(st) {
			if id, ok := s.terms[d]; ok {
				try([]int32{id})
			}
			try(s.deleted(d))
		}
		// The same among the words as written.
		trySurface := func(ids []int32) {
			for _, i := range ids {
				if id := s.surfTerm[i]; !seen[id] && withinOneEdit(surface, s.surfaces[i]) {
					seen[id] = true
					g.alts = append(g.alts, alt{id, weightTypo})
				}
			}
		}
		trySurface(s.sdeletes.lookup(surface))
		for _, d := range deletions(surface) {
			trySurface(s.sdeletes.lookup(d))
		}
	}
	for _, a := range g.alts {
		g.idf = max(g.idf, s.idf[a.term])
	}
	return g
}

// run scores the query and returns the best hits.
func (s *searcher) run(q string, opt Options) []Hit {
	if opt.Baseline {
		return s.baseline(q, opt.Limit)
	}
	gs := s.parseQuery(q, opt)
	if len(gs) == 0 {
		return nil
	}
	sc := s.getScratch()
	defer s.putScratch(sc)
	sc.reset()
	sc.width = len(gs)
	if !opt.NoAliases {
		// Which query words each alias phrase matched: a phrase counts in
		// proportion to the share of its words the query has, so
		// "electric bicycle" beats "bicycle lights" for that query, and
		// "laptop" alone finds "laptop" before "laptop charger".
		for k, g := range gs {
			for _, a := range g.alts {
				for _, ph := range s.byTerm[a.term] {
					if sc.phStamp[ph] != sc.gen {
						sc.phStamp[ph], sc.phMask[ph] = sc.gen, 0
					}
					sc.phMask[ph] |= 1 << k
				}
			}
		}
	}
	for k, g := range gs {
		for _, a := range g.alts {
			w0 := s.idf[a.term] * a.weight
			p := s.posting(a.term)
			sc.add(&p, w0, k)
			if opt.NoAliases {
				continue
			}
			for _, ph := range s.byTerm[a.term] {
				p := &s.phrases[ph]
				frac := min(float32(bits.OnesCount64(sc.phMask[ph]))/float32(len(p.terms)), 1)
				sc.bump(p.node, k, w0*weightAlias*frac)
			}
		}
	}
	if !opt.Flat {
		for k, g := range gs {
			if h, ok := s.material[g.word]; ok {
				sc.evidence(h, k, g.idf*materialWeight)
			}
		}
	}
	var idfSum float32
	for _, g := range gs {
		idfSum += g.idf
	}
	wantParts := false
	for _, g := range gs {
		wantParts = wantParts || partsWord(g.word)
	}
	h := &hitHeap{}
	limit := max(opt.Limit, 1)
	if !opt.Flat {
		// Rank headings first, then lines inside them: the sweep keeps a
		// wider pool of lines to choose from.
		limit = max(2*limit, min(linePool, linesPerWord*len(gs)))
	}
	// Visit the touched nodes in schedule order. The schedule is a
	// pre-order of the printed tree, so the touched rows above a node are
	// on a stack of open subtrees; its 6-digit subheading, when touched,
	// is the last one visited.
	stack := sc.stack[:0]
	curHS, hsMask := int32(-1), uint64(0)
	exps := sc.exps[:0]
	for wi, word := range sc.touched {
		if word == 0 {
			continue
		}
		sc.touched[wi] = 0
		for word != 0 {
			n := int32(wi<<6 | bits.TrailingZeros64(word)) // #nosec G115 -- a bit of touched is a node id, and node ids fit int32 (idx32 checks them at build)
			word &= word - 1
			for len(stack) > 0 && stack[len(stack)-1].end <= n {
				stack = stack[:len(stack)-1]
			}
			var inh uint64
			if len(stack) > 0 {
				inh = stack[len(stack)-1].cum
			}
			nd := &s.nodes[n]
			x := sc.slot(n)
			own := x.mask
			if nd.hs6 >= 0 && nd.hs6 == curHS {
				inh |= hsMask
			}
			if s.end[n] > n+1 {
				stack = append(stack, span{end: s.end[n], cum: inh | own})
			}
			if nd.level == 6 {
				curHS, hsMask = n, own
			}
			hasMore := !opt.NoInherit && s.moreAt[n+1] > s.moreAt[n]
			if nd.level == 0 {
				if hasMore {
					exps = append(exps, expansion{node: n, cum: inh | own})
				}
				continue
			}
			score := x.own
			if opt.NoInherit {
				inh = 0
			}
			if extra := inh &^ own; extra != 0 {
				for k := range gs {
					if extra&(1<<k) != 0 {
						score += gs[k].idf * weightInherit
					}
				}
			}
			matched := bits.OnesCount64(own | inh)
			if matched == 0 {
				continue
			}
			cov := coverage(gs, own|inh, idfSum)
			score *= cov * cov
			score *= 1 + levelBoost*float32(nd.level/2)
			score *= s.damping(nd, wantParts)
			h.offer(hit{node: n, score: score, seq: n}, limit)
			if hasMore {
				exps = append(exps, expansion{node: n, cum: inh | own, score: score})
			}
		}
	}
	sc.stack = stack[:0]
	// A matching text-only row ("Horses:") stands for the lines under it,
	// and a matching 6-digit subheading offers its 8-digit lines: those
	// that matched nothing themselves are scored on what they inherit,
	// when that can still enter the results.
	for _, x := range exps {
		if kids := s.more[s.moreAt[x.node]:s.moreAt[x.node+1]]; len(kids) == 1 && x.score > 0 {
			// A subheading with a single US line: that line is the
			// subheading, ranked just after it.
			if c := kids[0]; sc.slot(c) == nil {
				h.offer(hit{node: c, score: x.score * 0.98, seq: c}, limit)
			}
			continue
		}
		var base float32
		for k := range gs {
			if x.cum&(1<<k) != 0 {
				base += gs[k].idf * weightInherit
			}
		}
		cov := coverage(gs, x.cum, idfSum)
		base *= cov * cov
		if h.Len() == limit && base*(1+levelBoost*5) <= (*h)[0].score {
			continue
		}
		s.offerKids(sc, h, x.node, base, limit, wantParts)
	}
	sc.exps = exps[:0]
	var out []Hit
	if opt.Flat {
		out = make([]Hit, h.Len())
		for i := len(out) - 1; i >= 0; i-- {
			x := heap.Pop(h).(hit)
			out[i] = Hit{Line: s.line(x.node), Score: float64(x.score)}
			if opt.Explain {
				out[i].Why = s.explain(x.node, nil, 0, 0, gs, wantParts)
			}
		}
	} else {
		out = s.rankHeadings(sc, gs, *h, max(opt.Limit, 1), opt.Explain, wantParts)
	}
	terms := make([]string, 0, len(gs)*2)
	for _, g := range gs {
		for _, a := range g.alts {
			terms = append(terms, s.vocab[a.term])
		}
	}
	for i := range out {
		out[i].Terms = terms
	}
	return out
}

// baseline is the plain full-text engine the evaluation compares against:
// BM25 over exact lower-case tokens of the printed descriptions.
func (s *searcher) baseline(q string, limit int) []Hit {
	sc := s.getScratch()
	defer s.putScratch(sc)
	sc.reset()
	var terms []string
	s.baseOnce.Do(func() { s.base = s.buildBaseline() })
	be := s.base
	for _, t := range plainTokens(q) {
		id, ok := be.terms[t]
		if !ok {
			continue
		}
		terms = append(terms, t)
		p := &be.post[id]
		for i, n := range p.nodes {
			sc.touch(n).own += be.idf[id] * p.weights[i]
		}
	}
	h := &hitHeap{}
	for _, x := range sc.slots {
		if n := x.node; s.nodes[n].line >= 0 {
			h.offer(hit{node: n, score: x.own, seq: n}, max(limit, 1))
		}
	}
	clear(sc.touched)
	out := make([]Hit, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		x := heap.Pop(h).(hit)
		out[i] = Hit{Line: s.line(x.node), Score: float64(x.score), Terms: terms}
	}
	return out
}

// baseEngine is the plain full-text engine: BM25 over the exact
// lower-case tokens of each node's printed description.
type baseEngine struct {
	terms map[string]int32
	idf   []float32
	post  []postings
}

// baseText is the printed description of node n: a text-only row's, or
// its line's (none for a subheading only HS 2022 has).
func (s *searcher) baseText(n int32) string {
	i := s.nodes[n].line
	if i < 0 {
		return s.texts[-1-i]
	}
	if r := &s.lines.recs[i]; s.lines.str(r.origin) != string(OriginHS) || r.level != 6 {
		return s.lines.str(r.desc)
	}
	return ""
}

func (s *searcher) buildBaseline() *baseEngine {
	raw := map[string][]rawPosting{}
	lens := make([]uint16, len(s.nodes))
	for id := range s.nodes {
		counts := map[string]uint8{}
		toks := plainTokens(s.baseText(idx32(id)))
		for _, t := range toks {
			counts[t]++
		}
		for t, n := range counts {
			raw[t] = append(raw[t], rawPosting{node: idx32(id), tf: n, len: uint16(min(len(toks), math.MaxUint16))})
		}
		lens[id] = uint16(min(len(toks), math.MaxUint16))
	}
	be := &baseEngine{terms: map[string]int32{}}
	avg := avgLen(lens)
	for t, ps := range raw {
		be.terms[t] = idx32(len(be.post))
		p := postings{}
		sort.Slice(ps, func(i, j int) bool { return ps[i].node < ps[j].node })
		for _, r := range ps {
			p.nodes = append(p.nodes, r.node)
			p.weights = append(p.weights, bm25(r.tf, r.len, avg))
		}
		be.post = append(be.post, p)
		be.idf = append(be.idf, idf(len(ps), len(s.nodes)))
	}
	return be
}

// hit is a scored node; hitHeap keeps the best few (a min-heap on score,
// ties broken by schedule order so results are stable).
type hit struct {
	node  int32
	score float32
	seq   int32
}

type hitHeap []hit

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].seq > h[j].seq
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)   { *h = append(*h, x.(hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// offer adds x if the heap has room or x beats its worst entry.
func (h *hitHeap) offer(x hit, limit int) {
	if h.Len() < limit {
		heap.Push(h, x)
		return
	}
	if w := (*h)[0]; x.score > w.score || (x.score == w.score && x.seq < w.seq) {
		(*h)[0] = x
		heap.Fix(h, 0)
	}
}
