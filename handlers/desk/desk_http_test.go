package desk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// world is a small catalog with one paid card order, one unpaid invoice,
// a discount code, a waiting-list entry and users of every role.
type world struct {
	ta                    *ht.App
	admin, learner, instr *models.User
	target                *models.User
	session, other        *models.Session
	card, invoice         *models.Order
	code                  *models.DiscountCode
	entry                 *models.WaitlistEntry
	fake                  *payments.Fake
}

func newWorld(t *testing.T) *world {
	t.Helper()
	fake := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithFakeStripe(fake))
	w := &world{ta: ta, fake: fake}
	w.admin = ht.MustUser(t, ta.DB, models.RoleAdmin, ht.GoodPassword)
	w.learner = ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	w.instr = ht.MustUser(t, ta.DB, models.RoleInstructor, ht.GoodPassword)
	w.target = ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	ws := ht.MustWorkshop(t, ta.DB)
	w.session = ht.MustSession(t, ta.DB, ws, func(s *models.Session) { s.AllowInvoice = true; s.InstructorID = &w.instr.ID })
	w.other = ht.MustSession(t, ta.DB, ws, func(s *models.Session) {
		s.StartsAt = s.StartsAt.AddDate(0, 1, 0)
		s.EndsAt = s.EndsAt.AddDate(0, 1, 0)
		s.RegistrationClosesAt = s.RegistrationClosesAt.AddDate(0, 1, 0)
	})
	w.card = ta.CardOrder(t, w.session.ID, 2)
	rec := ta.PostWebhook(t, ht.StripeEvent("evt_paid_1", "checkout.session.completed", ht.CheckoutObject(w.card, "paid", "pi_desk_1")), time.Now())
	if rec.Code != http.StatusOK {
		t.Fatalf("webhook: got %d %s", rec.Code, rec.Body.String())
	}
	w.card = ta.Order(t, w.card.ID)
	if w.card.Status != models.OrderPaid {
		t.Fatalf("card order: got %s, want paid", w.card.Status)
	}
	w.invoice = ta.PlaceAPIOrder(t, w.session.ID, 1, "invoice")
	w.code = &models.DiscountCode{Code: "EARLY10", Kind: models.DiscountPercent, PercentBP: 1000, Currency: "USD", Scope: models.ScopeAll, MinSeats: 1, Active: true}
	if err := ta.DB.Create(w.code).Error; err != nil {
		t.Fatal(err)
	}
	w.entry = &models.WaitlistEntry{SessionID: w.other.ID, Name: "Wes", Email: "wes@broker.example", Seats: 1}
	if err := models.JoinWaitlist(context.Background(), ta.DB, w.entry); err != nil {
		t.Fatal(err)
	}
	return w
}

type route struct{ method, path string }

func (w *world) routes() []route {
	o, c, e, u := w.card.ID, w.code.ID, w.entry.ID, w.target.ID
	return []route{
		{"GET", "/admin/desk/orders"},
		{"GET", fmt.Sprintf("/admin/desk/orders/%d", o)},
		{"POST", fmt.Sprintf("/admin/desk/orders/%d/refund", o)},
		{"POST", fmt.Sprintf("/admin/desk/orders/%d/mark-paid", w.invoice.ID)},
		{"POST", fmt.Sprintf("/admin/desk/orders/%d/move", o)},
		{"POST", fmt.Sprintf("/admin/desk/orders/%d/attendees/%d/move", o, w.card.Attendees[1].ID)},
		{"POST", fmt.Sprintf("/admin/desk/orders/%d/resend", o)},
		{"POST", fmt.Sprintf("/admin/desk/orders/%d/resolve", o)},
		{"POST", fmt.Sprintf("/admin/desk/orders/%d/retry-refunds", o)},
		{"GET", "/admin/desk/flags"},
		{"GET", "/admin/desk/discounts"},
		{"POST", "/admin/desk/discounts"},
		{"GET", fmt.Sprintf("/admin/desk/discounts/%d", c)},
		{"POST", fmt.Sprintf("/admin/desk/discounts/%d", c)},
		{"POST", fmt.Sprintf("/admin/desk/discounts/%d/delete", c)},
		{"GET", "/admin/desk/waitlist"},
		{"POST", fmt.Sprintf("/admin/desk/waitlist/%d/offer", e)},
		{"POST", fmt.Sprintf("/admin/desk/waitlist/%d/remove", e)},
		{"GET", "/admin/reports"},
		{"GET", "/admin/reports/revenue.csv"},
		{"GET", "/admin/users"},
		{"POST", "/admin/users"},
		{"POST", fmt.Sprintf("/admin/users/%d/role", u)},
		{"POST", fmt.Sprintf("/admin/users/%d/deactivate", u)},
		{"POST", fmt.Sprintf("/admin/users/%d/reactivate", u)},
		{"POST", fmt.Sprintf("/admin/users/%d/password-reset", u)},
	}
}

