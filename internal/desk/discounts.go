package desk

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/models"
)

// Discounts lists every code with its usage.
func (s *Service) Discounts(ctx context.Context) ([]models.DiscountUsage, error) {
	return models.ListDiscountUsage(ctx, s.db)
}

// Discount loads one code.
func (s *Service) Discount(ctx context.Context, id uint) (*models.DiscountCode, error) {
	return models.FindDiscountCodeByID(ctx, s.db, id)
}

// DiscountInput is a discount code as typed in the form.
type DiscountInput struct {
	Code        string `form:"code"`
	Description string `form:"description"`
	Kind        string `form:"kind"`
	Percent     string `form:"percent"`
	Amount      string `form:"amount"`
	Currency    string `form:"currency"`
	ValidFrom   string `form:"valid_from"`
	ValidUntil  string `form:"valid_until"`
	MaxUses     string `form:"max_uses"`
	Scope       string `form:"scope"`
	WorkshopID  string `form:"workshop_id"`
	SessionID   string `form:"session_id"`
	MinSeats    string `form:"min_seats"`
	Active      bool   `form:"active"`
}

// InputFromDiscount fills the form from a stored code.
func InputFromDiscount(d *models.DiscountCode) DiscountInput {
	in := DiscountInput{Code: d.Code, Description: d.Description, Kind: string(d.Kind), Currency: d.Currency,
		Scope: string(d.Scope), MinSeats: strconv.Itoa(d.MinSeats), Active: d.Active}
	if d.Kind == models.DiscountPercent {
		in.Percent = strconv.FormatFloat(float64(d.PercentBP)/100, 'f', -1, 64)
	} else {
		in.Amount = models.Money{Minor: d.AmountMinor, Currency: d.Currency}.Decimal()
	}
	if d.ValidFrom != nil {
		in.ValidFrom = d.ValidFrom.UTC().Format(time.DateOnly)
	}
	if d.ValidUntil != nil {
		in.ValidUntil = d.ValidUntil.UTC().Format(time.DateOnly)
	}
	if d.MaxUses != nil {
		in.MaxUses = strconv.Itoa(*d.MaxUses)
	}
	if d.WorkshopID != nil {
		in.WorkshopID = strconv.FormatUint(uint64(*d.WorkshopID), 10)
	}
	if d.SessionID != nil {
		in.SessionID = strconv.FormatUint(uint64(*d.SessionID), 10)
	}
	return in
}

// Parse checks the input and fills d (keeping its ID and Uses); it
// returns field errors, empty when d is valid. Dates are whole UTC days:
// valid from the start of ValidFrom until the end of ValidUntil.
func (in DiscountInput) Parse(d *models.DiscountCode) map[string]string {
	errs := map[string]string{}
	d.Code = models.NormalizeCode(in.Code)
	if d.Code == "" || len(d.Code) > 40 || strings.ContainsAny(d.Code, " \t") {
		errs["code"] = "Enter a code of up to 40 characters without spaces."
	}
	d.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(d.Description) > 200 { // the column's size
		errs["description"] = "Keep the description to 200 characters."
	}
	d.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if d.Currency == "" {
		d.Currency = "USD"
	}
	if len(d.Currency) != 3 {
		errs["currency"] = "Enter a three-letter currency code such as USD."
	}
	d.Kind = models.DiscountKind(in.Kind)
	d.PercentBP, d.AmountMinor = 0, 0
	switch d.Kind {
	case models.DiscountPercent:
		// Percent with two decimals is basis points: parse it exactly.
		p, err := models.ParseMoney(in.Percent, "")
		bp := int(p.Minor)
		if err != nil || p.Minor < 1 || p.Minor > 10000 {
			errs["percent"] = "Enter a percentage between 0.01 and 100."
		}
		d.PercentBP = bp
	case models.DiscountFixed:
		m, err := models.ParseMoney(in.Amount, d.Currency)
		if err != nil || m.Minor <= 0 {
			errs["amount"] = "Enter an amount greater than zero, like 50.00."
		}
		d.AmountMinor = m.Minor
	default:
		errs["kind"] = "Choose percent or fixed amount."
	}
	d.ValidFrom, d.ValidUntil = nil, nil
	if v := strings.TrimSpace(in.ValidFrom); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs["valid_from"] = "Enter a date as YYYY-MM-DD."
		}
		d.ValidFrom = &t
	}
	if v := strings.TrimSpace(in.ValidUntil); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs["valid_until"] = "Enter a date as YYYY-MM-DD."
		}
		end := t.AddDate(0, 0, 1)
		d.ValidUntil = &end
	}
	if d.ValidFrom != nil && d.ValidUntil != nil && !d.ValidFrom.Before(*d.ValidUntil) && errs["valid_until"] == "" {
		errs["valid_until"] = "The last day must be on or after the first day."
	}
	d.MaxUses = nil
	if v := strings.TrimSpace(in.MaxUses); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			errs["max_uses"] = "Enter a whole number of uses from 1, or leave empty for no limit."
		}
		d.MaxUses = &n
	}
	d.MinSeats = 1
	if v := strings.TrimSpace(in.MinSeats); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			errs["min_seats"] = "Enter a whole number of seats from 1 to 100."
		}
		d.MinSeats = n
	}
	d.Scope, d.WorkshopID, d.SessionID = models.DiscountScope(in.Scope), nil, nil
	switch d.Scope {
	case models.ScopeAll:
	case models.ScopeWorkshop:
		id, err := strconv.ParseUint(strings.TrimSpace(in.WorkshopID), 10, 32)
		if err != nil || id == 0 {
			errs["workshop_id"] = "Choose the workshop."
		}
		d.WorkshopID = new(uint(id))
	case models.ScopeSession:
		id, err := strconv.ParseUint(strings.TrimSpace(in.SessionID), 10, 32)
		if err != nil || id == 0 {
			errs["session_id"] = "Enter the session number."
		}
		d.SessionID = new(uint(id))
	default:
		errs["scope"] = "Choose where the code applies."
	}
	d.Active = in.Active
	return errs
}

