package invoice

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/hsworkshop/hsworkshop/internal/pdfdoc"
	"github.com/hsworkshop/hsworkshop/internal/testpdf"
	"github.com/hsworkshop/hsworkshop/models"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func ptr[T any](v T) *T { return &v }

var (
	// Fixed instants of the fixture order's life.
	created = time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	due     = time.Date(2026, 11, 25, 5, 59, 0, 0, time.UTC) // 23:59 CST on the 24th
)

func fixtureSession() models.Session {
	start := time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
	return models.Session{ID: 12, Workshop: models.Workshop{Title: "Classifying Machinery & Electronics (HTSUS 84–85)"},
		StartsAt: start, EndsAt: start.Add(7*time.Hour + 30*time.Minute), TimeZone: "America/Chicago",
		PriceMinor: 129500, Currency: "USD", Format: models.FormatVirtual, Status: models.StatusPublished}
}

// newOrder prices seats of the fixture session with code the way
// registration does (models.PriceOrder, models.AllocateCents).
func newOrder(method models.PaymentMethod, code *models.DiscountCode, names ...string) models.Order {
	s := fixtureSession()
	q := models.PriceOrder(s, len(names), code, created)
	o := models.Order{ID: 42, Session: s, SessionID: s.ID, BuyerName: "María Pérez", BuyerEmail: "maria@acme.example",
		BillingEmail: "ap@acme.example", Company: "Acme Imports & Logistics, Inc.", PONumber: "PO-7781",
		Seats: len(names), UnitPriceMinor: q.Unit.Minor, EarlyBird: q.EarlyBird, SubtotalMinor: q.Subtotal.Minor,
		DiscountMinor: q.Discount.Minor, TotalMinor: q.Total.Minor, Currency: q.Total.Currency, DiscountCode: code,
		PaymentMethod: method, CreatedAt: created}
	for i, p := range models.AllocateCents(o.TotalMinor, len(names)) {
		o.Attendees = append(o.Attendees, models.Attendee{ID: uint(i + 1), Position: i + 1, Name: names[i],
			Email: fmt.Sprintf("a%d@acme.example", i+1), PriceMinor: p, Status: models.AttendeeActive})
	}
	if method == models.PayByInvoice {
		o.Status, o.InvoiceNumber, o.InvoiceIssuedAt, o.InvoiceDueAt = models.OrderPendingInvoice, ptr("INV-000123"), &created, &due
	} else {
		o.Status = models.OrderHeld
	}
	return o
}

func pct15() *models.DiscountCode {
	return &models.DiscountCode{ID: 1, Code: "GROUP15", Kind: models.DiscountPercent, PercentBP: 1500, Currency: "USD"}
}

func names3() []string { return []string{"María Pérez", "Chris O'Brien", "Lee Chen"} }

// cancelAttendee applies what models.CancelAttendee writes.
func cancelAttendee(o *models.Order, i int, refund, fee int64, at time.Time) {
	a := &o.Attendees[i]
	a.Status, a.CancelledAt, a.RefundMinor = models.AttendeeCancelled, &at, refund
	o.Seats--
	o.FeesMinor += fee
	if o.Status == models.OrderPendingInvoice {
		o.TotalMinor -= a.PriceMinor - fee
	}
}

func pay(o *models.Order, at time.Time) {
	o.Status, o.PaidAt = models.OrderPaid, &at
}

func document(kind Kind, o models.Order) Document {
	d := Document{Kind: kind, Seller: Seller{Name: "hsworkshop Training LLC", Address: []string{"200 W Adams St, Suite 1400", "Chicago, IL 60606", "USA"},
		Email: "Workshops <workshops@hsworkshop.example>"},
		PaymentInstructions: "Pay by ACH or wire to hsworkshop Training LLC, First Example Bank, routing 071000013, account 1234567890.",
		SessionWhen:         "Tue 8 Dec 2026, 09:00–16:30 CST", IssuedAt: created, DueAt: due,
		Now: time.Date(2026, 11, 2, 16, 0, 0, 0, time.UTC)}
	if kind == Receipt && o.PaidAt != nil {
		d.IssuedAt = *o.PaidAt
	}
	return d
}

func renderText(t *testing.T, o models.Order, doc Document) []string {
	t.Helper()
	b, err := render(o, doc, false)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", b[:min(len(b), 16)])
	}
	return testpdf.MustRead(t, b).Texts
}

// followedBy reports whether label is shown and its next string is value,
// as a label and its amount are drawn.
func followedBy(text []string, label, value string) bool {
	for i := 0; i+1 < len(text); i++ {
		if strings.TrimSpace(text[i]) == label && strings.TrimSpace(text[i+1]) == value {
			return true
		}
	}
	return false
}

