package audit_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestRecordKeepsChangedFieldsAndIsAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	if err := models.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	admin := &models.User{Email: "boss@example.com", Name: "Boss", Role: models.RoleAdmin}
	if err := db.Create(admin).Error; err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	l := audit.New(func() time.Time { return at })
	err := l.Record(ctx, db, audit.Action{
		Actor: admin, IP: "192.0.2.7", Action: "session.update", ObjectType: "session", ObjectID: 42,
		Summary: "Changed capacity",
		Before:  audit.Fields{"capacity": 20, "title": "Same"},
		After:   audit.Fields{"capacity": 25, "title": "Same"},
	})
	if err != nil {
		t.Fatal(err)
	}
	es, err := models.ListAuditEntries(ctx, db, models.AuditFilter{ObjectType: "session", ObjectID: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("entries: got %d, want 1", len(es))
	}
	e := es[0]
	if e.ActorID == nil || *e.ActorID != admin.ID || e.ActorEmail != admin.Email || !e.At.Equal(at) {
		t.Errorf("actor/time: got %v %q %v", e.ActorID, e.ActorEmail, e.At)
	}
	var before, after map[string]any
	if err := json.Unmarshal([]byte(e.Before), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(e.After), &after); err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || before["capacity"] != float64(20) || len(after) != 1 || after["capacity"] != float64(25) {
		t.Errorf("before/after: got %v / %v, want only capacity 20 → 25", before, after)
	}

	// Append-only: the database refuses to change or remove an entry.
	if err := db.Exec("UPDATE audit_entries SET action = 'x' WHERE id = ?", e.ID).Error; err == nil {
		t.Error("update of an audit entry: got nil error, want refusal")
	}
	if err := db.Exec("DELETE FROM audit_entries WHERE id = ?", e.ID).Error; err == nil {
		t.Error("delete of an audit entry: got nil error, want refusal")
	}
	es, err = models.ListAuditEntries(ctx, db, models.AuditFilter{Action: "session.update"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Action != "session.update" {
		t.Errorf("after refused changes: got %+v, want the entry unchanged", es)
	}
}
