package faults

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
)

// requestTimeout is the server's per-request deadline (handlers'
// RequestTimeout default); a registration must answer within it.
const requestTimeout = 30 * time.Second

// stripeProxy sits between the app and stripe-mock. It can delay
// requests, fail them, or forward a request and then drop the connection
// (the answer is lost: the ambiguous case). Like the real Stripe, and
// unlike stripe-mock, it replays the stored answer of a POST whose
// Idempotency-Key it has seen, so a retry cannot create a second object.
type stripeProxy struct {
	upstream string
	srv      *httptest.Server
	quit     chan struct{} // closed at cleanup: ends every pending delay

	mu          sync.Mutex
	delay       time.Duration
	down        bool // answer 503 to everything
	dropCreates int  // forward the next N checkout creates, then drop the connection
	replies     map[string]storedReply
	creates     map[string]int // Idempotency-Key → checkout sessions created upstream
	attempts    map[string]int // Idempotency-Key → checkout create requests received
}

type storedReply struct {
	status int
	body   []byte
}

func newStripeProxy(t *testing.T, upstream string) *stripeProxy {
	t.Helper()
	p := &stripeProxy{upstream: upstream, quit: make(chan struct{}), replies: map[string]storedReply{}, creates: map[string]int{}, attempts: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(func() { close(p.quit); p.srv.Close() })
	return p
}

func (p *stripeProxy) set(f func(p *stripeProxy)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func (p *stripeProxy) serve(w http.ResponseWriter, r *http.Request) {
	// Read the body first: only then does net/http notice a client that
	// hangs up, which cancels r.Context() and ends the delay below.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	delay, down := p.delay, p.down
	key := r.Header.Get("Idempotency-Key")
	stored, replay := p.replies[key]
	create := r.Method == http.MethodPost && r.URL.Path == "/v1/checkout/sessions"
	drop := create && !replay && p.dropCreates > 0
	if drop {
		p.dropCreates--
	}
	if create {
		p.attempts[key]++
	}
	p.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return // the client gave up; nothing reaches Stripe
		case <-p.quit:
			return
		}
	}
	if down {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"error":{"type":"api_error","message":"injected outage"}}`)
		return
	}
	if r.Method == http.MethodPost && key != "" && replay {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(stored.status)
		_, _ = w.Write(stored.body)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	if r.Method == http.MethodPost && key != "" && resp.StatusCode < 500 {
		p.replies[key] = storedReply{resp.StatusCode, out}
	}
	if create && resp.StatusCode == http.StatusOK {
		p.creates[key]++
	}
	p.mu.Unlock()
	if drop {
		// The session exists at Stripe, but the app never hears of it.
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

// createsFor returns how many checkout sessions were created upstream for
// an order (its idempotency key is "registration-<order id>").
func (p *stripeProxy) createsFor(orderID uint) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.creates[fmt.Sprintf("registration-%d", orderID)]
}

// attemptsFor returns how many checkout creates the app sent for an order.
func (p *stripeProxy) attemptsFor(orderID uint) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.attempts[fmt.Sprintf("registration-%d", orderID)]
}

// stripeFixture is a server whose Stripe API goes through a stripeProxy.
type stripeFixture struct {
	srv   *server
	proxy *stripeProxy
	db    *gorm.DB
	sid   uint
}

func newStripeFixture(t *testing.T) stripeFixture {
	t.Helper()
	dsn := testdb.DSN(t) // SQLite, or PostgreSQL in the PostgreSQL pass
	proxy := newStripeProxy(t, stripeMockURL(t))
	if out, err := runCLI(t, []string{"DATABASE_URL=" + dsn}, "seed"); err != nil {
		t.Fatalf("hsworkshop seed: %v\n%s", err, out)
	}
	db := openDB(t, dsn)
	sid := prepareSession(t, db, 50)
	srv := startServer(t, "server", "DATABASE_URL="+dsn, "STRIPE_SECRET_KEY="+stripeKey,
		"STRIPE_WEBHOOK_SECRET="+webhookSecret, "STRIPE_API_BASE="+proxy.srv.URL)
	return stripeFixture{srv: srv, proxy: proxy, db: db, sid: sid}
}

// ordersOf lists the statuses of a buyer's orders, by tag.
func (f stripeFixture) ordersOf(t *testing.T, tag string) map[uint]string {
	t.Helper()
	type row struct {
		ID     uint
		Status string
	}
	var rows []row
	if err := f.db.Raw("SELECT id, status FROM orders WHERE buyer_email = ? ORDER BY id",
		"buyer-"+tag+"@faults.example.com").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[uint]string{}
	for _, r := range rows {
		out[r.ID] = r.Status
	}
	return out
}

// TestStripeSlowOrFailing drives card registrations through a proxy in
// front of stripe-mock that is slow, down, or loses an answer.
func TestStripeSlowOrFailing(t *testing.T) {
	f := newStripeFixture(t)
	base := seatsLeft(t, f.srv.URL, f.sid)

	t.Run("slow but within the timeout", func(t *testing.T) {
		f.proxy.set(func(p *stripeProxy) { p.delay, p.down = 2*time.Second, false })
		defer f.proxy.set(func(p *stripeProxy) { p.delay = 0 })
		r := placeOrder(f.srv.URL, f.sid, "card", "slow")
		if r.Status != http.StatusCreated || r.CheckoutURL == "" {
			t.Fatalf("card order with a slow Stripe: got %d %s, want 201 with a checkout_url", r.Status, r.Body)
		}
		base--
		if got := seatsLeft(t, f.srv.URL, f.sid); got != base {
			t.Errorf("seats_left: got %d, want %d", got, base)
		}
	})

	t.Run("down, then the buyer retries", func(t *testing.T) {
		f.proxy.set(func(p *stripeProxy) { p.down = true })
		r := placeOrder(f.srv.URL, f.sid, "card", "down")
		if r.Status != http.StatusServiceUnavailable || r.Error != "payment_unavailable" || r.Elapsed > requestTimeout {
			t.Errorf("card order with Stripe down: got %d %q after %v, want 503 payment_unavailable within %v; body %s",
				r.Status, r.Error, r.Elapsed.Round(time.Millisecond), requestTimeout, r.Body)
		}
		if got := seatsLeft(t, f.srv.URL, f.sid); got != base {
			t.Errorf("seats_left after the failed order: got %d, want %d (no seat leaked)", got, base)
		}
		page := postRegisterForm(t, f.srv.URL, f.sid, "down-form")
		if page.status != http.StatusServiceUnavailable || !strings.Contains(strings.ToLower(page.body), "try again") {
			t.Errorf("registration form with Stripe down: got %d, want 503 and a page that says to try again; body %.300s", page.status, page.body)
		}
		if got := seatsLeft(t, f.srv.URL, f.sid); got != base {
			t.Errorf("seats_left after the failed form: got %d, want %d (no seat leaked)", got, base)
		}

		f.proxy.set(func(p *stripeProxy) { p.down = false })
		r = placeOrder(f.srv.URL, f.sid, "card", "down")
		if r.Status != http.StatusCreated {
			t.Fatalf("retry once Stripe is back: got %d %s, want 201", r.Status, r.Body)
		}
		base--
		live := 0
		for id, st := range f.ordersOf(t, "down") {
			switch st {
			case "held":
				live++
				if n := f.proxy.createsFor(id); n != 1 {
					t.Errorf("order %d: got %d checkout sessions at Stripe, want 1", id, n)
				}
			case "cancelled", "expired":
				if n := f.proxy.createsFor(id); n != 0 {
					t.Errorf("failed order %d: got %d checkout sessions at Stripe, want 0 (it could be paid)", id, n)
				}
			default:
				t.Errorf("order %d of the retried registration: got status %s", id, st)
			}
		}
		if live != 1 {
			t.Errorf("live orders after a failure and a retry: got %d, want 1", live)
		}
		if got := seatsLeft(t, f.srv.URL, f.sid); got != base {
			t.Errorf("seats_left after the retry: got %d, want %d", got, base)
		}
	})

	t.Run("answer lost, client library retries", func(t *testing.T) {
		f.proxy.set(func(p *stripeProxy) { p.dropCreates = 1 })
		r := placeOrder(f.srv.URL, f.sid, "card", "lost")
		if r.Status != http.StatusCreated {
			t.Fatalf("card order whose first Stripe answer was lost: got %d %s, want 201", r.Status, r.Body)
		}
		base--
		orders := f.ordersOf(t, "lost")
		if len(orders) != 1 {
			t.Fatalf("orders: got %v, want one", orders)
		}
		for id := range orders {
			if n := f.proxy.attemptsFor(id); n < 2 {
				t.Errorf("order %d: got %d checkout requests, want a retry after the lost answer", id, n)
			}
			if n := f.proxy.createsFor(id); n != 1 {
				t.Errorf("order %d: got %d checkout sessions at Stripe, want 1 (the retry must reuse the idempotency key)", id, n)
			}
		}
		if got := seatsLeft(t, f.srv.URL, f.sid); got != base {
			t.Errorf("seats_left: got %d, want %d", got, base)
		}
	})
	checkSeatInvariant(t, f.db)
}

// stripeTimeoutFixed records whether a Stripe slower than the request
// timeout is handled. It is since issue 14's fix: openCheckout has its own
// 15 s deadline and the hold is released with context.WithoutCancel. Before
// it the answer was the timeout middleware's bare 503 after 30 s and the
// seat stayed held until the hold lapsed; with false the test would accept
// that and skip with the defect.
const stripeTimeoutFixed = true

// TestStripeTimeout makes Stripe slower than the server's request timeout:
// the registration must answer within the timeout with a retry message,
// and the seat it held must be released at once, not kept until the hold
// lapses (35 minutes).
func TestStripeTimeout(t *testing.T) {
	t.Parallel() // it mostly waits; let it overlap the other parallel suite
	f := newStripeFixture(t)
	before := seatsLeft(t, f.srv.URL, f.sid)
	f.proxy.set(func(p *stripeProxy) { p.delay = time.Hour })
	r := placeOrder(f.srv.URL, f.sid, "card", "timeout")
	f.proxy.set(func(p *stripeProxy) { p.delay = 0 })
	if r.Err != nil || r.Status != http.StatusServiceUnavailable || r.Elapsed > requestTimeout+3*time.Second {
		t.Errorf("card order with Stripe hanging: got %d (err %v) after %v, want 503 within about %v; body %s",
			r.Status, r.Err, r.Elapsed.Round(time.Millisecond), requestTimeout, r.Body)
	}
	left := seatsLeft(t, f.srv.URL, f.sid)
	if !stripeTimeoutFixed && r.Status == http.StatusServiceUnavailable && r.Error == "unavailable" && left == before-1 {
		t.Skipf("KNOWN DEFECT (issue 14, fault suite 5): with Stripe hanging, POST /api/v1/sessions/%d/orders answered after %v "+
			"with the bare timeout 503 %s, and the held seat leaked (seats_left %d, want %d; orders %v) until the hold lapses. "+
			"Fix: give openCheckout its own deadline well inside the request timeout and release the hold with "+
			"context.WithoutCancel; then set stripeTimeoutFixed = true.",
			f.sid, r.Elapsed.Round(time.Millisecond), bytes.TrimSpace(r.Body), left, before, f.ordersOf(t, "timeout"))
	}
	if r.Error != "payment_unavailable" {
		t.Errorf("card order with Stripe hanging: got error %q message %q, want payment_unavailable", r.Error, r.Message)
	}
	if left != before {
		t.Errorf("seats_left after the timed-out order: got %d, want %d (the held seat leaked); orders: %v",
			left, before, f.ordersOf(t, "timeout"))
	}
	checkSeatInvariant(t, f.db)
}

type formReply struct {
	status int
	body   string
}

// postRegisterForm submits the HTML registration form for one seat by card.
func postRegisterForm(t *testing.T, base string, sid uint, tag string) formReply {
	t.Helper()
	c := formClient(t, 45*time.Second)
	page := fmt.Sprintf("%s/sessions/%d/register", base, sid)
	token := csrfToken(t, c, page)
	email := "buyer-" + tag + "@faults.example.com"
	form := url.Values{"_csrf": {token}, "seats": {"1"}, "buyer_name": {"Fault " + tag}, "buyer_email": {email},
		"buyer_company": {"Faults Inc"}, "payment_method": {"card"}, "terms": {"yes"},
		"attendee_name_1": {"Fault " + tag}, "attendee_email_1": {email}}
	resp, err := c.PostForm(page, form)
	if err != nil {
		t.Fatal(err)
	}
	return formReply{resp.StatusCode, string(readBody(t, resp))}
}
