package handlers

import (
	"context"

	"github.com/hsworkshop/hsworkshop/models"
)

// queueEmail composes a message and puts it in the outbox once per
// dedupeKey. Without SMTP the message is also logged, so a developer can
// follow a reset link from the console.
func (a *App) queueEmail(ctx context.Context, kind, dedupeKey, to, toName string, data any) error {
	m, err := a.mail.Compose(kind, data)
	if err != nil {
		return err
	}
	queued, err := models.EnqueueEmail(ctx, a.db, &models.Email{Kind: kind, DedupeKey: dedupeKey, ToAddr: to, ToName: toName,
		Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML})
	if err != nil {
		return err
	}
	if queued && !a.cfg.SMTPEnabled {
		a.log.Info("email kept in outbox (SMTP_URL unset)", "kind", kind, "to", to, "subject", m.Subject, "body", m.Text)
	}
	return nil
}
