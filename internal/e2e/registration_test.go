//go:build browser

package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

var (
	// amountRe reads a rendered amount such as $1,140.00 or −$50.00.
	amountRe = regexp.MustCompile(`^−?[^\d\s−]*\s?(\d{1,3}(?:,\d{3})*)\.(\d{2})$`)
	// invoiceRe finds the invoice number in the order page's eyebrow.
	invoiceRe = regexp.MustCompile(`Invoice (INV-\d+)`)
	// orderPathRe matches the path of an order page.
	orderPathRe = regexp.MustCompile(`^/orders/[A-Za-z0-9_-]{16,40}$`)
	// seatsTakenRe reads the admin session page's "22 of 24 seats taken".
	seatsTakenRe = regexp.MustCompile(`(\d+) of (\d+) seats taken`)
)

// The second attendee of the registration journey; the first is the
// learner of journey_test.go, who is also the buyer.
const (
	colleagueName  = "Charles Babbage"
	colleagueEmail = "charles@analytical.example.com"
	poNumber       = "PO-4471"
	colleagueNeeds = "Step-free access and a large-print handout, please."
	discountCode   = "BROKER50" // the demo seed's $50-off code, for USD sessions
)

var (
	// continueButton places the order; applyButton only re-prices it.
	continueButton = chromedp.CSS(`form.register-form button[name="action"][value="place"]`)
	applyButton    = chromedp.CSS(`form.register-form button[name="action"][value="apply_code"]`)
)

// pickSessionJS returns the first catalog row that can take the journey: a
// USD session (the demo discount code is in dollars) with two seats left
// that starts more than nine days from now, since the demo sessions can be
// cancelled until seven days before they start.
const pickSessionJS = `(() => {
  const after = Date.now() + 9 * 24 * 3600 * 1000;
  for (const row of document.querySelectorAll(".session-row")) {
    const a = row.querySelector("h2 a"), t = row.querySelector("time[datetime]");
    const price = row.querySelector(".price"), seats = row.querySelector(".seats");
    if (!a || !t || !price || !seats) continue;
    const left = seats.textContent.match(/(\d+) seats? left/);
    if (!left || Number(left[1]) < 2) continue;
    if (new Date(t.getAttribute("datetime")).getTime() < after) continue;
    if (!/(^|\s)\$\d/.test(price.textContent.trim())) continue;
    return {href: a.getAttribute("href"), title: a.textContent.trim()};
  }
  return null;
})()`

// pickedSession is the result of pickSessionJS.
type pickedSession struct {
	Href  string `json:"href"`
	Title string `json:"title"`
}

