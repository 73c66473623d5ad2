package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/scheduling"
	"github.com/hsworkshop/hsworkshop/models"
)

// Pages of the scheduling console (templates/pages/admin/…).
const (
	tplSchedule       = "admin/schedule"
	tplSessionForm    = "admin/session_form"
	tplSessionCancel  = "admin/session_cancel"
	tplCancelled      = "admin/session_cancelled"
	tplSeries         = "admin/series"
	tplSeriesShow     = "admin/series_show"
	tplWorkshops      = "admin/workshops"
	tplWorkshopForm   = "admin/workshop_form"
	tplAudit          = "admin/audit"
	tplRoster         = "admin/roster"
	tplSignIn         = "admin/signin"
	tplAttendance     = "admin/attendance"
	tplStaffSessions  = "admin/staff_sessions"
	tplBulkEmail      = "admin/bulk_email"
	localLayout       = "2006-01-02T15:04"
	maxSessionsListed = 500
)

// actor is who is acting, for the audit log.
func actor(c echo.Context) scheduling.Actor {
	return scheduling.Actor{User: web.CurrentUser(c), IP: c.RealIP()}
}

// schedulePage is the data of the schedule.
type schedulePage struct {
	Sessions []models.Session
	Past     bool
}

// ShowSchedule serves GET /admin/schedule: sessions from the last 30 days
// (or all, ?past=1), any status.
func (h *Handler) ShowSchedule(c echo.Context) error {
	since := h.web.Now().AddDate(0, 0, -30)
	past := c.QueryParam("past") == "1"
	if past {
		since = time.Time{}
	}
	ss, err := models.ListSessionsForAdmin(c.Request().Context(), h.db, since)
	if err != nil {
		return err
	}
	if len(ss) > maxSessionsListed {
		ss = ss[len(ss)-maxSessionsListed:]
	}
	return h.web.Render(c, http.StatusOK, tplSchedule, web.PageData{Title: "Schedule", Data: schedulePage{Sessions: ss, Past: past}})
}

// sessionFormPage is the data of the session form.
type sessionFormPage struct {
	Session   *models.Session // nil when creating
	Options   formOptions
	Attendees int // seats taken: editing the time asks whether to notify
}

// formOptions are the choices of the session and series forms.
type formOptions struct {
	Workshops [][2]string
	Staff     [][2]string
	Formats   [][2]string
	Statuses  [][2]string
	Zones     []string
	Rules     [][2]string
	Nths      [][2]string
	Weekdays  [][2]string
}

// zones are suggested time zones; any IANA name is accepted.
var zones = []string{"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico", "America/Toronto", "America/Mexico_City", "Europe/London", "UTC"}

func (h *Handler) formOptions(c echo.Context) (formOptions, error) {
	ctx := c.Request().Context()
	ws, err := models.ListWorkshops(ctx, h.db)
	if err != nil {
		return formOptions{}, err
	}
	staff, err := models.ListStaff(ctx, h.db)
	if err != nil {
		return formOptions{}, err
	}
	o := formOptions{Zones: zones, Statuses: [][2]string{{"draft", "Draft (not in the catalog)"}, {"published", "Published"}},
		Rules: [][2]string{{scheduling.RuleMonthly, "Monthly, on a weekday of the month"}, {scheduling.RuleWeekly, "Weekly"}},
		Nths:  [][2]string{{"1", "First"}, {"2", "Second"}, {"3", "Third"}, {"4", "Fourth"}, {"-1", "Last"}},
		Weekdays: [][2]string{{"1", "Monday"}, {"2", "Tuesday"}, {"3", "Wednesday"}, {"4", "Thursday"}, {"5", "Friday"},
			{"6", "Saturday"}, {"0", "Sunday"}}}
	for _, w := range ws {
		o.Workshops = append(o.Workshops, [2]string{fmt.Sprint(w.ID), w.Title})
	}
	for _, u := range staff {
		o.Staff = append(o.Staff, [2]string{fmt.Sprint(u.ID), u.Name + " (" + u.Email + ")"})
	}
	for _, f := range models.Formats {
		o.Formats = append(o.Formats, [2]string{string(f), f.Label()})
	}
	return o, nil
}

// sessionFields are the names of the session form's fields.
var sessionFields = []string{"workshop_id", "starts_at", "ends_at", "time_zone", "format", "venue_name", "venue_address", "city",
	"room_details", "join_url", "capacity", "price", "currency", "early_bird_price", "early_bird_deadline", "registration_closes_at",
	"instructor_id", "allow_invoice", "cancel_cutoff_hours", "cancel_fee", "status", "notify"}

