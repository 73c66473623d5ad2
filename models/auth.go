package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// LoginSessionTTL is how long a login lasts without activity checks.
const LoginSessionTTL = 14 * 24 * time.Hour

// PasswordResetTTL is how long an emailed reset link works.
const PasswordResetTTL = time.Hour

// LoginSession is a server-side login; the cookie carries a random token and
// the table keeps only its SHA-256, so a database leak yields no live cookies.
type LoginSession struct {
	ID         string `gorm:"primaryKey;size:64"`
	UserID     uint   `gorm:"not null;index"`
	User       User
	IP         string `gorm:"size:64;not null;default:''"`
	UserAgent  string `gorm:"size:300;not null;default:''"`
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// LoginFailure is one failed login, keyed by account or by client IP; the
// rows live in the database so every instance sees the same count.
type LoginFailure struct {
	ID        uint   `gorm:"primaryKey"`
	Key       string `gorm:"size:300;not null"`
	CreatedAt time.Time
}

// PasswordReset is a single-use emailed reset token (stored hashed).
type PasswordReset struct {
	ID        uint   `gorm:"primaryKey"`
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	UserID    uint   `gorm:"not null;index"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// NewToken returns a random URL-safe token with 256 bits of entropy.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateLoginSession starts a login for userID and returns the cookie token.
func CreateLoginSession(ctx context.Context, db *gorm.DB, userID uint, ip, userAgent string, now time.Time) (string, error) {
	if off, err := UserDeactivated(ctx, db, userID); err != nil || off {
		return "", fmt.Errorf("create login session for user %d: deactivated: %w", userID, errors.Join(err, ErrForbidden))
	}
	token := NewToken()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	s := LoginSession{ID: HashToken(token), UserID: userID, IP: ip, UserAgent: userAgent,
		CreatedAt: now.UTC(), LastSeenAt: now.UTC(), ExpiresAt: now.UTC().Add(LoginSessionTTL)}
	if err := db.WithContext(ctx).Create(&s).Error; err != nil {
		return "", translate(err, "create login session for user %d", userID)
	}
	return token, nil
}

// FindLoginSession returns the live session and its user for a cookie token.
func FindLoginSession(ctx context.Context, db *gorm.DB, token string, now time.Time) (*LoginSession, error) {
	if token == "" {
		return nil, fmt.Errorf("find login session: %w", ErrNotFound)
	}
	var s LoginSession
	err := db.WithContext(ctx).Preload("User").
		Where("id = ? AND expires_at > ?", HashToken(token), now.UTC()).
		Where("user_id NOT IN (SELECT id FROM users WHERE deactivated_at IS NOT NULL)").First(&s).Error
	if err != nil {
		return nil, translate(err, "find login session")
	}
	return &s, nil
}

// DeleteLoginSession ends the login identified by a cookie token.
func DeleteLoginSession(ctx context.Context, db *gorm.DB, token string) error {
	err := db.WithContext(ctx).Where("id = ?", HashToken(token)).Delete(&LoginSession{}).Error
	return translate(err, "delete login session")
}

// RecordLoginFailure counts one failed attempt against each key.
func RecordLoginFailure(ctx context.Context, db *gorm.DB, now time.Time, keys ...string) error {
	rows := make([]LoginFailure, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, LoginFailure{Key: k, CreatedAt: now.UTC()})
	}
	return translate(db.WithContext(ctx).Create(&rows).Error, "record login failure")
}

// CountLoginFailures counts failures for key since the given time.
func CountLoginFailures(ctx context.Context, db *gorm.DB, key string, since time.Time) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&LoginFailure{}).
		Where("key = ? AND created_at > ?", key, since.UTC()).Count(&n).Error
	return n, translate(err, "count login failures")
}

// ClearLoginFailures forgets the failures recorded for key (after a success).
func ClearLoginFailures(ctx context.Context, db *gorm.DB, key string) error {
	return translate(db.WithContext(ctx).Where("key = ?", key).Delete(&LoginFailure{}).Error, "clear login failures")
}

// PruneAuth deletes expired sessions, spent reset tokens and old failures.
func PruneAuth(ctx context.Context, db *gorm.DB, now time.Time) error {
	db = db.WithContext(ctx)
	if err := db.Where("expires_at <= ?", now.UTC()).Delete(&LoginSession{}).Error; err != nil {
		return translate(err, "prune login sessions")
	}
	if err := db.Where("expires_at <= ?", now.UTC().Add(-24*time.Hour)).Delete(&PasswordReset{}).Error; err != nil {
		return translate(err, "prune password resets")
	}
	if err := db.Where("(locked_until IS NULL OR locked_until <= ?) AND first_at <= ?", now.UTC(), now.UTC().Add(-24*time.Hour)).Delete(&LoginThrottle{}).Error; err != nil {
		return translate(err, "prune login throttles")
	}
	if err := db.Where("expires_at <= ?", now.UTC().Add(-24*time.Hour)).Delete(&EmailVerification{}).Error; err != nil {
		return translate(err, "prune email verifications")
	}
	return translate(db.Where("created_at <= ?", now.UTC().Add(-24*time.Hour)).Delete(&LoginFailure{}).Error, "prune login failures")
}

// CreatePasswordReset issues a reset token for the user and returns it.
func CreatePasswordReset(ctx context.Context, db *gorm.DB, userID uint, now time.Time) (string, *PasswordReset, error) {
	token := NewToken()
	r := PasswordReset{TokenHash: HashToken(token), UserID: userID, ExpiresAt: now.UTC().Add(PasswordResetTTL), CreatedAt: now.UTC()}
	if err := db.WithContext(ctx).Create(&r).Error; err != nil {
		return "", nil, translate(err, "create password reset for user %d", userID)
	}
	return token, &r, nil
}

// FindUsablePasswordReset returns an unused, unexpired reset for a token.
func FindUsablePasswordReset(ctx context.Context, db *gorm.DB, token string, now time.Time) (*PasswordReset, error) {
	var r PasswordReset
	err := db.WithContext(ctx).Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", HashToken(token), now.UTC()).First(&r).Error
	if err != nil {
		return nil, translate(err, "find password reset")
	}
	return &r, nil
}

// ConsumePasswordReset sets a new password through a reset token, marks the
// token used, and ends every login of that user, all in one transaction.
// A spent, expired or unknown token is ErrNotFound.
func ConsumePasswordReset(ctx context.Context, db *gorm.DB, token, newHash string, now time.Time) (uint, error) {
	var userID uint
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := FindUsablePasswordReset(ctx, tx, token, now)
		if err != nil {
			return err
		}
		// Conditional update: only one of two racing submissions wins.
		res := tx.Model(&PasswordReset{}).Where("id = ? AND used_at IS NULL", r.ID).Update("used_at", now.UTC())
		if res.Error != nil {
			return translate(res.Error, "use password reset")
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("use password reset: %w", ErrNotFound)
		}
		userID = r.UserID
		if err := SetUserPassword(ctx, tx, r.UserID, newHash, ""); err != nil {
			return err
		}
		// The reset link went to the account's address: it is proven now,
		// and whoever set a password before (perhaps not the owner) is out.
		return markEmailVerified(ctx, tx, r.UserID, "", now)
	})
	return userID, err
}

// LoginThrottle counts failed logins against one key (an account, an
// account from one client IP, or a client IP) in a window, and the lock
// that the count earned. Every instance shares the rows.
type LoginThrottle struct {
	Key         string `gorm:"primaryKey;size:300"`
	Failures    int
	FirstAt     time.Time
	LockedUntil *time.Time
}

// CountThrottleFailure adds one failure to key with a single atomic upsert
// (a window older than window restarts at 1) and returns the new count and
// the start of its window, so two racing failures never read the same count.
func CountThrottleFailure(ctx context.Context, db *gorm.DB, key string, now time.Time, window time.Duration) (int, time.Time, error) {
	var row struct {
		Failures int
		FirstAt  time.Time
	}
	now = now.UTC()
	stale := now.Add(-window)
	err := db.WithContext(ctx).Raw(`INSERT INTO login_throttles (key, failures, first_at) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN login_throttles.first_at <= ? THEN 1 ELSE login_throttles.failures + 1 END,
  first_at = CASE WHEN login_throttles.first_at <= ? THEN excluded.first_at ELSE login_throttles.first_at END
RETURNING failures, first_at`, key, now, stale, stale).Scan(&row).Error
	if err != nil {
		return 0, time.Time{}, translate(err, "count login failure")
	}
	return row.Failures, row.FirstAt, nil
}

// LockThrottle locks key until the given time (never shortening a lock).
func LockThrottle(ctx context.Context, db *gorm.DB, key string, until time.Time) error {
	err := db.WithContext(ctx).Model(&LoginThrottle{}).
		Where("key = ? AND (locked_until IS NULL OR locked_until < ?)", key, until.UTC()).
		Update("locked_until", until.UTC()).Error
	return translate(err, "lock %q", key)
}

// ThrottledUntil is the latest lock among keys still running at now, or
// the zero time when none is.
func ThrottledUntil(ctx context.Context, db *gorm.DB, now time.Time, keys ...string) (time.Time, error) {
	var ts []LoginThrottle
	err := db.WithContext(ctx).Where("key IN ? AND locked_until > ?", keys, now.UTC()).Find(&ts).Error
	if err != nil {
		return time.Time{}, translate(err, "read login throttles")
	}
	var until time.Time
	for _, t := range ts {
		if t.LockedUntil.After(until) {
			until = *t.LockedUntil
		}
	}
	return until, nil
}

// ClearThrottles forgets the keys and every key starting with one of the
// prefixes (a successful login from an IP, or a password reset clearing
// every IP of an account).
func ClearThrottles(ctx context.Context, db *gorm.DB, keys []string, prefixes ...string) error {
	q := db.WithContext(ctx).Where("key IN ?", keys)
	for _, p := range prefixes {
		q = q.Or("substr(key, 1, ?) = ?", len(p), p)
	}
	return translate(q.Delete(&LoginThrottle{}).Error, "clear login throttles")
}
