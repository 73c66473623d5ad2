package handlers_test

// Regression tests for the holes of issue 8, each written to fail on the
// code before its fix (see the report in the commit messages).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// signup creates an account through the form, as an attacker would, and
// returns its login cookie.
func signup(t *testing.T, ta *ht.App, email string) *http.Cookie {
	t.Helper()
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/signup", Form: url.Values{"name": {"Mallory"}, "email": {email},
		"password": {ht.GoodPassword}, "password_confirm": {ht.GoodPassword}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("signup %s: got %d, want 303\n%s", email, rec.Code, rec.Body.String())
	}
	ck := ta.SessionCookie(rec)
	if ck == nil {
		t.Fatal("signup did not log in")
	}
	return ck
}

var verifyLink = regexp.MustCompile(`http://hsw\.test/account/verify\?token=([A-Za-z0-9_-]+)`)

// TestHoleAttendeeSignupCannotTakeOverOrder (hole 1): signing up with an
// attendee's address shows nothing until the address is proven, and then
// only that attendee's own seat: never the order ref, PO or other attendees.
func TestHoleAttendeeSignupCannotTakeOverOrder(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true })
	o := ta.PlaceAPIOrder(t, s.ID, 2, "invoice", `"po_number":"PO-SECRET-991"`)
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: admin, Form: url.Values{}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("mark paid: %d", rec.Code)
	}
	victim := o.Attendees[0]
	ck := signup(t, ta, victim.Email)
	leaks := func(what string, body string) {
		t.Helper()
		for _, secret := range []string{o.Ref, "PO-SECRET-991", o.Attendees[1].Email, "secret-room"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q to an account that has not proven its address", what, secret)
			}
		}
	}
	mine := ta.Do(t, ht.Request{Path: "/account/registrations", Cookies: []*http.Cookie{ck}})
	if mine.Code != 200 {
		t.Fatalf("registrations: %d", mine.Code)
	}
	leaks("My registrations", mine.Body.String())
	leaks("the session page", ta.Do(t, ht.Request{Path: fmt.Sprintf("/sessions/%d", s.ID), Cookies: []*http.Cookie{ck}}).Body.String())
	seat := fmt.Sprintf("/account/seats/%d", victim.ID)
	if rec := ta.Do(t, ht.Request{Path: seat, Cookies: []*http.Cookie{ck}}); rec.Code != http.StatusNotFound {
		t.Errorf("unproven seat page: got %d, want 404", rec.Code)
	}

	// The owner of the mailbox (here: the same person) proves the address
	// with the emailed link, while logged in.
	token := ta.LinkIn(t, "email_verification", victim.Email, verifyLink)
	if rec := ta.Do(t, ht.Request{Path: "/account/verify?token=" + token, Cookies: []*http.Cookie{ck}}); rec.Code != 200 {
		t.Fatalf("verify page: %d", rec.Code)
	}
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/account/verify", Cookies: []*http.Cookie{ck}, Form: url.Values{"token": {token}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("verify: %d %s", rec.Code, rec.Body.String())
	}
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: "/account/verify", Cookies: []*http.Cookie{ck}, Form: url.Values{"token": {token}}}); rec.Code != http.StatusGone {
		t.Errorf("verification link reused: got %d, want 410", rec.Code)
	}
	mine = ta.Do(t, ht.Request{Path: "/account/registrations", Cookies: []*http.Cookie{ck}})
	body := mine.Body.String()
	if !strings.Contains(body, seat) {
		t.Errorf("My registrations does not link the proven attendee's seat %s", seat)
	}
	for _, secret := range []string{o.Ref, "PO-SECRET-991", o.Attendees[1].Email} {
		if strings.Contains(body, secret) {
			t.Errorf("My registrations shows the attendee the buyer's %q", secret)
		}
	}
	page := ta.Do(t, ht.Request{Path: seat, Cookies: []*http.Cookie{ck}})
	pb := page.Body.String()
	if page.Code != 200 || !strings.Contains(pb, "secret-room") || !strings.Contains(pb, seat+"/session.ics") {
		t.Errorf("seat page: got %d, want the join link and calendar file", page.Code)
	}
	for _, secret := range []string{o.Ref, "PO-SECRET-991", o.Attendees[1].Email, "/cancel"} {
		if strings.Contains(pb, secret) {
			t.Errorf("seat page shows %q", secret)
		}
	}
	if page.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("seat page Cache-Control: got %q, want no-store", page.Header().Get("Cache-Control"))
	}
	if ics := ta.Do(t, ht.Request{Path: seat + "/session.ics", Cookies: []*http.Cookie{ck}}); ics.Code != 200 || !strings.Contains(ics.Body.String(), "secret-room") {
		t.Errorf("seat calendar: got %d", ics.Code)
	}
	// Another proven learner cannot open the seat by id.
	other := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	if rec := ta.Do(t, ht.Request{Path: seat, As: other}); rec.Code != http.StatusNotFound {
		t.Errorf("someone else's seat: got %d, want 404", rec.Code)
	}
}

