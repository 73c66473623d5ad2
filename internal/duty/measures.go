package duty

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"slices"
	"strings"
	"time"
)

// MeasuresFile is where the measures table lives in the content tree.
const MeasuresFile = "duty/measures.json"

// Date is a calendar date (an entry date, an effective date), held as UTC
// midnight. Its JSON form is "2006-01-02"; the zero Date is "".
type Date struct{ time.Time }

// dateLayout is the one date format of the table and the form.
const dateLayout = "2006-01-02"

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("date %q: use the form 2025-06-15", s)
	}
	return Date{t}, nil
}

// MustDate is ParseDate for tests and constants; it panics on bad input.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String is "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// UnmarshalJSON reads "2006-01-02" or "".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalJSON writes "2006-01-02" or "".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Time.Before(e.Time) }

// within reports whether d falls in [from, to); a zero to is open-ended.
func (d Date) within(from, to Date) bool {
	return !d.Before(from) && (to.IsZero() || d.Before(to))
}

// Confidence levels of tariff-facts.md.
const (
	Verified   = "V"
	Partly     = "P"
	Unverified = "M"
)

// confidenceRank orders levels from weakest to strongest.
func confidenceRank(c string) int { return strings.Index("MPV", c) }

// weaker returns the weaker of two confidence levels.
func weaker(a, b string) string {
	if confidenceRank(a) < confidenceRank(b) {
		return a
	}
	return b
}

// Country is an origin the calculator offers.
type Country struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// ProductClass is a Section 232 product action whose coverage the learner
// declares (autos, wood...): the bundled data has no HTS list for them.
type ProductClass struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// MetalScope says which lines a Section 232 metal covers without a listing
// of their own and which lines are taken to be wholly of that metal.
type MetalScope struct {
	CorePrefixes       []string `json:"core_prefixes"`
	CoreConfidence     string   `json:"core_confidence"`
	CoreCaution        string   `json:"core_caution"`
	WholeMetalPrefixes []string `json:"whole_metal_prefixes"`
	// ExtraDerivatives are derivative listings the bundled product lists
	// lack (e.g. heading 7318 from 2025-03-12); they count as a listing of
	// the line when it has none of its own.
	ExtraDerivatives []ExtraDerivative `json:"extra_derivatives"`
	// CheckPrefixes are codes whose coverage is unknown in a period: a line
	// under them with no listing shows the layer as "check".
	CheckPrefixes []CheckPrefix `json:"check_prefixes"`
}

// ExtraDerivative is a derivative listing kept in the table, with its own
// confidence.
type ExtraDerivative struct {
	Prefixes      []string `json:"prefixes"`
	Ch99          string   `json:"ch99"`
	EffectiveFrom Date     `json:"effective_from"`
	Confidence    string   `json:"confidence"`
	Caution       string   `json:"caution"`
}

// CheckPrefix marks codes whose Section 232 coverage is unknown between
// two dates.
type CheckPrefix struct {
	Prefixes      []string `json:"prefixes"`
	EffectiveFrom Date     `json:"effective_from"`
	EffectiveTo   Date     `json:"effective_to"`
	Text          string   `json:"text"`
}

// S301ReviewLine is one 8-digit entry of the 2024 four-year-review annex
// with its own start date; Only names the declaration it needs when the
// 8-digit line holds other articles too (face masks of 6307.90.98).
type S301ReviewLine struct {
	HTS8          string `json:"hts8"`
	What          string `json:"what"`
	Only          string `json:"only"`
	Ch99          string `json:"ch99"`
	Rate          string `json:"rate"`
	EffectiveFrom Date   `json:"effective_from"`
	EffectiveTo   Date   `json:"effective_to"`
}

// InTransit is a row's in-transit rule: goods loaded before LoadedBefore
// and entered before EnteredBefore pay Rate under Ch99 instead.
type InTransit struct {
	LoadedBefore  Date   `json:"loaded_before"`
	EnteredBefore Date   `json:"entered_before"`
	Rate          string `json:"rate"`
	Ch99          string `json:"ch99"`
	Text          string `json:"text"`
	Confidence    string `json:"confidence"`
	Caution       string `json:"caution"`

	rate *big.Rat
}

