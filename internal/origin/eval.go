package origin

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// Verdicts.
const (
	VerdictOriginating    = "originating"
	VerdictNotOriginating = "not originating"
)

// Step statuses.
const (
	StatusInfo = "info"
	StatusPass = "pass"
	StatusFail = "fail"
)

// DeMinimisPercent is the USMCA de minimis share (Art. 4.12): non-originating
// materials that fail the tariff shift may be disregarded when their value is
// no more than 10% of the good's transaction value or total cost.
const DeMinimisPercent = 10

// usmcaCountries are the parties whose inputs the lab treats as originating.
var usmcaCountries = map[string]bool{"US": true, "CA": true, "MX": true}

var countryRe = regexp.MustCompile(`^[A-Z]{2}$`)

// MaxInputs bounds the bill of materials; with amounts below 10^13 units the
// sums then stay far inside int64.
const MaxInputs = 200

// Request is the learner's input as typed: strings, so the web form can pass
// them through and get field errors back. Rule is a table key or a short
// code (CC, CTH, CTSH, NONE); empty means "look the good up in the table".
type Request struct {
	Good             string
	TransactionValue string // may be empty when only the net cost is known
	NetCost          string // may be empty when only the transaction value is known
	Rule             string
	RVCTV, RVCNC     string // thresholds for a short-code rule, in whole percent; may be empty
	Inputs           []InputRequest
}

// InputRequest is one bill-of-materials line as typed.
type InputRequest struct {
	Code   string
	Origin string // ISO 3166 alpha-2 country code
	Value  string
}

// ValidationError holds one message per bad field. Field names are "good",
// "transaction_value", "net_cost", "rule", "rvc_tv", "rvc_nc", "inputs" and
// "inputs[i].code" / ".origin" / ".value" (i from 0).
type ValidationError struct{ Fields map[string]string }

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid origin request: " + strings.Join(parts, "; ")
}

// Input is one validated bill-of-materials line with its status.
type Input struct {
	N           int // 1-based line number
	Code        hts.Code
	Origin      string
	Value       Cents
	Originating bool
}

// ShiftCheck is the tariff-shift verdict for one non-originating input.
type ShiftCheck struct {
	Input int // 1-based line number
	Code  hts.Code
	Pass  bool
	Why   string
}

// DeMinimis is the de minimis test for the inputs that fail the shift.
type DeMinimis struct {
	Available bool   // false for goods where the lab cannot apply it (Chapters 50-63)
	Failing   Cents  // value of the non-originating inputs that fail the shift
	Detail    string // the comparison with the numbers filled in
	Met       bool
}

// RVC is one regional value content calculation.
type RVC struct {
	Method    string // "transaction value" or "net cost"
	Base      Cents  // TV or NC
	VNM       Cents
	Value     Percent
	Formula   string // "(TV − VNM) / TV × 100 = (100.00 − 12.00) / 100.00 × 100 = 88.00%"
	Threshold int    // 0 when not required by the alternative
}

// Met reports whether the RVC reaches its threshold.
func (r RVC) Met() bool { return r.Threshold > 0 && r.Value.AtLeast(r.Threshold) }

// AltResult is the outcome of one alternative of the rule.
type AltResult struct {
	Label       string // "A", "B", …
	Alternative Alternative
	Shifts      []ShiftCheck
	ShiftMet    bool // every input passes, or de minimis saves the failures
	DeMinimis   *DeMinimis
	RVCs        []RVC // the required methods, with their thresholds
	RVCMet      bool  // true when no RVC is required
	Met         bool
	Why         string
}

// Step is one line of the step-by-step explanation.
type Step struct {
	Title  string
	Detail string
	Status string // info, pass or fail
}

// Result is the full determination.
type Result struct {
	Good         hts.Code
	TV, NC       Cents
	HasTV, HasNC bool
	Rule         Rule
	Inputs       []Input
	VNM          Cents // value of all non-originating inputs
	RVCByTV      *RVC  // nil when no transaction value was given
	RVCByNC      *RVC  // nil when no net cost was given
	Alternatives []AltResult
	Originating  bool
	Verdict      string
	Reason       string
	Steps        []Step
}

// validated is a checked Request.
type validated struct {
	good         hts.Code
	tv, nc       Cents
	hasTV, hasNC bool
	rule         Rule
	inputs       []Input
}

// Lab evaluates requests against a rule table and, when Index is set, also
// checks that every code is a line of the tariff data.
type Lab struct {
	Table *Table     // may be nil when every request gives its rule as a short code
	Index *hts.Index // may be nil: codes are then checked for format only
}