// TestHolePreRegisteredAccountGetsNoGuestPurchases (hole 2): an account
// created first for someone else's address neither sees that person's
// later guest purchase nor can be confirmed by the owner opening the link;
// the owner claims the address with a reset, which ends the squatter's login.
func TestHolePreRegisteredAccountGetsNoGuestPurchases(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true })
	const owner = "maria@broker.example" // the buyer address of ht.APIOrderBody
	squatter := signup(t, ta, owner)
	o := ta.PlaceAPIOrder(t, s.ID, 1, "invoice")
	if got := ta.Do(t, ht.Request{Path: "/account/registrations", Cookies: []*http.Cookie{squatter}}).Body.String(); strings.Contains(got, o.Ref) || strings.Contains(got, o.Number()) {
		t.Fatal("an account created first for the buyer's address sees the guest purchase")
	}
	// The real owner opens the squatter's confirmation link without being
	// logged in to that account: nothing is confirmed.
	token := ta.LinkIn(t, "email_verification", owner, verifyLink)
	if rec := ta.Do(t, ht.Request{Path: "/account/verify?token=" + token}); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Log in") {
		t.Errorf("verify link while logged out: got %d, want the login form", rec.Code)
	}
	other := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: "/account/verify", As: other, Form: url.Values{"token": {token}}}); rec.Code != http.StatusGone {
		t.Errorf("someone else's verification token: got %d, want 410", rec.Code)
	}
	u, err := models.FindUserByEmail(context.Background(), ta.DB, owner)
	if err != nil {
		t.Fatal(err)
	}
	if u.Verified() {
		t.Fatal("the squatter's account became verified without its own login")
	}
	// The owner claims the address through a reset link.
	ta.Do(t, ht.Request{Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {owner}}})
	reset := ta.LinkIn(t, "password_reset", owner, regexp.MustCompile(`/password/reset\?token=([A-Za-z0-9_-]+)`))
	const pw = "the owner's own passphrase"
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: "/password/reset", Form: url.Values{"token": {reset}, "password": {pw}, "password_confirm": {pw}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d", rec.Code)
	}
	if rec := ta.Do(t, ht.Request{Path: "/account/registrations", Cookies: []*http.Cookie{squatter}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("squatter still logged in after the owner's reset: %d", rec.Code)
	}
	u, err = models.FindUserByEmail(context.Background(), ta.DB, owner)
	if err != nil || !u.Verified() {
		t.Fatalf("reset did not prove the address: %v", err)
	}
	if got := ta.Do(t, ht.Request{Path: "/account/registrations", As: u}).Body.String(); !strings.Contains(got, o.Number()) {
		t.Error("the owner does not see the purchase after proving the address")
	}
}

