package mail

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/models"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current templates")

func ptr[T any](v T) *T { return &v }

func fixtureSite() Site {
	return Site{Name: "hsworkshop", BaseURL: "https://hsworkshop.example", From: "Workshops <workshops@hsworkshop.example>"}
}

// fixtureSession is a confirmed attendee's view of a live online session.
func fixtureSession() SessionInfo {
	return SessionInfo{
		Title:      "Classifying Machinery & Electronics (HTSUS Chapters 84–85)",
		When:       "Tue 8 Dec 2026, 09:00–16:30 CST",
		TimeZone:   "America/Chicago",
		Format:     "Live online",
		Location:   "Online",
		Instructor: "Dana Whitfield",
		URL:        "https://hsworkshop.example/sessions/12",
		JoinURL:    "https://meet.example.com/j/8471300100?pwd=k3y&lang=en",
	}
}

// fixtureOrder is a paid, discounted, early-bird card order of three seats.
func fixtureOrder() models.Order {
	paid := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	return models.Order{
		ID: 42, Ref: "r3f", SessionID: 12, BuyerName: "María Pérez", BuyerEmail: "maria@acme.example",
		BillingEmail: "ap@acme.example", Company: "Acme Imports & Logistics", PONumber: "PO-7781",
		Seats: 3, UnitPriceMinor: 109500, EarlyBird: true, SubtotalMinor: 328500, DiscountMinor: 49275,
		TotalMinor: 279225, Currency: "USD",
		DiscountCode:  &models.DiscountCode{Code: "GROUP15", Kind: models.DiscountPercent, PercentBP: 1500},
		PaymentMethod: models.PayByCard, Status: models.OrderPaid, PaidAt: &paid,
		Attendees: []models.Attendee{
			{ID: 1, Position: 1, Name: "María Pérez", Email: "maria@acme.example", PriceMinor: 93075, Status: models.AttendeeActive},
			{ID: 2, Position: 2, Name: "Chris O'Brien", Email: "chris@acme.example", PriceMinor: 93075, Status: models.AttendeeActive},
			{ID: 3, Position: 3, Name: "Lee Chen", Email: "lee@acme.example", PriceMinor: 93075, Status: models.AttendeeActive},
		},
	}
}

// fixtureInvoiceOrder is the same order awaiting payment of its invoice.
func fixtureInvoiceOrder() models.Order {
	o := fixtureOrder()
	o.PaymentMethod, o.Status, o.PaidAt = models.PayByInvoice, models.OrderPendingInvoice, nil
	o.InvoiceNumber = ptr("INV-000123")
	return o
}

func orderData(o models.Order) OrderData {
	s := fixtureSession()
	if !o.Confirmed() {
		s.JoinURL, s.RoomDetails = "", ""
	}
	return OrderData{Site: fixtureSite(), Session: s, Order: o,
		OrderURL: "https://hsworkshop.example/orders/r3f"}
}