// Evaluate validates req, finds the rule and decides origin. Bad input
// returns a *ValidationError; a good the table does not cover (with no rule
// given) is a validation error on "rule".
func (l Lab) Evaluate(req Request) (*Result, error) {
	v, err := validate(l.Table, l.Index, req)
	if err != nil {
		return nil, err
	}
	return v.decide(), nil
}

// Evaluate is Lab{Table: t}.Evaluate: codes are checked for format only.
func Evaluate(t *Table, req Request) (*Result, error) { return Lab{Table: t}.Evaluate(req) }

// checkCode parses a code of at least six digits and, with an index, checks
// that the tariff has it.
func checkCode(ix *hts.Index, s string) (hts.Code, string) {
	c, err := hts.ParseCode(s)
	if err != nil {
		return hts.Code{}, "unknown code format: " + err.Error()
	}
	if c.Level() < 6 {
		return hts.Code{}, "give at least the 6-digit subheading (e.g. 8471.30)"
	}
	if ix != nil {
		if _, err := ix.LookupCode(c); err != nil {
			return hts.Code{}, "unknown code: " + err.Error()
		}
	}
	return c, ""
}

func validate(t *Table, ix *hts.Index, req Request) (*validated, error) {
	errs := map[string]string{}
	v := &validated{}
	if c, msg := checkCode(ix, req.Good); msg != "" {
		errs["good"] = msg
	} else {
		v.good = c
	}
	if strings.TrimSpace(req.TransactionValue) != "" {
		if c, err := ParseAmount(req.TransactionValue); err != nil {
			errs["transaction_value"] = "transaction value " + err.Error()
		} else if c == 0 {
			errs["transaction_value"] = "transaction value must be more than zero"
		} else {
			v.tv, v.hasTV = c, true
		}
	}
	if strings.TrimSpace(req.NetCost) != "" {
		if c, err := ParseAmount(req.NetCost); err != nil {
			errs["net_cost"] = "net cost " + err.Error()
		} else if c == 0 {
			errs["net_cost"] = "net cost must be more than zero"
		} else {
			v.nc, v.hasNC = c, true
		}
	}
	if strings.TrimSpace(req.TransactionValue) == "" && strings.TrimSpace(req.NetCost) == "" {
		errs["transaction_value"] = "give the transaction value, the net cost or both"
	}
	if len(req.Inputs) == 0 {
		errs["inputs"] = "list at least one input (material)"
	}
	for i, in := range req.Inputs {
		f := fmt.Sprintf("inputs[%d].", i)
		li := Input{N: i + 1}
		if c, msg := checkCode(ix, in.Code); msg != "" {
			errs[f+"code"] = msg
		} else {
			li.Code = c
		}
		o := strings.ToUpper(strings.TrimSpace(in.Origin))
		switch {
		case o == "":
			errs[f+"origin"] = "origin is required (two-letter country code, e.g. CN)"
		case !countryRe.MatchString(o):
			errs[f+"origin"] = fmt.Sprintf("%q is not a two-letter country code", in.Origin)
		default:
			li.Origin = o
			li.Originating = usmcaCountries[o]
		}
		if c, err := ParseAmount(in.Value); err != nil {
			errs[f+"value"] = "value " + err.Error()
		} else {
			li.Value = c
		}
		v.inputs = append(v.inputs, li)
	}
	if len(req.Inputs) > MaxInputs {
		errs["inputs"] = fmt.Sprintf("at most %d inputs", MaxInputs)
	}
	v.rule = resolveRule(t, req, v.good, errs)
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	return v, nil
}

// resolveRule picks the explicit rule, or the table rule for the good.
func resolveRule(t *Table, req Request, good hts.Code, errs map[string]string) Rule {
	name := strings.TrimSpace(req.Rule)
	tv, tvErr := parsePct(req.RVCTV)
	nc, ncErr := parsePct(req.RVCNC)
	if tvErr != nil {
		errs["rvc_tv"] = tvErr.Error()
	}
	if ncErr != nil {
		errs["rvc_nc"] = ncErr.Error()
	}
	if name != "" && t != nil {
		if r, ok := t.Lookup(name); ok {
			if tv != 0 || nc != 0 {
				errs["rule"] = "a table rule carries its own RVC thresholds; leave rvc_tv and rvc_nc empty"
			}
			return r
		}
	}
	if name != "" {
		r, err := GivenRule(name, tv, nc)
		if err != nil {
			errs["rule"] = fmt.Sprintf("%q is neither a table key nor CC, CTH, CTSH or NONE: %v", name, err)
		}
		return r
	}
	if tv != 0 || nc != 0 {
		errs["rule"] = "RVC thresholds need a short-code rule (CC, CTH, CTSH or NONE)"
	}
	if good.IsZero() {
		return Rule{}
	}
	if t == nil {
		errs["rule"] = "no rule table loaded; give the rule"
		return Rule{}
	}
	r, err := t.Find(good)
	if err != nil {
		errs["rule"] = err.Error() + "; give the rule explicitly (e.g. CTH with RVC thresholds)"
	}
	return r
}

