package hts

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

// heapFigures are the garbage collector's view of the live heap.
type heapFigures struct {
	live, scan, objects uint64
}

// readHeap collects garbage and reads the live heap, the part of it the
// collector must scan for pointers, and the number of objects.
func readHeap() heapFigures {
	runtime.GC()
	runtime.GC() // the second cycle frees what the first one's finalizers released
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/heap:bytes"}, {Name: "/gc/heap/objects:objects"}}
	metrics.Read(s)
	return heapFigures{live: s[0].Value.Uint64(), scan: s[1].Value.Uint64(), objects: s[2].Value.Uint64()}
}

// Budgets of the loaded index (BENCHMARKS.md "Memory"): what the collector
// holds and must scan at every cycle once the server has loaded it.
const (
	budgetLiveMiB = 24
	budgetScanMiB = 6
	budgetObjects = 45_000
)

// TestIndexHeap measures the heap the loaded index holds: its live bytes,
// the bytes the collector scans for pointers at every cycle, and its
// objects. It fails when they exceed the budgets. Run it alone for the
// figures of BENCHMARKS.md:
//
//	go test -run TestIndexHeap -count=1 -v ./internal/hts/
func TestIndexHeap(t *testing.T) {
	before := readHeap()
	ix, err := LoadBundled(contentFS())
	if err != nil {
		t.Fatal(err)
	}
	after := readHeap()
	runtime.KeepAlive(ix)
	const mib = 1 << 20
	live := float64(after.live-min(before.live, after.live)) / mib
	scan := float64(after.scan-min(before.scan, after.scan)) / mib
	objects := after.objects - min(before.objects, after.objects)
	t.Logf("index of %d lines: live heap %.1f MiB, of which the collector scans %.1f MiB; %d heap objects",
		ix.Len(), live, scan, objects)
	if live > budgetLiveMiB || scan > budgetScanMiB || objects > budgetObjects {
		t.Errorf("index heap: live %.1f MiB (budget %d), scanned %.1f MiB (budget %d), %d objects (budget %d)",
			live, budgetLiveMiB, scan, budgetScanMiB, objects, budgetObjects)
	}
}

// TestSearchScratchesBounded checks that concurrent searches share at most
// scratches() working memories (a search waits for one rather than making
// another) and that every search gives its scratch back.
func TestSearchScratchesBounded(t *testing.T) {
	ix, err := LoadBundled(contentFS())
	if err != nil {
		t.Fatal(err)
	}
	items := loadEval(t)
	done := make(chan struct{})
	for g := range 32 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 20 {
				ix.Search(items[(g*20+i)%len(items)].Q, Options{Limit: 10, Explain: i%2 == 0})
			}
		}()
	}
	for range 32 {
		<-done
	}
	s := ix.search
	if len(s.free) != cap(s.free) || cap(s.free) != scratches() {
		t.Fatalf("free list: %d of %d scratches back, want all %d", len(s.free), cap(s.free), scratches())
	}
	made := 0
	for range cap(s.free) {
		if <-s.free != nil {
			made++
		}
	}
	if made == 0 || made > scratches() {
		t.Errorf("made %d scratches for 32 concurrent searchers, want 1 to %d", made, scratches())
	}
}
