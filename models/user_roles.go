package models

// This file holds staff administration of accounts: roles, deactivation
// and the admin list of users.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ValidRole reports whether r is one of the roles.
func ValidRole(r Role) bool { return r == RoleLearner || r == RoleInstructor || r == RoleAdmin }

// SetUserRole changes a user's role and ends all of their login sessions in
// the same transaction, so the new rights apply from the next request.
func SetUserRole(ctx context.Context, db *gorm.DB, userID uint, role Role) error {
	if !ValidRole(role) {
		return fmt.Errorf("set role of user %d to %q: %w", userID, role, ErrInvalid)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&User{}).Where("id = ?", userID).Updates(map[string]any{"role": role, "updated_at": utcNow()})
		if res.Error != nil {
			return translate(res.Error, "set role of user %d", userID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("set role of user %d: %w", userID, ErrNotFound)
		}
		return translate(tx.Where("user_id = ?", userID).Delete(&LoginSession{}).Error, "end sessions of user %d", userID)
	})
}

// SetUserDeactivated deactivates (at != nil) or reactivates (nil) a user.
// Deactivation ends every login session in the same transaction; a
// deactivated user cannot start a new one (CreateLoginSession refuses).
func SetUserDeactivated(ctx context.Context, db *gorm.DB, userID uint, at *time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var when any
		if at != nil {
			when = at.UTC()
		}
		res := tx.Table("users").Where("id = ?", userID).Updates(map[string]any{"deactivated_at": when, "updated_at": utcNow()})
		if res.Error != nil {
			return translate(res.Error, "deactivate user %d", userID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("deactivate user %d: %w", userID, ErrNotFound)
		}
		if at == nil {
			return nil
		}
		return translate(tx.Where("user_id = ?", userID).Delete(&LoginSession{}).Error, "end sessions of user %d", userID)
	})
}

// UserDeactivated reports whether the user's account is deactivated.
func UserDeactivated(ctx context.Context, db *gorm.DB, userID uint) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Table("users").Where("id = ? AND deactivated_at IS NOT NULL", userID).Count(&n).Error
	return n > 0, translate(err, "check user %d deactivated", userID)
}

// CountActiveAdmins counts admins whose account is not deactivated.
func CountActiveAdmins(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Table("users").Where("role = ? AND deactivated_at IS NULL", RoleAdmin).Count(&n).Error
	return n, translate(err, "count active admins")
}

// UserListing is a user as the admin list shows it.
type UserListing struct {
	User
	DeactivatedAt *time.Time
}

// Active reports whether the account may log in.
func (u UserListing) Active() bool { return u.DeactivatedAt == nil }

// UserFilter narrows ListUsers; zero fields do not filter.
type UserFilter struct {
	Query string // part of the name, email or company
	Role  Role
	Limit int
}

// ListUsers returns users matching f, staff first, then by name.
func ListUsers(ctx context.Context, db *gorm.DB, f UserFilter) ([]UserListing, error) {
	q := db.WithContext(ctx).Table("users")
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + strings.ToLower(s) + "%"
		q = q.Where("LOWER(name) LIKE ? OR LOWER(email) LIKE ? OR LOWER(company) LIKE ?", like, like, like)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	var us []UserListing
	err := q.Order("CASE role WHEN 'admin' THEN 0 WHEN 'instructor' THEN 1 ELSE 2 END, name, id").Limit(limit).Find(&us).Error
	return us, translate(err, "list users")
}

// FindUserListing loads one user with the admin-only fields.
func FindUserListing(ctx context.Context, db *gorm.DB, id uint) (*UserListing, error) {
	var u UserListing
	if err := db.WithContext(ctx).Table("users").Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, translate(err, "find user %d", id)
	}
	return &u, nil
}

// LockActiveAdmins returns the ids of the active admins inside tx, locking
// their rows on PostgreSQL (SQLite write transactions are already
// exclusive), so a last-admin check and the change it guards cannot
// interleave with another.
func LockActiveAdmins(ctx context.Context, tx *gorm.DB) ([]uint, error) {
	q := "SELECT id FROM users WHERE role = ? AND deactivated_at IS NULL ORDER BY id"
	if IsPostgres(tx) {
		q += " FOR UPDATE"
	}
	var ids []uint
	err := tx.WithContext(ctx).Raw(q, RoleAdmin).Scan(&ids).Error
	return ids, translate(err, "lock admins")
}
