package models

import (
	"fmt"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// DefaultPasswordCost is the bcrypt work factor used in production.
const DefaultPasswordCost = 12

// Passwords hashes and checks passwords with bcrypt at one cost. Tests use a
// low cost to stay fast under the race detector; production uses
// DefaultPasswordCost (never below 10).
type Passwords struct {
	cost  int
	dummy func() []byte
}

// NewPasswords returns a hasher with the given bcrypt cost.
func NewPasswords(cost int) *Passwords {
	return &Passwords{cost: cost, dummy: sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("timing-equaliser-not-a-password"), cost)
		return h
	})}
}

// Cost is the bcrypt work factor of new hashes.
func (p *Passwords) Cost() int { return p.cost }

// Hash returns a bcrypt hash of pw, refusing passwords that break the policy.
func (p *Passwords) Hash(pw string) (string, error) {
	if msg := PasswordProblem(pw); msg != "" {
		return "", fmt.Errorf("hash password: %s: %w", msg, ErrInvalid)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), p.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Check reports whether pw is u's password. A nil user, or one without a
// password, is compared against a dummy hash so that unknown addresses take
// as long as wrong passwords and cannot be told apart by timing.
func (p *Passwords) Check(u *User, pw string) bool {
	if u == nil || u.PasswordHash == "" {
		_ = bcrypt.CompareHashAndPassword(p.dummy(), []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(pw)) == nil
}