// Measure is one dated row of the table: a duty or fee with its scope,
// rate, base, dates, source and confidence.
type Measure struct {
	ID         string   `json:"id"`
	Program    string   `json:"program"`
	Label      string   `json:"label"`
	LegalBasis string   `json:"legal_basis"`
	Countries  []string `json:"countries"`
	Except     []string `json:"except_countries"`
	// S301Ch99 and Tier select Section 301 rows by the line's listing;
	// a "review" row (2024 four-year review) replaces "list" rows.
	S301Ch99 string `json:"s301_ch99"`
	Tier     string `json:"tier"`
	// Coverage selects Section 232 metal rows: core, derivative, annex,
	// unannexed, listed (copper) or any.
	Coverage     string `json:"coverage"`
	Annex        string `json:"annex"`
	ProductClass string `json:"product_class"`
	// Declaration limits the row to inputs that declare it (e.g.
	// "uk_in_quota"); Prefixes limits it to lines under these codes.
	Declaration string   `json:"declaration"`
	Prefixes    []string `json:"prefixes"`
	Transport   string   `json:"transport"`
	Ch99        string   `json:"ch99"`
	Rate        string   `json:"rate"`
	// Base is customs_value, metal_content or by_ch99 (per content_base_ch99).
	Base string `json:"base"`
	// AllInCap limits the rate so that it and the MFN ad valorem rate add up
	// to at most the cap; RateCap limits the rate itself. Keys are country
	// codes or @groups.
	AllInCap map[string]string `json:"all_in_cap"`
	RateCap  map[string]string `json:"rate_cap"`
	// AllInFloor tops the Column 1 rate up to this percentage (EU, Japan
	// formulas): the layer is floor minus the MFN rate, or nothing when the
	// MFN rate is at the floor or above, then under Ch99AtFloor.
	AllInFloor    string     `json:"all_in_floor"`
	Ch99AtFloor   string     `json:"ch99_at_floor"`
	InTransit     *InTransit `json:"in_transit"`
	MinCents      int64      `json:"min_cents"`
	MaxCents      int64      `json:"max_cents"`
	FiscalYear    string     `json:"fiscal_year"`
	Status        string     `json:"status"` // "", suspended, removed, note
	CannotCompute string     `json:"cannot_compute"`
	EffectiveFrom Date       `json:"effective_from"`
	EffectiveTo   Date       `json:"effective_to"`
	Source        string     `json:"source"`
	Confidence    string     `json:"confidence"`
	Caution       string     `json:"caution"`
	Notes         []string   `json:"notes"`

	rate       Rate
	allInFloor *big.Rat
	allInCap   map[string]*big.Rat
	rateCap    map[string]*big.Rat
}

// Rule is an exemption (or a reason a layer cannot be computed) that
// applies to a program when a condition holds: "s232" (the goods are
// subject to a Section 232 duty), "usmca" (a USMCA claim), or
// "class:a,b" (a declared Section 232 product class).
type Rule struct {
	ID            string   `json:"id"`
	Program       string   `json:"program"`
	When          string   `json:"when"`
	Prefixes      []string `json:"prefixes"`
	Countries     []string `json:"countries"`
	EffectiveFrom Date     `json:"effective_from"`
	EffectiveTo   Date     `json:"effective_to"`
	Source        string   `json:"source"`
	Confidence    string   `json:"confidence"`
	Note          string   `json:"note"`
	Caution       string   `json:"caution"`
}

// DatedNote is a note shown for entry dates in its range, optionally only
// for some countries, code prefixes or when a program produced a layer.
type DatedNote struct {
	ID            string   `json:"id"`
	Countries     []string `json:"countries"`
	Prefixes      []string `json:"prefixes"`
	Needs         string   `json:"needs"`
	NeedsAny      []string `json:"needs_any"`
	Unless        []string `json:"unless"`
	EffectiveFrom Date     `json:"effective_from"`
	EffectiveTo   Date     `json:"effective_to"`
	Source        string   `json:"source"`
	Confidence    string   `json:"confidence"`
	Text          string   `json:"text"`
}

