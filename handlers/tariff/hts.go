package tariff

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// htsIndex is the loaded schedule, or a 503 when the app runs without one.
func (h *Handler) htsIndex() (*hts.Index, error) {
	if h.hts == nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "The tariff reference is not loaded on this server.")
	}
	return h.hts, nil
}

// htsBanner is what every tariff page says about its data: the edition
// of the schedule and the as-of date of the tariff-action lists.
type htsBanner struct {
	Edition hts.Edition
	Actions hts.ActionsInfo
}

func (h *Handler) banner() htsBanner {
	return htsBanner{Edition: h.hts.Edition(), Actions: h.hts.Actions()}
}

// crumb is one step of the breadcrumbs.
type crumb struct {
	Label string
	URL   string
}

// htsURL is the permalink of a line.
func htsURL(l *hts.Line) string { return "/hts/" + l.Code }

// crumbs leads from the browser's index to l (l itself last, unlinked).
func (h *Handler) crumbs(l *hts.Line) []crumb {
	cs := []crumb{{Label: "Tariff browser", URL: "/hts"}, {Label: "Section " + l.Section, URL: "/hts#section-" + l.Section}}
	for _, p := range h.hts.Ancestors(l) {
		cs = append(cs, crumb{Label: crumbLabel(p), URL: htsURL(p)})
	}
	return append(cs, crumb{Label: crumbLabel(l)})
}

func crumbLabel(l *hts.Line) string {
	if l.Level == 2 {
		return "Chapter " + l.Code
	}
	return l.Code
}

// browsePage is the data of /hts.
type browsePage struct {
	Banner   htsBanner
	Sections []hts.Section
	Stats    hts.Stats
}

// ShowHTSBrowser serves GET /hts.
func (h *Handler) ShowHTSBrowser(c echo.Context) error {
	ix, err := h.htsIndex()
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, web.TplHTSBrowse, web.PageData{Title: "Tariff browser",
		Description: "The Harmonized Tariff Schedule of the United States by section, chapter and heading, with rates, units and Section 301/232 list coverage.",
		Data:        browsePage{Banner: h.banner(), Sections: ix.Sections(), Stats: ix.Stats()}})
}

// linePage is the data of a chapter, heading, subheading or line page.
type linePage struct {
	Banner    htsBanner
	Line      *hts.Line
	LevelName string
	Crumbs    []crumb
	// Printed is the line's place in the printed schedule: its path with
	// the line itself last.
	Printed  []string
	Children []*hts.Line
	Rows     []hts.Row // headings and subheadings: the printed schedule
	Aliases  []string
	Prev     *hts.Line
	Next     *hts.Line
	// Counts of 8-digit lines under a chapter, heading or subheading.
	RateLines, On301, On232 int
	S301                    []s301View
	S232                    []s232View
}

// s301View is a Section 301 listing as the line page shows it.
type s301View struct {
	hts.S301Listing
	Name      string
	Ch99Known bool // the Chapter 99 number is a line of this edition
}

// s232View is a Section 232 listing as the line page shows it.
type s232View struct {
	hts.S232Listing
	AnnexName, AnnexMeaning string
	Ch99Known               bool
}

func (h *Handler) actionViews(l *hts.Line) ([]s301View, []s232View) {
	known := func(code string) bool {
		_, err := h.hts.Lookup(code)
		return code != "" && err == nil
	}
	var s3 []s301View
	for _, s := range l.S301 {
		s3 = append(s3, s301View{S301Listing: s, Name: hts.S301ListName(s.List), Ch99Known: known(s.Ch99)})
	}
	var s2 []s232View
	for _, s := range l.S232 {
		s2 = append(s2, s232View{S232Listing: s, AnnexName: hts.Annex232Name(s.Annex), AnnexMeaning: hts.Annex232Meaning(s.Annex), Ch99Known: known(s.Ch99)})
	}
	return s3, s2
}

// HasS232Annex reports whether any 232 listing comes from the 2026 annexes.
func (p linePage) HasS232Annex() bool {
	if p.Line == nil {
		return false
	}
	for _, l := range p.Line.S232 {
		if l.Basis == "annex" {
			return true
		}
	}
	return false
}