// TestJourneyRegisterInvoiceAndCancel signs up, registers two people for
// a session with a discount code and invoice payment (after one rejected
// submission), downloads the invoice, finds the order under "My
// registrations", cancels one attendee, and audits every page with axe-core.
// It ends by checking the register and order pages on a phone screen.
func TestJourneyRegisterInvoiceAndCancel(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv)

	b.Step("signup")
	// The buyer signs up first, with the address they then buy with, so the
	// order shows under "My registrations" and the form comes prefilled.
	b.mustOpen("/signup")
	b.signUp(learnerName, learnerEmail, learnerCompany, learnerPassword)
	b.checkFlash("We have emailed you a link to confirm your address. Registrations made under it appear once it is confirmed.")

	b.Step("confirm-address")
	// A proven address lets the order show under "My registrations" and
	// skips the emailed order confirmation (issue 8).
	b.confirmAddress(srv, learnerEmail)

	b.Step("catalog")
	b.clickNav("Sessions")
	pick := eval[*pickedSession](b, pickSessionJS)
	if pick == nil {
		b.fatalf("catalog: no USD session with 2 seats left starting in more than 9 days")
	}

	b.Step("session")
	link := chromedp.CSS(fmt.Sprintf(`.session-row h2 a[href=%s]`, jsString(pick.Href)))
	if got := b.follow("click the session "+pick.Href, chromedp.Click(link)); got != http.StatusOK {
		b.fatalf("session page: got status %d, want 200", got)
	}
	if got := b.mustText("main h1"); got != pick.Title {
		b.errorf("session heading: got %q, want %q", got, pick.Title)
	}
	b.visited("session")

	b.Step("register")
	registerPath := pick.Href + "/register"
	b.clickRegister()
	if got := b.path(); got != registerPath {
		b.errorf("register path: got %q, want %q", got, registerPath)
	}
	if got, want := b.mustText("main h1"), "Register for "+pick.Title; got != want {
		b.errorf("register heading: got %q, want %q", got, want)
	}
	b.checkAttendeeRows(1)
	for id, want := range map[string]string{
		"f-attendee_name_1": learnerName, "f-attendee_email_1": learnerEmail,
		"f-buyer_name": learnerName, "f-buyer_email": learnerEmail, "f-buyer_company": learnerCompany,
	} {
		if got := b.value(id); got != want {
			b.errorf("#%s prefilled from the account: got %q, want %q", id, got, want)
		}
	}
	b.visited("register page")
	b.shot("register")

	b.Step("two-attendees")
	// A keyboard user tabs to the select and types 2; app.js submits the
	// form through "Update attendees", which shows two attendee blocks and
	// keeps what was typed.
	b.run(chromedp.Focus(chromedp.ID("f-seats-choose")))
	if got := b.follow(`type 2 in "Number of attendees"`, chromedp.SendKeys(chromedp.ID("f-seats-choose"), "2")); got != http.StatusOK {
		b.fatalf("register page for 2: got status %d, want 200", got)
	}
	b.checkAttendeeRows(2)
	if got, want := b.value("f-attendee_name_1"), learnerName; got != want {
		b.errorf("attendee 1 after changing the count: got %q, want %q (typed values are kept)", got, want)
	}
	if got := b.value("f-seats-choose"); got != "2" {
		b.errorf("#f-seats-choose after the reload: got %q, want 2", got)
	}

	b.Step("apply-code")
	b.typeInto("f-attendee_name_2", colleagueName)
	// The second attendee's email is left out on purpose: see submit-errors.
	b.typeInto("f-po_number", poNumber)
	b.typeInto("f-discount_code", strings.ToLower(discountCode))
	if got := b.follow(`click "Apply"`, chromedp.Click(applyButton)); got != http.StatusOK {
		b.fatalf("apply code: got status %d, want 200", got)
	}
	if got := b.texts(".field-error"); len(got) != 0 {
		b.errorf("apply code: got field errors %q, want none (only the code is checked)", got)
	}
	if got, want := b.mustText(`.register-form [role="status"]`), "Code applied."; got != want {
		b.errorf("code status: got %q, want %q", got, want)
	}
	total := b.checkPriceTable(2, true)
	for id, want := range map[string]string{"f-attendee_name_2": colleagueName, "f-po_number": poNumber, "f-discount_code": discountCode} {
		if got := b.value(id); got != want {
			b.errorf("#%s after applying the code: got %q, want %q", id, got, want)
		}
	}
	b.visited("register page with a code")
	b.shot("register-code")

	b.Step("submit-errors")
	invoice := chromedp.CSS(`input[name="payment_method"][value="invoice"]`)
	b.run(chromedp.Click(invoice), chromedp.Click(chromedp.CSS(`input[name="terms"]`)))
	if n := len(b.texts(`input[name="payment_method"][value="card"]`)); n != 0 {
		b.errorf("card option: got %d, want none without Stripe", n)
	}
	if got := b.follow(`click "Continue"`, chromedp.Click(continueButton)); got != http.StatusUnprocessableEntity {
		b.fatalf("submit without the second email: got status %d, want 422", got)
	}
	b.checkFieldError("attendee_email_2", "Enter the attendee's email address.")
	if got := b.texts(".field-error"); len(got) != 1 {
		b.errorf("field errors: got %q, want only the second attendee's email", got)
	}
	if got, want := b.mustText(`.register-form [role="alert"]`), "Please correct the fields marked below."; got != want {
		b.errorf("form alert: got %q, want %q", got, want)
	}
	if got := b.checkPriceTable(2, true); got != total {
		b.errorf("total after the rejected form: got %d cents, want %d", got, total)
	}
	if !eval[bool](b, `document.querySelector('input[name="payment_method"][value="invoice"]').checked && document.querySelector('input[name="terms"]').checked`) {
		b.errorf("invoice and terms after the rejected form: want both still checked")
	}
	b.visited("register page with errors")
	b.shot("register-errors")

	b.Step("place-order")
	b.typeInto("f-attendee_email_2", colleagueEmail)
	b.typeInto("f-attendee_needs_2", colleagueNeeds)
	if got := b.follow(`click "Continue"`, chromedp.Click(continueButton)); got != http.StatusOK {
		b.fatalf("place order: got status %d, want 200 after the redirect", got)
	}
	orderPath := b.path()
	if !orderPathRe.MatchString(orderPath) {
		b.fatalf("order path: got %q, want /orders/<ref>", orderPath)
	}
	b.checkOrderStatus("Invoice issued — awaiting payment")
	m := invoiceRe.FindStringSubmatch(b.mustText("main .eyebrow"))
	if m == nil {
		b.errorf("order eyebrow: got %q, want an invoice number INV-…", b.mustText("main .eyebrow"))
	}
	b.checkAttendee(learnerName, learnerEmail, "Invoice issued — awaiting payment")
	b.checkAttendee(colleagueName, colleagueEmail, "Invoice issued — awaiting payment")
	if got := b.texts(".attendee-needs"); len(got) != 1 || !strings.HasSuffix(got[0], colleagueNeeds) {
		b.errorf("needs on the order page: got %q, want the colleague's %q only", got, colleagueNeeds)
	}
	if got := b.orderTotal(); got != total {
		b.errorf("order total: got %d cents, want the quoted %d", got, total)
	}
	if got := b.mustText(".detail-side .facts"); !strings.Contains(got, poNumber) || !strings.Contains(got, discountCode) {
		b.errorf("order summary: got %q, want the PO number %s and the code %s", got, poNumber, discountCode)
	}
	b.visited("order page")
	b.shot("order")

	b.Step("admin-roster")
	// The session's staff see the needs on the roster; a second browser is
	// the admin.
	a := newBrowser(t, srv)
	if got := a.open("/login"); got != http.StatusOK {
		a.fatalf("GET /login: got %d", got)
	}
	a.logIn(adminEmail, adminPassword)
	if got := a.open("/staff" + pick.Href + "/roster"); got != http.StatusOK {
		a.fatalf("roster: got %d", got)
	}
	if got := strings.Join(a.texts("main table tbody tr"), "\n"); !strings.Contains(got, colleagueName) || !strings.Contains(got, colleagueNeeds) {
		a.errorf("roster: got %q, want %s with %q", got, colleagueName, colleagueNeeds)
	}
	a.visited("roster with needs")
	a.shot("roster-needs")
	if got := a.open("/staff" + pick.Href + "/sign-in"); got != http.StatusOK {
		a.fatalf("sign-in sheet: got %d", got)
	}
	if got := a.texts(".signin-needs tbody tr"); len(got) != 1 || !strings.Contains(got[0], colleagueNeeds) {
		a.errorf("sign-in sheet's staff page: got %q, want the colleague's needs only", got)
	}
	if got := strings.Join(a.texts(".signin-table:not(.signin-needs *) tbody tr"), "|"); strings.Contains(got, colleagueNeeds) {
		a.errorf("the signature page shows needs: %q", got)
	}
	a.visited("sign-in sheet with needs")
	a.shot("signin-needs")

	b.Step("invoice-pdf")
	if m != nil {
		href, ok := b.attr(`.doc-links a[href$="/invoice.pdf"]`, "href")
		if !ok {
			b.fatalf("no invoice link on the order page")
		}
		if got, want := b.mustText(`.doc-links a[href$="/invoice.pdf"]`), "Invoice "+m[1]+" (PDF)"; got != want {
			b.errorf("invoice link: got %q, want %q", got, want)
		}
		pdf := b.fetch(href)
		if pdf.Status != http.StatusOK || pdf.Type != "application/pdf" || pdf.Head != "%PDF-" {
			b.errorf("GET %s: got status %d, type %q, first bytes %q; want 200, application/pdf, %%PDF-", href, pdf.Status, pdf.Type, pdf.Head)
		}
		if want := m[1] + ".pdf"; !strings.Contains(pdf.Disposition, "attachment") || !strings.Contains(pdf.Disposition, want) {
			b.errorf("invoice Content-Disposition: got %q, want an attachment named %s", pdf.Disposition, want)
		}
	}

	b.Step("my-registrations")
	b.clickNav("My registrations")
	if got, want := b.mustText("main h1"), "My registrations"; got != want {
		b.errorf("my registrations heading: got %q, want %q", got, want)
	}
	rows := b.texts(".session-row")
	if len(rows) != 1 {
		b.fatalf("my registrations: got %d rows %q, want the 1 order", len(rows), rows)
	}
	mine := chromedp.CSS(fmt.Sprintf(`.session-row a[href=%s]`, jsString(orderPath)))
	if got, want := b.mustText(".session-row .status-chip"), "Invoice issued — awaiting payment"; got != want {
		b.errorf("order status in the list: got %q, want %q", got, want)
	}
	if got := b.mustText(".session-row .meta"); !strings.Contains(got, "2 attendees") {
		b.errorf("order line: got %q, want it to say 2 attendees", got)
	}
	b.visited("my registrations")
	b.shot("my-registrations")
	if got := b.follow("click the order", chromedp.Click(mine)); got != http.StatusOK {
		b.fatalf("order from the list: got status %d, want 200", got)
	}
	if got := b.path(); got != orderPath {
		b.errorf("order from the list: got path %q, want %q", got, orderPath)
	}

	b.Step("cancel-attendee")
	cancel := chromedp.Search(fmt.Sprintf(`//main//button[normalize-space()=%s]`, xpathString("Cancel "+colleagueName)))
	if got := b.follow(`click "Cancel `+colleagueName+`"`, chromedp.Click(cancel)); got != http.StatusOK {
		b.fatalf("cancel attendee: got status %d, want 200 after the redirect", got)
	}
	if got := b.path(); got != orderPath {
		b.errorf("after cancelling: got path %q, want the order %q", got, orderPath)
	}
	b.checkFlash("The attendee has been cancelled. A confirmation is on its way by email.")
	b.checkAttendee(colleagueName, colleagueEmail, "Cancelled")
	b.checkAttendee(learnerName, learnerEmail, "Invoice issued — awaiting payment")
	// The total is shared out between the seats (cent by cent), so one of
	// two seats is half of it, give or take a cent.
	if got := b.orderTotal(); 2*got < total-1 || 2*got > total+1 {
		b.errorf("revised total: got %d cents, want about half of %d", got, total)
	}
	if n := len(b.texts(`main table button`)); n != 0 {
		b.errorf("cancel buttons with one attendee left: got %d, want 0 (the whole order is cancelled instead)", n)
	}
	b.visited("order page after cancelling an attendee")
	b.shot("order-cancelled-attendee")

	// A guest on a phone sees the same pages without sideways scrolling.
	p := newPhoneBrowser(t, srv)
	p.checkNarrow("register", registerPath+"?seats=2")
	p.checkNarrow("order", orderPath)
	// And the admin's roster on a phone.
	ap := newPhoneBrowser(t, srv)
	if got := ap.open("/login"); got != http.StatusOK {
		ap.fatalf("GET /login: got %d", got)
	}
	ap.logIn(adminEmail, adminPassword)
	ap.checkNarrow("roster", "/staff"+pick.Href+"/roster")
}