// TestHoleRoleChangeEndsSessions (hole 3): promoting or demoting an account
// ends its logins, so an old cookie never carries the new rights.
func TestHoleRoleChangeEndsSessions(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	u := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	ck := ta.Login(t, u)
	hash, err := ht.Passwords.Hash("a new admin passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.EnsureAdmin(context.Background(), ta.DB, u.Email, "", hash); err != nil {
		t.Fatal(err)
	}
	if rec := ta.Do(t, ht.Request{Path: "/admin", Cookies: []*http.Cookie{ck}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("old login after promotion (admin create): got %d, want 401", rec.Code)
	}
	ck = ta.Login(t, u)
	if err := models.SetUserRole(context.Background(), ta.DB, u.ID, models.RoleLearner); err != nil {
		t.Fatal(err)
	}
	if rec := ta.Do(t, ht.Request{Path: "/account", Cookies: []*http.Cookie{ck}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("old login after a role change: got %d, want 401", rec.Code)
	}
	if err := models.SetUserRole(context.Background(), ta.DB, u.ID, "owner"); err == nil {
		t.Error("unknown role accepted")
	}
}

// TestHoleNoSecretsInLogsOrStaffViews (hole 4): request logs carry the
// route, not tokens; mail bodies are never logged; staff see reset links
// redacted, and bodies are purged of them once sent.
func TestHoleNoSecretsInLogsOrStaffViews(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	u := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	ta.Do(t, ht.Request{Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {u.Email}}})
	token := ta.LinkIn(t, "password_reset", u.Email, regexp.MustCompile(`/password/reset\?token=([A-Za-z0-9_-]+)`))
	ta.Do(t, ht.Request{Path: "/password/reset?token=" + token})
	ta.Do(t, ht.Request{Path: "/waitlist/claim?token=claim-token-1234567890"})
	ta.Do(t, ht.Request{Path: "/orders/AAAAAAAAAAAAAAAAAAAAAAAA"})
	logs := ta.Log.String()
	for _, secret := range []string{token, "claim-token-1234567890", "AAAAAAAAAAAAAAAAAAAAAAAA"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains the secret %q", secret)
		}
	}
	if !strings.Contains(logs, "/password/reset") {
		t.Error("request log does not name the route")
	}
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	ms := ta.Mailbox(t, "password_reset")
	if len(ms) != 1 {
		t.Fatalf("got %d reset emails, want 1", len(ms))
	}
	for _, path := range []string{"/admin/emails", fmt.Sprintf("/admin/emails/%d", ms[0].ID)} {
		if body := ta.Do(t, ht.Request{Path: path, As: admin}).Body.String(); strings.Contains(body, token) {
			t.Errorf("%s shows staff a live reset link", path)
		}
	}
	if err := models.MarkEmailSent(context.Background(), ta.DB, ms[0].ID, ta.Now()); err != nil {
		t.Fatal(err)
	}
	if m := ta.Mailbox(t, "password_reset")[0]; strings.Contains(m.TextBody+m.HTMLBody, token) {
		t.Error("sent message still stores the reset link")
	}
}

// TestHoleStrangerCannotLockOwnerOut (hole 6): failures from other IPs
// throttle those IPs, not the owner at home; a reset clears the lock.
func TestHoleStrangerCannotLockOwnerOut(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	owner := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	login := func(remote, pw string) int {
		return ta.Do(t, ht.Request{Method: "POST", Path: "/login", Remote: remote, Form: url.Values{"email": {owner.Email}, "password": {pw}}}).Code
	}
	for ip := 1; ip <= 4; ip++ {
		for i := 0; i < 6; i++ {
			login(fmt.Sprintf("198.51.100.%d:4000", ip), "a wrong guess 12345")
		}
	}
	if c := login("198.51.100.1:4000", ht.GoodPassword); c != http.StatusTooManyRequests {
		t.Errorf("the guessing IP is not throttled: got %d, want 429", c)
	}
	if c := login("203.0.113.7:5000", ht.GoodPassword); c != http.StatusSeeOther {
		t.Fatalf("the owner from their own IP was locked out by a stranger: got %d, want 303", c)
	}
	// Backoff: the guessing IP is free again after the lock, then locked
	// longer after its next failure.
	ta.SetNow(ht.Now.Add(16 * time.Minute))
	if c := login("198.51.100.1:4000", "a wrong guess 12345"); c != http.StatusUnauthorized {
		t.Errorf("after the window: got %d, want 401", c)
	}
}

