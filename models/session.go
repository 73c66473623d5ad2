package models

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Format says how a session is delivered.
type Format string

// Session formats.
const (
	FormatVirtual  Format = "virtual"
	FormatInPerson Format = "in_person"
	FormatHybrid   Format = "hybrid"
)

// Formats lists the formats in display order.
var Formats = []Format{FormatVirtual, FormatInPerson, FormatHybrid}

// Label is the human name of the format.
func (f Format) Label() string {
	switch f {
	case FormatVirtual:
		return "Live online"
	case FormatInPerson:
		return "In person"
	case FormatHybrid:
		return "Hybrid"
	}
	return string(f)
}

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == FormatVirtual || f == FormatInPerson || f == FormatHybrid }

// SessionStatus is where a session is in its life.
type SessionStatus string

// Session statuses.
const (
	StatusDraft     SessionStatus = "draft"
	StatusPublished SessionStatus = "published"
	StatusCancelled SessionStatus = "cancelled"
	StatusCompleted SessionStatus = "completed"
)

// Session is one dated run of a workshop, with its own seats and price.
type Session struct {
	ID                   uint `gorm:"primaryKey"`
	WorkshopID           uint `gorm:"not null"`
	Workshop             Workshop
	StartsAt             time.Time // UTC
	EndsAt               time.Time // UTC
	TimeZone             string    // IANA, e.g. America/Chicago
	Format               Format
	VenueName            string // public
	VenueAddress         string // public street address
	City                 string // public
	RoomDetails          string // private: shown to confirmed attendees and staff only
	JoinURL              string `gorm:"column:join_url"` // private, as RoomDetails
	Capacity             int
	SeatsTaken           int
	PriceMinor           int64
	Currency             string
	EarlyBirdPriceMinor  *int64
	EarlyBirdDeadline    *time.Time
	RegistrationClosesAt time.Time
	Status               SessionStatus
	InstructorID         *uint
	Instructor           *User
	// AllowInvoice offers pay-by-invoice (always on when cards are off).
	AllowInvoice bool
	// CancelCutoffHours: buyers may cancel until this long before the start.
	CancelCutoffHours int
	// CancelFeeMinor is kept per cancelled seat.
	CancelFeeMinor int64
	// SeriesID links the sessions one run of the series generator made;
	// nil for a session scheduled on its own.
	SeriesID  *uint
	Series    *SessionSeries
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CancelDeadline is the last moment buyers may cancel themselves.
func (s Session) CancelDeadline() time.Time {
	return s.StartsAt.Add(-time.Duration(s.CancelCutoffHours) * time.Hour)
}

// CancellationOpen reports whether buyers may still cancel at now.
func (s Session) CancellationOpen(now time.Time) bool {
	return s.Status == StatusPublished && now.Before(s.CancelDeadline())
}

// CancelFee is the fee kept per cancelled seat.
func (s Session) CancelFee() Money { return Money{Minor: s.CancelFeeMinor, Currency: s.Currency} }

// SeatsLeft is capacity minus seats taken, never negative.
func (s Session) SeatsLeft() int {
	if n := s.Capacity - s.SeatsTaken; n > 0 {
		return n
	}
	return 0
}

// SoldOut reports whether no seat is left.
func (s Session) SoldOut() bool { return s.SeatsLeft() == 0 }

// FewSeatsLeft reports whether the session is nearly full (a hint for buyers).
func (s Session) FewSeatsLeft() bool {
	left := s.SeatsLeft()
	return left > 0 && (left <= 3 || left*10 <= s.Capacity)
}

// Location is the session's time zone; an unknown name falls back to UTC.
func (s Session) Location() *time.Location { return loadLocation(s.TimeZone) }

// locations caches time.LoadLocation, which re-reads the zone database on
// every call (17% of the catalog's CPU before the cache). Zone names come
// from validated sessions, so the map stays as small as the zones in use.
var locations sync.Map // string → *time.Location

// loadLocation is time.LoadLocation through the cache; unknown names are
// UTC (and are not cached, so a bad name cannot grow the map).
func loadLocation(name string) *time.Location {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// LocalStart is the start in the session's own zone.
func (s Session) LocalStart() time.Time { return s.StartsAt.In(s.Location()) }

// LocalEnd is the end in the session's own zone.
func (s Session) LocalEnd() time.Time { return s.EndsAt.In(s.Location()) }

// When formats the session's dates in its own zone, naming the zone:
// "Tue 8 Dec 2026, 09:00–16:30 EST" or, across days,
// "Tue 8 Dec 2026, 09:00 – Wed 9 Dec 2026, 16:30 EST".
func (s Session) When() string {
	start, end := s.LocalStart(), s.LocalEnd()
	zone, _ := end.Zone()
	if start.YearDay() == end.YearDay() && start.Year() == end.Year() {
		return fmt.Sprintf("%s, %s–%s %s", start.Format("Mon 2 Jan 2006"), start.Format("15:04"), end.Format("15:04"), zone)
	}
	szone, _ := start.Zone()
	if szone != zone {
		return fmt.Sprintf("%s %s – %s %s", start.Format("Mon 2 Jan 2006, 15:04"), szone, end.Format("Mon 2 Jan 2006, 15:04"), zone)
	}
	return fmt.Sprintf("%s – %s %s", start.Format("Mon 2 Jan 2006, 15:04"), end.Format("Mon 2 Jan 2006, 15:04"), zone)
}

// Price is the regular (non-early-bird) price.
func (s Session) Price() Money { return Money{Minor: s.PriceMinor, Currency: s.Currency} }

// EarlyBirdActive reports whether the early-bird price applies at now.
func (s Session) EarlyBirdActive(now time.Time) bool {
	return s.EarlyBirdPriceMinor != nil && s.EarlyBirdDeadline != nil && now.Before(*s.EarlyBirdDeadline)
}

// EarlyBirdPrice is the early-bird price (zero Money if none).
func (s Session) EarlyBirdPrice() Money {
	if s.EarlyBirdPriceMinor == nil {
		return Money{Currency: s.Currency}
	}
	return Money{Minor: *s.EarlyBirdPriceMinor, Currency: s.Currency}
}

// UnitPriceAt is the price of one seat at now: early-bird before its deadline.
func (s Session) UnitPriceAt(now time.Time) Money {
	if s.EarlyBirdActive(now) {
		return s.EarlyBirdPrice()
	}
	return s.Price()
}

// RegistrationOpen reports whether seats can be bought at now.
func (s Session) RegistrationOpen(now time.Time) bool {
	return s.Status == StatusPublished && now.Before(s.RegistrationClosesAt) && now.Before(s.StartsAt)
}

// Upcoming reports whether the session has not started at now.
func (s Session) Upcoming(now time.Time) bool { return now.Before(s.StartsAt) }

// Validate checks the session's own invariants before it is stored.
func (s Session) Validate() map[string]string {
	errs := map[string]string{}
	if !s.EndsAt.After(s.StartsAt) {
		errs["ends_at"] = "The end must be after the start."
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		errs["time_zone"] = "Choose an IANA time zone such as America/New_York."
	}
	if !s.Format.Valid() {
		errs["format"] = "Choose virtual, in person or hybrid."
	}
	if s.Capacity < 1 || s.Capacity > 10000 {
		errs["capacity"] = "Capacity must be between 1 and 10,000."
	}
	if s.SeatsTaken > s.Capacity {
		errs["capacity"] = "Capacity cannot be below the seats already taken."
	}
	if s.PriceMinor < 0 {
		errs["price"] = "The price cannot be negative."
	}
	if len(s.Currency) != 3 {
		errs["currency"] = "Use a three-letter ISO currency code."
	}
	if s.EarlyBirdPriceMinor != nil {
		if *s.EarlyBirdPriceMinor < 0 || *s.EarlyBirdPriceMinor >= s.PriceMinor {
			errs["early_bird_price"] = "The early-bird price must be below the regular price."
		}
		if s.EarlyBirdDeadline == nil || !s.EarlyBirdDeadline.Before(s.StartsAt) {
			errs["early_bird_deadline"] = "The early-bird deadline must come before the start."
		}
	}
	if s.RegistrationClosesAt.After(s.StartsAt) {
		errs["registration_closes_at"] = "Registration must close by the start."
	}
	// The columns' sizes (PostgreSQL refuses longer text; SQLite does not).
	for _, f := range []struct {
		name, value string
		max         int
	}{{"venue_name", s.VenueName, 200}, {"venue_address", s.VenueAddress, 400}, {"city", s.City, 120}, {"join_url", s.JoinURL, 500}} {
		if utf8.RuneCountInString(f.value) > f.max {
			errs[f.name] = fmt.Sprintf("Use at most %d characters.", f.max)
		}
	}
	return errs
}

// SessionFilter narrows ListUpcomingSessions; zero fields match everything.
type SessionFilter struct {
	Topic  string // topic slug
	Format Format
	Month  string // "2026-12": month of the start in the session's own zone
	// WorkshopID limits to one workshop.
	WorkshopID uint
}

// preloadSession loads everything a session page shows.
func preloadSession(db *gorm.DB) *gorm.DB {
	return db.Preload("Workshop").Preload("Workshop.Topics", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Preload("Instructor")
}

// ListUpcomingSessions returns published sessions that start after now,
// soonest first, matching the filter.
func ListUpcomingSessions(ctx context.Context, db *gorm.DB, now time.Time, f SessionFilter) ([]Session, error) {
	q := preloadSession(db.WithContext(ctx)).
		Where("status = ? AND starts_at > ?", StatusPublished, now.UTC())
	if f.Format != "" {
		q = q.Where("format = ?", f.Format)
	}
	if f.WorkshopID != 0 {
		q = q.Where("workshop_id = ?", f.WorkshopID)
	}
	if f.Topic != "" {
		q = q.Where("workshop_id IN (?)", db.Table("workshop_topics").Select("workshop_topics.workshop_id").
			Joins("JOIN topics ON topics.id = workshop_topics.topic_id").Where("topics.slug = ?", f.Topic))
	}
	var ss []Session
	if err := q.Order("starts_at, id").Find(&ss).Error; err != nil {
		return nil, translate(err, "list upcoming sessions")
	}
	if f.Month != "" {
		kept := ss[:0]
		for _, s := range ss {
			if s.LocalStart().Format("2006-01") == f.Month {
				kept = append(kept, s)
			}
		}
		ss = kept
	}
	return ss, nil
}

// FilterSessions keeps the sessions of ss that match f, in order, in a new
// slice (ss is left as it is): the catalog loads the upcoming list once and
// derives both its month menu and the filtered list from it. Topics are
// matched on the preloaded Workshop.Topics.
func FilterSessions(ss []Session, f SessionFilter) []Session {
	out := make([]Session, 0, len(ss))
	for i := range ss {
		s := &ss[i]
		switch {
		case f.Format != "" && s.Format != f.Format,
			f.WorkshopID != 0 && s.WorkshopID != f.WorkshopID,
			f.Topic != "" && !s.Workshop.HasTopic(f.Topic),
			f.Month != "" && s.LocalStart().Format("2006-01") != f.Month:
			continue
		}
		out = append(out, *s)
	}
	return out
}

// UpcomingMonths lists the distinct "2006-01" months (in each session's zone)
// of the given sessions, in order, for the catalog's month filter.
func UpcomingMonths(ss []Session) []string {
	seen := map[string]bool{}
	var out []string
	for i := range ss {
		m := ss[i].LocalStart().Format("2006-01")
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// FindSession loads any session (any status) with its workshop and instructor.
func FindSession(ctx context.Context, db *gorm.DB, id uint) (*Session, error) {
	var s Session
	if err := preloadSession(db.WithContext(ctx)).First(&s, id).Error; err != nil {
		return nil, translate(err, "find session %d", id)
	}
	return &s, nil
}

// FindPublishedSession loads a session the public may see: published,
// cancelled or completed ones still have a page; drafts do not.
func FindPublishedSession(ctx context.Context, db *gorm.DB, id uint) (*Session, error) {
	s, err := FindSession(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if s.Status == StatusDraft {
		return nil, fmt.Errorf("find session %d: draft: %w", id, ErrNotFound)
	}
	return s, nil
}

// ListSessionsForAdmin returns sessions starting after since, any status.
func ListSessionsForAdmin(ctx context.Context, db *gorm.DB, since time.Time) ([]Session, error) {
	var ss []Session
	err := preloadSession(db.WithContext(ctx)).Preload("Series").Where("starts_at > ?", since.UTC()).Order("starts_at, id").Find(&ss).Error
	return ss, translate(err, "list sessions for admin")
}

// CreateSession validates and inserts s.
func CreateSession(ctx context.Context, db *gorm.DB, s *Session) error {
	if errs := s.Validate(); len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	s.StartsAt, s.EndsAt, s.RegistrationClosesAt = s.StartsAt.UTC(), s.EndsAt.UTC(), s.RegistrationClosesAt.UTC()
	if s.EarlyBirdDeadline != nil {
		d := s.EarlyBirdDeadline.UTC()
		s.EarlyBirdDeadline = &d
	}
	return translate(db.WithContext(ctx).Omit("Workshop", "Instructor", "Series").Create(s).Error, "create session")
}

// SetSessionPolicy stores a session's booking policy: whether invoices are
// offered, the cancellation cutoff and the fee per cancelled seat.
func SetSessionPolicy(ctx context.Context, db *gorm.DB, sessionID uint, allowInvoice bool, cutoffHours int, feeMinor int64) error {
	res := db.WithContext(ctx).Model(&Session{}).Where("id = ?", sessionID).Updates(map[string]any{
		"allow_invoice": allowInvoice, "cancel_cutoff_hours": cutoffHours, "cancel_fee_minor": feeMinor, "updated_at": utcNow()})
	if res.Error != nil {
		return translate(res.Error, "set policy of session %d", sessionID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("set policy of session %d: %w", sessionID, ErrNotFound)
	}
	return nil
}
