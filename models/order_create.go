package models

// This file holds order creation.

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// NewOrder is everything needed to store an order.
type NewOrder struct {
	Session      *Session
	UserID       uint
	BuyerName    string
	BuyerEmail   string
	BillingEmail string
	Company      string
	PONumber     string
	Attendees    []AttendeeInput
	Method       PaymentMethod
	Quote        Quote
	// HoldUntil is when an unpaid order lapses: the Checkout expiry for
	// cards, the invoice due date for invoices.
	HoldUntil time.Time
	// WaitlistEntryID is set when the seats were already reserved by a
	// waiting-list offer being claimed.
	WaitlistEntryID *uint
	// AwaitConfirmation holds an invoice order (status held, no invoice
	// number) until the buyer proves the address by the emailed link.
	AwaitConfirmation bool
	// ClientIP is the address the order came from (for the open-seat caps).
	ClientIP string
	Now      time.Time
}

// CreateOrder stores an order inside tx: it takes the seats (unless a
// waiting-list offer reserved them), counts the discount use, numbers the
// invoice and inserts the attendees with their share of the total. The
// order returned is complete as its callers use it (session as passed in,
// discount code, attendees with their IDs), so a claim need not read it
// back while it holds the writer.
func CreateOrder(ctx context.Context, tx *gorm.DB, in NewOrder, take SeatTaker) (*Order, error) {
	tx = tx.WithContext(ctx)
	n := len(in.Attendees)
	if n == 0 || n != in.Quote.Seats {
		return nil, fmt.Errorf("create order: %d attendees for %d seats: %w", n, in.Quote.Seats, ErrInvalid)
	}
	if in.WaitlistEntryID == nil {
		if err := take(ctx, tx, in.Session, n); err != nil {
			return nil, err
		}
	}
	o := &Order{Ref: NewToken()[:24], SessionID: in.Session.ID, UserID: in.UserID, BuyerName: in.BuyerName,
		BuyerEmail: NormalizeEmail(in.BuyerEmail), BillingEmail: NormalizeEmail(in.BillingEmail), Company: in.Company,
		PONumber: in.PONumber, Seats: n, UnitPriceMinor: in.Quote.Unit.Minor, EarlyBird: in.Quote.EarlyBird,
		SubtotalMinor: in.Quote.Subtotal.Minor, DiscountMinor: in.Quote.Discount.Minor, TotalMinor: in.Quote.Total.Minor,
		Currency: in.Quote.Total.Currency, PaymentMethod: in.Method, FromWaitlistEntryID: in.WaitlistEntryID}
	hold := in.HoldUntil.UTC()
	o.HoldExpiresAt = &hold
	o.ClientIP = in.ClientIP
	switch {
	case in.Method == PayByInvoice && in.AwaitConfirmation:
		o.Status = OrderHeld
	case in.Method == PayByInvoice:
		o.Status = OrderPendingInvoice
	case in.Quote.Total.Minor == 0:
		// Nothing to pay (a 100% code): confirmed at once.
		o.Status = OrderPaid
		now := in.Now.UTC()
		o.PaidAt, o.HoldExpiresAt = &now, nil
	default:
		o.Status = OrderHeld
	}
	if in.Quote.Code != nil {
		if err := useDiscount(tx, in.Quote.Code.ID); err != nil {
			return nil, err
		}
		o.DiscountCodeID, o.DiscountCode = &in.Quote.Code.ID, in.Quote.Code
	}
	if o.Status == OrderPendingInvoice {
		num, err := nextInvoiceNumber(tx)
		if err != nil {
			return nil, err
		}
		now := in.Now.UTC()
		o.InvoiceNumber, o.InvoiceIssuedAt, o.InvoiceDueAt = &num, &now, &hold
	}
	if err := tx.Omit("Session", "DiscountCode", "Attendees").Create(o).Error; err != nil {
		return nil, translate(err, "create order")
	}
	shares := AllocateCents(o.TotalMinor, n)
	for i, a := range in.Attendees {
		o.Attendees = append(o.Attendees, Attendee{OrderID: o.ID, Position: i + 1, Name: a.Name,
			Email: NormalizeEmail(a.Email), Needs: a.Needs, PriceMinor: shares[i], Status: AttendeeActive})
	}
	if err := tx.Create(&o.Attendees).Error; err != nil {
		return nil, translate(err, "create attendees of order %d", o.ID)
	}
	o.Session = *in.Session
	return o, nil
}