// TestWaitlistWhenSoldOut has a visitor book the last seats of the
// nearly-full demo session, then another join its waiting list; an admin
// sees the invoice to collect, the order and the waiting list.
func TestWaitlistWhenSoldOut(t *testing.T) {
	srv := startServer(t)
	admin := newBrowser(t, srv)

	admin.Step("admin-login")
	admin.openAndLogIn(adminEmail, adminPassword)
	admin.clickNav("Admin")
	// The session with the fewest seats left: Capacity − Taken, columns 6 and 5.
	href := eval[string](admin, `(() => {
	  let best = "", least = Infinity;
	  for (const tr of document.querySelectorAll("main table tbody tr")) {
	    const c = tr.cells, a = tr.querySelector("a");
	    if (c.length < 7 || !a || c[3].textContent.trim() !== "published") continue;
	    const left = Number(c[5].textContent) - Number(c[4].textContent);
	    if (left > 0 && left < least) { least = left; best = a.getAttribute("href"); }
	  }
	  return best;
	})()`)
	if href == "" {
		admin.fatalf("admin dashboard: no published session with seats left")
	}
	if got := admin.follow("click the fullest session", chromedp.Click(chromedp.CSS(fmt.Sprintf(`main table a[href=%s]`, jsString(href))))); got != http.StatusOK {
		admin.fatalf("admin session page: got status %d, want 200", got)
	}
	taken, capacity := admin.seatsTaken()
	left := capacity - taken
	if left < 1 || left > 3 {
		admin.fatalf("fullest demo session: got %d seats left, want the nearly-full one (2)", left)
	}
	id := strings.TrimPrefix(href, "/admin/sessions/")
	sessionPath := "/sessions/" + id

	v := newBrowser(t, srv)
	v.Step("book-the-rest")
	v.mustOpen(sessionPath)
	if got, want := v.mustText(".detail-side .seats"), fmt.Sprintf("Only %d %s left", left, plural(left, "seat", "seats")); got != want {
		v.errorf("seats: got %q, want %q", got, want)
	}
	v.clickRegister()
	if left > 1 {
		// Without app.js the "Update attendees" button reloads the form. The
		// value is set without a change event (chromedp.SetValue sends one),
		// so app.js stays out of it.
		v.run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById("f-seats-choose").value = "%d"`, left)))
		if got := v.follow(`click "Update attendees"`, chromedp.Click(chromedp.Search(`//button[normalize-space()="Update attendees"]`))); got != http.StatusOK {
			v.fatalf("register page for %d: got status %d, want 200", left, got)
		}
	}
	v.checkAttendeeRows(left)
	for i := 1; i <= left; i++ {
		v.typeInto(fmt.Sprintf("f-attendee_name_%d", i), fmt.Sprintf("Attendee %d", i))
		v.typeInto(fmt.Sprintf("f-attendee_email_%d", i), fmt.Sprintf("attendee%d@freight.example.com", i))
	}
	v.placeInvoiceOrder(srv, "Grace Hopper", "grace@freight.example.com", "Freight Forward Inc")

	v.Step("sold-out")
	v.mustOpen(sessionPath)
	if got := v.mustText(".detail-side .seats"); got != "Sold out" {
		v.errorf("seats after booking the rest: got %q, want Sold out", got)
	}
	if _, ok := v.text(`.detail-side a[href$="/register"]`); ok {
		v.errorf("sold-out session: a Register link is shown, want none")
	}
	if got := v.follow(`click "Join the waiting list"`, chromedp.Click(chromedp.Search(`//aside//a[normalize-space()="Join the waiting list"]`))); got != http.StatusOK {
		v.fatalf("waiting-list page: got status %d, want 200", got)
	}
	if got, want := v.mustText("main h1"), "Join the waiting list"; got != want {
		v.errorf("waiting-list heading: got %q, want %q", got, want)
	}
	v.visited("waiting-list page")
	v.shot("waitlist")

	v.Step("join")
	v.typeInto("f-name", "Alan Turing")
	v.typeInto("f-email", "alan@bletchley.example.com")
	v.run(chromedp.SetValue(chromedp.ID("f-seats"), "2"))
	if got := v.follow(`click "Join the waiting list"`, chromedp.Click(chromedp.Search(`//main//form//button[normalize-space()="Join the waiting list"]`))); got != http.StatusOK {
		v.fatalf("join: got status %d, want 200 after the redirect", got)
	}
	if got := v.path(); got != sessionPath {
		v.errorf("after joining: got path %q, want %q", got, sessionPath)
	}
	v.checkFlash("You are on the waiting list. We will email you as soon as seats free up.")
	v.visited("session page after joining the waiting list")

	admin.Step("admin-session")
	admin.mustOpen(href)
	if taken, capacity := admin.seatsTaken(); taken != capacity {
		admin.errorf("seats after the booking: got %d of %d taken, want all", taken, capacity)
	}
	if got := admin.texts("main table tbody tr"); !containsAll(strings.Join(got, "\n"), "Grace Hopper", "Alan Turing", "alan@bletchley.example.com") {
		admin.errorf("admin session tables: got %q, want the order of Grace Hopper and Alan Turing waiting", got)
	}
	admin.visited("admin session page")
	admin.shot("admin-session")

	admin.Step("admin-orders")
	admin.clickNav("Admin")
	if got := admin.follow(`click "Payments" in the admin menu`, chromedp.Click(chromedp.Search(`//nav[@aria-label="Admin"]//a[normalize-space()="Payments"]`))); got != http.StatusOK {
		admin.fatalf("admin orders: got status %d, want 200", got)
	}
	if got := admin.mustText("main table tbody"); !containsAll(got, "Grace Hopper", "Mark paid") {
		admin.errorf("admin orders: got %.300q, want Grace Hopper's invoice with a Mark paid button", got)
	}
	admin.visited("admin orders page")
	admin.shot("admin-orders")

	p := newPhoneBrowser(t, srv)
	p.checkNarrow("waitlist", sessionPath+"/waitlist")
}