// ClassHint suggests a Section 232 product class for codes under a prefix.
type ClassHint struct {
	Prefixes      []string `json:"prefixes"`
	Class         string   `json:"class"`
	EffectiveFrom Date     `json:"effective_from"`
	Text          string   `json:"text"`
}

// Table is the versioned measures table. It is immutable after Load and
// safe for concurrent use.
type Table struct {
	Version string              `json:"version"`
	AsOf    Date                `json:"as_of"`
	Oldest  Date                `json:"oldest"`
	About   []string            `json:"about"`
	Sources map[string]string   `json:"sources"`
	Groups  map[string][]string `json:"groups"`
	Country []Country           `json:"countries"`
	Column2 struct {
		Codes      []string `json:"codes"`
		Message    string   `json:"message"`
		Confidence string   `json:"confidence"`
	} `json:"column2_countries"`
	Classes         []ProductClass        `json:"product_classes"`
	Metals          map[string]MetalScope `json:"metals"`
	ContentBaseCh99 struct {
		About     string   `json:"about"`
		Content   []string `json:"content"`
		FullValue []string `json:"full_value"`
	} `json:"content_base_ch99"`
	// ElectronicsPrefixes are the codes of the April 2025 electronics
	// exclusion (9903.01.32), shared by the Section 122 list (9903.03.03).
	ElectronicsPrefixes []string `json:"electronics_prefixes"`
	// S301Review is the review annex by 8-digit line.
	S301Review    []S301ReviewLine `json:"s301_review"`
	Measures      []Measure        `json:"measures"`
	Exemptions    []Rule           `json:"exemptions"`
	NotComputable []Rule           `json:"not_computable_when"`
	DatedNotes    []DatedNote      `json:"dated_notes"`
	ClassHints    []ClassHint      `json:"class_hints"`
}

// Load reads and checks the table at MeasuresFile in fsys (content.FS).
func Load(fsys fs.FS) (*Table, error) {
	b, err := fs.ReadFile(fsys, MeasuresFile)
	if err != nil {
		return nil, fmt.Errorf("duty: read measures: %w", err)
	}
	return Parse(b)
}

// Parse decodes and checks a measures table: unknown fields, bad dates,
// rates that are not plain percentages, unknown countries and groups, and
// overlapping rows of one program and scope are all errors.
func Parse(b []byte) (*Table, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var t Table
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("duty: decode measures: %w", err)
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("duty: measures %s: %w", t.Version, err)
	}
	return &t, nil
}

// programs are the layers the calculator knows, in the order it shows them.
var programs = []string{"s301", "s232_steel", "s232_aluminum", "s232_copper", "s232_auto", "s232_auto_part",
	"s232_mhd_truck", "s232_bus", "s232_wood", "ieepa_fentanyl", "ieepa_reciprocal", "ieepa_brazil", "ieepa_india",
	"s122", "s301_forced_labor", "s301_brazil", "mpf", "hmf"}

