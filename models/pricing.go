package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// DiscountKind says how a code reduces the price.
type DiscountKind string

// Discount kinds.
const (
	DiscountPercent DiscountKind = "percent" // PercentBP basis points off the subtotal
	DiscountFixed   DiscountKind = "fixed"   // AmountMinor off the order, in Currency
)

// DiscountScope says which sessions a code applies to.
type DiscountScope string

// Discount scopes.
const (
	ScopeAll      DiscountScope = "all"
	ScopeWorkshop DiscountScope = "workshop"
	ScopeSession  DiscountScope = "session"
)

// DiscountCode is a promotional or group code.
type DiscountCode struct {
	ID          uint `gorm:"primaryKey"`
	Code        string
	Description string
	Kind        DiscountKind
	PercentBP   int `gorm:"column:percent_bp"`
	AmountMinor int64
	Currency    string
	ValidFrom   *time.Time
	ValidUntil  *time.Time
	MaxUses     *int
	Uses        int
	Scope       DiscountScope
	WorkshopID  *uint
	SessionID   *uint
	MinSeats    int
	Active      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NormalizeCode upper-cases and trims a discount code as typed.
func NormalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// CheckFor explains why the code cannot be used for seats of s at now, or
// returns "" when it can. Usage limits are enforced again, atomically, when
// the order is stored.
func (d DiscountCode) CheckFor(s Session, seats int, now time.Time) string {
	switch {
	case !d.Active:
		return "This code is no longer active."
	case d.ValidFrom != nil && now.Before(*d.ValidFrom):
		return "This code is not valid yet."
	case d.ValidUntil != nil && !now.Before(*d.ValidUntil):
		return "This code has expired."
	case d.MaxUses != nil && d.Uses >= *d.MaxUses:
		return "This code has been used up."
	case d.Scope == ScopeWorkshop && (d.WorkshopID == nil || *d.WorkshopID != s.WorkshopID):
		return "This code is not valid for this workshop."
	case d.Scope == ScopeSession && (d.SessionID == nil || *d.SessionID != s.ID):
		return "This code is not valid for this session."
	case seats < d.MinSeats:
		return fmt.Sprintf("This code needs at least %d seats in one order.", d.MinSeats)
	case d.Kind == DiscountFixed && d.Currency != s.Currency:
		return "This code is in another currency."
	}
	return ""
}

// Label describes the discount for receipts: "15% off" or "$100.00 off".
func (d DiscountCode) Label() string {
	if d.Kind == DiscountPercent {
		whole, frac := d.PercentBP/100, d.PercentBP%100
		if frac == 0 {
			return fmt.Sprintf("%d%% off", whole)
		}
		return strings.TrimRight(fmt.Sprintf("%d.%02d", whole, frac), "0") + "% off"
	}
	return Money{Minor: d.AmountMinor, Currency: d.Currency}.String() + " off"
}

// Quote is the price of an order, computed in one place.
type Quote struct {
	Seats     int
	Unit      Money
	EarlyBird bool
	Subtotal  Money
	Discount  Money
	Total     Money
	Code      *DiscountCode
}

// PriceOrder computes the price of seats of s at now with an optional code
// (already checked with CheckFor). Percent discounts round half up to the
// cent; a fixed discount never takes the total below zero.
func PriceOrder(s Session, seats int, code *DiscountCode, now time.Time) Quote {
	unit := s.UnitPriceAt(now)
	q := Quote{Seats: seats, Unit: unit, EarlyBird: s.EarlyBirdActive(now), Code: code,
		Subtotal: Money{Minor: unit.Minor * int64(seats), Currency: s.Currency}, Discount: Money{Currency: s.Currency}}
	if code != nil {
		switch code.Kind {
		case DiscountPercent:
			q.Discount.Minor = (q.Subtotal.Minor*int64(code.PercentBP) + 5000) / 10000
		case DiscountFixed:
			q.Discount.Minor = code.AmountMinor
		}
		q.Discount.Minor = min(q.Discount.Minor, q.Subtotal.Minor)
	}
	q.Total = Money{Minor: q.Subtotal.Minor - q.Discount.Minor, Currency: s.Currency}
	return q
}

// AllocateCents splits total into n shares that differ by at most one cent
// and add up exactly; the first shares take the remainder.
func AllocateCents(total int64, n int) []int64 {
	if n <= 0 {
		return nil
	}
	out := make([]int64, n)
	base, rem := total/int64(n), total%int64(n)
	for i := range out {
		out[i] = base
		if int64(i) < rem {
			out[i]++
		}
	}
	return out
}

// FindDiscountCode loads a code by its text (case-insensitive).
func FindDiscountCode(ctx context.Context, db *gorm.DB, code string) (*DiscountCode, error) {
	var d DiscountCode
	if err := db.WithContext(ctx).Where("code = ?", NormalizeCode(code)).First(&d).Error; err != nil {
		return nil, translate(err, "find discount code %q", code)
	}
	return &d, nil
}

// CreateDiscountCode stores a new code (its text normalised).
func CreateDiscountCode(ctx context.Context, db *gorm.DB, d *DiscountCode) error {
	d.Code = NormalizeCode(d.Code)
	if d.Scope == "" {
		d.Scope = ScopeAll
	}
	if d.MinSeats < 1 {
		d.MinSeats = 1
	}
	return translate(db.WithContext(ctx).Create(d).Error, "create discount code %q", d.Code)
}

// useDiscount counts one use of the code, atomically respecting MaxUses.
func useDiscount(tx *gorm.DB, id uint) error {
	res := tx.Exec("UPDATE discount_codes SET uses = uses + 1, updated_at = ? WHERE id = ? AND (max_uses IS NULL OR uses < max_uses)", utcNow(), id)
	if res.Error != nil {
		return translate(res.Error, "use discount code %d", id)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("use discount code %d: used up: %w", id, ErrConflict)
	}
	return nil
}

// releaseDiscount gives back a use when an unpaid order lapses.
func releaseDiscount(tx *gorm.DB, id uint) error {
	return translate(tx.Exec("UPDATE discount_codes SET uses = uses - 1 WHERE id = ? AND uses > 0", id).Error, "release discount code %d", id)
}
