package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Role is what a user may do.
type Role string

// The roles, from least to most privileged.
const (
	RoleLearner    Role = "learner"
	RoleInstructor Role = "instructor"
	RoleAdmin      Role = "admin"
)

// MinPasswordLength is the shortest password accepted (NIST 800-63B favours length).
const MinPasswordLength = 12

// maxPasswordBytes is bcrypt's input limit; longer passwords are rejected, not truncated.
const maxPasswordBytes = 72

// User is a person with an account: learner, instructor or admin.
type User struct {
	ID           uint   `gorm:"primaryKey"`
	Email        string `gorm:"size:254;not null;uniqueIndex"`
	Name         string `gorm:"size:200;not null"`
	Company      string `gorm:"size:200;not null;default:''"`
	JobTitle     string `gorm:"size:200;not null;default:''"`
	Bio          string `gorm:"type:text;not null;default:''"`
	PasswordHash string `gorm:"size:200;not null;default:''"`
	Role         Role   `gorm:"size:20;not null;default:'learner'"`
	// EmailVerifiedAt is when the address was proven (an emailed link was
	// followed by the account's own login, or a reset link was used);
	// nil until then. Nothing bought under the address is shown before.
	EmailVerifiedAt *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Verified reports whether u has proven its address.
func (u *User) Verified() bool { return u != nil && u.EmailVerifiedAt != nil }

// IsAdmin reports whether u is an admin.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// IsStaff reports whether u is an instructor or an admin.
func (u *User) IsStaff() bool {
	return u != nil && (u.Role == RoleAdmin || u.Role == RoleInstructor)
}

// StaffOf reports whether u may see a session's staff-only details (join
// link, room, staff notes) as staff: admins for every session, an
// instructor only for the sessions they teach.
func (u *User) StaffOf(s *Session) bool {
	if u == nil || s == nil {
		return false
	}
	return u.Role == RoleAdmin || (u.Role == RoleInstructor && s.InstructorID != nil && *s.InstructorID == u.ID)
}

// NormalizeEmail trims and lower-cases an address so lookups are case-insensitive.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s is a single plain address ("a@b.c", no display name).
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>,;\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// PasswordProblem explains why pw is not acceptable, or returns "".
func PasswordProblem(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLength)
	case len(pw) > maxPasswordBytes:
		return fmt.Sprintf("Use at most %d bytes.", maxPasswordBytes)
	}
	return ""
}

// CreateUser inserts u (its Email normalised); a taken address is ErrConflict.
func CreateUser(ctx context.Context, db *gorm.DB, u *User) error {
	u.Email = NormalizeEmail(u.Email)
	if u.Role == "" {
		u.Role = RoleLearner
	}
	if err := db.WithContext(ctx).Create(u).Error; err != nil {
		return translate(err, "create user %q", u.Email)
	}
	return nil
}

// FindUserByID loads one user.
func FindUserByID(ctx context.Context, db *gorm.DB, id uint) (*User, error) {
	var u User
	if err := db.WithContext(ctx).First(&u, id).Error; err != nil {
		return nil, translate(err, "find user %d", id)
	}
	return &u, nil
}

// FindUserByEmail loads one user by address (case-insensitive).
func FindUserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	var u User
	err := db.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).First(&u).Error
	if err != nil {
		return nil, translate(err, "find user %q", email)
	}
	return &u, nil
}

// UpdateUserProfile saves the editable profile fields of u.
func UpdateUserProfile(ctx context.Context, db *gorm.DB, u *User) error {
	err := db.WithContext(ctx).Model(&User{ID: u.ID}).
		Select("name", "company", "job_title", "updated_at").
		Updates(map[string]any{"name": u.Name, "company": u.Company, "job_title": u.JobTitle, "updated_at": utcNow()}).Error
	return translate(err, "update user %d", u.ID)
}

// SetUserPassword stores a new password hash for the user and ends all of
// their login sessions except keepSession (pass "" to end them all).
func SetUserPassword(ctx context.Context, db *gorm.DB, userID uint, hash, keepSession string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&User{}).Where("id = ?", userID).
			Updates(map[string]any{"password_hash": hash, "updated_at": utcNow()})
		if res.Error != nil {
			return translate(res.Error, "set password for user %d", userID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("set password for user %d: %w", userID, ErrNotFound)
		}
		q := tx.Where("user_id = ?", userID)
		if keepSession != "" {
			q = q.Where("id <> ?", keepSession)
		}
		return translate(q.Delete(&LoginSession{}).Error, "end sessions of user %d", userID)
	})
}

// CountAdmins counts users with the admin role.
func CountAdmins(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&User{}).Where("role = ?", RoleAdmin).Count(&n).Error
	return n, translate(err, "count admins")
}

// EnsureAdmin creates an admin with the given address and password hash,
// or promotes and re-passwords the existing user with that address. It
// reports whether a new user was created.
func EnsureAdmin(ctx context.Context, db *gorm.DB, email, name, hash string) (bool, error) {
	email = NormalizeEmail(email)
	if !ValidEmail(email) {
		return false, fmt.Errorf("ensure admin: %q is not an email address: %w", email, ErrInvalid)
	}
	created := false
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := FindUserByEmail(ctx, tx, email)
		switch {
		case errors.Is(err, ErrNotFound):
			if name == "" {
				name = "Administrator"
			}
			created = true
			now := utcNow()
			return CreateUser(ctx, tx, &User{Email: email, Name: name, PasswordHash: hash, Role: RoleAdmin, EmailVerifiedAt: &now})
		case err != nil:
			return err
		}
		// The operator vouches for the address; the old logins end with
		// the role change.
		extra := map[string]any{"password_hash": hash}
		if u.EmailVerifiedAt == nil {
			extra["email_verified_at"] = utcNow()
		}
		return setUserRole(ctx, tx, u.ID, RoleAdmin, extra)
	})
	return created, err
}

// FindOrCreateGuest returns the user with the address, creating a learner
// without a password when there is none. An order linked to an account is
// shown to it only once the account has proven the address (Verified):
// an unproven account can become proven only through its own login
// following the emailed link, or a password reset (which replaces the
// password and ends every login), so whoever then sees the purchases
// controls the mailbox. Two buyers racing with the same
// new address both end up with the one account (insert-or-ignore, then read).
func FindOrCreateGuest(ctx context.Context, db *gorm.DB, email, name, company string) (*User, error) {
	u := &User{Email: NormalizeEmail(email), Name: name, Company: company, Role: RoleLearner}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "email"}}, DoNothing: true}).Create(u).Error
	if err != nil {
		return nil, translate(err, "create guest %q", email)
	}
	return FindUserByEmail(ctx, db, email)
}