// TestThrottleCeilingClearedByReset: the higher per-account ceiling locks
// the account everywhere, and the owner's reset lifts it.
func TestThrottleCeilingClearedByReset(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, func(d *handlers.Deps) { d.LoginLimits.PerAccount = 8 })
	owner := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	for i := 0; i < 8; i++ {
		ta.Do(t, ht.Request{Method: "POST", Path: "/login", Remote: fmt.Sprintf("198.51.100.%d:1", i+1), Form: url.Values{"email": {owner.Email}, "password": {"a wrong guess 12345"}}})
	}
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Remote: "203.0.113.7:5000", Form: url.Values{"email": {owner.Email}, "password": {ht.GoodPassword}}}).Code; c != http.StatusTooManyRequests {
		t.Fatalf("ceiling: got %d, want 429", c)
	}
	ta.Do(t, ht.Request{Method: "POST", Path: "/password/forgot", Form: url.Values{"email": {owner.Email}}})
	reset := ta.LinkIn(t, "password_reset", owner.Email, regexp.MustCompile(`/password/reset\?token=([A-Za-z0-9_-]+)`))
	const pw = "the owner's new passphrase"
	ta.Do(t, ht.Request{Method: "POST", Path: "/password/reset", Form: url.Values{"token": {reset}, "password": {pw}, "password_confirm": {pw}}})
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/login", Remote: "203.0.113.7:5000", Form: url.Values{"email": {owner.Email}, "password": {pw}}}).Code; c != http.StatusSeeOther {
		t.Errorf("after reset: got %d, want 303", c)
	}
}

// TestHoleAnonymousInvoiceHoldsBriefly (hole 5): an invoice order from an
// unproven buyer holds its seats only for the card-hold length and sends no
// invoice until the buyer confirms; open unpaid seats are capped per
// address and per client IP.
func TestHoleAnonymousInvoiceHoldsBriefly(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true; s.Capacity = 200 })
	path := fmt.Sprintf("/api/v1/sessions/%d/orders", s.ID)
	rec := ta.PostJSON(t, path, ht.APIOrderBody(2, "invoice"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("order: %d %s", rec.Code, rec.Body.String())
	}
	out := ht.DecodeJSON[struct {
		Status        string `json:"status"`
		HoldExpiresAt string `json:"hold_expires_at"`
	}](t, rec)
	if out.Status != "awaiting_confirmation" {
		t.Errorf("status: got %q, want awaiting_confirmation", out.Status)
	}
	if want := ht.Now.Add(35 * time.Minute).Format(time.RFC3339); out.HoldExpiresAt != want {
		t.Errorf("hold: got %s, want %s (the card-hold length)", out.HoldExpiresAt, want)
	}
	if n := ta.CountEmails(t, "invoice:"); n != 0 {
		t.Errorf("invoice emails before confirmation: got %d, want 0", n)
	}
	// Per address: 2 seats held; 18 more fit, then nothing.
	if rec := ta.PostJSON(t, path, ht.APIOrderBody(18, "invoice")); rec.Code != http.StatusCreated {
		t.Fatalf("up to the cap: %d %s", rec.Code, rec.Body.String())
	}
	if rec := ta.PostJSON(t, path, ht.APIOrderBody(1, "invoice")); rec.Code != http.StatusTooManyRequests {
		t.Errorf("over the per-address cap: got %d, want 429", rec.Code)
	}
	// Per client IP, with a new address each time.
	codes := []int{}
	for i := 0; i < 3; i++ {
		body := strings.Replace(ht.APIOrderBody(10, "invoice"), "maria@broker.example", fmt.Sprintf("buyer%d@other.example", i), 1)
		codes = append(codes, ta.PostJSON(t, path, body).Code)
	}
	if codes[0] != http.StatusCreated || codes[1] != http.StatusCreated || codes[2] != http.StatusTooManyRequests {
		t.Errorf("per-IP cap (20 seats held, 40 allowed): got %v, want [201 201 429]", codes)
	}
}