// SaveDiscount creates (id 0) or updates a code from the form; invalid
// input or a taken code is a *models.ValidationError.
func (s *Service) SaveDiscount(ctx context.Context, a Actor, id uint, in DiscountInput) (*models.DiscountCode, error) {
	return s.saveDiscount(ctx, a, id, in)
}

func (s *Service) saveDiscount(ctx context.Context, a Actor, id uint, in DiscountInput) (*models.DiscountCode, error) {
	d := &models.DiscountCode{}
	var before audit.Fields
	if id != 0 {
		cur, err := models.FindDiscountCodeByID(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		d, before = cur, discountFields(cur)
	}
	if errs := in.Parse(d); len(errs) > 0 {
		return nil, &models.ValidationError{Fields: errs}
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.checkScope(ctx, tx, d); err != nil {
			return err
		}
		if err := models.SaveDiscountCode(ctx, tx, d); err != nil {
			if errors.Is(err, models.ErrConflict) {
				return &models.ValidationError{Fields: map[string]string{"code": "Another discount already uses this code."}}
			}
			return err
		}
		action := "discount.update"
		if before == nil {
			action = "discount.create"
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: action, ObjectType: "discount_code", ObjectID: d.ID,
			Summary: d.Code, Before: before, After: discountFields(d)})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// checkScope makes sure a scoped code names a workshop or session that exists.
func (s *Service) checkScope(ctx context.Context, tx *gorm.DB, d *models.DiscountCode) error {
	switch {
	case d.WorkshopID != nil:
		var n int64
		if err := tx.WithContext(ctx).Model(&models.Workshop{}).Where("id = ?", *d.WorkshopID).Count(&n).Error; err != nil {
			return fmt.Errorf("check workshop: %w", err)
		}
		if n == 0 {
			return &models.ValidationError{Fields: map[string]string{"workshop_id": "Choose the workshop."}}
		}
	case d.SessionID != nil:
		if _, err := models.FindSession(ctx, tx, *d.SessionID); err != nil {
			return &models.ValidationError{Fields: map[string]string{"session_id": "There is no session with this number."}}
		}
	}
	return nil
}

func discountFields(d *models.DiscountCode) audit.Fields {
	return audit.Fields{"code": d.Code, "kind": d.Kind, "percent_bp": d.PercentBP, "amount_minor": d.AmountMinor,
		"max_uses": d.MaxUses, "scope": d.Scope, "active": d.Active, "valid_from": d.ValidFrom, "valid_until": d.ValidUntil}
}

// DeleteDiscount removes a code no order used (used codes are
// deactivated instead: models.ErrConflict).
func (s *Service) DeleteDiscount(ctx context.Context, a Actor, id uint) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d, err := models.FindDiscountCodeByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := models.DeleteDiscountCode(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Action{Actor: a.User, IP: a.IP, Action: "discount.delete", ObjectType: "discount_code",
			ObjectID: id, Summary: d.Code, Before: discountFields(d)})
	})
}

// Workshops lists the workshops (for the scope choice).
func (s *Service) Workshops(ctx context.Context) ([]models.Workshop, error) {
	return models.ListWorkshops(ctx, s.db)
}
