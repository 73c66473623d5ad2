package origin

import (
	"strings"
	"testing"
)

const briefBlock = `good: 8708.99.81
rule: CTH
transaction_value: 100.00
net_cost: 90.00
inputs:
  - code: 7326.90.86
    origin: CN
    value: 12.00
verdict: originating
reason: "The steel bracket of heading 7326 changes to heading 8708."
`

func TestParseBlockAndRun(t *testing.T) {
	t.Parallel()
	c, err := ParseBlock([]byte(briefBlock))
	if err != nil {
		t.Fatalf("ParseBlock: %v", err)
	}
	if c.Request.Good != "8708.99.81" || c.Request.Rule != "CTH" || c.Verdict != VerdictOriginating {
		t.Errorf("case: got %+v, want good 8708.99.81, rule CTH, originating", c)
	}
	if len(c.Request.Inputs) != 1 || c.Request.Inputs[0].Value != "12.00" {
		t.Fatalf("inputs: got %+v, want one worth 12.00 (kept as written)", c.Request.Inputs)
	}
	res, err := c.Check(Lab{Index: testIndex(t)})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if got := res.RVCByNC.Value.String(); got != "86.66%" {
		t.Errorf("RVC by NC: got %s, want 86.66%% (78/90, truncated)", got)
	}
}

func TestCheckCatchesWrongVerdict(t *testing.T) {
	t.Parallel()
	block := strings.Replace(briefBlock, "code: 7326.90.86", "code: 8708.99.53", 1)
	c, err := ParseBlock([]byte(block))
	if err != nil {
		t.Fatalf("ParseBlock: %v", err)
	}
	res, err := c.Check(Lab{Index: testIndex(t)})
	if err == nil {
		t.Fatalf("Check: got no error, want a verdict mismatch (input stays in heading 8708 and is above de minimis)")
	}
	if res == nil || res.Verdict != VerdictNotOriginating {
		t.Errorf("verdict: got %+v, want %q", res, VerdictNotOriginating)
	}
}

func TestParseBlockTableRuleAndNumbers(t *testing.T) {
	t.Parallel()
	block := `good: 8471.30
transaction_value: 400
inputs:
  - code: 8471.50
    origin: cn
    value: 40
verdict: originating
`
	c, err := ParseBlock([]byte(block))
	if err != nil {
		t.Fatalf("ParseBlock: %v", err)
	}
	if c.Request.Good != "8471.30" {
		t.Errorf("good: got %q, want %q (trailing zero kept)", c.Request.Good, "8471.30")
	}
	if _, err := c.Check(Lab{Table: testTable(t), Index: testIndex(t)}); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestParseBlockErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"typo key":    strings.Replace(briefBlock, "net_cost:", "netcost:", 1),
		"bad verdict": strings.Replace(briefBlock, "verdict: originating", "verdict: maybe", 1),
		"no verdict":  strings.Replace(briefBlock, "verdict: originating\n", "", 1),
		"not yaml":    "good: [8471\n",
	}
	for name, b := range cases {
		if _, err := ParseBlock([]byte(b)); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
}

func TestExtractBlocks(t *testing.T) {
	t.Parallel()
	md := "# Lesson\n\nText.\n\n```origin\n" + briefBlock + "```\n\n```go\nx := 1\n```\n\n```origin\ngood: 8471.30\n```\n"
	blocks := ExtractBlocks([]byte(md))
	if len(blocks) != 2 {
		t.Fatalf("blocks: got %d, want 2", len(blocks))
	}
	if string(blocks[0]) != briefBlock {
		t.Errorf("block 1: got %q, want %q", blocks[0], briefBlock)
	}
	if strings.TrimSpace(string(blocks[1])) != "good: 8471.30" {
		t.Errorf("block 2: got %q, want %q", blocks[1], "good: 8471.30")
	}
}

func TestParseAmountAndPercent(t *testing.T) {
	t.Parallel()
	good := map[string]Cents{"0": 0, "12": 1200, "12.5": 1250, "12.05": 1205, "1,234.56": 123456, "$7.00": 700}
	for s, want := range good {
		got, err := ParseAmount(s)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q): got %d, %v, want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-1", "1.234", "1.", ".5", "abc", "12345678901234"} {
		if _, err := ParseAmount(s); err == nil {
			t.Errorf("ParseAmount(%q): got no error, want one", s)
		}
	}
	if got := Cents(123456789).String(); got != "1,234,567.89" {
		t.Errorf("Cents.String: got %s, want 1,234,567.89", got)
	}
	p := percentOf(2, 3) // 66.666…%
	if got := p.String(); got != "66.66%" || p.Exact() {
		t.Errorf("percentOf(2,3): got %s exact %v, want 66.66%% not exact", got, p.Exact())
	}
	if !percentOf(60, 100).AtLeast(60) || percentOf(5999, 10000).AtLeast(60) {
		t.Errorf("AtLeast: want 60%% ≥ 60 and 59.99%% < 60")
	}
}