// TestHoleSmallItems (hole 7): instructors see private details only for
// their own sessions; private pages are not cached; leaving Checkout by GET
// changes nothing; every roster column is formula-guarded; a webhook in
// another API version is a clear error and an admin notice.
func TestHoleSmallItems(t *testing.T) {
	t.Parallel()
	fake := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithFakeStripe(fake))
	teacher := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	stranger := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true; s.InstructorID = &teacher.ID })
	page := fmt.Sprintf("/sessions/%d", s.ID)
	if strings.Contains(ta.Do(t, ht.Request{Path: page, As: stranger}).Body.String(), "secret-room") {
		t.Error("an instructor of another session sees the join link")
	}
	if !strings.Contains(ta.Do(t, ht.Request{Path: page, As: teacher}).Body.String(), "secret-room") {
		t.Error("the session's own instructor does not see the join link")
	}

	held := ta.CardOrder(t, s.ID, 1)
	if rec := ta.Do(t, ht.Request{Path: "/orders/" + held.Ref + "/checkout-cancelled"}); rec.Code != http.StatusSeeOther {
		t.Fatalf("GET checkout-cancelled: %d", rec.Code)
	}
	if got := ta.Order(t, held.ID).Status; got != models.OrderHeld {
		t.Errorf("GET checkout-cancelled changed the order to %s", got)
	}
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: "/orders/" + held.Ref + "/checkout-cancelled", Form: url.Values{}}); rec.Code != http.StatusSeeOther || ta.Order(t, held.ID).Status != models.OrderCancelled {
		t.Errorf("POST checkout-cancelled: got %d, status %s", rec.Code, ta.Order(t, held.ID).Status)
	}

	learner := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	for _, tc := range []struct {
		path string
		as   *models.User
	}{{"/orders/" + held.Ref, nil}, {"/account", learner}, {"/account/registrations", learner}, {"/password/reset?token=x", nil}} {
		rec := ta.Do(t, ht.Request{Path: tc.path, As: tc.as})
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s Cache-Control: got %q, want no-store", tc.path, got)
		}
	}

	body := strings.Replace(ht.APIOrderBody(1, "invoice"), `"email":"att1-`, `"email":"=2+3-`, 1)
	placed := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", s.ID), body)
	if placed.Code != http.StatusCreated {
		t.Fatalf("order with a formula-like address: %d %s", placed.Code, placed.Body.String())
	}
	o, err := models.FindOrderByRef(context.Background(), ta.DB, ht.DecodeJSON[struct{ ID string }](t, placed).ID)
	if err != nil {
		t.Fatal(err)
	}
	ta.ConfirmOrderByEmail(t, o)
	csv := ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/sessions/%d/roster.csv", s.ID), As: teacher}).Body.String()
	if !strings.Contains(csv, "'=2+3-") || strings.Contains(csv, ",=2+3-") {
		t.Errorf("roster email column not formula-guarded:\n%s", csv)
	}

	ev := []byte(`{"id":"evt_old","object":"event","type":"checkout.session.completed","api_version":"2020-08-27","data":{"object":{}}}`)
	rec := ta.PostWebhook(t, ev, time.Now())
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "api_version_mismatch") {
		t.Errorf("old-version webhook: got %d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(ta.Log.String(), "stripe webhook API version mismatch") {
		t.Error("no clear log error for the API version mismatch")
	}
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	if dash := ta.Do(t, ht.Request{Path: "/admin", As: admin}).Body.String(); !strings.Contains(dash, "set the endpoint&#39;s API version to "+stripe.APIVersion) {
		t.Error("the admin dashboard does not show the webhook API version notice")
	}
}