// htsCodeParam parses the :code of a URL; a malformed one is a 400 that
// explains the accepted forms.
func htsCodeParam(c echo.Context) (hts.Code, string, error) {
	raw, err := url.PathUnescape(c.Param("code"))
	if err != nil {
		raw = c.Param("code")
	}
	code, err := hts.ParseCode(raw)
	return code, raw, err
}

// ShowHTSLine serves GET /hts/:code.
func (h *Handler) ShowHTSLine(c echo.Context) error {
	ix, err := h.htsIndex()
	if err != nil {
		return err
	}
	code, raw, err := htsCodeParam(c)
	if err != nil {
		return h.htsMissing(c, http.StatusBadRequest, raw, err, nil)
	}
	if raw != code.Dotted() {
		return c.Redirect(http.StatusMovedPermanently, "/hts/"+code.Dotted())
	}
	l, err := ix.LookupCode(code)
	if err != nil {
		return h.htsMissing(c, http.StatusNotFound, raw, err, ix.Nearest(code))
	}
	p := linePage{Banner: h.banner(), Line: l, LevelName: hts.LevelName(l.Level), Crumbs: h.crumbs(l),
		Printed: append(append([]string{}, l.Path...), l.Description), Children: ix.Children(l), Aliases: ix.Aliases(l),
		Prev: ix.Prev(l), Next: ix.Next(l)}
	p.S301, p.S232 = h.actionViews(l)
	tpl := web.TplHTSLine
	switch l.Level {
	case 2:
		tpl = web.TplHTSChapter
		p.RateLines, p.On301, p.On232 = ix.CountUnder(l)
	case 4, 6:
		tpl = web.TplHTSHeading
		p.Rows = ix.Schedule(l)
		p.RateLines, p.On301, p.On232 = ix.CountUnder(l)
	}
	title := l.Code + " " + l.Description
	if l.Level == 2 {
		title = "Chapter " + l.Code + ": " + l.Description
	}
	return h.web.Render(c, http.StatusOK, tpl, web.PageData{Title: truncate(title, 90),
		Description: fmt.Sprintf("HTSUS %s %s: %s (%s).", hts.LevelName(l.Level), l.Code, truncate(l.Description, 200), ix.Edition().Name),
		Data:        p})
}

// missingPage explains a code that is malformed or not in the schedule.
type missingPage struct {
	Status  int
	Input   string
	Problem string
	Nearest *hts.Line
	Edition hts.Edition
}

// htsMissing renders the 400/404 page of a code, pointing to the nearest
// existing line.
func (h *Handler) htsMissing(c echo.Context, status int, input string, err error, nearest *hts.Line) error {
	p := missingPage{Status: status, Input: input, Nearest: nearest, Edition: h.hts.Edition()}
	title := "Not a tariff code"
	if status == http.StatusBadRequest {
		p.Problem = codeProblem(err)
	} else {
		title = "Code not in the schedule"
		p.Problem = fmt.Sprintf("%s is a well-formed code, but the %s has no such line.", strings.TrimSpace(input), h.hts.Edition().Name)
	}
	return h.web.Render(c, status, web.TplHTSMissing, web.PageData{Title: title, Data: p})
}

// codeProblem turns a ParseCode error into a sentence for people.
func codeProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), hts.ErrMalformedCode.Error()+": ")
	return "That is not a code: " + msg + ". Codes have 2, 4, 6, 8 or 10 digits, with or without dots or spaces, e.g. 8471.30.0100, 8471300100 or 8471 30 01 00."
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	cut := strings.LastIndex(s[:n], " ")
	if cut < n/2 {
		cut = n
	}
	return s[:cut] + "…"
}

// searchForm is the query string of the search page and API.
type searchForm struct {
	Q     string `query:"q"`
	Limit string `query:"limit"`
	limit int
	// chars is the length of the query as sent, in characters; cut is set
	// when only its first searchMaxChars were searched.
	chars int
	cut   bool
}

// Search limits.
const (
	htsDefaultLimit = 10
	htsMaxLimit     = 50
	htsPageLimit    = 25
	// searchMaxChars is how much of a query is searched: a pasted product
	// description of any length is accepted and cut with a notice, never
	// refused (issue 13); the engine reads the same characters.
	searchMaxChars = hts.MaxQueryLen
)