func parsePct(s string) (int, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100 {
		return 0, fmt.Errorf("%q must be a whole percentage from 1 to 100", s)
	}
	return n, nil
}

// decide runs the steps.
func (v *validated) decide() *Result {
	res := &Result{Good: v.good, TV: v.tv, NC: v.nc, HasTV: v.hasTV, HasNC: v.hasNC, Rule: v.rule, Inputs: v.inputs}

	// Step 1: the rule.
	src := v.rule.Citation
	if v.rule.URL != "" {
		src += " (" + v.rule.URL + ")"
	}
	res.step("Applicable rule", fmt.Sprintf("%s — %s. %s Source: %s.", v.rule.Key, v.rule.Title, v.rule.Text, src), StatusInfo)

	// Step 2: which inputs are non-originating.
	var nonOrig []Input
	for _, in := range v.inputs {
		if in.Originating {
			continue
		}
		nonOrig = append(nonOrig, in)
		res.VNM += in.Value
	}
	if len(nonOrig) == 0 {
		res.step("Non-originating inputs", "None: every input comes from the US, Canada or Mexico. (The lab takes an input's origin as given; in practice each must itself qualify, e.g. on the supplier's certification.)", StatusPass)
	} else {
		parts := make([]string, len(nonOrig))
		for i, in := range nonOrig {
			parts[i] = fmt.Sprintf("line %d %s from %s, %s", in.N, in.Code.Dotted(), in.Origin, in.Value)
		}
		res.step("Non-originating inputs", fmt.Sprintf("%d of %d inputs come from outside the US, Canada and Mexico: %s. VNM (value of non-originating materials) = %s.",
			len(nonOrig), len(v.inputs), strings.Join(parts, "; "), res.VNM), StatusInfo)
	}

	// RVC by both methods, shown whatever the rule requires.
	if v.hasTV {
		r := rvc("transaction value", "TV", v.tv, res.VNM)
		res.RVCByTV = &r
	}
	if v.hasNC {
		r := rvc("net cost", "NC", v.nc, res.VNM)
		res.RVCByNC = &r
	}

	for i, a := range v.rule.Alternatives {
		ar := v.alternative(a, nonOrig, res)
		ar.Label = string(rune('A' + i))
		res.Alternatives = append(res.Alternatives, ar)
	}

	// RVC by each method given, for reference, unless an alternative has
	// already shown it against its threshold.
	shown := map[string]bool{}
	for _, ar := range res.Alternatives {
		for _, r := range ar.RVCs {
			shown[r.Method] = true
		}
	}
	for _, m := range []*RVC{res.RVCByTV, res.RVCByNC} {
		if m != nil && !shown[m.Method] {
			res.step("RVC by "+m.Method+" (for reference)", m.Formula+".", StatusInfo)
		}
	}

	// Verdict.
	for _, ar := range res.Alternatives {
		if ar.Met {
			res.Originating, res.Verdict = true, VerdictOriginating
			res.Reason = ar.Why
			if len(res.Alternatives) > 1 {
				res.Reason = "Alternative " + ar.Label + " is met. " + ar.Why
			}
			break
		}
	}
	if !res.Originating {
		res.Verdict = VerdictNotOriginating
		whys := make([]string, len(res.Alternatives))
		for i, ar := range res.Alternatives {
			whys[i] = ar.Why
			if len(res.Alternatives) > 1 {
				whys[i] = ar.Label + ": " + ar.Why
			}
		}
		res.Reason = "No alternative of the rule is met. " + strings.Join(whys, " ")
		if len(res.Alternatives) == 1 {
			res.Reason = res.Alternatives[0].Why
		}
	}
	st := StatusFail
	if res.Originating {
		st = StatusPass
	}
	res.step("Verdict: "+res.Verdict, res.Reason, st)
	return res
}

