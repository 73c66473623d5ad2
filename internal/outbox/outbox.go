// Package outbox queues composed emails in the database (inside the
// caller's transaction, once per dedupe key) and delivers due messages
// through a Mailer. It is a service: it may import the adapters
// (internal/mail) and models, never handlers or another service.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// Mailer delivers one outbox message; nil keeps messages in the outbox.
type Mailer interface {
	Send(ctx context.Context, m models.Email) error
}

// Outbox composes and queues messages and sends the due ones.
type Outbox struct {
	db       *gorm.DB
	composer *mail.Composer
	mailer   Mailer
	log      *slog.Logger
	now      func() time.Time
}

// New builds an Outbox; mailer may be nil (messages stay queued and are
// logged), log and now default to slog.Default and time.Now.
func New(db *gorm.DB, mailer Mailer, log *slog.Logger, now func() time.Time) (*Outbox, error) {
	if db == nil {
		return nil, errors.New("outbox: DB is required")
	}
	c, err := mail.NewComposer()
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	return &Outbox{db: db, composer: c, mailer: mailer, log: log, now: now}, nil
}

// Sending reports whether a Mailer delivers the outbox.
func (o *Outbox) Sending() bool { return o.mailer != nil }

// Enqueue composes a message of kind and stores it in the outbox inside tx
// (or the DB), once per key. Without a mailer its arrival is logged (kind,
// recipient, subject), never its body: bodies carry live reset and
// confirmation links.
func (o *Outbox) Enqueue(ctx context.Context, tx *gorm.DB, kind, key, to, toName string, data any, atts ...models.EmailAttachment) error {
	m, err := o.composer.Compose(kind, data)
	if err != nil {
		return err
	}
	queued, err := models.EnqueueEmail(ctx, tx, &models.Email{Kind: kind, DedupeKey: key, ToAddr: to, ToName: toName,
		Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, Attachments: atts})
	if err != nil {
		return err
	}
	if queued && o.mailer == nil {
		o.log.Info("email kept in outbox (SMTP_URL unset)", "kind", kind, "to", to, "subject", m.Subject)
	}
	return nil
}

// SendDue delivers due messages. Each is leased to this instance first,
// so two instances never send the same message; failures back off.
func (o *Outbox) SendDue(ctx context.Context) error {
	if o.mailer == nil {
		return nil
	}
	// Keep claiming while full batches come back, so a backlog drains in
	// one tick instead of 20 messages per tick (bounded, to yield now and
	// then). Failed messages back off, so they are not claimed again here.
	var errs []error
	for range maxBatchesPerRun {
		ms, err := models.ClaimDueEmails(ctx, o.db, o.now(), sendBatch, 5*time.Minute)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		for _, m := range ms {
			if err := o.mailer.Send(ctx, m); err != nil {
				o.log.Warn("email not sent; will retry", "id", m.ID, "attempt", m.Attempts+1, "err", err)
				errs = append(errs, models.MarkEmailFailed(ctx, o.db, &m, err, mail.Permanent(err), o.now()))
				continue
			}
			errs = append(errs, models.MarkEmailSent(ctx, o.db, m.ID, o.now()))
		}
		if len(ms) < sendBatch || ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// sendBatch is how many messages one claim leases; maxBatchesPerRun bounds
// one SendDue call.
const (
	sendBatch        = 20
	maxBatchesPerRun = 50
)
