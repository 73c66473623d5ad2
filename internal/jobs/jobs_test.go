package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunnerRunsRecoversAndStops(t *testing.T) {
	t.Parallel()
	var runs, panics, fails atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	r := Runner{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Tasks: []Task{
		{Name: "count", Every: 5 * time.Millisecond, Run: func(context.Context) error { runs.Add(1); return nil }},
		{Name: "panic", Every: 5 * time.Millisecond, Run: func(context.Context) error { panics.Add(1); panic("boom") }},
		{Name: "fail", Every: 5 * time.Millisecond, Run: func(context.Context) error { fails.Add(1); return errors.New("x") }},
	}}
	wait := r.Start(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for (runs.Load() < 3 || panics.Load() < 3 || fails.Load() < 3) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("runner did not stop after cancel")
	}
	if runs.Load() < 3 || panics.Load() < 3 || fails.Load() < 3 {
		t.Errorf("runs %d, panics %d, fails %d: a panicking or failing task stopped its loop", runs.Load(), panics.Load(), fails.Load())
	}
	after := runs.Load()
	time.Sleep(30 * time.Millisecond)
	if runs.Load() != after {
		t.Error("task ran after stop")
	}
}