// nextInvoiceNumber allocates the next sequential invoice number in tx, so
// a rolled-back order leaves no gap.
func nextInvoiceNumber(tx *gorm.DB) (string, error) {
	var n int64
	if err := tx.Raw("UPDATE counters SET next = next + 1 WHERE name = ? RETURNING next - 1", "invoice").Scan(&n).Error; err != nil {
		return "", translate(err, "next invoice number")
	}
	if n == 0 {
		return "", fmt.Errorf("next invoice number: counter missing: %w", ErrNotFound)
	}
	return fmt.Sprintf("INV-%06d", n), nil
}

// ConfirmInvoiceOrder turns a held invoice order whose buyer has just
// proven the address into an issued invoice due at due (numbered in tx,
// so a rollback leaves no gap), and updates o to match. An order no longer
// held is ErrConflict.
func ConfirmInvoiceOrder(ctx context.Context, tx *gorm.DB, o *Order, due, now time.Time) error {
	tx = tx.WithContext(ctx)
	num, err := nextInvoiceNumber(tx)
	if err != nil {
		return err
	}
	due, now = due.UTC(), now.UTC()
	res := tx.Model(&Order{}).Where("id = ? AND status = ? AND payment_method = ?", o.ID, OrderHeld, PayByInvoice).
		Updates(map[string]any{"status": OrderPendingInvoice, "invoice_number": num, "invoice_issued_at": now,
			"invoice_due_at": due, "hold_expires_at": due, "updated_at": utcNow()})
	if res.Error != nil {
		return translate(res.Error, "confirm invoice order %d", o.ID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("confirm invoice order %d: no longer held: %w", o.ID, ErrConflict)
	}
	hold := due
	o.Status, o.InvoiceNumber, o.InvoiceIssuedAt, o.InvoiceDueAt, o.HoldExpiresAt = OrderPendingInvoice, &num, &now, &due, &hold
	return nil
}

// OpenUnpaidSeats counts the seats of unpaid invoice orders (held for
// confirmation or invoiced) by buyer address and by client IP, for the caps
// on what an unproven buyer may hold. It runs inside the seat claim's write
// transaction, so it is cheap: one statement answered from two covering
// indexes (migration 0017), reading at most atMost orders per key. Each
// order holds at least one seat, so a count is exact or, when it stopped
// at atMost orders, at least atMost: enough to refuse at any cap up to
// atMost. On PostgreSQL it first takes transaction-scoped advisory locks
// on both keys, so instances sharing the database count one after
// another; SQLite's write lock does the same.
func OpenUnpaidSeats(ctx context.Context, tx *gorm.DB, email, ip string, atMost int64) (byEmail, byIP int64, err error) {
	tx = tx.WithContext(ctx)
	email = NormalizeEmail(email)
	if IsPostgres(tx) {
		// A statement of its own: the count's snapshot must be taken
		// after the locks are held (READ COMMITTED).
		var lock error
		if ip == "" {
			lock = tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "open-seats:email:"+email).Error
		} else {
			lock = tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?)), pg_advisory_xact_lock(hashtext(?))",
				"open-seats:email:"+email, "open-seats:ip:"+ip).Error
		}
		if lock != nil {
			return 0, 0, translate(lock, "lock open seats")
		}
	}
	ipRows := atMost
	if ip == "" {
		ipRows = 0
	}
	const open = "status IN (?, ?) AND payment_method = ?"
	var n struct{ ByEmail, ByIP int64 }
	err = tx.Raw(`SELECT
		(SELECT COALESCE(SUM(seats), 0) FROM (SELECT seats FROM orders WHERE buyer_email = ? AND `+open+` LIMIT ?) e) AS by_email,
		(SELECT COALESCE(SUM(seats), 0) FROM (SELECT seats FROM orders WHERE client_ip = ? AND `+open+` LIMIT ?) i) AS by_ip`,
		email, OrderHeld, OrderPendingInvoice, PayByInvoice, atMost, ip, OrderHeld, OrderPendingInvoice, PayByInvoice, ipRows).
		Scan(&n).Error
	if err != nil {
		return 0, 0, translate(err, "count open seats")
	}
	return n.ByEmail, n.ByIP, nil
}
