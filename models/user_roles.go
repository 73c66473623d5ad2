package models

// This file holds staff administration of accounts: roles, deactivation
// and the admin list of users. (On the security branch it holds only
// SetUserRole, the same as main's; take main's file when merging.)

import (
	"context"
	"fmt"

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
