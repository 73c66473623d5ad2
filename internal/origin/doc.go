// Package origin decides whether a good is originating under the USMCA
// product-specific rules of origin, step by step, for the origin lab.
//
// The rule table (content/origin/rules.yaml, loaded with LoadTable) holds a
// curated set of rules from HTSUS General Note 11, each in our own words with
// its citation, public source and as-of date; every other heading is not
// covered and must be given explicitly as a short code (CC, CTH, CTSH or NONE
// with RVC thresholds). Lab.Evaluate takes a Request as typed (strings, so a
// web form passes straight through), returns a *ValidationError with one
// message per field for bad input, and otherwise a Result whose Steps read:
// the applicable rule; the non-originating inputs and VNM; for each
// alternative of the rule, the tariff shift of each non-originating input, de
// minimis (Art. 4.12) when some fail, and the required RVC by transaction
// value and net cost with the formulas filled in; the RVC by any method not
// yet shown; and the verdict with its reason. Money is integer cents and
// percentages are exact rationals, shown truncated to two decimals.
//
// ParseBlock reads the ```origin blocks that lessons use for worked examples
// (ExtractBlocks finds them in Markdown), and Case.Check runs one and compares
// the stated verdict, so lessons and the lab cannot drift apart.
//
// Not modeled: automotive rules (Chapter 87 and parts for motor vehicles),
// textiles and apparel, weight-based conditions, accumulation, intermediate,
// indirect and fungible materials, and the listed de minimis exceptions.
//
// It imports internal/hts (code parsing and the optional code check) and no
// other project package; callers pass the content tree as an fs.FS.
package origin