// checkAttendeeRows checks the number of attendee blocks on the register page.
func (b *browser) checkAttendeeRows(want int) {
	b.t.Helper()
	if got := len(b.texts(".register-form .attendee-row")); got != want {
		b.errorf("attendee blocks: got %d, want %d", got, want)
	}
	for i := 1; i <= want; i++ {
		for _, f := range []string{"name", "email"} {
			if _, ok := b.attr(fmt.Sprintf("#f-attendee_%s_%d", f, i), "name"); !ok {
				b.errorf("attendee %d: no #f-attendee_%s_%d", i, f, i)
			}
		}
	}
}

// checkPriceTable checks the register page's price table: seats × unit,
// the $50 code line when withCode, and a total that adds up. It returns the
// total in cents.
func (b *browser) checkPriceTable(seats int, withCode bool) int64 {
	b.t.Helper()
	rows := eval[[][2]string](b, `Array.from(document.querySelectorAll(".price-table tr"), r => [
	  r.cells[0].textContent.replace(/\s+/g, " ").trim(), r.cells[1].textContent.replace(/\s+/g, " ").trim()])`)
	want := 2
	if withCode {
		want = 3
	}
	if len(rows) != want {
		b.errorf("price table: got rows %q, want %d", rows, want)
		return 0
	}
	if !strings.HasPrefix(rows[0][0], strconv.Itoa(seats)+" × ") {
		b.errorf("price table first row: got %q, want %d × the seat price", rows[0][0], seats)
	}
	sub := b.cents(rows[0][1])
	var off int64
	if withCode {
		if !strings.Contains(rows[1][0], discountCode) {
			b.errorf("discount row: got %q, want it to name %s", rows[1][0], discountCode)
		}
		if got, want := rows[1][1], "−$50.00"; got != want {
			b.errorf("discount amount: got %q, want %q", got, want)
		}
		off = 5000
	}
	last := rows[len(rows)-1]
	total := b.cents(last[1])
	if last[0] != "Total" || total != sub-off {
		b.errorf("total row: got %q = %d cents, want Total = %d − %d", last, total, sub, off)
	}
	return total
}

