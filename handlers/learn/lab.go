package learn

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/origin"
)

// labRowsDefault is how many bill-of-materials rows an empty lab shows.
const labRowsDefault = 3

// labForm is the origin lab's form. The bill of materials comes as
// parallel lists, one entry per row; a row left wholly blank is ignored.
type labForm struct {
	Good             string   `form:"good"`
	TransactionValue string   `form:"transaction_value"`
	NetCost          string   `form:"net_cost"`
	Rule             string   `form:"rule"`
	RVCTV            string   `form:"rvc_tv"`
	RVCNC            string   `form:"rvc_nc"`
	Codes            []string `form:"input_code"`
	Origins          []string `form:"input_origin"`
	Values           []string `form:"input_value"`
	Action           string   `form:"action"` // "add_row" adds a row; anything else checks origin
}

// labRow is one bill-of-materials row as shown.
type labRow struct{ Code, Origin, Value string }

// rows returns the form's rows, padded to the longest list.
func (f labForm) rows() []labRow {
	n := max(len(f.Codes), len(f.Origins), len(f.Values))
	out := make([]labRow, n)
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return strings.TrimSpace(xs[i])
		}
		return ""
	}
	for i := range out {
		out[i] = labRow{Code: at(f.Codes, i), Origin: at(f.Origins, i), Value: at(f.Values, i)}
	}
	return out
}

// request turns the form into a lab request. at[i] is the form row of
// request input i, to put the lab's field errors beside the right row.
func (f labForm) request(rows []labRow) (origin.Request, []int) {
	req := origin.Request{Good: strings.TrimSpace(f.Good), TransactionValue: f.TransactionValue, NetCost: f.NetCost,
		Rule: strings.TrimSpace(f.Rule), RVCTV: f.RVCTV, RVCNC: f.RVCNC}
	var at []int
	for i, r := range rows {
		if r == (labRow{}) {
			continue
		}
		req.Inputs = append(req.Inputs, origin.InputRequest{Code: r.Code, Origin: r.Origin, Value: r.Value})
		at = append(at, i)
	}
	return req, at
}

// inputFieldRE is the lab's name for a row field: inputs[3].code.
var inputFieldRE = regexp.MustCompile(`^inputs\[(\d+)\]\.(code|origin|value)$`)

// rowErrors renames the lab's row field errors from request positions to
// form rows.
func rowErrors(errs map[string]string, at []int) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		if m := inputFieldRE.FindStringSubmatch(k); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < len(at) {
				k = fmt.Sprintf("inputs[%d].%s", at[i], m[2])
			}
		}
		out[k] = v
	}
	return out
}

// labCase is the lesson case the lab was opened with.
type labCase struct {
	ID        string
	LessonURL string
	Verdict   string // what the lesson states
	Reason    string
}

// labPage is the data of the origin lab.
type labPage struct {
	Form        labForm
	Rows        []labRow
	Table       *origin.Table
	ShortCodes  []string
	Result      *origin.Result
	Case        *labCase
	MaxRows     int
	RuleInTable bool // the chosen rule is a table key (RVC fields do not apply)
}

func (h *Handler) renderLab(c echo.Context, status int, p labPage, errs map[string]string) error {
	p.Table, p.MaxRows = h.lab.Table, origin.MaxInputs
	p.ShortCodes = []string{origin.ShiftChapter, origin.ShiftHeading, origin.ShiftSubheading, origin.ShiftNone}
	if h.lab.Table != nil {
		_, p.RuleInTable = h.lab.Table.Lookup(p.Form.Rule)
	}
	for len(p.Rows) < labRowsDefault {
		p.Rows = append(p.Rows, labRow{})
	}
	return h.web.Render(c, status, web.TplLearnOriginLab, web.PageData{Title: "USMCA origin lab",
		Description: "Work out step by step whether a good is originating under the USMCA product-specific rules: tariff shift, de minimis and regional value content.",
		Data:        p, Form: p.Form, Errors: errs})
}

// ShowOriginLab serves GET /learn/origin-lab; ?case=<lesson-slug>-<n>
// opens the n-th worked origin case of that lesson, already checked.
func (h *Handler) ShowOriginLab(c echo.Context) error {
	id := c.QueryParam("case")
	if id == "" {
		return h.renderLab(c, http.StatusOK, labPage{}, nil)
	}
	oc, err := h.lessons.OriginCase(c.Request().Context(), id, learn.UserID(web.CurrentUser(c)))
	if isLoginRequired(err) {
		return loginFirst(c, c.Request().URL.RequestURI())
	}
	if err != nil {
		return err
	}
	cs, err := origin.ParseBlock([]byte(oc.YAML))
	if err != nil {
		// A staff edit can break a block; say so rather than fail.
		h.web.Log.Warn("origin case does not parse", "case", id, "err", err)
		return h.renderLab(c, http.StatusOK, labPage{}, map[string]string{"form": "That worked case could not be read; please tell us which lesson it came from."})
	}
	r := cs.Request
	f := labForm{Good: r.Good, TransactionValue: r.TransactionValue, NetCost: r.NetCost, Rule: r.Rule, RVCTV: r.RVCTV, RVCNC: r.RVCNC}
	for _, in := range r.Inputs {
		f.Codes, f.Origins, f.Values = append(f.Codes, in.Code), append(f.Origins, in.Origin), append(f.Values, in.Value)
	}
	p := labPage{Form: f, Rows: f.rows(), Case: &labCase{ID: oc.ID(), LessonURL: "/learn/" + oc.Lesson, Verdict: cs.Verdict, Reason: cs.Reason}}
	req, at := f.request(p.Rows)
	res, err := h.currentLab().Evaluate(req)
	if fe := origin.FieldErrors(err); fe != nil {
		return h.renderLab(c, http.StatusOK, p, rowErrors(fe, at))
	} else if err != nil {
		return err
	}
	p.Result = res
	return h.renderLab(c, http.StatusOK, p, nil)
}

// EvaluateOriginLab serves POST /learn/origin-lab: "add a row" shows the
// form again with one more row; otherwise the lab runs, and bad input is
// shown again (422) with a message beside each field.
func (h *Handler) EvaluateOriginLab(c echo.Context) error {
	var f labForm
	if err := web.Bind(c, &f); err != nil {
		return err
	}
	p := labPage{Form: f, Rows: f.rows()}
	if f.Action == "add_row" {
		if len(p.Rows) < labRowsDefault {
			for len(p.Rows) < labRowsDefault {
				p.Rows = append(p.Rows, labRow{})
			}
		}
		if len(p.Rows) < origin.MaxInputs {
			p.Rows = append(p.Rows, labRow{})
		}
		return h.renderLab(c, http.StatusOK, p, nil)
	}
	if len(p.Rows) > origin.MaxInputs {
		return h.renderLab(c, http.StatusUnprocessableEntity, p,
			map[string]string{"inputs": fmt.Sprintf("List at most %d inputs.", origin.MaxInputs)})
	}
	// Blank rows are dropped, so the lab's line numbers are the rows shown.
	p.Rows = slices.DeleteFunc(p.Rows, func(r labRow) bool { return r == (labRow{}) })
	req, at := f.request(p.Rows)
	res, err := h.currentLab().Evaluate(req)
	var ve *origin.ValidationError
	if errors.As(err, &ve) {
		return h.renderLab(c, http.StatusUnprocessableEntity, p, rowErrors(ve.Fields, at))
	}
	if err != nil {
		return err
	}
	p.Result = res
	return h.renderLab(c, http.StatusOK, p, nil)
}
