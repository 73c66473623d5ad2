package testdb_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestTemplateMatchesMigrate: a database copied from the template has the
// same tables, columns, indexes, constraints, triggers, functions and rows
// as one migrated step by step, on SQLite and on PostgreSQL.
func TestTemplateMatchesMigrate(t *testing.T) {
	t.Parallel()
	copied, copiedDSN := testdb.Open(t)
	migrated, migratedDSN := testdb.OpenMigrated(t)
	want := describe(t, migrated, migratedDSN)
	got := describe(t, copied, copiedDSN)
	if len(want) < 40 {
		t.Fatalf("a migrated database is described in %d lines, want a full schema:\n%s", len(want), strings.Join(want, "\n"))
	}
	if !slices.Equal(got, want) {
		for _, l := range want {
			if !slices.Contains(got, l) {
				t.Errorf("the copy lacks: %s", l)
			}
		}
		for _, l := range got {
			if !slices.Contains(want, l) {
				t.Errorf("the copy has in addition: %s", l)
			}
		}
		t.Fatalf("the copy differs from a migrated database (%d lines against %d)", len(got), len(want))
	}
	pending, err := models.PendingMigrations(t.Context(), copied)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("the copy has pending migrations: %v", pending)
	}
}

// TestCopiesAreIndependent: what one test writes is not in another's copy,
// and each copy starts its IDs from the beginning.
func TestCopiesAreIndependent(t *testing.T) {
	t.Parallel()
	a, dsnA := testdb.Open(t)
	b, dsnB := testdb.Open(t)
	if dsnA == dsnB {
		t.Fatalf("two tests got the same database %s", dsnA)
	}
	ua := &models.User{Name: "A", Email: "a@example.com", Role: models.RoleLearner}
	if err := models.CreateUser(t.Context(), a, ua); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := b.Model(&models.User{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the second copy has %d users, want 0", n)
	}
	ub := &models.User{Name: "B", Email: "b@example.com", Role: models.RoleLearner}
	if err := models.CreateUser(t.Context(), b, ub); err != nil {
		t.Fatal(err)
	}
	if ua.ID != 1 || ub.ID != 1 {
		t.Errorf("first user IDs: %d and %d, want 1 in each copy", ua.ID, ub.ID)
	}
}

// describe lists a database's schema and rows as sorted lines, with the
// schema's own name taken out.
func describe(t *testing.T, db *gorm.DB, dsn string) []string {
	t.Helper()
	var lines []string
	var tables []string
	var schema string
	if testdb.Postgres() {
		if err := db.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
			t.Fatal(err)
		}
		queries := map[string]string{
			"column": `SELECT table_name||'.'||column_name||' '||data_type||' null='||is_nullable||' default='||coalesce(column_default,'')||' len='||coalesce(character_maximum_length::text,'')
				FROM information_schema.columns WHERE table_schema = current_schema()`,
			"index":      `SELECT indexname||': '||indexdef FROM pg_indexes WHERE schemaname = current_schema()`,
			"constraint": `SELECT c.conrelid::regclass::text||'.'||c.conname||': '||pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()`,
			"trigger":    `SELECT event_object_table||'.'||trigger_name||' '||action_timing||' '||event_manipulation||' '||action_statement FROM information_schema.triggers WHERE trigger_schema = current_schema()`,
			"function":   `SELECT p.proname||': '||p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()`,
			"sequence":   `SELECT sequencename||' last='||coalesce(last_value::text,'none') FROM pg_sequences WHERE schemaname = current_schema()`,
			"view":       `SELECT viewname||': '||definition FROM pg_views WHERE schemaname = current_schema()`,
		}
		for kind, q := range queries {
			var got []string
			if err := db.Raw(q).Scan(&got).Error; err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			for _, g := range got {
				lines = append(lines, kind+" "+g)
			}
		}
		if err := db.Raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`).Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
	} else {
		var got []string
		if err := db.Raw(`SELECT type||' '||name||' on '||tbl_name||': '||coalesce(sql,'') FROM sqlite_master`).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			lines = append(lines, sortedClauses(g))
		}
		for _, p := range []string{"journal_mode", "foreign_keys", "user_version", "page_size", "auto_vacuum"} {
			var v string
			if err := db.Raw("PRAGMA " + p).Row().Scan(&v); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, "pragma "+p+"="+v)
		}
		if err := db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table'`).Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
	}
	if len(tables) == 0 {
		t.Fatalf("no tables in %s", dsn)
	}
	for _, tb := range tables {
		cols := "*"
		if tb == "schema_migrations" {
			cols = "id" // applied_at is when each copy was made
		}
		rows, err := db.Raw(fmt.Sprintf("SELECT %s FROM %q", cols, tb)).Rows()
		if err != nil {
			t.Fatalf("rows of %s: %v", tb, err)
		}
		names, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("row %s %v", tb, vals))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for i, l := range lines {
		if schema != "" {
			l = strings.ReplaceAll(l, schema+".", "")
		}
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	slices.Sort(lines)
	return lines
}

// sortedClauses puts the comma-separated clauses of a CREATE TABLE in
// order: GORM writes a table's foreign keys in map order, so two
// migrations of the same schema differ in it.
func sortedClauses(sql string) string {
	open, end := strings.Index(sql, "("), strings.LastIndex(sql, ")")
	if !strings.Contains(sql, "CREATE TABLE") || open < 0 || end < open {
		return sql
	}
	parts := strings.Split(sql[open+1:end], ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	slices.Sort(parts)
	return sql[:open+1] + strings.Join(parts, ",") + sql[end:]
}

// TestSnapshotCopies: a snapshot's copies hold the rows taken, continue
// the IDs after them, keep the triggers, and do not see each other's or
// the original's later writes.
func TestSnapshotCopies(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	u := &models.User{Name: "Taken", Email: "taken@example.com", Role: models.RoleLearner}
	if err := models.CreateUser(t.Context(), db, u); err != nil {
		t.Fatal(err)
	}
	snap := testdb.Take(t, db)
	if snap == nil {
		t.Skip("no snapshots on this PostgreSQL (pg_dump is missing); the attack suite rebuilds its worlds")
	}
	later := &models.User{Name: "Later", Email: "later@example.com", Role: models.RoleLearner}
	if err := models.CreateUser(t.Context(), db, later); err != nil {
		t.Fatal(err)
	}
	a, _ := snap.Open(t)
	b, _ := snap.Open(t)
	var emails []string
	if err := a.Model(&models.User{}).Order("id").Pluck("email", &emails).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(emails, []string{"taken@example.com"}) {
		t.Errorf("a copy holds users %v, want only the one taken", emails)
	}
	inA := &models.User{Name: "In A", Email: "in-a@example.com", Role: models.RoleLearner}
	if err := models.CreateUser(t.Context(), a, inA); err != nil {
		t.Fatal(err)
	}
	if inA.ID != u.ID+1 {
		t.Errorf("the next ID in a copy: %d, want %d", inA.ID, u.ID+1)
	}
	var n int64
	if err := b.Model(&models.User{}).Count(&n).Error; err != nil || n != 1 {
		t.Errorf("the other copy has %d users (%v), want 1", n, err)
	}
	// The audit log's append-only triggers came along.
	if err := b.Create(&models.AuditEntry{At: u.CreatedAt, ActorID: &u.ID, Action: "test", ObjectType: "user", ObjectID: "1"}).Error; err != nil {
		t.Fatalf("insert an audit entry: %v", err)
	}
	if err := b.Exec("DELETE FROM audit_entries").Error; err == nil {
		t.Error("a copy let an audit entry be deleted: the append-only trigger is missing")
	}
}
