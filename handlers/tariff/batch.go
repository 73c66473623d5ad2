package tariff

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/models"
)

// Batch upload limits. The body limit is set for BatchPath only (the
// rest of the site keeps 1 MB): 10,000 entries of about 60 bytes each
// fit with room for long entry numbers and quoting.
const (
	// BatchPath is the upload route; the middleware raises the body limit
	// for it alone.
	BatchPath = "/tools/duty/batch"
	// BatchBodyLimit is the body limit of BatchPath (echo's notation).
	BatchBodyLimit = "4M"
	batchMaxBytes  = 4 << 20
	// batchShownErrors bounds the row errors listed on the page; the result
	// CSV has them all.
	batchShownErrors = 200
	// batchFlushEvery is how many rows are computed between flushes of the
	// streamed result, so the browser's rows-done figure moves.
	batchFlushEvery = 100
)

// batchPage is the data of the batch page.
type batchPage struct {
	MaxRows     int
	MaxMB       int
	Columns     []string
	Optional    []string
	Results     []string
	RefundRoute string
	S122Route   string
	Edition     string
	AsOf        string
	// After an upload with bad rows: the file's name, the summary and the
	// first row errors.
	FileName  string
	Summary   *duty.BatchSummary
	RowErrors []duty.BatchRowError
	// MoreErrors counts the row errors not listed.
	MoreErrors int
	// AllowErrors keeps the "download anyway" box ticked.
	AllowErrors bool
	// CanSave offers "Save the result to my account" (logged-in users).
	CanSave bool
	// Save keeps that box ticked; Name is the saved result's name.
	Save    bool
	Name    string
	NameMax int
	SaveMB  int
}

// batchForm is the upload form's non-file fields.
type batchForm struct {
	// AllowErrors asks for the result file even when some rows are bad.
	AllowErrors string `form:"allow_errors"`
	// Save asks to store the result in the user's account, under Name
	// (default: the file's name).
	Save string `form:"save"`
	Name string `form:"name"`
}

func (h *Handler) batchPage(c echo.Context) batchPage {
	return batchPage{MaxRows: duty.DefaultBatchMaxRows, MaxMB: batchMaxBytes >> 20, Columns: duty.BatchHeader,
		Optional: []string{"usmca", "product_class"}, Results: duty.BatchColumns, RefundRoute: duty.RefundRoute,
		S122Route: duty.S122Route, Edition: h.hts.Edition().Name, AsOf: h.duty.AsOf.String(),
		CanSave: web.CurrentUser(c) != nil, NameMax: models.SavedBatchNameMax, SaveMB: models.SavedBatchMaxGzip >> 20}
}

var batchPageData = web.PageData{Title: "Batch entries and IEEPA refunds",
	Description: "Upload a CSV of customs entries and download each entry's duty stack with its IEEPA amounts and the refund route."}

// ShowDutyBatch serves GET /tools/duty/batch.
func (h *Handler) ShowDutyBatch(c echo.Context) error {
	if h.hts == nil {
		return errNoTariffData
	}
	pd := batchPageData
	pd.Data, pd.Form = h.batchPage(c), batchForm{}
	return h.web.Render(c, http.StatusOK, web.TplDutyBatch, pd)
}

// DutyBatchTemplate serves GET /tools/duty/batch/template.csv.
func (h *Handler) DutyBatchTemplate(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="duty-batch-template.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(duty.BatchTemplate))
}