func containsAll(t *testing.T, text []string, want ...string) {
	t.Helper()
	// Wrapped lines are drawn one by one; a space joins them back.
	all := strings.Join(text, " ")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("PDF text lacks %q:\n%s", w, all)
		}
	}
}

func checkGolden(t *testing.T, name string, text []string) {
	t.Helper()
	got := strings.Join(text, "\n") + "\n"
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (go test -update creates it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./internal/invoice -update rewrites it)\n--- got ---\n%s", name, got)
	}
}

func TestRenderInvoice(t *testing.T) {
	o := newOrder(models.PayByInvoice, pct15(), names3()...)
	text := renderText(t, o, document(Invoice, o))
	checkGolden(t, "invoice.txt.golden", text)
	containsAll(t, text, "Invoice", "INV-000123", "HSW-000042", "PO-7781", "María Pérez", "Chris O'Brien", "Lee Chen",
		"Acme Imports & Logistics, Inc.", "ap@acme.example", "hsworkshop Training LLC", "Chicago, IL 60606",
		"workshops@hsworkshop.example", "2 Nov 2026", "24 Nov 2026, 23:59 CST",
		"Classifying Machinery & Electronics (HTSUS 84–85) — Tue 8 Dec 2026, 09:00–16:30 CST — seat for Lee Chen",
		"Discount GROUP15 (15% off)", "-$582.75", "How to pay", "routing 071000013",
		"Please quote invoice number INV-000123 with your payment.", "All amounts in USD.", "Page 1 of 1")
	if !followedBy(text, "Total", "$3,302.25") || !followedBy(text, "Amount due", "$3,302.25") {
		t.Errorf("want Total and Amount due $3,302.25 in:\n%s", strings.Join(text, "\n"))
	}
}

func TestRenderReceipt(t *testing.T) {
	o := newOrder(models.PayByCard, pct15(), names3()...)
	pay(&o, created.Add(10*time.Minute))
	cancelAttendee(&o, 1, 100075, 10000, created.Add(48*time.Hour))
	o.RefundedMinor = 100075
	text := renderText(t, o, document(Receipt, o))
	checkGolden(t, "receipt.txt.golden", text)
	containsAll(t, text, "Receipt", "HSW-000042", "Receipt for order", "Card", "PO-7781",
		"seat for Chris O'Brien (cancelled; $1,000.75 refunded)")
	for _, lv := range [][2]string{{"Total", "$3,302.25"}, {"Amount paid by card on 2 Nov 2026", "$3,302.25"},
		{"Refunded", "-$1,000.75"}, {"Net amount paid", "$2,301.50"}} {
		if !followedBy(text, lv[0], lv[1]) {
			t.Errorf("want %q followed by %q in:\n%s", lv[0], lv[1], strings.Join(text, "\n"))
		}
	}
	all := strings.Join(text, "\n")
	if strings.Contains(all, "How to pay") || strings.Contains(all, "Amount due") {
		t.Errorf("a receipt shows payment instructions or an amount due:\n%s", all)
	}
}