func formOf(c echo.Context, names []string) map[string]string {
	f := map[string]string{}
	for _, n := range names {
		f[n] = strings.TrimSpace(c.FormValue(n))
	}
	return f
}

// sessionForm shows a session's fields as the form edits them.
func sessionForm(s *models.Session) map[string]string {
	loc := s.Location()
	f := map[string]string{"workshop_id": fmt.Sprint(s.WorkshopID), "starts_at": s.StartsAt.In(loc).Format(localLayout),
		"ends_at": s.EndsAt.In(loc).Format(localLayout), "time_zone": s.TimeZone, "format": string(s.Format),
		"venue_name": s.VenueName, "venue_address": s.VenueAddress, "city": s.City, "room_details": s.RoomDetails,
		"join_url": s.JoinURL, "capacity": strconv.Itoa(s.Capacity), "price": s.Price().Decimal(), "currency": s.Currency,
		"registration_closes_at": s.RegistrationClosesAt.In(loc).Format(localLayout), "allow_invoice": strconv.FormatBool(s.AllowInvoice),
		"cancel_cutoff_hours": strconv.Itoa(s.CancelCutoffHours), "cancel_fee": s.CancelFee().Decimal(), "status": string(s.Status)}
	if s.EarlyBirdPriceMinor != nil {
		f["early_bird_price"] = s.EarlyBirdPrice().Decimal()
	}
	if s.EarlyBirdDeadline != nil {
		f["early_bird_deadline"] = s.EarlyBirdDeadline.In(loc).Format(localLayout)
	}
	if s.InstructorID != nil {
		f["instructor_id"] = fmt.Sprint(*s.InstructorID)
	}
	return f
}

// parseSession reads the session form into s (fields other than the form's
// are kept) and returns field errors, including the session's own rules.
func parseSession(f map[string]string, s *models.Session) map[string]string {
	errs := map[string]string{}
	if id, err := strconv.ParseUint(f["workshop_id"], 10, 64); err != nil || id == 0 {
		errs["workshop_id"] = "Choose a workshop."
	} else {
		s.WorkshopID = uint(id)
	}
	s.TimeZone = f["time_zone"]
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		errs["time_zone"] = "Choose an IANA time zone such as America/New_York."
		loc = time.UTC
	}
	at := func(name string, required bool) *time.Time {
		v := f[name]
		if v == "" {
			if required {
				errs[name] = "Enter a date and time."
			}
			return nil
		}
		t, err := time.ParseInLocation(localLayout, v, loc)
		if err != nil {
			errs[name] = "Enter a date and time such as 2027-03-02T09:00."
			return nil
		}
		t = t.UTC()
		return &t
	}
	if t := at("starts_at", true); t != nil {
		s.StartsAt = *t
	}
	if t := at("ends_at", true); t != nil {
		s.EndsAt = *t
	}
	if t := at("registration_closes_at", true); t != nil {
		s.RegistrationClosesAt = *t
	}
	s.Format = models.Format(f["format"])
	s.VenueName, s.VenueAddress, s.City, s.RoomDetails, s.JoinURL = f["venue_name"], f["venue_address"], f["city"], f["room_details"], f["join_url"]
	if s.JoinURL != "" && !strings.HasPrefix(s.JoinURL, "https://") {
		errs["join_url"] = "Enter an https:// link."
	}
	if (s.Format == models.FormatInPerson || s.Format == models.FormatHybrid) && s.City == "" {
		errs["city"] = "Enter the city of an in-person session."
	}
	if n, err := strconv.Atoi(f["capacity"]); err != nil {
		errs["capacity"] = "Enter a whole number."
	} else {
		s.Capacity = n
	}
	s.Currency = strings.ToUpper(f["currency"])
	if p, err := models.ParseMoney(f["price"], s.Currency); err != nil {
		errs["price"] = "Enter an amount such as 595 or 595.00 (0 or more)."
	} else {
		s.PriceMinor = p.Minor
	}
	s.EarlyBirdPriceMinor, s.EarlyBirdDeadline = nil, nil
	if f["early_bird_price"] != "" {
		if p, err := models.ParseMoney(f["early_bird_price"], s.Currency); err != nil {
			errs["early_bird_price"] = "Enter an amount such as 495."
		} else {
			s.EarlyBirdPriceMinor = &p.Minor
		}
		s.EarlyBirdDeadline = at("early_bird_deadline", true)
	} else if f["early_bird_deadline"] != "" {
		errs["early_bird_price"] = "Enter the early-bird price, or clear its deadline."
	}
	s.InstructorID = nil
	if f["instructor_id"] != "" {
		if id, err := strconv.ParseUint(f["instructor_id"], 10, 64); err != nil {
			errs["instructor_id"] = "Choose an instructor."
		} else {
			v := uint(id)
			s.InstructorID = &v
		}
	}
	s.AllowInvoice = f["allow_invoice"] == "true"
	if h, err := strconv.Atoi(f["cancel_cutoff_hours"]); err != nil || h < 0 || h > 24*90 {
		errs["cancel_cutoff_hours"] = "Enter whole hours between 0 and 2160 (90 days)."
	} else {
		s.CancelCutoffHours = h
	}
	if fee, err := models.ParseMoney(f["cancel_fee"], s.Currency); err != nil {
		errs["cancel_fee"] = "Enter an amount such as 50 (0 for no fee)."
	} else if fee.Minor > s.PriceMinor {
		errs["cancel_fee"] = "The fee cannot be more than the seat price."
	} else {
		s.CancelFeeMinor = fee.Minor
	}
	for k, v := range s.Validate() {
		if _, ok := errs[k]; !ok && !(k == "currency" && errs["price"] != "") {
			errs[k] = v
		}
	}
	if !s.RegistrationClosesAt.IsZero() && !s.StartsAt.IsZero() && !s.RegistrationClosesAt.Before(s.StartsAt) && errs["registration_closes_at"] == "" {
		errs["registration_closes_at"] = "Registration must close before the start."
	}
	return errs
}

