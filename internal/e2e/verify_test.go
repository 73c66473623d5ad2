//go:build browser

package e2e

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/hsworkshop/hsworkshop/models"
)

// verifyLinkRe finds the confirmation link in an email_verification message.
var verifyLinkRe = regexp.MustCompile(`(/account/verify\?token=[A-Za-z0-9_-]+)`)

// mailLink reads the newest queued message of kind to the address from the
// server's database (the mailbox stand-in: SMTP is off) and returns the
// path matched by group 1 of re.
func (s *server) mailLink(b *browser, kind, to string, re *regexp.Regexp) string {
	b.t.Helper()
	db, err := models.Open(s.DSN)
	if err != nil {
		b.fatalf("open the server's database: %v", err)
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	var ms []models.Email
	if err := db.Where("kind = ? AND to_addr = ?", kind, strings.ToLower(to)).Order("id DESC").Find(&ms).Error; err != nil {
		b.fatalf("read the outbox: %v", err)
	}
	for _, m := range ms {
		if g := re.FindStringSubmatch(m.TextBody); g != nil {
			return g[1]
		}
	}
	b.fatalf("no %s message to %s with a link", kind, to)
	return ""
}

// confirmAddress follows the emailed confirmation link while logged in and
// presses the confirm button, as a new account's owner does.
func (b *browser) confirmAddress(srv *server, email string) {
	b.t.Helper()
	link := srv.mailLink(b, "email_verification", email, verifyLinkRe)
	b.mustOpen(link)
	if got, want := b.mustText("main h1"), "Confirm your email address"; got != want {
		b.errorf("confirmation page heading: got %q, want %q", got, want)
	}
	b.visited("confirm address")
	if got := b.follow(`click "Confirm my address"`, chromedp.Click(chromedp.CSS(`form[action="/account/verify"] button[type="submit"]`))); got != http.StatusOK {
		b.fatalf("confirm address: got status %d, want 200 after the redirect", got)
	}
	b.checkFlash("Your email address is confirmed.")
}

// orderLinkRe finds the confirmation link in an order_verification message.
var orderLinkRe = regexp.MustCompile(`(/orders/confirm\?token=[A-Za-z0-9_-]+)`)

// confirmOrderByEmail follows the link emailed to a buyer who placed an
// invoice order without a proven address, presses the confirm button and
// lands on the order page, as that buyer does.
func (b *browser) confirmOrderByEmail(srv *server, email string) {
	b.t.Helper()
	link := srv.mailLink(b, "order_verification", email, orderLinkRe)
	b.mustOpen(link)
	b.visited("confirm order")
	if got := b.follow(`click "Confirm the order"`, chromedp.Click(chromedp.CSS(`form[action="/orders/confirm"] button[type="submit"]`))); got != http.StatusOK {
		b.fatalf("confirm order: got status %d, want 200 after the redirect", got)
	}
}

// clickRegister follows the session page's "Register" link to the form.
func (b *browser) clickRegister() {
	b.t.Helper()
	if got := b.follow(`click "Register"`, chromedp.Click(chromedp.Search(`//aside//a[normalize-space()="Register"]`))); got != http.StatusOK {
		b.fatalf("register page: got status %d, want 200", got)
	}
}

// placeInvoiceOrder fills in the buyer on the registration form (the
// attendees are filled in already), places the order to pay by invoice,
// and confirms it by the emailed link: a buyer who has not proven the
// address does so before the invoice is issued (issue 8).
func (b *browser) placeInvoiceOrder(srv *server, buyer, email, company string) {
	b.t.Helper()
	b.typeInto("f-buyer_name", buyer)
	b.typeInto("f-buyer_email", email)
	b.typeInto("f-buyer_company", company)
	b.run(chromedp.Click(chromedp.CSS(`input[name="payment_method"][value="invoice"]`)), chromedp.Click(chromedp.CSS(`input[name="terms"]`)))
	if got := b.follow(`click "Continue"`, chromedp.Click(continueButton)); got != http.StatusOK {
		b.fatalf("place order: got status %d, want 200 after the redirect", got)
	}
	b.checkOrderStatus("Awaiting payment")
	b.confirmOrderByEmail(srv, email)
	b.checkOrderStatus("Invoice issued — awaiting payment")
}