func (res *Result) step(title, detail, status string) {
	res.Steps = append(res.Steps, Step{Title: title, Detail: detail, Status: status})
}

// rvc computes (base − VNM) / base × 100 with the numbers filled in.
func rvc(method, abbr string, base, vnm Cents) RVC {
	p := percentOf(base-vnm, base)
	approx := "="
	if !p.Exact() {
		approx = "≈"
	}
	return RVC{
		Method: method, Base: base, VNM: vnm, Value: p,
		Formula: fmt.Sprintf("RVC = (%s − VNM) / %s × 100 = (%s − %s) / %s × 100 %s %s",
			abbr, abbr, base, vnm, base, approx, p),
	}
}

// alternative checks one alternative and records its steps.
func (v *validated) alternative(a Alternative, nonOrig []Input, res *Result) AltResult {
	ar := AltResult{Alternative: a, ShiftMet: true, RVCMet: true}
	label := fmt.Sprintf("Alternative %c", 'A'+len(res.Alternatives))
	if len(v.rule.Alternatives) == 1 {
		label = "Rule"
	}
	res.step(label, "Requires: "+a.Describe()+".", StatusInfo)

	var failing Cents
	var failLines []string
	for _, in := range nonOrig {
		sc := shiftCheck(a, v.good, in)
		ar.Shifts = append(ar.Shifts, sc)
		st := StatusPass
		if !sc.Pass {
			st = StatusFail
			failing += in.Value
			failLines = append(failLines, strconv.Itoa(in.N))
		}
		res.step(fmt.Sprintf("Tariff shift, line %d (%s)", in.N, in.Code.Dotted()), sc.Why, st)
	}
	var whys []string
	if len(failLines) > 0 {
		dm := v.deMinimis(failing)
		ar.DeMinimis = &dm
		ar.ShiftMet = dm.Met
		st := StatusFail
		if dm.Met {
			st = StatusPass
		}
		res.step("De minimis (USMCA Art. 4.12)", dm.Detail, st)
		subj, plural := linesPhrase(failLines)
		if dm.Met {
			whys = append(whys, fmt.Sprintf("%s %s the tariff shift but %s within de minimis (%s)", subj, verb(plural, "fails", "fail"), verb(plural, "is", "are"), failing))
		} else {
			whys = append(whys, fmt.Sprintf("%s %s not make the required tariff shift and de minimis does not save %s", subj, verb(plural, "does", "do"), verb(plural, "it", "them")))
		}
	} else if len(nonOrig) > 0 {
		whys = append(whys, "every non-originating input makes the required tariff shift")
	} else {
		whys = append(whys, "there are no non-originating inputs")
	}

	if a.NeedsRVC() {
		ar.RVCMet = false
		var got []string
		if a.RVCTV > 0 && res.RVCByTV != nil {
			r := *res.RVCByTV
			r.Threshold = a.RVCTV
			ar.RVCs = append(ar.RVCs, r)
		}
		if a.RVCNC > 0 && res.RVCByNC != nil {
			r := *res.RVCByNC
			r.Threshold = a.RVCNC
			ar.RVCs = append(ar.RVCs, r)
		}
		for _, r := range ar.RVCs {
			ok := r.Met()
			ar.RVCMet = ar.RVCMet || ok
			cmp := "below"
			st := StatusFail
			if ok {
				cmp, st = "at or above", StatusPass
			}
			got = append(got, fmt.Sprintf("%s by %s is %s the %d%% minimum", r.Value, r.Method, cmp, r.Threshold))
			res.step(fmt.Sprintf("RVC by %s (minimum %d%%)", r.Method, r.Threshold), r.Formula+fmt.Sprintf(": %s the %d%% minimum.", cmp, r.Threshold), st)
		}
		if len(ar.RVCs) == 0 {
			got = append(got, "the RVC cannot be checked: give the "+missingBase(a, v))
			res.step("RVC", "This alternative needs an RVC, but the value it is measured on was not given: "+missingBase(a, v)+".", StatusFail)
		}
		whys = append(whys, strings.Join(got, "; "))
	}
	ar.Met = ar.ShiftMet && ar.RVCMet
	ar.Why = strings.Join(whys, "; ") + "."
	ar.Why = strings.ToUpper(ar.Why[:1]) + ar.Why[1:]
	return ar
}

func missingBase(a Alternative, v *validated) string {
	var want []string
	if a.RVCTV > 0 && !v.hasTV {
		want = append(want, "transaction value")
	}
	if a.RVCNC > 0 && !v.hasNC {
		want = append(want, "net cost")
	}
	return strings.Join(want, " or ")
}

