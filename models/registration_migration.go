package models

import (
	"time"

	"gorm.io/gorm"
)

// migrate0002Registration creates orders and their attendees, discount
// codes, the waiting list, Stripe event bookkeeping, refunds, invoice
// numbering and email attachments, and adds booking policy to sessions.
func migrate0002Registration(tx *gorm.DB) error {
	type session struct {
		ID                uint  `gorm:"primaryKey"`
		AllowInvoice      bool  `gorm:"not null;default:true"`
		CancelCutoffHours int   `gorm:"not null;default:168"`
		CancelFeeMinor    int64 `gorm:"not null;default:0"`
	}
	for _, col := range []string{"AllowInvoice", "CancelCutoffHours", "CancelFeeMinor"} {
		if err := tx.Migrator().AddColumn(&session{}, col); err != nil {
			return err
		}
	}
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type workshop struct {
		ID uint `gorm:"primaryKey"`
	}
	type discountCode struct {
		ID          uint   `gorm:"primaryKey"`
		Code        string `gorm:"size:40;not null;uniqueIndex"`
		Description string `gorm:"size:200;not null;default:''"`
		Kind        string `gorm:"size:10;not null"` // percent | fixed
		PercentBP   int    `gorm:"column:percent_bp;not null;default:0"`
		AmountMinor int64  `gorm:"not null;default:0"`
		Currency    string `gorm:"size:3;not null;default:''"`
		ValidFrom   *time.Time
		ValidUntil  *time.Time
		MaxUses     *int
		Uses        int      `gorm:"not null;default:0"`
		Scope       string   `gorm:"size:10;not null;default:'all'"` // all | workshop | session
		WorkshopID  *uint    `gorm:"index"`
		Workshop    workshop `gorm:"constraint:OnDelete:CASCADE"`
		SessionID   *uint    `gorm:"index"`
		Session     session  `gorm:"constraint:OnDelete:CASCADE"`
		MinSeats    int      `gorm:"not null;default:1"`
		Active      bool     `gorm:"not null;default:true"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type order struct {
		ID                      uint         `gorm:"primaryKey"`
		Ref                     string       `gorm:"size:40;not null;uniqueIndex"`
		SessionID               uint         `gorm:"not null;index"`
		Session                 session      `gorm:"constraint:OnDelete:RESTRICT"`
		UserID                  uint         `gorm:"not null;index"`
		User                    user         `gorm:"constraint:OnDelete:RESTRICT"`
		BuyerName               string       `gorm:"size:200;not null"`
		BuyerEmail              string       `gorm:"size:254;not null"`
		BillingEmail            string       `gorm:"size:254;not null;default:''"`
		Company                 string       `gorm:"size:200;not null;default:''"`
		PONumber                string       `gorm:"column:po_number;size:100;not null;default:''"`
		Seats                   int          `gorm:"not null"`
		UnitPriceMinor          int64        `gorm:"not null"`
		EarlyBird               bool         `gorm:"not null;default:false"`
		SubtotalMinor           int64        `gorm:"not null"`
		DiscountMinor           int64        `gorm:"not null;default:0"`
		TotalMinor              int64        `gorm:"not null"`
		Currency                string       `gorm:"size:3;not null"`
		DiscountCodeID          *uint        `gorm:"index"`
		DiscountCode            discountCode `gorm:"constraint:OnDelete:SET NULL"`
		PaymentMethod           string       `gorm:"size:10;not null"`
		Status                  string       `gorm:"size:20;not null;index"`
		HoldExpiresAt           *time.Time   `gorm:"index"`
		StripeCheckoutSessionID string       `gorm:"size:255;not null;default:'';index"`
		StripePaymentIntentID   string       `gorm:"size:255;not null;default:'';index"`
		InvoiceNumber           *string      `gorm:"size:40;uniqueIndex"`
		InvoiceIssuedAt         *time.Time
		InvoiceDueAt            *time.Time
		PaidAt                  *time.Time
		CancelledAt             *time.Time
		RefundedMinor           int64  `gorm:"not null;default:0"`
		FeesMinor               int64  `gorm:"not null;default:0"`
		NeedsAttention          bool   `gorm:"not null;default:false;index"`
		AttentionNote           string `gorm:"type:text;not null;default:''"`
		FromWaitlistEntryID     *uint
		CreatedAt               time.Time `gorm:"not null"`
		UpdatedAt               time.Time `gorm:"not null"`
	}
	type attendee struct {
		ID          uint   `gorm:"primaryKey"`
		OrderID     uint   `gorm:"not null;index"`
		Order       order  `gorm:"constraint:OnDelete:CASCADE"`
		Position    int    `gorm:"not null"`
		Name        string `gorm:"size:200;not null"`
		Email       string `gorm:"size:254;not null;index"`
		PriceMinor  int64  `gorm:"not null"`
		Status      string `gorm:"size:20;not null;default:'active'"`
		CancelledAt *time.Time
		RefundMinor int64 `gorm:"not null;default:0"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type waitlistEntry struct {
		ID             uint    `gorm:"primaryKey"`
		SessionID      uint    `gorm:"not null;index"`
		Session        session `gorm:"constraint:OnDelete:CASCADE"`
		UserID         *uint
		Name           string `gorm:"size:200;not null"`
		Email          string `gorm:"size:254;not null"`
		Seats          int    `gorm:"not null"`
		Status         string `gorm:"size:20;not null;index"`
		OfferTokenHash string `gorm:"size:64;not null;default:'';index"`
		OfferedAt      *time.Time
		OfferExpiresAt *time.Time `gorm:"index"`
		Offers         int        `gorm:"not null;default:0"`
		OrderID        *uint
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
	}
	type stripeEvent struct {
		ID          string `gorm:"primaryKey;size:255"`
		Type        string `gorm:"size:100;not null"`
		OrderID     *uint
		ProcessedAt time.Time `gorm:"not null"`
	}
	type refund struct {
		ID             uint  `gorm:"primaryKey"`
		OrderID        uint  `gorm:"not null;index"`
		Order          order `gorm:"constraint:OnDelete:CASCADE"`
		AttendeeID     *uint
		AmountMinor    int64  `gorm:"not null"`
		Currency       string `gorm:"size:3;not null"`
		Reason         string `gorm:"size:200;not null"`
		StripeRefundID string `gorm:"size:255;not null;default:''"`
		IdempotencyKey string `gorm:"size:200;not null;uniqueIndex"`
		CreatedAt      time.Time
	}
	type counter struct {
		Name string `gorm:"primaryKey;size:40"`
		Next int64  `gorm:"not null"`
	}
	type emailAttachment struct {
		ID          uint   `gorm:"primaryKey"`
		EmailID     uint   `gorm:"not null;index"`
		Filename    string `gorm:"size:200;not null"`
		ContentType string `gorm:"size:100;not null"`
		Data        []byte `gorm:"not null"`
	}
	type email struct {
		ID          uint `gorm:"primaryKey"`
		LockedUntil *time.Time
	}
	if err := tx.Migrator().AddColumn(&email{}, "LockedUntil"); err != nil {
		return err
	}
	for _, m := range []any{&discountCode{}, &order{}, &attendee{}, &waitlistEntry{}, &stripeEvent{}, &refund{}, &counter{}, &emailAttachment{}} {
		if err := tx.Migrator().CreateTable(m); err != nil {
			return err
		}
	}
	return tx.Create(&counter{Name: "invoice", Next: 1}).Error
}
