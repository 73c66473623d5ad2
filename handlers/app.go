// Package handlers assembles the HTTP face of hsworkshop: New builds the
// shared web base and every area (catalog, booking, account, tariff, admin)
// from Deps, and Register installs the middleware, the error handler and
// the one route table (routes.go). The areas live in handlers/<area>; what
// they share lives in handlers/web.
//
// It may import everything below it: handlers/web, every handlers/<area>,
// services, adapters and models. Only cmd imports it (and only serve.go).
package handlers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/handlers/account"
	"github.com/hsworkshop/hsworkshop/handlers/admin"
	bookingweb "github.com/hsworkshop/hsworkshop/handlers/booking"
	"github.com/hsworkshop/hsworkshop/handlers/catalog"
	"github.com/hsworkshop/hsworkshop/handlers/certs"
	deskweb "github.com/hsworkshop/hsworkshop/handlers/desk"
	learnweb "github.com/hsworkshop/hsworkshop/handlers/learn"
	quizweb "github.com/hsworkshop/hsworkshop/handlers/quiz"
	"github.com/hsworkshop/hsworkshop/handlers/tariff"
	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/internal/certificate"
	"github.com/hsworkshop/hsworkshop/internal/desk"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/origin"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
	"github.com/hsworkshop/hsworkshop/internal/pagecache"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
	"github.com/hsworkshop/hsworkshop/models"
	"github.com/hsworkshop/hsworkshop/static"
	"github.com/hsworkshop/hsworkshop/templates"
)

// Config is the part of the process configuration the handlers use. It is
// parsed once in cmd and never changed.
type Config struct {
	// BaseURL is the public origin, without a trailing slash.
	BaseURL string
	// Dev re-parses templates on each request and shows error detail.
	Dev bool
	// RateLimit is write requests per minute per client IP; 0 turns it off.
	RateLimit int
	// TrustedProxies are CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string
	// SMTPEnabled reports whether emails leave the outbox.
	SMTPEnabled bool
	// RequestTimeout bounds each request's context.
	RequestTimeout time.Duration
	// HoldDuration, InvoiceTerm, OfferTTL and Business are the booking
	// settings used when Deps.Booking is nil (see booking.Settings).
	HoldDuration time.Duration
	InvoiceTerm  time.Duration
	OfferTTL     time.Duration
	Business     booking.Business
}

// Deps is everything New needs; tests swap any of it. A new area adds its
// service here (e.g. Learn *learn.Service) and builds its Handler in New.
type Deps struct {
	DB     *gorm.DB
	Config Config
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TemplatesFS and StaticFS default to the embedded trees.
	TemplatesFS fs.FS
	StaticFS    fs.FS
	// DevTemplatesFS is read on every request when Config.Dev is set.
	DevTemplatesFS fs.FS
	// Pages, when set, is a page set parsed by an earlier App from the
	// same templates and assets (App.Renderer), used instead of parsing
	// again: tests build hundreds of apps, and parsing is most of the cost.
	Pages *web.Renderer
	// Passwords defaults to bcrypt at models.DefaultPasswordCost.
	Passwords *models.Passwords
	// LoginLimits defaults to account.DefaultLimits.
	LoginLimits account.Limits
	// Booking is the booking service; nil builds one from Payments,
	// Mailer, SeatTaker and Config (tests do that).
	Booking *booking.Service
	// Payments is the card processor; nil turns card payment off.
	Payments booking.Payments
	// Mailer sends the outbox; nil keeps messages queued (shown to admins).
	Mailer outbox.Mailer
	// SeatTaker overrides models.TakeSeats; only the concurrency test's
	// negative control sets it.
	SeatTaker models.SeatTaker
	// HTS is the loaded tariff schedule; nil makes the tariff pages answer
	// 503 (tests of other areas need not load it).
	HTS *hts.Index
	// PostTests tells the certificate service who passed a workshop's
	// post-test; nil uses the quiz service.
	PostTests certificate.PostTestChecker
	// Attendance overrides where attendance marks are read (nil: the
	// attendances table).
	Attendance certificate.AttendanceSource
	// Learn is the lesson service; nil builds one on DB and Now. Lessons
	// are synced into the database by cmd (learn.Sync), not here.
	Learn *learn.Service
	// Quiz is the quiz service; nil builds one from DB, HTS and content.FS.
	Quiz *quizsvc.Service
	// QuizStats fills the quiz charts of /admin/reports; nil uses the quiz
	// service.
	QuizStats desk.QuizStats
}