// TestAuthorizationMatrix: every desk, report and user route answers 401
// (the login page) to anonymous visitors, 403 to learners and
// instructors, and serves admins.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	roles := []struct {
		name string
		as   *models.User
		want int
	}{{"anonymous", nil, http.StatusUnauthorized}, {"learner", w.learner, http.StatusForbidden}, {"instructor", w.instr, http.StatusForbidden}, {"admin", w.admin, 0}}
	for _, role := range roles {
		for _, r := range w.routes() {
			req := ht.Request{Method: r.method, Path: r.path, As: role.as}
			if r.method == "POST" {
				req.Form = url.Values{}
			}
			rec := w.ta.Do(t, req)
			if role.want != 0 {
				if rec.Code != role.want {
					t.Errorf("%s %s %s: got %d, want %d", role.name, r.method, r.path, rec.Code, role.want)
				}
				continue
			}
			if rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden || rec.Code >= 500 {
				t.Errorf("admin %s %s: got %d: %.300s", r.method, r.path, rec.Code, rec.Body.String())
			}
		}
	}
	// Nothing the refused requests sent changed anything.
	if got := w.ta.Order(t, w.card.ID).RefundedMinor; got != 0 {
		t.Errorf("refunded by refused requests: got %d, want 0", got)
	}
}

func TestPostsNeedCSRF(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, r := range w.routes() {
		if r.method != "POST" {
			continue
		}
		rec := w.ta.Do(t, ht.Request{Method: "POST", Path: r.path, As: w.admin, NoCSRF: true,
			Form: url.Values{"amount": {"10.00"}, "reason": {"no token"}, "key": {"0123456789abcdef0123"}, "role": {"admin"}}})
		if rec.Code != http.StatusForbidden && rec.Code != http.StatusBadRequest {
			t.Errorf("POST %s without CSRF: got %d, want 400 or 403", r.path, rec.Code)
		}
	}
	if got := w.ta.Order(t, w.card.ID).RefundedMinor; got != 0 {
		t.Errorf("refunded without CSRF: got %d, want 0", got)
	}
}

var keyInput = regexp.MustCompile(`name="key" value="([^"]+)"`)

func (w *world) refundKey(t *testing.T) string {
	t.Helper()
	rec := w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/desk/orders/%d", w.card.ID), As: w.admin})
	m := keyInput.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("order page: got %d, no refund key", rec.Code)
	}
	return m[1]
}

func TestPartialRefundThroughTheDesk(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	path := fmt.Sprintf("/admin/desk/orders/%d/refund", w.card.ID)
	key := w.refundKey(t)
	form := url.Values{"amount": {"150.00"}, "reason": {"Missed the afternoon"}, "key": {key}}
	for i := range 2 { // the second is a double submit of the same form
		rec := w.ta.Do(t, ht.Request{Method: "POST", Path: path, As: w.admin, Form: form})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("refund %d: got %d %.300s", i, rec.Code, rec.Body.String())
		}
	}
	o := w.ta.Order(t, w.card.ID)
	if o.RefundedMinor != 15000 || o.Status != models.OrderPaid {
		t.Fatalf("order: got refunded %d status %s, want 15000 paid", o.RefundedMinor, o.Status)
	}
	calls := w.fake.RefundCalls()
	if len(calls) != 1 || calls[0].AmountMinor != 15000 || calls[0].PaymentIntentID != "pi_desk_1" {
		t.Fatalf("stripe refunds: got %+v, want one of 15000 on pi_desk_1", calls)
	}
	rec := w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/desk/orders/%d", w.card.ID), As: w.admin})
	for _, want := range []string{"Missed the afternoon", "$150.00", "succeeded", "Staff: order.refund", "Stripe event checkout.session.completed", "$1,040.00"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("order page lacks %q", want)
		}
	}
	var n int64
	if err := w.ta.DB.Model(&models.AuditEntry{}).Where("action = ? AND actor_id = ?", "order.refund", w.admin.ID).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("audit entries: got %d, %v; want 1", n, err)
	}
}

