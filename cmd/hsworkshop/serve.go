package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers"
	"github.com/hsworkshop/hsworkshop/internal/jobs"
	"github.com/hsworkshop/hsworkshop/internal/seed"
	"github.com/hsworkshop/hsworkshop/models"
)

// This is the only file of the command that imports the web handlers:
// every other command works without templates, assets or the tariff data
// (TestOnlyServeImportsHandlers).

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dev := fs.Bool("dev", false, "re-read templates from ./templates on every request and show error detail")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	// Bind first: a taken port fails in milliseconds with a clear message,
	// not after migrations or the tariff index.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: cannot listen on ADDR %s: %w", cfg.Addr, err)
	}
	defer ln.Close() //nolint:errcheck // a no-op once the server closed it
	cfg, db, err := openDB(ctx, getenv)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	cfg.Dev = cfg.Dev || *dev
	log := newLogger(cfg, stdout)
	if res, err := syncLessons(ctx, db); err != nil {
		return err
	} else if res.Created+res.Updated > 0 || len(res.Kept) > 0 {
		log.Info("synced lessons", "created", res.Created, "updated", res.Updated, "kept_staff_edits", len(res.Kept))
	}
	if addr := getenv("PPROF_ADDR"); addr != "" {
		stop, err := startPprof(addr, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	if seeded, err := seed.IfEmpty(ctx, db, time.Now()); err != nil {
		return err
	} else if seeded {
		log.Info("seeded the demo catalog into an empty database")
	}
	if cfg.AdminEmail != "" {
		if err := bootstrapAdmin(ctx, db, cfg, log); err != nil {
			return err
		}
	}
	manageLimit := setMemoryLimit(getenv, log)
	bk, err := newBooking(cfg, db, log)
	if err != nil {
		return err
	}
	// The tariff index (42,000 lines and their search index, a few seconds
	// of CPU) loads in the background: the catalog, bookings and accounts
	// serve at once, /healthz is 200 (alive, database up) and /readyz is
	// 503 "loading" until the tariff pages, quizzes and the origin lab's
	// code checks can answer too (the tariff pages answer 503 meanwhile).
	deps := handlers.Deps{DB: db, Config: cfg.handlersConfig(), Logger: log, Booking: bk}
	if cfg.Dev {
		deps.DevTemplatesFS = os.DirFS("templates")
	}
	app, err := handlers.New(deps)
	if err != nil {
		return err
	}
	e := echo.New()
	e.Listener = ln
	app.Register(e)
	// Shutdown does not wait for a load in progress: the build is pure
	// CPU, and its database read fails fast once the pool is closed.
	htsCtx, stopHTS := context.WithCancel(ctx)
	defer stopHTS()
	go func() {
		index, err := loadHTS(htsCtx, db, log)
		if err != nil {
			if htsCtx.Err() == nil {
				log.Error("tariff data not loaded; the tariff pages answer 503", "err", err)
			}
			return
		}
		pinned, err := quizEdition(index)
		if err != nil {
			log.Error("bundled tariff edition not loaded; quizzes answer 503", "err", err)
		}
		app.SetHTS(index, pinned)
		// The build's garbage is several times the index: hand it back to
		// the system now rather than when the scavenger gets to it.
		if manageLimit {
			tightenMemoryLimit(log)
		}
		debug.FreeOSMemory()
	}()
	// One deferred call stops the jobs and then waits for them: deferring
	// the wait before the cancel would wait forever on an early return
	// (a listener that cannot start).
	jobsCtx, stopJobs := context.WithCancel(ctx)
	waitJobs := jobs.Runner{Tasks: append(bk.Jobs(cfg.JobsInterval), app.Quiz().Jobs(cfg.JobsInterval)...), Log: log}.Start(jobsCtx)
	defer func() { stopJobs(); waitJobs() }()
	srv := &http.Server{Addr: cfg.Addr, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- e.StartServer(srv) }()
	if cfg.SMTPURL == "" && cfg.MailLogOnly {
		log.Warn("MAIL_LOG_ONLY is set: no email is sent; password-reset and confirmation links stay in the outbox and users cannot receive them")
	}
	log.Info("listening", "addr", cfg.Addr, "base_url", cfg.BaseURL, "database", models.Dialect(db))
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// handlersConfig is the part of the configuration the HTTP layer sees.
func (c Config) handlersConfig() handlers.Config {
	return handlers.Config{BaseURL: c.BaseURL, Dev: c.Dev, RateLimit: c.RateLimit,
		TrustedProxies: c.TrustedProxies, SMTPEnabled: c.SMTPURL != "", HoldDuration: c.HoldDuration,
		InvoiceTerm: c.InvoiceTerm, OfferTTL: c.OfferTTL, Business: c.Business}
}

// startPprof serves net/http/pprof on its own listener, for profiling under
// load. It is off unless PPROF_ADDR is set, and only a loopback address is
// accepted: profiles reveal internals and must never face the network.
func startPprof(addr string, log *slog.Logger) (func(), error) {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return nil, &configError{"PPROF_ADDR", "must be a loopback address with a port, e.g. 127.0.0.1:6060"}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("serve: cannot listen on PPROF_ADDR %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("pprof listening", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// Soft memory limits serve sets when the operator did not set GOMEMLIMIT
// (BENCHMARKS.md "Memory"). The collector runs at the default GOGC=100; a
// soft limit, not a cap: past it the runtime spends at most about half the
// CPU on collection rather than failing.
//
// defaultMemoryLimit holds while the tariff index builds (about 275 MB of
// short-lived garbage: a tighter limit made the build collect so often that
// /readyz took twice as long). Once it is loaded, servingMemoryLimit keeps
// the process under 100 MB resident: the packed index is about 20 MiB of
// live heap, 4.4 MiB of it for the collector to scan, and the whole server
// holds about 40 MiB; resident memory adds about 25 MB of the binary's own
// pages and SQLite's caches (C memory, outside the limit). At 72 MiB the
// benchmark's page load ended at 114 MB resident, at 56 MiB at 98 MB. The limit is raised to leave memoryHeadroom above
// the live heap when that is larger (an imported edition is loaded beside
// the bundled one the quizzes are pinned to).
const (
	defaultMemoryLimit = 192 << 20
	servingMemoryLimit = 56 << 20
	memoryHeadroom     = 16 << 20
)

// setMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT is set, and
// reports whether it did (serve then tightens it once the index is loaded).
func setMemoryLimit(getenv func(string) string, log *slog.Logger) bool {
	if getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	log.Info("soft memory limit", "bytes", defaultMemoryLimit, "gogc", "default")
	return true
}

// tightenMemoryLimit sets the serving limit: servingMemoryLimit, or the live
// heap (after a collection) plus memoryHeadroom when that is more.
func tightenMemoryLimit(log *slog.Logger) int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	live := int64(min(s[0].Value.Uint64(), math.MaxInt64/2)) // #nosec G115 -- bounded just here
	limit := max(int64(servingMemoryLimit), live+memoryHeadroom)
	debug.SetMemoryLimit(limit)
	log.Info("soft memory limit", "bytes", limit, "live_heap", live)
	return limit
}