// validate checks the query and limit; empty q is allowed only when
// allowEmpty (the search page shows just the form). A long query is cut,
// not refused.
func (f *searchForm) validate(allowEmpty bool, defaultLimit int) map[string]string {
	errs := map[string]string{}
	f.chars = utf8.RuneCountInString(strings.TrimSpace(f.Q))
	f.Q, f.cut = hts.TrimQuery(f.Q)
	if f.Q == "" && !allowEmpty {
		errs["q"] = "Type what you are looking for: words such as \"laptop\" or a code such as 8471.30."
	}
	f.limit = defaultLimit
	if f.Limit != "" {
		n, err := strconv.Atoi(f.Limit)
		if err != nil || n < 1 || n > htsMaxLimit {
			errs["limit"] = fmt.Sprintf("limit must be a whole number from 1 to %d.", htsMaxLimit)
		} else {
			f.limit = n
		}
	}
	return errs
}

// notice says that a long query was cut, or is "".
func (f *searchForm) notice() string {
	if !f.cut {
		return ""
	}
	return fmt.Sprintf("Your search was %s characters long: only the first %s were searched.", thousands(f.chars), thousands(searchMaxChars))
}

// oneLine folds a pasted multi-line query (paragraphs, bullet lists) into
// one line for titles and the results heading.
func oneLine(q string) string {
	return strings.Join(strings.Fields(q), " ")
}

// thousands writes n with thousands separators ("1,234").
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// searchResult is one hit as the search page shows it.
type searchResult struct {
	Line        *hts.Line
	LevelName   string
	Description []hts.Segment
	Path        [][]hts.Segment
	// Aliases are the commercial names of the line the query matched.
	Aliases [][]hts.Segment
	// Why explains the ranking: matched words and the text each came from.
	Why *hts.Why
}

// searchPage is the data of /hts/search.
type searchPage struct {
	Banner  htsBanner
	Query   string
	Results []searchResult
	Code    bool // the query was a code
	// Shown is the query on one line, shortened for the results heading;
	// Notice says that a long query was cut.
	Shown  string
	Notice string
}

// SearchHTS serves GET /hts/search.
func (h *Handler) SearchHTS(c echo.Context) error {
	ix, err := h.htsIndex()
	if err != nil {
		return err
	}
	var f searchForm
	if err := web.BindQuery(c, &f); err != nil {
		return err
	}
	errs := f.validate(true, htsPageLimit)
	p := searchPage{Banner: h.banner(), Query: f.Q, Shown: truncate(oneLine(f.Q), 120), Notice: f.notice()}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	} else if f.Q != "" {
		for _, hit := range ix.Search(f.Q, hts.Options{Limit: f.limit, Explain: true}) {
			r := searchResult{Line: hit.Line, LevelName: hts.LevelName(hit.Line.Level), Description: hts.Highlight(hit.Line.Description, hit.Terms), Why: hit.Why}
			for _, s := range hit.Line.Path {
				r.Path = append(r.Path, hts.Highlight(s, hit.Terms))
			}
			for _, name := range ix.Aliases(hit.Line) {
				if segs := hts.Highlight(name, hit.Terms); slices.ContainsFunc(segs, func(s hts.Segment) bool { return s.Mark }) {
					r.Aliases = append(r.Aliases, segs)
				}
			}
			p.Results = append(p.Results, r)
		}
	}
	title := "Search the tariff"
	if f.Q != "" {
		title = "Tariff search: " + truncate(oneLine(f.Q), 60)
	}
	return h.web.Render(c, status, web.TplHTSSearch, web.PageData{Title: title, Errors: errs, Form: f, Data: p,
		Description: "Find HTSUS lines by the words traders use, by code or code prefix."})
}

// APIHTSResult is one search result of the JSON API (PRODUCT.md), with
// why it ranked.
type APIHTSResult struct {
	Code        string   `json:"code"`
	Level       int      `json:"level"`
	Description string   `json:"description"`
	Path        []string `json:"path"`
	Why         *APIWhy  `json:"why,omitempty"`
}