// cents reads an amount such as $1,140.00 in cents.
func (b *browser) cents(s string) int64 {
	b.t.Helper()
	m := amountRe.FindStringSubmatch(s)
	if m == nil {
		b.errorf("amount: got %q, want like $1,140.00", s)
		return 0
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(m[1], ",", "")+m[2], 10, 64)
	if err != nil {
		b.errorf("amount %q: %v", s, err)
	}
	return n
}

// orderTotal is the total in the order page's summary, in cents.
func (b *browser) orderTotal() int64 {
	b.t.Helper()
	return b.cents(b.mustText(".detail-side .price"))
}

// checkOrderStatus checks the status line of the order page.
func (b *browser) checkOrderStatus(want string) {
	b.t.Helper()
	if got := b.mustText("main .status strong"); got != want {
		b.errorf("order status: got %q, want %q", got, want)
	}
}

// checkAttendee checks the order page's attendee row for name: the name
// and email in the first cell, the status in the second.
func (b *browser) checkAttendee(name, email, status string) {
	b.t.Helper()
	// The attendee's needs, if any, are checked on their own.
	rows := eval[[][]string](b, `Array.from(document.querySelectorAll("main table tbody tr"), r =>
	  Array.from(r.cells, c => { const x = c.cloneNode(true); x.querySelectorAll(".attendee-needs").forEach(n => n.remove());
	    return x.textContent.replace(/\s+/g, " ").trim() }))`)
	for _, r := range rows {
		if len(r) >= 2 && strings.HasPrefix(r[0], name+" ") {
			if r[0] != name+" "+email || !strings.HasPrefix(r[1], status) {
				b.errorf("attendee %s: got %q, want %q and status %q", name, r, name+" "+email, status)
			}
			return
		}
	}
	b.errorf("attendees: got %q, want a row for %s", rows, name)
}

