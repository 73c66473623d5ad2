package models

// This file holds proven addresses: emailed single-use verification tokens
// (stored hashed, expiring) for accounts and for invoice orders placed by
// buyers whose address is not yet proven.

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"
)

// EmailVerificationTTL is how long an emailed verification link works.
const EmailVerificationTTL = 24 * time.Hour

// Verification purposes.
const (
	// VerifyAccount proves the address of an account.
	VerifyAccount = "account"
	// VerifyOrder confirms an invoice order placed by an unproven buyer.
	VerifyOrder = "order"
)

// EmailVerification is one emailed link proving an address; the table keeps
// only the SHA-256 of the token.
type EmailVerification struct {
	ID        uint   `gorm:"primaryKey"`
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	UserID    uint   `gorm:"not null;index"`
	Purpose   string `gorm:"size:20;not null;default:'account'"`
	OrderID   *uint  `gorm:"index"`
	Email     string `gorm:"size:254;not null;default:''"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// CreateEmailVerification issues a token proving email for userID (and
// orderID for VerifyOrder) and returns it; only its hash is stored.
func CreateEmailVerification(ctx context.Context, db *gorm.DB, userID uint, email, purpose string, orderID *uint, ttl time.Duration, now time.Time) (string, *EmailVerification, error) {
	token := NewToken()
	v := EmailVerification{TokenHash: HashToken(token), UserID: userID, Purpose: purpose, OrderID: orderID,
		Email: NormalizeEmail(email), ExpiresAt: now.UTC().Add(ttl), CreatedAt: now.UTC()}
	if err := db.WithContext(ctx).Create(&v).Error; err != nil {
		return "", nil, translate(err, "create email verification for user %d", userID)
	}
	return token, &v, nil
}

// FindUsableEmailVerification returns the unused, unexpired verification of
// a token and purpose; anything else is ErrNotFound.
func FindUsableEmailVerification(ctx context.Context, db *gorm.DB, token, purpose string, now time.Time) (*EmailVerification, error) {
	if token == "" {
		return nil, fmt.Errorf("find email verification: %w", ErrNotFound)
	}
	var v EmailVerification
	err := db.WithContext(ctx).Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
		HashToken(token), purpose, now.UTC()).First(&v).Error
	if err != nil {
		return nil, translate(err, "find email verification")
	}
	return &v, nil
}

// useEmailVerification spends v with a conditional update, so of two racing
// uses only one wins (the other is ErrNotFound).
func useEmailVerification(ctx context.Context, tx *gorm.DB, v *EmailVerification, now time.Time) error {
	res := tx.WithContext(ctx).Model(&EmailVerification{}).Where("id = ? AND used_at IS NULL", v.ID).Update("used_at", now.UTC())
	if res.Error != nil {
		return translate(res.Error, "use email verification %d", v.ID)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("use email verification %d: %w", v.ID, ErrNotFound)
	}
	return nil
}

// ConsumeAccountVerification proves the address of the account userID with
// a token issued to it. The caller must be logged in as userID: a link
// opened by someone else (the owner of a mailbox that an attacker signed up
// with) never confirms the attacker's password. A wrong, spent, expired or
// foreign token is ErrNotFound. Other verification links of the user are
// spent too.
func ConsumeAccountVerification(ctx context.Context, db *gorm.DB, token string, userID uint, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v, err := FindUsableEmailVerification(ctx, tx, token, VerifyAccount, now)
		if err != nil {
			return err
		}
		if v.UserID != userID {
			return fmt.Errorf("verify account: token of another user: %w", ErrNotFound)
		}
		if err := useEmailVerification(ctx, tx, v, now); err != nil {
			return err
		}
		return markEmailVerified(ctx, tx, userID, v.Email, now)
	})
}

// markEmailVerified records that userID proved email (only while the
// account still has that address) and spends its other account links.
func markEmailVerified(ctx context.Context, tx *gorm.DB, userID uint, email string, now time.Time) error {
	q := tx.WithContext(ctx).Model(&User{}).Where("id = ? AND email_verified_at IS NULL", userID)
	if email != "" {
		q = q.Where("email = ?", NormalizeEmail(email))
	}
	if err := q.Updates(map[string]any{"email_verified_at": now.UTC(), "updated_at": utcNow()}).Error; err != nil {
		return translate(err, "mark user %d verified", userID)
	}
	err := tx.WithContext(ctx).Model(&EmailVerification{}).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL", userID, VerifyAccount).Update("used_at", now.UTC()).Error
	return translate(err, "spend verifications of user %d", userID)
}

// ConsumeOrderVerification spends an order-confirmation token and returns
// the order it confirms; the caller then confirms the order in tx.
func ConsumeOrderVerification(ctx context.Context, tx *gorm.DB, token string, now time.Time) (*EmailVerification, error) {
	v, err := FindUsableEmailVerification(ctx, tx, token, VerifyOrder, now)
	if err != nil {
		return nil, err
	}
	if v.OrderID == nil {
		return nil, fmt.Errorf("confirm order: verification %d has no order: %w", v.ID, ErrNotFound)
	}
	if err := useEmailVerification(ctx, tx, v, now); err != nil {
		return nil, err
	}
	return v, nil
}

// CountRecentEmailVerifications counts the account links issued to userID
// since the given time (to cap "resend").
func CountRecentEmailVerifications(ctx context.Context, db *gorm.DB, userID uint, since time.Time) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&EmailVerification{}).
		Where("user_id = ? AND purpose = ? AND created_at > ?", userID, VerifyAccount, since.UTC()).Count(&n).Error
	return n, translate(err, "count verifications of user %d", userID)
}

// setUserRole updates role (and the extra columns) and ends every login of
// the user inside tx.
func setUserRole(ctx context.Context, tx *gorm.DB, userID uint, role Role, extra map[string]any) error {
	cols := map[string]any{"role": role, "updated_at": utcNow()}
	for k, v := range extra {
		cols[k] = v
	}
	res := tx.WithContext(ctx).Model(&User{}).Where("id = ?", userID).Updates(cols)
	if res.Error != nil {
		return translate(res.Error, "set role of user %d", userID)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("set role of user %d: %w", userID, ErrNotFound)
	}
	return translate(tx.WithContext(ctx).Where("user_id = ?", userID).Delete(&LoginSession{}).Error, "end sessions of user %d", userID)
}

// secretLink matches the parts of a URL or path that act as a key: emailed
// tokens in query strings and the unguessable order reference.
var secretLink = regexp.MustCompile(`((?:[?&](?:amp;)?)(?:token|waitlist_token|session_id)=)[^&\s"'<>]+|(/orders/)[A-Za-z0-9_-]{16,40}`)

// RedactSecretLinks replaces every token and order reference in s with
// "[redacted]", for logs, stored mail that has been sent, and staff views.
func RedactSecretLinks(s string) string {
	return secretLink.ReplaceAllString(s, "$1$2[redacted]")
}
