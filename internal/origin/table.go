package origin

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// TablePath is where the rule table lives inside the content tree.
const TablePath = "origin/rules.yaml"

// Shift kinds a rule alternative can require of each non-originating input.
const (
	ShiftChapter    = "CC"   // change of chapter (2 digits)
	ShiftHeading    = "CTH"  // change of heading (4 digits)
	ShiftSubheading = "CTSH" // change of subheading (6 digits)
	ShiftAnyGood    = "ANY"  // change from any other good, even of the same subheading
	ShiftNone       = "NONE" // no change in tariff classification required
)

// ErrNoRule is returned when the table has no rule for a good.
var ErrNoRule = errors.New("no rule in the table")

// TableMeta says what the table is, when it was checked and what it leaves out.
type TableMeta struct {
	Title       string `yaml:"title"`
	AsOf        string `yaml:"as_of"`
	InForceFrom string `yaml:"in_force_from"`
	Source      string `yaml:"source"`
	Coverage    string `yaml:"coverage"` // plainly: other headings are not covered
	Excluded    string `yaml:"excluded"` // what was left out and why
}

// Alternative is one way to satisfy a rule: a tariff shift, optionally with
// exceptions, allowed source codes and a regional value content. A rule is
// met when any one of its alternatives is met.
type Alternative struct {
	Shift  string   `yaml:"shift"`  // CC, CTH, CTSH, ANY or NONE
	Except []string `yaml:"except"` // inputs from these codes never satisfy the shift
	Allow  []string `yaml:"allow"`  // inputs from these codes need no shift
	RVCTV  int      `yaml:"rvc_tv"` // minimum RVC % by transaction value; 0 = none
	RVCNC  int      `yaml:"rvc_nc"` // minimum RVC % by net cost; 0 = none

	except, allow []codeSet
}

// NeedsRVC reports whether the alternative has a regional value content
// requirement.
func (a Alternative) NeedsRVC() bool { return a.RVCTV > 0 || a.RVCNC > 0 }

// Describe states the alternative in one line of plain English.
func (a Alternative) Describe() string {
	var sb strings.Builder
	switch a.Shift {
	case ShiftChapter:
		sb.WriteString("each non-originating input changes chapter (CC)")
	case ShiftHeading:
		sb.WriteString("each non-originating input changes heading (CTH)")
	case ShiftSubheading:
		sb.WriteString("each non-originating input changes subheading (CTSH)")
	case ShiftAnyGood:
		sb.WriteString("any non-originating input qualifies, even a different good of the same subheading")
	case ShiftNone:
		sb.WriteString("no change in tariff classification is required")
	}
	if len(a.Except) > 0 {
		sb.WriteString(", but none may come from " + strings.Join(a.Except, ", "))
	}
	if len(a.Allow) > 0 {
		sb.WriteString("; inputs from " + strings.Join(a.Allow, ", ") + " are accepted without a change")
	}
	if a.NeedsRVC() {
		sb.WriteString("; regional value content of at least ")
		var parts []string
		if a.RVCTV > 0 {
			parts = append(parts, fmt.Sprintf("%d%% by transaction value", a.RVCTV))
		}
		if a.RVCNC > 0 {
			parts = append(parts, fmt.Sprintf("%d%% by net cost", a.RVCNC))
		}
		sb.WriteString(strings.Join(parts, " or "))
	}
	return sb.String()
}

// Rule is one product-specific rule of origin.
type Rule struct {
	Key          string        `yaml:"key"`    // e.g. "8402.11-8402.20", or the short code for a given rule
	Covers       []string      `yaml:"covers"` // finished-good codes or ranges the rule applies to
	Title        string        `yaml:"title"`
	Text         string        `yaml:"text"`     // the rule in our own words
	Citation     string        `yaml:"citation"` // HTSUS General Note 11 chapter and subdivision
	AsOf         string        `yaml:"as_of"`    // date the wording was checked (YYYY-MM-DD)
	URL          string        `yaml:"url"`      // public page where the wording was read
	Alternatives []Alternative `yaml:"alternatives"`

	covers []codeSet
	// Given is true for a rule entered by the user rather than read from the table.
	Given bool `yaml:"-"`
}

