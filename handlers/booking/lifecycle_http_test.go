package booking_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/internal/testsvc"
	"github.com/hsworkshop/hsworkshop/models"
)

// paidCardOrder places and pays a card order through the webhook.
func paidCardOrder(t *testing.T, ta *ht.App, sessionID uint, n int, pi string) *models.Order {
	t.Helper()
	o := ta.CardOrder(t, sessionID, n)
	if c := ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", pi)), time.Now()).Code; c != 200 {
		t.Fatalf("pay: %d", c)
	}
	return ta.Order(t, o.ID)
}

func TestCancellationPolicy(t *testing.T) {
	t.Parallel()
	fake := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithFakeStripe(fake))
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) {
		s.CancelCutoffHours, s.CancelFeeMinor = 72, 5000
	})
	o := paidCardOrder(t, ta, s.ID, 3, "pi_c")
	// One attendee: refund their share less the fee.
	second := o.Attendees[1]
	rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/orders/%s/attendees/%d/cancel", o.Ref, second.ID), Form: url.Values{}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel attendee: %d %s", rec.Code, rec.Body.String())
	}
	calls := fake.RefundCalls()
	if len(calls) != 1 || calls[0].AmountMinor != second.PriceMinor-5000 || calls[0].PaymentIntentID != "pi_c" {
		t.Fatalf("refund: %+v", calls)
	}
	got := ta.Order(t, o.ID)
	if got.Status != models.OrderPaid || got.Seats != 2 || got.RefundedMinor != second.PriceMinor-5000 || ta.Session(t, s.ID).SeatsTaken != 2 {
		t.Errorf("after attendee cancel: %s seats %d refunded %d taken %d", got.Status, got.Seats, got.RefundedMinor, ta.Session(t, s.ID).SeatsTaken)
	}
	if ta.CountEmails(t, "cancel_attendee:") != 1 {
		t.Error("no cancellation email")
	}
	// The rest of the order.
	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o.Ref + "/cancel", Form: url.Values{}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel order: %d", rec.Code)
	}
	got = ta.Order(t, o.ID)
	wantRefund := o.TotalMinor - 3*5000
	if got.Status != models.OrderCancelled || got.RefundedMinor != wantRefund || ta.Session(t, s.ID).SeatsTaken != 0 {
		t.Errorf("after order cancel: %s refunded %d (want %d) taken %d", got.Status, got.RefundedMinor, wantRefund, ta.Session(t, s.ID).SeatsTaken)
	}
	// Past the cutoff the buyer cannot cancel.
	o2 := paidCardOrder(t, ta, s.ID, 1, "pi_d")
	ta.SetNow(s.StartsAt.Add(-71 * time.Hour))
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o2.Ref + "/cancel", Form: url.Values{}}).Code; c != http.StatusConflict {
		t.Errorf("after deadline: %d, want 409", c)
	}
	if ta.Order(t, o2.ID).Status != models.OrderPaid {
		t.Error("cancelled after the deadline")
	}
	// Provider down: the cancellation stands (Stripe is never called inside
	// the transaction); the refund intent stays pending until the
	// retry-refunds job carries it out with the same idempotency key.
	ta.SetNow(ht.Now)
	fake.FailRefund = true
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o2.Ref + "/cancel", Form: url.Values{}}).Code; c != http.StatusSeeOther {
		t.Errorf("cancel during a refund outage: got %d, want 303", c)
	}
	if got := ta.Order(t, o2.ID); got.Status != models.OrderCancelled || ta.Session(t, s.ID).SeatsTaken != 0 {
		t.Errorf("after cancel during outage: got %s taken %d, want cancelled, 0", got.Status, ta.Session(t, s.ID).SeatsTaken)
	}
	pending, err := models.ListPendingRefunds(context.Background(), ta.DB, o2.ID, 10)
	if err != nil || len(pending) != 1 || pending[0].Attempts != 1 || pending[0].StripeRefundID != "" {
		t.Fatalf("pending intents: got %+v (%v), want one with 1 failed attempt", pending, err)
	}
	before := len(fake.RefundCalls())
	fake.FailRefund = false
	if err := ta.Handlers.Booking().RetryRefunds(context.Background()); err != nil {
		t.Fatalf("retry refunds: %v", err)
	}
	if err := ta.Handlers.Booking().RetryRefunds(context.Background()); err != nil {
		t.Fatalf("second retry: %v", err)
	}
	calls = fake.RefundCalls()
	if len(calls) != before+1 || calls[len(calls)-1].IdempotencyKey != fmt.Sprintf("cancel-order-%d", o2.ID) {
		t.Errorf("refund calls after retry: got %d (last %+v), want %d", len(calls), calls[len(calls)-1], before+1)
	}
	refunds, err := models.ListRefunds(context.Background(), ta.DB, o2.ID)
	if err != nil || len(refunds) != 1 || refunds[0].Status != models.RefundSucceeded || refunds[0].StripeRefundID == "" {
		t.Errorf("after retry: got %+v (%v), want one succeeded refund", refunds, err)
	}
	o2 = paidCardOrder(t, ta, s.ID, 1, "pi_e")
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o2.Ref + "/cancel", NoCSRF: true, Form: url.Values{}}).Code; c != http.StatusForbidden {
		t.Errorf("cancel without CSRF: %d", c)
	}
}

