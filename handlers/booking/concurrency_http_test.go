package booking_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// racySeatTaker is the negative control: it trusts the seat count read
// before the transaction and writes it back without a lock, the classic
// read-then-write bug. It exists only in this test file.
func racySeatTaker(ctx context.Context, tx *gorm.DB, s *models.Session, n int) error {
	if s.SeatsTaken+n > s.Capacity {
		return fmt.Errorf("racy take: %w", models.ErrSeatsFull)
	}
	runtime.Gosched()
	time.Sleep(time.Millisecond)
	return tx.WithContext(ctx).Model(&models.Session{}).Where("id = ?", s.ID).Update("seats_taken", s.SeatsTaken+n).Error
}

// hammer sends n concurrent one-seat orders through the real router and
// returns the status codes.
func hammer(t *testing.T, ta *ht.App, sessionID uint, n int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", sessionID), ht.APIOrderBody(1, "invoice"))
			mu.Lock()
			codes[rec.Code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

// TestConcurrentRegistrationsNeverOversell: 200 buyers at once for C seats
// get exactly C seats; every loser is told "sold out" (409), nobody a 5xx.
func TestConcurrentRegistrationsNeverOversell(t *testing.T) {
	t.Parallel()
	for _, capacity := range []int{1, 10} {
		t.Run(fmt.Sprintf("C=%d", capacity), func(t *testing.T) {
			t.Parallel()
			ta := ht.New(t)
			s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Capacity = capacity; s.AllowInvoice = true })
			codes := hammer(t, ta, s.ID, 200)
			if codes[http.StatusCreated] != capacity || codes[http.StatusConflict] != 200-capacity || len(codes) != 2 {
				t.Fatalf("status codes: got %v, want %d×201 and %d×409", codes, capacity, 200-capacity)
			}
			if got := ta.ActiveSeats(t, s.ID); got != capacity {
				t.Errorf("seats held by orders: got %d, want %d", got, capacity)
			}
			if got := ta.Session(t, s.ID).SeatsTaken; got != capacity {
				t.Errorf("seat counter: got %d, want %d", got, capacity)
			}
		})
	}
}

// TestConcurrentRegistrationsNegativeControl swaps in the unlocked seat
// check and shows the same load oversells: the test above can fail.
func TestConcurrentRegistrationsNegativeControl(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, func(d *handlers.Deps) { d.SeatTaker = racySeatTaker })
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Capacity = 10; s.AllowInvoice = true })
	codes := hammer(t, ta, s.ID, 200)
	if got := ta.ActiveSeats(t, s.ID); got <= 10 {
		t.Fatalf("negative control did not oversell: %d seats sold for capacity 10 (codes %v)", got, codes)
	} else {
		t.Logf("unlocked check sold %d seats for capacity 10 (codes %v)", got, codes)
	}
}

// TestConcurrentDiscountMaxUses: a code with 3 uses left is applied to
// exactly 3 of 20 simultaneous orders.
func TestConcurrentDiscountMaxUses(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.Capacity = 50; s.AllowInvoice = true })
	three := 3
	if err := models.CreateDiscountCode(t.Context(), ta.DB, &models.DiscountCode{Code: "TRIO", Kind: models.DiscountPercent, PercentBP: 1000, MaxUses: &three, Active: true}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", s.ID), ht.APIOrderBody(1, "invoice", `"discount_code":"trio"`))
			mu.Lock()
			codes[rec.Code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	d, err := models.FindDiscountCode(t.Context(), ta.DB, "TRIO")
	if err != nil {
		t.Fatal(err)
	}
	var withCode int64
	ta.DB.Model(&models.Order{}).Where("discount_code_id = ?", d.ID).Count(&withCode)
	if d.Uses != 3 || withCode != 3 || codes[http.StatusCreated] != 3 || codes[http.StatusCreated]+codes[http.StatusConflict]+codes[http.StatusUnprocessableEntity] != 20 {
		t.Fatalf("uses %d, orders with code %d, codes %v; want 3, 3 and 3×201", d.Uses, withCode, codes)
	}
}
