package main

import (
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

// TestSetMemoryLimit checks that serve sets its soft memory limit when the
// operator did not set GOMEMLIMIT, and leaves an explicit one alone (the
// runtime has already applied it).
func TestSetMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(prev)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	if setMemoryLimit(env(map[string]string{"GOMEMLIMIT": "300MiB"}), log) {
		t.Error("with GOMEMLIMIT set: serve says it manages the limit")
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set: limit %d, want it untouched", got)
	}
	if !setMemoryLimit(env(nil), log) {
		t.Error("without GOMEMLIMIT: serve says it does not manage the limit")
	}
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("without GOMEMLIMIT: limit %d, want %d", got, defaultMemoryLimit)
	}
}

// TestTightenMemoryLimit checks the serving limit: the floor for a small
// heap, the live heap plus the headroom for a large one.
func TestTightenMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(prev)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	if got := tightenMemoryLimit(log); got != servingMemoryLimit || debug.SetMemoryLimit(-1) != got {
		t.Errorf("small heap: limit %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), servingMemoryLimit)
	}
	big := make([]byte, servingMemoryLimit) // live while the limit is set
	got := tightenMemoryLimit(log)
	if got < servingMemoryLimit+memoryHeadroom || debug.SetMemoryLimit(-1) != got {
		t.Errorf("heap of %d bytes: limit %d, want at least %d", len(big), got, servingMemoryLimit+memoryHeadroom)
	}
	big[0] = 1
}
