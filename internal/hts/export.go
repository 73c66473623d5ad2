package hts

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// ExportColumns are the columns of a USITC HTS CSV export, in order. An
// import must have exactly these.
var ExportColumns = []string{
	"HTS Number", "Indent", "Description", "Unit of Quantity", "General Rate of Duty",
	"Special Rate of Duty", "Column 2 Rate of Duty", "Quota Quantity", "Additional Duties",
}

// MaxExportSize bounds an export read into memory (the 2025 file is 3.9 MB).
const MaxExportSize = 64 << 20

// ExportRow is one data row of a USITC export.
type ExportRow struct {
	// Row is the 1-based record number in the file, the header being row 1.
	Row         int
	Digits      string // "" for text-only rows
	Indent      int
	Description string
	Units       []string
	General     string
	Special     string
	Column2     string
	Quota       string
	Additional  string
}

// hasRates reports whether the row prints any rate of duty.
func (r *ExportRow) hasRates() bool { return r.General != "" || r.Special != "" || r.Column2 != "" }

// exportNumber is the dotted shape of an HTS Number in the export.
var exportNumber = regexp.MustCompile(`^[0-9]{4}(\.[0-9]{2}){0,3}$`)

// ErrBadExport wraps every problem ParseExport finds in a file.
var ErrBadExport = errors.New("bad HTS export")

// Export is a parsed USITC export with the digest of its bytes.
type Export struct {
	Rows   []ExportRow
	SHA256 string
	// Raw is the uncompressed file as read.
	Raw []byte
}

// ReadExport reads an export, gunzipping it if it is gzip-compressed, and
// parses it with ParseExport.
func ReadExport(r io.Reader) (*Export, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxExportSize+1))
	if err != nil {
		return nil, fmt.Errorf("read export: %w", err)
	}
	if bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", ErrBadExport, err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, MaxExportSize+1))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", ErrBadExport, err)
		}
	}
	if len(raw) > MaxExportSize {
		return nil, fmt.Errorf("%w: larger than %d MB", ErrBadExport, MaxExportSize>>20)
	}
	rows, err := ParseExport(raw)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	return &Export{Rows: rows, SHA256: hex.EncodeToString(sum[:]), Raw: raw}, nil
}

// ParseExport parses a USITC HTS CSV export. It checks the header is
// exactly ExportColumns (a leading byte-order mark is allowed), that every
// code is well formed, unique and in ascending order, that indents are small
// numbers and units are JSON lists; the first problem is returned, naming
// its row, wrapped in ErrBadExport.
func ParseExport(raw []byte) ([]ExportRow, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty", ErrBadExport)
		}
		return nil, fmt.Errorf("%w: header: %v", ErrBadExport, err)
	}
	if len(header) != len(ExportColumns) {
		return nil, fmt.Errorf("%w: header has %d columns, want %d: %s", ErrBadExport, len(header), len(ExportColumns), strings.Join(ExportColumns, ", "))
	}
	for i, h := range header {
		if strings.TrimSpace(h) != ExportColumns[i] {
			return nil, fmt.Errorf("%w: header column %d is %q, want %q", ErrBadExport, i+1, h, ExportColumns[i])
		}
	}
	var rows []ExportRow
	prev := ""
	seen := map[string]int{}
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%w: row %d (line %d): %v", ErrBadExport, n, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%w: row %d: %v", ErrBadExport, n, err)
		}
		line, _ := cr.FieldPos(0)
		r, err := parseExportRow(n, rec)
		if err != nil {
			return nil, fmt.Errorf("%w: row %d (line %d): %v", ErrBadExport, n, line, err)
		}
		if r.Digits != "" {
			if first, dup := seen[r.Digits]; dup {
				return nil, fmt.Errorf("%w: row %d (line %d): code %s already on row %d", ErrBadExport, n, line, dotted(r.Digits), first)
			}
			if r.Digits < prev {
				return nil, fmt.Errorf("%w: row %d (line %d): code %s comes after %s; the export must be in code order", ErrBadExport, n, line, dotted(r.Digits), dotted(prev))
			}
			seen[r.Digits] = n
			prev = r.Digits
		} else if len(rows) == 0 {
			return nil, fmt.Errorf("%w: row %d (line %d): a text-only row before the first heading", ErrBadExport, n, line)
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no data rows", ErrBadExport)
	}
	return rows, nil
}

func parseExportRow(n int, rec []string) (ExportRow, error) {
	r := ExportRow{Row: n}
	num := strings.TrimSpace(rec[0])
	if num != "" {
		if !exportNumber.MatchString(num) {
			return r, fmt.Errorf("HTS Number %q: want a dotted code such as 8471.30.01.00", num)
		}
		r.Digits = strings.ReplaceAll(num, ".", "")
	}
	ind, err := strconv.Atoi(strings.TrimSpace(rec[1]))
	if err != nil || ind < 0 || ind > 20 {
		return r, fmt.Errorf("column Indent %q: want a number from 0 to 20", rec[1])
	}
	r.Indent = ind
	r.Description = strings.TrimSpace(rec[2])
	if r.Description == "" && r.Digits == "" {
		return r, errors.New("neither an HTS Number nor a Description")
	}
	if u := strings.TrimSpace(rec[3]); u != "" {
		var units []string
		if err := json.Unmarshal([]byte(u), &units); err != nil {
			return r, fmt.Errorf("column Unit of Quantity %q: want a JSON list such as [\"No.\",\"kg\"]", u)
		}
		for _, s := range units {
			if s = strings.TrimSpace(s); s != "" {
				r.Units = append(r.Units, s)
			}
		}
	}
	r.General = strings.TrimSpace(rec[4])
	r.Special = strings.TrimSpace(rec[5])
	r.Column2 = strings.TrimSpace(rec[6])
	r.Quota = strings.TrimSpace(rec[7])
	r.Additional = strings.TrimSpace(rec[8])
	return r, nil
}
