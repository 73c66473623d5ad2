// Package jobs runs periodic background tasks (hold expiry, reminders, the
// email outbox) inside the server process. Tasks must be safe to run on
// several instances at once: they claim their rows with conditional
// updates, row locks or unique keys, so this runner needs no coordination.
//
// It is an adapter: it imports no project package; services (booking) build
// its Tasks and cmd runs them.
package jobs

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Task is one periodic job.
type Task struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Runner runs tasks until its context ends.
type Runner struct {
	Tasks []Task
	Log   *slog.Logger
}

// Start runs every task in its own goroutine, first after a short random
// delay (so instances started together do not run in lockstep), then every
// Every. It returns a function that waits for the tasks to stop after ctx
// is cancelled.
func (r Runner) Start(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, t := range r.Tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.loop(ctx, t)
		}()
	}
	return wg.Wait
}

func (r Runner) loop(ctx context.Context, t Task) {
	delay := time.Duration(rand.Int64N(int64(t.Every)/4 + 1)) // #nosec G404 -- start-up jitter that spreads tasks over time; nothing depends on it being unpredictable
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		r.runOnce(ctx, t)
		timer.Reset(t.Every)
	}
}

// runOnce runs a task, turning a panic into a logged error so one bad row
// cannot stop the loop.
func (r Runner) runOnce(ctx context.Context, t Task) {
	defer func() {
		if p := recover(); p != nil {
			r.Log.Error("job panicked", "job", t.Name, "panic", p)
		}
	}()
	if err := t.Run(ctx); err != nil && ctx.Err() == nil {
		r.Log.Error("job failed", "job", t.Name, "err", err)
	}
}
