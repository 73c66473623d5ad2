package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

var testNow = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

type fixture struct {
	svc   *Service
	db    *gorm.DB
	pay   *payments.Fake
	admin Actor
	ws    *models.Workshop
	seq   int
	dsn   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, dsn := testdb.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return testNow }
	out, err := outbox.New(db, nil, log, now)
	if err != nil {
		t.Fatal(err)
	}
	pay := payments.NewFake("whsec")
	bk, err := booking.New(booking.Deps{DB: db, Payments: pay, Outbox: out, Logger: log, Now: now, Settings: booking.Settings{BaseURL: "http://hsw.test"}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Deps{DB: db, Booking: bk, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	admin := &models.User{Name: "Admin", Email: "admin@hsw.test", Role: models.RoleAdmin}
	if err := models.CreateUser(context.Background(), db, admin); err != nil {
		t.Fatal(err)
	}
	w := &models.Workshop{Slug: "ws", Title: "Classification basics", Summary: "S", Level: "introductory", DurationMinutes: 420, DefaultPriceMinor: 59500, Currency: "USD"}
	if err := db.Create(w).Error; err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, db: db, pay: pay, admin: Actor{User: admin, IP: "192.0.2.1"}, ws: w, dsn: dsn}
}

// session creates a published session days from now with capacity seats.
func (f *fixture) session(t *testing.T, days, capacity int) *models.Session {
	t.Helper()
	start := testNow.AddDate(0, 0, days)
	s := &models.Session{WorkshopID: f.ws.ID, StartsAt: start, EndsAt: start.Add(7 * time.Hour), TimeZone: "America/Chicago",
		Format: models.FormatVirtual, Capacity: capacity, PriceMinor: 59500, Currency: "USD", Status: models.StatusPublished,
		RegistrationClosesAt: start.Add(-24 * time.Hour)}
	if err := models.CreateSession(context.Background(), f.db, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// order stores an order of seats on s in the given state, taking its seats
// when the state holds them.
func (f *fixture) order(t *testing.T, s *models.Session, seats int, method models.PaymentMethod, status models.OrderStatus, created time.Time) *models.Order {
	t.Helper()
	ctx := context.Background()
	f.seq++
	o := &models.Order{Ref: fmt.Sprintf("ref-%d", f.seq), SessionID: s.ID, UserID: f.admin.User.ID, BuyerName: "Ana Pérez", BuyerEmail: fmt.Sprintf("buyer%d@broker.example", f.seq),
		Company: "Pérez Customs", Seats: seats, UnitPriceMinor: 59500, SubtotalMinor: 59500 * int64(seats), TotalMinor: 59500 * int64(seats),
		Currency: "USD", PaymentMethod: method, Status: status, CreatedAt: created}
	if status == models.OrderPaid || status == models.OrderRefunded || status == models.OrderCancelled {
		o.PaidAt = &created
	}
	if method == models.PayByCard {
		o.StripePaymentIntentID = fmt.Sprintf("pi_%d", f.seq)
	} else {
		num := fmt.Sprintf("INV-%04d", f.seq)
		o.InvoiceNumber = &num
	}
	for i := range seats {
		o.Attendees = append(o.Attendees, models.Attendee{Position: i + 1, Name: fmt.Sprintf("Attendee %d", i+1),
			Email: fmt.Sprintf("a%d-%d@broker.example", f.seq, i), PriceMinor: 59500, Status: models.AttendeeActive})
	}
	if err := f.db.Omit("Session", "DiscountCode").Create(o).Error; err != nil {
		t.Fatal(err)
	}
	if status.HoldsSeats() {
		if err := models.TakeSeats(ctx, f.db, s, seats); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func (f *fixture) reload(t *testing.T, id uint) *models.Order {
	t.Helper()
	o, err := models.FindOrder(context.Background(), f.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (f *fixture) seatsTaken(t *testing.T, id uint) int {
	t.Helper()
	s, err := models.FindSession(context.Background(), f.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return s.SeatsTaken
}

func (f *fixture) auditCount(t *testing.T, action string) int {
	t.Helper()
	es, err := models.ListAuditEntries(context.Background(), f.db, models.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func TestRefundArithmeticAndIdempotency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.session(t, 10, 10)
	o := f.order(t, s, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour)) // 1,190.00 paid

	res, err := f.svc.Refund(ctx, f.admin, o.ID, 20000, "goodwill", "k-1")
	if err != nil || res.Repeated || res.Closed {
		t.Fatalf("first refund: got %+v, %v", res, err)
	}
	// The same key again (a double submit) changes nothing.
	res, err = f.svc.Refund(ctx, f.admin, o.ID, 20000, "goodwill", "k-1")
	if err != nil || !res.Repeated {
		t.Fatalf("repeat: got %+v, %v; want Repeated", res, err)
	}
	if got := f.reload(t, o.ID).RefundedMinor; got != 20000 {
		t.Fatalf("refunded after repeat: got %d, want 20000", got)
	}
	// More than what is left (119000-20000 = 99000) is refused, with nothing written.
	_, err = f.svc.Refund(ctx, f.admin, o.ID, 99001, "too much", "k-2")
	var ve *models.ValidationError
	if !errors.As(err, &ve) || ve.Fields["amount"] == "" {
		t.Fatalf("over-refund: got %v, want a validation error on amount", err)
	}
	if n := len(f.pay.RefundCalls()); n != 1 {
		t.Fatalf("stripe refunds: got %d, want 1", n)
	}
	// Exactly the rest closes the order and frees its seats.
	res, err = f.svc.Refund(ctx, f.admin, o.ID, 99000, "rest", "k-3")
	if err != nil || !res.Closed {
		t.Fatalf("final refund: got %+v, %v; want Closed", res, err)
	}
	got := f.reload(t, o.ID)
	if got.RefundedMinor != 119000 || got.Status != models.OrderRefunded {
		t.Fatalf("order: got refunded %d status %s, want 119000 refunded", got.RefundedMinor, got.Status)
	}
	if n := f.seatsTaken(t, s.ID); n != 0 {
		t.Fatalf("seats taken: got %d, want 0", n)
	}
	calls := f.pay.RefundCalls()
	if len(calls) != 2 || calls[0].AmountMinor != 20000 || calls[1].AmountMinor != 99000 || calls[0].IdempotencyKey != "k-1" {
		t.Fatalf("stripe calls: got %+v", calls)
	}
	rs, err := models.ListRefunds(ctx, f.db, o.ID)
	if err != nil || len(rs) != 2 || rs[0].Status != models.RefundSucceeded || rs[1].Status != models.RefundSucceeded {
		t.Fatalf("refunds: got %+v, %v", rs, err)
	}
	var mails int64
	if err := f.db.Model(&models.Email{}).Where("dedupe_key LIKE ?", fmt.Sprintf("desk_refund:%d:%%", o.ID)).Count(&mails).Error; err != nil || mails != 1 {
		t.Fatalf("refund emails: got %d, %v; want 1 (the closing refund only)", mails, err)
	}
	if n := f.auditCount(t, "order.refund"); n != 2 {
		t.Fatalf("audit entries: got %d, want 2", n)
	}
	// Nothing left: even one cent is refused.
	if _, err := f.svc.Refund(ctx, f.admin, o.ID, 1, "cent", "k-4"); !errors.As(err, &ve) {
		t.Fatalf("refund of a fully refunded order: got %v, want validation error", err)
	}
}

func TestRefundFailedAtStripeStaysPendingAndIsQueued(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	o := f.order(t, f.session(t, 10, 10), 1, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
	f.pay.FailRefund = true
	if _, err := f.svc.Refund(ctx, f.admin, o.ID, 5000, "partial", "fail-1"); err != nil {
		t.Fatalf("refund: %v (the decision stands even when Stripe is down)", err)
	}
	q, err := f.svc.Flags(ctx)
	if err != nil || len(q.StuckRefunds) != 1 || q.StuckRefunds[0].AmountMinor != 5000 {
		t.Fatalf("stuck refunds: got %+v, %v", q.StuckRefunds, err)
	}
	f.pay.FailRefund = false
	if err := f.svc.RetryRefunds(ctx, f.admin, o.ID); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if q, _ = f.svc.Flags(ctx); len(q.StuckRefunds) != 0 {
		t.Fatalf("after retry: got %d stuck, want 0", len(q.StuckRefunds))
	}
	if n := len(f.pay.RefundCalls()); n != 1 {
		t.Fatalf("stripe refunds made: got %d, want 1", n)
	}
}

func TestManualRefundOfInvoiceOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	o := f.order(t, f.session(t, 10, 10), 1, models.PayByInvoice, models.OrderPaid, testNow.Add(-time.Hour))
	if _, err := f.svc.Refund(ctx, f.admin, o.ID, 10000, "bank refund", "m-1"); err != nil {
		t.Fatal(err)
	}
	rs, err := models.ListRefunds(ctx, f.db, o.ID)
	if err != nil || len(rs) != 1 || rs[0].Status != models.RefundSucceeded || rs[0].SettledAt == nil {
		t.Fatalf("manual refund: got %+v, %v", rs, err)
	}
	if n := len(f.pay.RefundCalls()); n != 0 {
		t.Fatalf("stripe calls for an invoice order: got %d, want 0", n)
	}
	unpaid := f.order(t, f.session(t, 12, 10), 1, models.PayByInvoice, models.OrderPendingInvoice, testNow)
	var ve *models.ValidationError
	if _, err := f.svc.Refund(ctx, f.admin, unpaid.ID, 100, "x", "m-2"); !errors.As(err, &ve) {
		t.Fatalf("refund of an unpaid invoice: got %v, want validation error", err)
	}
}

// refundRace runs n refunds of amount at once, each deciding from the
// order as read before any of them wrote (a stale read, as two staff
// browsers would have), and returns the refunded total afterwards.
func refundRace(t *testing.T, f *fixture, o *models.Order, n int, amount int64, refund func(stale *models.Order, i int) error) int64 {
	t.Helper()
	stale := make([]*models.Order, n)
	for i := range stale {
		stale[i] = f.reload(t, o.ID)
	}
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			_ = refund(stale[i], i) //nolint:errcheck // refusals are expected; the total is checked
		}()
	}
	start.Done()
	wg.Wait()
	return f.reload(t, o.ID).RefundedMinor
}

func TestConcurrentRefundsNeverExceedThePayment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.session(t, 10, 10)
	const n, amount = 8, 40000 // 8 × 400.00 against 595.00 paid: only one fits

	o := f.order(t, s, 1, models.PayByInvoice, models.OrderPaid, testNow.Add(-time.Hour))
	got := refundRace(t, f, o, n, amount, func(stale *models.Order, i int) error {
		_, err := f.svc.bk.RefundByStaff(ctx, stale, amount, "race", fmt.Sprintf("race-%d", i), nil)
		return err
	})
	if got != amount {
		t.Fatalf("refunded with the conditional update: got %d, want %d (one refund)", got, amount)
	}

	// Negative control: the same race against a check-then-write refund
	// (decide from the stale read, then add unconditionally) overshoots,
	// which shows the race really happens in this test.
	ctrl := f.order(t, s, 1, models.PayByInvoice, models.OrderPaid, testNow.Add(-time.Hour))
	got = refundRace(t, f, ctrl, n, amount, func(stale *models.Order, _ int) error {
		if stale.TotalMinor-stale.RefundedMinor < amount {
			return errors.New("too much")
		}
		return f.db.Exec("UPDATE orders SET refunded_minor = refunded_minor + ? WHERE id = ?", amount, stale.ID).Error
	})
	if got <= ctrl.TotalMinor {
		t.Fatalf("negative control: got %d refunded, want more than %d (the naive refund should overshoot)", got, ctrl.TotalMinor)
	}
}

func TestMoveOrderSeatAccounting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	src := f.session(t, 10, 10)
	dst := f.session(t, 40, 3)
	o := f.order(t, src, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour))
	f.order(t, dst, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour)) // dst now has 1 free seat

	// Two seats do not fit in one: refused, nothing changes.
	if err := f.svc.Move(ctx, f.admin, o.ID, dst.ID); !errors.Is(err, models.ErrSeatsFull) {
		t.Fatalf("move into a full session: got %v, want ErrSeatsFull", err)
	}
	if a, b := f.seatsTaken(t, src.ID), f.seatsTaken(t, dst.ID); a != 2 || b != 2 {
		t.Fatalf("after refused move: got src %d dst %d, want 2 and 2", a, b)
	}
	if err := models.SetSessionCapacity(ctx, f.db, dst.ID, 4); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Move(ctx, f.admin, o.ID, dst.ID); err != nil {
		t.Fatalf("move: %v", err)
	}
	if a, b := f.seatsTaken(t, src.ID), f.seatsTaken(t, dst.ID); a != 0 || b != 4 {
		t.Fatalf("after move: got src %d dst %d, want 0 and 4", a, b)
	}
	if got := f.reload(t, o.ID).SessionID; got != dst.ID {
		t.Fatalf("order session: got %d, want %d", got, dst.ID)
	}
	var n int64
	if err := f.db.Model(&models.Email{}).Where("dedupe_key LIKE ?", fmt.Sprintf("order_moved:%d:%%", o.ID)).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("move email: got %d, %v; want 1", n, err)
	}
	var att models.EmailAttachment
	if err := f.db.Joins("JOIN emails ON emails.id = email_attachments.email_id").Where("emails.dedupe_key LIKE ?", fmt.Sprintf("order_moved:%d:%%", o.ID)).First(&att).Error; err != nil || att.Filename != "session.ics" {
		t.Fatalf("move email invite: got %q, %v", att.Filename, err)
	}
	if n := f.auditCount(t, "order.move"); n != 1 {
		t.Fatalf("audit: got %d, want 1", n)
	}
	// Another workshop's session is refused.
	other := &models.Workshop{Slug: "other", Title: "Other", Summary: "S", Level: "introductory", DurationMinutes: 60, Currency: "USD"}
	if err := f.db.Create(other).Error; err != nil {
		t.Fatal(err)
	}
	os := f.session(t, 50, 10)
	if err := f.db.Model(os).Update("workshop_id", other.ID).Error; err != nil {
		t.Fatal(err)
	}
	var ve *models.ValidationError
	if err := f.svc.Move(ctx, f.admin, o.ID, os.ID); !errors.As(err, &ve) {
		t.Fatalf("move across workshops: got %v, want validation error", err)
	}
	// A session of the workshop priced in another currency is neither
	// offered nor accepted.
	cad := f.session(t, 60, 10)
	if err := f.db.Model(cad).Update("currency", "CAD").Error; err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Move(ctx, f.admin, o.ID, cad.ID); !errors.As(err, &ve) || !strings.Contains(ve.Fields["session_id"], "currency") {
		t.Fatalf("move to another currency: got %v, want a session_id error about the currency", err)
	}
	d, err := f.svc.Order(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.MoveTargets {
		if s.ID == cad.ID {
			t.Fatalf("move targets offer session %d priced in CAD for a USD order", cad.ID)
		}
	}
}

func TestLastAdminGuard(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	me := f.admin.User.ID
	if err := f.svc.SetRole(ctx, f.admin, me, models.RoleLearner); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("demote last admin: got %v, want ErrLastAdmin", err)
	}
	if err := f.svc.SetActive(ctx, f.admin, me, false); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("deactivate last admin: got %v, want ErrLastAdmin", err)
	}
	other, err := f.svc.InviteStaff(ctx, f.admin, Invite{Name: "Bo", Email: "bo@hsw.test", Role: models.RoleAdmin}, "http://hsw.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRole(ctx, f.admin, me, models.RoleInstructor); err != nil {
		t.Fatalf("demote with another admin: %v", err)
	}
	// Bo is now the last active admin.
	if err := f.svc.SetActive(ctx, Actor{User: other}, other.ID, false); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("deactivate the new last admin: got %v, want ErrLastAdmin", err)
	}
	if n := f.auditCount(t, "user.role"); n != 1 {
		t.Fatalf("audit user.role: got %d, want 1", n)
	}
}

func TestDeactivatedUserCannotLogIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := &models.User{Name: "Lea", Email: "lea@broker.example", Role: models.RoleLearner}
	if err := models.CreateUser(ctx, f.db, u); err != nil {
		t.Fatal(err)
	}
	token, err := models.CreateLoginSession(ctx, f.db, u.ID, "", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetActive(ctx, f.admin, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := models.FindLoginSession(ctx, f.db, token, testNow); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("old session: got %v, want ErrNotFound", err)
	}
	if _, err := models.CreateLoginSession(ctx, f.db, u.ID, "", "", testNow); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("new session: got %v, want ErrForbidden", err)
	}
	if err := f.svc.SetActive(ctx, f.admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateLoginSession(ctx, f.db, u.ID, "", "", testNow); err != nil {
		t.Fatalf("after reactivation: %v", err)
	}
}

func TestReportsFromRealRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	soon := f.session(t, 5, 10) // 5 days out: under-filled if below 50%
	later := f.session(t, 60, 4)
	sep := time.Date(2026, 9, 14, 10, 0, 0, 0, time.UTC)
	oct := time.Date(2026, 10, 3, 10, 0, 0, 0, time.UTC)
	f.order(t, soon, 2, models.PayByCard, models.OrderPaid, sep)       // 1,190.00 in Sep
	o2 := f.order(t, soon, 1, models.PayByCard, models.OrderPaid, oct) // 595.00 in Oct, 100.00 refunded
	f.order(t, later, 3, models.PayByInvoice, models.OrderPendingInvoice, oct)
	f.order(t, later, 1, models.PayByCard, models.OrderExpired, oct) // not a registration
	if _, err := f.svc.Refund(ctx, f.admin, o2.ID, 10000, "partial", "rep-1"); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Reports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Months) != 12 || r.Months[11] != "2026-11" || r.Months[0] != "2025-12" {
		t.Fatalf("months: got %v", r.Months)
	}
	rev := map[string]MonthRevenue{}
	for _, x := range r.Revenue {
		rev[x.Month] = x
	}
	if got := rev["2026-09"]; got.Gross != 119000 || got.Net != 119000 || got.Orders != 1 {
		t.Fatalf("Sep revenue: got %+v, want gross=net=119000", got)
	}
	if got := rev["2026-10"]; got.Gross != 59500 || got.Refunded != 10000 || got.Net != 49500 {
		t.Fatalf("Oct revenue: got %+v, want gross 59500 refunded 10000 net 49500", got)
	}
	if got := rev["2026-11"]; got.Gross != 0 || got.Currency != "USD" {
		t.Fatalf("Nov revenue: got %+v, want a zero USD row", got)
	}
	regs := map[string]MonthCount{}
	for _, x := range r.Registrations {
		regs[x.Month] = x
	}
	if regs["2026-09"].Seats != 2 || regs["2026-10"].Orders != 2 || regs["2026-10"].Seats != 4 {
		t.Fatalf("registrations: got Sep %+v Oct %+v, want 2 seats; 2 orders 4 seats", regs["2026-09"], regs["2026-10"])
	}
	if len(r.Fill) != 2 || r.Fill[0].Percent != 30 || r.Fill[1].Percent != 75 {
		t.Fatalf("fill: got %+v, want 30%% and 75%%", r.Fill)
	}
	if len(r.Attention.UnderFilled) != 1 || r.Attention.UnderFilled[0].Session.ID != soon.ID {
		t.Fatalf("under-filled: got %+v, want the session 5 days out", r.Attention.UnderFilled)
	}
	if len(r.Attention.UnpaidInvoices) != 1 || r.Attention.UnpaidInvoices[0].TotalMinor != 178500 {
		t.Fatalf("unpaid invoices: got %d", len(r.Attention.UnpaidInvoices))
	}
	if r.QuizAvailable {
		t.Fatal("quiz figures without a QuizStats source")
	}
}

func TestDiscountInputParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      DiscountInput
		wantErr string
		check   func(d models.DiscountCode) bool
	}{
		{"percent", DiscountInput{Code: " early25 ", Kind: "percent", Percent: "12.5", Scope: "all", Active: true},
			"", func(d models.DiscountCode) bool { return d.Code == "EARLY25" && d.PercentBP == 1250 && d.MinSeats == 1 }},
		{"fixed", DiscountInput{Code: "GROUP", Kind: "fixed", Amount: "50.00", Currency: "usd", Scope: "all", MaxUses: "10", ValidUntil: "2026-12-31"},
			"", func(d models.DiscountCode) bool {
				return d.AmountMinor == 5000 && d.Currency == "USD" && *d.MaxUses == 10 && d.ValidUntil.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
			}},
		{"percent over 100", DiscountInput{Code: "X", Kind: "percent", Percent: "101", Scope: "all"}, "percent", nil},
		{"three decimals", DiscountInput{Code: "X", Kind: "percent", Percent: "1.234", Scope: "all"}, "percent", nil},
		{"negative amount", DiscountInput{Code: "X", Kind: "fixed", Amount: "-5", Scope: "all"}, "amount", nil},
		{"space in code", DiscountInput{Code: "A B", Kind: "percent", Percent: "5", Scope: "all"}, "code", nil},
		{"bad scope", DiscountInput{Code: "X", Kind: "percent", Percent: "5", Scope: "world"}, "scope", nil},
		{"workshop missing", DiscountInput{Code: "X", Kind: "percent", Percent: "5", Scope: "workshop"}, "workshop_id", nil},
		{"dates reversed", DiscountInput{Code: "X", Kind: "percent", Percent: "5", Scope: "all", ValidFrom: "2026-12-10", ValidUntil: "2026-12-01"}, "valid_until", nil},
		{"bad date", DiscountInput{Code: "X", Kind: "percent", Percent: "5", Scope: "all", ValidFrom: "10/12/2026"}, "valid_from", nil},
	}
	for _, c := range cases {
		var d models.DiscountCode
		errs := c.in.Parse(&d)
		if c.wantErr == "" {
			if len(errs) != 0 || !c.check(d) {
				t.Errorf("%s: got errors %v, code %+v", c.name, errs, d)
			}
			continue
		}
		if errs[c.wantErr] == "" {
			t.Errorf("%s: got errors %v, want one on %s", c.name, errs, c.wantErr)
		}
	}
}

