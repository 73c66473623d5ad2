package hts

import (
	"math"
	"testing"
)

func TestIdx32(t *testing.T) {
	for _, n := range []int{0, 1, 41234, math.MaxInt32} {
		if got := idx32(n); int(got) != n {
			t.Errorf("idx32(%d): got %v, want %v", n, got, n)
		}
	}
}

func TestIdx32PanicsOnOverflow(t *testing.T) {
	if math.MaxInt == math.MaxInt32 {
		t.Skip("int is 32 bits: nothing can overflow")
	}
	n := math.MaxInt32
	n++
	defer func() {
		if recover() == nil {
			t.Errorf("idx32(%d): got no panic, want a panic", n)
		}
	}()
	idx32(n)
}
