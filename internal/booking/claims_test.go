package booking

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/invoice"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// pdfProbe wraps the invoice renderer: on each call it asks the database,
// over another connection than the write transaction's, whether the
// order's invoice is already committed, and it can fail the first calls.
type pdfProbe struct {
	db    *gorm.DB
	mu    sync.Mutex
	calls []bool // per call: was the issued invoice visible (committed)?
	fail  int    // fail this many calls (a process stopping after the commit)
}

func (p *pdfProbe) render(o models.Order, doc invoice.Document) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Outside any transaction: SQLite's read pool, PostgreSQL's other
	// connections; neither sees an uncommitted write.
	var committed int64
	err := p.db.WithContext(ctx).Model(&models.Order{}).
		Where("id = ? AND status = ? AND invoice_number = ?", o.ID, models.OrderPendingInvoice, *o.InvoiceNumber).Count(&committed).Error
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, err == nil && committed == 1)
	if p.fail > 0 {
		p.fail--
		return nil, errors.New("renderer stopped")
	}
	return invoice.Render(o, doc)
}

func (p *pdfProbe) Calls() []bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bool(nil), p.calls...)
}

// sentMail is an outbox Mailer that keeps what it sent.
type sentMail struct {
	mu   sync.Mutex
	sent []models.Email
}

func (m *sentMail) Send(_ context.Context, e models.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e)
	return nil
}

