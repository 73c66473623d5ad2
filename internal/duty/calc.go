// Package duty is the duty-stack calculator: given a tariff line, an origin,
// an entry date and a customs value, it lists each layer of duty and fee
// (MFN or USMCA rate, Section 301 including the 2026 forced-labor and
// Brazil actions, Section 232, IEEPA, Section 122, MPF, HMF) with its
// legal basis, Chapter 99 number, rate, base and amount. Every layer the
// table knows is in the result with a status: applied, not applied (with
// the reason) or "check" (known but not computable, which makes the
// result incomplete).
//
// The rules and rates live in a dated, versioned table (content/duty/
// measures.json); every row carries its dates, its public source
// (Executive Order or Proclamation with FR citation, CSMS number, USTR
// notice, HTSUS heading and edition) and its confidence, and anything not
// verified is labelled. Money is integer cents and rates are exact
// decimals (math/big), so totals are right to the cent.
//
// Also here: the worked cases (LoadCases, Case.Input, ParseBlock for the
// lessons' duty blocks) and the batch processor for IEEPA refund reviews
// (Table.RunBatch, BatchTemplate).
//
// The package is pure: no database, no HTTP, no clock. It imports no
// project package; handlers, lessons and the CLI import it.
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
	// LoadDate is the date the goods were loaded for export to the United
	// States, for in-transit rules; zero if not given.
	LoadDate Date
	// Declarations are facts about the goods that the code alone does not
	// settle: DeclUKInQuota, DeclFaceMask, DeclEVBattery, DeclTransshipped.
	Declarations []string
}

// Declarations an Input may carry.
const (
	// DeclUKInQuota: a UK passenger vehicle entered within the annual
	// quota of EO 14309 (9903.94.31).
	DeclUKInQuota = "uk_in_quota"
	// DeclFaceMask: a face mask of 6307.90.98 (Section 301 review rate).
	DeclFaceMask = "face_mask"
	// DeclEVBattery: a lithium-ion battery for electric vehicles of
	// 8507.60 (Section 301 review rate from 2024-09-27).
	DeclEVBattery = "ev_battery"
	// DeclTransshipped: goods CBP found transshipped to evade the
	// reciprocal duty (40%, 9903.02.01, EO 14326).
	DeclTransshipped = "transshipped"
)

// DeclarationCodes lists the declarations an Input may carry.
func DeclarationCodes() []string {
	return []string{DeclUKInQuota, DeclFaceMask, DeclEVBattery, DeclTransshipped}
}

// Layer statuses: every layer considered is applied, not applied (with
// the reason) or "check" (known of but not computable: the result is
// incomplete).
const (
	StatusApplied    = "applied"
	StatusNotApplied = "not_applied"
	StatusCheck      = "check"
)

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
	// Status is StatusApplied, StatusNotApplied or StatusCheck; Why says
	// why a layer is not applied or must be checked.
	Status string `json:"status"`
	Why    string `json:"why,omitempty"`
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
	Incomplete bool `json:"incomplete"`
	// FeesIncomplete is set when a fee (MPF) could not be computed; the
	// duties are unaffected.
	FeesIncomplete bool     `json:"fees_incomplete"`
	AsOf           Date     `json:"as_of"`
	Version        string   `json:"version"`
	Warnings       []string `json:"warnings"`
	Notes          []Note   `json:"notes"`
	Sources        []Source `json:"sources"`
	// QuantityUnit is set when the rate has a specific part: the unit the
	// quantity must be given in.
	QuantityUnit string `json:"quantity_unit,omitempty"`
	// NeedsContent lists the metals whose content value the result needs.
	NeedsContent []string `json:"needs_content,omitempty"`
}

// ValidationError maps input fields (country, date, value, steel,
// aluminum, copper, quantity, transport, class, usmca, declare,
// load_date) to messages.
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
	for _, d := range in.Declarations {
		if !slices.Contains(DeclarationCodes(), d) {
			errs["declare"] = "Choose declarations from the list."
		}
	}
	if !in.LoadDate.IsZero() && !in.EntryDate.IsZero() && in.EntryDate.Before(in.LoadDate) {
		errs["load_date"] = "The loading date cannot be after the entry date."
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
	// full232 is set when a Section 232 duty is charged on the full value;
	// content232 adds up the metal content of content-based derivative
	// layers, and contentUnknown is set when such a layer lacks it.
	full232        bool
	content232     int64
	contentUnknown bool
	digits         string
}