// CreateDutyBatch serves POST /tools/duty/batch: it reads the uploaded
// CSV in memory, checks every row, and either re-renders the form with the
// row errors (422) or streams the result CSV as a download. Nothing is
// stored unless a logged-in user ticks "save": then the result is computed
// into memory, stored (compressed) in their account, and sent.
func (h *Handler) CreateDutyBatch(c echo.Context) error {
	if h.hts == nil {
		return errNoTariffData
	}
	var f batchForm
	if err := c.Bind(&f); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The upload could not be read.").SetInternal(err)
	}
	f.Name = strings.TrimSpace(f.Name)
	user := web.CurrentUser(c)
	if f.Save != "" && user == nil {
		// The box is not offered to anonymous users; a forged field is refused.
		return h.batchInvalid(c, f, map[string]string{"form": "Log in to save a result to your account. Nothing was stored."}, nil, "")
	}
	if f.Save != "" && utf8.RuneCountInString(f.Name) > models.SavedBatchNameMax {
		return h.batchInvalid(c, f, map[string]string{"name": fmt.Sprintf("The name can be at most %d characters.", models.SavedBatchNameMax)}, nil, "")
	}
	body, name, msg := readBatchFile(c)
	if msg != "" {
		return h.batchInvalid(c, f, map[string]string{"file": msg}, nil, name)
	}
	if tooManyRows(body, duty.DefaultBatchMaxRows) {
		return h.batchInvalid(c, f, map[string]string{"file": batchFileProblem(duty.ErrBatchTooLarge)}, nil, name)
	}
	opt := duty.BatchOptions{Lookup: h.batchLookup}
	// A first pass checks the rows, so a file with bad rows comes back as a
	// page that lists them, not as a download to open and search. When the
	// result is to be saved, this pass keeps it.
	var result bytes.Buffer
	var out io.Writer = io.Discard
	if f.Save != "" {
		out = &result
	}
	sum, err := h.duty.RunBatch(bytes.NewReader(body), out, opt)
	if err != nil {
		return h.batchInvalid(c, f, map[string]string{"file": batchFileProblem(err)}, nil, name)
	}
	if len(sum.Errors) > 0 && f.AllowErrors == "" {
		return h.batchInvalid(c, f, map[string]string{"form": fmt.Sprintf("%d of %d %s could not be computed: correct them below, or tick “Download anyway” to get the results with the errors in the error column.",
			len(sum.Errors), sum.Rows+len(sum.Errors), web.Plural(sum.Rows+len(sum.Errors), "row", "rows"))}, &sum, name)
	}
	res := c.Response()
	if f.Save != "" {
		if msg := h.saveBatch(c, user, f, name, sum, result.Bytes()); msg != "" {
			return h.batchInvalid(c, f, map[string]string{"form": msg}, nil, name)
		}
		res.Header().Set("X-Batch-Saved", BatchesPath)
	}
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", batchResultName(name)))
	res.Header().Set("Cache-Control", "no-store")
	// The rows to compute, for the page's progress figure.
	res.Header().Set("X-Batch-Rows", strconv.Itoa(sum.Rows+len(sum.Errors)))
	res.WriteHeader(http.StatusOK)
	if f.Save != "" {
		// Computed and stored already: send what was stored.
		if _, err := res.Write(result.Bytes()); err != nil {
			return fmt.Errorf("send batch result: %w", err)
		}
		return nil
	}
	opt.Progress = func(done int) {
		if done%batchFlushEvery == 0 {
			// A writer that cannot flush still gets every row, only later.
			_ = http.NewResponseController(res.Writer).Flush()
		}
	}
	if _, err := h.duty.RunBatch(bytes.NewReader(body), res, opt); err != nil {
		return fmt.Errorf("stream batch result: %w", err)
	}
	return nil
}

// readBatchFile reads the uploaded file, or says what is wrong with it.
func readBatchFile(c echo.Context) (body []byte, name, problem string) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, "", "Choose a CSV file of entries to upload."
	}
	name = path.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
	if fh.Size == 0 {
		return nil, name, "The file is empty: start from the template, which has the header row."
	}
	file, err := fh.Open()
	if err != nil {
		return nil, name, "The file could not be read; try again."
	}
	defer file.Close()
	body, err = io.ReadAll(io.LimitReader(file, batchMaxBytes+1))
	switch {
	case err != nil:
		return nil, name, "The file could not be read; try again."
	case len(body) > batchMaxBytes:
		return nil, name, fmt.Sprintf("The file is larger than %d MB: split it into smaller files.", batchMaxBytes>>20)
	}
	return body, name, ""
}

// tooManyRows reports whether the CSV has more than max data rows, before
// any is computed, so an oversized file is refused at once. Rows that do
// not parse are left to RunBatch, which reports them by line.
func tooManyRows(body []byte, max int) bool {
	cr := csv.NewReader(bytes.NewReader(body))
	cr.FieldsPerRecord, cr.ReuseRecord = -1, true
	rows := -1 // the header
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return false
		}
		if rows++; rows > max {
			return true
		}
	}
}

// batchFileProblem turns a whole-file error of RunBatch into a sentence.
func batchFileProblem(err error) string {
	if errors.Is(err, duty.ErrBatchTooLarge) {
		return fmt.Sprintf("The file has more than %d entries: split it into smaller files.", duty.DefaultBatchMaxRows)
	}
	msg := strings.TrimPrefix(err.Error(), "duty: batch header: ")
	return "The first row must be the header row (download the template): " + msg + "."
}

// batchResultName names the result file after the upload.
func batchResultName(upload string) string {
	base := strings.TrimSuffix(upload, path.Ext(upload))
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, base)
	if clean == "" || len(clean) > 80 {
		clean = "entries"
	}
	return clean + "-duty-results.csv"
}

// batchLookup finds the rate line of a batch row's code.
func (h *Handler) batchLookup(code string) (duty.Line, error) {
	line, msg := lookupRateLine(h.hts, code)
	if msg != "" {
		return duty.Line{}, errors.New(msg)
	}
	return dutyLine(line, h.hts.Edition().Name), nil
}

// batchInvalid re-renders the batch page with 422.
func (h *Handler) batchInvalid(c echo.Context, f batchForm, errs map[string]string, sum *duty.BatchSummary, name string) error {
	p := h.batchPage(c)
	p.FileName, p.Summary, p.AllowErrors = name, sum, f.AllowErrors != ""
	p.Save, p.Name = f.Save != "" && p.CanSave, f.Name
	if sum != nil {
		p.RowErrors = sum.Errors
		if len(p.RowErrors) > batchShownErrors {
			p.RowErrors, p.MoreErrors = p.RowErrors[:batchShownErrors], len(sum.Errors)-batchShownErrors
		}
	}
	pd := batchPageData
	pd.Data, pd.Form, pd.Errors = p, f, errs
	return h.web.Render(c, http.StatusUnprocessableEntity, web.TplDutyBatch, pd)
}