func TestBadInputIs422(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	key := w.refundKey(t)
	o := w.card.ID
	cases := []struct {
		name, path string
		form       url.Values
		want       string
	}{
		{"refund not a number", fmt.Sprintf("/admin/desk/orders/%d/refund", o), url.Values{"amount": {"lots"}, "reason": {"ok reason"}, "key": {key}}, "Enter an amount greater than zero"},
		{"refund too much", fmt.Sprintf("/admin/desk/orders/%d/refund", o), url.Values{"amount": {"1190.01"}, "reason": {"ok reason"}, "key": {key}}, "more than what was paid"},
		{"refund three decimals", fmt.Sprintf("/admin/desk/orders/%d/refund", o), url.Values{"amount": {"1.001"}, "reason": {"ok reason"}, "key": {key}}, "Enter an amount"},
		{"refund without reason", fmt.Sprintf("/admin/desk/orders/%d/refund", o), url.Values{"amount": {"10"}, "reason": {""}, "key": {key}}, "Say why"},
		{"mark paid without reference", fmt.Sprintf("/admin/desk/orders/%d/mark-paid", w.invoice.ID), url.Values{"reference": {" "}}, "payment&#39;s reference"},
		{"mark a card order paid", fmt.Sprintf("/admin/desk/orders/%d/mark-paid", o), url.Values{"reference": {"BANK-1"}}, "Only an invoice awaiting payment"},
		{"move nowhere", fmt.Sprintf("/admin/desk/orders/%d/move", o), url.Values{"session_id": {""}}, "Choose a session"},
		{"move to unknown", fmt.Sprintf("/admin/desk/orders/%d/move", o), url.Values{"session_id": {"99999"}}, "Choose a session"},
		{"move attendee nowhere", moveAt(o, w.card.Attendees[0].ID), url.Values{"session_id": {""}}, "Choose a session from the list"},
		{"move attendee not a number", moveAt(o, w.card.Attendees[0].ID), url.Values{"session_id": {"1e9"}}, "Choose a session from the list"},
		{"move attendee to unknown", moveAt(o, w.card.Attendees[0].ID), url.Values{"session_id": {"99999"}}, "Choose a session from the list"},
		{"move attendee to own session", moveAt(o, w.card.Attendees[0].ID), url.Values{"session_id": {fmt.Sprint(w.session.ID)}}, "already in this session"},
		{"move attendee of another order", moveAt(o, w.invoice.Attendees[0].ID), url.Values{"session_id": {fmt.Sprint(w.other.ID)}}, "Choose an attendee of this order"},
		{"move attendee of an unpaid invoice", moveAt(w.invoice.ID, w.invoice.Attendees[0].ID), url.Values{"session_id": {fmt.Sprint(w.other.ID)}}, "mark it paid first"},
		{"discount bad percent", "/admin/desk/discounts", url.Values{"code": {"X1"}, "kind": {"percent"}, "percent": {"150"}, "scope": {"all"}, "currency": {"USD"}}, "between 0.01 and 100"},
		{"discount taken code", "/admin/desk/discounts", url.Values{"code": {"early10"}, "kind": {"percent"}, "percent": {"5"}, "scope": {"all"}, "currency": {"USD"}}, "already uses this code"},
		{"invite bad email", "/admin/users", url.Values{"name": {"Pat"}, "email": {"pat@"}, "role": {"instructor"}}, "Enter an email address"},
		{"invite learner role", "/admin/users", url.Values{"name": {"Pat"}, "email": {"pat@hsw.test"}, "role": {"root"}}, "Choose instructor or admin"},
		{"invite existing", "/admin/users", url.Values{"name": {"Pat"}, "email": {w.learner.Email}, "role": {"instructor"}}, "An account with this address exists"},
		{"unknown role", fmt.Sprintf("/admin/users/%d/role", w.target.ID), url.Values{"role": {"owner"}}, "Choose learner, instructor or admin"},
		{"demote the last admin", fmt.Sprintf("/admin/users/%d/role", w.admin.ID), url.Values{"role": {"learner"}}, "last active admin"},
		{"deactivate the last admin", fmt.Sprintf("/admin/users/%d/deactivate", w.admin.ID), url.Values{}, "last active admin"},
	}
	for _, c := range cases {
		rec := w.ta.Do(t, ht.Request{Method: "POST", Path: c.path, As: w.admin, Form: c.form})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: got %d, want 422 with %q: %.400s", c.name, rec.Code, c.want, rec.Body.String())
		}
	}
	for _, path := range []string{"/admin/desk/orders?from=yesterday", "/admin/desk/orders?status=lost", "/admin/desk/orders?from=2026-12-01&until=2026-11-01"} {
		if rec := w.ta.Do(t, ht.Request{Path: path, As: w.admin}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "field-error") {
			t.Errorf("GET %s: got %d, want 422 with a field error", path, rec.Code)
		}
	}
	if got := w.ta.Order(t, o).RefundedMinor; got != 0 {
		t.Errorf("refunded by bad input: got %d, want 0", got)
	}
	if u, err := models.FindUserByID(context.Background(), w.ta.DB, w.admin.ID); err != nil || u.Role != models.RoleAdmin {
		t.Errorf("last admin: got %v, %v; want still admin", u, err)
	}
}

