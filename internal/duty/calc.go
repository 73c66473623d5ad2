// Package duty is the duty-stack calculator: given a tariff line, an origin,
// an entry date and a customs value, it lists each layer of duty and fee
// (MFN or USMCA rate, Section 301, Section 232, IEEPA, Section 122, MPF,
// HMF) with its legal basis, Chapter 99 number, rate, base and amount.
//
// The rules and rates live in a dated, versioned table (content/duty/
// measures.json) built from the project's tariff-facts.md; every row
// carries its dates, source and confidence, and anything not verified is
// shown with a caution. Money is integer cents and rates are exact
// decimals (math/big), so totals are right to the cent.
//
// The package is pure: no database, no HTTP, no clock.
package duty

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
)

// Line is what the calculator needs of a tariff line; handlers map it
// from the tariff index.
type Line struct {
	Code        string // dotted, 8 or 10 digits
	Description string
	General     string // Column 1 General rate as printed
	Special     string // Column 1 Special rate text as printed
	Units       []string
	S301        []S301Listing
	S232        []S232Listing
	// Edition names the schedule the rates come from.
	Edition string
}

// S301Listing is a Section 301 list the line is on.
type S301Listing struct{ List, Ch99 string }

// S232Listing is a Section 232 product-list entry covering the line.
// Basis is "derivative", "annex" or "copper"; EffectiveDate may be "".
type S232Listing struct {
	Metal, Ch99, Annex, Basis, EffectiveDate, Prefix string
	Partial                                          bool
}

// Metals whose content value the calculator takes.
var Metals = []string{"steel", "aluminum", "copper"}

// Transport modes; HMF applies to vessel cargo only.
const (
	TransportVessel = "vessel"
	TransportOther  = "other"
)

// Input is one calculation.
type Input struct {
	Line      Line
	Country   string // ISO 3166-1 alpha-2, or "ZZ" for an unlisted country
	EntryDate Date
	// CustomsValue is the customs (transaction) value in cents.
	CustomsValue int64
	// MetalContent is the value of the steel, aluminum or copper content in
	// cents; a metal missing from the map was not given.
	MetalContent map[string]int64
	// Quantity is in the unit of the rate's specific part; nil if not given.
	Quantity     *big.Rat
	ClaimUSMCA   bool
	Transport    string
	ProductClass string // "" or a Table.ProductClasses code
}

