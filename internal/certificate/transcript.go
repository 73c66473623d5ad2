package certificate

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/hsworkshop/hsworkshop/models"
)

// CBP broker continuing-education periods, as of 2026-11-30.
//
// Individual customs brokers must earn continuing-education credits in
// each triennial period (19 CFR 111.102–111.103, added by CBP Dec. 23-04,
// 88 FR 41224, 2023-06-23, effective 2023-07-24). A period runs between
// triennial status reports, which are due every three years on 1 February
// (19 CFR 111.30(d)); the first period with the requirement runs from
// 1 February 2024 to 31 January 2027 and, because courses could be
// taken only from the 1 January 2025 compliance date, needs 20 credits
// instead of 36 (CBP general notice, 89 FR 87387, 2024-11-01, FR Doc.
// 2024-24464). Later periods need 36 credits. The periods after 2027 are
// our extrapolation of the three-year cycle [unverified against a CBP
// notice for those periods].
var (
	firstPeriodStart = time.Date(2024, time.February, 1, 0, 0, 0, 0, time.UTC)
	complianceDate   = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// Period is one CBP broker CE triennial period (civil dates, UTC midnight).
type Period struct {
	Start time.Time // first day
	End   time.Time // last day
}

// PeriodOf returns the triennial period containing the civil date d.
func PeriodOf(d time.Time) Period {
	months := (d.Year()-firstPeriodStart.Year())*12 + int(d.Month()) - int(firstPeriodStart.Month())
	k := months / 36
	if months < 0 && months%36 != 0 {
		k--
	}
	start := firstPeriodStart.AddDate(3*k, 0, 0)
	return Period{Start: start, End: start.AddDate(3, 0, -1)}
}

// Label is "1 Feb 2024 – 31 Jan 2027".
func (p Period) Label() string {
	return p.Start.Format("2 Jan 2006") + " – " + p.End.Format("2 Jan 2006")
}

// Required is the number of credits CBP requires in the period (0 before
// the requirement began) and the source of that number.
func (p Period) Required() (float64, string) {
	switch {
	case p.Start.Before(firstPeriodStart):
		return 0, "Before CBP's broker continuing-education requirement."
	case p.Start.Equal(firstPeriodStart):
		return 20, "20 credits, prorated for the first period (CBP notice, 89 FR 87387, 1 Nov 2024)."
	}
	return 36, "36 credits per triennial period (19 CFR 111.103; CBP Dec. 23-04, 88 FR 41224)."
}

// TranscriptLine is one certificate on a transcript.
type TranscriptLine struct {
	Certificate models.Certificate
	// BeforeCompliance marks courses completed before CBP's 1 January 2025
	// compliance date, which do not count toward the requirement.
	BeforeCompliance bool
}

// TranscriptPeriod is the certificates of one period with their total.
type TranscriptPeriod struct {
	Period Period
	Lines  []TranscriptLine
	// Total is the credit hours of the lines (revoked certificates and
	// courses before the compliance date excluded).
	Total    float64
	Required float64
	Source   string
}

// Transcript is a holder's CE credits by period, newest period first.
type Transcript struct {
	Name        string
	Email       string
	GeneratedAt time.Time
	Periods     []TranscriptPeriod
}

// Transcript builds u's transcript from the certificates issued to u's
// email address (revoked ones are left out). An account that has not
// proven its address holds nothing yet: its transcript is empty.
func (s *Service) Transcript(ctx context.Context, u *models.User) (*Transcript, error) {
	if !u.Verified() {
		return BuildTranscript(u.Name, u.Email, s.now(), nil), nil
	}
	cs, err := models.ListCertificatesForEmail(ctx, s.db, u.Email)
	if err != nil {
		return nil, err
	}
	return BuildTranscript(u.Name, u.Email, s.now(), cs), nil
}

// BuildTranscript groups certificates by the period of their completion
// date (the session's last day in its own zone), newest period first.
func BuildTranscript(name, email string, now time.Time, cs []models.Certificate) *Transcript {
	t := &Transcript{Name: name, Email: email, GeneratedAt: now}
	index := map[time.Time]int{}
	for _, c := range cs {
		if c.Revoked() {
			continue
		}
		day := c.CompletedOn()
		p := PeriodOf(day)
		i, ok := index[p.Start]
		if !ok {
			req, src := p.Required()
			t.Periods = append(t.Periods, TranscriptPeriod{Period: p, Required: req, Source: src})
			i = len(t.Periods) - 1
			index[p.Start] = i
		}
		line := TranscriptLine{Certificate: c, BeforeCompliance: day.Before(complianceDate)}
		tp := &t.Periods[i]
		tp.Lines = append(tp.Lines, line)
		if !line.BeforeCompliance {
			tp.Total += c.CreditHours
		}
	}
	// Newest period first; lines stay in date order (the query's order).
	for i, j := 0, len(t.Periods)-1; i < j; i, j = i+1, j-1 {
		t.Periods[i], t.Periods[j] = t.Periods[j], t.Periods[i]
	}
	return t
}

// WriteCSV writes the transcript as CSV, one row per certificate.
func (s *Service) WriteCSV(w io.Writer, t *Transcript) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"period_start", "period_end", "completed_on", "course", "dates", "time_zone", "attendance",
		"hours_attended", "credit_hours", "counts_toward_cbp_ce", "accreditation_id", "verification_code", "verification_url"})
	for _, p := range t.Periods {
		for _, l := range p.Lines {
			c := l.Certificate
			counts := "yes"
			if l.BeforeCompliance {
				counts = "no (before 2025-01-01 compliance date)"
			}
			_ = cw.Write([]string{p.Period.Start.Format(time.DateOnly), p.Period.End.Format(time.DateOnly),
				c.CompletedOn().Format(time.DateOnly), csvSafe(c.CourseTitle), c.Dates(), c.TimeZone, c.Attendance,
				FormatHours(c.HoursAttended), FormatHours(c.CreditHours), counts, csvSafe(c.AccreditationID), c.Code, s.VerifyURL(c.Code)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write transcript csv: %w", err)
	}
	return nil
}

// csvSafe defuses spreadsheet formula injection in typed cells.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}