func (m *sentMail) Kind(kind string) []models.Email {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []models.Email
	for _, e := range m.sent {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// probedService is a booking service whose invoice renderer is probed and
// whose outbox delivers to a mailer kept in memory.
func probedService(t *testing.T, fail int) (*Service, *gorm.DB, *pdfProbe, *sentMail) {
	t.Helper()
	db, _ := testdb.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return testNow }
	mailer := &sentMail{}
	// The outbox runs on the real clock: EnqueueEmail makes a message due
	// at the real time of queueing, after the service's fixed testNow.
	out, err := outbox.New(db, mailer, log, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	probe := &pdfProbe{db: db, fail: fail}
	b, err := New(Deps{DB: db, Outbox: out, Logger: log, Now: now, Settings: Settings{BaseURL: "http://hsw.test"}, InvoicePDF: probe.render})
	if err != nil {
		t.Fatal(err)
	}
	return b, db, probe, mailer
}

// invoiceSession is a published session that takes invoices.
func invoiceSession(t testing.TB, db *gorm.DB) *models.Session {
	t.Helper()
	ctx := context.Background()
	w := &models.Workshop{Slug: "claims", Title: "Claims Workshop", Summary: "S", Level: "introductory", DurationMinutes: 420, DefaultPriceMinor: 10000, Currency: "USD"}
	if err := db.Create(w).Error; err != nil {
		t.Fatal(err)
	}
	start := testNow.AddDate(0, 0, 30)
	s := &models.Session{WorkshopID: w.ID, StartsAt: start, EndsAt: start.Add(7 * time.Hour), TimeZone: "UTC", Format: models.FormatVirtual,
		Capacity: 10, PriceMinor: 10000, Currency: "USD", Status: models.StatusPublished, RegistrationClosesAt: start.Add(-time.Hour), AllowInvoice: true}
	if err := models.CreateSession(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	s, err := models.FindSession(ctx, db, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// placeProvenInvoice places a one-seat invoice order for a logged-in buyer
// whose address is proven: the invoice is issued at once.
func placeProvenInvoice(t *testing.T, b *Service, db *gorm.DB, s *models.Session, name, email string) (Placed, error) {
	t.Helper()
	verified := testNow
	buyer := &models.User{Name: name, Email: email, EmailVerifiedAt: &verified}
	if err := models.CreateUser(context.Background(), db, buyer); err != nil {
		t.Fatal(err)
	}
	r := Registration{BuyerName: name, BuyerEmail: email, Method: models.PayByInvoice,
		Attendees: []models.AttendeeInput{{Name: name, Email: email}}}
	return b.PlaceOrder(context.Background(), s, r, models.PriceOrder(*s, 1, nil, testNow), buyer, nil)
}

// invoiceAttachment is the stored attachment of an invoice email.
func invoiceAttachment(t *testing.T, db *gorm.DB, number string) models.EmailAttachment {
	t.Helper()
	var m models.Email
	if err := db.Preload("Attachments").Where("dedupe_key = ?", "invoice:"+number).First(&m).Error; err != nil {
		t.Fatalf("invoice email %s: %v", number, err)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("invoice email %s: %d attachments, want 1", number, len(m.Attachments))
	}
	return m.Attachments[0]
}

var orderConfirmToken = regexp.MustCompile(`/orders/confirm\?token=([A-Za-z0-9_-]+)`)

// TestInvoicePDFRenderedAfterCommit: the invoice PDF takes milliseconds to
// render, so it is rendered once the invoice is committed, never inside the
// transaction that holds the writer; the queued email carries it when the
// call returns. Both ways an invoice is issued: at once for a buyer with a
// proven address, and when an unproven buyer follows the emailed link
// (nothing is rendered before that, issue 8).
func TestInvoicePDFRenderedAfterCommit(t *testing.T) {
	t.Parallel()
	b, db, probe, _ := probedService(t, 0)
	ctx := context.Background()
	s := invoiceSession(t, db)
	placed, err := placeProvenInvoice(t, b, db, s, "Bo", "bo@importer.example")
	if err != nil {
		t.Fatal(err)
	}
	if calls := probe.Calls(); len(calls) != 1 || !calls[0] {
		t.Fatalf("proven buyer: renders %v, want one, after the commit (true)", calls)
	}
	if att := invoiceAttachment(t, db, *placed.Order.InvoiceNumber); !bytes.HasPrefix(att.Data, []byte("%PDF-")) || att.Render != "" {
		t.Errorf("proven buyer's invoice attachment: %d bytes, pending %q; want the PDF", len(att.Data), att.Render)
	}

	// An unproven buyer: nothing is rendered until the link is followed.
	r := Registration{BuyerName: "Cy", BuyerEmail: "cy@importer.example", Method: models.PayByInvoice,
		Attendees: []models.AttendeeInput{{Name: "Cy", Email: "cy@importer.example"}}}
	held, err := b.PlaceOrder(ctx, s, r, models.PriceOrder(*s, 1, nil, testNow), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !held.Order.AwaitingConfirmation() || len(probe.Calls()) != 1 {
		t.Fatalf("unproven buyer: status %s, renders %v; want awaiting confirmation and no new render", held.Order.Status, probe.Calls())
	}
	var v models.Email
	if err := db.Where("kind = ? AND to_addr = ?", "order_verification", "cy@importer.example").First(&v).Error; err != nil {
		t.Fatal(err)
	}
	token := orderConfirmToken.FindStringSubmatch(v.TextBody)
	if token == nil {
		t.Fatalf("no confirmation link in %q", v.TextBody)
	}
	o, err := b.ConfirmInvoiceOrder(ctx, token[1])
	if err != nil {
		t.Fatal(err)
	}
	if calls := probe.Calls(); len(calls) != 2 || !calls[1] {
		t.Fatalf("confirmed: renders %v, want a second one, after the commit (true)", calls)
	}
	if att := invoiceAttachment(t, db, *o.InvoiceNumber); !bytes.HasPrefix(att.Data, []byte("%PDF-")) || att.Render != "" {
		t.Errorf("confirmed buyer's invoice attachment: %d bytes, pending %q; want the PDF", len(att.Data), att.Render)
	}
}

// TestPendingInvoiceRenderedByJob: when rendering fails after the commit
// (as if the process stopped there), the order still stands, the invoice
// email is held back rather than sent without its PDF, and the
// render-attachments job fills it; then it is sent with the PDF.
func TestPendingInvoiceRenderedByJob(t *testing.T) {
	t.Parallel()
	b, db, probe, mailer := probedService(t, 1)
	ctx := context.Background()
	s := invoiceSession(t, db)
	placed, err := placeProvenInvoice(t, b, db, s, "Di", "di@importer.example")
	if err != nil {
		t.Fatalf("a failed render after the commit must not fail the order: %v", err)
	}
	num := *placed.Order.InvoiceNumber
	if att := invoiceAttachment(t, db, num); len(att.Data) != 0 || att.Render == "" {
		t.Fatalf("after the failed render: %d bytes, pending %q; want a pending attachment", len(att.Data), att.Render)
	}
	if err := b.SendOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	if got := mailer.Kind("invoice"); len(got) != 0 {
		t.Fatalf("sent %d invoice emails with the PDF pending, want 0", len(got))
	}
	if err := b.RenderPendingAttachments(ctx); err != nil {
		t.Fatal(err)
	}
	if calls := probe.Calls(); len(calls) != 2 || !calls[1] {
		t.Errorf("renders: %v, want the failed one and the job's", calls)
	}
	if err := b.SendOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	got := mailer.Kind("invoice")
	if len(got) != 1 || len(got[0].Attachments) != 1 || got[0].Attachments[0].Filename != num+".pdf" ||
		!bytes.HasPrefix(got[0].Attachments[0].Data, []byte("%PDF-")) {
		t.Fatalf("sent invoices: %+v, want one with %s.pdf", got, num)
	}
	if err := b.RenderPendingAttachments(ctx); err != nil || len(probe.Calls()) != 2 {
		t.Errorf("a second job run: %v, renders %v; want nothing left to do", err, probe.Calls())
	}
}

// BenchmarkPlaceOrder is the seat claim of the web benchmark without HTTP:
// many buyers with unproven addresses place one-seat invoice orders for
// one session from one client IP. For profiles of the write transaction:
//
//	go test -run NONE -bench PlaceOrder -cpuprofile cpu.out ./internal/booking
func BenchmarkPlaceOrder(b *testing.B) {
	db, _ := testdb.Open(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	out, err := outbox.New(db, nil, log, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	svc, err := New(Deps{DB: db, Outbox: out, Logger: log, Now: func() time.Time { return testNow },
		Settings: Settings{BaseURL: "http://hsw.test", OpenSeatsPerIP: 1_000_000}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s := invoiceSession(b, db)
	if err := db.Model(&models.Session{}).Where("id = ?", s.ID).Update("capacity", 10_000_000).Error; err != nil {
		b.Fatal(err)
	}
	s.Capacity = 10_000_000
	q := models.PriceOrder(*s, 1, nil, testNow)
	var seq atomic.Int64
	b.SetParallelism(50) // with GOMAXPROCS=2, 100 concurrent buyers like the web benchmark
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			email := fmt.Sprintf("buyer%d@bench.example.com", n)
			r := Registration{BuyerName: "Bench Buyer", BuyerEmail: email, Method: models.PayByInvoice, ClientIP: "127.0.0.1",
				Attendees: []models.AttendeeInput{{Name: "Bench Attendee", Email: "a" + email}}}
			if _, err := svc.PlaceOrder(ctx, s, r, q, nil, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}