// Layer is one duty or fee in the stack.
type Layer struct {
	Program    string   `json:"program"`
	Label      string   `json:"label"`
	LegalBasis string   `json:"legal_basis"`
	Ch99       string   `json:"ch99,omitempty"`
	RateText   string   `json:"rate"`
	Base       string   `json:"base,omitempty"`
	BaseCents  int64    `json:"base_cents"`
	Amount     int64    `json:"amount_cents"`
	Working    string   `json:"working,omitempty"`
	Computed   bool     `json:"computed"`
	Exempt     bool     `json:"exempt,omitempty"`
	Reason     string   `json:"cannot_compute,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	Confidence string   `json:"confidence"`
	Cautions   []string `json:"cautions,omitempty"`
	Source     string   `json:"source"`
	Fee        bool     `json:"fee,omitempty"`
}

// Note is a remark on the whole result, with its confidence.
type Note struct {
	Text       string `json:"text"`
	Source     string `json:"source,omitempty"`
	Confidence string `json:"confidence,omitempty"`
}

// Source is an entry of the table's source legend.
type Source struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// Result is the duty stack of one Input.
type Result struct {
	Layers []Layer `json:"layers"`
	// Duties and Fees add up the computed layers; Total is both.
	Duties int64 `json:"duties_cents"`
	Fees   int64 `json:"fees_cents"`
	Total  int64 `json:"total_cents"`
	// DutyRate and TotalRate are Duties and Total as a percentage of the
	// customs value.
	DutyRate  string `json:"duty_rate"`
	TotalRate string `json:"total_rate"`
	// Incomplete is set when a layer could not be computed: the totals
	// leave it out.
	Incomplete bool     `json:"incomplete"`
	AsOf       Date     `json:"as_of"`
	Version    string   `json:"version"`
	Warnings   []string `json:"warnings"`
	Notes      []Note   `json:"notes"`
	Sources    []Source `json:"sources"`
	// QuantityUnit is set when the rate has a specific part: the unit the
	// quantity must be given in.
	QuantityUnit string `json:"quantity_unit,omitempty"`
	// NeedsContent lists the metals whose content value the result needs.
	NeedsContent []string `json:"needs_content,omitempty"`
}

// ValidationError maps input fields (country, date, value, steel,
// aluminum, copper, quantity, transport, class, usmca) to messages.
type ValidationError map[string]string

func (v ValidationError) Error() string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+v[k])
	}
	return "invalid duty input: " + strings.Join(parts, "; ")
}

// Validate checks an Input against the table; it returns nil when valid.
func (t *Table) Validate(in Input) ValidationError {
	errs := ValidationError{}
	switch {
	case in.Country == "":
		errs["country"] = "Choose the country of origin."
	case slices.Contains(t.Column2.Codes, in.Country):
		errs["country"] = t.Column2.Message
	case !t.KnownCountry(in.Country):
		errs["country"] = "Choose a country from the list (or “Other country”)."
	}
	if in.EntryDate.IsZero() {
		errs["date"] = "Enter the entry date."
	}
	switch {
	case in.CustomsValue <= 0:
		errs["value"] = "Enter a customs value above zero."
	case in.CustomsValue > MaxValueCents:
		errs["value"] = "Enter a customs value of at most " + FormatCents(MaxValueCents) + "."
	}
	var sum int64
	for _, m := range Metals {
		v, ok := in.MetalContent[m]
		if !ok {
			continue
		}
		switch {
		case v < 0:
			errs[m] = "The " + m + " content value cannot be negative."
		case in.CustomsValue > 0 && v > in.CustomsValue:
			errs[m] = "The " + m + " content value cannot exceed the customs value."
		}
		sum += v
	}
	if _, bad := errs["value"]; !bad && sum > in.CustomsValue {
		for _, m := range Metals {
			if _, ok := in.MetalContent[m]; ok && errs[m] == "" {
				errs[m] = "The metal content values add up to more than the customs value."
				break
			}
		}
	}
	if in.Quantity != nil && in.Quantity.Sign() < 0 {
		errs["quantity"] = "The quantity cannot be negative."
	}
	if in.Transport != TransportVessel && in.Transport != TransportOther {
		errs["transport"] = "Choose how the goods arrive."
	}
	if !t.KnownClass(in.ProductClass) {
		errs["class"] = "Choose a product class from the list."
	}
	if in.ClaimUSMCA && in.Country != "" && !slices.Contains(t.Groups["USMCA"], in.Country) {
		errs["usmca"] = "A USMCA claim needs goods of Canada or Mexico."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// calc carries one calculation's state.
type calc struct {
	t          *Table
	in         Input
	res        *Result
	usmca      bool
	mfnAV      *big.Rat // MFN ad valorem percent when the MFN rate is purely ad valorem (or Free)
	subject232 bool
}

// Calculate builds the duty stack for in. Invalid input returns a
// ValidationError.
func (t *Table) Calculate(in Input) (*Result, error) {
	if errs := t.Validate(in); errs != nil {
		return nil, errs
	}
	c := &calc{t: t, in: in, res: &Result{AsOf: t.AsOf, Version: t.Version, Warnings: []string{}, Notes: []Note{}}}
	c.usmca = in.ClaimUSMCA && slices.Contains(t.Groups["USMCA"], in.Country)
	c.dateWarnings()
	c.mfn()
	c.s301()
	c.s232Metals()
	c.s232Classes()
	for _, p := range []string{"ieepa_fentanyl", "ieepa_reciprocal", "ieepa_brazil", "ieepa_india", "s122", "mpf", "hmf"} {
		c.simple(p)
	}
	c.datedNotes()
	c.totals()
	return c.res, nil
}

func (c *calc) dateWarnings() {
	d := c.in.EntryDate
	if d.After(c.t.AsOf.Time) {
		c.res.Warnings = append(c.res.Warnings, fmt.Sprintf("The entry date %s is after %s, the newest date our data covers: measures announced since then are missing, and rates may have changed.", d, c.t.AsOf))
	}
	if d.Before(c.t.Oldest) {
		c.res.Warnings = append(c.res.Warnings, fmt.Sprintf("The entry date %s is before %s, the oldest date our data covers: the rates are those of the 2025 HTS, and measures that ended earlier are missing.", d, c.t.Oldest))
	}
}

// add appends a layer and keeps the result's flags in step.
func (c *calc) add(l Layer) {
	if !l.Computed && !l.Exempt {
		c.res.Incomplete = true
	}
	c.res.Layers = append(c.res.Layers, l)
}

// apply computes pct% of base into l, rounding half-up to the cent.
func (c *calc) apply(l *Layer, pct *big.Rat, base int64, baseLabel string) {
	exact := new(big.Rat).Mul(pct, big.NewRat(base, 100))
	l.Base, l.BaseCents = baseLabel, base
	l.Amount = RoundHalfUp(exact)
	l.Computed = true
	l.Working = fmt.Sprintf("%s × %s = %s", FormatPercent(pct), FormatCents(base), exactDollars(exact, l.Amount))
}

// exactDollars writes an exact amount of cents in dollars and, when it
// is not a whole number of cents, how it was rounded.
func exactDollars(exact *big.Rat, rounded int64) string {
	if exact.IsInt() {
		return FormatCents(rounded)
	}
	return fmt.Sprintf("$%s, rounded half-up to %s", FormatDecimal(new(big.Rat).Quo(exact, big.NewRat(100, 1))), FormatCents(rounded))
}

// fromMeasure starts a layer from a table row.
func fromMeasure(m *Measure) Layer {
	l := Layer{Program: m.Program, Label: m.Label, LegalBasis: m.LegalBasis, Ch99: m.Ch99, RateText: m.Rate,
		Confidence: m.Confidence, Source: m.Source, Notes: slices.Clone(m.Notes), Fee: m.Program == "mpf" || m.Program == "hmf"}
	if m.Caution != "" {
		l.Cautions = append(l.Cautions, m.Caution)
	}
	if m.CannotCompute != "" {
		l.Reason = m.CannotCompute
		l.RateText = "—"
	}
	return l
}

// exempt zeroes a layer under a rule.
func exempt(l *Layer, r *Rule) {
	l.Exempt, l.Computed, l.Amount, l.Reason, l.Working = true, true, 0, "", ""
	l.Notes = append(l.Notes, "Exempt: "+r.Note)
	// Nothing is charged, so the row's own doubts (its rate, its dates) no
	// longer matter: the exemption's confidence is the layer's.
	l.Confidence, l.Cautions = r.Confidence, nil
	if r.Caution != "" {
		l.Cautions = append(l.Cautions, r.Caution)
	}
	l.Source += "; " + r.Source
}

// holds evaluates a rule condition.
func (c *calc) holds(when string) bool {
	switch {
	case when == "s232":
		return c.subject232
	case when == "usmca":
		return c.usmca
	case strings.HasPrefix(when, "class:"):
		return c.in.ProductClass != "" && slices.Contains(strings.Split(strings.TrimPrefix(when, "class:"), ","), c.in.ProductClass)
	}
	return false
}

// mfn adds the Column 1 General layer, or the USMCA special rate when the
// learner claims USMCA and the line lists program S.
func (c *calc) mfn() {
	ln := c.in.Line
	l := Layer{Program: "mfn", Label: "Column 1 General (MFN)", LegalBasis: "HTSUS " + ln.Code + ", Column 1 General rate",
		Confidence: Verified, Source: editionOr(ln.Edition)}
	text := ln.General
	if c.in.ClaimUSMCA {
		general, _ := ParseRate(ln.General)
		if s, ok := SpecialRate(ln.Special, "S"); ok {
			text = s
			l.Program, l.Label = "usmca", "USMCA preference (special program S)"
			l.LegalBasis = "HTSUS " + ln.Code + ", Column 1 Special (S); USMCA, 19 CFR Part 182"
			l.Notes = append(l.Notes, fmt.Sprintf("The USMCA rate replaces the general rate of %s. The goods must originate under the USMCA rules of origin, with a certification of origin on file.", ln.General))
		} else if general.Free {
			l.Notes = append(l.Notes, "The general rate is already Free, so the line lists no USMCA rate; the USMCA claim still counts for the exemptions below.")
		} else {
			c.usmca = false
			c.res.Warnings = append(c.res.Warnings, "This line lists no USMCA (S) special rate, so the USMCA claim cannot be applied: the general rate and the duties that USMCA goods are spared are shown.")
		}
	}
	l.RateText = text
	rate, err := ParseRate(text)
	if err != nil {
		l.Reason = strings.TrimPrefix(err.Error(), ErrUnparsable.Error()+": ")
		c.add(l)
		return
	}
	if rate.Specific == nil {
		c.mfnAV = new(big.Rat)
		if rate.AdValorem != nil {
			c.mfnAV = rate.AdValorem
		}
	}
	if rate.Specific != nil {
		c.res.QuantityUnit = rate.Specific.Unit
		if c.in.Quantity == nil {
			l.Reason = "the rate has a specific part: enter the quantity in " + rate.Specific.Unit + "."
			c.add(l)
			return
		}
	}
	amount, _ := rate.Amount(c.in.CustomsValue, c.in.Quantity)
	l.Amount, l.Computed = RoundHalfUp(amount), true
	l.Base, l.BaseCents = "Customs value", c.in.CustomsValue
	if rate.Specific != nil {
		l.Base = fmt.Sprintf("Customs value; quantity %s %s", FormatDecimal(c.in.Quantity), rate.Specific.Unit)
	}
	if rate.Free {
		l.Working = "Free"
	} else {
		l.Working = rate.Describe(c.in.CustomsValue, c.in.Quantity) + " = " + exactDollars(amount, l.Amount)
	}
	c.add(l)
}

func editionOr(e string) string {
	if e == "" {
		return "HTSUS as bundled"
	}
	return e
}

// s301 adds a layer per Section 301 listing of the line (China only). A
// four-year-review rate replaces the list rate: only the newest review
// row is charged.
func (c *calc) s301() {
	if !slices.ContainsFunc(c.t.Measures, func(m Measure) bool { return m.Program == "s301" && c.t.covers(m, c.in.Country) }) {
		return
	}
	var layers []Layer
	var tiers []*Measure
	for _, ls := range c.in.Line.S301 {
		m := c.t.find(c.in.Country, c.in.EntryDate, func(m *Measure) bool { return m.Program == "s301" && m.S301Ch99 == ls.Ch99 })
		if m == nil {
			if slices.ContainsFunc(c.t.Measures, func(m Measure) bool { return m.S301Ch99 == ls.Ch99 }) {
				c.res.Notes = append(c.res.Notes, Note{Text: fmt.Sprintf("Section 301 list %s (%s) covers this line but was not in force on %s.", ls.List, ls.Ch99, c.in.EntryDate), Confidence: Verified})
				continue
			}
			l := Layer{Program: "s301", Label: "Section 301 (" + ls.List + ")", LegalBasis: "Trade Act of 1974 §301 (China)", Ch99: ls.Ch99, RateText: "—",
				Confidence: Unverified, Source: "bundled Section 301 product lists",
				Reason: fmt.Sprintf("the line is listed under %s (list %q), which is not in our verified measures.", ls.Ch99, ls.List)}
			layers, tiers = append(layers, l), append(tiers, nil)
			continue
		}
		l := fromMeasure(m)
		if m.Status == "suspended" {
			l.Computed, l.Exempt, l.RateText = true, true, "Suspended"
		} else {
			c.apply(&l, m.rate.AdValorem, c.in.CustomsValue, "Customs value")
		}
		layers, tiers = append(layers, l), append(tiers, m)
	}
	// The newest applicable review row replaces everything else.
	var newest *Measure
	for _, m := range tiers {
		if m != nil && m.Tier == "review" && (newest == nil || newest.EffectiveFrom.Before(m.EffectiveFrom)) {
			newest = m
		}
	}
	for i, l := range layers {
		if newest != nil && tiers[i] != nil && tiers[i] != newest && tiers[i].Status == "" {
			l.Amount, l.Exempt, l.Working = 0, true, ""
			l.Notes = append(l.Notes, fmt.Sprintf("Not charged: the four-year-review rate under %s (%s) replaces this rate.", newest.Ch99, newest.Rate))
		}
		c.add(l)
	}
}

// s232Metals adds the steel, aluminum and copper layers.
func (c *calc) s232Metals() {
	digits := strings.ReplaceAll(c.in.Line.Code, ".", "")
	for _, metal := range Metals {
		scope := c.t.Metals[metal]
		core := hasPrefix(digits, scope.CorePrefixes)
		var annex, deriv, listed *S232Listing
		for i := range c.in.Line.S232 {
			ls := &c.in.Line.S232[i]
			if ls.Metal != metal {
				continue
			}
			if ls.EffectiveDate != "" {
				if d, err := ParseDate(ls.EffectiveDate); err == nil && c.in.EntryDate.Before(d) {
					if ls.Basis != "annex" {
						c.res.Notes = append(c.res.Notes, Note{Text: fmt.Sprintf("This line was added to the Section 232 %s list (%s) from %s.", metal, ls.Ch99, ls.EffectiveDate), Confidence: Verified})
					}
					continue
				}
			}
			switch {
			case ls.Basis == "annex" || ls.Annex != "":
				// A listing of the whole line beats one of some of its
				// statistical lines.
				if annex == nil || (annex.Partial && !ls.Partial) {
					annex = ls
				}
			case metal == "copper" || ls.Basis == "copper":
				listed = ls
			default:
				deriv = ls
			}
		}
		program := "s232_" + metal
		var m *Measure
		var used *S232Listing
		pick := func(coverage, annexCode string) bool {
			m = c.t.find(c.in.Country, c.in.EntryDate, func(r *Measure) bool {
				return r.Program == program && r.Coverage == coverage && r.Annex == annexCode
			})
			return m != nil
		}
		switch {
		case annex != nil && metal != "copper" && pick("annex", annex.Annex):
			used = annex
		case listed != nil && pick("listed", ""):
			used = listed
		case core && pick("core", ""):
		case deriv != nil && pick("derivative", ""):
			used = deriv
		case (core || deriv != nil) && (pick("unannexed", "") || pick("any", "")):
			used = deriv
		}
		if m == nil {
			if _, given := c.in.MetalContent[metal]; given {
				c.res.Notes = append(c.res.Notes, Note{Text: fmt.Sprintf("The %s content value is not used: no Section 232 %s measure covers this line on %s.", metal, metal, c.in.EntryDate)})
			}
			continue
		}
		l := fromMeasure(m)
		if used != nil && l.Ch99 == "(listing)" {
			l.Ch99 = used.Ch99
		}
		if m.Coverage == "core" && scope.CoreConfidence != Verified {
			l.Confidence = weaker(l.Confidence, scope.CoreConfidence)
			l.Cautions = append(l.Cautions, scope.CoreCaution)
		}
		if used != nil && used.Partial {
			l.Cautions = append(l.Cautions, fmt.Sprintf("The Section 232 list names only some statistical lines of this line (%s); check that the goods fall under it.", used.Prefix))
		}
		if metal == "copper" && annex != nil && !c.in.EntryDate.Before(MustDate("2026-04-06")) {
			l.Cautions = append(l.Cautions, fmt.Sprintf("Our annex list (single source) places this line in Annex %s from 2026-04-06; the effect on the copper duty is not verified.", annex.Annex))
			l.Confidence = weaker(l.Confidence, Partly)
		}
		if m.Status == "removed" {
			l.Computed, l.Exempt, l.RateText = true, true, "Removed"
			c.add(l)
			continue
		}
		if l.Reason == "" {
			c.metalBase(&l, m, metal, used, digits)
		}
		if r := c.t.rule(c.t.Exemptions, program, c.in.Country, c.in.EntryDate, c.holds); r != nil {
			exempt(&l, r)
		} else if m.rate.AdValorem == nil || m.rate.AdValorem.Sign() > 0 {
			c.subject232 = true
		}
		c.add(l)
	}
}

// metalBase charges a metal layer on the customs value or on the metal
// content value, as the row says.
func (c *calc) metalBase(l *Layer, m *Measure, metal string, used *S232Listing, digits string) {
	base := m.Base
	if base == "by_ch99" {
		base = "metal_content"
		if used != nil && slices.Contains(c.t.ContentBaseCh99.FullValue, used.Ch99) {
			base = "customs_value"
		}
	}
	content, given := c.in.MetalContent[metal]
	if base == "customs_value" {
		if given {
			l.Notes = append(l.Notes, fmt.Sprintf("The %s content value is not used: this duty is charged on the full customs value.", metal))
		}
		c.apply(l, m.rate.AdValorem, c.in.CustomsValue, "Customs value")
		return
	}
	label := strings.ToUpper(metal[:1]) + metal[1:] + " content value"
	switch {
	case given:
		c.apply(l, m.rate.AdValorem, content, label)
	case hasPrefix(digits, c.t.Metals[metal].WholeMetalPrefixes):
		c.apply(l, m.rate.AdValorem, c.in.CustomsValue, label+" (= customs value)")
		l.Notes = append(l.Notes, fmt.Sprintf("No %s content value was entered: the article is taken to be wholly of %s, so its content value is the customs value.", metal, metal))
	default:
		l.Reason = fmt.Sprintf("the duty applies to the value of the %s content: enter the %s content value.", metal, metal)
		l.RateText = m.Rate
		c.res.NeedsContent = append(c.res.NeedsContent, metal)
	}
}

func hasPrefix(digits string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(digits, p) })
}

// s232Classes adds the layer of a declared Section 232 product class
// (autos, parts, trucks, buses, wood), with the all-in and rate caps.
func (c *calc) s232Classes() {
	digits := strings.ReplaceAll(c.in.Line.Code, ".", "")
	if c.in.ProductClass == "" {
		for _, h := range c.t.ClassHints {
			if hasPrefix(digits, h.Prefixes) && !c.in.EntryDate.Before(h.EffectiveFrom) {
				c.res.Warnings = append(c.res.Warnings, h.Text)
			}
		}
		return
	}
	m := c.t.find(c.in.Country, c.in.EntryDate, func(r *Measure) bool { return r.ProductClass == c.in.ProductClass })
	if m == nil {
		c.res.Notes = append(c.res.Notes, Note{Text: "The Section 232 action for the chosen product class was not in force on " + c.in.EntryDate.String() + ".", Confidence: Verified})
		return
	}
	l := fromMeasure(m)
	if r := c.t.rule(c.t.NotComputable, m.Program, c.in.Country, c.in.EntryDate, c.holds); r != nil && l.Reason == "" {
		l.Reason, l.RateText = r.Note, m.Rate
		l.Confidence = weaker(l.Confidence, r.Confidence)
	}
	if l.Reason == "" {
		pct := m.rate.AdValorem
		if capPct, ok := m.rateCap[c.in.Country]; ok && capPct.Cmp(pct) < 0 {
			pct = capPct
			l.Notes = append(l.Notes, fmt.Sprintf("Goods of %s pay no more than %s.", c.t.CountryName(c.in.Country), FormatPercent(capPct)))
		}
		if capPct, ok := m.allInCap[c.in.Country]; ok {
			if c.mfnAV == nil {
				l.Reason = fmt.Sprintf("goods of %s are capped at %s all-in (MFN included), which needs an ad valorem MFN rate.", c.t.CountryName(c.in.Country), FormatPercent(capPct))
			} else {
				room := new(big.Rat).Sub(capPct, c.mfnAV)
				if room.Sign() < 0 {
					room = new(big.Rat)
				}
				if room.Cmp(pct) < 0 {
					pct = room
					l.Notes = append(l.Notes, fmt.Sprintf("Goods of %s are capped at %s all-in: %s minus the MFN rate of %s leaves %s.", c.t.CountryName(c.in.Country), FormatPercent(capPct), FormatPercent(capPct), FormatPercent(c.mfnAV), FormatPercent(room)))
				}
			}
		}
		if l.Reason == "" {
			l.RateText = FormatPercent(pct)
			c.apply(&l, pct, c.in.CustomsValue, "Customs value")
		}
	}
	if r := c.t.rule(c.t.Exemptions, m.Program, c.in.Country, c.in.EntryDate, c.holds); r != nil {
		exempt(&l, r)
	} else {
		c.subject232 = true
	}
	if c.in.ProductClass == "auto" || c.in.ProductClass == "auto_part" {
		for _, o := range c.res.Layers {
			if (o.Program == "s232_steel" || o.Program == "s232_aluminum") && !o.Exempt {
				l.Notes = append(l.Notes, "Whether the steel or aluminum duty stacks with the autos tariff is not in our verified facts: both are shown.")
				break
			}
		}
	}
	c.add(l)
}

// simple adds the layer of a program that depends only on origin and
// date (IEEPA, Section 122, fees), applying its exemptions.
func (c *calc) simple(program string) {
	m := c.t.find(c.in.Country, c.in.EntryDate, func(r *Measure) bool { return r.Program == program })
	if m == nil {
		return
	}
	if m.Status == "note" {
		for _, n := range m.Notes {
			c.res.Notes = append(c.res.Notes, Note{Text: n, Source: m.Source, Confidence: m.Confidence})
		}
		return
	}
	if m.Transport != "" && m.Transport != c.in.Transport {
		if program == "hmf" {
			c.res.Notes = append(c.res.Notes, Note{Text: "No harbor maintenance fee: it applies only to cargo unloaded from a vessel at a U.S. port.", Source: m.Source, Confidence: m.Confidence})
		}
		return
	}
	l := fromMeasure(m)
	if l.Reason == "" {
		c.apply(&l, m.rate.AdValorem, c.in.CustomsValue, "Customs value")
		c.clamp(&l, m)
	}
	if r := c.t.rule(c.t.Exemptions, program, c.in.Country, c.in.EntryDate, c.holds); r != nil {
		exempt(&l, r)
	}
	c.add(l)
}

// clamp applies a fee's minimum and maximum.
func (c *calc) clamp(l *Layer, m *Measure) {
	if m.MinCents == 0 && m.MaxCents == 0 {
		return
	}
	fy := m.FiscalYear
	switch {
	case l.Amount < m.MinCents:
		l.Working += fmt.Sprintf("; raised to the %s minimum of %s", fy, FormatCents(m.MinCents))
		l.Amount = m.MinCents
	case m.MaxCents > 0 && l.Amount > m.MaxCents:
		l.Working += fmt.Sprintf("; cut to the %s maximum of %s", fy, FormatCents(m.MaxCents))
		l.Amount = m.MaxCents
	default:
		l.Working += fmt.Sprintf(" (within the %s minimum %s and maximum %s)", fy, FormatCents(m.MinCents), FormatCents(m.MaxCents))
	}
}

// datedNotes adds the table's notes for this date, origin and line.
func (c *calc) datedNotes() {
	digits := strings.ReplaceAll(c.in.Line.Code, ".", "")
	for _, n := range c.t.DatedNotes {
		if !c.in.EntryDate.within(n.EffectiveFrom, n.EffectiveTo) || !inScope(c.t.expand(n.Countries), c.in.Country) {
			continue
		}
		if len(n.Prefixes) > 0 && !hasPrefix(digits, n.Prefixes) {
			continue
		}
		if n.Needs != "" && !slices.ContainsFunc(c.res.Layers, func(l Layer) bool { return l.Program == n.Needs && !l.Exempt }) {
			continue
		}
		if slices.ContainsFunc(c.res.Layers, func(l Layer) bool { return slices.Contains(n.Unless, l.Program) }) {
			continue
		}
		c.res.Notes = append(c.res.Notes, Note{Text: n.Text, Source: n.Source, Confidence: n.Confidence})
	}
	c.res.Notes = append(c.res.Notes,
		Note{Text: "Computed on the entry date. In-transit rules, exclusions and other special cases in the Chapter 99 texts are not modelled. This is a teaching tool, not a ruling: CBP decides the duty owed."})
}

// totals adds up the computed layers and the sources legend.
func (c *calc) totals() {
	r := c.res
	for _, l := range r.Layers {
		if !l.Computed {
			continue
		}
		if l.Fee {
			r.Fees += l.Amount
		} else {
			r.Duties += l.Amount
		}
	}
	r.Total = r.Duties + r.Fees
	r.DutyRate = PercentOf(r.Duties, c.in.CustomsValue)
	r.TotalRate = PercentOf(r.Total, c.in.CustomsValue)
	if r.Incomplete {
		r.Warnings = append(r.Warnings, "Some layers cannot be computed (marked below): the totals leave them out, so the duty owed is higher than shown.")
	}
	keys := make([]string, 0, len(c.t.Sources))
	for k := range c.t.Sources {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.Sources = append(r.Sources, Source{Key: k, Text: c.t.Sources[k]})
	}
}

// AmountText is the layer's amount in dollars ("$2,500.00").
func (l Layer) AmountText() string { return FormatCents(l.Amount) }

// BaseText is the layer's base in dollars, or "" when it has none.
func (l Layer) BaseText() string {
	if l.Base == "" {
		return ""
	}
	return FormatCents(l.BaseCents)
}

// DutiesText, FeesText and TotalText are the totals in dollars.
func (r *Result) DutiesText() string { return FormatCents(r.Duties) }

// FeesText is the fees total in dollars.
func (r *Result) FeesText() string { return FormatCents(r.Fees) }

// TotalText is the grand total in dollars.
func (r *Result) TotalText() string { return FormatCents(r.Total) }