func (t *Table) check() error {
	if t.Version == "" || t.AsOf.IsZero() || t.Oldest.IsZero() || !t.Oldest.Before(t.AsOf) {
		return fmt.Errorf("version, as_of and oldest (before as_of) are required")
	}
	known := map[string]bool{}
	for _, c := range t.Country {
		if len(c.Code) != 2 || c.Name == "" || known[c.Code] {
			return fmt.Errorf("country %q: bad or repeated", c.Code)
		}
		known[c.Code] = true
	}
	checkCountries := func(where string, cs []string) error {
		for _, c := range cs {
			if c == "*" {
				continue
			}
			if g, ok := strings.CutPrefix(c, "@"); ok {
				if _, ok := t.Groups[g]; !ok {
					return fmt.Errorf("%s: unknown group %q", where, c)
				}
				continue
			}
			if !known[c] {
				return fmt.Errorf("%s: country %q is not in the country list", where, c)
			}
		}
		return nil
	}
	for g, cs := range t.Groups {
		if err := checkCountries("group "+g, cs); err != nil {
			return err
		}
	}
	ids := map[string]bool{}
	for i := range t.Measures {
		m := &t.Measures[i]
		if m.ID == "" || ids[m.ID] {
			return fmt.Errorf("measure %q: missing or repeated id", m.ID)
		}
		ids[m.ID] = true
		if !slices.Contains(programs, m.Program) {
			return fmt.Errorf("measure %s: unknown program %q", m.ID, m.Program)
		}
		if m.EffectiveFrom.IsZero() || (!m.EffectiveTo.IsZero() && !m.EffectiveFrom.Before(m.EffectiveTo)) {
			return fmt.Errorf("measure %s: effective_from must be set and before effective_to", m.ID)
		}
		if confidenceRank(m.Confidence) < 0 || m.Source == "" || m.Label == "" || m.LegalBasis == "" {
			return fmt.Errorf("measure %s: label, legal_basis, source and confidence V/P/M are required", m.ID)
		}
		if m.Confidence != Verified && m.Caution == "" && m.CannotCompute == "" {
			return fmt.Errorf("measure %s: a %s row needs a caution", m.ID, m.Confidence)
		}
		if m.Base != "customs_value" && m.Base != "metal_content" && m.Base != "by_ch99" {
			return fmt.Errorf("measure %s: unknown base %q", m.ID, m.Base)
		}
		if err := checkCountries("measure "+m.ID, append(slices.Clone(m.Countries), m.Except...)); err != nil {
			return err
		}
		if m.AllInFloor != "" {
			r, err := ParseRate(m.AllInFloor)
			if err != nil || r.AdValorem == nil || r.Specific != nil || m.Rate != "" || m.Ch99AtFloor == "" {
				return fmt.Errorf("measure %s: all_in_floor %q must be a percentage, with ch99_at_floor and no rate", m.ID, m.AllInFloor)
			}
			m.allInFloor = r.AdValorem
		} else if m.CannotCompute == "" {
			r, err := ParseRate(m.Rate)
			if err != nil || r.Specific != nil || r.AdValorem == nil {
				return fmt.Errorf("measure %s: rate %q must be a plain percentage", m.ID, m.Rate)
			}
			m.rate = r
		} else if m.Rate != "" {
			return fmt.Errorf("measure %s: a cannot_compute row has no rate", m.ID)
		}
		if it := m.InTransit; it != nil {
			r, err := ParseRate(it.Rate)
			if err != nil || r.Specific != nil || it.LoadedBefore.IsZero() || it.EnteredBefore.IsZero() || it.Text == "" {
				return fmt.Errorf("measure %s: in_transit needs dates, text and a percentage rate", m.ID)
			}
			it.rate = new(big.Rat)
			if r.AdValorem != nil {
				it.rate = r.AdValorem
			}
			if it.Confidence == "" {
				it.Confidence = Verified
			}
		}
		var err error
		if m.allInCap, err = t.percentMap(m.AllInCap); err != nil {
			return fmt.Errorf("measure %s: all_in_cap: %w", m.ID, err)
		}
		if m.rateCap, err = t.percentMap(m.RateCap); err != nil {
			return fmt.Errorf("measure %s: rate_cap: %w", m.ID, err)
		}
	}
	for _, rs := range [][]Rule{t.Exemptions, t.NotComputable} {
		for _, r := range rs {
			if !slices.Contains(programs, r.Program) || r.Note == "" || confidenceRank(r.Confidence) < 0 || r.EffectiveFrom.IsZero() {
				return fmt.Errorf("rule %s: program, note, confidence and effective_from are required", r.ID)
			}
			if r.Confidence != Verified && r.Caution == "" && r.Program != "s232_auto" {
				return fmt.Errorf("rule %s: a %s rule needs a caution", r.ID, r.Confidence)
			}
			if err := checkCountries("rule "+r.ID, r.Countries); err != nil {
				return err
			}
		}
	}
	return t.checkOverlaps()
}

// percentMap expands a {country or @group: "15%"} map to countries.
func (t *Table) percentMap(in map[string]string) (map[string]*big.Rat, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]*big.Rat{}
	for k, v := range in {
		r, err := ParseRate(v)
		if err != nil || r.AdValorem == nil || r.Specific != nil {
			return nil, fmt.Errorf("%q is not a percentage", v)
		}
		for _, c := range t.expand([]string{k}) {
			out[c] = r.AdValorem
		}
	}
	return out, nil
}

