package origin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Case is a worked example written as a fenced ```origin block in a lesson:
// the request, and the verdict (and reason) the lesson states.
type Case struct {
	Request Request
	Verdict string // VerdictOriginating or VerdictNotOriginating
	Reason  string // the lesson's explanation; shown, not compared
}

// blockYAML is the block layout. Scalars are decoded as their source text, so
// "12.00" stays exact and "8471.30" keeps its trailing zero.
type blockYAML struct {
	Good             string      `yaml:"good"`
	Rule             string      `yaml:"rule"`
	RVCTV            string      `yaml:"rvc_tv"`
	RVCNC            string      `yaml:"rvc_nc"`
	TransactionValue string      `yaml:"transaction_value"`
	NetCost          string      `yaml:"net_cost"`
	Inputs           []inputYAML `yaml:"inputs"`
	Verdict          string      `yaml:"verdict"`
	Reason           string      `yaml:"reason"`
}

type inputYAML struct {
	Code   string `yaml:"code"`
	Origin string `yaml:"origin"`
	Value  string `yaml:"value"`
}

// ParseBlock parses the body of an ```origin block (YAML). Unknown keys are
// errors, so a typo in a lesson fails its test; the verdict must be
// "originating" or "not originating".
func ParseBlock(b []byte) (Case, error) {
	var y blockYAML
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&y); err != nil {
		return Case{}, fmt.Errorf("parse origin block: %w", err)
	}
	v := strings.ToLower(strings.TrimSpace(y.Verdict))
	switch v {
	case VerdictOriginating, VerdictNotOriginating:
	case "non-originating", "not_originating":
		v = VerdictNotOriginating
	case "":
		return Case{}, errors.New("parse origin block: verdict is required")
	default:
		return Case{}, fmt.Errorf("parse origin block: verdict %q must be %q or %q", y.Verdict, VerdictOriginating, VerdictNotOriginating)
	}
	c := Case{
		Request: Request{
			Good: y.Good, Rule: y.Rule, RVCTV: y.RVCTV, RVCNC: y.RVCNC,
			TransactionValue: y.TransactionValue, NetCost: y.NetCost,
		},
		Verdict: v,
		Reason:  strings.TrimSpace(y.Reason),
	}
	for _, in := range y.Inputs {
		c.Request.Inputs = append(c.Request.Inputs, InputRequest(in))
	}
	return c, nil
}

// Run evaluates the case in the lab (its Table may be nil when the case
// gives its rule as a short code; with an Index, codes must exist).
func (c Case) Run(l Lab) (*Result, error) { return l.Evaluate(c.Request) }

// Check runs the case and returns an error when the lab's verdict differs
// from the one the lesson states.
func (c Case) Check(l Lab) (*Result, error) {
	res, err := c.Run(l)
	if err != nil {
		return nil, err
	}
	if res.Verdict != c.Verdict {
		return res, fmt.Errorf("verdict: got %q, want %q (lab's reason: %s)", res.Verdict, c.Verdict, res.Reason)
	}
	return res, nil
}

// ExtractBlocks returns the bodies of the ```origin fenced blocks of a
// Markdown document, in order.
func ExtractBlocks(md []byte) [][]byte {
	var out [][]byte
	var cur *bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		trim := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trim, "```") && strings.TrimSpace(strings.TrimPrefix(trim, "```")) == "origin":
			cur = &bytes.Buffer{}
		case cur != nil && trim == "```":
			out = append(out, cur.Bytes())
			cur = nil
		case cur != nil:
			cur.WriteString(line)
			cur.WriteByte('\n')
		}
	}
	return out
}