func TestWaitlistOffersAndClaims(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Capacity = 3; s.AllowInvoice = true })
	first := ta.PlaceAPIOrder(t, s.ID, 2, "invoice")
	ta.PlaceAPIOrder(t, s.ID, 1, "invoice")
	// Sold out: the register page sends people to the waiting list.
	if rec := ta.Do(t, ht.Request{Path: fmt.Sprintf("/sessions/%d/register", s.ID)}); rec.Code != http.StatusSeeOther {
		t.Fatalf("register when sold out: %d", rec.Code)
	}
	join := func(name string, seats int) {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/waitlist", s.ID),
			Form: url.Values{"name": {name}, "email": {strings.ToLower(name) + "@example.com"}, "seats": {fmt.Sprint(seats)}}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("join %s: %d %s", name, rec.Code, rec.Body.String())
		}
	}
	join("Big", 3)   // too large for what will free up: keeps its place
	join("Carla", 2) // fits
	join("Dev", 1)
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/waitlist", s.ID), Form: url.Values{"name": {""}, "email": {"x"}, "seats": {"9"}}}); rec.Code != 422 {
		t.Errorf("bad waitlist form: %d", rec.Code)
	}
	// The 2-seat order is cancelled: Carla (first who fits) gets the offer.
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + first.Ref + "/cancel", Form: url.Values{}}).Code; c != http.StatusSeeOther {
		t.Fatalf("cancel: %d", c)
	}
	es, _ := models.ListWaitlist(t.Context(), ta.DB, s.ID)
	if es[0].Status != models.WaitWaiting || es[1].Status != models.WaitOffered || es[2].Status != models.WaitWaiting {
		t.Fatalf("statuses: %s %s %s", es[0].Status, es[1].Status, es[2].Status)
	}
	if got := ta.Session(t, s.ID); got.SeatsTaken != 3 {
		t.Errorf("offered seats are not reserved: taken %d", got.SeatsTaken)
	}
	// Nobody can snipe the offered seats.
	if rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", s.ID), ht.APIOrderBody(1, "invoice")); rec.Code != http.StatusConflict {
		t.Errorf("sniping an offered seat: %d", rec.Code)
	}
	var offer models.Email
	if err := ta.DB.Where("dedupe_key LIKE ?", fmt.Sprintf("waitlist_offer:%d:%%", es[1].ID)).First(&offer).Error; err != nil {
		t.Fatalf("offer email: %v", err)
	}
	i := strings.Index(offer.TextBody, "token=")
	token := strings.Fields(offer.TextBody[i+len("token="):])[0]
	claim := ta.Do(t, ht.Request{Path: "/waitlist/claim?token=" + token})
	if claim.Code != 200 || !strings.Contains(claim.Body.String(), "reserved for you") {
		t.Fatalf("claim page: %d", claim.Code)
	}
	v := ht.RegisterValues("invoice")
	v.Set("waitlist_token", token)
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/waitlist/claim", Form: v})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("claim: %d %s", rec.Code, rec.Body.String())
	}
	if got := ta.Session(t, s.ID); got.SeatsTaken != 3 || ta.ActiveSeats(t, s.ID) != 3 {
		t.Errorf("after claim: counter %d, orders %d; want 3 and 3", got.SeatsTaken, ta.ActiveSeats(t, s.ID))
	}
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/waitlist/claim", Form: v}).Code; c != http.StatusGone {
		t.Errorf("second claim: %d, want 410", c)
	}
}

