package hts

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Paths of the bundled files inside the content tree.
const (
	bundledExport     = "hts/hts_2025_usitc_export.csv.gz"
	bundledHS         = "hts/hs2022_harmonized-system.csv.gz"
	bundledSections   = "hts/hs2022_sections.csv"
	bundledS301       = "hts/s301_product_lists.csv.gz"
	bundledS232Deriv  = "hts/s232_derivative_products.csv"
	bundledS232Copper = "hts/s232_copper_products.csv"
	bundledS232Annex  = "hts/s232_annex_products.csv"
	bundledAliases    = "hts/aliases.tsv"
)

// bundledEdition describes the export shipped in content/hts.
func bundledEdition() Edition {
	return Edition{
		Name:    "2025 HTSUS, April 2025 revision",
		Source:  "USITC HTS CSV export, as published in GitHub Oneusg/Customs htsdata.csv at commit 865eea7 (uploaded 2025-04-15); public domain (17 U.S.C. §105)",
		AsOf:    "2025-04",
		SHA256:  "96796831da912376e509dc09bacec8c0c78af59c17df94cdbaf2eac91acbdaf8",
		Bundled: true,
	}
}

// bundledActions describes the bundled Section 301/232 lists.
func bundledActions() ActionsInfo {
	return ActionsInfo{
		Source: "The Budget Lab at Yale, tariff-rate-tracker resources/ at commit 8315fff (2026-05-11), " +
			"curated from public USTR, Commerce and USITC Chapter 99 notes",
		License:       "MIT, Copyright (c) 2025-2026 The Budget Lab at Yale",
		S301AsOf:      "2026-02-28",
		SnapshotDate:  "2026-05-11",
		S232AnnexDate: "2026-04-06",
		Caution: "For teaching, not for computing duties: exclusions, stacking rules and dates still apply. " +
			"The 2026 Section 232 annex structure is only partly verified (a single secondary source).",
	}
}

// section is an HS section: a Roman numeral and its name.
type section struct{ Roman, Name string }

// reference is the data an Index is built with besides the export: the HS
// 2022 nomenclature, the tariff-action lists and the alias table.
type reference struct {
	sections  []section
	hs        map[string]hsEntry // digits → HS 2022 entry (2, 4, 6 digits)
	s301      map[string][]S301Listing
	s232      map[string][]S232Listing // prefix digits → listings
	aliases   []alias
	actions   ActionsInfo
	s301Codes int
}

// hsEntry is one HS 2022 row.
type hsEntry struct{ Section, Description string }

// US-only chapters and section of the HTSUS, which the HS lacks.
const (
	sectionUS   = "XXII"
	sectionUSNm = "Special classification provisions; temporary legislation; temporary modifications proclaimed pursuant to trade agreements legislation; additional import restrictions proclaimed pursuant to section 22 of the Agricultural Adjustment Act, as amended"
)

func usChapter(ch string) (string, bool) {
	switch ch {
	case "98":
		return "Special classification provisions", true
	case "99":
		return "Temporary legislation; temporary modifications proclaimed pursuant to trade agreements legislation; additional import restrictions proclaimed pursuant to section 22 of the Agricultural Adjustment Act, as amended", true
	}
	return "", false
}

// readFile reads a file of fsys, gunzipping names that end in .gz and
// dropping a UTF-8 byte-order mark.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	}
	return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), nil
}

// readCSV reads a CSV file with a header, checks the header and returns the
// records.
func readCSV(fsys fs.FS, name string, header ...string) ([][]string, error) {
	b, err := readFile(fsys, name)
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("read %s: header is not %s", name, strings.Join(header, ","))
	}
	return recs[1:], nil
}

// loadReference reads the HS nomenclature, the tariff-action lists and
// the aliases from the content tree.
func loadReference(fsys fs.FS) (*reference, error) {
	ref := &reference{hs: map[string]hsEntry{}, s301: map[string][]S301Listing{}, s232: map[string][]S232Listing{}, actions: bundledActions()}
	secs, err := readCSV(fsys, bundledSections, "section", "name")
	if err != nil {
		return nil, err
	}
	for _, r := range secs {
		// The HS file writes names in lower case ("live animals; animal products").
		name := r[1]
		if name != "" {
			name = strings.ToUpper(name[:1]) + name[1:]
		}
		ref.sections = append(ref.sections, section{Roman: r[0], Name: name})
	}
	ref.sections = append(ref.sections, section{Roman: sectionUS, Name: sectionUSNm})
	hs, err := readCSV(fsys, bundledHS, "section", "hscode", "description", "parent", "level")
	if err != nil {
		return nil, err
	}
	for _, r := range hs {
		// Pseudo-rows: TOTAL (level 5) and 99/9999/999999 of section TOTAL.
		if r[0] == "TOTAL" || r[1] == "TOTAL" || r[4] == "5" {
			continue
		}
		ref.hs[r[1]] = hsEntry{Section: r[0], Description: r[2]}
	}
	if err := ref.loadActions(fsys); err != nil {
		return nil, err
	}
	if ref.aliases, err = loadAliases(fsys); err != nil {
		return nil, err
	}
	return ref, nil
}

