package hts

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// word is one token of a text: its surface form (lower case, apostrophes
// and hyphens removed), its stem, and the parts of a hyphenated word.
type word struct {
	surface string
	stem    string
	parts   []string // stems of the parts of "t-shirt", "e-bike" (len ≥ 2)
	start   int      // byte offsets of the word in the original text
	end     int
}

// stopword reports words that carry no meaning for classification. "other"
// is here because the schedule prints it on thousands of residual lines.
func stopword(w string) bool {
	switch w {
	case "a", "an", "and", "or", "of", "the", "for", "with", "without", "in", "into", "to", "by", "on", "at",
		"as", "be", "is", "are", "its", "their", "such", "than", "not", "whether", "other", "others", "thereof",
		"therefor", "which", "this", "that", "these", "those", "from", "but", "any", "all", "each", "kind",
		"kinds", "used", "use", "etc", "nesoi", "no", "like", "similar", "goods", "articles", "article", "i", "my", "s":
		return true
	}
	return false
}

// stem reduces a lower-case word to its Snowball (Porter2) English stem,
// with a few irregular plurals the stemmer keeps apart.
func stem(w string) string {
	switch w {
	case "men", "man", "mens":
		return "man"
	case "women", "woman", "womens":
		return "woman"
	case "children", "child", "childrens":
		return "child"
	case "feet", "foot":
		return "foot"
	case "teeth", "tooth":
		return "tooth"
	case "knives", "knife":
		return "knife"
	case "leaves", "leaf":
		return "leaf"
	case "mice", "mouse":
		return "mouse"
	// The HS 2022 texts spell the British way, the HTSUS the American way.
	case "aluminium", "aluminum":
		return "aluminum"
	case "colour", "colours", "coloured", "color", "colors", "colored":
		return "color"
	case "fibre", "fibres", "fiber", "fibers":
		return "fiber"
	case "tyre", "tyres", "tire", "tires":
		return "tire"
	case "jewellery", "jewelry":
		return "jewelri"
	case "centre", "centres", "center", "centers":
		return "center"
	case "metre", "metres", "meter", "meters":
		return "meter"
	case "litre", "litres", "liter", "liters":
		return "liter"
	case "grey", "gray":
		return "gray"
	case "moulded", "molded", "mould", "mold", "moulds", "molds":
		return "mold"
	case "sulphur", "sulfur":
		return "sulfur"
	case "sulphate", "sulphates", "sulfate", "sulfates":
		return "sulfat"
	case "pyjamas", "pajamas":
		return "pajama"
	case "geese", "goose":
		return "goose"
	}
	if len(w) <= 2 || !isAlpha(w) {
		return w
	}
	return english.Stem(w, true)
}

