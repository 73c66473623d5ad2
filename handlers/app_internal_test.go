package handlers

import (
	"testing"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestDefaultPasswordCost checks that, unless a test swaps it, the app
// hashes at production's bcrypt cost. It is an internal test because the
// cost is not part of the App's API.
func TestDefaultPasswordCost(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	a, err := New(Deps{DB: db, Config: Config{BaseURL: "http://hsw.test"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.passwords.Cost(); got < 10 || got != models.DefaultPasswordCost {
		t.Errorf("production bcrypt cost: got %d, want %d (and at least 10)", got, models.DefaultPasswordCost)
	}
}