// checkRefs verifies the workshop and instructor the form names exist.
func (h *Handler) checkRefs(c echo.Context, s *models.Session, errs map[string]string) error {
	ctx := c.Request().Context()
	if s.WorkshopID != 0 && errs["workshop_id"] == "" {
		if _, err := models.FindWorkshop(ctx, h.db, s.WorkshopID); errors.Is(err, models.ErrNotFound) {
			errs["workshop_id"] = "Choose a workshop."
		} else if err != nil {
			return err
		}
	}
	if s.InstructorID != nil && errs["instructor_id"] == "" {
		u, err := models.FindUserByID(ctx, h.db, *s.InstructorID)
		if errors.Is(err, models.ErrNotFound) || (err == nil && !u.IsStaff()) {
			errs["instructor_id"] = "Choose an instructor."
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) renderSessionForm(c echo.Context, status int, s *models.Session, form, errs map[string]string) error {
	o, err := h.formOptions(c)
	if err != nil {
		return err
	}
	p := sessionFormPage{Session: s, Options: o}
	title := "New session"
	if s != nil {
		p.Attendees, title = s.SeatsTaken, "Edit session"
	}
	return h.web.Render(c, status, tplSessionForm, web.PageData{Title: title, Form: form, Errors: errs, Data: p})
}

// NewSession serves GET /admin/sessions/new (?workshop= preselects one,
// with its default price and duration).
func (h *Handler) NewSession(c echo.Context) error {
	f := map[string]string{"time_zone": "America/New_York", "format": string(models.FormatVirtual), "capacity": "20",
		"currency": "USD", "price": "0", "cancel_cutoff_hours": "168", "cancel_fee": "0", "status": string(models.StatusDraft)}
	if id, err := strconv.ParseUint(c.QueryParam("workshop"), 10, 64); err == nil {
		if w, err := models.FindWorkshop(c.Request().Context(), h.db, uint(id)); err == nil {
			f["workshop_id"], f["price"], f["currency"] = fmt.Sprint(w.ID), w.DefaultPrice().Decimal(), w.Currency
		}
	}
	return h.renderSessionForm(c, http.StatusOK, nil, f, nil)
}

// CreateSession serves POST /admin/sessions.
func (h *Handler) CreateSession(c echo.Context) error {
	f := formOf(c, sessionFields)
	s := &models.Session{Status: models.SessionStatus(f["status"])}
	errs := parseSession(f, s)
	if err := h.checkRefs(c, s, errs); err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderSessionForm(c, http.StatusUnprocessableEntity, nil, f, errs)
	}
	err := h.sched.CreateSession(c.Request().Context(), actor(c), s)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderSessionForm(c, http.StatusUnprocessableEntity, nil, f, ve.Fields)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d?saved=created", s.ID))
}

// EditSession serves GET /admin/sessions/:id/edit.
func (h *Handler) EditSession(c echo.Context) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	return h.renderSessionForm(c, http.StatusOK, s, sessionForm(s), nil)
}