func isAlpha(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// fold lower-cases a rune and maps the accented Latin letters the
// schedule uses ("café", "purée") to plain ones.
func fold(r rune) rune {
	r = unicode.ToLower(r)
	switch r {
	case 'à', 'á', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'ç':
		return 'c'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ñ':
		return 'n'
	case 'ò', 'ó', 'ô', 'ö', 'õ':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case '’', '‘', '`':
		return '\''
	case '–', '—', '‐':
		return '-'
	}
	return r
}

// stemmer stems words, remembering the answers: building the index stems
// half a million words drawn from a vocabulary of a few ten thousand.
// A nil *stemmer stems without a cache.
type stemmer struct {
	cache  map[string]stemmed
	frozen bool
}

// stemmed is a cached word (the map's key, kept so that a lookup by bytes
// gets the string without allocating it) and its stem.
type stemmed struct{ surface, stem string }

func (m *stemmer) stem(w string) string {
	if m == nil {
		return stem(w)
	}
	if e, ok := m.cache[w]; ok {
		return e.stem
	}
	s := stem(w)
	if !m.frozen {
		m.cache[w] = stemmed{w, s}
	}
	return s
}

// lookup returns the word spelt by b and its stem; a cached word costs no
// allocation (the search page tokenizes the texts of every result it
// explains, almost all of them words of the index).
func (m *stemmer) lookup(b []byte) (surface, st string) {
	if m != nil {
		if e, ok := m.cache[string(b)]; ok {
			return e.surface, e.stem
		}
	}
	w := string(b)
	return w, m.stem(w)
}

// readOnly is the cache for concurrent queries: it reads, never writes.
func (m *stemmer) readOnly() *stemmer { return &stemmer{cache: m.cache, frozen: true} }

// tokenize splits text into words: runs of letters and digits, joined by
// inner hyphens or apostrophes. Stop words and single letters are dropped.
func tokenize(text string) []word { return (*stemmer)(nil).tokenize(text) }

// tokenize is tokenize with a stem cache.
func (m *stemmer) tokenize(text string) []word {
	var out []word
	// buf is the word being read (folded, without its hyphens and
	// apostrophes); a hyphen cuts it into parts at the offsets in cuts.
	var buf [64]byte
	var cutBuf [8]int
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		r = fold(r)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			i += n
			continue
		}
		start := i
		b, cuts := buf[:0], cutBuf[:0]
		for i < len(text) {
			r, n = utf8.DecodeRuneInString(text[i:])
			r = fold(r)
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b = utf8.AppendRune(b, r)
				i += n
				continue
			}
			// An inner hyphen or apostrophe joins; anything else ends the word.
			if (r == '-' || r == '\'') && i+n < len(text) {
				nr, _ := utf8.DecodeRuneInString(text[i+n:])
				nr = fold(nr)
				if unicode.IsLetter(nr) || unicode.IsDigit(nr) {
					if r == '-' {
						cuts = append(cuts, len(b))
					} else if nr == 's' && (i+n+1 >= len(text) || !isWordByte(text[i+n+1])) {
						// Possessive 's: "men's" is "men".
						i += n + 1
						break
					}
					i += n
					continue
				}
			}
			break
		}
		end := i
		if len(b) < 2 || stopword(string(b)) {
			continue
		}
		w := word{start: start, end: end}
		w.surface, w.stem = m.lookup(b)
		for k := 0; k <= len(cuts) && len(cuts) > 0; k++ {
			from, to := 0, len(b)
			if k > 0 {
				from = cuts[k-1]
			}
			if k < len(cuts) {
				to = cuts[k]
			}
			if p := b[from:to]; len(p) >= 2 && !stopword(string(p)) {
				_, st := m.lookup(p)
				w.parts = append(w.parts, st)
			}
		}
		out = append(out, w)
	}
	return out
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// plainTokens is the baseline tokenizer: lower-case runs of letters and
// digits, no stemming, no stop words, no hyphen joining.
func plainTokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// noiseWord reports words of a product description that say nothing
// about its classification: numbers and measurements, units, and the
// words of packing, shipping and marketing. Materials, functions and the
// way goods are put up ("retail", "set") are kept.
func noiseWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			return true
		}
	}
	switch w {
	case "mm", "cm", "km", "kg", "mg", "lb", "lbs", "oz", "ml", "kw", "ah", "mah", "psi", "btu", "hz", "ft", "inch", "inches",
		"percent", "pct", "gsm", "dia", "approx", "approximately", "about", "each", "per", "one", "two", "three", "four", "five",
		"six", "seven", "eight", "nine", "ten", "twelve", "dozen", "pair", "pairs", "piece", "pieces", "pcs", "unit", "units",
		"sold", "sell", "sells", "packed", "packaged", "packing", "shipped", "shipping", "imported", "importation", "importer",
		"described", "designed", "intended", "featuring", "features", "feature", "includes", "including", "consists",
		"consisting", "composed", "constructed", "made", "measures", "measuring", "size", "sizes", "sized", "various",
		"variety", "item", "items", "product", "products", "premium", "quality", "high", "new", "durable", "ideal", "perfect",
		"great", "best", "brand", "style", "styles", "model", "models", "type", "types", "available", "also", "can", "will",
		"may", "has", "have", "it", "they", "them", "you", "your", "our", "we", "very", "up", "so", "onto", "over",
		"under", "between", "after", "before", "then", "when", "where", "while":
		return true
	}
	return false
}
