package scheduling

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/models"
)

// Series rules.
const (
	RuleWeekly  = "weekly"  // every week from the first date, Count weeks
	RuleMonthly = "monthly" // the Nth weekday of each month, Count months
)

// SeriesSpec describes a run of sessions. Times of day are wall-clock
// times in Template.TimeZone, so "09:00" stays 09:00 across a DST change.
type SeriesSpec struct {
	Rule      string
	Count     int          // weeks or months
	FirstDate time.Time    // a date (year, month, day used); weekly starts here, monthly starts in its month
	Weekday   time.Weekday // monthly only
	Nth       int          // monthly only: 1–4, or -1 for the last
	StartHM   string       // "09:00"
	EndHM     string       // "16:30"
	// CloseHours: registration closes this many hours before each start.
	CloseHours int
	// EarlyBirdDays: the early-bird price (Template.EarlyBirdPriceMinor)
	// ends this many days before each start.
	EarlyBirdDays int
	// Template carries every other field (workshop, zone, venue, price…).
	Template models.Session
}

func parseHM(s string) (int, int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// nthWeekday is the day of month of the nth (or last, n=-1) weekday wd of
// year/month in loc, or 0 when the month has no such day.
func nthWeekday(year int, month time.Month, wd time.Weekday, n int, loc *time.Location) int {
	first := time.Date(year, month, 1, 12, 0, 0, 0, loc)
	day := 1 + (int(wd)-int(first.Weekday())+7)%7
	if n == -1 {
		last := time.Date(year, month+1, 0, 12, 0, 0, 0, loc).Day()
		for day+7 <= last {
			day += 7
		}
		return day
	}
	day += 7 * (n - 1)
	if day > time.Date(year, month+1, 0, 12, 0, 0, 0, loc).Day() {
		return 0
	}
	return day
}

// GenerateSeries expands spec into sessions (not stored), or returns
// field errors. Each session is validated like a single one.
func GenerateSeries(spec SeriesSpec) ([]models.Session, map[string]string) {
	errs := map[string]string{}
	loc, err := time.LoadLocation(spec.Template.TimeZone)
	if err != nil || spec.Template.TimeZone == "" || spec.Template.TimeZone == "Local" {
		errs["time_zone"] = "Choose an IANA time zone such as America/New_York."
		loc = time.UTC
	}
	sh, sm, ok1 := parseHM(spec.StartHM)
	if !ok1 {
		errs["start_time"] = "Enter a time such as 09:00."
	}
	eh, em, ok2 := parseHM(spec.EndHM)
	if !ok2 {
		errs["end_time"] = "Enter a time such as 16:30."
	}
	if ok1 && ok2 && eh*60+em <= sh*60+sm {
		errs["end_time"] = "The end must be after the start."
	}
	if spec.Count < 1 || spec.Count > 52 {
		errs["count"] = "Enter between 1 and 52."
	}
	if spec.FirstDate.IsZero() {
		errs["first_date"] = "Enter the first date."
	}
	if spec.Rule == RuleMonthly && (spec.Nth < -1 || spec.Nth == 0 || spec.Nth > 4) {
		errs["nth"] = "Choose first to fourth, or last."
	}
	if spec.Rule != RuleWeekly && spec.Rule != RuleMonthly {
		errs["rule"] = "Choose weekly or monthly."
	}
	if spec.CloseHours < 0 || spec.CloseHours > 24*90 {
		errs["close_hours"] = "Enter whole hours between 0 and 2160."
	}
	if spec.Template.EarlyBirdPriceMinor != nil && spec.EarlyBirdDays < 1 {
		errs["early_bird_days"] = "Enter how many days before each start the early-bird price ends (at least 1)."
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var days []time.Time // dates at noon in loc
	y, m, d := spec.FirstDate.Date()
	switch spec.Rule {
	case RuleWeekly:
		for i := 0; i < spec.Count; i++ {
			days = append(days, time.Date(y, m, d+7*i, 12, 0, 0, 0, loc))
		}
	case RuleMonthly:
		for i := 0; len(days) < spec.Count && i < spec.Count+12; i++ {
			yy, mm, _ := time.Date(y, m+time.Month(i), 1, 12, 0, 0, 0, loc).Date()
			day := nthWeekday(yy, mm, spec.Weekday, spec.Nth, loc)
			if day == 0 || (i == 0 && day < d) {
				continue
			}
			days = append(days, time.Date(yy, mm, day, 12, 0, 0, 0, loc))
		}
	}
	out := make([]models.Session, 0, len(days))
	for _, day := range days {
		x := spec.Template
		x.ID, x.SeatsTaken = 0, 0
		dy, dm, dd := day.Date()
		x.StartsAt = time.Date(dy, dm, dd, sh, sm, 0, 0, loc).UTC()
		x.EndsAt = time.Date(dy, dm, dd, eh, em, 0, 0, loc).UTC()
		x.RegistrationClosesAt = x.StartsAt.Add(-time.Duration(spec.CloseHours) * time.Hour)
		if spec.Template.EarlyBirdPriceMinor != nil {
			p := *spec.Template.EarlyBirdPriceMinor
			dl := time.Date(dy, dm, dd-spec.EarlyBirdDays, sh, sm, 0, 0, loc).UTC()
			x.EarlyBirdPriceMinor, x.EarlyBirdDeadline = &p, &dl
		}
		if e := x.Validate(); len(e) > 0 {
			for k, v := range e {
				errs[k] = fmt.Sprintf("%s (%s)", v, x.LocalStart().Format("2 Jan 2006"))
			}
			return nil, errs
		}
		out = append(out, x)
	}
	return out, nil
}

// Describe says the rule in words for the series record, e.g. "Monthly
// on the first Tuesday, 6 sessions from Jan 2027, 09:00–16:30
// America/New_York".
func (spec SeriesSpec) Describe() string {
	when := fmt.Sprintf("%s–%s %s", strings.TrimSpace(spec.StartHM), strings.TrimSpace(spec.EndHM), spec.Template.TimeZone)
	n := fmt.Sprintf("%d sessions", spec.Count)
	if spec.Count == 1 {
		n = "1 session"
	}
	if spec.Rule == RuleMonthly {
		nth := map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}[spec.Nth]
		return fmt.Sprintf("Monthly on the %s %s, %s from %s, %s", nth, spec.Weekday, n, spec.FirstDate.Format("Jan 2006"), when)
	}
	return fmt.Sprintf("Weekly, %s from %s, %s", n, spec.FirstDate.Format("2 Jan 2006"), when)
}

// MaxSeriesName bounds a series name, in characters.
const MaxSeriesName = 200

// CreateSeries stores every session of a generated series, all or nothing,
// as drafts or published, under one new series record (named name, or
// after the workshop when name is empty; rule is the rule in words), with
// one audit entry per session.
func (s *Service) CreateSeries(ctx context.Context, a Actor, name, rule string, ss []models.Session, publish bool) (*models.SessionSeries, error) {
	if len(ss) == 0 {
		return nil, &models.ValidationError{Fields: map[string]string{"form": "The series has no sessions."}}
	}
	name = strings.TrimSpace(name)
	if len([]rune(name)) > MaxSeriesName {
		return nil, &models.ValidationError{Fields: map[string]string{"series_name": fmt.Sprintf("Use at most %d characters.", MaxSeriesName)}}
	}
	status := models.StatusDraft
	if publish {
		status = models.StatusPublished
	}
	series := &models.SessionSeries{Name: name, Rule: rule}
	if a.User != nil {
		uid := a.User.ID
		series.CreatedByID = &uid
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if series.Name == "" {
			w, err := models.FindWorkshop(ctx, tx, ss[0].WorkshopID)
			if err != nil {
				return err
			}
			series.Name = w.Title
		}
		if err := models.CreateSessionSeries(ctx, tx, series); err != nil {
			return err
		}
		for i := range ss {
			ss[i].Status, ss[i].SeriesID = status, &series.ID
			if err := models.CreateSession(ctx, tx, &ss[i]); err != nil {
				return err
			}
			if err := s.record(ctx, tx, a, "session.create", "session", ss[i].ID,
				fmt.Sprintf("Scheduled session %d (series %d of %d sessions)", ss[i].ID, series.ID, len(ss)), nil, fields(&ss[i])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return series, nil
}

// remaining are the sessions of ss that have not started at now and are
// in one of statuses: what a bulk action of a series may touch.
func remaining(ss []models.Session, now time.Time, statuses ...models.SessionStatus) []models.Session {
	var out []models.Session
	for _, x := range ss {
		for _, st := range statuses {
			if x.Status == st && x.Upcoming(now) {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// PublishSeries publishes every draft of series id that has not started,
// in one transaction with an audit entry each, and returns how many it
// published: a second run finds no drafts and publishes none.
func (s *Service) PublishSeries(ctx context.Context, a Actor, id uint) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := models.FindSessionSeries(ctx, tx, id); err != nil {
			return err
		}
		ss, err := models.ListSeriesSessions(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, x := range remaining(ss, s.now(), models.StatusDraft) {
			err := s.transition(ctx, tx, a, x.ID, []models.SessionStatus{models.StatusDraft}, models.StatusPublished)
			if errors.Is(err, models.ErrConflict) {
				continue // no longer a draft: moved since the list was read
			}
			if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// SeriesCancellation adds up what cancelling the remaining sessions of a
// series did, from each session's own cancellation record.
type SeriesCancellation struct {
	Sessions    []uint // the sessions this run cancelled
	CardRefunds int
	// Refunded is the amount refunded by card, one entry per currency (a
	// session of the series may have been edited to another currency).
	Refunded        []models.Money
	InvoicesVoided  int
	PaidInvoices    int
	EmailsQueued    int
	WaitlistCleared int
}

// CancelSeries cancels every session of series id that has not started
// and is still draft or published, each through CancelSession (its own
// transaction, refunds, emails and summary record), and adds the records
// up. A second run finds nothing left to cancel and does nothing; a run
// stopped by an error part-way can simply be repeated, as CancelSession
// never cancels or refunds a session twice.
func (s *Service) CancelSeries(ctx context.Context, a Actor, id uint, reason string) (SeriesCancellation, error) {
	var out SeriesCancellation
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 500 {
		return out, &models.ValidationError{Fields: map[string]string{"reason": "Keep the reason under 500 characters."}}
	}
	if _, err := models.FindSessionSeries(ctx, s.db, id); err != nil {
		return out, err
	}
	ss, err := models.ListSeriesSessions(ctx, s.db, id)
	if err != nil {
		return out, err
	}
	for _, x := range remaining(ss, s.now(), models.StatusDraft, models.StatusPublished) {
		rec, again, err := s.CancelSession(ctx, a, x.ID, reason)
		if errors.Is(err, models.ErrConflict) {
			continue // moved on (completed, cancelled) since the list was read
		}
		if err != nil {
			return out, err
		}
		if again {
			continue
		}
		out.Sessions = append(out.Sessions, x.ID)
		out.CardRefunds += rec.CardRefunds
		out.Refunded = models.AddByCurrency(out.Refunded, rec.Refunded())
		out.InvoicesVoided += rec.InvoicesVoided
		out.PaidInvoices += rec.PaidInvoices
		out.EmailsQueued += rec.EmailsQueued
		out.WaitlistCleared += rec.WaitlistCleared
	}
	return out, nil
}

// Levels are the workshop levels offered.
var Levels = []string{"introductory", "intermediate", "advanced"}

// ValidateWorkshop checks a workshop's fields.
func ValidateWorkshop(w *models.Workshop) map[string]string {
	errs := map[string]string{}
	w.Title, w.Slug, w.Summary = strings.TrimSpace(w.Title), strings.ToLower(strings.TrimSpace(w.Slug)), strings.TrimSpace(w.Summary)
	if w.Title == "" || len([]rune(w.Title)) > 200 {
		errs["title"] = "Enter a title (up to 200 characters)."
	}
	if !validSlug(w.Slug) {
		errs["slug"] = "Use lower-case letters, digits and hyphens (up to 120), e.g. hs-classification-basics."
	}
	if w.Summary == "" || len([]rune(w.Summary)) > 600 {
		errs["summary"] = "Enter a summary (up to 600 characters)."
	}
	if strings.TrimSpace(w.DescriptionMD) == "" {
		errs["description_md"] = "Enter a description."
	}
	if len([]rune(w.Audience)) > 600 {
		errs["audience"] = "Keep the audience under 600 characters."
	}
	okLevel := false
	for _, l := range Levels {
		okLevel = okLevel || l == w.Level
	}
	if !okLevel {
		errs["level"] = "Choose introductory, intermediate or advanced."
	}
	if w.DurationMinutes < 30 || w.DurationMinutes > 60*24*5 {
		errs["duration_minutes"] = "Enter the contact time in minutes (30 to 7200)."
	}
	if w.CECreditHours < 0 || w.CECreditHours > 100 {
		errs["ce_credit_hours"] = "Enter CE credit hours between 0 and 100."
	}
	if w.DefaultPriceMinor < 0 {
		errs["default_price"] = "The price cannot be negative."
	}
	if len(w.Currency) != 3 {
		errs["currency"] = "Use a three-letter ISO currency code."
	}
	return errs
}

func validSlug(s string) bool {
	if s == "" || len(s) > 120 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

func workshopFields(w *models.Workshop) audit.Fields {
	return audit.Fields{"title": w.Title, "slug": w.Slug, "level": w.Level, "duration_minutes": w.DurationMinutes,
		"ce_credit_hours": w.CECreditHours, "default_price_minor": w.DefaultPriceMinor, "currency": w.Currency}
}

// SaveWorkshop creates w (ID 0) or updates it, with its audit entry. A
// slug already used gives a field error.
func (s *Service) SaveWorkshop(ctx context.Context, a Actor, w *models.Workshop) error {
	if errs := ValidateWorkshop(w); len(errs) > 0 {
		return &models.ValidationError{Fields: errs}
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Workshop{}).Where("slug = ? AND id <> ?", w.Slug, w.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("check workshop slug: %w", err)
		}
		if n > 0 {
			return &models.ValidationError{Fields: map[string]string{"slug": "Another workshop uses this slug."}}
		}
		if w.ID == 0 {
			if err := tx.Omit("Topics").Create(w).Error; err != nil {
				return fmt.Errorf("create workshop: %w", err)
			}
			return s.record(ctx, tx, a, "workshop.create", "workshop", w.ID, "Created workshop "+w.Title, nil, workshopFields(w))
		}
		before, err := models.FindWorkshop(ctx, tx, w.ID)
		if err != nil {
			return err
		}
		if err := tx.Model(&models.Workshop{}).Where("id = ?", w.ID).Updates(map[string]any{"title": w.Title, "slug": w.Slug,
			"summary": w.Summary, "description_md": w.DescriptionMD, "agenda_md": w.AgendaMD, "audience": w.Audience, "level": w.Level,
			"duration_minutes": w.DurationMinutes, "ce_credit_hours": w.CECreditHours, "default_price_minor": w.DefaultPriceMinor,
			"currency": w.Currency, "updated_at": s.now().UTC()}).Error; err != nil {
			return fmt.Errorf("update workshop %d: %w", w.ID, err)
		}
		return s.record(ctx, tx, a, "workshop.update", "workshop", w.ID, "Edited workshop "+w.Title, workshopFields(before), workshopFields(w))
	})
}
