// Package invoice renders an order's invoice or receipt as a PDF. It is
// pure: everything it shows comes from the order and the Document, so the
// same input always gives the same bytes. Text goes through internal/pdfdoc,
// which prints names in any Latin, Greek or Cyrillic script.
package invoice

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hsworkshop/hsworkshop/models"
)

// Kind is the document to render.
type Kind int

// Document kinds.
const (
	// Invoice asks for payment of an invoice order (numbered INV-…); once
	// paid or voided it says so.
	Invoice Kind = iota + 1
	// Receipt confirms a payment, numbered by the order (HSW-…).
	Receipt
)

// String is the kind's name as printed on the document.
func (k Kind) String() string {
	switch k {
	case Invoice:
		return "Invoice"
	case Receipt:
		return "Receipt"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Seller is the business issuing the document.
type Seller struct {
	Name    string
	Address []string // one line each
	Email   string   // a bare address or "Name <address>"
}

// Document is what the PDF needs beyond the order.
type Document struct {
	Kind   Kind
	Seller Seller
	// IssuedAt is the document's date: the invoice's issue date, or the
	// payment date for a receipt.
	IssuedAt time.Time
	// DueAt is when an invoice must be paid (the seats are held until then).
	DueAt time.Time
	// PaymentInstructions are printed on invoices that have an amount due.
	PaymentInstructions string
	// SessionWhen is the session's date and time as shown elsewhere, e.g.
	// "Tue 8 Dec 2026, 09:00–16:30 CST"; empty formats the start time.
	SessionWhen string
	// Now stamps the PDF's creation and modification dates; required, so
	// that the output depends on nothing but the arguments.
	Now time.Time
}

// Render returns the PDF of o as doc.Kind. o needs its Attendees, Session
// (with Workshop) and DiscountCode loaded. Invoices need an invoice number
// and receipts a payment; otherwise the error wraps models.ErrInvalid.
func Render(o models.Order, doc Document) ([]byte, error) {
	return render(o, doc, true)
}

// row is one line of the table or of the totals under it.
type row struct {
	desc   string
	amount int64
	muted  bool // cancelled seats: printed grey
	strong bool // totals that matter: printed bold
}

// statement is everything the PDF prints, computed before any drawing so
// the arithmetic can be tested on its own.
type statement struct {
	title    string // "Invoice INV-000123" / "Receipt HSW-000042"
	stamp    string // "PAID", "VOID" or ""
	meta     [][2]string
	billTo   []string
	rows     []row // items; they add up to total
	total    int64
	summary  []row // below the total: payments, refunds, amount due
	notes    []string
	due      int64 // amount due on an invoice (0 when paid or void)
	currency string
}

// dateLayout and dueLayout print dates in the session's zone.
const (
	dateLayout = "2 Jan 2006"
	dueLayout  = "2 Jan 2006, 15:04 MST"
)

// buildStatement lays out the lines and totals of o. The item rows always
// add up to o.TotalMinor: seats at the unit price, the discount, then any
// credit for seats cancelled while the invoice was unpaid (which lowered
// the order's total) and the cancellation fee kept on them.
func buildStatement(o models.Order, doc Document) (statement, error) {
	st := statement{currency: o.Currency, total: o.TotalMinor}
	loc := o.Session.Location()
	switch doc.Kind {
	case Invoice:
		if o.InvoiceNumber == nil || *o.InvoiceNumber == "" {
			return st, fmt.Errorf("invoice of order %s: no invoice number: %w", o.Number(), models.ErrInvalid)
		}
		st.title = "Invoice " + *o.InvoiceNumber
		st.meta = append(st.meta, [2]string{"Invoice number", *o.InvoiceNumber}, [2]string{"Order", o.Number()})
		if !doc.IssuedAt.IsZero() {
			st.meta = append(st.meta, [2]string{"Issue date", doc.IssuedAt.In(loc).Format(dateLayout)})
		}
		if !doc.DueAt.IsZero() {
			st.meta = append(st.meta, [2]string{"Due date", doc.DueAt.In(loc).Format(dueLayout)})
		}
	case Receipt:
		if o.PaidAt == nil {
			return st, fmt.Errorf("receipt of order %s: not paid: %w", o.Number(), models.ErrInvalid)
		}
		st.title = "Receipt " + o.Number()
		issued := doc.IssuedAt
		if issued.IsZero() {
			issued = *o.PaidAt
		}
		st.meta = append(st.meta, [2]string{"Receipt for order", o.Number()}, [2]string{"Date", issued.In(loc).Format(dateLayout)})
		method := "Card"
		if o.PaymentMethod == models.PayByInvoice {
			method = "Invoice"
			if o.InvoiceNumber != nil {
				method += " " + *o.InvoiceNumber
			}
		}
		st.meta = append(st.meta, [2]string{"Payment", method})
	default:
		return st, fmt.Errorf("render document of order %s: unknown kind %d: %w", o.Number(), int(doc.Kind), models.ErrInvalid)
	}
	if o.PONumber != "" {
		st.meta = append(st.meta, [2]string{"PO number", o.PONumber})
	}

	st.billTo = nonEmpty(o.BuyerName, o.Company, firstNonEmpty(o.BillingEmail, o.BuyerEmail))
	st.rows = itemRows(o, doc, loc)

	money := func(m int64) string { return formatMoney(m, o.Currency) }
	paidOn := ""
	if o.PaidAt != nil {
		paidOn = o.PaidAt.In(loc).Format(dateLayout)
	}
	switch {
	case doc.Kind == Receipt:
		how := "by card"
		if o.PaymentMethod == models.PayByInvoice {
			how = "against invoice"
		}
		st.summary = append(st.summary, row{desc: "Amount paid " + how + " on " + paidOn, amount: o.TotalMinor})
		if o.RefundedMinor > 0 {
			st.summary = append(st.summary, row{desc: "Refunded", amount: -o.RefundedMinor},
				row{desc: "Net amount paid", amount: o.TotalMinor - o.RefundedMinor, strong: true})
		}
		if o.Status == models.OrderCancelled || o.Status == models.OrderRefunded {
			st.notes = append(st.notes, "This order was cancelled"+onDate(o.CancelledAt, loc)+". Refunds go back to the original payment method.")
		}
	case o.PaidAt != nil:
		st.stamp = "PAID"
		st.summary = append(st.summary, row{desc: "Paid on " + paidOn, amount: -o.TotalMinor},
			row{desc: "Amount due", amount: 0, strong: true})
		if o.RefundedMinor > 0 {
			st.notes = append(st.notes, money(o.RefundedMinor)+" has since been refunded.")
		}
	case o.Status == models.OrderPendingInvoice:
		st.due = o.TotalMinor
		st.summary = append(st.summary, row{desc: "Amount due", amount: o.TotalMinor, strong: true})
		if !doc.DueAt.IsZero() {
			st.notes = append(st.notes, "Please pay by "+doc.DueAt.In(loc).Format(dueLayout)+
				". The seats are held until then; an unpaid invoice expires and its seats are released.")
		}
	default: // cancelled, expired or refunded before payment
		st.stamp = "VOID"
		st.summary = append(st.summary, row{desc: "Amount due", amount: 0, strong: true})
		why := "This invoice is void: the order was cancelled" + onDate(o.CancelledAt, loc) + ". Nothing is due."
		if o.Status == models.OrderExpired {
			why = "This invoice is void: it was not paid by its due date and the seats were released. Nothing is due."
		}
		st.notes = append(st.notes, why)
	}
	if o.EarlyBird {
		st.notes = append(st.notes, "Seats are at the early-bird price.")
	}
	return st, nil
}

// itemRows lists the seats, the discount and any credit, adding up to
// o.TotalMinor.
func itemRows(o models.Order, doc Document, loc *time.Location) []row {
	title := firstNonEmpty(o.Session.Workshop.Title, "Workshop")
	when := doc.SessionWhen
	if when == "" && !o.Session.StartsAt.IsZero() {
		when = o.Session.StartsAt.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
	}
	what := title
	if when != "" {
		what += " — " + when
	}
	money := func(m int64) string { return formatMoney(m, o.Currency) }

	attendees := slices.Clone(o.Attendees)
	slices.SortStableFunc(attendees, func(a, b models.Attendee) int { return a.Position - b.Position })
	credited := creditedAttendees(o, attendees)

	var rows []row
	var sum int64
	if len(attendees) == 0 {
		// No attendee list loaded: one line for all seats.
		rows = append(rows, row{desc: fmt.Sprintf("%s — %d × %s", what, o.Seats, money(o.UnitPriceMinor)), amount: o.SubtotalMinor})
		sum = o.SubtotalMinor
	}
	for _, a := range attendees {
		r := row{desc: what + " — seat for " + a.Name, amount: o.UnitPriceMinor}
		if a.Status == models.AttendeeCancelled {
			r.muted = true
			switch {
			case credited[a.ID]:
				r.desc += " (cancelled; credited below)"
			case a.RefundMinor > 0:
				r.desc += " (cancelled; " + money(a.RefundMinor) + " refunded)"
			default:
				r.desc += " (cancelled)"
			}
		}
		rows = append(rows, r)
		sum += r.amount
	}
	if o.DiscountMinor != 0 {
		label := "Discount"
		if d := o.DiscountCode; d != nil {
			label = "Discount " + d.Code + " (" + d.Label() + ")"
		}
		rows = append(rows, row{desc: label, amount: -o.DiscountMinor})
		sum -= o.DiscountMinor
	}

	// What the seats and discount come to, less the order's total, is the
	// credit given for seats cancelled before payment (net of their fee).
	reduction := sum - o.TotalMinor
	if reduction == 0 {
		return rows
	}
	var credit int64
	var names []string
	for _, a := range attendees {
		if credited[a.ID] {
			credit += a.PriceMinor
			names = append(names, a.Name)
		}
	}
	fee := credit - reduction
	if len(names) == 0 || fee < 0 {
		// Nothing explains the difference line by line: show it as one
		// adjustment rather than print a total the lines don't reach.
		return append(rows, row{desc: "Adjustment", amount: -reduction})
	}
	label := "Credit for cancelled seat: "
	if len(names) > 1 {
		label = "Credit for cancelled seats: "
	}
	rows = append(rows, row{desc: label + strings.Join(names, ", "), amount: -credit})
	if fee > 0 {
		rows = append(rows, row{desc: "Cancellation fee", amount: fee})
	}
	return rows
}

// creditedAttendees are the seats whose cancellation lowered the invoice:
// on an invoice order, cancelled one by one before the invoice was paid
// (models.CancelAttendee). A seat cancelled with the whole order voids the
// invoice instead, and one cancelled after payment is refunded.
func creditedAttendees(o models.Order, attendees []models.Attendee) map[uint]bool {
	out := map[uint]bool{}
	if o.PaymentMethod != models.PayByInvoice {
		return out
	}
	for _, a := range attendees {
		if a.Status != models.AttendeeCancelled || a.CancelledAt == nil {
			continue
		}
		if o.PaidAt != nil && !a.CancelledAt.Before(*o.PaidAt) {
			continue
		}
		if o.CancelledAt != nil && !a.CancelledAt.Before(*o.CancelledAt) {
			continue
		}
		out[a.ID] = true
	}
	return out
}

// formatMoney prints an amount like models.Money but with an ASCII minus,
// which Windows-1252 has: a discount then keeps the invoice in the cheap
// core font (see internal/pdfdoc).
func formatMoney(minor int64, currency string) string {
	return strings.ReplaceAll(models.Money{Minor: minor, Currency: currency}.String(), "−", "-")
}

func onDate(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return " on " + t.In(loc).Format(dateLayout)
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
