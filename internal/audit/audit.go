// Package audit records staff actions that change data in the append-only
// audit log (who, what, when, and key fields before and after). It is a
// service: it may import models and nothing else of the project. Callers
// pass the transaction of the change so the entry and the change commit
// together.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// Fields are the key fields of an object before or after a change.
type Fields map[string]any

// Action is one change to record.
type Action struct {
	Actor      *models.User // nil for the system (CLI, jobs)
	IP         string
	Action     string // e.g. "session.create", "order.refund"
	ObjectType string // e.g. "session", "order", "user"
	ObjectID   any    // formatted with %v
	Summary    string
	Before     Fields
	After      Fields
}

// Log appends audit entries.
type Log struct {
	now func() time.Time
}

// New builds a Log; now defaults to time.Now.
func New(now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{now: now}
}

// Record appends a in tx (use the transaction of the change itself). Only
// fields that differ between Before and After are kept when both are given,
// so an entry shows what changed.
func (l *Log) Record(ctx context.Context, tx *gorm.DB, a Action) error {
	before, after := a.Before, a.After
	if before != nil && after != nil {
		before, after = changed(before, after)
	}
	b, err := marshal(before)
	if err != nil {
		return fmt.Errorf("audit %s: before: %w", a.Action, err)
	}
	af, err := marshal(after)
	if err != nil {
		return fmt.Errorf("audit %s: after: %w", a.Action, err)
	}
	e := &models.AuditEntry{
		At:         l.now().UTC(),
		Action:     a.Action,
		ObjectType: a.ObjectType,
		Summary:    truncate(a.Summary, 500),
		Before:     b,
		After:      af,
		IP:         truncate(a.IP, 64),
	}
	if a.ObjectID != nil {
		e.ObjectID = truncate(fmt.Sprint(a.ObjectID), 80)
	}
	if a.Actor != nil {
		id := a.Actor.ID
		e.ActorID = &id
		e.ActorEmail = a.Actor.Email
	}
	return models.CreateAuditEntry(ctx, tx, e)
}

// changed keeps the keys whose values differ (compared as JSON).
func changed(before, after Fields) (Fields, Fields) {
	b, a := Fields{}, Fields{}
	for k, av := range after {
		bv, ok := before[k]
		if ok && sameJSON(bv, av) {
			continue
		}
		if ok {
			b[k] = bv
		}
		a[k] = av
	}
	for k, bv := range before {
		if _, ok := after[k]; !ok {
			b[k] = bv
		}
	}
	return b, a
}

func sameJSON(x, y any) bool {
	bx, err1 := json.Marshal(x)
	by, err2 := json.Marshal(y)
	return err1 == nil && err2 == nil && string(bx) == string(by)
}

func marshal(f Fields) (string, error) {
	if len(f) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
