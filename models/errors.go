// Package models holds the persistent domain: GORM structs, their pure rules
// (seats left, prices, deadlines) and the query functions handlers call.
// Every query takes a context first and returns sentinel errors wrapped with
// detail, never nil, nil for "not found".
//
// Services (internal/booking, …), handlers and cmd import it; it imports no
// project package. Order code is split by concern: order.go (types and
// queries), order_status.go (the status machine), seats.go, order_create.go,
// order_payment.go, order_cancel.go; migrations.go lists the migrations.
package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// Sentinel errors with a general kind; wrap them with %w and test with errors.Is.
var (
	// ErrNotFound is returned when a record does not exist (or is not visible).
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a write collides with existing data.
	ErrConflict = errors.New("conflict")
	// ErrForbidden is returned when the actor may not perform the action.
	ErrForbidden = errors.New("forbidden")
	// ErrSeatsFull is returned when a session has fewer seats left than requested.
	ErrSeatsFull = errors.New("seats full")
	// ErrDeadlinePassed is returned when an action comes after its deadline.
	ErrDeadlinePassed = errors.New("deadline passed")
	// ErrInvalid is returned when input breaks a domain rule.
	ErrInvalid = errors.New("invalid")
)

// translate maps GORM errors onto the package sentinels, keeping the cause.
func translate(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", msg, ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %w", msg, ErrConflict)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// ValidationError carries field-level messages for a form or JSON 422.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("validation: %d field(s)", len(e.Fields))
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }
