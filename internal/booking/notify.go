package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/calendar"
	"github.com/hsworkshop/hsworkshop/internal/invoice"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// Site is the business as emails show it.
func (b *Service) Site() mail.Site {
	return mail.Site{Name: b.cfg.Business.Name, BaseURL: b.cfg.BaseURL, From: b.cfg.Business.Email}
}

// SessionInfo formats a session for emails; private details only when asked.
func (b *Service) SessionInfo(s *models.Session, private bool) mail.SessionInfo {
	si := mail.SessionInfo{Title: s.Workshop.Title, When: s.When(), TimeZone: s.TimeZone, Format: s.Format.Label(),
		Location: calendar.Location(s, false), URL: fmt.Sprintf("%s/sessions/%d", b.cfg.BaseURL, s.ID)}
	if s.Instructor != nil {
		si.Instructor = s.Instructor.Name
	}
	if private {
		si.JoinURL, si.RoomDetails = s.JoinURL, s.RoomDetails
	}
	return si
}

// inZone formats t in the session's zone, naming the zone.
func inZone(s *models.Session, t time.Time) string {
	return t.In(s.Location()).Format("Mon 2 Jan 2006, 15:04 MST")
}

// sessionICS is the calendar invite for a confirmed seat (with private details).
func (b *Service) sessionICS(s *models.Session) models.EmailAttachment {
	body := calendar.Build([]models.Session{*s}, calendar.Options{BaseURL: b.cfg.BaseURL, Private: true, Now: b.now()})
	return models.EmailAttachment{Filename: "session.ics", ContentType: "text/calendar; method=PUBLISH; charset=utf-8", Data: []byte(body)}
}

// queueConfirmation sends the buyer the confirmation and each attendee
// (other than the buyer) their own, all with the invite. Dedupe keys make
// a redelivered webhook or a second confirmation path a no-op.
func (b *Service) queueConfirmation(ctx context.Context, tx *gorm.DB, o *models.Order) error {
	s := &o.Session
	ics := b.sessionICS(s)
	data := mail.OrderData{Site: b.Site(), Session: b.SessionInfo(s, true), Order: *o, OrderURL: b.OrderURL(o)}
	if err := b.out.Enqueue(ctx, tx, mail.KindOrderConfirmation, fmt.Sprintf("order_confirmation:%d", o.ID), o.BuyerEmail, o.BuyerName, data, ics); err != nil {
		return err
	}
	for _, at := range o.ActiveAttendees() {
		if at.Email == o.BuyerEmail {
			continue
		}
		ad := mail.AttendeeData{Site: b.Site(), Session: b.SessionInfo(s, true), Attendee: at, BuyerName: o.BuyerName}
		if err := b.out.Enqueue(ctx, tx, mail.KindAttendeeConfirmation, fmt.Sprintf("attendee_confirmation:%d", at.ID), at.Email, at.Name, ad, ics); err != nil {
			return err
		}
	}
	return nil
}

// InvoiceDocument describes an invoice or receipt of o for the PDF.
func (b *Service) InvoiceDocument(o *models.Order, kind invoice.Kind) invoice.Document {
	d := invoice.Document{Kind: kind, Seller: invoice.Seller{Name: b.cfg.Business.Name, Address: b.cfg.Business.Address, Email: b.cfg.Business.Email},
		PaymentInstructions: b.cfg.Business.PaymentInstructions, SessionWhen: o.Session.When(), Now: b.now()}
	if o.InvoiceIssuedAt != nil {
		d.IssuedAt = *o.InvoiceIssuedAt
	} else {
		d.IssuedAt = o.CreatedAt
	}
	if o.PaidAt != nil && kind == invoice.Receipt {
		d.IssuedAt = *o.PaidAt
	}
	if o.InvoiceDueAt != nil {
		d.DueAt = *o.InvoiceDueAt
	}
	return d
}

// queueInvoice emails the invoice PDF to the billing address. The PDF
// takes milliseconds to render, so it is not rendered here, inside the
// transaction that holds the writer: the message is queued with a pending
// attachment, which renderInvoice fills after the commit (and the
// render-attachments job, should that fail); the outbox sends no message
// before its attachments are filled.
func (b *Service) queueInvoice(ctx context.Context, tx *gorm.DB, o *models.Order) error {
	to := o.BillingEmail
	if to == "" {
		to = o.BuyerEmail
	}
	data := mail.OrderData{Site: b.Site(), Session: b.SessionInfo(&o.Session, false), Order: *o, OrderURL: b.OrderURL(o),
		InvoiceURL: b.OrderURL(o) + "/invoice.pdf", DueDate: inZone(&o.Session, *o.InvoiceDueAt)}
	att := models.PendingAttachment(*o.InvoiceNumber+".pdf", "application/pdf", invoiceRender(o.ID))
	return b.out.Enqueue(ctx, tx, mail.KindInvoice, "invoice:"+*o.InvoiceNumber, to, o.BuyerName, data, att)
}