// UpdateSession serves POST /admin/sessions/:id.
func (h *Handler) UpdateSession(c echo.Context) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	f := formOf(c, sessionFields)
	x := *s
	x.Workshop, x.Instructor = models.Workshop{}, nil
	errs := parseSession(f, &x)
	if err := h.checkRefs(c, &x, errs); err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderSessionForm(c, http.StatusUnprocessableEntity, s, f, errs)
	}
	res, err := h.sched.UpdateSession(c.Request().Context(), actor(c), &x, f["notify"] == "true")
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderSessionForm(c, http.StatusUnprocessableEntity, s, f, ve.Fields)
	}
	if err != nil {
		return err
	}
	saved := "saved"
	if res.Notified > 0 {
		saved = fmt.Sprintf("notified-%d", res.Notified)
	}
	return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d?saved=%s", s.ID, saved))
}

// DuplicateSession serves POST /admin/sessions/:id/duplicate: a draft copy
// one week later, opened for editing.
func (h *Handler) DuplicateSession(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cp, err := h.sched.DuplicateSession(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d/edit", cp.ID))
}

// SetSessionStatus serves POST /admin/sessions/:id/status (to=published,
// completed or draft).
func (h *Handler) SetSessionStatus(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	to := models.SessionStatus(c.FormValue("to"))
	if to != models.StatusPublished && to != models.StatusCompleted && to != models.StatusDraft {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose published, completed or draft.")
	}
	if err := h.sched.Transition(c.Request().Context(), actor(c), id, to); err != nil {
		if errors.Is(err, models.ErrConflict) {
			return echo.NewHTTPError(http.StatusConflict, "The session cannot move to "+string(to)+" now: "+err.Error())
		}
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d?saved=%s", id, to))
}

// cancelPage is the data of the cancellation confirmation.
type cancelPage struct {
	Session  *models.Session
	Orders   []models.Order
	Waitlist int
}

// ConfirmCancelSession serves GET /admin/sessions/:id/cancel: what
// cancelling will do, and the form.
func (h *Handler) ConfirmCancelSession(c echo.Context) error {
	return h.renderCancel(c, http.StatusOK, nil)
}

func (h *Handler) renderCancel(c echo.Context, status int, errs map[string]string) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	if s.Status == models.StatusCancelled {
		return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d/cancellation", s.ID))
	}
	ctx := c.Request().Context()
	os, err := models.ListOrdersForSession(ctx, h.db, s.ID, models.OrderPaid, models.OrderPendingInvoice, models.OrderHeld)
	if err != nil {
		return err
	}
	n, err := models.CountWaiting(ctx, h.db, s.ID)
	if err != nil {
		return err
	}
	return h.web.Render(c, status, tplSessionCancel, web.PageData{Title: "Cancel session", Errors: errs,
		Form: map[string]string{"reason": c.FormValue("reason")}, Data: cancelPage{Session: s, Orders: os, Waitlist: int(n)}})
}

// CancelSession serves POST /admin/sessions/:id/cancel; a repeat does
// nothing more and shows the same summary.
func (h *Handler) CancelSession(c echo.Context) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return h.renderCancel(c, http.StatusUnprocessableEntity, map[string]string{"confirm": "Tick the box to confirm."})
	}
	_, _, err = h.sched.CancelSession(c.Request().Context(), actor(c), id, c.FormValue("reason"))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderCancel(c, http.StatusUnprocessableEntity, ve.Fields)
	}
	if errors.Is(err, models.ErrConflict) {
		return echo.NewHTTPError(http.StatusConflict, "Only draft or published sessions can be cancelled.")
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d/cancellation", id))
}

// cancelledPage is the data of the cancellation summary.
type cancelledPage struct {
	Session *models.Session
	Record  *models.SessionCancellation
	Refunds []models.Refund
}

// ShowCancellation serves GET /admin/sessions/:id/cancellation.
func (h *Handler) ShowCancellation(c echo.Context) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rec, err := models.FindSessionCancellation(ctx, h.db, s.ID)
	if err != nil {
		return err
	}
	os, err := models.ListOrdersForSession(ctx, h.db, s.ID)
	if err != nil {
		return err
	}
	var rs []models.Refund
	for _, o := range os {
		r, err := models.ListRefunds(ctx, h.db, o.ID)
		if err != nil {
			return err
		}
		rs = append(rs, r...)
	}
	return h.web.Render(c, http.StatusOK, tplCancelled, web.PageData{Title: "Session cancelled",
		Data: cancelledPage{Session: s, Record: rec, Refunds: rs}})
}

// seriesPage is the data of the series form and its preview.
type seriesPage struct {
	Options formOptions
	Preview []models.Session
}

