package models_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestThrottleCountIsAtomic: failures recorded at once are each counted
// exactly once (one upsert each, no read-then-write), and a stale window
// restarts at 1.
func TestThrottleCountIsAtomic(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	const n = 20
	counts := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			counts[i], _, errs[i] = models.CountThrottleFailure(ctx, db, "login:acct:a@example.com", now, 15*time.Minute)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Ints(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("counts: got %v, want 1..%d each once", counts, n)
		}
	}
	c, _, err := models.CountThrottleFailure(ctx, db, "login:acct:a@example.com", now.Add(16*time.Minute), 15*time.Minute)
	if err != nil || c != 1 {
		t.Errorf("after the window: got %d %v, want 1", c, err)
	}
}

func TestRedactSecretLinks(t *testing.T) {
	t.Parallel()
	in := "https://x.example/password/reset?token=abcDEF_123-x and /orders/AbCdEfGhIjKlMnOpQrStUvWx/invoice.pdf, " +
		`href="https://x.example/waitlist/claim?token=t0k&amp;x=1" /account/verify?token=zzz /orders/confirm?token=qq`
	out := models.RedactSecretLinks(in)
	for _, secret := range []string{"abcDEF_123-x", "AbCdEfGhIjKlMnOpQrStUvWx", "t0k", "zzz", "qq"} {
		if strings.Contains(out, secret) {
			t.Errorf("%q survives redaction: %s", secret, out)
		}
	}
	if !strings.Contains(out, "/password/reset?token=[redacted]") || !strings.Contains(out, "/orders/[redacted]/invoice.pdf") {
		t.Errorf("redaction lost the shape of the links: %s", out)
	}
}

func TestSetUserRoleEndsSessions(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	ctx := context.Background()
	u := &models.User{Email: "r@example.com", Name: "R"}
	if err := models.CreateUser(ctx, db, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := models.CreateLoginSession(ctx, db, u.ID, "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.SetUserRole(ctx, db, u.ID, models.RoleInstructor); err != nil {
		t.Fatal(err)
	}
	if _, err := models.FindLoginSession(ctx, db, tok, now); err == nil {
		t.Error("login survives a role change")
	}
	got, err := models.FindUserByID(ctx, db, u.ID)
	if err != nil || got.Role != models.RoleInstructor {
		t.Errorf("role: got %v %v, want instructor", got, err)
	}
	if err := models.SetUserRole(ctx, db, 999999, models.RoleAdmin); err == nil {
		t.Error("role change of a missing user succeeded")
	}
}