// fixtures holds one message of every kind; the golden files are made
// from these.
func fixtures() map[string]any {
	inv := orderData(fixtureInvoiceOrder())
	inv.InvoiceURL = "https://hsworkshop.example/orders/r3f/invoice.pdf"
	inv.DueDate = "Tue 24 Nov 2026, 23:59 CST"

	cancel := orderData(fixtureOrder())
	cancel.Order.Attendees[1].Status = models.AttendeeCancelled
	cancel.Order.Seats = 2
	cancel.CancelledNames = []string{"Chris O'Brien"}
	cancel.Refund = models.Money{Minor: 83075, Currency: "USD"}
	cancel.Fee = models.Money{Minor: 10000, Currency: "USD"}

	expired := orderData(fixtureInvoiceOrder())
	expired.Order.Status = models.OrderExpired
	expired.DueDate = "Tue 24 Nov 2026, 23:59 CST"

	attendee := AttendeeData{Site: fixtureSite(), Session: fixtureSession(), BuyerName: "María Pérez",
		Attendee: fixtureOrder().Attendees[1], OrderURL: "https://hsworkshop.example/registrations"}

	entry := models.WaitlistEntry{ID: 7, SessionID: 12, Name: "Sam Okafor", Email: "sam@broker.example", Seats: 2, Status: models.WaitWaiting}
	waitSession := fixtureSession()
	waitSession.JoinURL = ""
	return map[string]any{
		KindPasswordReset:        ResetData{Name: "María", Link: "https://hsworkshop.example/reset/t0k3n"},
		KindOrderConfirmation:    orderData(fixtureOrder()),
		KindAttendeeConfirmation: attendee,
		KindInvoice:              inv,
		KindWaitlistJoined:       WaitlistData{Site: fixtureSite(), Session: waitSession, Entry: entry, Position: 3},
		KindWaitlistOffer: WaitlistData{Site: fixtureSite(), Session: waitSession, Entry: entry,
			ClaimURL: "https://hsworkshop.example/waitlist/claim/0ff3r", Expires: "Thu 19 Nov 2026, 17:00 CST"},
		KindReminder:     attendee,
		KindCancellation: cancel,
		KindOrderExpired: expired,
		KindCertificate: CertificateData{Site: fixtureSite(), Name: "María Pérez", Course: "HS Classification Fundamentals",
			Dates: "8 December 2026", CreditHours: "6.5", AccreditationID: "ACC-2026-0142", Code: "K7Q2MX4RZP9TBW3D",
			VerifyURL:   "https://hsworkshop.example/certificates/K7Q2MX4RZP9TBW3D",
			DownloadURL: "https://hsworkshop.example/certificates/K7Q2MX4RZP9TBW3D/pdf"},
		KindStaffNotice: NoticeData{Site: fixtureSite(), Session: fixtureSession(), Name: "Sam Okafor",
			Subject: "New time", Body: "The session moved.\n\nSee you there."},
		KindEmailVerification: ResetData{Name: "María", Link: "https://hsworkshop.example/account/verify?token=t0k3n"},
		KindOrderVerification: OrderVerificationData{Site: fixtureSite(), Session: fixtureSession(), Order: fixtureOrder(),
			Link: "https://hsworkshop.example/orders/confirm?token=t0k3n", Expires: "Thu 19 Nov 2026, 17:00 CST"},
	}
}

func newTestComposer(t *testing.T) *Composer {
	t.Helper()
	c, err := NewComposer()
	if err != nil {
		t.Fatalf("NewComposer: %v", err)
	}
	return c
}

func compose(t *testing.T, c *Composer, kind string, data any) Composed {
	t.Helper()
	m, err := c.Compose(kind, data)
	if err != nil {
		t.Fatalf("Compose(%s): %v", kind, err)
	}
	return m
}

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./internal/mail -update rewrites it)\n--- got ---\n%s", name, got)
	}
}

func TestComposeGolden(t *testing.T) {
	c := newTestComposer(t)
	for kind, data := range fixtures() {
		t.Run(kind, func(t *testing.T) {
			m := compose(t, c, kind, data)
			checkGolden(t, kind+".txt.golden", "Subject: "+m.Subject+"\n\n"+m.Text)
			checkGolden(t, kind+".html.golden", m.HTML)
			if m.Subject == "" || strings.Contains(m.Subject, "\n") {
				t.Errorf("subject %q: want one non-empty line", m.Subject)
			}
			if strings.Contains(m.Text, "<p") || strings.Contains(m.Text, "&amp;") || strings.Contains(m.Text, "&#39;") {
				t.Errorf("text body contains HTML markup or entities:\n%s", m.Text)
			}
			if strings.Contains(m.Text+m.HTML+m.Subject, "<nil>") || strings.Contains(m.Text+m.HTML, "%!") {
				t.Errorf("body prints a nil value or a bad format verb")
			}
			if !strings.HasPrefix(m.HTML, "<!doctype html>") || !strings.HasSuffix(strings.TrimSpace(m.HTML), "</html>") {
				t.Errorf("HTML body is not a whole document from the layout")
			}
		})
	}
}