func TestWaitlistOfferLapsesToNext(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Capacity = 1; s.AllowInvoice = true })
	o := ta.PlaceAPIOrder(t, s.ID, 1, "invoice")
	for _, n := range []string{"Ann", "Bob"} {
		ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/waitlist", s.ID), Form: url.Values{"name": {n}, "email": {n + "@example.com"}, "seats": {"1"}}})
	}
	ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o.Ref + "/cancel", Form: url.Values{}})
	ta.SetNow(ht.Now.Add(25 * time.Hour))
	if err := ta.Handlers.Booking().LapseWaitlistOffers(context.Background()); err != nil {
		t.Fatal(err)
	}
	es, _ := models.ListWaitlist(t.Context(), ta.DB, s.ID)
	if es[0].Status != models.WaitLapsed || es[1].Status != models.WaitOffered || ta.Session(t, s.ID).SeatsTaken != 1 {
		t.Errorf("after lapse: %s %s taken %d", es[0].Status, es[1].Status, ta.Session(t, s.ID).SeatsTaken)
	}
	// Raising capacity offers more seats (nobody else waits: no change).
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	if c := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/sessions/%d/capacity", s.ID), As: admin, Form: url.Values{"capacity": {"0"}}}).Code; c != 422 {
		t.Errorf("capacity 0: %d", c)
	}
	if c := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/sessions/%d/capacity", s.ID), As: admin, Form: url.Values{"capacity": {"5"}}}).Code; c != http.StatusSeeOther {
		t.Errorf("capacity 5: %d", c)
	}
	if got := ta.Session(t, s.ID); got.Capacity != 5 {
		t.Errorf("capacity: %d", got.Capacity)
	}
}

func TestHoldAndInvoiceExpiryJob(t *testing.T) {
	t.Parallel()
	fake := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithFakeStripe(fake))
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Capacity = 4; s.AllowInvoice = true })
	card := ta.CardOrder(t, s.ID, 1)
	inv := ta.PlaceAPIOrder(t, s.ID, 2, "invoice")
	ta.SetNow(ht.Now.Add(36 * time.Minute))
	if err := ta.Handlers.Booking().ExpireLapsedOrders(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ta.Order(t, card.ID).Status != models.OrderExpired || ta.Order(t, inv.ID).Status != models.OrderPendingInvoice || ta.Session(t, s.ID).SeatsTaken != 2 {
		t.Fatalf("after hold expiry: %s %s taken %d", ta.Order(t, card.ID).Status, ta.Order(t, inv.ID).Status, ta.Session(t, s.ID).SeatsTaken)
	}
	ta.SetNow(*inv.InvoiceDueAt)
	// Two instances expire at once: seats are freed exactly once.
	other, err := handlers.New(handlers.Deps{DB: ta.DB, Config: ta.Deps.Config, Logger: ta.Deps.Logger, Now: ta.Deps.Now, Passwords: ht.Passwords})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, a := range []*handlers.App{ta.Handlers, other} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = a.Booking().ExpireLapsedOrders(context.Background()) }()
	}
	wg.Wait()
	if ta.Order(t, inv.ID).Status != models.OrderExpired || ta.Session(t, s.ID).SeatsTaken != 0 {
		t.Errorf("after invoice expiry: %s taken %d", ta.Order(t, inv.ID).Status, ta.Session(t, s.ID).SeatsTaken)
	}
	if n := ta.CountEmails(t, "order_expired:"); n != 2 {
		t.Errorf("expiry emails: got %d, want 2", n)
	}
}

// recordingMailer is a Mailer that counts deliveries and can fail.
type recordingMailer struct {
	mu    sync.Mutex
	sent  map[uint]int
	fails int
}

func (m *recordingMailer) Send(_ context.Context, e models.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fails > 0 {
		m.fails--
		return errors.New("smtp: 451 try again later")
	}
	m.sent[e.ID]++
	return nil
}