// TestTotalsMatchOrder: whatever happened to the order, the item lines add
// up to the order's total and the PDF prints that total to the cent.
func TestTotalsMatchOrder(t *testing.T) {
	fixed := &models.DiscountCode{ID: 2, Code: "SAVE100", Kind: models.DiscountFixed, AmountMinor: 10000, Currency: "USD"}
	cases := []struct {
		name  string
		kind  Kind
		order func() models.Order
		due   string // "Amount due" shown ("total": the order total), or "" when none is
	}{
		{"unpaid invoice, 15% off, one seat cancelled with a fee", Invoice, func() models.Order {
			o := newOrder(models.PayByInvoice, pct15(), names3()...)
			cancelAttendee(&o, 2, 0, 10000, created.Add(24*time.Hour))
			return o
		}, "total"},
		{"unpaid invoice, fixed code, one seat cancelled without fee", Invoice, func() models.Order {
			o := newOrder(models.PayByInvoice, fixed, names3()...)
			cancelAttendee(&o, 0, 0, 0, created.Add(24*time.Hour))
			return o
		}, "total"},
		{"paid invoice with a seat credited before payment", Invoice, func() models.Order {
			o := newOrder(models.PayByInvoice, pct15(), names3()...)
			cancelAttendee(&o, 1, 0, 10000, created.Add(24*time.Hour))
			pay(&o, created.Add(72*time.Hour))
			return o
		}, "$0.00"},
		{"receipt of that invoice", Receipt, func() models.Order {
			o := newOrder(models.PayByInvoice, pct15(), names3()...)
			cancelAttendee(&o, 1, 0, 10000, created.Add(24*time.Hour))
			pay(&o, created.Add(72*time.Hour))
			return o
		}, ""},
		{"card receipt, 15% off, one seat cancelled and refunded", Receipt, func() models.Order {
			o := newOrder(models.PayByCard, pct15(), names3()...)
			pay(&o, created)
			cancelAttendee(&o, 0, 100075, 10000, created.Add(24*time.Hour))
			o.RefundedMinor = 100075
			return o
		}, ""},
		{"invoice voided by cancelling the whole order after one seat", Invoice, func() models.Order {
			o := newOrder(models.PayByInvoice, pct15(), names3()...)
			cancelAttendee(&o, 0, 0, 10000, created.Add(24*time.Hour))
			at := created.Add(48 * time.Hour)
			for i := 1; i < 3; i++ {
				o.Attendees[i].Status, o.Attendees[i].CancelledAt = models.AttendeeCancelled, &at
			}
			o.Status, o.CancelledAt, o.FeesMinor = models.OrderCancelled, &at, o.FeesMinor+20000
			return o
		}, "$0.00"},
		{"odd cents: 3 seats at $333.33 less 10%", Invoice, func() models.Order {
			o := newOrder(models.PayByInvoice, &models.DiscountCode{Code: "TEN", Kind: models.DiscountPercent, PercentBP: 1000}, names3()...)
			o.UnitPriceMinor, o.SubtotalMinor = 33333, 99999
			o.DiscountMinor = (99999*1000 + 5000) / 10000
			o.TotalMinor = o.SubtotalMinor - o.DiscountMinor
			for i, p := range models.AllocateCents(o.TotalMinor, 3) {
				o.Attendees[i].PriceMinor = p
			}
			cancelAttendee(&o, 2, 0, 0, created.Add(time.Hour))
			return o
		}, "total"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.order()
			doc := document(tc.kind, o)
			st, err := buildStatement(o, doc)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, r := range st.rows {
				sum += r.amount
			}
			if sum != o.TotalMinor {
				t.Errorf("item lines add up to %d, want the order total %d: %+v", sum, o.TotalMinor, st.rows)
			}
			text := renderText(t, o, doc)
			total := formatMoney(o.TotalMinor, o.Currency)
			if !followedBy(text, "Total", total) {
				t.Errorf("PDF does not show Total %s:\n%s", total, strings.Join(text, "\n"))
			}
			due := tc.due
			if due == "total" {
				due = total
			}
			if due != "" && !followedBy(text, "Amount due", due) {
				t.Errorf("PDF does not show Amount due %s:\n%s", due, strings.Join(text, "\n"))
			}
			for _, a := range o.Attendees {
				containsAll(t, text, "seat for "+a.Name)
			}
		})
	}
}

func TestInvoiceStatusStamps(t *testing.T) {
	o := newOrder(models.PayByInvoice, nil, names3()...)
	paid := o
	pay(&paid, created.Add(time.Hour))
	expired := o
	expired.Status = models.OrderExpired
	for _, tc := range []struct {
		name  string
		o     models.Order
		stamp string
		note  string
	}{
		{"pending", o, "", "Please pay by 24 Nov 2026, 23:59 CST."},
		{"paid", paid, "PAID", "Paid on 2 Nov 2026"},
		{"expired", expired, "VOID", "not paid by its due date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := renderText(t, tc.o, document(Invoice, tc.o))
			all := strings.Join(text, "\n")
			if tc.stamp != "" && !strings.Contains(all, "\n"+tc.stamp+"\n") {
				t.Errorf("want stamp %s:\n%s", tc.stamp, all)
			}
			if tc.stamp == "" && (strings.Contains(all, "\nPAID\n") || strings.Contains(all, "\nVOID\n")) {
				t.Errorf("pending invoice is stamped:\n%s", all)
			}
			containsAll(t, text, tc.note)
			if tc.stamp != "" && strings.Contains(all, "How to pay") {
				t.Errorf("a %s invoice asks for payment", tc.name)
			}
		})
	}
}

func TestRenderDeterministic(t *testing.T) {
	o := newOrder(models.PayByInvoice, pct15(), names3()...)
	a, err := Render(o, document(Invoice, o))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(o, document(Invoice, o))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) || !bytes.Equal(a, b) {
		t.Errorf("two renders of the same input differ (or are not PDF)")
	}
	if !bytes.Contains(a, []byte("D:20261102160000")) {
		t.Errorf("creation date is not Document.Now")
	}
}

func TestRenderCharacters(t *testing.T) {
	o := newOrder(models.PayByInvoice, nil, "Zoë Müller", "Дмитрий Ivanov", "Łukasz (Luke) \\ Nowak")
	o.Currency, o.Session.Currency = "EUR", "EUR"
	text := renderText(t, o, document(Invoice, o))
	containsAll(t, text, "seat for Zoë Müller", "seat for Дмитрий Ivanov", "seat for Łukasz (Luke) \\ Nowak", "€1,295.00", "€3,885.00",
		"All amounts in EUR.")
}