// s301Rate gives the additional duty of a list, as the data README states
// it; lists without a single rate are left blank.
func s301Rate(list string) string {
	switch list {
	case "1", "2", "3", "3_addl", "biden_25", "biden_25_jan25":
		return "25%"
	case "4A":
		return "7.5%"
	case "4B":
		return "15% (suspended)"
	case "biden_50", "biden_50_jan25":
		return "50%"
	case "biden_100":
		return "100%"
	}
	return ""
}

// S301ListName is how a list is called on the page: "List 3", "List 4A",
// "2024 four-year review (25%)".
func S301ListName(list string) string {
	switch {
	case list == "3_addl":
		return "List 3 (additional)"
	case list == "cranes_301":
		return "Ship-to-shore cranes (2025 maritime action)"
	case list == "biden_jan26":
		return "2024 four-year review, increase from January 2026"
	case strings.HasPrefix(list, "biden_"):
		rest := strings.TrimPrefix(list, "biden_")
		rate, when, _ := strings.Cut(rest, "_")
		name := "2024 four-year review (" + rate + "%)"
		if when == "jan25" {
			name = "2024 four-year review, increase from January 2025 (" + rate + "%)"
		}
		return name
	case len(list) <= 2:
		return "List " + list
	}
	return list
}

// Annex232Name is how a 232 annex is called: "Annex I-A".
func Annex232Name(annex string) string {
	switch annex {
	case "1a":
		return "Annex I-A"
	case "1b":
		return "Annex I-B"
	case "2":
		return "Annex II"
	case "3":
		return "Annex III"
	}
	return annex
}

// Annex232Meaning says what an annex does, as reported (partly verified).
func Annex232Meaning(annex string) string {
	switch annex {
	case "1a":
		return "core metals and close derivatives, reported at 50%"
	case "1b":
		return "downstream articles, reported at 25%"
	case "2":
		return "reported as removed from scope"
	case "3":
		return "reported as a 15% floor until 2027-12-31"
	}
	return ""
}

func (ref *reference) loadActions(fsys fs.FS) error {
	recs, err := readCSV(fsys, bundledS301, "hts8", "list", "ch99_code")
	if err != nil {
		return err
	}
	for i, r := range recs {
		if !allDigits(r[0]) || len(r[0]) != 8 {
			return fmt.Errorf("read %s: row %d: hts8 %q is not 8 digits", bundledS301, i+2, r[0])
		}
		ref.s301[r[0]] = append(ref.s301[r[0]], S301Listing{List: r[1], Ch99: r[2], Rate: s301Rate(r[1])})
	}
	ref.s301Codes = len(ref.s301)
	add := func(file string, i int, prefix string, l S232Listing) error {
		if !allDigits(prefix) || len(prefix) < 4 || len(prefix) > 10 {
			return fmt.Errorf("read %s: row %d: prefix %q is not 4 to 10 digits", file, i+2, prefix)
		}
		l.Prefix = dotted(prefix)
		ref.s232[prefix] = append(ref.s232[prefix], l)
		return nil
	}
	if recs, err = readCSV(fsys, bundledS232Deriv, "hts_prefix", "ch99_code", "derivative_type", "effective_date"); err != nil {
		return err
	}
	for i, r := range recs {
		if err := add(bundledS232Deriv, i, r[0], S232Listing{Metal: r[2], Ch99: r[1], Basis: "derivative", EffectiveDate: r[3]}); err != nil {
			return err
		}
	}
	if recs, err = readCSV(fsys, bundledS232Copper, "hts10", "ch99_code"); err != nil {
		return err
	}
	for i, r := range recs {
		if err := add(bundledS232Copper, i, r[0], S232Listing{Metal: "copper", Ch99: r[1], Basis: "copper", EffectiveDate: "2025-08-01"}); err != nil {
			return err
		}
	}
	if recs, err = readCSV(fsys, bundledS232Annex, "hts_prefix", "annex", "metal_type", "source", "effective_date"); err != nil {
		return err
	}
	for i, r := range recs {
		if err := add(bundledS232Annex, i, r[0], S232Listing{Metal: r[2], Annex: r[1], Basis: "annex", EffectiveDate: r[4]}); err != nil {
			return err
		}
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
