package tariff

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/dutyline"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// dutyForm is the calculator's query string: a GET form, so a result is
// a link that can be shared.
type dutyForm struct {
	Code      string `query:"code"`
	Country   string `query:"country"`
	Date      string `query:"date"`
	Value     string `query:"value"`
	Transport string `query:"transport"`
	USMCA     string `query:"usmca"`
	Quantity  string `query:"quantity"`
	Steel     string `query:"steel"`
	Aluminum  string `query:"aluminum"`
	Copper    string `query:"copper"`
	Class     string `query:"class"`
	// LoadDate is the date the goods were loaded for export (in-transit
	// rules); Declare lists the declarations ticked (duty.DeclarationCodes).
	LoadDate string   `query:"load_date"`
	Declare  []string `query:"declare"`
}

// Declared reports whether the declaration code was ticked, so the form
// keeps its boxes checked after a submit.
func (f dutyForm) Declared(code string) bool { return slices.Contains(f.Declare, code) }

// Entry dates the form accepts: the measures table starts in 2018 and the
// calculator warns outside the data it has.
const (
	dutyMinDate = "2018-01-01"
	dutyMaxDate = "2030-12-31"
)

// submitted reports whether the form was sent, as opposed to opened.
// A code alone (the link from a tariff line's page) only prefills the form.
func (f dutyForm) submitted() bool {
	return f.Country != "" || f.Date != "" || f.Value != ""
}

// values is the form as a query string, without empty fields.
func (f dutyForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"code": f.Code, "country": f.Country, "date": f.Date, "value": f.Value,
		"transport": f.Transport, "usmca": f.USMCA, "quantity": f.Quantity, "steel": f.Steel, "aluminum": f.Aluminum,
		"copper": f.Copper, "class": f.Class, "load_date": f.LoadDate} {
		if s != "" {
			v.Set(k, s)
		}
	}
	for _, d := range f.Declare {
		v.Add("declare", d)
	}
	return v
}

// validate turns the form into a calculator input, looking the code up in
// ix. Field errors are keyed by the form's field names.
func (f *dutyForm) validate(ix *hts.Index, t *duty.Table) (duty.Input, *hts.Line, map[string]string) {
	errs := map[string]string{}
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	if f.Transport == "" {
		f.Transport = duty.TransportVessel
	}
	in := duty.Input{Country: f.Country, Transport: f.Transport, ClaimUSMCA: f.USMCA != "", ProductClass: f.Class,
		MetalContent: map[string]int64{}, Declarations: f.Declare}
	line, msg := lookupRateLine(ix, f.Code)
	if msg != "" {
		errs["code"] = msg
	} else {
		f.Code = line.Code
		in.Line = dutyLine(line, ix.Edition().Name)
	}
	if d, err := duty.ParseDate(f.Date); f.Date == "" {
		errs["date"] = "Enter the entry date."
	} else if err != nil || d.String() < dutyMinDate || d.String() > dutyMaxDate {
		errs["date"] = fmt.Sprintf("Enter a date between %s and %s, such as 2025-06-15.", dutyMinDate, dutyMaxDate)
	} else {
		in.EntryDate = d
	}
	if f.LoadDate = strings.TrimSpace(f.LoadDate); f.LoadDate != "" {
		if d, err := duty.ParseDate(f.LoadDate); err != nil || d.String() < dutyMinDate || d.String() > dutyMaxDate {
			errs["load_date"] = fmt.Sprintf("Enter the loading date between %s and %s, such as 2025-07-20, or leave it empty.", dutyMinDate, dutyMaxDate)
		} else {
			in.LoadDate = d
		}
	}
	if f.Value == "" {
		errs["value"] = "Enter the customs value in US dollars."
	} else if v, err := duty.ParseDollars(f.Value); err != nil {
		errs["value"] = dollarsError("customs value", err)
	} else {
		in.CustomsValue = v
	}
	for name, s := range map[string]string{"steel": f.Steel, "aluminum": f.Aluminum, "copper": f.Copper} {
		if strings.TrimSpace(s) == "" {
			continue
		}
		v, err := duty.ParseDollars(s)
		if err != nil {
			errs[name] = dollarsError(name+" content value", err)
			continue
		}
		in.MetalContent[name] = v
	}
	if strings.TrimSpace(f.Quantity) != "" {
		q, err := duty.ParseQuantity(f.Quantity)
		if err != nil {
			errs["quantity"] = "Enter the quantity as a number, such as 1200 or 9000.5."
		} else {
			in.Quantity = q
		}
	}
	for k, v := range t.Validate(in) {
		if errs[k] != "" {
			continue
		}
		errs[k] = v
	}
	return in, line, errs
}

// lookupRateLine finds the 8- or 10-digit line of a code, or says why not.
func lookupRateLine(ix *hts.Index, code string) (*hts.Line, string) {
	if strings.TrimSpace(code) == "" {
		return nil, "Enter an HTS code."
	}
	line, err := ix.Lookup(code)
	switch {
	case errors.Is(err, hts.ErrMalformedCode):
		return nil, "Enter an 8- or 10-digit HTS code, such as 3923.30.00 or 3923300000."
	case errors.Is(err, hts.ErrUnknownCode):
		c, _ := hts.ParseCode(code)
		return nil, fmt.Sprintf("%s is not in the %s.", c.Dotted(), ix.Edition().Name)
	case err != nil:
		return nil, "That code could not be looked up."
	case line.Level < 8:
		return nil, fmt.Sprintf("%s is a %s: enter the 8-digit rate line (or a 10-digit statistical line) under it.", line.Code, hts.LevelName(line.Level))
	case strings.HasPrefix(line.Digits, "98") || strings.HasPrefix(line.Digits, "99"):
		return nil, "Chapters 98 and 99 hold special provisions and additional duties, not goods: enter the goods' line from Chapters 1–97."
	}
	return line, ""
}