// value returns the current value of the form control with this id.
func (b *browser) value(id string) string {
	b.t.Helper()
	v := eval[*string](b, fmt.Sprintf(`(() => { const e = document.getElementById(%s); return e ? e.value : null })()`, jsString(id)))
	if v == nil {
		b.errorf("no form control #%s", id)
		return ""
	}
	return *v
}

// seatsTaken reads "N of M seats taken" on the admin session page.
func (b *browser) seatsTaken() (taken, capacity int) {
	b.t.Helper()
	m := seatsTakenRe.FindStringSubmatch(b.mustText("main"))
	if m == nil {
		b.fatalf("admin session page: no %q line", "N of M seats taken")
	}
	taken, _ = strconv.Atoi(m[1])
	capacity, _ = strconv.Atoi(m[2])
	return taken, capacity
}

// fetched is what fetchJS learns about a download.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Head        string `json:"head"`
}

// fetch downloads href with the page's fetch(), with its cookies, and
// returns the status, the headers that matter and the first five bytes.
func (b *browser) fetch(href string) fetched {
	b.t.Helper()
	js := fmt.Sprintf(`(async () => {
	  const r = await fetch(%s, {credentials: "same-origin"});
	  const head = new Uint8Array(await r.arrayBuffer()).slice(0, 5);
	  return {status: r.status, type: r.headers.get("content-type") || "",
	    disposition: r.headers.get("content-disposition") || "", head: String.fromCharCode(...head)};
	})()`, jsString(href))
	ctx, cancel := b.stepContext()
	defer cancel()
	f, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatalf("fetch %s: %v", href, describeErr(err))
	}
	return f
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// plural picks one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