// App is the assembled web app: the shared base, the middleware's own
// dependencies and one Handler per area.
type App struct {
	web    *web.Base
	db     *gorm.DB
	cfg    Config
	log    *slog.Logger
	static fs.FS
	hashes map[string]string
	bk     *booking.Service
	// passwords is kept for TestDefaultPasswordCost.
	passwords *models.Passwords

	// pages caches the anonymous catalog pages (nil in dev mode).
	pages    *pagecache.Cache
	versions *models.VersionReader

	catalog *catalog.Handler
	booking *bookingweb.Handler
	account *account.Handler
	// tariff is swapped once the tariff index has loaded (SetHTS); until
	// then its pages answer 503.
	tariff    atomic.Pointer[tariff.Handler]
	htsLoaded atomic.Bool
	duty      *duty.Table
	admin     *admin.Handler
	certs     *certs.Handler
	learn     *learnweb.Handler
	quiz      *quizweb.Handler
	quizSvc   *quizsvc.Service
	desk      *deskweb.Handler
}

// New builds the App: it parses templates and hashes assets, failing on the
// first error so a broken build never starts serving.
func New(d Deps) (*App, error) {
	if d.DB == nil {
		return nil, errors.New("handlers: DB is required")
	}
	if _, err := url.Parse(d.Config.BaseURL); err != nil || d.Config.BaseURL == "" {
		return nil, fmt.Errorf("handlers: bad BaseURL %q", d.Config.BaseURL)
	}
	cfg := d.Config
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	log, now := d.Logger, d.Now
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	a := &App{db: d.DB, cfg: cfg, log: log, static: d.StaticFS}
	if a.static == nil {
		a.static = static.FS
	}
	tfs := d.TemplatesFS
	if tfs == nil {
		tfs = templates.FS
	}
	hashes, err := web.AssetHashes(a.static)
	if err != nil {
		return nil, err
	}
	a.hashes = hashes
	tpl := d.Pages
	if tpl == nil {
		if tpl, err = web.NewRenderer(tfs, web.TemplateFuncs(hashes, web.NewMarkdown()), cfg.Dev, d.DevTemplatesFS); err != nil {
			return nil, err
		}
	}
	a.web = &web.Base{Tpl: tpl, BaseURL: cfg.BaseURL, Dev: cfg.Dev, Log: log, Now: now, Notices: noticeLister(d.DB, log),
		Ping: func(ctx context.Context) error { return models.Ping(ctx, d.DB) }}
	a.bk = d.Booking
	if a.bk == nil {
		if a.bk, err = NewBooking(d.DB, cfg, d.Payments, d.Mailer, d.SeatTaker, log, now); err != nil {
			return nil, err
		}
	}
	passwords := d.Passwords
	if passwords == nil {
		passwords = models.NewPasswords(models.DefaultPasswordCost)
	}
	a.passwords = passwords
	table, err := duty.Load(content.FS)
	if err != nil {
		return nil, err
	}
	if !cfg.Dev {
		if a.versions, err = models.NewVersionReader(context.Background(), d.DB); err != nil {
			return nil, fmt.Errorf("handlers: page cache: %w", err)
		}
		a.pages = pagecache.New()
	}
	a.catalog = catalog.New(a.web, d.DB, a.bk)
	a.booking = bookingweb.New(a.web, d.DB, a.bk)
	a.account = account.New(a.web, d.DB, a.bk.Outbox(), passwords, d.LoginLimits)
	a.duty = table
	a.tariff.Store(tariff.New(a.web, d.HTS, table, d.DB))
	a.htsLoaded.Store(d.HTS != nil)
	a.admin = admin.New(a.web, d.DB, a.bk, cfg.SMTPEnabled)
	a.quizSvc = d.Quiz
	if a.quizSvc == nil {
		a.quizSvc = quizsvc.New(quizsvc.Deps{DB: d.DB, HTS: d.HTS, Content: content.FS, Now: now})
	}
	a.quiz = quizweb.New(a.web, d.DB, a.quizSvc)
	postTests := d.PostTests
	if postTests == nil {
		postTests = a.quizSvc // certificates require a passed post-test where the workshop says so
	}
	cs, err := certificate.New(certificate.Deps{DB: d.DB, Outbox: a.bk.Outbox(), Attendance: d.Attendance, PostTests: postTests,
		Logger: log, Now: now, BaseURL: cfg.BaseURL, Issuer: cfg.Business.Name})
	if err != nil {
		return nil, err
	}
	a.certs = certs.New(a.web, d.DB, cs, cfg.RateLimit)
	lessons := d.Learn
	if lessons == nil {
		lessons = learn.NewService(d.DB, now)
	}
	rules, err := origin.LoadTable(content.FS)
	if err != nil {
		return nil, err
	}
	a.learn = learnweb.New(a.web, lessons, origin.Lab{Table: rules, Index: d.HTS}, a.quizSvc)
	quizStats := d.QuizStats
	if quizStats == nil {
		quizStats = a.quizSvc
	}
	deskSvc, err := desk.New(desk.Deps{DB: d.DB, Booking: a.bk, Now: now, Quiz: quizStats})
	if err != nil {
		return nil, err
	}
	a.desk = deskweb.New(a.web, deskSvc)
	return a, nil
}