// TestEveryKindCovered fails when a kind constant is added to data.go
// without being listed in Kinds, given templates, or given a fixture here.
func TestEveryKindCovered(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "data.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Kind") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				declared = append(declared, v)
			}
		}
	}
	if len(declared) < 9 {
		t.Fatalf("found %d kind constants in data.go, want at least 9", len(declared))
	}
	kinds := Kinds()
	fx := fixtures()
	c := newTestComposer(t)
	for _, k := range declared {
		if !slices.Contains(kinds, k) {
			t.Errorf("kind %q is declared in data.go but missing from Kinds()", k)
		}
		data, ok := fx[k]
		if !ok {
			t.Errorf("kind %q has no fixture (and so no golden test)", k)
			continue
		}
		if _, err := c.Compose(k, data); err != nil {
			t.Errorf("kind %q: %v", k, err)
		}
	}
	if len(kinds) != len(declared) {
		t.Errorf("Kinds() has %d entries, data.go declares %d", len(kinds), len(declared))
	}
}

// TestNoStrayTemplates checks that every template file belongs to a kind or
// is shared (layout, partials), so a misspelt file name cannot hide.
func TestNoStrayTemplates(t *testing.T) {
	files, err := fs.Glob(templateFS, "templates/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		base := filepath.Base(f)
		if base == "layout.html" || strings.HasPrefix(base, "partials.") {
			continue
		}
		kind := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".html"), ".txt"), ".subject")
		if !slices.Contains(Kinds(), kind) {
			t.Errorf("template file %s belongs to no kind", base)
		}
	}
}

// TestComposeZeroData renders every kind with empty data of its type: a
// missing optional field (no discount code, no invoice number) must not
// break a message.
func TestComposeZeroData(t *testing.T) {
	c := newTestComposer(t)
	zero := map[string]any{KindPasswordReset: ResetData{}, KindOrderConfirmation: OrderData{},
		KindAttendeeConfirmation: AttendeeData{}, KindInvoice: OrderData{}, KindWaitlistJoined: WaitlistData{},
		KindWaitlistOffer: WaitlistData{}, KindReminder: AttendeeData{}, KindCancellation: OrderData{},
		KindOrderExpired: OrderData{}, KindCertificate: CertificateData{}, KindStaffNotice: NoticeData{}, KindEmailVerification: ResetData{}, KindOrderVerification: OrderVerificationData{}}
	for _, k := range Kinds() {
		m := compose(t, c, k, zero[k])
		if strings.Contains(m.Text+m.HTML, "<nil>") {
			t.Errorf("%s prints <nil> for empty data", k)
		}
	}
}

func contains(t *testing.T, where, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q:\n%s", where, w, body)
		}
	}
}

func lacks(t *testing.T, where, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s contains %q:\n%s", where, w, body)
		}
	}
}

func TestOrderConfirmationFacts(t *testing.T) {
	c := newTestComposer(t)
	m := compose(t, c, KindOrderConfirmation, fixtures()[KindOrderConfirmation])
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "HSW-000042", "$2,792.25", "3 seats × $1,095.00", "$3,285.00", "GROUP15", "15% off",
			"−$492.75", "America/Chicago", "Tue 8 Dec 2026, 09:00–16:30 CST", "PO-7781", "Lee Chen", ".ics",
			"https://hsworkshop.example/orders/r3f", "cancellation policy", "Paid by card")
	}
	contains(t, "text", m.Text, "https://meet.example.com/j/8471300100?pwd=k3y&lang=en", "Chris O'Brien", "Acme Imports & Logistics")
	contains(t, "html", m.HTML, `href="https://meet.example.com/j/8471300100?pwd=k3y&amp;lang=en"`, "Chris O&#39;Brien", "Acme Imports &amp; Logistics")
	contains(t, "subject", m.Subject, "HSW-000042", "Confirmed: ")

	// Without a discount, early bird or PO, those lines disappear; an
	// in-person session shows its room instead of a join link.
	d := orderData(fixtureOrder())
	d.Order.DiscountCode, d.Order.DiscountMinor, d.Order.EarlyBird, d.Order.PONumber, d.Order.Company = nil, 0, false, "", ""
	d.Session.Format, d.Session.Location, d.Session.JoinURL = "In person", "Customs House, 610 S Canal St, Chicago", ""
	d.Session.RoomDetails = "Room 4B, 4th floor; sign in at reception"
	m = compose(t, c, KindOrderConfirmation, d)
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "Room 4B, 4th floor; sign in at reception", "In person")
		lacks(t, where, body, "Join online", "Discount", "early-bird", "PO number", "meet.example.com")
	}

	// A 100% code: nothing to pay.
	d = orderData(fixtureOrder())
	d.Order.TotalMinor = 0
	m = compose(t, c, KindOrderConfirmation, d)
	contains(t, "text", m.Text, "No payment was due.")
	lacks(t, "text", m.Text, "Paid by card")
}