// TestRenderNamesInEveryScript reads the buyer, company and attendee names
// back out of the compressed invoice and receipt exactly as entered; the
// same check fails on the old core-font rendering.
func TestRenderNamesInEveryScript(t *testing.T) {
	for script, name := range testpdf.ScriptNames() {
		t.Run(script, func(t *testing.T) {
			o := newOrder(models.PayByInvoice, nil, name, "Lee Chen")
			o.BuyerName, o.Company = name, name+" Ltd."
			doc := testpdf.MustRead(t, mustRender(t, o, document(Invoice, o)))
			for _, want := range []string{name, name + " Ltd.", "seat for " + name} {
				if !doc.Contains(want) {
					t.Errorf("invoice lacks %q:\n%s", want, doc.All())
				}
			}
			if doc.Contains(pdfdoc.FallbackNote) {
				t.Errorf("fallback note on a printable name")
			}
			if _, err := charmap.Windows1252.NewEncoder().String(name); err != nil && testpdf.LegacyShows(t, name) {
				t.Errorf("negative control: the core-font PDF shows %q", name)
			}
		})
	}
	// A receipt draws the same way: one with every script at once.
	var names []string
	for _, n := range testpdf.ScriptNames() {
		names = append(names, n)
	}
	o := newOrder(models.PayByInvoice, nil, names...)
	o.BuyerName = names[0]
	pay(&o, created)
	doc := testpdf.MustRead(t, mustRender(t, o, document(Receipt, o)))
	for _, n := range names {
		if !doc.Contains("seat for " + n) {
			t.Errorf("receipt lacks %q:\n%s", "seat for "+n, doc.All())
		}
	}
}

// TestRenderUnprintableName: a name in a script the font lacks prints as
// code points with a footnote saying so, never as boxes or "?".
func TestRenderUnprintableName(t *testing.T) {
	o := newOrder(models.PayByInvoice, nil, "李小龍", "Lee Chen")
	o.Company = "北京贸易有限公司"
	doc := testpdf.MustRead(t, mustRender(t, o, document(Invoice, o)))
	for _, want := range []string{"seat for [U+674E U+5C0F U+9F8D]", "[U+5317 U+4EAC U+8D38 U+6613 U+6709 U+9650 U+516C U+53F8]", pdfdoc.FallbackNote} {
		if !strings.Contains(strings.Join(doc.Texts, " "), want) {
			t.Errorf("invoice lacks %q:\n%s", want, doc.All())
		}
	}
	for _, line := range doc.Texts {
		if strings.Contains(line, "?") && !strings.HasPrefix(line, "Questions about") {
			t.Errorf("invoice prints %q", line)
		}
	}
}

func mustRender(t *testing.T, o models.Order, doc Document) []byte {
	t.Helper()
	b, err := Render(o, doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRenderManyAttendeesPaginates(t *testing.T) {
	for _, prefix := range []string{"Attendee Number", "Участник номер"} { // core font, embedded font
		paginates(t, prefix)
	}
}

func paginates(t *testing.T, prefix string) {
	var names []string
	for i := 1; i <= 60; i++ {
		names = append(names, fmt.Sprintf("%s %02d", prefix, i))
	}
	o := newOrder(models.PayByInvoice, pct15(), names...)
	text := renderText(t, o, document(Invoice, o))
	all := strings.Join(text, "\n")
	if !strings.Contains(all, "Page 2 of ") || strings.Contains(all, "{nb}") {
		t.Errorf("60 seats: want several numbered pages:\n%s", all)
	}
	containsAll(t, text, "seat for "+prefix+" 01", "seat for "+prefix+" 60")
	if strings.Count(all, "Description") < 2 {
		t.Errorf("table header is not repeated on the next page")
	}
	if !followedBy(text, "Total", formatMoney(o.TotalMinor, "USD")) {
		t.Errorf("total missing")
	}
}

func TestRenderRefuses(t *testing.T) {
	card := newOrder(models.PayByCard, nil, names3()...)
	inv := newOrder(models.PayByInvoice, nil, names3()...)
	noNow := document(Invoice, inv)
	noNow.Now = time.Time{}
	for _, tc := range []struct {
		name string
		o    models.Order
		doc  Document
	}{
		{"invoice without number", card, document(Invoice, card)},
		{"receipt of an unpaid order", inv, document(Receipt, inv)},
		{"no Now", inv, noNow},
		{"no kind", inv, Document{Now: created}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Render(tc.o, tc.doc); !errors.Is(err, models.ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}
