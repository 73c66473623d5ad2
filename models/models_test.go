package models

import (
	"strings"
	"testing"
	"time"
)

func TestMoneyString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m    Money
		want string
	}{
		{Money{59500, "USD"}, "$595.00"},
		{Money{129500, "USD"}, "$1,295.00"},
		{Money{5, "USD"}, "$0.05"},
		{Money{0, "USD"}, "$0.00"},
		{Money{-1999, "USD"}, "−$19.99"},
		{Money{95000, "CAD"}, "CA$950.00"},
		{Money{123456789, "EUR"}, "€1,234,567.89"},
		{Money{1500, "JPY"}, "¥1,500"},
		{Money{1050, "CHF"}, "CHF 10.50"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestSessionRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	start := now.Add(10 * 24 * time.Hour)
	eb := int64(49500)
	deadline := now.Add(48 * time.Hour)
	base := Session{StartsAt: start, EndsAt: start.Add(7 * time.Hour), TimeZone: "America/Chicago", Format: FormatVirtual,
		Capacity: 20, SeatsTaken: 5, PriceMinor: 59500, Currency: "USD", Status: StatusPublished,
		RegistrationClosesAt: start.Add(-24 * time.Hour), EarlyBirdPriceMinor: &eb, EarlyBirdDeadline: &deadline}
	with := func(f func(*Session)) Session { s := base; f(&s); return s }

	for _, tc := range []struct {
		name               string
		s                  Session
		at                 time.Time
		left               int
		few, soldOut, open bool
		unit               int64
	}{
		{"early bird", base, now, 15, false, false, true, 49500},
		{"deadline is exclusive", base, deadline, 15, false, false, true, 59500},
		{"few seats: 3 left", with(func(s *Session) { s.SeatsTaken = 17 }), now, 3, true, false, true, 49500},
		{"few seats: 10% of 60", with(func(s *Session) { s.Capacity, s.SeatsTaken = 60, 54 }), now, 6, true, false, true, 49500},
		{"sold out", with(func(s *Session) { s.SeatsTaken = 20 }), now, 0, false, true, true, 49500},
		{"overfull never negative", with(func(s *Session) { s.SeatsTaken = 25 }), now, 0, false, true, true, 49500},
		{"registration closed", base, start.Add(-time.Hour), 15, false, false, false, 59500},
		{"draft not open", with(func(s *Session) { s.Status = StatusDraft }), now, 15, false, false, false, 49500},
		{"cancelled not open", with(func(s *Session) { s.Status = StatusCancelled }), now, 15, false, false, false, 49500},
		{"no early bird", with(func(s *Session) { s.EarlyBirdPriceMinor = nil }), now, 15, false, false, true, 59500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			if got := s.SeatsLeft(); got != tc.left {
				t.Errorf("SeatsLeft: got %d, want %d", got, tc.left)
			}
			if got := s.FewSeatsLeft(); got != tc.few {
				t.Errorf("FewSeatsLeft: got %v, want %v", got, tc.few)
			}
			if got := s.SoldOut(); got != tc.soldOut {
				t.Errorf("SoldOut: got %v, want %v", got, tc.soldOut)
			}
			if got := s.RegistrationOpen(tc.at); got != tc.open {
				t.Errorf("RegistrationOpen: got %v, want %v", got, tc.open)
			}
			if got := s.UnitPriceAt(tc.at); got.Minor != tc.unit || got.Currency != "USD" {
				t.Errorf("UnitPriceAt: got %v, want %d USD", got, tc.unit)
			}
		})
	}
}

func TestSessionLocalTimes(t *testing.T) {
	t.Parallel()
	// 2026-07-01 14:00 UTC is 09:00 CDT (UTC-5); 2026-12-01 14:00 UTC is 08:00 CST (UTC-6).
	for _, tc := range []struct {
		utc  time.Time
		zone string
		want string
	}{
		{time.Date(2026, 7, 1, 14, 0, 0, 0, time.UTC), "America/Chicago", "2026-07-01 09:00 CDT"},
		{time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), "America/Chicago", "2026-12-01 08:00 CST"},
		{time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), "America/Mexico_City", "2026-12-01 08:00 CST"},
		{time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), "Europe/Berlin", "2026-12-01 15:00 CET"},
		{time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), "Not/AZone", "2026-12-01 14:00 UTC"},
	} {
		s := Session{StartsAt: tc.utc, TimeZone: tc.zone}
		if got := s.LocalStart().Format("2006-01-02 15:04 MST"); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.zone, got, tc.want)
		}
	}
}