func TestJoinLinkOnlyForConfirmed(t *testing.T) {
	c := newTestComposer(t)
	m := compose(t, c, KindInvoice, fixtures()[KindInvoice])
	lacks(t, "invoice", m.Text+m.HTML, "meet.example.com", "Join online")
	m = compose(t, c, KindAttendeeConfirmation, fixtures()[KindAttendeeConfirmation])
	contains(t, "attendee confirmation", m.Text, "Join online:\nhttps://meet.example.com/j/8471300100?pwd=k3y&lang=en")
	m = compose(t, c, KindWaitlistOffer, fixtures()[KindWaitlistOffer])
	lacks(t, "waitlist offer", m.Text+m.HTML, "meet.example.com")
}

func TestAttendeeAndReminderFacts(t *testing.T) {
	c := newTestComposer(t)
	m := compose(t, c, KindAttendeeConfirmation, fixtures()[KindAttendeeConfirmation])
	contains(t, "text", m.Text, "Hello Chris O'Brien,", "María Pérez registered you for", ".ics", "America/Chicago")
	contains(t, "subject", m.Subject, "You're registered")
	m = compose(t, c, KindReminder, fixtures()[KindReminder])
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "about 24 hours", "HTSUS", "meet.example.com/j/8471300100", "https://hsworkshop.example/registrations")
	}
}

func TestInvoiceFacts(t *testing.T) {
	c := newTestComposer(t)
	m := compose(t, c, KindInvoice, fixtures()[KindInvoice])
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "INV-000123", "$2,792.25 USD", "Tue 24 Nov 2026, 23:59 CST", "PO-7781",
			"held until the due date", "released", "https://hsworkshop.example/orders/r3f/invoice.pdf",
			"https://hsworkshop.example/orders/r3f", "attached (PDF)")
	}
	contains(t, "subject", m.Subject, "INV-000123", "due Tue 24 Nov 2026")
}

func TestWaitlistFacts(t *testing.T) {
	c := newTestComposer(t)
	m := compose(t, c, KindWaitlistJoined, fixtures()[KindWaitlistJoined])
	contains(t, "text", m.Text, "Your place  3", "Seats       2", "limited time", "next person")
	m = compose(t, c, KindWaitlistOffer, fixtures()[KindWaitlistOffer])
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "2 seats", "for you alone until", "Thu 19 Nov 2026, 17:00 CST",
			"https://hsworkshop.example/waitlist/claim/0ff3r", "next person")
	}
	d := fixtures()[KindWaitlistOffer].(WaitlistData)
	d.Entry.Seats = 1
	m = compose(t, c, KindWaitlistOffer, d)
	contains(t, "text", m.Text, "1 seat has come free", "reserved it for you")
	contains(t, "subject", m.Subject, "A seat is reserved for you until")
}

