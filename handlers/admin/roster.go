package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/attendance"
	"github.com/hsworkshop/hsworkshop/models"
)

// staffSession loads the :id session for the current user: admins any,
// instructors only their own (404 otherwise, so others stay unseen).
func (h *Handler) staffSession(c echo.Context) (*models.Session, error) {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return nil, err
	}
	return h.att.Session(c.Request().Context(), web.CurrentUser(c), id)
}

// ListStaffSessions serves GET /staff/sessions: the sessions the
// instructor teaches (admins: every session from the last week on).
func (h *Handler) ListStaffSessions(c echo.Context) error {
	ctx := c.Request().Context()
	u := web.CurrentUser(c)
	since := h.web.Now().AddDate(0, 0, -14)
	var ss []models.Session
	var err error
	if u.IsAdmin() {
		ss, err = models.ListSessionsForAdmin(ctx, h.db, since)
	} else {
		ss, err = models.ListSessionsForInstructor(ctx, h.db, u.ID, since)
	}
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, tplStaffSessions, web.PageData{Title: "My sessions", Data: ss})
}

// rosterPage is the data of the roster, sign-in sheet and attendance pages.
type rosterPage struct {
	Session *models.Session
	Roster  attendance.Roster
	Hours   float64 // contact hours a present attendee is credited with
}

func (h *Handler) loadRoster(c echo.Context) (rosterPage, error) {
	s, err := h.staffSession(c)
	if err != nil {
		return rosterPage{}, err
	}
	r, err := h.att.Roster(c.Request().Context(), s.ID)
	if err != nil {
		return rosterPage{}, err
	}
	return rosterPage{Session: s, Roster: r, Hours: attendance.ContactHours(s)}, nil
}

// ShowRoster serves GET /staff/sessions/:id/roster.
func (h *Handler) ShowRoster(c echo.Context) error {
	p, err := h.loadRoster(c)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, tplRoster, web.PageData{Title: "Roster: " + p.Session.Workshop.Title, Data: p})
}

// ShowSignIn serves GET /staff/sessions/:id/sign-in: a printable sheet.
func (h *Handler) ShowSignIn(c echo.Context) error {
	p, err := h.loadRoster(c)
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, tplSignIn, web.PageData{Title: "Sign-in sheet: " + p.Session.Workshop.Title, Data: p})
}

// ShowAttendance serves GET /staff/sessions/:id/attendance.
func (h *Handler) ShowAttendance(c echo.Context) error {
	p, err := h.loadRoster(c)
	if err != nil {
		return err
	}
	return h.renderAttendance(c, http.StatusOK, p, nil, nil)
}

func (h *Handler) renderAttendance(c echo.Context, status int, p rosterPage, f, errs map[string]string) error {
	if f == nil {
		f = map[string]string{}
		for _, row := range p.Roster.Rows {
			k := strconv.FormatUint(uint64(row.Attendee.ID), 10)
			f["status-"+k] = string(row.Mark.Status)
			if row.Mark.Status == models.AttendancePartial {
				f["hours-"+k] = strconv.FormatFloat(row.Mark.Hours, 'f', -1, 64)
			}
		}
	}
	flash := ""
	if c.QueryParam("saved") == "1" {
		flash = "Attendance saved."
	}
	return h.web.Render(c, status, tplAttendance, web.PageData{Title: "Attendance: " + p.Session.Workshop.Title,
		Form: f, Errors: errs, Data: p, Flash: flash})
}

// SaveAttendance serves POST /staff/sessions/:id/attendance: one status
// (and hours for partial) per attendee; attendees left blank are skipped.
func (h *Handler) SaveAttendance(c echo.Context) error {
	p, err := h.loadRoster(c)
	if err != nil {
		return err
	}
	f := map[string]string{}
	var marks []attendance.Mark
	errs := map[string]string{}
	for _, row := range p.Roster.Rows {
		k := strconv.FormatUint(uint64(row.Attendee.ID), 10)
		st, hrs := strings.TrimSpace(c.FormValue("status-"+k)), strings.TrimSpace(c.FormValue("hours-"+k))
		f["status-"+k], f["hours-"+k] = st, hrs
		if st == "" {
			continue
		}
		m := attendance.Mark{AttendeeID: row.Attendee.ID, Status: models.AttendanceStatus(st)}
		if m.Status == models.AttendancePartial {
			x, err := strconv.ParseFloat(hrs, 64)
			if err != nil {
				errs["mark-"+k] = "Enter the hours attended, such as 3.5."
				continue
			}
			m.Hours = x
		}
		marks = append(marks, m)
	}
	if len(errs) == 0 {
		err = h.att.Record(c.Request().Context(), web.CurrentUser(c), c.RealIP(), p.Session, marks)
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			errs = ve.Fields
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return h.renderAttendance(c, http.StatusUnprocessableEntity, p, f, errs)
	}
	return web.Redirect(c, fmt.Sprintf("/staff/sessions/%d/attendance?saved=1", p.Session.ID))
}

// bulkPage is the data of the bulk email form and its preview.
type bulkPage struct {
	Session    *models.Session
	Audiences  [][2]string
	Preview    bool
	Recipients []attendance.Recipient
	Sent       int
}

func (h *Handler) renderBulk(c echo.Context, status int, p bulkPage, f, errs map[string]string) error {
	p.Audiences = attendance.Audiences
	return h.web.Render(c, status, tplBulkEmail, web.PageData{Title: "Email attendees", Form: f, Errors: errs, Data: p})
}

// NewBulkEmail serves GET /admin/sessions/:id/email.
func (h *Handler) NewBulkEmail(c echo.Context) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	p := bulkPage{Session: s}
	if n, err := strconv.Atoi(c.QueryParam("sent")); err == nil {
		p.Sent = n
	}
	return h.renderBulk(c, http.StatusOK, p, map[string]string{"audience": attendance.AudienceAll}, nil)
}

// SendBulkEmail serves POST /admin/sessions/:id/email: action=preview
// shows the count, the recipients and the message; action=send queues it.
func (h *Handler) SendBulkEmail(c echo.Context) error {
	s, err := web.SessionParam(c, h.db)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := formOf(c, []string{"audience", "subject", "body", "action", "batch"})
	f["body"] = strings.TrimSpace(c.FormValue("body"))
	p := bulkPage{Session: s}
	errs := attendance.ValidateMessage(f["subject"], f["body"])
	r, err := h.att.Roster(ctx, s.ID)
	if err != nil {
		return err
	}
	rs, err := attendance.Recipients(r, f["audience"])
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for k, v := range ve.Fields {
			errs[k] = v
		}
	} else if err != nil {
		return err
	} else if len(rs) == 0 {
		errs["audience"] = "Nobody on the roster matches this choice."
	}
	if len(errs) > 0 {
		return h.renderBulk(c, http.StatusUnprocessableEntity, p, f, errs)
	}
	if f["action"] != "send" || f["batch"] == "" {
		p.Preview, p.Recipients = true, rs
		if f["batch"] == "" {
			f["batch"] = strconv.FormatInt(h.web.Now().UnixNano(), 36)
		}
		return h.renderBulk(c, http.StatusOK, p, f, nil)
	}
	n, err := h.att.SendBulk(ctx, web.CurrentUser(c), c.RealIP(), s, f["audience"], f["subject"], f["body"], f["batch"])
	if errors.As(err, &ve) {
		return h.renderBulk(c, http.StatusUnprocessableEntity, p, f, ve.Fields)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, fmt.Sprintf("/admin/sessions/%d/email?sent=%d", s.ID, n))
}