func TestRemindersAndOutbox(t *testing.T) {
	t.Parallel()
	mailer := &recordingMailer{sent: map[uint]int{}}
	ta := ht.New(t, func(d *handlers.Deps) { d.Mailer = mailer })
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true })
	o := ta.PlaceAPIOrder(t, s.ID, 2, "invoice")
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: admin, Form: url.Values{}})
	ta.SetNow(s.StartsAt.Add(-23 * time.Hour))
	for i := 0; i < 3; i++ {
		if err := ta.Handlers.Booking().QueueReminders(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := ta.CountEmails(t, "reminder:"); n != 2 {
		t.Fatalf("reminders: got %d, want 2 (one per attendee, once)", n)
	}
	// Two instances drain the outbox together: each message goes out once.
	mailer.fails = 1
	other, _ := handlers.New(handlers.Deps{DB: ta.DB, Config: ta.Deps.Config, Logger: ta.Deps.Logger, Now: ta.Deps.Now, Passwords: ht.Passwords, Mailer: mailer})
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		for _, a := range []*handlers.App{ta.Handlers, other} {
			wg.Add(1)
			go func() { defer wg.Done(); _ = a.Booking().SendOutbox(context.Background()) }()
		}
		wg.Wait()
		ta.SetNow(ta.Now().Add(2 * time.Minute)) // past the retry backoff
	}
	var total int64
	ta.DB.Model(&models.Email{}).Count(&total)
	mailer.mu.Lock()
	defer mailer.mu.Unlock()
	if int64(len(mailer.sent)) != total {
		t.Errorf("sent %d distinct messages of %d", len(mailer.sent), total)
	}
	for id, n := range mailer.sent {
		if n != 1 {
			t.Errorf("message %d sent %d times", id, n)
		}
	}
	var failed models.Email
	if err := ta.DB.Where("attempts > 1").First(&failed).Error; err != nil || failed.Status != models.EmailSent {
		t.Errorf("the failed message was not retried to success: %v %+v", err, failed.Status)
	}
}

func TestRosterCSVAndStaffAccess(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	inst := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	otherInst := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.InstructorID = &inst.ID; s.AllowInvoice = true })
	placed := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", s.ID), strings.Replace(ht.APIOrderBody(1, "invoice"), `"Broker & Co"`, `"=HYPERLINK(1)"`, 1))
	held, err := models.FindOrderByRef(t.Context(), ta.DB, ht.DecodeJSON[struct{ ID string }](t, placed).ID)
	if err != nil {
		t.Fatal(err)
	}
	ta.ConfirmOrderByEmail(t, held)
	path := fmt.Sprintf("/admin/sessions/%d/roster.csv", s.ID)
	for _, tc := range []struct {
		as   *models.User
		want int
	}{{nil, 401}, {ht.MustUser(t, ta.DB, models.RoleLearner, ""), 403}, {otherInst, 404}, {inst, 200}, {ht.MustUser(t, ta.DB, models.RoleAdmin, ""), 200}} {
		rec := ta.Do(t, ht.Request{Path: path, As: tc.as})
		if rec.Code != tc.want {
			t.Errorf("as %v: got %d, want %d", tc.as, rec.Code, tc.want)
		}
		if rec.Code == 200 {
			body := rec.Body.String()
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(body, "Attendee 1") || !strings.Contains(body, "'=HYPERLINK") {
				t.Errorf("csv: %s", body)
			}
		}
	}
}

func TestPrivateDetailsForConfirmedAttendees(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true })
	o := ta.PlaceAPIOrder(t, s.ID, 1, "invoice")
	attendee := &models.User{Email: o.Attendees[0].Email, Name: "Att"}
	if err := models.CreateUser(t.Context(), ta.DB, attendee); err != nil {
		t.Fatal(err)
	}
	see := func() bool {
		return strings.Contains(ta.Do(t, ht.Request{Path: fmt.Sprintf("/sessions/%d", s.ID), As: attendee}).Body.String(), "secret-room")
	}
	if see() {
		t.Fatal("unpaid attendee sees the join link")
	}
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: admin, Form: url.Values{}})
	if see() {
		t.Fatal("an attendee account that has not proven its address sees the join link")
	}
	if err := ta.DB.Model(attendee).Update("email_verified_at", ht.Now).Error; err != nil {
		t.Fatal(err)
	}
	now := ht.Now
	attendee.EmailVerifiedAt = &now
	if !see() {
		t.Error("confirmed attendee with a proven address does not see the join link")
	}
	mine := ta.Do(t, ht.Request{Path: "/account/registrations", As: attendee}).Body.String()
	seatLink := fmt.Sprintf("/account/seats/%d", o.Attendees[0].ID)
	if !strings.Contains(mine, seatLink) || !strings.Contains(mine, "Confirmed") {
		t.Error("My registrations does not list the attendee's seat")
	}
	if strings.Contains(mine, o.Ref) {
		t.Error("My registrations links an attendee to the buyer's order")
	}
	seat := ta.Do(t, ht.Request{Path: seatLink, As: attendee})
	if seat.Code != 200 || !strings.Contains(seat.Body.String(), "secret-room") || strings.Contains(seat.Body.String(), o.Ref) {
		t.Errorf("seat page: got %d", seat.Code)
	}
}