// invoiceRender names the invoice PDF of an order as a pending attachment.
func invoiceRender(orderID uint) string { return fmt.Sprintf("invoice:%d", orderID) }

// renderInvoice renders the invoice PDF of o, as committed, into its
// queued email, outside any transaction.
func (b *Service) renderInvoice(ctx context.Context, o *models.Order) error {
	pdf, err := b.invoicePDF(*o, b.InvoiceDocument(o, invoice.Invoice))
	if err != nil {
		return fmt.Errorf("render invoice of order %d: %w", o.ID, err)
	}
	_, err = models.FillEmailAttachment(ctx, b.db, invoiceRender(o.ID), pdf)
	return err
}

// afterInvoiceCommit renders the invoice of an order whose invoice was
// just issued and committed. The order stands whatever happens here: a
// failure is logged and the render-attachments job retries, and the
// request's own deadline does not cut it short.
func (b *Service) afterInvoiceCommit(ctx context.Context, o *models.Order) {
	if o.Status != models.OrderPendingInvoice || o.InvoiceNumber == nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := b.renderInvoice(rctx, o); err != nil {
		b.log.Error("invoice PDF not rendered after the commit; the job retries", "order", o.ID, "err", err)
	}
}

// RenderPendingAttachments fills the attachments still pending (the
// process stopped, or rendering failed, between a commit and its render),
// so their messages can be sent.
func (b *Service) RenderPendingAttachments(ctx context.Context) error {
	renders, err := models.ListPendingAttachments(ctx, b.db, jobBatch)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range renders {
		var id uint
		if _, err := fmt.Sscanf(r, "invoice:%d", &id); err != nil || invoiceRender(id) != r {
			errs = append(errs, fmt.Errorf("pending attachment %q: unknown kind", r))
			continue
		}
		o, err := models.FindOrder(ctx, b.db, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, b.renderInvoice(ctx, o))
	}
	return errors.Join(errs...)
}

// queueCancellation tells the buyer what a cancellation or refund did.
func (b *Service) queueCancellation(ctx context.Context, tx *gorm.DB, o *models.Order, key string, names []string, refund, fee int64) error {
	data := mail.OrderData{Site: b.Site(), Session: b.SessionInfo(&o.Session, false), Order: *o, OrderURL: b.OrderURL(o),
		CancelledNames: names, Refund: models.Money{Minor: refund, Currency: o.Currency}, Fee: models.Money{Minor: fee, Currency: o.Currency}}
	return b.out.Enqueue(ctx, tx, mail.KindCancellation, key, o.BuyerEmail, o.BuyerName, data)
}

// queueExpired tells the buyer their hold or invoice lapsed.
func (b *Service) queueExpired(ctx context.Context, tx *gorm.DB, o *models.Order) error {
	data := mail.OrderData{Site: b.Site(), Session: b.SessionInfo(&o.Session, false), Order: *o, OrderURL: b.OrderURL(o)}
	return b.out.Enqueue(ctx, tx, mail.KindOrderExpired, fmt.Sprintf("order_expired:%d", o.ID), o.BuyerEmail, o.BuyerName, data)
}

// freeSeats is the one place where a workflow that may free seats runs:
// change runs in a write transaction and returns the session whose seats it
// freed (0: none); those seats are then offered to the session's waiting
// list in the same transaction (offers and their emails commit with the
// change, or neither).
func (b *Service) freeSeats(ctx context.Context, change func(tx *gorm.DB) (uint, error)) error {
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sessionID, err := change(tx)
		if err != nil || sessionID == 0 {
			return err
		}
		return b.offerFreedSeats(ctx, tx, sessionID)
	})
}

// offerFreedSeats offers seats freed in a session to its waiting list and
// emails each offer, inside tx. Every path that frees seats calls it.
func (b *Service) offerFreedSeats(ctx context.Context, tx *gorm.DB, sessionID uint) error {
	offers, err := models.OfferFreedSeats(ctx, tx, sessionID, b.now(), b.cfg.OfferTTL)
	if err != nil {
		return err
	}
	if len(offers) == 0 {
		return nil
	}
	s, err := models.FindSession(ctx, tx, sessionID)
	if err != nil {
		return err
	}
	for _, of := range offers {
		e := of.Entry
		data := mail.WaitlistData{Site: b.Site(), Session: b.SessionInfo(s, false), Entry: e,
			ClaimURL: b.cfg.BaseURL + "/waitlist/claim?token=" + of.Token, Expires: inZone(s, *e.OfferExpiresAt)}
		if err := b.out.Enqueue(ctx, tx, mail.KindWaitlistOffer, fmt.Sprintf("waitlist_offer:%d:%d", e.ID, e.Offers+1), e.Email, e.Name, data); err != nil {
			return err
		}
	}
	return nil
}