func TestCancellationVariants(t *testing.T) {
	c := newTestComposer(t)
	base := fixtures()[KindCancellation].(OrderData)

	m := compose(t, c, KindCancellation, base)
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "$830.75", "card used for payment", "5–10 business days", "$100.00", "keeps their seat", "Chris O")
	}
	contains(t, "text", m.Text, "  - Chris O'Brien")

	whole := base
	whole.CancelledNames, whole.Fee = nil, models.Money{Currency: "USD"}
	m = compose(t, c, KindCancellation, whole)
	contains(t, "text", m.Text, "is cancelled, for all attendees", "$830.75")
	lacks(t, "text", m.Text, "keeps their seat", "Fee kept")
	contains(t, "subject", m.Subject, "Order HSW-000042 cancelled")

	noRefund := whole
	noRefund.Refund = models.Money{Currency: "USD"}
	m = compose(t, c, KindCancellation, noRefund)
	contains(t, "text", m.Text, "No refund is due")
	lacks(t, "text", m.Text, "5–10 business days")

	unpaidCard := noRefund
	unpaidCard.Order.PaidAt, unpaidCard.Order.Status = nil, models.OrderCancelled
	m = compose(t, c, KindCancellation, unpaidCard)
	contains(t, "text", m.Text, "No payment was taken")

	// Invoice orders: a seat cancelled before payment revises the invoice.
	inv := orderData(fixtureInvoiceOrder())
	inv.Order.TotalMinor = 196150 // 279225 − 93075 + 10000 fee
	inv.CancelledNames, inv.Fee, inv.DueDate = []string{"Lee Chen"}, models.Money{Minor: 10000, Currency: "USD"}, "Tue 24 Nov 2026, 23:59 CST"
	inv.InvoiceURL = "https://hsworkshop.example/orders/r3f/invoice.pdf"
	m = compose(t, c, KindCancellation, inv)
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "INV-000123", "revised", "$1,961.50 USD", "cancellation fee of $100.00", "invoice.pdf")
		lacks(t, where, body, "card used", "Refund")
	}
	inv.CancelledNames, inv.Fee = nil, models.Money{Currency: "USD"}
	m = compose(t, c, KindCancellation, inv)
	inv.Fee = models.Money{Minor: 30000, Currency: "USD"}
	m = compose(t, c, KindCancellation, inv)
	contains(t, "text", m.Text, "Invoice INV-000123 is void: nothing is due.")
	lacks(t, "text", m.Text, "$300.00")
}

func TestExpiredFacts(t *testing.T) {
	c := newTestComposer(t)
	m := compose(t, c, KindOrderExpired, fixtures()[KindOrderExpired])
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "INV-000123", "HSW-000042", "released", "https://hsworkshop.example/sessions/12")
	}
	d := orderData(fixtureOrder())
	d.Order.Status, d.Order.PaidAt = models.OrderExpired, nil
	m = compose(t, c, KindOrderExpired, d)
	contains(t, "text", m.Text, "Payment for order HSW-000042 was not completed in time", "Nothing has been charged", "refund the payment in full automatically")
}

// TestEscaping: people's names reach the HTML escaped and the text verbatim.
func TestEscaping(t *testing.T) {
	c := newTestComposer(t)
	d := orderData(fixtureOrder())
	d.Order.BuyerName = `<script>alert("x")</script>`
	d.Session.JoinURL = "javascript:alert(1)"
	m := compose(t, c, KindOrderConfirmation, d)
	lacks(t, "html", m.HTML, "<script>", `href="javascript:`)
	contains(t, "html", m.HTML, "&lt;script&gt;")
	contains(t, "text", m.Text, `Hello <script>alert("x")</script>,`)
}

func TestSubjectIsOneLine(t *testing.T) {
	c := newTestComposer(t)
	d := orderData(fixtureOrder())
	d.Session.Title = "Line one\r\nBcc: victim@example.com"
	m := compose(t, c, KindOrderConfirmation, d)
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("subject %q: got a line break, want one line", m.Subject)
	}
}

// TestCancellationPaidInvoice: a paid invoice is refunded by bank transfer,
// never "to the card".
func TestCancellationPaidInvoice(t *testing.T) {
	c := newTestComposer(t)
	d := orderData(fixtureInvoiceOrder())
	paid := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	d.Order.PaidAt, d.Order.Status = &paid, models.OrderCancelled
	d.Fee = models.Money{Minor: 30000, Currency: "USD"}
	m := compose(t, c, KindCancellation, d)
	for where, body := range map[string]string{"text": m.Text, "html": m.HTML} {
		contains(t, where, body, "bank transfer", "less the cancellation fee of $300.00")
		lacks(t, where, body, "card used", "No refund is due", "is void")
	}
	d.Refund = models.Money{Minor: 249225, Currency: "USD"}
	m = compose(t, c, KindCancellation, d)
	contains(t, "text", m.Text, "Refund      $2,492.25", "by bank transfer")
}
