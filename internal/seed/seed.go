// Package seed fills an empty database with the demo catalog from
// content/seed: topics, instructors, workshops and upcoming sessions whose
// dates are computed from the seeding time, so the demo never goes stale.
//
// It imports models and content only; cmd uses it.
package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/models"
)

// Catalog is the shape of content/seed/catalog.json.
type Catalog struct {
	Topics      []TopicSpec      `json:"topics"`
	Instructors []InstructorSpec `json:"instructors"`
	Workshops   []WorkshopSpec   `json:"workshops"`
	Sessions    []SessionSpec    `json:"sessions"`
	// DiscountCodes are demo codes (the seed adds them if present).
	DiscountCodes []DiscountSpec `json:"discount_codes"`
}

// DiscountSpec describes one demo discount code.
type DiscountSpec struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	PercentBP   int    `json:"percent_bp"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	MinSeats    int    `json:"min_seats"`
	MaxUses     int    `json:"max_uses"`
	ValidDays   int    `json:"valid_days"`
}

// TopicSpec describes one topic.
type TopicSpec struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// InstructorSpec describes one instructor account (created without a
// password: the person sets one through "forgot password").
type InstructorSpec struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	JobTitle string `json:"job_title"`
	Bio      string `json:"bio"`
}

// WorkshopSpec describes one workshop; its texts live in markdown files.
type WorkshopSpec struct {
	Slug              string   `json:"slug"`
	Title             string   `json:"title"`
	Summary           string   `json:"summary"`
	Audience          string   `json:"audience"`
	Level             string   `json:"level"`
	DurationMinutes   int      `json:"duration_minutes"`
	CECreditHours     float64  `json:"ce_credit_hours"`
	DefaultPriceMinor int64    `json:"default_price_minor"`
	Currency          string   `json:"currency"`
	Topics            []string `json:"topics"`
	DescriptionFile   string   `json:"description_file"`
	AgendaFile        string   `json:"agenda_file"`
}

// SessionSpec describes one session relative to the seeding day.
type SessionSpec struct {
	Workshop                      string `json:"workshop"`
	DaysFromNow                   int    `json:"days_from_now"`
	Days                          int    `json:"days"`
	LocalStart                    string `json:"local_start"`
	LocalEnd                      string `json:"local_end"`
	TimeZone                      string `json:"time_zone"`
	Format                        string `json:"format"`
	VenueName                     string `json:"venue_name"`
	VenueAddress                  string `json:"venue_address"`
	City                          string `json:"city"`
	RoomDetails                   string `json:"room_details"`
	JoinURL                       string `json:"join_url"`
	Capacity                      int    `json:"capacity"`
	SeatsTaken                    int    `json:"seats_taken"`
	PriceMinor                    int64  `json:"price_minor"`
	Currency                      string `json:"currency"`
	EarlyBirdPriceMinor           int64  `json:"early_bird_price_minor"`
	EarlyBirdDaysBefore           int    `json:"early_bird_days_before"`
	RegistrationClosesHoursBefore int    `json:"registration_closes_hours_before"`
	Instructor                    string `json:"instructor"`
}

// Load reads and decodes the embedded catalog.
func Load() (*Catalog, error) {
	b, err := fs.ReadFile(content.FS, "seed/catalog.json")
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode catalog: %w", err)
	}
	return &c, nil
}

// IfEmpty seeds the demo catalog when the database has no workshop yet and
// reports whether it did.
func IfEmpty(ctx context.Context, db *gorm.DB, now time.Time) (bool, error) {
	n, err := models.CountWorkshops(ctx, db)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	c, err := Load()
	if err != nil {
		return false, err
	}
	if err := Apply(ctx, db, c, now); err != nil {
		return false, err
	}
	// Lessons are synced before seeding (cmd runs learn.Sync first).
	return true, AttachPrework(ctx, db)
}

// Apply writes the catalog in one transaction, with session dates computed
// relative to now.
func Apply(ctx context.Context, db *gorm.DB, c *Catalog, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		topics := map[string]models.Topic{}
		for i, t := range c.Topics {
			m := models.Topic{Slug: t.Slug, Name: t.Name, Position: i}
			if err := tx.Create(&m).Error; err != nil {
				return fmt.Errorf("seed topic %q: %w", t.Slug, err)
			}
			topics[t.Slug] = m
		}
		instructors := map[string]uint{}
		for _, in := range c.Instructors {
			u := models.User{Email: in.Email, Name: in.Name, JobTitle: in.JobTitle, Bio: in.Bio, Role: models.RoleInstructor}
			if err := models.CreateUser(ctx, tx, &u); err != nil {
				return fmt.Errorf("seed instructor: %w", err)
			}
			instructors[u.Email] = u.ID
		}
		workshops := map[string]uint{}
		for _, w := range c.Workshops {
			m, err := buildWorkshop(w, topics)
			if err != nil {
				return err
			}
			if err := tx.Create(m).Error; err != nil {
				return fmt.Errorf("seed workshop %q: %w", w.Slug, err)
			}
			workshops[w.Slug] = m.ID
		}
		for i, s := range c.Sessions {
			m, err := buildSession(s, now, workshops, instructors)
			if err != nil {
				return fmt.Errorf("seed session %d: %w", i, err)
			}
			taken := m.SeatsTaken
			m.SeatsTaken = 0
			if err := models.CreateSession(ctx, tx, m); err != nil {
				return fmt.Errorf("seed session %d (%s): %w", i, s.Workshop, err)
			}
			if err := bookDemoSeats(ctx, tx, m, taken, now); err != nil {
				return fmt.Errorf("seed session %d bookings: %w", i, err)
			}
		}
		for _, d := range c.DiscountCodes {
			if err := models.CreateDiscountCode(ctx, tx, buildDiscount(d, now)); err != nil {
				return fmt.Errorf("seed discount %q: %w", d.Code, err)
			}
		}
		return nil
	})
}

func buildDiscount(d DiscountSpec, now time.Time) *models.DiscountCode {
	m := &models.DiscountCode{Code: d.Code, Description: d.Description, Kind: models.DiscountPercent, PercentBP: d.PercentBP,
		MinSeats: d.MinSeats, Active: true, Scope: models.ScopeAll}
	if d.AmountMinor > 0 {
		m.Kind, m.AmountMinor, m.Currency, m.PercentBP = models.DiscountFixed, d.AmountMinor, d.Currency, 0
	}
	if d.MaxUses > 0 {
		n := d.MaxUses
		m.MaxUses = &n
	}
	if d.ValidDays > 0 {
		until := now.AddDate(0, 0, d.ValidDays)
		m.ValidUntil = &until
	}
	return m
}

// demoCompanies book the demo seats: fictional firms on reserved domains.
var demoCompanies = []struct{ company, domain, buyer string }{
	{"Harbor Point Logistics", "harborpoint.example", "Dana Whitfield"},
	{"Cordillera Customs Brokerage", "cordillera.example", "Mateo Ibarra"},
	{"Northbound Freight Forwarding", "northbound.example", "Priya Raman"},
	{"Great Lakes Compliance Group", "greatlakes.example", "Tom Kowalski"},
}

// bookDemoSeats fills n seats of a demo session with paid invoice orders
// of up to four seats each, so the roster and the seat count agree.
func bookDemoSeats(ctx context.Context, tx *gorm.DB, s *models.Session, n int, now time.Time) error {
	for k := 0; n > 0; k++ {
		seats := min(n, 4)
		co := demoCompanies[k%len(demoCompanies)]
		var atts []models.AttendeeInput
		for i := 0; i < seats; i++ {
			atts = append(atts, models.AttendeeInput{Name: fmt.Sprintf("Trainee %d-%d", k+1, i+1), Email: fmt.Sprintf("trainee%d.%d.s%d@%s", k+1, i+1, s.ID, co.domain)})
		}
		buyerEmail := fmt.Sprintf("training.s%d@%s", s.ID, co.domain)
		u, err := models.FindOrCreateGuest(ctx, tx, buyerEmail, co.buyer, co.company)
		if err != nil {
			return err
		}
		q := models.PriceOrder(*s, seats, nil, now)
		o, err := models.CreateOrder(ctx, tx, models.NewOrder{Session: s, UserID: u.ID, BuyerName: co.buyer, BuyerEmail: buyerEmail,
			Company: co.company, PONumber: fmt.Sprintf("PO-%d%03d", s.ID, k+1), Attendees: atts, Method: models.PayByInvoice,
			Quote: q, HoldUntil: s.StartsAt, Now: now}, models.TakeSeats)
		if err != nil {
			return err
		}
		if _, err := models.MarkInvoicePaid(ctx, tx, o, now); err != nil {
			return err
		}
		n -= seats
	}
	return nil
}

func buildWorkshop(w WorkshopSpec, topics map[string]models.Topic) (*models.Workshop, error) {
	desc, err := fs.ReadFile(content.FS, "seed/"+w.DescriptionFile)
	if err != nil {
		return nil, fmt.Errorf("seed workshop %q: %w", w.Slug, err)
	}
	agenda, err := fs.ReadFile(content.FS, "seed/"+w.AgendaFile)
	if err != nil {
		return nil, fmt.Errorf("seed workshop %q: %w", w.Slug, err)
	}
	m := &models.Workshop{Slug: w.Slug, Title: w.Title, Summary: w.Summary, Audience: w.Audience, Level: w.Level,
		DurationMinutes: w.DurationMinutes, CECreditHours: w.CECreditHours, DefaultPriceMinor: w.DefaultPriceMinor,
		Currency: w.Currency, DescriptionMD: strings.TrimSpace(string(desc)), AgendaMD: strings.TrimSpace(string(agenda))}
	for _, slug := range w.Topics {
		t, ok := topics[slug]
		if !ok {
			return nil, fmt.Errorf("seed workshop %q: unknown topic %q", w.Slug, slug)
		}
		m.Topics = append(m.Topics, t)
	}
	return m, nil
}

// buildSession places the session on the calendar day days_from_now after
// now, at its local wall-clock times in its own zone.
func buildSession(s SessionSpec, now time.Time, workshops, instructors map[string]uint) (*models.Session, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", s.TimeZone, err)
	}
	wid, ok := workshops[s.Workshop]
	if !ok {
		return nil, fmt.Errorf("unknown workshop %q", s.Workshop)
	}
	day := now.In(loc).AddDate(0, 0, s.DaysFromNow)
	start, err := atClock(day, s.LocalStart, loc)
	if err != nil {
		return nil, err
	}
	days := max(s.Days, 1)
	end, err := atClock(day.AddDate(0, 0, days-1), s.LocalEnd, loc)
	if err != nil {
		return nil, err
	}
	m := &models.Session{WorkshopID: wid, StartsAt: start, EndsAt: end, TimeZone: s.TimeZone,
		Format: models.Format(s.Format), VenueName: s.VenueName, VenueAddress: s.VenueAddress, City: s.City,
		RoomDetails: s.RoomDetails, JoinURL: s.JoinURL, Capacity: s.Capacity, SeatsTaken: s.SeatsTaken,
		AllowInvoice: true, CancelCutoffHours: 7 * 24, CancelFeeMinor: 0,
		PriceMinor: s.PriceMinor, Currency: s.Currency, Status: models.StatusPublished,
		RegistrationClosesAt: start.Add(-time.Duration(s.RegistrationClosesHoursBefore) * time.Hour)}
	if s.EarlyBirdPriceMinor > 0 && s.EarlyBirdDaysBefore > 0 {
		p := s.EarlyBirdPriceMinor
		d := start.AddDate(0, 0, -s.EarlyBirdDaysBefore)
		m.EarlyBirdPriceMinor, m.EarlyBirdDeadline = &p, &d
	}
	if s.Instructor != "" {
		id, ok := instructors[models.NormalizeEmail(s.Instructor)]
		if !ok {
			return nil, fmt.Errorf("unknown instructor %q", s.Instructor)
		}
		m.InstructorID = &id
	}
	return m, nil
}

func atClock(day time.Time, hhmm string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return time.Time{}, fmt.Errorf("clock time %q: %w", hhmm, err)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, loc), nil
}