func moveAt(order, attendee uint) string {
	return fmt.Sprintf("/admin/desk/orders/%d/attendees/%d/move", order, attendee)
}

// TestMoveOneAttendeeThroughTheDesk: the order page offers a Move control
// per attendee; a price difference is refused until confirmed (the form
// comes back with the message beside the box); the move then redirects
// and both orders show it.
func TestMoveOneAttendeeThroughTheDesk(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	at := w.card.Attendees[1]
	page := w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/desk/orders/%d", w.card.ID), As: w.admin})
	action := fmt.Sprintf(`action="%s"`, moveAt(w.card.ID, at.ID))
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), action) || !strings.Contains(page.Body.String(), fmt.Sprintf(`for="f-move-%d-session_id"`, at.ID)) {
		t.Fatalf("order page: got %d, want a labelled move form %s", page.Code, action)
	}
	// A session error shows beside this attendee's form only, not beside
	// the whole-order move.
	rec := w.ta.Do(t, ht.Request{Method: "POST", Path: moveAt(w.card.ID, at.ID), As: w.admin, Form: url.Values{"session_id": {fmt.Sprint(w.session.ID)}}})
	if b := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(b, fmt.Sprintf(`id="f-move-%d-session_id-error"`, at.ID)) || strings.Contains(b, `id="f-session_id-error"`) {
		t.Fatalf("own session: got %d, want 422 with the error beside the attendee's form only: %.600s", rec.Code, b)
	}
	if err := w.ta.DB.Model(w.other).Update("price_minor", w.session.PriceMinor+10000).Error; err != nil {
		t.Fatal(err)
	}
	form := url.Values{"session_id": {fmt.Sprint(w.other.ID)}}
	rec = w.ta.Do(t, ht.Request{Method: "POST", Path: moveAt(w.card.ID, at.ID), As: w.admin, Form: form})
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, fmt.Sprintf(`id="f-move-%d-accept-error"`, at.ID)) || !strings.Contains(body, "difference $100.00") ||
		!strings.Contains(body, "<details class=\"attendee-move\" open>") {
		t.Fatalf("price difference: got %d, want 422 with the message beside the box: %.600s", rec.Code, body)
	}
	if got := w.ta.Order(t, w.card.ID); len(got.ActiveAttendees()) != 2 {
		t.Fatalf("refused move changed the order: %d active", len(got.ActiveAttendees()))
	}
	form.Set("accept_difference", "yes")
	rec = w.ta.Do(t, ht.Request{Method: "POST", Path: moveAt(w.card.ID, at.ID), As: w.admin, Form: form})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != fmt.Sprintf("/admin/desk/orders/%d?done=attendee_moved", w.card.ID) {
		t.Fatalf("move: got %d to %q: %.300s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	o := w.ta.Order(t, w.card.ID)
	if len(o.ActiveAttendees()) != 1 || !o.NeedsAttention || o.TotalMinor != w.card.TotalMinor {
		t.Fatalf("paid order: got %d active, flagged %v, total %d", len(o.ActiveAttendees()), o.NeedsAttention, o.TotalMinor)
	}
	var a models.Attendee
	if err := w.ta.DB.First(&a, at.ID).Error; err != nil {
		t.Fatal(err)
	}
	moved := w.ta.Order(t, a.OrderID)
	if moved.SessionID != w.other.ID || moved.MovedFromOrderID == nil {
		t.Fatalf("moved seat: got session %d from %v, want %d", moved.SessionID, moved.MovedFromOrderID, w.other.ID)
	}
	// The person keeps their seat: the same seat page and calendar file
	// now show the new session.
	verified := ht.Now
	person := &models.User{Email: at.Email, Name: at.Name, EmailVerifiedAt: &verified}
	if err := models.CreateUser(t.Context(), w.ta.DB, person); err != nil {
		t.Fatal(err)
	}
	seat := w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/account/seats/%d", at.ID), As: person})
	if seat.Code != http.StatusOK || !strings.Contains(seat.Body.String(), fmt.Sprintf("/sessions/%d", w.other.ID)) {
		t.Fatalf("seat page after the move: got %d, want the new session %d: %.400s", seat.Code, w.other.ID, seat.Body.String())
	}
	ics := w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/account/seats/%d/session.ics", at.ID), As: person})
	if ics.Code != http.StatusOK || !strings.Contains(ics.Body.String(), fmt.Sprintf("UID:session-%d@", w.other.ID)) {
		t.Fatalf("seat calendar after the move: got %d: %.300s", ics.Code, ics.Body.String())
	}
	rec = w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/desk/orders/%d?done=attendee_moved", w.card.ID), As: w.admin})
	for _, want := range []string{"The attendee was moved", "Staff: order.move_attendee", "difference $100.00", moved.Number()} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("paying order page lacks %q", want)
		}
	}
	// The last seat of the order cannot be moved alone: no control.
	if strings.Contains(rec.Body.String(), "attendee-move") {
		t.Errorf("an order of one seat still offers the per-attendee move")
	}
	rec = w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/desk/orders/%d", moved.ID), As: w.admin})
	for _, want := range []string{"Split off by the desk", "Staff: order.split", "keeps its payment", fmt.Sprintf(`<a href="/admin/desk/orders/%d">%s</a>`, w.card.ID, w.card.Number())} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("moved seat's order page lacks %q", want)
		}
	}
	if strings.Contains(rec.Body.String(), "/refund\"") {
		t.Errorf("moved seat's order page offers a refund form (the payment is on the other order)")
	}
	// The buyer's page of the moved seat says where its payment is,
	// rather than showing a $0.00 price and receipt.
	buyer := w.ta.Do(t, ht.Request{Path: "/orders/" + moved.Ref}).Body.String()
	if !strings.Contains(buyer, "moved here from order "+w.card.Number()) || strings.Contains(buyer, "receipt.pdf") || strings.Contains(buyer, "$0.00") {
		t.Errorf("buyer's page of the moved seat: want the paying order named, no receipt and no $0.00: %.2000s", buyer)
	}
}