func TestSessionValidate(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	ok := Session{StartsAt: start, EndsAt: start.Add(time.Hour), TimeZone: "America/New_York", Format: FormatHybrid,
		Capacity: 10, PriceMinor: 100, Currency: "USD", RegistrationClosesAt: start}
	if errs := ok.Validate(); len(errs) != 0 {
		t.Fatalf("valid session: %v", errs)
	}
	eb := int64(200)
	for field, f := range map[string]func(*Session){
		"ends_at":                func(s *Session) { s.EndsAt = s.StartsAt },
		"time_zone":              func(s *Session) { s.TimeZone = "Mars/Olympus" },
		"format":                 func(s *Session) { s.Format = "webinar" },
		"capacity":               func(s *Session) { s.Capacity = 0 },
		"price":                  func(s *Session) { s.PriceMinor = -1 },
		"currency":               func(s *Session) { s.Currency = "US" },
		"early_bird_price":       func(s *Session) { s.EarlyBirdPriceMinor = &eb; d := start.Add(-time.Hour); s.EarlyBirdDeadline = &d },
		"early_bird_deadline":    func(s *Session) { e := int64(50); s.EarlyBirdPriceMinor = &e },
		"registration_closes_at": func(s *Session) { s.RegistrationClosesAt = start.Add(time.Minute) },
		// Longer than the columns: PostgreSQL refuses them (a 500 before).
		"venue_name":    func(s *Session) { s.VenueName = strings.Repeat("v", 201) },
		"venue_address": func(s *Session) { s.VenueAddress = strings.Repeat("é", 401) },
		"city":          func(s *Session) { s.City = strings.Repeat("c", 121) },
		"join_url":      func(s *Session) { s.JoinURL = "https://x.example/" + strings.Repeat("j", 500) },
	} {
		s := ok
		f(&s)
		if _, bad := s.Validate()[field]; !bad {
			t.Errorf("%s: no error for invalid value", field)
		}
	}
}

func TestUpcomingMonthsUseSessionZone(t *testing.T) {
	t.Parallel()
	// 2027-01-01 03:00 UTC is still 31 December in Los Angeles.
	ss := []Session{
		{StartsAt: time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC), TimeZone: "America/Los_Angeles"},
		{StartsAt: time.Date(2027, 2, 3, 15, 0, 0, 0, time.UTC), TimeZone: "America/New_York"},
		{StartsAt: time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC), TimeZone: "America/New_York"},
	}
	got := UpcomingMonths(ss)
	want := []string{"2026-12", "2027-02"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestEmailAndPasswordRules(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"ana@broker.example": true, "a.b+c@x.co": true, "": false, "ana": false, "ana@": false,
		"Ana <ana@x.com>": false, "ana@localhost": false, "a b@x.com": false,
	} {
		if got := ValidEmail(s); got != want {
			t.Errorf("ValidEmail(%q): got %v, want %v", s, got, want)
		}
	}
	if PasswordProblem("elevenchars") == "" || PasswordProblem("twelve chars") != "" {
		t.Error("length rule is not 12")
	}
	if PasswordProblem(string(make([]byte, 73))) == "" {
		t.Error("over-long password accepted (bcrypt would truncate it)")
	}
	if NormalizeEmail("  Ana@Broker.EXAMPLE ") != "ana@broker.example" {
		t.Error("NormalizeEmail")
	}
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	p := NewPasswords(4)
	h, err := p.Hash("a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	u := &User{PasswordHash: h}
	if !p.Check(u, "a long enough passphrase") || p.Check(u, "a long enough passphrasE") {
		t.Error("Check")
	}
	if p.Check(nil, "x") || p.Check(&User{}, "") {
		t.Error("nil or passwordless user matched")
	}
	if _, err := p.Hash("short"); err == nil {
		t.Error("short password hashed")
	}
}

func TestParseMoney(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"25": 2500, "25.5": 2550, "1,295.00": 129500, " 0.05 ": 5, "0": 0} {
		got, err := ParseMoney(in, "USD")
		if err != nil || got.Minor != want || got.Currency != "USD" {
			t.Errorf("ParseMoney(%q): got %v %v, want %d", in, got, err, want)
		}
		if back, _ := ParseMoney(got.Decimal(), "USD"); back.Minor != want {
			t.Errorf("Decimal round trip of %q: %q", in, got.Decimal())
		}
	}
	for _, bad := range []string{"", "-5", "1.234", "abc", "1.", ".5", "1e3", "12.3.4"} {
		if _, err := ParseMoney(bad, "USD"); err == nil {
			t.Errorf("ParseMoney(%q) accepted", bad)
		}
	}
	if got, err := ParseMoney("1500", "JPY"); err != nil || got.Minor != 1500 {
		t.Errorf("JPY: %v %v", got, err)
	}
	if _, err := ParseMoney("15.5", "JPY"); err == nil {
		t.Error("JPY with decimals accepted")
	}
}