// APIWhy explains one result: the heading it was ranked under, its rank
// among the headings the query touched and its share of the best one's
// score, each query word's match and the text it came from (line, alias,
// parent, heading, hs, heading line), the words that found nothing there,
// and the classification rules applied.
type APIWhy struct {
	Heading     string     `json:"heading"`
	HeadingRank int        `json:"heading_rank"`
	Standing    float64    `json:"standing"`
	Matches     []APIMatch `json:"matches"`
	Unmatched   []string   `json:"unmatched"`
	Rules       []string   `json:"rules"`
}

// APIMatch is one query word found in one text.
type APIMatch struct {
	Word   string `json:"word"`
	Term   string `json:"term,omitempty"`
	Source string `json:"source"`
	Code   string `json:"code,omitempty"`
	Text   string `json:"text"`
}

// APIQuery says how the query was read: the words scored and the words set
// aside (numbers, units, packing and marketing words).
type APIQuery struct {
	Words   []string `json:"words"`
	Ignored []string `json:"ignored"`
	Cut     bool     `json:"cut"`
}

func apiWhy(w *hts.Why) *APIWhy {
	if w == nil {
		return nil
	}
	out := &APIWhy{Heading: w.Heading, HeadingRank: w.HeadingRank, Standing: w.Standing,
		Matches: []APIMatch{}, Unmatched: nonNil(w.Unmatched), Rules: nonNil(w.Rules)}
	for _, m := range w.Matches {
		out.Matches = append(out.Matches, APIMatch{Word: m.Word, Term: m.Term, Source: m.Source, Code: m.Code, Text: m.Text})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// APIHTSSearch is the JSON shape of GET /api/v1/hts/search.
type APIHTSSearch struct {
	Results []APIHTSResult `json:"results"`
	Edition string         `json:"edition"`
	// QueryCut is set when q was longer than 1,000 characters and only its
	// beginning was searched; Notice says so in words.
	QueryCut bool     `json:"query_cut"`
	Notice   string   `json:"notice,omitempty"`
	Query    APIQuery `json:"query"`
}

// APISearchHTS serves GET /api/v1/hts/search.
func (h *Handler) APISearchHTS(c echo.Context) error {
	ix, err := h.htsIndex()
	if err != nil {
		return err
	}
	var f searchForm
	if err := web.BindQuery(c, &f); err != nil {
		return err
	}
	if errs := f.validate(false, htsDefaultLimit); len(errs) > 0 {
		return web.ValidationJSON(c, errs)
	}
	rq := ix.ReadQuery(f.Q)
	out := APIHTSSearch{Results: []APIHTSResult{}, Edition: ix.Edition().Name, QueryCut: f.cut, Notice: f.notice(),
		Query: APIQuery{Words: nonNil(rq.Words), Ignored: nonNil(rq.Ignored), Cut: f.cut}}
	for _, hit := range ix.Search(f.Q, hts.Options{Limit: f.limit, Explain: true}) {
		path := hit.Line.Path
		if path == nil {
			path = []string{}
		}
		out.Results = append(out.Results, APIHTSResult{Code: hit.Line.Code, Level: hit.Line.Level, Description: hit.Line.Description, Path: path, Why: apiWhy(hit.Why)})
	}
	return c.JSON(http.StatusOK, out)
}

// apiHTSRef is a line named inside another.
type apiHTSRef struct {
	Code        string `json:"code"`
	Level       int    `json:"level"`
	Description string `json:"description"`
}

// apiHTSRates are a line's rates of duty as printed, with where they came
// from.
type apiHTSRates struct {
	General string `json:"general"`
	Special string `json:"special"`
	Column2 string `json:"column2"`
	// Source is the dotted code the rates are printed on ("" for none).
	Source string `json:"source"`
}

type apiS301 struct {
	List     string `json:"list"`
	ListName string `json:"list_name"`
	Ch99     string `json:"ch99"`
	Rate     string `json:"rate"`
}

type apiS232 struct {
	Metal         string `json:"metal"`
	Basis         string `json:"basis"`
	Annex         string `json:"annex,omitempty"`
	Ch99          string `json:"ch99,omitempty"`
	ListedAs      string `json:"listed_as"`
	Partial       bool   `json:"partial"`
	EffectiveDate string `json:"effective_date"`
}

type apiEdition struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	AsOf   string `json:"as_of"`
	SHA256 string `json:"sha256"`
}

type apiActions struct {
	Source        string `json:"source"`
	License       string `json:"license"`
	S301AsOf      string `json:"section_301_as_of"`
	S232AnnexDate string `json:"section_232_annex_effective"`
	Note          string `json:"note"`
}

// APIHTSLine is the answer of GET /api/v1/hts/{code}.
type APIHTSLine struct {
	Code          string      `json:"code"`
	Digits        string      `json:"digits"`
	Level         int         `json:"level"`
	LevelName     string      `json:"level_name"`
	Description   string      `json:"description"`
	Path          []string    `json:"path"`
	Indent        int         `json:"indent"`
	Origin        string      `json:"origin"`
	Section       string      `json:"section"`
	Units         []string    `json:"units"`
	Rates         apiHTSRates `json:"rates"`
	Ancestors     []apiHTSRef `json:"ancestors"`
	Children      []apiHTSRef `json:"children"`
	Section301    []apiS301   `json:"section_301"`
	Section232    []apiS232   `json:"section_232"`
	Edition       apiEdition  `json:"edition"`
	TariffActions apiActions  `json:"tariff_actions"`
	URL           string      `json:"url"`
}

func refs(ls []*hts.Line) []apiHTSRef {
	out := make([]apiHTSRef, 0, len(ls))
	for _, l := range ls {
		out = append(out, apiHTSRef{Code: l.Code, Level: l.Level, Description: l.Description})
	}
	return out
}

// APIShowHTSLine serves GET /api/v1/hts/:code.
func (h *Handler) APIShowHTSLine(c echo.Context) error {
	ix, err := h.htsIndex()
	if err != nil {
		return err
	}
	code, raw, err := htsCodeParam(c)
	if err != nil {
		// A malformed code is a field error of the path parameter: 422 like
		// any other field; 404 is kept for well-formed codes not in the edition.
		return web.ValidationJSON(c, map[string]string{"code": codeProblem(err)})
	}
	l, err := ix.LookupCode(code)
	if errors.Is(err, hts.ErrUnknownCode) {
		msg := fmt.Sprintf("%s is not in the %s.", strings.TrimSpace(raw), ix.Edition().Name)
		if n := ix.Nearest(code); n != nil {
			msg += fmt.Sprintf(" The nearest existing level is %s %s.", hts.LevelName(n.Level), n.Code)
		}
		return c.JSON(http.StatusNotFound, web.JSONError{Error: "not_found", Message: msg})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.toAPIHTSLine(l))
}

func (h *Handler) toAPIHTSLine(l *hts.Line) APIHTSLine {
	ed, act := h.hts.Edition(), h.hts.Actions()
	out := APIHTSLine{Code: l.Code, Digits: l.Digits, Level: l.Level, LevelName: hts.LevelName(l.Level), Description: l.Description,
		Path: l.Path, Indent: l.Indent, Origin: string(l.Origin), Section: l.Section, Units: l.Units,
		Rates:     apiHTSRates{General: l.General, Special: l.Special, Column2: l.Column2, Source: l.RateSource},
		Ancestors: refs(h.hts.Ancestors(l)), Children: refs(h.hts.Children(l)),
		Section301: []apiS301{}, Section232: []apiS232{},
		Edition: apiEdition{Name: ed.Name, Source: ed.Source, AsOf: ed.AsOf, SHA256: ed.SHA256},
		TariffActions: apiActions{Source: act.Source, License: act.License, S301AsOf: act.S301AsOf, S232AnnexDate: act.S232AnnexDate,
			Note: act.Caution},
		URL: h.web.BaseURL + htsURL(l)}
	if out.Path == nil {
		out.Path = []string{}
	}
	if out.Units == nil {
		out.Units = []string{}
	}
	for _, s := range l.S301 {
		out.Section301 = append(out.Section301, apiS301{List: s.List, ListName: hts.S301ListName(s.List), Ch99: s.Ch99, Rate: s.Rate})
	}
	for _, s := range l.S232 {
		out.Section232 = append(out.Section232, apiS232{Metal: s.Metal, Basis: s.Basis, Annex: s.Annex, Ch99: s.Ch99,
			ListedAs: s.Prefix, Partial: s.Partial, EffectiveDate: s.EffectiveDate})
	}
	return out
}
