package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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
	cfg, db, err := openDB(ctx, getenv)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	cfg.Dev = cfg.Dev || *dev
	log := newLogger(cfg, stdout)
	// Bind first: a taken port fails in milliseconds with a clear message,
	// not after the tariff index loaded.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: cannot listen on ADDR %s: %w", cfg.Addr, err)
	}
	defer ln.Close() //nolint:errcheck // a no-op once the server closed it
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
	index, err := loadHTS(ctx, db, log)
	if err != nil {
		return err
	}
	bk, err := newBooking(cfg, db, log)
	if err != nil {
		return err
	}
	deps := handlers.Deps{DB: db, Config: cfg.handlersConfig(), Logger: log, HTS: index, Booking: bk}
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
	// One deferred call stops the jobs and then waits for them: deferring
	// the wait before the cancel would wait forever on an early return
	// (a listener that cannot start).
	jobsCtx, stopJobs := context.WithCancel(ctx)
	waitJobs := jobs.Runner{Tasks: bk.Jobs(cfg.JobsInterval), Log: log}.Start(jobsCtx)
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
