package certificate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// Row is one attendee of a session in the issuing preview.
type Row struct {
	Candidate  models.CertificateCandidate
	Attendance *Attendance // nil when not marked
	Decision   Decision
	// Certificate is the one already issued, if any.
	Certificate *models.Certificate
}

// Preview is what issuing would do for a session.
type Preview struct {
	Session  *models.Session
	Workshop models.WorkshopCE
	Rows     []Row
	// Ended reports whether the session is over (certificates are issued
	// only then) and not cancelled.
	Ended bool
	// ToIssue counts qualified attendees without a certificate yet.
	ToIssue int
}

// Preview lists a session's attendees with whether each qualifies and why.
func (s *Service) Preview(ctx context.Context, sessionID uint) (*Preview, error) {
	return s.preview(ctx, s.db, sessionID)
}

func (s *Service) preview(ctx context.Context, db *gorm.DB, sessionID uint) (*Preview, error) {
	sess, err := models.FindSession(ctx, db, sessionID)
	if err != nil {
		return nil, err
	}
	w, err := models.FindWorkshopCE(ctx, db, sess.WorkshopID)
	if err != nil {
		return nil, err
	}
	cands, err := models.ListCertificateCandidates(ctx, db, sessionID)
	if err != nil {
		return nil, err
	}
	marks, err := s.att.SessionAttendance(ctx, db, sessionID)
	if err != nil {
		return nil, err
	}
	issued, err := models.ListCertificatesForSession(ctx, db, sessionID)
	if err != nil {
		return nil, err
	}
	byAttendee := map[uint]*models.Certificate{}
	for i := range issued {
		byAttendee[issued[i].AttendeeID] = &issued[i]
	}
	p := &Preview{Session: sess, Workshop: *w,
		Ended: sess.Status != models.StatusCancelled && !s.now().Before(sess.EndsAt)}
	for _, c := range cands {
		att, marked := marks[c.AttendeeID]
		pt, err := s.postTest(ctx, db, *w, c.Email)
		if err != nil {
			return nil, err
		}
		r := Row{Candidate: c, Decision: Qualify(*w, c.OrderStatus, att, marked, pt), Certificate: byAttendee[c.AttendeeID]}
		if marked {
			r.Attendance = &att
		}
		if r.Decision.Qualifies && r.Certificate == nil {
			p.ToIssue++
		}
		p.Rows = append(p.Rows, r)
	}
	return p, nil
}

// postTest asks the checker about the account that has proven the
// attendee's email; an account that has not proven it counts as none.
func (s *Service) postTest(ctx context.Context, db *gorm.DB, w models.WorkshopCE, email string) (PostTest, error) {
	if !w.RequiresPostTest || s.post == nil {
		return PostTestNotRequired, nil
	}
	u, err := models.FindUserByEmail(ctx, db, email)
	if errors.Is(err, models.ErrNotFound) {
		return PostTestNoAccount, nil
	}
	if err != nil {
		return 0, err
	}
	if !u.Verified() {
		return PostTestNoAccount, nil
	}
	ok, err := s.post.PassedPostTest(ctx, u.ID, w.ID)
	if err != nil {
		return 0, fmt.Errorf("post-test of user %d: %w", u.ID, err)
	}
	if ok {
		return PostTestPassed, nil
	}
	return PostTestNotPassed, nil
}

// ErrNotEnded is returned when certificates are issued before a session
// ends or for a cancelled session.
var ErrNotEnded = fmt.Errorf("session has not ended: %w", models.ErrInvalid)

// Result summarises an issuing run.
type Result struct {
	Issued  int // new certificates
	Already int // qualified attendees who already had one
	Refused int // attendees who do not qualify
}

// Issue creates a certificate for every qualified attendee of a session
// who has none yet, queues each by email with its PDF, and records each in
// the audit log, all in one transaction. Running it again issues nothing
// twice.
func (s *Service) Issue(ctx context.Context, actor *models.User, ip string, sessionID uint) (Result, error) {
	var res Result
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res = Result{}
		p, err := s.preview(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		if !p.Ended {
			return ErrNotEnded
		}
		for _, r := range p.Rows {
			switch {
			case !r.Decision.Qualifies:
				res.Refused++
				continue
			case r.Certificate != nil:
				res.Already++
				continue
			}
			if err := s.issueOne(ctx, tx, actor, ip, p, r); err != nil {
				return err
			}
			res.Issued++
		}
		return nil
	})
	return res, err
}

