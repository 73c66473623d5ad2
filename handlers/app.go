// Package handlers is the HTTP face of hsworkshop: one App holding its
// dependencies, every route registered in one place, server-rendered pages
// and the JSON API. Domain rules live in models; handlers bind, validate,
// call models and render.
package handlers

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/booking"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/invoice"
	"github.com/hsworkshop/hsworkshop/internal/outbox"
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
	// HoldDuration is how long card-payment seats are held (and the Stripe
	// Checkout Session lives): at least Stripe's 30-minute minimum.
	HoldDuration time.Duration
	// InvoiceTerm is how long invoice seats are held unpaid (capped at the start).
	InvoiceTerm time.Duration
	// OfferTTL is how long a waiting-list offer reserves its seats.
	OfferTTL time.Duration
	// Business appears on invoices and emails.
	Business Business
}

// Business identifies the seller on invoices and in emails.
type Business = booking.Business

// secure reports whether the site is served over https.
func (c Config) secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Deps is everything New needs; tests swap any of it.
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
	// Passwords defaults to bcrypt at models.DefaultPasswordCost.
	Passwords *models.Passwords
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
}

// App holds the dependencies of every handler.
type App struct {
	db     *gorm.DB
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	tpl    *Renderer
	static fs.FS
	hashes map[string]string
	md     *markdownRenderer
	limits loginLimits
	// passwords hashes at Deps.Passwords' cost (bcrypt 12 in production).
	passwords *models.Passwords
	bk        *booking.Service
	outbox    *outbox.Outbox
	hts       *hts.Index
	// duty is the duty calculator's measures table (content/duty).
	duty *duty.Table
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
	a := &App{db: d.DB, cfg: d.Config, log: d.Logger, now: d.Now, static: d.StaticFS, limits: defaultLoginLimits}
	a.cfg.BaseURL = strings.TrimRight(a.cfg.BaseURL, "/")
	a.passwords = d.Passwords
	if a.passwords == nil {
		a.passwords = models.NewPasswords(models.DefaultPasswordCost)
	}
	a.hts = d.HTS
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.static == nil {
		a.static = static.FS
	}
	if a.cfg.RequestTimeout == 0 {
		a.cfg.RequestTimeout = 30 * time.Second
	}
	tfs := d.TemplatesFS
	if tfs == nil {
		tfs = templates.FS
	}
	hashes, err := assetHashes(a.static)
	if err != nil {
		return nil, err
	}
	a.hashes = hashes
	a.md = newMarkdown()
	a.bk = d.Booking
	if a.bk == nil {
		if a.bk, err = NewBooking(d.DB, a.cfg, d.Payments, d.Mailer, d.SeatTaker, a.log, a.now); err != nil {
			return nil, err
		}
	}
	a.outbox = a.bk.Outbox()
	a.cfg.Business = a.bk.Settings().Business
	a.tpl, err = newRenderer(tfs, templateFuncs(hashes, a.md), a.cfg.Dev, d.DevTemplatesFS)
	if err != nil {
		return nil, err
	}
	if a.duty, err = duty.Load(content.FS); err != nil {
		return nil, err
	}
	return a, nil
}

// NewBooking builds the booking service (and its outbox) from the handler
// configuration; cmd and tests use it so the settings come from one place.
func NewBooking(db *gorm.DB, cfg Config, pay booking.Payments, mailer outbox.Mailer, seats models.SeatTaker, log *slog.Logger, now func() time.Time) (*booking.Service, error) {
	out, err := outbox.New(db, mailer, log, now)
	if err != nil {
		return nil, err
	}
	return booking.New(booking.Deps{DB: db, Payments: pay, Outbox: out, Logger: log, Now: now, SeatTaker: seats,
		Settings: booking.Settings{BaseURL: cfg.BaseURL, HoldDuration: cfg.HoldDuration, InvoiceTerm: cfg.InvoiceTerm,
			OfferTTL: cfg.OfferTTL, Business: cfg.Business}})
}

// Booking is the booking service the handlers use (cmd runs its jobs).
func (a *App) Booking() *booking.Service { return a.bk }