// NewBooking builds the booking service (and its outbox) from the handler
// configuration; tests and New use it when no service is passed in.
func NewBooking(db *gorm.DB, cfg Config, pay booking.Payments, mailer outbox.Mailer, seats models.SeatTaker, log *slog.Logger, now func() time.Time) (*booking.Service, error) {
	out, err := outbox.New(db, mailer, log, now)
	if err != nil {
		return nil, err
	}
	return booking.New(booking.Deps{DB: db, Payments: pay, Outbox: out, Logger: log, Now: now, SeatTaker: seats,
		Settings: booking.Settings{BaseURL: cfg.BaseURL, HoldDuration: cfg.HoldDuration, InvoiceTerm: cfg.InvoiceTerm,
			OfferTTL: cfg.OfferTTL, Business: cfg.Business}})
}

// SessionCookieName is the login cookie's name (tests log in with it).
func (a *App) SessionCookieName() string { return a.web.SessionCookieName() }

// Renderer is the parsed page set (the render smoke test walks it).
func (a *App) Renderer() *web.Renderer { return a.web.Tpl }

// Booking is the booking service the handlers use.
func (a *App) Booking() *booking.Service { return a.bk }

// Quiz is the quiz service the handlers use (serve.go runs its jobs).
func (a *App) Quiz() *quizsvc.Service { return a.quizSvc }

// SetHTS installs the tariff index once it has loaded in the background
// (serve starts answering before that; the tariff pages answer 503 and
// /readyz says "loading" meanwhile). pinned is the edition quiz keys are
// pinned to (the bundled one; the same index when that is what loaded):
// the quiz service and the origin lab start checking codes against the
// data from then on.
func (a *App) SetHTS(ix, pinned *hts.Index) {
	a.tariff.Store(tariff.New(a.web, ix, a.duty, a.db))
	a.quizSvc.SetIndex(pinned)
	a.learn.SetLabIndex(ix)
	a.htsLoaded.Store(ix != nil)
}

// tariffRoute runs a tariff handler method on the current tariff handler.
func (a *App) tariffRoute(h func(*tariff.Handler, echo.Context) error) echo.HandlerFunc {
	return func(c echo.Context) error { return h(a.tariff.Load(), c) }
}

// noticeLister reads the open system notices for the admin pages.
func noticeLister(db *gorm.DB, log *slog.Logger) func(context.Context) []string {
	return func(ctx context.Context) []string {
		ns, err := models.ListNotices(ctx, db)
		if err != nil {
			log.Error("list notices", "err", err)
			return nil
		}
		out := make([]string, 0, len(ns))
		for _, n := range ns {
			out = append(out, n.Message)
		}
		return out
	}
}