var seriesFields = append([]string{"series_name", "rule", "count", "first_date", "weekday", "nth", "start_time", "end_time", "close_hours",
	"early_bird_days", "publish"}, sessionFields...)

// NewSeries serves GET /admin/series/new.
func (h *Handler) NewSeries(c echo.Context) error {
	f := map[string]string{"rule": scheduling.RuleMonthly, "count": "6", "weekday": "2", "nth": "1", "start_time": "09:00",
		"end_time": "16:30", "close_hours": "48", "time_zone": "America/New_York", "format": string(models.FormatVirtual),
		"capacity": "20", "currency": "USD", "price": "0", "cancel_cutoff_hours": "168", "cancel_fee": "0"}
	return h.renderSeries(c, http.StatusOK, f, nil, nil)
}

func (h *Handler) renderSeries(c echo.Context, status int, f, errs map[string]string, preview []models.Session) error {
	o, err := h.formOptions(c)
	if err != nil {
		return err
	}
	return h.web.Render(c, status, tplSeries, web.PageData{Title: "Schedule a series", Form: f, Errors: errs,
		Data: seriesPage{Options: o, Preview: preview}})
}

// parseSeries reads the series form into a spec and generates it.
func (h *Handler) parseSeries(c echo.Context, f map[string]string) ([]models.Session, scheduling.SeriesSpec, map[string]string, error) {
	spec := scheduling.SeriesSpec{Rule: f["rule"], StartHM: f["start_time"], EndHM: f["end_time"]}
	errs := map[string]string{}
	num := func(name string, dst *int) {
		n, err := strconv.Atoi(f[name])
		if err != nil {
			errs[name] = "Enter a whole number."
			return
		}
		*dst = n
	}
	num("count", &spec.Count)
	num("close_hours", &spec.CloseHours)
	if spec.Rule == scheduling.RuleMonthly {
		num("nth", &spec.Nth)
		var wd int
		num("weekday", &wd)
		if wd < 0 || wd > 6 {
			errs["weekday"] = "Choose a weekday."
		}
		spec.Weekday = time.Weekday(wd)
	}
	if d, err := time.Parse("2006-01-02", f["first_date"]); err != nil {
		errs["first_date"] = "Enter a date such as 2027-01-05."
	} else {
		spec.FirstDate = d
	}
	// The template session: times come from the rule, so fill the time
	// fields with placeholders the rule replaces.
	tf := map[string]string{}
	for k, v := range f {
		tf[k] = v
	}
	tf["starts_at"], tf["ends_at"], tf["registration_closes_at"] = "2000-01-02T10:00", "2000-01-02T11:00", "2000-01-01T10:00"
	if f["early_bird_price"] != "" {
		tf["early_bird_deadline"] = "2000-01-01T09:00"
		num("early_bird_days", &spec.EarlyBirdDays)
	}
	for k, v := range parseSession(tf, &spec.Template) {
		if k != "starts_at" && k != "ends_at" && k != "registration_closes_at" && k != "early_bird_deadline" {
			errs[k] = v
		}
	}
	if len([]rune(f["series_name"])) > scheduling.MaxSeriesName {
		errs["series_name"] = fmt.Sprintf("Use at most %d characters.", scheduling.MaxSeriesName)
	}
	if err := h.checkRefs(c, &spec.Template, errs); err != nil {
		return nil, spec, nil, err
	}
	if len(errs) > 0 {
		return nil, spec, errs, nil
	}
	ss, gerrs := scheduling.GenerateSeries(spec)
	return ss, spec, gerrs, nil
}

// PreviewSeries serves POST /admin/series/preview: the dates the rule
// gives, in the session's zone, before anything is stored.
func (h *Handler) PreviewSeries(c echo.Context) error {
	f := formOf(c, seriesFields)
	ss, _, errs, err := h.parseSeries(c, f)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderSeries(c, http.StatusUnprocessableEntity, f, errs, nil)
	}
	return h.renderSeries(c, http.StatusOK, f, nil, ss)
}

// CreateSeries serves POST /admin/series: regenerates from the same form
// and stores every session, or none, under one series, then shows it.
func (h *Handler) CreateSeries(c echo.Context) error {
	f := formOf(c, seriesFields)
	ss, spec, errs, err := h.parseSeries(c, f)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderSeries(c, http.StatusUnprocessableEntity, f, errs, nil)
	}
	x, err := h.sched.CreateSeries(c.Request().Context(), actor(c), f["series_name"], spec.Describe(), ss, f["publish"] == "true")
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderSeries(c, http.StatusUnprocessableEntity, f, ve.Fields, nil)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/series/%d?created=%d", x.ID, len(ss)))
}
