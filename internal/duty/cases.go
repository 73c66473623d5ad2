package duty

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
)

// CasesFile is where the worked cases live in the content tree.
const CasesFile = "duty/cases.json"

// Case is one worked entry: the inputs, the expected layers and total
// duties (fees excluded), and the public source the answer rests on. The
// lessons reuse the cases for their worked stacks.
type Case struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Line is the tariff line as printed in the 2025 HTSUS, with its
	// Section 301 listings, so a case does not depend on the index.
	Line         Line              `json:"line"`
	Country      string            `json:"country"`
	Date         string            `json:"date"`
	LoadDate     string            `json:"load_date,omitempty"`
	Value        string            `json:"value"` // dollars, e.g. "10000.00"
	USMCA        bool              `json:"usmca,omitempty"`
	Class        string            `json:"class,omitempty"`
	Declarations []string          `json:"declarations,omitempty"`
	MetalContent map[string]string `json:"metal_content,omitempty"` // dollars by metal
	// Duties is the expected total of duties in dollars, fees excluded.
	Duties     string      `json:"duties"`
	Incomplete bool        `json:"incomplete,omitempty"`
	Layers     []CaseLayer `json:"layers"`
	Source     string      `json:"source"`
}

// CaseLayer is an expected layer: its program, status and, when applied,
// its amount in dollars and Chapter 99 number.
type CaseLayer struct {
	Program string `json:"program"`
	Status  string `json:"status"`
	Ch99    string `json:"ch99,omitempty"`
	Amount  string `json:"amount,omitempty"`
}

// LoadCases reads CasesFile from fsys (content.FS) and checks that every
// case has an id, a source, expected duties and valid inputs.
func LoadCases(fsys fs.FS) ([]Case, error) {
	b, err := fs.ReadFile(fsys, CasesFile)
	if err != nil {
		return nil, fmt.Errorf("duty: read cases: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var cs []Case
	if err := dec.Decode(&cs); err != nil {
		return nil, fmt.Errorf("duty: decode cases: %w", err)
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if c.ID == "" || seen[c.ID] || c.Source == "" {
			return nil, fmt.Errorf("duty: case %q: missing or repeated id, or no source", c.ID)
		}
		seen[c.ID] = true
		if _, err := c.Input(); err != nil {
			return nil, fmt.Errorf("duty: case %s: %w", c.ID, err)
		}
		if _, err := ParseDollars(c.Duties); err != nil {
			return nil, fmt.Errorf("duty: case %s: duties %q: %w", c.ID, c.Duties, err)
		}
	}
	return cs, nil
}

// Input builds the calculator input of the case (transport "other", so
// no harbor maintenance fee).
func (c Case) Input() (Input, error) {
	in := Input{Line: c.Line, Country: c.Country, ClaimUSMCA: c.USMCA, ProductClass: c.Class, Transport: TransportOther,
		Declarations: c.Declarations, MetalContent: map[string]int64{}}
	var err error
	if in.EntryDate, err = ParseDate(c.Date); err != nil {
		return Input{}, err
	}
	if c.LoadDate != "" {
		if in.LoadDate, err = ParseDate(c.LoadDate); err != nil {
			return Input{}, err
		}
	}
	if in.CustomsValue, err = ParseDollars(c.Value); err != nil {
		return Input{}, fmt.Errorf("value %q: %w", c.Value, err)
	}
	for m, v := range c.MetalContent {
		if in.MetalContent[m], err = ParseDollars(v); err != nil {
			return Input{}, fmt.Errorf("%s content %q: %w", m, v, err)
		}
	}
	return in, nil
}

// ExpectedDuties is the case's expected duties in cents.
func (c Case) ExpectedDuties() (int64, error) { return ParseDollars(c.Duties) }

// ParseBlock reads the body of a ```duty fenced block of a lesson:
//
//	code: 8471.30.0100
//	country: CN
//	date: 2025-05-01
//	value: 10000.00
//	duties: 2000.00
//
// Keys are code, country, date and value (required), duties (the expected
// total of duties in dollars, fees excluded; required), and optionally
// load_date, usmca (yes/no), class, declare (comma-separated
// declarations) and steel/aluminum/copper (content values in dollars).
// lookup turns the code into a Line (the handler or test passes the
// tariff index lookup). It returns the input and the expected duties in
// cents; errors name the line of the block.
func ParseBlock(body string, lookup func(code string) (Line, error)) (Input, int64, error) {
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for n := 1; sc.Scan(); n++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		k, v, ok := strings.Cut(s, ":")
		if !ok {
			return Input{}, 0, fmt.Errorf("duty block line %d: want key: value, got %q", n, s)
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, dup := kv[k]; dup {
			return Input{}, 0, fmt.Errorf("duty block line %d: key %q repeated", n, k)
		}
		kv[k] = strings.TrimSpace(v)
	}
	for _, k := range []string{"code", "country", "date", "value", "duties"} {
		if kv[k] == "" {
			return Input{}, 0, fmt.Errorf("duty block: %q is required", k)
		}
	}
	line, err := lookup(kv["code"])
	if err != nil {
		return Input{}, 0, fmt.Errorf("duty block: code %q: %w", kv["code"], err)
	}
	c := Case{Line: line, Country: strings.ToUpper(kv["country"]), Date: kv["date"], LoadDate: kv["load_date"], Value: kv["value"],
		USMCA: kv["usmca"] == "yes", Class: kv["class"], MetalContent: map[string]string{}}
	if d := kv["declare"]; d != "" {
		for _, x := range strings.Split(d, ",") {
			c.Declarations = append(c.Declarations, strings.TrimSpace(x))
		}
	}
	for _, m := range Metals {
		if v := kv[m]; v != "" {
			c.MetalContent[m] = v
		}
	}
	for k := range kv {
		switch k {
		case "code", "country", "date", "value", "duties", "load_date", "usmca", "class", "declare", "steel", "aluminum", "copper":
		default:
			return Input{}, 0, fmt.Errorf("duty block: unknown key %q", k)
		}
	}
	in, err := c.Input()
	if err != nil {
		return Input{}, 0, fmt.Errorf("duty block: %w", err)
	}
	want, err := ParseDollars(kv["duties"])
	if err != nil {
		return Input{}, 0, fmt.Errorf("duty block: duties %q: %w", kv["duties"], err)
	}
	return in, want, nil
}