// Calculate builds the duty stack for in. Invalid input returns a
// ValidationError.
func (t *Table) Calculate(in Input) (*Result, error) {
	if errs := t.Validate(in); errs != nil {
		return nil, errs
	}
	c := &calc{t: t, in: in, res: &Result{AsOf: t.AsOf, Version: t.Version, Warnings: []string{}, Notes: []Note{}}}
	c.usmca = in.ClaimUSMCA && slices.Contains(t.Groups["USMCA"], in.Country)
	c.digits = strings.ReplaceAll(in.Line.Code, ".", "")
	c.dateWarnings()
	c.mfn()
	c.s301()
	c.s232Metals()
	c.s232Classes()
	for _, p := range []string{"ieepa_fentanyl", "ieepa_reciprocal", "ieepa_brazil", "ieepa_india", "s122", "s301_forced_labor", "s301_brazil", "mpf", "hmf"} {
		c.simple(p)
	}
	c.nonStacking()
	c.considered()
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
	switch {
	case !l.Computed && !l.Exempt:
		l.Status = StatusCheck
		if l.Why == "" {
			l.Why = l.Reason
		}
		if l.Fee {
			c.res.FeesIncomplete = true
		} else {
			c.res.Incomplete = true
		}
	case l.Exempt || l.Why != "" && l.Amount == 0:
		l.Status = StatusNotApplied
	default:
		l.Status = StatusApplied
	}
	c.res.Layers = append(c.res.Layers, l)
}

// find is Table.find limited to rows whose code prefixes and declaration
// fit the input.
func (c *calc) find(keep func(*Measure) bool) *Measure {
	return c.t.find(c.in.Country, c.in.EntryDate, func(m *Measure) bool {
		return keep(m) && (len(m.Prefixes) == 0 || hasPrefix(c.digits, m.Prefixes)) &&
			(m.Declaration == "" || slices.Contains(c.in.Declarations, m.Declaration))
	})
}

// rule is Table.rule for this input.
func (c *calc) rule(rs []Rule, program string) *Rule {
	return c.t.rule(rs, program, c.in.Country, c.digits, c.in.EntryDate, c.holds)
}