func TestDeskActions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	post := func(path string, form url.Values) {
		t.Helper()
		rec := w.ta.Do(t, ht.Request{Method: "POST", Path: path, As: w.admin, Form: form})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("POST %s: got %d %.400s", path, rec.Code, rec.Body.String())
		}
	}
	// Mark the invoice paid with its reference.
	post(fmt.Sprintf("/admin/desk/orders/%d/mark-paid", w.invoice.ID), url.Values{"reference": {"WIRE 2026-11-27 #5521"}})
	if o := w.ta.Order(t, w.invoice.ID); o.Status != models.OrderPaid {
		t.Fatalf("invoice: got %s, want paid", o.Status)
	}
	rec := w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/desk/orders/%d", w.invoice.ID), As: w.admin})
	if !strings.Contains(rec.Body.String(), "WIRE 2026-11-27 #5521") {
		t.Errorf("order page lacks the payment reference")
	}
	// Move the card order to the other session: seats follow it.
	post(fmt.Sprintf("/admin/desk/orders/%d/move", w.card.ID), url.Values{"session_id": {fmt.Sprint(w.other.ID)}})
	if a, b := w.ta.Session(t, w.session.ID).SeatsTaken, w.ta.Session(t, w.other.ID).SeatsTaken; a != 1 || b != 2 {
		t.Fatalf("seats after the move: got %d and %d, want 1 (the invoice) and 2", a, b)
	}
	if got := w.ta.Order(t, w.card.ID).SessionID; got != w.other.ID {
		t.Fatalf("moved order: got session %d, want %d", got, w.other.ID)
	}
	if n := w.ta.CountEmails(t, fmt.Sprintf("order_moved:%d:", w.card.ID)); n != 1 {
		t.Errorf("move emails: got %d, want 1", n)
	}
	post(fmt.Sprintf("/admin/desk/orders/%d/resend", w.card.ID), url.Values{})
	if n := w.ta.CountEmails(t, fmt.Sprintf("order_resent:%d:", w.card.ID)); n != 1 {
		t.Errorf("resent emails: got %d, want 1", n)
	}
	// A flagged order is resolved with a note.
	if err := models.FlagOrder(context.Background(), w.ta.DB, w.card.ID, "Paid twice by the buyer"); err != nil {
		t.Fatal(err)
	}
	rec = w.ta.Do(t, ht.Request{Path: "/admin/desk/flags", As: w.admin})
	if !strings.Contains(rec.Body.String(), "Paid twice by the buyer") {
		t.Errorf("flags page lacks the flagged order")
	}
	post(fmt.Sprintf("/admin/desk/orders/%d/resolve", w.card.ID), url.Values{"note": {"Second payment refunded in Stripe"}})
	if o := w.ta.Order(t, w.card.ID); o.NeedsAttention {
		t.Errorf("flag after resolving: still set")
	}
	// Discounts: create, edit, delete an unused one.
	post("/admin/desk/discounts", url.Values{"code": {"group5"}, "kind": {"fixed"}, "amount": {"75"}, "currency": {"USD"}, "scope": {"all"}, "min_seats": {"5"}, "active": {"true"}})
	d, err := models.FindDiscountCode(context.Background(), w.ta.DB, "GROUP5")
	if err != nil || d.AmountMinor != 7500 || d.MinSeats != 5 || !d.Active {
		t.Fatalf("created code: got %+v, %v", d, err)
	}
	post(fmt.Sprintf("/admin/desk/discounts/%d", d.ID), url.Values{"code": {"GROUP5"}, "kind": {"fixed"}, "amount": {"80"}, "currency": {"USD"}, "scope": {"all"}, "min_seats": {"5"}})
	if d, _ = models.FindDiscountCode(context.Background(), w.ta.DB, "GROUP5"); d.AmountMinor != 8000 || d.Active {
		t.Fatalf("edited code: got %+v", d)
	}
	post(fmt.Sprintf("/admin/desk/discounts/%d/delete", d.ID), url.Values{})
	// Users: invite, change role, deactivate (ends the session), reset.
	post("/admin/users", url.Values{"name": {"Iris Instructor"}, "email": {"iris@hsw.test"}, "role": {"instructor"}})
	iris, err := models.FindUserByEmail(context.Background(), w.ta.DB, "iris@hsw.test")
	if err != nil || iris.Role != models.RoleInstructor || iris.PasswordHash != "" {
		t.Fatalf("invited: got %+v, %v", iris, err)
	}
	if n := w.ta.CountEmails(t, "password_reset:"); n != 1 {
		t.Errorf("invite email: got %d, want 1", n)
	}
	cookie := w.ta.Login(t, w.target)
	post(fmt.Sprintf("/admin/users/%d/role", w.target.ID), url.Values{"role": {"instructor"}})
	if rec := w.ta.Do(t, ht.Request{Path: "/account", Cookies: []*http.Cookie{cookie}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("session after a role change: got %d, want 401", rec.Code)
	}
	cookie = w.ta.Login(t, w.target)
	post(fmt.Sprintf("/admin/users/%d/deactivate", w.target.ID), url.Values{})
	if rec := w.ta.Do(t, ht.Request{Path: "/account", Cookies: []*http.Cookie{cookie}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("session after deactivation: got %d, want 401", rec.Code)
	}
	rec = w.ta.Do(t, ht.Request{Method: "POST", Path: "/login", Form: url.Values{"email": {w.target.Email}, "password": {ht.GoodPassword}}})
	if rec.Code == http.StatusSeeOther || w.ta.SessionCookie(rec) != nil {
		t.Errorf("login of a deactivated user: got %d with a session cookie", rec.Code)
	}
	post(fmt.Sprintf("/admin/users/%d/password-reset", w.target.ID), url.Values{})
	// Waiting list: remove the entry.
	post(fmt.Sprintf("/admin/desk/waitlist/%d/remove", w.entry.ID), url.Values{})
	var e models.WaitlistEntry
	if err := w.ta.DB.First(&e, w.entry.ID).Error; err != nil || e.Status != models.WaitCancelled {
		t.Fatalf("entry: got %s, %v; want cancelled", e.Status, err)
	}
	var n int64
	if err := w.ta.DB.Model(&models.AuditEntry{}).Where("actor_id = ?", w.admin.ID).Count(&n).Error; err != nil || n < 10 {
		t.Errorf("audit entries by the admin: got %d, %v; want one per change (at least 10)", n, err)
	}
}

func TestReportsPageAndCSV(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rec := w.ta.Do(t, ht.Request{Path: "/admin/reports", As: w.admin})
	body := rec.Body.String()
	for _, want := range []string{"<svg", "Net revenue by month (USD)", "/admin/reports/revenue.csv", "Unpaid invoices", w.invoice.Number()} {
		if !strings.Contains(body, want) {
			t.Errorf("reports page lacks %q", want)
		}
	}
	if strings.Count(body, "<script") != strings.Count(body, "<script src=") {
		t.Error("reports page has an inline script")
	}
	rec = w.ta.Do(t, ht.Request{Path: "/admin/reports/revenue.csv", As: w.admin})
	month := ht.Now.Format("2006-01")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") ||
		!strings.Contains(rec.Body.String(), month+",USD,1,1190.00,0.00,1190.00") {
		t.Errorf("revenue.csv: got %d %q", rec.Code, rec.Body.String())
	}
	rec = w.ta.Do(t, ht.Request{Path: "/admin/reports/fill.csv", As: w.admin})
	if !strings.Contains(rec.Body.String(), ",20,3,15") {
		t.Errorf("fill.csv: got %q, want the first session at 3 of 20 (15%%)", rec.Body.String())
	}
	if rec := w.ta.Do(t, ht.Request{Path: "/admin/reports/secrets.csv", As: w.admin}); rec.Code != http.StatusNotFound {
		t.Errorf("secrets.csv: got %d, want 404", rec.Code)
	}
	// The quiz service feeds the quiz charts: with no attempts yet every
	// month counts zero.
	rec = w.ta.Do(t, ht.Request{Path: "/admin/reports/quiz.csv", As: w.admin})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "month,attempts\n") || !strings.Contains(rec.Body.String(), month+",0") {
		t.Errorf("quiz.csv: got %d %q, want the months with zero attempts", rec.Code, rec.Body.String())
	}
}