// shiftCheck judges one non-originating input against the alternative.
func shiftCheck(a Alternative, good hts.Code, in Input) ShiftCheck {
	sc := ShiftCheck{Input: in.N, Code: in.Code}
	if m, s := inSets(a.allow, in.Code); m == matchYes {
		sc.Pass = true
		sc.Why = fmt.Sprintf("%s is from %s, which this alternative accepts without a change (its RVC must still be met).", in.Code.Dotted(), s)
		return sc
	}
	if m, s := inSets(a.except, in.Code); m != matchNo {
		if m == matchYes {
			sc.Why = fmt.Sprintf("%s is from %s, which the rule excludes: it does not qualify even though it may change classification.", in.Code.Dotted(), s)
		} else {
			sc.Why = fmt.Sprintf("%s may fall under the excluded %s; give the input's full code to decide. Counted as failing.", in.Code.Dotted(), s)
		}
		return sc
	}
	level, name := 0, ""
	switch a.Shift {
	case ShiftChapter:
		level, name = 2, "chapter"
	case ShiftHeading:
		level, name = 4, "heading"
	case ShiftSubheading:
		level, name = 6, "subheading"
	case ShiftAnyGood:
		sc.Pass = true
		sc.Why = fmt.Sprintf("%s is not excluded; this rule accepts a change from any other good (an input that is the same good as the finished good would not count).", in.Code.Dotted())
		return sc
	case ShiftNone:
		sc.Pass = true
		sc.Why = "No change in classification is required by this alternative."
		return sc
	}
	g, i := good.Truncate(level), in.Code.Truncate(level)
	if g != i {
		sc.Pass = true
		sc.Why = fmt.Sprintf("%s %s → %s %s: the %s changes.", name, i.Dotted(), name, g.Dotted(), name)
	} else {
		sc.Why = fmt.Sprintf("Input and good are both in %s %s: no change of %s.", name, g.Dotted(), name)
	}
	return sc
}

// deMinimis applies Art. 4.12 to the inputs that fail the shift. The article
// measures against the transaction value or the total cost; the lab uses the
// net cost entered, which is never more than the total cost, so a pass here
// also passes on total cost.
func (v *validated) deMinimis(failing Cents) DeMinimis {
	dm := DeMinimis{Available: true, Failing: failing}
	if ch := v.good.Digits()[:2]; ch >= "50" && ch <= "63" {
		dm.Available = false
		dm.Detail = "Not applied: for textile goods (Chapters 50–63) the de minimis test is by weight, which the lab does not model."
		return dm
	}
	var parts []string
	if v.hasTV {
		p := percentOf(failing, v.tv)
		ok := p.AtMost(DeMinimisPercent)
		dm.Met = dm.Met || ok
		parts = append(parts, fmt.Sprintf("%s / %s (TV) = %s %s %d%%", failing, v.tv, p, cmpWord(ok), DeMinimisPercent))
	}
	if v.hasNC {
		p := percentOf(failing, v.nc)
		ok := p.AtMost(DeMinimisPercent)
		dm.Met = dm.Met || ok
		parts = append(parts, fmt.Sprintf("%s / %s (NC) = %s %s %d%%", failing, v.nc, p, cmpWord(ok), DeMinimisPercent))
	}
	verdict := "more than 10%: de minimis does not apply"
	if dm.Met {
		verdict = "no more than 10%: these inputs are disregarded for the tariff shift (their value still counts in VNM for any RVC)"
	}
	dm.Detail = fmt.Sprintf("Non-originating inputs failing the shift are worth %s. %s — %s. (Listed exceptions in Art. 4.12, mainly agricultural, are not modeled.)",
		failing, strings.Join(parts, "; "), verdict)
	return dm
}

func cmpWord(ok bool) string {
	if ok {
		return "≤"
	}
	return ">"
}

// FieldErrors returns the per-field messages of a validation error, or nil.
func FieldErrors(err error) map[string]string {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

// linesPhrase names failing bill-of-materials lines: "the input on line 2"
// or "the inputs on lines 1, 3".
func linesPhrase(lines []string) (string, bool) {
	if len(lines) == 1 {
		return "the input on line " + lines[0], false
	}
	return "the inputs on lines " + strings.Join(lines, ", "), true
}

func verb(plural bool, one, many string) string {
	if plural {
		return many
	}
	return one
}