// ruleText fills a rule note's {code} with the line's code.
func (c *calc) ruleText(r *Rule) string {
	return strings.ReplaceAll(r.Note, "{code}", c.in.Line.Code)
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
func (c *calc) exempt(l *Layer, r *Rule) {
	l.Exempt, l.Computed, l.Amount, l.Reason, l.Working = true, true, 0, "", ""
	l.Why = c.ruleText(r)
	// Nothing is charged, so the row's own doubts (its rate, its dates) no
	// longer matter: the exemption's confidence is the layer's.
	l.Confidence, l.Cautions = r.Confidence, nil
	if r.Caution != "" {
		l.Cautions = append(l.Cautions, r.Caution)
	}
	l.Source += "; " + r.Source
}

// check turns a layer into "check" under a not-computable rule.
func (c *calc) check(l *Layer, r *Rule) {
	l.Computed, l.Exempt, l.Amount, l.Working = false, false, 0, ""
	l.Reason = c.ruleText(r)
	l.Why = l.Reason
	l.Confidence = weaker(l.Confidence, r.Confidence)
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
	case when == "s232_full":
		// Charged on the full value; content-based derivatives are split
		// by contentSplit instead.
		return c.full232
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
		Confidence: Verified, Source: editionOr(ln.Edition) + " (" + ln.Code + ")"}
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

// editionOr names the schedule a Column 1 rate comes from: the legend key
// of the bundled 2025 edition ("2025 HTSUS, April 2025 revision") unless
// the line names another edition.
func editionOr(e string) string {
	if e == "" || strings.HasPrefix(e, "2025 HTSUS") {
		return "HTSUS 2025"
	}
	return e
}

// s301 adds a layer per Section 301 listing of the line (China only). A
// four-year-review rate replaces the list rate: only the newest review
// row is charged. Where the table's review annex names the line's 8-digit
// code, its entries (each with its own start date, some limited to an
// article such as face masks) replace the bundled review listings.
func (c *calc) s301() {
	if !slices.ContainsFunc(c.t.Measures, func(m Measure) bool { return m.Program == "s301" && c.t.covers(m, c.in.Country) }) {
		return
	}
	hts8 := c.digits
	if len(hts8) > 8 {
		hts8 = hts8[:8]
	}
	var annex []S301ReviewLine
	for _, r := range c.t.S301Review {
		if r.HTS8 == hts8 {
			annex = append(annex, r)
		}
	}
	listings := c.in.Line.S301
	if len(annex) > 0 {
		listings = slices.DeleteFunc(slices.Clone(listings), func(ls S301Listing) bool { return strings.HasPrefix(ls.Ch99, "9903.91.") })
		for _, r := range annex {
			if !c.in.EntryDate.within(r.EffectiveFrom, r.EffectiveTo) {
				continue
			}
			if r.Only != "" && !slices.Contains(c.in.Declarations, r.Only) {
				c.add(Layer{Program: "s301", Label: "Section 301, four-year review (" + r.What + ")", LegalBasis: "Trade Act of 1974 §301; USTR four-year review (final notice 2024-09-13)",
					Ch99: r.Ch99, RateText: r.Rate, Computed: true, Confidence: Verified, Source: "USTR 2024 review; HTSUS 2026 r20 (" + r.Ch99 + ")",
					Why: fmt.Sprintf("the %s rate under %s covers only %s of %s; the goods were not declared as such, so the list rate stays.", r.Rate, r.Ch99, r.What, c.in.Line.Code)})
				continue
			}
			listings = append(listings, S301Listing{List: "review", Ch99: r.Ch99})
		}
	}
	if len(listings) == 0 {
		return
	}
	var layers []Layer
	var tiers []*Measure
	for _, ls := range listings {
		m := c.find(func(m *Measure) bool { return m.Program == "s301" && m.S301Ch99 == ls.Ch99 })
		if m == nil {
			if slices.ContainsFunc(c.t.Measures, func(m Measure) bool { return m.S301Ch99 == ls.Ch99 }) {
				c.res.Notes = append(c.res.Notes, Note{Text: fmt.Sprintf("Section 301 list %s (%s) covers this line but was not in force on %s.", ls.List, ls.Ch99, c.in.EntryDate), Confidence: Verified})
				continue
			}
			l := Layer{Program: "s301", Label: "Section 301 (" + ls.List + ")", LegalBasis: "Trade Act of 1974 §301 (China)", Ch99: ls.Ch99, RateText: "—",
				Confidence: Unverified, Source: "USTR 301 lists",
				Reason: fmt.Sprintf("the line is listed under %s (list %q), which is not in our verified measures.", ls.Ch99, ls.List)}
			layers, tiers = append(layers, l), append(tiers, nil)
			continue
		}
		l := fromMeasure(m)
		if m.Status == "suspended" {
			l.Computed, l.Exempt, l.RateText = true, true, "Suspended"
			l.Why = "List 4B was suspended and never applied: nothing is owed under 9903.88.16."
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
			l.Why = fmt.Sprintf("the four-year-review rate under %s (%s) replaces this rate.", newest.Ch99, newest.Rate)
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
		var extra *ExtraDerivative
		if annex == nil && deriv == nil && listed == nil {
			for i := range scope.ExtraDerivatives {
				e := &scope.ExtraDerivatives[i]
				if hasPrefix(digits, e.Prefixes) && !c.in.EntryDate.Before(e.EffectiveFrom) {
					extra = e
					deriv = &S232Listing{Metal: metal, Ch99: e.Ch99, Basis: "derivative", EffectiveDate: e.EffectiveFrom.String()}
					break
				}
			}
		}
		program := "s232_" + metal
		var m *Measure
		var used *S232Listing
		pick := func(coverage, annexCode string) bool {
			m = c.find(func(r *Measure) bool {
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
		if m == nil && !core && deriv == nil && annex == nil && listed == nil && c.checkCoverage(program, metal, scope, digits) {
			continue
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
		if extra != nil {
			l.Confidence = weaker(l.Confidence, extra.Confidence)
			if extra.Caution != "" {
				l.Cautions = append(l.Cautions, extra.Caution)
			}
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
		if r := c.rule(c.t.Exemptions, program); r != nil {
			c.exempt(&l, r)
		} else if m.rate.AdValorem == nil || m.rate.AdValorem.Sign() > 0 {
			c.subject232 = true
			switch {
			case !l.Computed:
				c.contentUnknown = true
			case strings.HasPrefix(l.Base, "Customs value"):
				c.full232 = true
			default:
				c.content232 += l.BaseCents
			}
		}
		c.add(l)
	}
}

// checkCoverage adds a "check" layer when the line falls under codes
// whose Section 232 coverage is unknown on the entry date (derivative
// lists not in our data); it reports whether it did.
func (c *calc) checkCoverage(program, metal string, scope MetalScope, digits string) bool {
	for _, cp := range scope.CheckPrefixes {
		if hasPrefix(digits, cp.Prefixes) && c.in.EntryDate.within(cp.EffectiveFrom, cp.EffectiveTo) {
			c.add(Layer{Program: program, Label: "Section 232, " + metal + " derivatives", LegalBasis: "Trade Expansion Act of 1962 §232",
				RateText: "—", Reason: cp.Text, Confidence: Partly, Source: "Proc 10895/10896"})
			return true
		}
	}
	return false
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
	m := c.find(func(r *Measure) bool { return r.ProductClass == c.in.ProductClass })
	if m == nil {
		for i := range c.t.Measures {
			if r := &c.t.Measures[i]; r.ProductClass == c.in.ProductClass {
				c.add(Layer{Program: r.Program, Label: programLabel(r.Program, r), LegalBasis: r.LegalBasis, RateText: "—", Computed: true,
					Confidence: Verified, Source: r.Source, Why: fmt.Sprintf("the Section 232 action for the chosen product class was not in force on %s for goods of %s.", c.in.EntryDate, c.t.CountryName(c.in.Country))})
				return
			}
		}
		return
	}
	l := fromMeasure(m)
	if r := c.rule(c.t.NotComputable, m.Program); r != nil && l.Reason == "" {
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
	if r := c.rule(c.t.Exemptions, m.Program); r != nil {
		c.exempt(&l, r)
	} else {
		c.subject232, c.full232 = true, true
	}
	c.add(l)
}

// simple adds the layer of a program that depends only on origin, date
// and code (IEEPA, Section 122, the 2026 Section 301 actions, fees),
// applying its floor, in-transit rule, exemptions and checks.
func (c *calc) simple(program string) {
	m := c.find(func(r *Measure) bool { return r.Program == program })
	if m == nil {
		return
	}
	if m.Status == "note" {
		for _, n := range m.Notes {
			c.res.Notes = append(c.res.Notes, Note{Text: n, Source: m.Source, Confidence: m.Confidence})
		}
		return
	}
	l := fromMeasure(m)
	if m.Transport != "" && m.Transport != c.in.Transport {
		l.Computed, l.RateText = true, "—"
		l.Why = "it applies only to cargo unloaded from a vessel at a U.S. port."
		c.add(l)
		return
	}
	if l.Reason == "" {
		pct := m.rate.AdValorem
		if it := m.InTransit; it != nil && c.in.EntryDate.Before(it.EnteredBefore) {
			switch {
			case c.in.LoadDate.IsZero():
				l.Cautions = append(l.Cautions, fmt.Sprintf("In-transit rule: %s. Enter the loading date if it applies.", it.Text))
			case c.in.LoadDate.Before(it.LoadedBefore):
				pct, l.Ch99, l.RateText = it.rate, it.Ch99, FormatPercent(it.rate)
				l.Notes = append(l.Notes, "In-transit rule applied: "+it.Text+".")
				l.Confidence = weaker(l.Confidence, it.Confidence)
				if it.Caution != "" {
					l.Cautions = append(l.Cautions, it.Caution)
				}
				if it.rate.Sign() == 0 {
					l.Why = "in transit: " + it.Text + "."
				}
			}
		}
		if m.allInFloor != nil && l.Why == "" {
			pct = c.floor(&l, m)
		}
		if pct != nil && l.Reason == "" {
			c.apply(&l, pct, c.in.CustomsValue, "Customs value")
			c.clamp(&l, m)
		}
	}
	if r := c.rule(c.t.Exemptions, program); r != nil {
		c.exempt(&l, r)
	}
	if program == "ieepa_reciprocal" && !l.Exempt && l.Computed {
		c.contentSplit(&l, m)
	}
	if r := c.rule(c.t.NotComputable, program); r != nil && !l.Exempt && l.Amount > 0 {
		c.check(&l, r)
	}
	c.add(l)
}

// floor computes an all-in floor layer's rate: the floor minus the MFN ad
// valorem rate, or nil (with the reason set) when nothing is owed or the
// MFN rate is not ad valorem.
func (c *calc) floor(l *Layer, m *Measure) *big.Rat {
	if c.mfnAV == nil {
		l.Reason = fmt.Sprintf("the %s all-in rule needs an ad valorem Column 1 rate; this line's rate has a specific part.", m.AllInFloor)
		l.RateText = m.AllInFloor + " all-in"
		return nil
	}
	room := new(big.Rat).Sub(m.allInFloor, c.mfnAV)
	if room.Sign() <= 0 {
		l.Ch99, l.RateText, l.Computed = m.Ch99AtFloor, "0%", true
		l.Why = fmt.Sprintf("the Column 1 rate of %s is at or above the %s all-in rate, so nothing is added (%s).", FormatPercent(c.mfnAV), m.AllInFloor, m.Ch99AtFloor)
		return nil
	}
	l.RateText = FormatPercent(room)
	l.Notes = append(l.Notes, fmt.Sprintf("%s all-in: %s minus the Column 1 rate of %s leaves %s (%s).", m.AllInFloor, m.AllInFloor, FormatPercent(c.mfnAV), FormatPercent(room), m.Ch99))
	return room
}

// contentSplit charges the reciprocal duty of a content-based Section 232
// derivative on its non-metal value only (from 2025-06-04, CBP CSMS
// #65829726); when a Section 232 duty is charged on the full value the
// exemption rule (9903.01.33) has already zeroed the layer.
func (c *calc) contentSplit(l *Layer, m *Measure) {
	if c.full232 || (c.content232 == 0 && !c.contentUnknown) {
		return
	}
	switch {
	case c.in.EntryDate.Before(MustDate("2025-06-04")):
		l.Computed, l.Amount, l.Working = false, 0, ""
		l.Reason = "the goods are a Section 232 derivative charged on their metal content; how the reciprocal duty treated the non-metal content before 2025-06-04 is not in our verified sources."
	case c.contentUnknown:
		l.Computed, l.Amount, l.Working = false, 0, ""
		l.Reason = "from 2025-06-04 the reciprocal duty applies to the non-metal content of a Section 232 derivative: enter the metal content value."
	default:
		pct := m.rate.AdValorem
		if l.RateText != m.Rate {
			pct = mustRat(strings.TrimSuffix(l.RateText, "%"))
		}
		c.apply(l, pct, c.in.CustomsValue-c.content232, "Customs value less metal content")
		l.Notes = append(l.Notes, "Only the metal content escapes the reciprocal duty (CBP CSMS #65829726): charged on the non-metal value.")
		if l.Amount == 0 {
			l.Why = "the whole customs value is metal content charged under Section 232, so no value is left for the reciprocal duty."
		}
	}
}

// nonStacking applies EO 14289 (retroactive to 2025-03-04): a Section
// 232 autos/parts duty excludes the Canada/Mexico IEEPA duty and 232
// steel/aluminum; otherwise a Canada/Mexico IEEPA duty excludes 232
// steel/aluminum. "Subject to" means more than 0% is owed (CSMS #65054270).
func (c *calc) nonStacking() {
	if c.in.EntryDate.Before(MustDate("2025-03-04")) {
		return
	}
	owed := func(program string) bool {
		return slices.ContainsFunc(c.res.Layers, func(l Layer) bool { return l.Program == program && l.Status == StatusApplied && l.Amount > 0 })
	}
	usmcaIEEPA := slices.Contains(c.t.Groups["USMCA"], c.in.Country) && owed("ieepa_fentanyl")
	auto := owed("s232_auto") || owed("s232_auto_part")
	for i := range c.res.Layers {
		l := &c.res.Layers[i]
		// A layer that must be checked is also excluded by the order of
		// precedence: it no longer needs checking.
		if l.Status != StatusApplied && l.Status != StatusCheck {
			continue
		}
		var why string
		switch {
		case auto && (l.Program == "s232_steel" || l.Program == "s232_aluminum"):
			why = "EO 14289 (90 FR 18907): the Section 232 autos/parts duty applies, so the " + strings.TrimPrefix(l.Program, "s232_") + " duty does not."
		case auto && l.Program == "ieepa_fentanyl" && slices.Contains(c.t.Groups["USMCA"], c.in.Country):
			why = "EO 14289 (90 FR 18907): the Section 232 autos/parts duty applies, so the Canada/Mexico IEEPA duty does not."
		case !auto && usmcaIEEPA && (l.Program == "s232_steel" || l.Program == "s232_aluminum"):
			why = "EO 14289 (90 FR 18907): the Canada/Mexico IEEPA duty applies, so the Section 232 " + strings.TrimPrefix(l.Program, "s232_") + " duty does not."
		}
		if why != "" {
			l.Amount, l.Exempt, l.Computed, l.Working, l.Status, l.Why, l.Reason = 0, true, true, "", StatusNotApplied, why, ""
			l.Source += "; EO 14289"
		}
	}
	c.res.Incomplete = slices.ContainsFunc(c.res.Layers, func(l Layer) bool { return l.Status == StatusCheck && !l.Fee })
}

// considered adds a "not applied" layer, with the reason, for each
// program the table knows that produced no layer for this input, so
// that the stack shows everything that was checked.
func (c *calc) considered() {
	classPrograms := []string{"s232_auto", "s232_auto_part", "s232_mhd_truck", "s232_bus", "s232_wood"}
	for _, p := range programs {
		if slices.ContainsFunc(c.res.Layers, func(l Layer) bool { return l.Program == p }) || slices.Contains(classPrograms, p) {
			continue
		}
		var any, here *Measure
		for i := range c.t.Measures {
			m := &c.t.Measures[i]
			if m.Program != p {
				continue
			}
			if any == nil {
				any = m
			}
			if c.t.covers(*m, c.in.Country) {
				here = m
				if c.in.EntryDate.within(m.EffectiveFrom, m.EffectiveTo) {
					break
				}
			}
		}
		if any == nil {
			continue
		}
		l := Layer{Program: p, Label: programLabel(p, any), LegalBasis: any.LegalBasis, RateText: "—", Computed: true, Confidence: Verified, Source: any.Source}
		switch {
		case p == "s301" && here != nil:
			l.Why = fmt.Sprintf("%s is not on a Section 301 list in our data.", c.in.Line.Code)
		case strings.HasPrefix(p, "s232_") && here != nil:
			l.Why = fmt.Sprintf("%s is not covered by the Section 232 %s measures in our data on %s.", c.in.Line.Code, strings.TrimPrefix(p, "s232_"), c.in.EntryDate)
		case here == nil:
			l.Why = fmt.Sprintf("it does not apply to goods of %s.", c.t.CountryName(c.in.Country))
		case c.in.EntryDate.within(here.EffectiveFrom, here.EffectiveTo) && here.Status == "note" && len(here.Notes) > 0:
			l.Why, l.Source, l.Confidence = here.Notes[0], here.Source, here.Confidence
		case c.in.EntryDate.within(here.EffectiveFrom, here.EffectiveTo):
			l.Why = "no row of the table covers this line on this date."
			l.Source = here.Source
		case c.in.EntryDate.Before(here.EffectiveFrom):
			l.Why = fmt.Sprintf("not yet in force on %s.", c.in.EntryDate)
			l.Source = here.Source
		default:
			l.Why = fmt.Sprintf("no longer in force on %s.", c.in.EntryDate)
			l.Source = here.Source
		}
		c.add(l)
	}
}

// programLabel names a program for a "not applied" layer.
func programLabel(p string, m *Measure) string {
	switch p {
	case "s301":
		return "Section 301 (China)"
	case "ieepa_fentanyl":
		return "IEEPA fentanyl duty"
	case "ieepa_reciprocal":
		return "IEEPA reciprocal duty"
	case "s301_forced_labor":
		return "Section 301 forced-labor duty"
	}
	if i := strings.Index(m.Label, " ("); i > 0 {
		return m.Label[:i]
	}
	return m.Label
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
		if n.Needs != "" && !slices.ContainsFunc(c.res.Layers, func(l Layer) bool { return l.Program == n.Needs && l.Status == StatusApplied }) {
			continue
		}
		if len(n.NeedsAny) > 0 && !slices.ContainsFunc(c.res.Layers, func(l Layer) bool {
			return slices.Contains(n.NeedsAny, l.Program) && l.Status == StatusApplied && l.Amount > 0
		}) {
			continue
		}
		if slices.ContainsFunc(c.res.Layers, func(l Layer) bool { return slices.Contains(n.Unless, l.Program) && l.Status != StatusNotApplied }) {
			continue
		}
		c.res.Notes = append(c.res.Notes, Note{Text: n.Text, Source: n.Source, Confidence: n.Confidence})
	}
	c.res.Notes = append(c.res.Notes,
		Note{Text: "Computed on the entry date (and the loading date, where an in-transit rule needs it). Section 301 product exclusions, AD/CVD and other special cases in the Chapter 99 texts are not modelled. This is a teaching tool, not a ruling: CBP decides the duty owed."})
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
		r.Warnings = append(r.Warnings, "Some layers must be checked (marked below): the totals leave them out, so the duty owed may be higher than shown.")
	}
	if r.FeesIncomplete {
		r.Warnings = append(r.Warnings, "A fee cannot be computed (marked below): the fees total leaves it out.")
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

// Summary is the layer in one line for a broker: "IEEPA reciprocal duty
// — not applied: 8471.30.01 is on the electronics exclusion list …".
func (l Layer) Summary() string {
	switch l.Status {
	case StatusApplied:
		s := l.Label + " — applied: " + l.RateText
		if l.Ch99 != "" {
			s += " under " + l.Ch99
		}
		return s + ", " + FormatCents(l.Amount)
	case StatusCheck:
		return l.Label + " — check: " + l.Why
	}
	return l.Label + " — not applied: " + l.Why
}

// StatusText is the status as shown on the page.
func (l Layer) StatusText() string {
	switch l.Status {
	case StatusApplied:
		return "Applied"
	case StatusCheck:
		return "Check"
	}
	return "Not applied"
}

// ConfidenceText is the confidence label as shown on the page.
func (l Layer) ConfidenceText() string {
	switch l.Confidence {
	case Verified:
		return "Verified"
	case Partly:
		return "Partly verified"
	}
	return "Not verified"
}

// ByStatus returns the layers with the given status, in stack order.
func (r *Result) ByStatus(status string) []Layer {
	var out []Layer
	for _, l := range r.Layers {
		if l.Status == status {
			out = append(out, l)
		}
	}
	return out
}

// SourceText expands a layer's source keys ("EO 14326; HTSUS 2026 r20
// (9903.02.69)") with the legend's full citations, for the page.
func (r *Result) SourceText(l Layer) string {
	parts := strings.Split(l.Source, "; ")
	for i, p := range parts {
		key, rest, _ := strings.Cut(p, " (")
		for _, s := range r.Sources {
			if s.Key == key {
				parts[i] = s.Text
				if rest != "" {
					parts[i] += " (" + rest
				}
				break
			}
		}
	}
	return strings.Join(parts, "; ")
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
