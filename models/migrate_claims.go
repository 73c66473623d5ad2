package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrate0017Claims makes a seat claim's write transaction cheap:
//   - the open-seat caps (OpenUnpaidSeats) count an address's and a client
//     IP's unpaid invoice seats through covering indexes instead of scanning
//     every held order (neither column had an index: 0007 added client_ip
//     with AddColumn, which ignores the index tag);
//   - an email attachment may be stored pending (render names what to
//     render, e.g. "invoice:42"), so the invoice PDF is rendered after the
//     commit instead of inside the transaction that holds the writer. The
//     partial index holds only pending rows.
func migrate0017Claims(tx *gorm.DB) error {
	type emailAttachment struct {
		Render string `gorm:"size:100;not null;default:''"`
	}
	if err := tx.Table("email_attachments").Migrator().AddColumn(&emailAttachment{}, "Render"); err != nil {
		return err
	}
	for _, s := range []string{
		"CREATE INDEX idx_orders_open_seats_email ON orders (buyer_email, status, payment_method, seats)",
		"CREATE INDEX idx_orders_open_seats_ip ON orders (client_ip, status, payment_method, seats)",
		"CREATE INDEX idx_email_attachments_pending ON email_attachments (render) WHERE render <> ''",
	} {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("claims indexes: %w", err)
		}
	}
	return nil
}
