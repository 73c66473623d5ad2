package duty

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestRunBatch: two good rows (the Chinese laptop of 2025-05-01 owes
// $2,000.00 of IEEPA fentanyl duty, refundable under the CIT order in
// Atmus Filtration and CAPE, CSMS #68315804) and bad rows with line,
// field and message.
func TestRunBatch(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	lookup := func(code string) (Line, error) {
		if strings.HasPrefix(strings.ReplaceAll(code, ".", ""), "847130") {
			return Line{Code: "8471.30.01", General: "Free"}, nil
		}
		if strings.HasPrefix(strings.ReplaceAll(code, ".", ""), "610910") {
			return tshirts, nil
		}
		return Line{}, fmt.Errorf("%s is not in the 2025 HTSUS", code)
	}
	in := BatchTemplate +
		"E2,2026-10-01,8471.30.0100,CN,5000.00,,\n" +
		"E2b,2026-03-02,6109.10.0012,VN,1000.00,,\n" +
		"E3,2025-13-01,8471.30.0100,CN,1.00,,\n" +
		"E4,2025-05-01,9999.99.9999,CN,1.00,,\n" +
		"E5,2025-05-01,8471.30.0100,QQ,1.00,,\n" +
		"E6,2025-05-01\n"
	var out bytes.Buffer
	var progress []int
	sum, err := tb.RunBatch(strings.NewReader(in), &out, BatchOptions{Lookup: lookup, Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	// The Vietnamese T-shirt of 2026-03-02 pays the 10% Section 122
	// surcharge (Proclamation 11012): $100.00, with no general refund route.
	if sum.Rows != 3 || sum.IEEPA != 200_000 || sum.S122 != 10_000 || len(sum.Errors) != 4 {
		t.Fatalf("got rows %d ieepa %d s122 %d errors %v, want 3, 200000, 10000, 4", sum.Rows, sum.IEEPA, sum.S122, sum.Errors)
	}
	wantFields := []string{"entry_date", "hts_code", "country_of_origin", "row"}
	for i, e := range sum.Errors {
		if e.Field != wantFields[i] || e.Line != i+5 {
			t.Errorf("error %d: got %+v, want field %s line %d", i, e, wantFields[i], i+5)
		}
	}
	if len(progress) != 7 || progress[6] != 7 {
		t.Errorf("progress: got %v", progress)
	}
	if !strings.Contains(out.String(), "2000.00,2000.00,0.00,0.00,2000.00,\"IEEPA refund: CBP CAPE") || !strings.Contains(out.String(), "\ntotal,") {
		t.Errorf("output:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "100.00,Section 122: no general refund route") {
		t.Errorf("Section 122 column missing:\n%s", out.String())
	}
	_, err = tb.RunBatch(strings.NewReader(in), &bytes.Buffer{}, BatchOptions{Lookup: lookup, MaxRows: 2})
	if !errors.Is(err, ErrBatchTooLarge) {
		t.Errorf("cap: got %v, want ErrBatchTooLarge", err)
	}
	if _, err := tb.RunBatch(strings.NewReader("a,b\n"), &bytes.Buffer{}, BatchOptions{Lookup: lookup}); err == nil {
		t.Error("bad header: got nil error")
	}
}

// TestRunBatchUSMCAColumn: USMCA-qualifying goods of Canada were spared
// the IEEPA fentanyl duty (HTSUS 2025 9903.01.14), so nothing is refundable;
// the same goods without the claim paid 25% (9903.01.10).
func TestRunBatchUSMCAColumn(t *testing.T) {
	t.Parallel()
	tb := loadTable(t)
	lookup := func(string) (Line, error) { return tshirts, nil }
	in := "entry_number,entry_date,hts_code,country_of_origin,customs_value,usmca\n" +
		"C1,2025-04-15,6109.10.0012,CA,1000.00,yes\n" +
		"C2,2025-04-15,6109.10.0012,CA,1000.00,no\n" +
		"C3,2025-04-15,6109.10.0012,CA,1000.00,maybe\n"
	var out bytes.Buffer
	sum, err := tb.RunBatch(strings.NewReader(in), &out, BatchOptions{Lookup: lookup})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 2 || sum.IEEPA != 25_000 || len(sum.Errors) != 1 || sum.Errors[0].Field != "usmca" || sum.Errors[0].Line != 4 {
		t.Errorf("got rows %d ieepa %d errors %v, want 2 rows, $250.00, one usmca error on line 4", sum.Rows, sum.IEEPA, sum.Errors)
	}
	if _, err := tb.RunBatch(strings.NewReader("entry_number,entry_date,hts_code,country_of_origin,customs_value,colour\n"), &bytes.Buffer{}, BatchOptions{Lookup: lookup}); err == nil {
		t.Error("unknown column: got nil error")
	}
}
