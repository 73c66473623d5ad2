package desk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/mail"
	"github.com/hsworkshop/hsworkshop/models"
)

// ErrLastAdmin is returned when a change would leave no active admin.
var ErrLastAdmin = errors.New("the last active admin cannot be demoted or deactivated")

// Users lists accounts matching f.
func (s *Service) Users(ctx context.Context, f models.UserFilter) ([]models.UserListing, error) {
	return models.ListUsers(ctx, s.db, f)
}

// Invite is a staff account to create.
type Invite struct {
	Name  string
	Email string
	Role  models.Role
}

// Validate returns field errors, or an empty map.
func (in *Invite) Validate() map[string]string {
	errs := map[string]string{}
	in.Name, in.Email = strings.TrimSpace(in.Name), models.NormalizeEmail(in.Email)
	if in.Name == "" || len(in.Name) > 200 {
		errs["name"] = "Enter the person's name (up to 200 characters)."
	}
	if !models.ValidEmail(in.Email) {
		errs["email"] = "Enter an email address like name@company.com."
	}
	if in.Role != models.RoleInstructor && in.Role != models.RoleAdmin {
		errs["role"] = "Choose instructor or admin."
	}
	return errs
}

// InviteStaff creates an account with a role and no password and emails a
// link to set one (the password-reset mechanism), in one transaction. An
// address that already has an account is a *models.ValidationError.
func (s *Service) InviteStaff(ctx context.Context, a Actor, in Invite, baseURL string) (*models.User, error) {
	if errs := in.Validate(); len(errs) > 0 {
		return nil, &models.ValidationError{Fields: errs}
	}
	u := &models.User{Name: in.Name, Email: in.Email, Role: in.Role}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.CreateUser(ctx, tx, u); err != nil {
			if errors.Is(err, models.ErrConflict) {
				return &models.ValidationError{Fields: map[string]string{"email": "An account with this address exists; change its role in the list instead."}}
			}
			return err
		}
		if err := s.queueSetPassword(ctx, tx, u, baseURL); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: "user.invite", ObjectType: "user", ObjectID: u.ID,
			Summary: fmt.Sprintf("Invited %s as %s", u.Email, u.Role), After: audit.Fields{"email": u.Email, "role": u.Role}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// queueSetPassword issues a reset token and emails the link.
func (s *Service) queueSetPassword(ctx context.Context, tx *gorm.DB, u *models.User, baseURL string) error {
	token, r, err := models.CreatePasswordReset(ctx, tx, u.ID, s.now())
	if err != nil {
		return err
	}
	link := strings.TrimRight(baseURL, "/") + "/password/reset?token=" + url.QueryEscape(token)
	return s.bk.Outbox().Enqueue(ctx, tx, mail.KindPasswordReset, fmt.Sprintf("password_reset:%d", r.ID), u.Email, u.Name,
		mail.ResetData{Name: u.Name, Link: link})
}

// SendPasswordReset emails a user a link to set a new password.
func (s *Service) SendPasswordReset(ctx context.Context, a Actor, id uint, baseURL string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := models.FindUserByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.queueSetPassword(ctx, tx, u, baseURL); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: "user.password_reset", ObjectType: "user",
			ObjectID: u.ID, Summary: "Password reset link sent to " + u.Email})
	})
}

// guardLastAdmin refuses a change that takes admin rights from the last
// active admin (checked under lock inside tx).
func guardLastAdmin(ctx context.Context, tx *gorm.DB, target uint) error {
	ids, err := models.LockActiveAdmins(ctx, tx)
	if err != nil {
		return err
	}
	if slices.Contains(ids, target) && len(ids) <= 1 {
		return fmt.Errorf("user %d: %w", target, ErrLastAdmin)
	}
	return nil
}

// SetRole changes a user's role and ends their login sessions; the last
// active admin cannot be demoted (ErrLastAdmin).
func (s *Service) SetRole(ctx context.Context, a Actor, id uint, role models.Role) error {
	if !models.ValidRole(role) {
		return &models.ValidationError{Fields: map[string]string{"role": "Choose learner, instructor or admin."}}
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := models.FindUserByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		if role != models.RoleAdmin {
			if err := guardLastAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := models.SetUserRole(ctx, tx, id, role); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: "user.role", ObjectType: "user", ObjectID: id,
			Summary: fmt.Sprintf("%s: %s → %s", u.Email, u.Role, role), Before: audit.Fields{"role": u.Role}, After: audit.Fields{"role": role}})
	})
}

// SetActive deactivates (active false: their logins end and they cannot
// log in) or reactivates a user; the last active admin cannot be
// deactivated (ErrLastAdmin).
func (s *Service) SetActive(ctx context.Context, a Actor, id uint, active bool) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := models.FindUserListing(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Active() == active {
			return nil
		}
		if !active {
			if err := guardLastAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		var at = new(s.now().UTC())
		action := "user.deactivate"
		if active {
			at, action = nil, "user.reactivate"
		}
		if err := models.SetUserDeactivated(ctx, tx, id, at); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: action, ObjectType: "user", ObjectID: id,
			Summary: u.Email, Before: audit.Fields{"active": u.Active()}, After: audit.Fields{"active": active}})
	})
}
