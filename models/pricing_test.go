package models

import (
	"testing"
	"time"
)

func TestPriceOrder(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	eb := int64(49500)
	deadline := now.Add(time.Hour)
	s := Session{ID: 7, WorkshopID: 3, PriceMinor: 59500, Currency: "USD", EarlyBirdPriceMinor: &eb, EarlyBirdDeadline: &deadline}
	pct := func(bp int) *DiscountCode { return &DiscountCode{Kind: DiscountPercent, PercentBP: bp} }
	fixed := func(m int64) *DiscountCode {
		return &DiscountCode{Kind: DiscountFixed, AmountMinor: m, Currency: "USD"}
	}
	for _, tc := range []struct {
		name                       string
		seats                      int
		code                       *DiscountCode
		at                         time.Time
		unit, sub, discount, total int64
		early                      bool
	}{
		{"early bird, 1 seat", 1, nil, now, 49500, 49500, 0, 49500, true},
		{"regular, 3 seats", 3, nil, deadline, 59500, 178500, 0, 178500, false},
		{"15% of 2 early", 2, pct(1500), now, 49500, 99000, 14850, 84150, true},
		// 12.5% of 3×$595 = 22312.5 → rounds half up to 22313.
		{"12.5% rounds half up", 3, pct(1250), deadline, 59500, 178500, 22313, 156187, false},
		{"33.33% of $595", 1, pct(3333), deadline, 59500, 59500, 19831, 39669, false},
		{"fixed $100", 2, fixed(10000), deadline, 59500, 119000, 10000, 109000, false},
		{"fixed never below zero", 1, fixed(999999), deadline, 59500, 59500, 59500, 0, false},
		{"100%", 1, pct(10000), deadline, 59500, 59500, 59500, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := PriceOrder(s, tc.seats, tc.code, tc.at)
			if q.Unit.Minor != tc.unit || q.Subtotal.Minor != tc.sub || q.Discount.Minor != tc.discount || q.Total.Minor != tc.total || q.EarlyBird != tc.early {
				t.Errorf("got unit %d sub %d disc %d total %d early %v; want %d %d %d %d %v",
					q.Unit.Minor, q.Subtotal.Minor, q.Discount.Minor, q.Total.Minor, q.EarlyBird, tc.unit, tc.sub, tc.discount, tc.total, tc.early)
			}
			if q.Total.Currency != "USD" || q.Subtotal.Minor-q.Discount.Minor != q.Total.Minor {
				t.Error("total is not subtotal minus discount in the session currency")
			}
		})
	}
}

func TestDiscountCheckFor(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	s := Session{ID: 7, WorkshopID: 3, Currency: "USD"}
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	one, wid, sid, other := 1, uint(3), uint(7), uint(99)
	base := DiscountCode{Kind: DiscountPercent, PercentBP: 1000, Active: true, MinSeats: 1, Scope: ScopeAll}
	with := func(f func(*DiscountCode)) DiscountCode { d := base; f(&d); return d }
	for _, tc := range []struct {
		name  string
		d     DiscountCode
		seats int
		ok    bool
	}{
		{"plain", base, 1, true},
		{"inactive", with(func(d *DiscountCode) { d.Active = false }), 1, false},
		{"not yet", with(func(d *DiscountCode) { d.ValidFrom = &future }), 1, false},
		{"expired", with(func(d *DiscountCode) { d.ValidUntil = &past }), 1, false},
		{"until is exclusive", with(func(d *DiscountCode) { d.ValidUntil = &now }), 1, false},
		{"used up", with(func(d *DiscountCode) { d.MaxUses = &one; d.Uses = 1 }), 1, false},
		{"uses left", with(func(d *DiscountCode) { d.MaxUses = &one }), 1, true},
		{"right workshop", with(func(d *DiscountCode) { d.Scope = ScopeWorkshop; d.WorkshopID = &wid }), 1, true},
		{"wrong workshop", with(func(d *DiscountCode) { d.Scope = ScopeWorkshop; d.WorkshopID = &other }), 1, false},
		{"right session", with(func(d *DiscountCode) { d.Scope = ScopeSession; d.SessionID = &sid }), 1, true},
		{"wrong session", with(func(d *DiscountCode) { d.Scope = ScopeSession; d.SessionID = &other }), 1, false},
		{"group needs 3", with(func(d *DiscountCode) { d.MinSeats = 3 }), 2, false},
		{"group of 3", with(func(d *DiscountCode) { d.MinSeats = 3 }), 3, true},
		{"fixed other currency", with(func(d *DiscountCode) { d.Kind = DiscountFixed; d.AmountMinor = 100; d.Currency = "CAD" }), 1, false},
	} {
		if got := tc.d.CheckFor(s, tc.seats, now) == ""; got != tc.ok {
			t.Errorf("%s: usable %v, want %v (%q)", tc.name, got, tc.ok, tc.d.CheckFor(s, tc.seats, now))
		}
	}
}

func TestAllocateCents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		total int64
		n     int
		want  []int64
	}{
		{100, 3, []int64{34, 33, 33}}, {101150, 2, []int64{50575, 50575}}, {5, 1, []int64{5}}, {0, 2, []int64{0, 0}}, {2, 3, []int64{1, 1, 0}},
	} {
		got := AllocateCents(tc.total, tc.n)
		var sum int64
		for i := range got {
			sum += got[i]
			if got[i] != tc.want[i] {
				t.Errorf("AllocateCents(%d,%d): got %v, want %v", tc.total, tc.n, got, tc.want)
				break
			}
		}
		if sum != tc.total {
			t.Errorf("shares of %d add to %d", tc.total, sum)
		}
	}
}

func TestOrderStatusesOnlyMoveForward(t *testing.T) {
	t.Parallel()
	all := []OrderStatus{OrderHeld, OrderPendingInvoice, OrderPaid, OrderExpired, OrderCancelled, OrderRefunded}
	allowed := map[[2]OrderStatus]bool{
		{OrderHeld, OrderPaid}: true, {OrderHeld, OrderPendingInvoice}: true, {OrderHeld, OrderExpired}: true, {OrderHeld, OrderCancelled}: true, {OrderHeld, OrderRefunded}: true,
		{OrderPendingInvoice, OrderPaid}: true, {OrderPendingInvoice, OrderExpired}: true, {OrderPendingInvoice, OrderCancelled}: true,
		{OrderPaid, OrderCancelled}: true, {OrderPaid, OrderRefunded}: true,
		{OrderExpired, OrderPaid}: true, {OrderExpired, OrderRefunded}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := from.CanMoveTo(to); got != allowed[[2]OrderStatus{from, to}] {
				t.Errorf("%s → %s: got %v", from, to, got)
			}
		}
	}
	for _, terminal := range []OrderStatus{OrderCancelled, OrderRefunded} {
		for _, to := range all {
			if terminal.CanMoveTo(to) {
				t.Errorf("%s is not terminal", terminal)
			}
		}
	}
}