// Table is the curated rule table.
type Table struct {
	Meta  TableMeta `yaml:"meta"`
	Rules []Rule    `yaml:"rules"`
}

// LoadTable reads and checks the rule table from fsys (content.FS).
func LoadTable(fsys fs.FS) (*Table, error) {
	b, err := fs.ReadFile(fsys, TablePath)
	if err != nil {
		return nil, fmt.Errorf("read origin rule table: %w", err)
	}
	return ParseTable(b)
}

// ParseTable parses and checks a rule table in the YAML layout of
// content/origin/rules.yaml.
func ParseTable(b []byte) (*Table, error) {
	var t Table
	if err := yaml.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("parse origin rule table: %w", err)
	}
	if t.Meta.AsOf == "" || t.Meta.Source == "" || t.Meta.Coverage == "" {
		return nil, errors.New("origin rule table: meta needs as_of, source and coverage")
	}
	seen := map[string]bool{}
	for i := range t.Rules {
		r := &t.Rules[i]
		if seen[r.Key] {
			return nil, fmt.Errorf("origin rule table: duplicate key %q", r.Key)
		}
		seen[r.Key] = true
		if r.Text == "" || r.Citation == "" || r.URL == "" {
			return nil, fmt.Errorf("origin rule %q: needs text, citation and url", r.Key)
		}
		if _, err := time.Parse(time.DateOnly, r.AsOf); err != nil {
			return nil, fmt.Errorf("origin rule %q: as_of: %w", r.Key, err)
		}
		if err := r.compile(); err != nil {
			return nil, fmt.Errorf("origin rule %q: %w", r.Key, err)
		}
	}
	// List rules in tariff order, whatever the order in the file.
	sort.SliceStable(t.Rules, func(i, j int) bool {
		return t.Rules[i].covers[0].lo.Digits() < t.Rules[j].covers[0].lo.Digits()
	})
	return &t, nil
}

// compile parses the rule's code lists.
func (r *Rule) compile() error {
	if len(r.Alternatives) == 0 {
		return errors.New("no alternatives")
	}
	var err error
	if r.covers, err = parseSets(r.Covers); err != nil {
		return fmt.Errorf("covers: %w", err)
	}
	if len(r.covers) == 0 && !r.Given {
		return errors.New("covers is empty")
	}
	for i := range r.Alternatives {
		a := &r.Alternatives[i]
		switch a.Shift {
		case ShiftChapter, ShiftHeading, ShiftSubheading, ShiftAnyGood, ShiftNone:
		default:
			return fmt.Errorf("alternative %d: unknown shift %q", i+1, a.Shift)
		}
		if a.RVCTV < 0 || a.RVCTV > 100 || a.RVCNC < 0 || a.RVCNC > 100 {
			return fmt.Errorf("alternative %d: RVC must be 0-100", i+1)
		}
		if a.Shift == ShiftNone && !a.NeedsRVC() {
			return fmt.Errorf("alternative %d: NONE without an RVC would let anything qualify", i+1)
		}
		if len(a.Allow) > 0 && !a.NeedsRVC() {
			return fmt.Errorf("alternative %d: allow without an RVC", i+1)
		}
		if a.except, err = parseSets(a.Except); err != nil {
			return fmt.Errorf("alternative %d except: %w", i+1, err)
		}
		if a.allow, err = parseSets(a.Allow); err != nil {
			return fmt.Errorf("alternative %d allow: %w", i+1, err)
		}
	}
	return nil
}

// CoverCodes returns the bounds of the rule's covers, for checks against the
// tariff data.
func (r Rule) CoverCodes() []hts.Code {
	var out []hts.Code
	for _, s := range r.covers {
		out = append(out, s.lo, s.hi)
	}
	return out
}