// After a seat is moved out, the paying order's price line counts the
// seats bought (not the seats left) and names where the moved seat went,
// on the desk page and on the buyer's page.
func TestPriceLineAfterAMoveCountsSeatsBought(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	at := w.card.Attendees[1]
	rec := w.ta.Do(t, ht.Request{Method: "POST", Path: moveAt(w.card.ID, at.ID), As: w.admin, Form: url.Values{"session_id": {fmt.Sprint(w.other.ID)}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("move: got %d: %.300s", rec.Code, rec.Body.String())
	}
	var a models.Attendee
	if err := w.ta.DB.First(&a, at.ID).Error; err != nil {
		t.Fatal(err)
	}
	moved := w.ta.Order(t, a.OrderID)
	unit, total := models.Money{Minor: w.card.UnitPriceMinor, Currency: w.card.Currency}, w.card.Total()
	desk := w.ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/desk/orders/%d", w.card.ID), As: w.admin}).Body.String()
	for _, want := range []string{
		fmt.Sprintf("2 seats bought × %s = %s", unit, total),
		fmt.Sprintf(`1 seat moved to <a href="/admin/desk/orders/%d">%s</a>`, moved.ID, moved.Number()),
		"1 active",
	} {
		if !strings.Contains(desk, want) {
			t.Errorf("desk order page lacks %q", want)
		}
	}
	if bad := fmt.Sprintf("1 × %s", unit); strings.Contains(desk, bad) {
		t.Errorf("desk order page still reads %q against a total of %s", bad, total)
	}
	buyer := w.ta.Do(t, ht.Request{Path: "/orders/" + w.card.Ref}).Body.String()
	for _, want := range []string{fmt.Sprintf("2 seats bought × %s", unit), "1 seat moved to order " + moved.Number()} {
		if !strings.Contains(buyer, want) {
			t.Errorf("buyer's page lacks %q", want)
		}
	}
}
