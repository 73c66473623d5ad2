package duty

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// BatchHeader is the column row of a batch file; BatchTemplate is a
// template users can download. Two optional columns may follow, in any
// order: usmca ("yes" for a USMCA claim on goods of Canada or Mexico,
// which the IEEPA fentanyl duty spared) and product_class (a Section 232
// product class code such as "auto").
var BatchHeader = []string{"entry_number", "entry_date", "hts_code", "country_of_origin", "customs_value"}

// Optional batch columns.
const (
	batchUSMCA = "usmca"
	batchClass = "product_class"
)

// BatchTemplate is the downloadable template CSV: the header and one
// example row.
const BatchTemplate = "entry_number,entry_date,hts_code,country_of_origin,customs_value,usmca,product_class\nABC-1234567-8,2025-05-01,8471.30.0100,CN,10000.00,,\n"

// BatchRowError is a per-row problem: the 1-based line number, the field
// and the message.
type BatchRowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e BatchRowError) Error() string {
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Message)
}

// BatchOptions configure RunBatch. Lookup turns an HTS code into a Line
// (the handler passes the tariff index lookup); Progress, if set, is
// called with the number of data rows done; MaxRows caps the rows read
// (DefaultBatchMaxRows if zero).
type BatchOptions struct {
	Lookup   func(code string) (Line, error)
	Progress func(rowsDone int)
	MaxRows  int

	extra map[string]int // optional column → index
}

// DefaultBatchMaxRows caps a batch file (CAPE takes up to 9,999 entry
// numbers per declaration, CSMS #68315804).
const DefaultBatchMaxRows = 10000

// ErrBatchTooLarge is returned when a file has more rows than the cap.
var ErrBatchTooLarge = errors.New("duty: batch has too many rows")

// BatchSummary is the outcome of RunBatch: rows computed, per-row errors
// and the IEEPA total in cents.
type BatchSummary struct {
	Rows   int             `json:"rows"`
	Errors []BatchRowError `json:"errors"`
	// IEEPA is the sum of IEEPA duties (fentanyl, reciprocal, Brazil,
	// India) over the computed rows, in cents.
	IEEPA  int64 `json:"ieepa_cents"`
	Duties int64 `json:"duties_cents"`
	// S122 is the Section 122 surcharge over the computed rows, in cents.
	S122 int64 `json:"s122_cents"`
}

// BatchColumns are the columns of the result CSV.
var BatchColumns = []string{"line", "entry_number", "entry_date", "hts_code", "country_of_origin", "customs_value",
	"duties", "ieepa_fentanyl", "ieepa_reciprocal", "ieepa_other", "ieepa_total", "ieepa_refund_route",
	"s122_surcharge", "s122_refund_route", "incomplete", "error"}

// RefundRoute is the refund route the sources support for IEEPA duties
// (Atmus Filtration v. United States, CIT No. 26-01259; CBP CAPE, CSMS
// #68315804); the appeal on finally liquidated entries is open.
const RefundRoute = "IEEPA refund: CBP CAPE portal (CSMS #68315804) for unliquidated entries and entries within 80 days of liquidation, under the CIT order in Atmus Filtration (No. 26-01259); finally liquidated entries: under appeal at the CAFC, check before filing"

// S122Route is what the sources say of Section 122 refunds: the CIT held
// the surcharge unlawful on 2026-05-07 but limited relief to the
// plaintiffs; the government appealed; CAPE does not cover it.
const S122Route = "Section 122: no general refund route; the CIT ruling of 2026-05-07 granted relief to the plaintiffs only and is on appeal at the CAFC; not covered by CAPE"