// TestCheckoutAgainstStripeMock runs the card registration through the real
// Stripe adapter against stripe-mock.
func TestCheckoutAgainstStripeMock(t *testing.T) {
	t.Parallel()
	stripe := payments.NewStripe("sk_test_123", ht.WebhookSecret, testsvc.StripeMock(t))
	ta := ht.New(t, func(d *handlers.Deps) { d.Payments = stripe })
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB))
	rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/register", s.ID), Form: ht.RegisterValues("card")})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") == "" {
		t.Fatalf("checkout via stripe-mock: %d %s", rec.Code, rec.Body.String())
	}
	var o models.Order
	ta.DB.First(&o)
	if !strings.HasPrefix(o.StripeCheckoutSessionID, "cs_") || o.Status != models.OrderHeld {
		t.Errorf("order: %s %q", o.Status, o.StripeCheckoutSessionID)
	}
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + o.Ref + "/checkout-cancelled", Form: url.Values{}}).Code; c != http.StatusSeeOther {
		t.Errorf("cancel via stripe-mock: %d", c)
	}
	if got := ta.Order(t, o.ID); got.Status != models.OrderCancelled {
		t.Errorf("after cancel: %s", got.Status)
	}
}

func TestCancelSeatOfUnpaidInvoiceDropsItsPrice(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true; s.CancelFeeMinor = 5000 })
	o := ta.PlaceAPIOrder(t, s.ID, 2, "invoice")
	rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/orders/%s/attendees/%d/cancel", o.Ref, o.Attendees[0].ID), Form: url.Values{}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel: %d", rec.Code)
	}
	got := ta.Order(t, o.ID)
	if got.TotalMinor != o.Attendees[1].PriceMinor || got.FeesMinor != 0 || got.Status != models.OrderPendingInvoice || ta.Session(t, s.ID).SeatsTaken != 1 {
		t.Errorf("invoice after seat cancel: total %d fees %d status %s", got.TotalMinor, got.FeesMinor, got.Status)
	}
}

func TestBookingPolicyForm(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB))
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	path := fmt.Sprintf("/admin/sessions/%d/policy", s.ID)
	page := ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/sessions/%d", s.ID), As: admin}).Body.String()
	if !strings.Contains(page, `for="f-cancel_fee"`) || !strings.Contains(page, `name="allow_invoice"`) {
		t.Fatal("policy form missing")
	}
	rec := ta.Do(t, ht.Request{Method: "POST", Path: path, As: admin, Form: url.Values{"allow_invoice": {"true"}, "cancel_cutoff_hours": {"-1"}, "cancel_fee": {"9999"}}})
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "Enter whole hours") || !strings.Contains(rec.Body.String(), "cannot be more than the seat price") {
		t.Fatalf("bad policy: %d", rec.Code)
	}
	if got := ta.Session(t, s.ID); got.AllowInvoice || got.CancelFeeMinor != 0 {
		t.Fatal("bad policy was stored")
	}
	rec = ta.Do(t, ht.Request{Method: "POST", Path: path, As: admin, Form: url.Values{"allow_invoice": {"true"}, "cancel_cutoff_hours": {"48"}, "cancel_fee": {"75.00"}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("policy: %d %s", rec.Code, rec.Body.String())
	}
	if got := ta.Session(t, s.ID); !got.AllowInvoice || got.CancelCutoffHours != 48 || got.CancelFeeMinor != 7500 {
		t.Errorf("stored policy: %v %d %d", got.AllowInvoice, got.CancelCutoffHours, got.CancelFeeMinor)
	}
	learner := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	if c := ta.Do(t, ht.Request{Method: "POST", Path: path, As: learner, Form: url.Values{"cancel_cutoff_hours": {"1"}, "cancel_fee": {"0"}}}).Code; c != http.StatusForbidden {
		t.Errorf("learner: %d", c)
	}
	if c := ta.Do(t, ht.Request{Method: "POST", Path: path, As: admin, NoCSRF: true, Form: url.Values{"cancel_cutoff_hours": {"1"}, "cancel_fee": {"0"}}}).Code; c != http.StatusForbidden {
		t.Errorf("no CSRF: %d", c)
	}
}