func TestManualWaitlistOfferAndRemove(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.session(t, 10, 3)
	f.order(t, s, 2, models.PayByCard, models.OrderPaid, testNow.Add(-time.Hour)) // 1 seat free
	first := &models.WaitlistEntry{SessionID: s.ID, Name: "First", Email: "first@broker.example", Seats: 2}
	second := &models.WaitlistEntry{SessionID: s.ID, Name: "Second", Email: "second@broker.example", Seats: 1}
	for _, e := range []*models.WaitlistEntry{first, second} {
		if err := models.JoinWaitlist(ctx, f.db, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.OfferWaitlist(ctx, f.admin, first.ID); !errors.Is(err, models.ErrSeatsFull) {
		t.Fatalf("offer 2 seats with 1 free: got %v, want ErrSeatsFull", err)
	}
	// Out of queue order: the second person fits.
	if err := f.svc.OfferWaitlist(ctx, f.admin, second.ID); err != nil {
		t.Fatalf("offer: %v", err)
	}
	if n := f.seatsTaken(t, s.ID); n != 3 {
		t.Fatalf("seats after the offer: got %d, want 3", n)
	}
	var n int64
	if err := f.db.Model(&models.Email{}).Where("dedupe_key = ?", fmt.Sprintf("waitlist_offer:%d:1", second.ID)).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("offer email: got %d, %v; want 1", n, err)
	}
	if err := f.svc.OfferWaitlist(ctx, f.admin, second.ID); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("offer twice: got %v, want ErrConflict", err)
	}
	// Removing the offered entry gives its seat back.
	if err := f.svc.RemoveWaitlist(ctx, f.admin, second.ID); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if n := f.seatsTaken(t, s.ID); n != 2 {
		t.Fatalf("seats after removal: got %d, want 2", n)
	}
	if err := f.svc.RemoveWaitlist(ctx, f.admin, second.ID); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("remove twice: got %v, want ErrConflict", err)
	}
	if a, r := f.auditCount(t, "waitlist.offer"), f.auditCount(t, "waitlist.remove"); a != 1 || r != 1 {
		t.Fatalf("audit: got %d offers and %d removals, want 1 and 1", a, r)
	}
}
