package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/internal/testsvc"
)

const (
	webhookSecret = "whsec_faults_test_secret"
	stripeKey     = "sk_test_faults"
)

// binary is the hsworkshop executable built once by TestMain; only read
// by the tests.
var binary string

func TestMain(m *testing.M) {
	// The binary is built without -race: the suites test the product, and
	// a race build would make every load figure meaningless.
	code := testsvc.RunWithApp(m, "faults", &binary)
	stopStripeMock()
	os.Exit(code)
}

// stripeMock is one stripe-mock shared by the package's tests, started on
// first use: starting it parses Stripe's whole OpenAPI spec, which takes
// seconds of CPU, and two starting at once on a busy two-core machine can
// miss testsvc's 20 s start-up limit. It is stateless enough to share.
var stripeMock struct {
	once sync.Once
	stop func()
	url  string
	err  error
}

// stripeMockURL starts the shared stripe-mock if needed and returns its URL.
func stripeMockURL(t *testing.T) string {
	t.Helper()
	stripeMock.once.Do(func() {
		stripeMock.url, stripeMock.stop, stripeMock.err = testsvc.StartStripeMock(t, 90*time.Second)
	})
	if stripeMock.err != nil {
		t.Fatal(stripeMock.err)
	}
	if stripeMock.url == "" { // the first caller failed inside once.Do
		t.Fatal("stripe-mock is not available (see the first test that needed it)")
	}
	return stripeMock.url
}

func stopStripeMock() {
	if stripeMock.stop != nil {
		stripeMock.stop()
	}
}

// sqliteOnly skips a suite about SQLite itself (its file, kill -9, backup)
// in the PostgreSQL pass of the test command; the SQLite pass runs it.
func sqliteOnly(t *testing.T) {
	t.Helper()
	if testdb.Postgres() {
		t.Skip("a SQLite suite: it runs in the pass without TEST_DATABASE_URL")
	}
}

// heavy reports whether the longer variants should run.
func heavy() bool { return os.Getenv("FAULTS_HEAVY") == "1" }

// server is one running `hsworkshop serve` process.
type server = testsvc.Server

// runCLI runs one hsworkshop command to completion and returns its output.
func runCLI(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(testsvc.BaseEnv(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// startServer runs `hsworkshop serve` on a free port with env added to the
// base environment, and waits for /healthz. The process is stopped when
// the test ends (unless it was killed before); its exit status is not
// checked, as some suites cut its database first.
func startServer(t *testing.T, name string, env ...string) *server {
	t.Helper()
	env = append([]string{"RATE_LIMIT=0", "INVOICE_SEATS_PER_IP=1000000", "LOG_FORMAT=text"}, env...)
	return testsvc.Serve(t, binary, testsvc.ServeOptions{Name: name, Env: env})
}

// apiSession is the part of GET /api/v1/sessions the suites read.
type apiSession struct {
	ID        uint `json:"id"`
	Capacity  int  `json:"capacity"`
	SeatsLeft int  `json:"seats_left"`
	Workshop  struct {
		Slug string `json:"slug"`
	} `json:"workshop"`
}

// client is the HTTP client of the load generators: bounded, so a hung
// server fails the test instead of stalling it.
var client = &http.Client{Timeout: 45 * time.Second}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode == http.StatusOK && v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: decode: %v\n%s", url, err, body)
		}
	}
	return resp.StatusCode
}

func listSessions(t *testing.T, base string) []apiSession {
	t.Helper()
	var ss []apiSession
	if code := getJSON(t, base+"/api/v1/sessions", &ss); code != http.StatusOK {
		t.Fatalf("GET /api/v1/sessions: got %d, want 200", code)
	}
	if len(ss) == 0 {
		t.Fatal("GET /api/v1/sessions: no sessions (is the demo catalog seeded?)")
	}
	return ss
}

func seatsLeft(t *testing.T, base string, id uint) int {
	t.Helper()
	var s apiSession
	if code := getJSON(t, fmt.Sprintf("%s/api/v1/sessions/%d", base, id), &s); code != http.StatusOK {
		t.Fatalf("GET /api/v1/sessions/%d: got %d, want 200", id, code)
	}
	return s.SeatsLeft
}

