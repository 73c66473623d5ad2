package hts

import (
	"fmt"
	"math"
)

// idx32 converts a count or position in the index (lines, search nodes,
// terms, postings) to the int32 the compact search tables store. The
// schedule has tens of thousands of lines, far below the limit; passing
// it would mean a corrupt or runaway build, which panics rather than
// wrapping around to wrong node numbers.
func idx32(n int) int32 {
	if n < math.MinInt32 || n > math.MaxInt32 {
		panic(fmt.Sprintf("hts: index position %d does not fit in int32", n))
	}
	return int32(n)
}
