//go:build browser

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyDeskPartialRefund: a visitor books two seats by invoice; the
// admin finds the order on the payments desk by the buyer's email, marks
// the invoice paid with a bank reference (after one rejected empty
// reference), refunds part of it (after one rejected amount above what
// was paid), and sees the refund and its history. The reports and users
// pages are visited too, and the desk is checked at phone width (with the
// per-attendee move control open). Last, the admin moves the second
// attendee to another session of the workshop.
func TestJourneyDeskPartialRefund(t *testing.T) {
	srv := startServer(t)

	v := newBrowser(t, srv)
	v.Step("book-by-invoice")
	v.mustOpen("/sessions")
	if got := v.follow("click the first session", chromedp.Click(chromedp.CSS(".session-row h2 a"))); got != http.StatusOK {
		v.fatalf("session page: got status %d, want 200", got)
	}
	v.clickRegister()
	if got := v.open(v.path() + "?seats=2"); got != http.StatusOK {
		v.fatalf("register page for 2: got status %d, want 200", got)
	}
	v.typeInto("f-attendee_name_1", "Rosa Parks")
	v.typeInto("f-attendee_email_1", "rosa@customs-desk.example.com")
	v.typeInto("f-attendee_name_2", "Cesar Chavez")
	v.typeInto("f-attendee_email_2", "cesar@customs-desk.example.com")
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

	p.Step("narrow-desk-order-move")
	if got := p.open(orderPath); got != http.StatusOK {
		p.fatalf("GET %s: got status %d, want 200", orderPath, got)
	}
	p.run(chromedp.Click(chromedp.Search(`//li[contains(., "Cesar Chavez")]//details/summary`)))
	p.checkNoSideScroll(orderPath + " (move control open)")
	p.shot("narrow-desk-order-move")

	a.Step("move-attendee")
	if got := a.open(orderPath); got != http.StatusOK {
		a.fatalf("GET %s: got status %d, want 200", orderPath, got)
	}
	cesar := `//li[contains(., "Cesar Chavez")]`
	a.run(chromedp.Click(chromedp.Search(cesar + `//details/summary`)))
	target, ok := a.attr(`details.attendee-move[open] select option:nth-child(2)`, "value")
	if !ok {
		a.fatalf("move control: no other session of the workshop to move to")
	}
	sel := `details.attendee-move[open] select`
	a.run(chromedp.SetValue(chromedp.CSS(sel), target))
	a.shot("desk-order-move")
	got := a.follow(`click "Move Cesar Chavez"`, chromedp.Click(chromedp.Search(cesar+`//button[normalize-space()="Move Cesar Chavez"]`)))
	if got == http.StatusUnprocessableEntity {
		// The other session is priced differently: the form comes back with
		// the message beside the box; confirm and send again.
		if msg, _ := a.text(`details.attendee-move[open] .field-error`); !strings.Contains(msg, "Tick the box") {
			a.fatalf("move refused: got %q, want the price-difference message", msg)
		}
		a.visited("move with a price difference")
		a.shot("desk-order-move-difference")
		a.run(chromedp.Click(chromedp.CSS(`details.attendee-move[open] input[name="accept_difference"]`)))
		got = a.follow(`click "Move Cesar Chavez" again`, chromedp.Click(chromedp.Search(cesar+`//button[normalize-space()="Move Cesar Chavez"]`)))
	}
	if got != http.StatusOK {
		a.fatalf("move: got status %d, want 200 after the redirect", got)
	}
	a.checkFlash("The attendee was moved: their seat is now an order of its own (see the history) and this order keeps the payment. The attendee and the buyer are emailed the new invite.")
	history = strings.Join(a.texts(".desk-history li"), "\n")
	if !containsAll(history, "Staff: order.move_attendee", "Cesar Chavez (cesar@customs-desk.example.com) moved from session") {
		a.errorf("history: got %q, want the move", history)
	}
	if _, ok := a.text("details.attendee-move"); ok {
		a.errorf("one seat left: the per-attendee move is still offered")
	}
	a.visited("order after moving an attendee")
	a.shot("desk-order-moved")
}