// RunBatch reads entries from r (CSV with BatchHeader), computes each
// stack with t and streams a result CSV (BatchColumns) to w: one row per
// entry with the duties, the IEEPA amounts (fentanyl, reciprocal, Brazil
// and India, total) and their refund route, the Section 122 surcharge and
// its route, and any error; then a total row. Rows are written as they
// are read, so a handler can stream the response. Bad rows are reported (and written with their error) and do not
// stop the run. Nothing is stored.
func (t *Table) RunBatch(r io.Reader, w io.Writer, opt BatchOptions) (BatchSummary, error) {
	max := opt.MaxRows
	if max <= 0 {
		max = DefaultBatchMaxRows
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cw := csv.NewWriter(w)
	var sum BatchSummary
	head, err := cr.Read()
	if err != nil {
		return sum, fmt.Errorf("duty: batch header: %w", err)
	}
	for i, h := range BatchHeader {
		if i >= len(head) || strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")) != h {
			return sum, fmt.Errorf("duty: batch header: want %s", strings.Join(BatchHeader, ","))
		}
	}
	opt.extra = map[string]int{}
	for i, h := range head[len(BatchHeader):] {
		h = strings.TrimSpace(h)
		if h != batchUSMCA && h != batchClass {
			return sum, fmt.Errorf("duty: batch header: unknown column %q (optional columns: usmca, product_class)", h)
		}
		opt.extra[h] = len(BatchHeader) + i
	}
	if err := cw.Write(BatchColumns); err != nil {
		return sum, fmt.Errorf("duty: write batch: %w", err)
	}
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		done := sum.Rows + len(sum.Errors)
		if done >= max {
			return sum, fmt.Errorf("%w (at most %d)", ErrBatchTooLarge, max)
		}
		var out []string
		if err != nil {
			e := BatchRowError{Line: n, Field: "row", Message: "not valid CSV"}
			sum.Errors = append(sum.Errors, e)
			out = make([]string, len(BatchColumns))
			out[0], out[len(out)-1] = strconv.Itoa(n), e.Error()
		} else {
			out = t.batchRow(n, rec, opt, &sum)
		}
		if err := cw.Write(out); err != nil {
			return sum, fmt.Errorf("duty: write batch: %w", err)
		}
		if opt.Progress != nil {
			opt.Progress(done + 1)
		}
	}
	total := make([]string, len(BatchColumns))
	total[0], total[6], total[10], total[11], total[12], total[13] = "total", centsText(sum.Duties), centsText(sum.IEEPA), RefundRoute, centsText(sum.S122), S122Route
	total[15] = fmt.Sprintf("%d rows computed, %d rows with errors", sum.Rows, len(sum.Errors))
	if err := cw.Write(total); err != nil {
		return sum, fmt.Errorf("duty: write batch: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return sum, fmt.Errorf("duty: write batch: %w", err)
	}
	return sum, nil
}

// batchRow computes one data row, recording its error in sum.
func (t *Table) batchRow(n int, rec []string, opt BatchOptions, sum *BatchSummary) []string {
	out := make([]string, len(BatchColumns))
	out[0] = strconv.Itoa(n)
	copy(out[1:6], rec)
	fail := func(field, msg string) []string {
		e := BatchRowError{Line: n, Field: field, Message: msg}
		sum.Errors = append(sum.Errors, e)
		out[len(out)-1] = e.Error()
		return out
	}
	if want := len(BatchHeader) + len(opt.extra); len(rec) != want {
		return fail("row", fmt.Sprintf("want %d fields, got %d", want, len(rec)))
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	if rec[0] == "" {
		return fail("entry_number", "missing")
	}
	d, err := ParseDate(rec[1])
	if err != nil {
		return fail("entry_date", "use the form 2025-05-01")
	}
	v, err := ParseDollars(rec[4])
	if err != nil {
		return fail("customs_value", "enter dollars and cents, such as 10000.00")
	}
	line, err := opt.Lookup(rec[2])
	if err != nil {
		return fail("hts_code", err.Error())
	}
	in := Input{Line: line, Country: strings.ToUpper(rec[3]), EntryDate: d, CustomsValue: v, Transport: TransportOther}
	if i, ok := opt.extra[batchUSMCA]; ok {
		switch strings.ToLower(rec[i]) {
		case "yes", "y", "true":
			in.ClaimUSMCA = true
		case "", "no", "n", "false":
		default:
			return fail(batchUSMCA, "use yes or no")
		}
	}
	if i, ok := opt.extra[batchClass]; ok {
		in.ProductClass = rec[i]
	}
	res, err := t.Calculate(in)
	if err != nil {
		var ve ValidationError
		if errors.As(err, &ve) {
			for k, m := range ve {
				field := map[string]string{"country": "country_of_origin", "date": "entry_date", "value": "customs_value", "class": batchClass}[k]
				if field == "" {
					field = k
				}
				return fail(field, m)
			}
		}
		return fail("row", err.Error())
	}
	var fent, recip, other, s122 int64
	for _, l := range res.Layers {
		if l.Status != StatusApplied {
			continue
		}
		switch l.Program {
		case "ieepa_fentanyl":
			fent += l.Amount
		case "ieepa_reciprocal":
			recip += l.Amount
		case "ieepa_brazil", "ieepa_india":
			other += l.Amount
		case "s122":
			s122 += l.Amount
		}
	}
	ieepa := fent + recip + other
	sum.Rows++
	sum.Duties += res.Duties
	sum.IEEPA += ieepa
	sum.S122 += s122
	out[6], out[7], out[8], out[9], out[10] = centsText(res.Duties), centsText(fent), centsText(recip), centsText(other), centsText(ieepa)
	if ieepa > 0 {
		out[11] = RefundRoute
	}
	out[12] = centsText(s122)
	if s122 > 0 {
		out[13] = S122Route
	}
	out[14] = strconv.FormatBool(res.Incomplete)
	return out
}

// centsText writes cents as a plain decimal ("2000.00") for CSV.
func centsText(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
