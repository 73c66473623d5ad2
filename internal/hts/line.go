// Package hts is the tariff reference: the Harmonized Tariff Schedule of the
// United States (with the HS 2022 chapters and subheadings it builds on and
// the Section 301/232 product lists) loaded once into an immutable, in-memory
// Index, with code parsing, level-by-level comparison and a search engine
// for the words traders use and for whole product descriptions (it ranks
// headings on the evidence a description leaves, then lines inside them,
// and explains each result: rank.go, why.go).
//
// The Index is built at start-up from the bundled files (content/hts) or
// from a newer USITC export imported into the database, and is safe for
// concurrent use after construction.
package hts

import (
	"errors"
	"time"
)

// Sentinel errors of Lookup and ParseCode.
var (
	// ErrMalformedCode means the input is not a code: wrong characters,
	// separators in the wrong place, or a digit count other than 2, 4, 6, 8, 10.
	ErrMalformedCode = errors.New("malformed code")
	// ErrUnknownCode means the code is well formed but not in the schedule.
	ErrUnknownCode = errors.New("unknown code")
)

// Line is one row of the schedule (chapter, heading, subheading, 8-digit
// rate line or 10-digit statistical line).
type Line struct {
	Code        string   // dotted: "8471", "8471.30", "8471.30.01", "8471.30.01.00"
	Digits      string   // "8471300100"
	Level       int      // 2, 4, 6, 8 or 10
	Indent      int      // indent as printed in the schedule (0 for lines the export does not print)
	Description string   // as printed, without a trailing colon
	Path        []string // ancestor descriptions, outermost first (chapter, heading, printed parents)
	Units       []string
	General     string // Column 1 General rate text as printed (inherited for 10-digit lines)
	Special     string // Column 1 Special, e.g. "Free (A,AU,...,S,SG)"
	Column2     string
	// RateSource is the dotted code the rates came from ("" when the line
	// carries no rates). A statistical row that prints only some columns
	// names itself; its blank columns come from its 8-digit line, column
	// by column (General and Special together, Column 2 on its own).
	RateSource string
	S301       []S301Listing
	S232       []S232Listing

	// Section is the Roman numeral of the section ("XVI"); "XXII" for
	// chapters 98 and 99, which are US-only.
	Section string
	// Origin says where the line comes from: OriginPrinted (a row of the
	// export), OriginDerived (an 8-digit line the export prints only inside
	// its single 10-digit row, or a heading printed only as its single
	// line) or OriginHS (a chapter or HS subheading the US export does not
	// print; the description is the HS 2022 short text).
	Origin Origin
	// HSDescription is the HS 2022 (Comtrade) short text for chapters,
	// headings and 6-digit subheadings, when the HS has the code.
	HSDescription string
	// Quota and AdditionalDuties are the export's last two columns.
	Quota, AdditionalDuties string

	// Positions in the index, not pointers: the line's in schedule
	// order, its search node's (+1; 0 for none) and its code-tree
	// parent's (+1; 0 for a chapter).
	seq  int32
	node int32
	up   int32
}

// Origin tells how a Line entered the index.
type Origin string

// Origins of a Line.
const (
	OriginPrinted Origin = "printed"
	OriginDerived Origin = "derived"
	OriginHS      Origin = "hs2022"
)

// S301Listing is one Section 301 list a line is on, e.g. {"3","9903.88.03","25%"}.
type S301Listing struct{ List, Ch99, Rate string }

// S232Listing is one Section 232 product-list entry that covers a line.
// Metal is steel, aluminum or copper; Basis is "derivative", "annex" or
// "copper". Prefix is the code as listed (4 to 10 digits, dotted), and
// Partial is set when the listing names only some of the line's
// statistical lines (the listed code is longer than the line's).
type S232Listing struct {
	Metal, Ch99, Annex, Basis, EffectiveDate string
	Prefix                                   string
	Partial                                  bool
}

// Edition describes the schedule an Index was built from.
type Edition struct {
	// Name is the edition as people cite it, e.g. "2025 HTSUS, April 2025 revision".
	Name string
	// Source says where the file came from.
	Source string
	// AsOf is when the data holds, as a date or month ("2025-04").
	AsOf string
	// SHA256 is the hex digest of the export as imported (uncompressed).
	SHA256 string
	// Bundled is true for the edition shipped in the binary.
	Bundled bool
	// ImportedAt is when an imported edition was stored (zero when bundled).
	ImportedAt time.Time
	// Rows is the number of data rows in the export (including text-only rows).
	Rows int
}

// ActionsInfo describes the bundled Section 301/232 product lists.
type ActionsInfo struct {
	Source        string
	License       string
	S301AsOf      string // the date the Section 301 file last changed
	SnapshotDate  string // the date of the repository snapshot
	S232AnnexDate string // effective date of the 232 annex restructuring
	Caution       string // how far the lists can be trusted
}
