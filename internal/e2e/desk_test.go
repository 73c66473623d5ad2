//go:build browser

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyDeskPartialRefund: a visitor books one seat by invoice; the
// admin finds the order on the payments desk by the buyer's email, marks
// the invoice paid with a bank reference (after one rejected empty
// reference), refunds part of it (after one rejected amount above what
// was paid), and sees the refund and its history. The reports and users
// pages are visited too, and the desk is checked at phone width.
func TestJourneyDeskPartialRefund(t *testing.T) {
	srv := startServer(t)

	v := newBrowser(t, srv)
	v.Step("book-by-invoice")
	v.mustOpen("/sessions")
	if got := v.follow("click the first session", chromedp.Click(chromedp.CSS(".session-row h2 a"))); got != http.StatusOK {
		v.fatalf("session page: got status %d, want 200", got)
	}
	v.clickRegister()
	v.typeInto("f-attendee_name_1", "Rosa Parks")
	v.typeInto("f-attendee_email_1", "rosa@customs-desk.example.com")
	v.placeInvoiceOrder(srv, "Rosa Parks", "rosa@customs-desk.example.com", "Parks Brokerage")
	total := v.orderTotal()

	a := newBrowser(t, srv)
	a.Step("admin-login")
	a.openAndLogIn(adminEmail, adminPassword)

	a.Step("desk-search")
	a.mustOpen("/admin/desk/orders")
	a.typeInto("f-q", "rosa@customs-desk.example.com")
	if got := a.follow(`click "Find orders"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Find orders"]`))); got != http.StatusOK {
		a.fatalf("search: got status %d, want 200", got)
	}
	rows := a.texts("main table tbody tr")
	if len(rows) != 1 || !containsAll(rows[0], "Rosa Parks", "Parks Brokerage", "Invoice") {
		a.fatalf("search results: got %q, want Rosa Parks's one order", rows)
	}
	a.visited("desk orders")
	a.shot("desk-orders")

	a.Step("desk-order")
	if got := a.follow("open the order", chromedp.Click(chromedp.CSS("main table tbody tr a"))); got != http.StatusOK {
		a.fatalf("order page: got status %d, want 200", got)
	}
	if _, ok := a.text(`form[action$="/refund"]`); ok {
		a.errorf("unpaid invoice: a refund form is shown, want none")
	}

	a.Step("mark-paid-empty")
	if got := a.follow(`click "Mark paid"`, chromedp.Click(chromedp.CSS(`form[action$="/mark-paid"] button`))); got != http.StatusUnprocessableEntity {
		a.errorf("mark paid without a reference: got status %d, want 422", got)
	}
	if got, _ := a.text("#f-reference-error"); !strings.Contains(got, "reference") {
		a.errorf("reference error: got %q, want a message beside the field", got)
	}
	a.visited("order with a field error")

	a.Step("mark-paid")
	a.typeInto("f-reference", "WIRE 20261127-5521")
	if got := a.follow(`click "Mark paid"`, chromedp.Click(chromedp.CSS(`form[action$="/mark-paid"] button`))); got != http.StatusOK {
		a.fatalf("mark paid: got status %d, want 200 after the redirect", got)
	}
	a.checkFlash("The invoice is marked paid and the confirmations are queued.")
	if got := a.mustText("main .lead"); !strings.Contains(got, "Confirmed") {
		a.errorf("status after marking paid: got %q, want Confirmed", got)
	}

	a.Step("refund-too-much")
	a.typeInto("f-amount", fmt.Sprintf("%d.01", total/100))
	a.typeInto("f-reason", "Left after the morning")
	if got := a.follow(`click "Refund"`, chromedp.Click(chromedp.CSS(`form[action$="/refund"] button`))); got != http.StatusUnprocessableEntity {
		a.errorf("refund above the payment: got status %d, want 422", got)
	}
	if got, _ := a.text("#f-amount-error"); !strings.Contains(got, "more than what was paid") {
		a.errorf("amount error: got %q, want the over-refund message", got)
	}

	a.Step("refund-partial")
	a.setValue("f-amount", "") // the rejected amount is shown again; replace it
	a.typeInto("f-amount", "150.00")
	if got := a.follow(`click "Refund"`, chromedp.Click(chromedp.CSS(`form[action$="/refund"] button`))); got != http.StatusOK {
		a.fatalf("refund: got status %d, want 200 after the redirect", got)
	}
	a.checkFlash("The refund is recorded. Card refunds go to Stripe now; a failure is retried and shows in the queue.")
	if got := a.mustText("main .lead"); !strings.Contains(got, "refunded $150.00") {
		a.errorf("order summary: got %q, want refunded $150.00", got)
	}
	refunds := a.texts("main table tbody tr")
	if len(refunds) != 1 || !containsAll(refunds[0], "$150.00", "Left after the morning", "succeeded") {
		a.errorf("refunds table: got %q, want the $150.00 refund, succeeded", refunds)
	}
	history := strings.Join(a.texts(".desk-history li"), "\n")
	if !containsAll(history, "Order placed", "Invoice payment recorded", "WIRE 20261127-5521", "Staff: order.refund", "Staff: order.mark_paid") {
		a.errorf("history: got %q, want the payment, its reference and both staff actions", history)
	}
	a.visited("order after a partial refund")
	a.shot("desk-order")
	orderPath := a.path()

	a.Step("reports")
	a.mustOpen("/admin/reports")
	if n := len(a.texts("figure.chart svg")); n < 3 {
		a.errorf("charts: got %d, want at least 3", n)
	}
	a.visited("reports")
	a.shot("reports")

	a.Step("users")
	a.mustOpen("/admin/users")
	a.visited("users")
	a.shot("users")

	p := newPhoneBrowser(t, srv)
	p.Step("phone-login")
	p.openAndLogIn(adminEmail, adminPassword)
	p.checkNarrow("desk-orders", "/admin/desk/orders")
	p.checkNarrow("desk-order", orderPath)
	p.checkNarrow("reports", "/admin/reports")
	p.checkNarrow("users", "/admin/users")
	p.checkNarrow("discounts", "/admin/desk/discounts")
}