// ReferencedCodes returns the bounds of every except and allow entry.
func (r Rule) ReferencedCodes() []hts.Code {
	var out []hts.Code
	for _, a := range r.Alternatives {
		for _, s := range append(append([]codeSet(nil), a.except...), a.allow...) {
			out = append(out, s.lo, s.hi)
		}
	}
	return out
}

// Find returns the most specific rule whose covers contain the good.
func (t *Table) Find(good hts.Code) (Rule, error) {
	best, bestLen := -1, 0
	for i, r := range t.Rules {
		for _, s := range r.covers {
			if s.contains(good) == matchYes && s.lo.Level() > bestLen {
				best, bestLen = i, s.lo.Level()
			}
		}
	}
	if best < 0 {
		return Rule{}, fmt.Errorf("%w for %s: the table covers only its listed headings", ErrNoRule, good.Dotted())
	}
	return t.Rules[best], nil
}

// Lookup returns the rule with the given key.
func (t *Table) Lookup(key string) (Rule, bool) {
	for _, r := range t.Rules {
		if r.Key == key {
			return r, true
		}
	}
	return Rule{}, false
}

// GivenRule builds a rule from a short code: CC, CTH or CTSH (or NONE with an
// RVC), with optional RVC thresholds in percent; the shift and the RVC must
// both be met.
func GivenRule(code string, rvcTV, rvcNC int) (Rule, error) {
	shift := strings.ToUpper(strings.TrimSpace(code))
	r := Rule{
		Key:          shift,
		Title:        "Rule entered by the user",
		Text:         "A rule entered by hand; check it against HTSUS General Note 11 for the good's heading.",
		Citation:     "entered by the user",
		Given:        true,
		Alternatives: []Alternative{{Shift: shift, RVCTV: rvcTV, RVCNC: rvcNC}},
	}
	if shift == ShiftAnyGood {
		return Rule{}, errors.New("give CC, CTH, CTSH or NONE")
	}
	if err := r.compile(); err != nil {
		return Rule{}, err
	}
	r.Text = "Entered by hand: " + r.Alternatives[0].Describe() + ". Check it against HTSUS General Note 11 for the good's heading."
	return r, nil
}

// codeSet is one code or an inclusive range of codes with the same number of
// digits.
type codeSet struct{ lo, hi hts.Code }

type match int

const (
	matchNo    match = iota
	matchYes         // the code is inside the set
	matchMaybe       // the code is too short to tell (e.g. 6 digits against an 8-digit item)
)

func parseSets(ss []string) ([]codeSet, error) {
	out := make([]codeSet, 0, len(ss))
	for _, s := range ss {
		lo, hi, isRange := strings.Cut(s, "-")
		a, err := hts.ParseCode(lo)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		b := a
		if isRange {
			if b, err = hts.ParseCode(hi); err != nil {
				return nil, fmt.Errorf("%q: %w", s, err)
			}
			if a.Level() != b.Level() || a.Digits() > b.Digits() {
				return nil, fmt.Errorf("%q: a range needs two codes of the same length, low first", s)
			}
		}
		out = append(out, codeSet{a, b})
	}
	return out, nil
}

// contains reports whether c falls in the set. A code shorter than the set's
// bounds is a maybe when its digits agree with the range's prefix.
func (s codeSet) contains(c hts.Code) match {
	n := s.lo.Level()
	d := c.Digits()
	if len(d) >= n {
		p := d[:n]
		if p >= s.lo.Digits() && p <= s.hi.Digits() {
			return matchYes
		}
		return matchNo
	}
	if d >= s.lo.Digits()[:len(d)] && d <= s.hi.Digits()[:len(d)] {
		return matchMaybe
	}
	return matchNo
}

func (s codeSet) String() string {
	if s.lo == s.hi {
		return s.lo.Dotted()
	}
	return s.lo.Dotted() + "–" + s.hi.Dotted()
}

func inSets(sets []codeSet, c hts.Code) (match, codeSet) {
	res, which := matchNo, codeSet{}
	for _, s := range sets {
		switch s.contains(c) {
		case matchYes:
			return matchYes, s
		case matchMaybe:
			res, which = matchMaybe, s
		}
	}
	return res, which
}
