package handlers

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/calendar"
	"github.com/hsworkshop/hsworkshop/internal/invoice"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// site is the business as emails show it.
func (a *App) site() mail.Site {
	return mail.Site{Name: a.cfg.Business.Name, BaseURL: a.cfg.BaseURL, From: a.cfg.Business.Email}
}

// sessionInfo formats a session for emails; private details only when asked.
func (a *App) sessionInfo(s *models.Session, private bool) mail.SessionInfo {
	si := mail.SessionInfo{Title: s.Workshop.Title, When: sessionWhen(s), TimeZone: s.TimeZone, Format: s.Format.Label(),
		Location: calendar.Location(s, false), URL: a.sessionURL(s.ID)}
	if s.Instructor != nil {
		si.Instructor = s.Instructor.Name
	}
	if private {
		si.JoinURL, si.RoomDetails = s.JoinURL, s.RoomDetails
	}
	return si
}

func (a *App) orderURL(o *models.Order) string { return a.cfg.BaseURL + "/orders/" + o.Ref }

// inZone formats t in the session's zone, naming the zone.
func inZone(s *models.Session, t time.Time) string {
	return t.In(s.Location()).Format("Mon 2 Jan 2006, 15:04 MST")
}

// enqueue composes a message of kind and stores it in the outbox inside tx
// (or db), once per key. Without a mailer the message is also logged, so a
// developer can follow a reset link from the console.
func (a *App) enqueue(ctx context.Context, tx *gorm.DB, kind, key, to, toName string, data any, atts ...models.EmailAttachment) error {
	m, err := a.mail.Compose(kind, data)
	if err != nil {
		return err
	}
	queued, err := models.EnqueueEmail(ctx, tx, &models.Email{Kind: kind, DedupeKey: key, ToAddr: to, ToName: toName,
		Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, Attachments: atts})
	if err != nil {
		return err
	}
	if queued && a.mailer == nil {
		a.log.Info("email kept in outbox (SMTP_URL unset)", "kind", kind, "to", to, "subject", m.Subject, "body", m.Text)
	}
	return nil
}

// sessionICS is the calendar invite for a confirmed seat (with private details).
func (a *App) sessionICS(s *models.Session) models.EmailAttachment {
	body := calendar.Build([]models.Session{*s}, calendar.Options{BaseURL: a.cfg.BaseURL, Private: true, Now: a.now()})
	return models.EmailAttachment{Filename: "session.ics", ContentType: "text/calendar; method=PUBLISH; charset=utf-8", Data: []byte(body)}
}

// queueConfirmation sends the buyer the confirmation and each attendee
// (other than the buyer) their own, all with the invite. Dedupe keys make
// a redelivered webhook or a second confirmation path a no-op.
func (a *App) queueConfirmation(ctx context.Context, tx *gorm.DB, o *models.Order) error {
	s := &o.Session
	ics := a.sessionICS(s)
	data := mail.OrderData{Site: a.site(), Session: a.sessionInfo(s, true), Order: *o, OrderURL: a.orderURL(o)}
	if err := a.enqueue(ctx, tx, mail.KindOrderConfirmation, fmt.Sprintf("order_confirmation:%d", o.ID), o.BuyerEmail, o.BuyerName, data, ics); err != nil {
		return err
	}
	for _, at := range o.ActiveAttendees() {
		if at.Email == o.BuyerEmail {
			continue
		}
		ad := mail.AttendeeData{Site: a.site(), Session: a.sessionInfo(s, true), Attendee: at, BuyerName: o.BuyerName}
		if err := a.enqueue(ctx, tx, mail.KindAttendeeConfirmation, fmt.Sprintf("attendee_confirmation:%d", at.ID), at.Email, at.Name, ad, ics); err != nil {
			return err
		}
	}
	return nil
}

// invoiceDocument describes an invoice or receipt of o for the PDF.
func (a *App) invoiceDocument(o *models.Order, kind invoice.Kind) invoice.Document {
	d := invoice.Document{Kind: kind, Seller: invoice.Seller{Name: a.cfg.Business.Name, Address: a.cfg.Business.Address, Email: a.cfg.Business.Email},
		PaymentInstructions: a.cfg.Business.PaymentInstructions, SessionWhen: sessionWhen(&o.Session), Now: a.now()}
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

// queueInvoice emails the invoice PDF to the billing address.
func (a *App) queueInvoice(ctx context.Context, tx *gorm.DB, o *models.Order) error {
	pdf, err := invoice.Render(*o, a.invoiceDocument(o, invoice.Invoice))
	if err != nil {
		return err
	}
	to := o.BillingEmail
	if to == "" {
		to = o.BuyerEmail
	}
	data := mail.OrderData{Site: a.site(), Session: a.sessionInfo(&o.Session, false), Order: *o, OrderURL: a.orderURL(o),
		InvoiceURL: a.orderURL(o) + "/invoice.pdf", DueDate: inZone(&o.Session, *o.InvoiceDueAt)}
	att := models.EmailAttachment{Filename: *o.InvoiceNumber + ".pdf", ContentType: "application/pdf", Data: pdf}
	return a.enqueue(ctx, tx, mail.KindInvoice, "invoice:"+*o.InvoiceNumber, to, o.BuyerName, data, att)
}

// queueCancellation tells the buyer what a cancellation or refund did.
func (a *App) queueCancellation(ctx context.Context, tx *gorm.DB, o *models.Order, key string, names []string, refund, fee int64) error {
	data := mail.OrderData{Site: a.site(), Session: a.sessionInfo(&o.Session, false), Order: *o, OrderURL: a.orderURL(o),
		CancelledNames: names, Refund: models.Money{Minor: refund, Currency: o.Currency}, Fee: models.Money{Minor: fee, Currency: o.Currency}}
	return a.enqueue(ctx, tx, mail.KindCancellation, key, o.BuyerEmail, o.BuyerName, data)
}

// queueExpired tells the buyer their hold or invoice lapsed.
func (a *App) queueExpired(ctx context.Context, tx *gorm.DB, o *models.Order) error {
	data := mail.OrderData{Site: a.site(), Session: a.sessionInfo(&o.Session, false), Order: *o, OrderURL: a.orderURL(o)}
	return a.enqueue(ctx, tx, mail.KindOrderExpired, fmt.Sprintf("order_expired:%d", o.ID), o.BuyerEmail, o.BuyerName, data)
}

// offerFreedSeats offers seats freed in a session to its waiting list and
// emails each offer, inside tx. Every path that frees seats calls it.
func (a *App) offerFreedSeats(ctx context.Context, tx *gorm.DB, sessionID uint) error {
	offers, err := models.OfferFreedSeats(ctx, tx, sessionID, a.now(), a.cfg.OfferTTL)
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
		data := mail.WaitlistData{Site: a.site(), Session: a.sessionInfo(s, false), Entry: e,
			ClaimURL: a.cfg.BaseURL + "/waitlist/claim?token=" + of.Token, Expires: inZone(s, *e.OfferExpiresAt)}
		if err := a.enqueue(ctx, tx, mail.KindWaitlistOffer, fmt.Sprintf("waitlist_offer:%d:%d", e.ID, e.Offers+1), e.Email, e.Name, data); err != nil {
			return err
		}
	}
	return nil
}