// Register installs middleware, the error handler and every route on e.
func (a *App) Register(e *echo.Echo) {
	e.HideBanner, e.HidePort = true, true
	e.Renderer = a.tpl
	e.HTTPErrorHandler = a.httpErrorHandler
	e.IPExtractor = a.ipExtractor()
	a.useMiddleware(e)

	e.GET("/static/*", a.serveStatic)
	e.GET("/healthz", a.healthz)

	e.GET("/", a.home)
	e.GET("/sessions", a.listSessions)
	e.GET("/sessions/:id", a.showSession)
	e.GET("/workshops/:slug", a.showWorkshop)
	e.GET("/calendar.ics", a.calendarFeed)
	e.GET("/terms", a.showTerms)

	// Registration and payment.
	e.GET("/sessions/:id/register", a.newRegistration)
	e.POST("/sessions/:id/register", a.createRegistration)
	e.GET("/sessions/:id/waitlist", a.newWaitlist)
	e.POST("/sessions/:id/waitlist", a.createWaitlist)
	e.GET("/waitlist/claim", a.showWaitlistClaim)
	e.POST("/waitlist/claim", a.claimWaitlist)
	e.GET("/orders/:ref", a.showOrder)
	e.GET("/orders/:ref/return", a.returnFromCheckout)
	e.GET("/orders/:ref/checkout-cancelled", a.checkoutCancelled)
	e.POST("/orders/:ref/cancel", a.cancelOrder)
	e.POST("/orders/:ref/attendees/:aid/cancel", a.cancelAttendee)
	e.GET("/orders/:ref/invoice.pdf", a.orderDocument(invoice.Invoice))
	e.GET("/orders/:ref/receipt.pdf", a.orderDocument(invoice.Receipt))
	e.GET("/orders/:ref/session.ics", a.orderCalendar)
	e.POST("/webhooks/stripe", a.stripeWebhook)

	e.GET("/signup", a.newSignup)
	e.POST("/signup", a.createSignup)
	e.GET("/login", a.newLogin)
	e.POST("/login", a.createLogin)
	e.POST("/logout", a.deleteLogin)
	e.GET("/password/forgot", a.newPasswordForgot)
	e.POST("/password/forgot", a.createPasswordForgot)
	e.GET("/password/reset", a.editPasswordReset)
	e.POST("/password/reset", a.updatePasswordReset)

	account := e.Group("/account", a.requireUser)
	account.GET("", a.showProfile)
	account.POST("", a.updateProfile)
	account.POST("/password", a.updatePassword)
	account.GET("/registrations", a.myRegistrations)

	admin := e.Group("/admin", a.requireAdmin)
	admin.GET("", a.showAdminDashboard)
	admin.GET("/emails", a.listAdminEmails)
	admin.GET("/emails/:id", a.showAdminEmail)
	admin.GET("/orders", a.listAdminOrders)
	admin.POST("/orders/:id/mark-paid", a.markOrderPaid)
	admin.POST("/orders/:id/clear-flag", a.clearOrderFlag)
	admin.GET("/sessions/:id", a.showAdminSession)
	admin.POST("/sessions/:id/capacity", a.updateCapacity)
	admin.POST("/sessions/:id/policy", a.updatePolicy)
	// The roster is for staff: admins and the session's own instructor.
	e.GET("/admin/sessions/:id/roster.csv", a.rosterCSV, a.requireStaff)

	api := e.Group("/api/v1")
	api.GET("/sessions", a.apiListSessions)
	api.GET("/sessions/:id", a.apiShowSession)
	api.POST("/sessions/:id/orders", a.apiCreateOrder)

	// Tariff reference.
	e.GET("/hts", a.showHTSBrowser)
	e.GET("/hts/search", a.searchHTS)
	e.GET("/hts/:code", a.showHTSLine)
	api.GET("/hts/search", a.apiSearchHTS)
	api.GET("/hts/:code", a.apiShowHTSLine)
	e.GET("/tools/duty", a.showDutyCalculator)
	api.GET("/duty", a.apiDuty)
}