// expand replaces @groups by their countries.
func (t *Table) expand(cs []string) []string {
	var out []string
	for _, c := range cs {
		if g, ok := strings.CutPrefix(c, "@"); ok {
			out = append(out, t.Groups[g]...)
			continue
		}
		out = append(out, c)
	}
	return out
}

// checkOverlaps fails when two rows would both apply to the same program,
// scope, country and date: the table must say one thing at a time.
func (t *Table) checkOverlaps() error {
	probe := append([]string{"ZZ"}, t.expand([]string{"@EU", "@CHINA", "@USMCA"})...)
	probe = append(probe, "GB", "JP", "KR", "BR", "IN")
	for i, a := range t.Measures {
		for _, b := range t.Measures[i+1:] {
			if a.Program != b.Program || a.S301Ch99 != b.S301Ch99 || a.Coverage != b.Coverage || a.Annex != b.Annex ||
				a.ProductClass != b.ProductClass {
				continue
			}
			if !overlaps(a.EffectiveFrom, a.EffectiveTo, b.EffectiveFrom, b.EffectiveTo) {
				continue
			}
			for _, c := range probe {
				if t.covers(a, c) && t.covers(b, c) && specificity(a) == specificity(b) {
					return fmt.Errorf("measures %s and %s overlap for %s", a.ID, b.ID, c)
				}
			}
		}
	}
	return nil
}

func overlaps(af, at, bf, bt Date) bool {
	aEndsBeforeB := !at.IsZero() && !at.After(bf.Time)
	bEndsBeforeA := !bt.IsZero() && !bt.After(af.Time)
	return !aEndsBeforeB && !bEndsBeforeA
}

// specificity ranks a row's country scope: named countries beat "*".
func specificity(m Measure) int {
	n := 0
	if !slices.Contains(m.Countries, "*") {
		n++
	}
	if len(m.Prefixes) > 0 || m.Declaration != "" {
		n += 2
	}
	return n
}

// covers reports whether row m's country scope includes country c.
func (t *Table) covers(m Measure, c string) bool {
	return inScope(t.expand(m.Countries), c) && !slices.Contains(t.expand(m.Except), c)
}

// inScope reports whether c is in cs, where "*" matches any country and
// an empty list matches every country too.
func inScope(cs []string, c string) bool {
	return len(cs) == 0 || slices.Contains(cs, "*") || slices.Contains(cs, c)
}

// find returns the most specific row that passes keep and covers country
// and date, or nil.
func (t *Table) find(country string, d Date, keep func(*Measure) bool) *Measure {
	var best *Measure
	for i := range t.Measures {
		m := &t.Measures[i]
		if !keep(m) || !d.within(m.EffectiveFrom, m.EffectiveTo) || !t.covers(*m, country) {
			continue
		}
		if best == nil || specificity(*m) > specificity(*best) {
			best = m
		}
	}
	return best
}

// rule returns the first rule of rs for program that holds.
func (t *Table) rule(rs []Rule, program, country, digits string, d Date, holds func(when string) bool) *Rule {
	for i := range rs {
		r := &rs[i]
		if r.Program == program && d.within(r.EffectiveFrom, r.EffectiveTo) &&
			inScope(t.expand(r.Countries), country) && (r.When == "" || holds(r.When)) &&
			(len(r.Prefixes) == 0 || hasPrefix(digits, r.Prefixes)) {
			return r
		}
	}
	return nil
}

// KnownCountry reports whether code is an origin the calculator offers.
func (t *Table) KnownCountry(code string) bool {
	return slices.ContainsFunc(t.Country, func(c Country) bool { return c.Code == code })
}

// CountryName returns the name of an offered origin, or the code.
func (t *Table) CountryName(code string) string {
	for _, c := range t.Country {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}

// KnownClass reports whether code is a declared product class ("" is none).
func (t *Table) KnownClass(code string) bool {
	return code == "" || slices.ContainsFunc(t.Classes, func(c ProductClass) bool { return c.Code == code })
}

// Countries lists the offered origins in table order (by name).
func (t *Table) Countries() []Country { return t.Country }

// ProductClasses lists the declarable Section 232 product classes.
func (t *Table) ProductClasses() []ProductClass { return t.Classes }