// formClient is an HTTP client as a browser submitting forms is: its own
// cookie jar (for the CSRF and session cookies), no redirects followed.
func formClient(t *testing.T, timeout time.Duration) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfToken GETs the form page with c, which keeps the CSRF cookie, and
// returns the form's token.
func csrfToken(t *testing.T, c *http.Client, page string) string {
	t.Helper()
	resp, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	m := csrfField.FindSubmatch(readBody(t, resp))
	if m == nil {
		t.Fatalf("GET %s: no _csrf field (status %d)", page, resp.StatusCode)
	}
	return string(m[1])
}

// readBody reads and closes resp's body.
func readBody(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// orderReply is the answer to POST /api/v1/sessions/{id}/orders.
type orderReply struct {
	Status      int    // HTTP status
	Err         error  // transport error
	Body        []byte // raw body
	ID          string `json:"id"`
	Number      string `json:"number"`
	OrderStatus string `json:"status"`
	CheckoutURL string `json:"checkout_url"`
	Error       string `json:"error"`
	Message     string `json:"message"`
	Elapsed     time.Duration
}

// placeOrder posts one single-seat order with a unique buyer address.
func placeOrder(base string, sessionID uint, method, tag string) orderReply {
	body := fmt.Sprintf(`{"buyer":{"name":"Fault %[1]s","email":"buyer-%[1]s@faults.example.com","company":"Faults Inc"},`+
		`"attendees":[{"name":"Fault %[1]s","email":"buyer-%[1]s@faults.example.com"}],"payment_method":%[2]q}`, tag, method)
	start := time.Now()
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/sessions/%d/orders", base, sessionID), strings.NewReader(body))
	if err != nil {
		return orderReply{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return orderReply{Err: err, Elapsed: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	r := orderReply{Status: resp.StatusCode, Err: err, Body: raw, Elapsed: time.Since(start)}
	if err == nil {
		_ = json.Unmarshal(raw, &r) // a non-JSON body keeps the raw bytes for the message
	}
	return r
}

// orderDBID turns "HSW-000123" into 123.
func orderDBID(number string) (uint, error) {
	var id uint
	if _, err := fmt.Sscanf(number, "HSW-%d", &id); err != nil {
		return 0, fmt.Errorf("order number %q: %w", number, err)
	}
	return id, nil
}

// sendCheckoutCompleted posts a signed checkout.session.completed event
// for an order's Checkout Session and returns the HTTP status.
func sendCheckoutCompleted(base, eventID, checkoutID string, orderID uint) (int, error) {
	ev := map[string]any{
		"id": eventID, "object": "event", "api_version": stripe.APIVersion, "type": "checkout.session.completed",
		"created": time.Now().Unix(),
		"data": map[string]any{"object": map[string]any{
			"id": checkoutID, "object": "checkout.session", "client_reference_id": fmt.Sprint(orderID),
			"payment_status": "paid", "status": "complete", "payment_intent": "pi_" + eventID,
		}},
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return 0, err
	}
	now := time.Now()
	sig := fmt.Sprintf("t=%d,v1=%x", now.Unix(), webhook.ComputeSignature(now, body, webhookSecret))
	req, err := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", sig)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// openDB opens the database behind a DATABASE_URL value directly (not
// through the app's packages), for the suites' own checks.
func openDB(t *testing.T, dsn string) *gorm.DB {
	t.Helper()
	cfg := &gorm.Config{Logger: logger.Discard}
	var (
		db  *gorm.DB
		err error
	)
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err = gorm.Open(sqlite.Open("file:"+path+"?_busy_timeout=10000"), cfg)
	} else {
		db, err = gorm.Open(postgres.Open(dsn), cfg)
	}
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

// checkSeatInvariant asserts, for every session, that seats_taken equals
// the seats of the orders that hold seats (held, pending invoice, paid)
// and never exceeds capacity.
func checkSeatInvariant(t *testing.T, db *gorm.DB) {
	t.Helper()
	type row struct {
		ID         uint
		Capacity   int
		SeatsTaken int
		Booked     int
	}
	var rows []row
	err := db.Raw(`SELECT s.id, s.capacity, s.seats_taken,
		COALESCE((SELECT SUM(o.seats) FROM orders o WHERE o.session_id = s.id
			AND o.status IN ('held','pending_invoice','paid')), 0) AS booked
		FROM sessions s ORDER BY s.id`).Scan(&rows).Error
	if err != nil {
		t.Fatalf("seat invariant query: %v", err)
	}
	if len(rows) == 0 {
		t.Fatal("seat invariant: no sessions")
	}
	for _, r := range rows {
		if r.SeatsTaken != r.Booked {
			t.Errorf("session %d: seats_taken got %d, want %d (seats of held, invoiced and paid orders)", r.ID, r.SeatsTaken, r.Booked)
		}
		if r.SeatsTaken > r.Capacity {
			t.Errorf("session %d: oversold: %d seats taken of %d", r.ID, r.SeatsTaken, r.Capacity)
		}
	}
}

// prepareSession picks the first published session the API lists and
// gives it capacity seats free, by raising its capacity in the database
// before the server starts (the demo catalog's capacities are small).
func prepareSession(t *testing.T, db *gorm.DB, free int) uint {
	t.Helper()
	var id uint
	err := db.Raw(`SELECT id FROM sessions WHERE status = 'published' AND starts_at > ? AND registration_closes_at > ?
		ORDER BY starts_at LIMIT 1`, time.Now().UTC().Add(72*time.Hour), time.Now().UTC().Add(time.Hour)).Row().Scan(&id)
	if err != nil {
		t.Fatalf("find an open session: %v", err)
	}
	if err := db.Exec("UPDATE sessions SET capacity = seats_taken + ?, allow_invoice = ? WHERE id = ?", free, true, id).Error; err != nil {
		t.Fatalf("set capacity: %v", err)
	}
	return id
}

// smtpSink is a minimal SMTP server that accepts every message and counts
// them by Message-ID, so a double send shows as a count above one.
type smtpSink struct {
	ln    net.Listener
	mu    sync.Mutex
	byID  map[string]int
	total int
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, byID: map[string]int{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return s
}

// URL is the SMTP_URL for the app.
func (s *smtpSink) URL() string { return "smtp://" + s.ln.Addr().String() }

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	tp := textproto.NewConn(c)
	reply := func(code int, msg string) bool { return tp.PrintfLine("%d %s", code, msg) == nil }
	if !reply(220, "faults sink") {
		return
	}
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			if err := tp.PrintfLine("250-faults sink\r\n250 8BITMIME"); err != nil {
				return
			}
		case "DATA":
			if !reply(354, "go ahead") {
				return
			}
			r := bufio.NewReader(tp.DotReader())
			hdr, err := textproto.NewReader(r).ReadMIMEHeader()
			if err != nil && !errors.Is(err, io.EOF) {
				return
			}
			_, _ = io.Copy(io.Discard, r)
			s.mu.Lock()
			s.byID[hdr.Get("Message-Id")]++
			s.total++
			s.mu.Unlock()
			if !reply(250, "queued") {
				return
			}
		case "QUIT":
			reply(221, "bye")
			return
		default: // MAIL, RCPT, RSET, NOOP
			if !reply(250, "ok") {
				return
			}
		}
	}
}

// counts returns the total messages and the Message-IDs seen more than once.
func (s *smtpSink) counts() (int, map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dup := map[string]int{}
	for id, n := range s.byID {
		if n > 1 {
			dup[id] = n
		}
	}
	return s.total, dup
}

// tcpProxy forwards TCP connections to a target and can cut them all and
// refuse new ones (a database or network outage) and be restored.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.accept()
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	return p
}

// Addr is host:port of the proxy.
func (p *tcpProxy) Addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns[c] = struct{}{}
		}
		p.mu.Unlock()
		if down {
			_ = c.Close() // refused, as by a stopped server
			continue
		}
		go p.pipe(c)
	}
}

func (p *tcpProxy) pipe(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[up] = struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
	_ = c.Close()
	_ = up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// cut closes every open connection and refuses new ones.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		_ = c.Close()
	}
}

// restore accepts connections again.
func (p *tcpProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}