func dollarsError(what string, err error) string {
	if errors.Is(err, duty.ErrTooLarge) {
		return "The " + what + " is too large."
	}
	return "Enter the " + what + " in US dollars, such as 12500 or 12,500.00 (no negative amounts)."
}

// dutyLine maps a tariff line to what the calculator needs (the mapping
// the lessons' duty test uses too).
func dutyLine(l *hts.Line, edition string) duty.Line { return dutyline.FromHTS(l, edition) }

// dutyPage is the data of the calculator page.
type dutyPage struct {
	Form       dutyForm
	Countries  []duty.Country
	Classes    []duty.ProductClass
	Line       *hts.Line
	Result     *duty.Result
	Country    string // the origin's name
	AsOf       string
	Oldest     string
	Version    string
	Edition    string
	MinDate    string
	MaxDate    string
	ShowExtras bool // open the "when it matters" fields
	// QuantityLabel names the rate's unit once a result asked for it.
	QuantityLabel string
	ValueText     string
	JSONURL       string
}

// errNoTariffData answers when the App was built without a tariff index.
var errNoTariffData = echo.NewHTTPError(http.StatusServiceUnavailable, "The tariff data is not loaded; please try again later.")

// ShowDutyCalculator serves GET /tools/duty.
func (h *Handler) ShowDutyCalculator(c echo.Context) error {
	if h.hts == nil {
		return errNoTariffData
	}
	var f dutyForm
	if err := web.BindQuery(c, &f); err != nil {
		return err
	}
	p := dutyPage{Countries: h.duty.Countries(), Classes: h.duty.ProductClasses(), AsOf: h.duty.AsOf.String(),
		Oldest: h.duty.Oldest.String(), Version: h.duty.Version, Edition: h.hts.Edition().Name,
		MinDate: dutyMinDate, MaxDate: dutyMaxDate}
	pd := web.PageData{Title: "Duty calculator",
		Description: "Stack the duties on a US tariff line: MFN or USMCA rate, Section 301, Section 232, IEEPA, Section 122, MPF and HMF, with sources."}
	status := http.StatusOK
	if !f.submitted() {
		f.Date, f.Transport = h.web.Now().UTC().Format("2006-01-02"), duty.TransportVessel
	} else {
		in, line, errs := f.validate(h.hts, h.duty)
		p.Line = line
		if len(errs) > 0 {
			status, pd.Errors = http.StatusUnprocessableEntity, errs
		} else if p.Result, errs = h.calculateDuty(in); errs != nil {
			status, pd.Errors = http.StatusUnprocessableEntity, errs
		} else {
			p.Country, p.ValueText = h.duty.CountryName(in.Country), duty.FormatCents(in.CustomsValue)
			p.JSONURL = "/api/v1/duty?" + f.values().Encode()
			pd.Title = "Duty on " + line.Code + " from " + p.Country
		}
	}
	p.Form, p.QuantityLabel = f, "Quantity"
	if p.Result != nil && p.Result.QuantityUnit != "" {
		p.QuantityLabel = "Quantity (in " + p.Result.QuantityUnit + ")"
	}
	p.ShowExtras = f.Quantity != "" || f.Steel != "" || f.Aluminum != "" || f.Copper != "" || f.Class != "" ||
		f.LoadDate != "" || len(f.Declare) > 0 ||
		pd.Errors["quantity"] != "" || pd.Errors["steel"] != "" || pd.Errors["aluminum"] != "" || pd.Errors["copper"] != "" ||
		pd.Errors["class"] != "" || pd.Errors["load_date"] != "" || pd.Errors["declare"] != "" || (p.Result != nil && (p.Result.QuantityUnit != "" || len(p.Result.NeedsContent) > 0))
	pd.Data, pd.Form = p, f
	return h.web.Render(c, status, web.TplDutyCalculator, pd)
}

// calculateDuty runs the calculator; a validation error becomes field
// errors.
func (h *Handler) calculateDuty(in duty.Input) (*duty.Result, map[string]string) {
	r, err := h.duty.Calculate(in)
	var ve duty.ValidationError
	if errors.As(err, &ve) {
		return nil, ve
	}
	if err != nil {
		return nil, map[string]string{"form": "The duty could not be calculated."}
	}
	return r, nil
}

// APIDutyResponse is the JSON shape of GET /api/v1/duty.
type APIDutyResponse struct {
	Code        string       `json:"code"`
	Description string       `json:"description"`
	Country     string       `json:"country"`
	EntryDate   string       `json:"entry_date"`
	ValueCents  int64        `json:"customs_value_cents"`
	Currency    string       `json:"currency"`
	Edition     string       `json:"edition"`
	Result      *duty.Result `json:"result"`
}

// APIDuty serves GET /api/v1/duty.
func (h *Handler) APIDuty(c echo.Context) error {
	if h.hts == nil {
		return errNoTariffData
	}
	var f dutyForm
	if err := web.BindQuery(c, &f); err != nil {
		return err
	}
	in, line, errs := f.validate(h.hts, h.duty)
	var r *duty.Result
	if len(errs) == 0 {
		r, errs = h.calculateDuty(in)
	}
	if len(errs) > 0 {
		return web.ValidationJSON(c, errs)
	}
	return c.JSON(http.StatusOK, APIDutyResponse{Code: line.Code, Description: line.Description, Country: in.Country,
		EntryDate: in.EntryDate.String(), ValueCents: in.CustomsValue, Currency: "USD", Edition: h.hts.Edition().Name, Result: r})
}