func (s *Service) issueOne(ctx context.Context, tx *gorm.DB, actor *models.User, ip string, p *Preview, r Row) error {
	code, err := s.randCode()
	if err != nil {
		return err
	}
	status := Present
	if r.Attendance != nil {
		status = r.Attendance.Status
	}
	c := &models.Certificate{Code: code, SessionID: p.Session.ID, AttendeeID: r.Candidate.AttendeeID, WorkshopID: p.Workshop.ID,
		HolderName: strings.TrimSpace(r.Candidate.Name), HolderEmail: r.Candidate.Email, CourseTitle: p.Workshop.Title,
		StartsAt: p.Session.StartsAt, EndsAt: p.Session.EndsAt, TimeZone: p.Session.TimeZone, Attendance: string(status),
		HoursAttended: r.Decision.Hours, CreditHours: r.Decision.Credit, AccreditationID: p.Workshop.AccreditationID,
		IssuedAt: s.now().UTC()}
	if actor != nil {
		id := actor.ID
		c.IssuedByID = &id
	}
	if err := models.CreateCertificate(ctx, tx, c); err != nil {
		return err
	}
	pdf, err := s.PDF(*c)
	if err != nil {
		return err
	}
	data := mail.CertificateData{Site: mail.Site{Name: s.issuer, BaseURL: s.baseURL}, Name: c.HolderName, Course: c.CourseTitle,
		Dates: c.Dates(), CreditHours: FormatHours(c.CreditHours), AccreditationID: c.AccreditationID, Code: c.Code,
		VerifyURL: s.VerifyURL(c.Code), DownloadURL: s.DownloadURL(c.Code)}
	att := models.EmailAttachment{Filename: "certificate-" + c.Code + ".pdf", ContentType: "application/pdf", Data: pdf}
	if err := s.out.Enqueue(ctx, tx, mail.KindCertificate, fmt.Sprintf("certificate:%d", c.ID), c.HolderEmail, c.HolderName, data, att); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, audit.Action{Actor: actor, IP: ip, Action: "certificate.issue", ObjectType: "certificate",
		ObjectID: c.Code, Summary: fmt.Sprintf("Issued to %s for %s (session %d), %s credit hours", c.HolderName, c.CourseTitle, c.SessionID, FormatHours(c.CreditHours)),
		After: audit.Fields{"session_id": c.SessionID, "attendee_id": c.AttendeeID, "holder_email": c.HolderEmail,
			"attendance": c.Attendance, "hours_attended": c.HoursAttended, "credit_hours": c.CreditHours}})
}

// Verify finds a certificate by its code (revoked ones too; the caller
// shows them as revoked). A malformed code is ErrNotFound.
func (s *Service) Verify(ctx context.Context, code string) (*models.Certificate, error) {
	code = models.NormalizeCertificateCode(code)
	if !ValidCodeShape(code) {
		return nil, fmt.Errorf("verify certificate: %w", models.ErrNotFound)
	}
	return models.FindCertificateByCode(ctx, s.db, code)
}

// Revoke revokes a certificate with a reason, in the audit log too.
func (s *Service) Revoke(ctx context.Context, actor *models.User, ip, code, reason string) error {
	reason = strings.TrimSpace(reason)
	if l := len([]rune(reason)); l < 3 || l > 500 {
		return &models.ValidationError{Fields: map[string]string{"reason": "Give the reason for revoking (3 to 500 characters)."}}
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := models.FindCertificateByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		if c.Revoked() {
			return &models.ValidationError{Fields: map[string]string{"reason": "This certificate is already revoked."}}
		}
		var by *uint
		if actor != nil {
			id := actor.ID
			by = &id
		}
		if err := models.RevokeCertificate(ctx, tx, c.ID, by, reason, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: actor, IP: ip, Action: "certificate.revoke", ObjectType: "certificate",
			ObjectID: c.Code, Summary: "Revoked: " + reason, Before: audit.Fields{"revoked": false},
			After: audit.Fields{"revoked": true, "reason": reason}})
	})
}

// CanDownload reports whether u may download c: staff (admins, and the
// instructor of its session) always; the holder, an account that has
// proven an email equal to the attendee's, while it is not revoked.
func CanDownload(u *models.User, c *models.Certificate, sess *models.Session) bool {
	switch {
	case u == nil:
		return false
	case u.IsAdmin():
		return true
	case u.IsStaff() && sess != nil && sess.InstructorID != nil && *sess.InstructorID == u.ID:
		return true
	}
	return !c.Revoked() && u.Verified() && IsHolder(u, c)
}

// IsHolder reports whether u's account has the address c was issued to
// (proven or not).
func IsHolder(u *models.User, c *models.Certificate) bool {
	return u != nil && models.NormalizeEmail(u.Email) == models.NormalizeEmail(c.HolderEmail)
}

// WorkshopForm is the CE fields of a workshop as an admin edits them.
type WorkshopForm struct {
	CECreditHours    string `form:"ce_credit_hours"`
	AccreditationID  string `form:"accreditation_id"`
	RequiresPostTest bool   `form:"requires_post_test"`
}

// UpdateWorkshop validates and saves a workshop's CE fields, with an
// audit entry.
func (s *Service) UpdateWorkshop(ctx context.Context, actor *models.User, ip string, id uint, f WorkshopForm) error {
	errs := map[string]string{}
	hours, err := parseHours(f.CECreditHours)
	if err != nil {
		errs["ce_credit_hours"] = "Enter hours between 0 and 100 in half hours, such as 6 or 6.5."
	}
	acc := strings.TrimSpace(f.AccreditationID)
	if len(acc) > 80 || strings.ContainsAny(acc, "\r\n\t") {
		errs["accreditation_id"] = "Use at most 80 characters on one line."
	}
	if len(errs) > 0 {
		return &models.ValidationError{Fields: errs}
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := models.FindWorkshopCE(ctx, tx, id)
		if err != nil {
			return err
		}
		next := *w
		next.CECreditHours, next.AccreditationID, next.RequiresPostTest = hours, acc, f.RequiresPostTest
		if err := models.UpdateWorkshopCE(ctx, tx, next, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: actor, IP: ip, Action: "workshop.ce_update", ObjectType: "workshop",
			ObjectID: w.ID, Summary: "CE fields of " + w.Title,
			Before: audit.Fields{"ce_credit_hours": w.CECreditHours, "accreditation_id": w.AccreditationID, "requires_post_test": w.RequiresPostTest},
			After:  audit.Fields{"ce_credit_hours": hours, "accreditation_id": acc, "requires_post_test": f.RequiresPostTest}})
	})
}

// parseHours reads CE hours: 0 to 100 in steps of a half hour.
func parseHours(s string) (float64, error) {
	h, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, err
	}
	if !(h >= 0 && h <= 100) || h*2 != math.Trunc(h*2) {
		return 0, fmt.Errorf("hours %v out of range", h)
	}
	return h, nil
}
