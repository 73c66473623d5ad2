package models_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestSavedBatchRoundTripAndCap(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	owner := &models.User{Email: "batch-owner@example.com", Name: "Owner"}
	other := &models.User{Email: "batch-other@example.com", Name: "Other"}
	for _, u := range []*models.User{owner, other} {
		if err := db.Create(u).Error; err != nil {
			t.Fatal(err)
		}
	}
	csv := bytes.Repeat([]byte("1,ABC-1234567-8,2025-05-01,8471.30.0100,CN,10000.00\n"), 2000)
	b := &models.SavedBatch{UserID: owner.ID, Name: "March", Rows: 2000, IEEPACents: 123, S122Cents: 45}
	if err := models.SaveBatch(ctx, db, b, csv); err != nil {
		t.Fatalf("SaveBatch: %v", err)
	}
	if len(b.ResultGzip) >= len(csv) || b.ResultBytes != len(csv) {
		t.Errorf("stored: got %d compressed bytes of %d, want fewer than %d", len(b.ResultGzip), b.ResultBytes, len(csv))
	}
	got, err := models.FindSavedBatch(ctx, db, owner.ID, b.ID)
	if err != nil {
		t.Fatalf("FindSavedBatch: %v", err)
	}
	back, err := got.CSV()
	if err != nil || !bytes.Equal(back, csv) {
		t.Fatalf("CSV: got %d bytes (err %v), want the %d bytes saved", len(back), err, len(csv))
	}
	if _, err := models.FindSavedBatch(ctx, db, other.ID, b.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("other's find: got %v, want ErrNotFound", err)
	}
	if err := models.DeleteSavedBatch(ctx, db, other.ID, b.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("other's delete: got %v, want ErrNotFound", err)
	}
	list, err := models.ListSavedBatches(ctx, db, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "March" || list[0].IEEPACents != 123 || list[0].S122Cents != 45 || len(list[0].ResultGzip) != 0 {
		t.Fatalf("list: got %+v, want March without its file", list)
	}

	// Incompressible data over the cap is refused and nothing is stored.
	big := make([]byte, models.SavedBatchMaxGzip+1024)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	if err := models.SaveBatch(ctx, db, &models.SavedBatch{UserID: owner.ID, Name: "Big"}, big); !errors.Is(err, models.ErrBatchTooBig) {
		t.Fatalf("over the cap: got %v, want ErrBatchTooBig", err)
	}
	if list, err = models.ListSavedBatches(ctx, db, owner.ID); err != nil || len(list) != 1 {
		t.Fatalf("after the refused save: got %d batches (err %v), want 1", len(list), err)
	}

	if err := models.DeleteSavedBatch(ctx, db, owner.ID, b.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := models.FindSavedBatch(ctx, db, owner.ID, b.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("after delete: got %v, want ErrNotFound", err)
	}
}
