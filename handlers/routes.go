package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/internal/invoice"
)

// Register installs middleware, the error handler and every route on e.
// This is the one route table: read it top to bottom; a guard sits on its
// group (or, for a single route, at the end of the line). A new area adds
// its block here, e.g. learn := e.Group("/learn", a.requireUser).
func (a *App) Register(e *echo.Echo) {
	e.HideBanner, e.HidePort = true, true
	e.Renderer = a.web.Tpl
	e.HTTPErrorHandler = a.web.HTTPErrorHandler
	e.IPExtractor = a.ipExtractor()
	a.useMiddleware(e)

	e.GET("/static/*", a.serveStatic)
	e.GET("/healthz", a.healthz)

	e.GET("/", a.catalog.Home)
	e.GET("/sessions", a.catalog.ListSessions)
	e.GET("/sessions/:id", a.catalog.ShowSession)
	e.GET("/workshops/:slug", a.catalog.ShowWorkshop)
	e.GET("/calendar.ics", a.catalog.CalendarFeed)
	e.GET("/terms", a.catalog.ShowTerms)

	// Registration and payment.
	e.GET("/sessions/:id/register", a.booking.NewRegistration)
	e.POST("/sessions/:id/register", a.booking.CreateRegistration)
	e.GET("/sessions/:id/waitlist", a.booking.NewWaitlist)
	e.POST("/sessions/:id/waitlist", a.booking.CreateWaitlist)
	e.GET("/waitlist/claim", a.booking.ShowWaitlistClaim)
	e.POST("/waitlist/claim", a.booking.ClaimWaitlist)
	e.GET("/orders/confirm", a.booking.ShowConfirmOrder)
	e.POST("/orders/confirm", a.booking.ConfirmOrder)
	e.GET("/orders/:ref", a.booking.ShowOrder)
	e.GET("/orders/:ref/return", a.booking.ReturnFromCheckout)
	e.GET("/orders/:ref/checkout-cancelled", a.booking.LeftCheckout)
	e.POST("/orders/:ref/checkout-cancelled", a.booking.CheckoutCancelled)
	e.POST("/orders/:ref/cancel", a.booking.CancelOrder)
	e.POST("/orders/:ref/attendees/:aid/cancel", a.booking.CancelAttendee)
	e.GET("/orders/:ref/invoice.pdf", a.booking.OrderDocument(invoice.Invoice))
	e.GET("/orders/:ref/receipt.pdf", a.booking.OrderDocument(invoice.Receipt))
	e.GET("/orders/:ref/session.ics", a.booking.OrderCalendar)
	e.POST("/webhooks/stripe", a.booking.StripeWebhook)

	e.GET("/signup", a.account.NewSignup)
	e.POST("/signup", a.account.CreateSignup)
	e.GET("/login", a.account.NewLogin)
	e.POST("/login", a.account.CreateLogin)
	e.POST("/logout", a.account.DeleteLogin)
	e.GET("/password/forgot", a.account.NewPasswordForgot)
	e.POST("/password/forgot", a.account.CreatePasswordForgot)
	e.GET("/password/reset", a.account.EditPasswordReset)
	e.POST("/password/reset", a.account.UpdatePasswordReset)

	account := e.Group("/account", a.requireUser)
	account.GET("", a.account.ShowProfile)
	account.POST("", a.account.UpdateProfile)
	account.POST("/password", a.account.UpdatePassword)
	account.GET("/registrations", a.booking.MyRegistrations)
	account.GET("/seats/:id", a.booking.ShowSeat)
	account.GET("/seats/:id/session.ics", a.booking.SeatCalendar)
	e.GET("/account/verify", a.account.ShowVerify)
	account.POST("/verify", a.account.ConfirmVerify)
	account.POST("/verify/resend", a.account.ResendVerify)

	admin := e.Group("/admin", a.requireAdmin)
	admin.GET("", a.admin.ShowAdminDashboard)
	admin.GET("/emails", a.admin.ListAdminEmails)
	admin.GET("/emails/:id", a.admin.ShowAdminEmail)
	admin.GET("/orders", a.admin.ListAdminOrders)
	admin.POST("/orders/:id/mark-paid", a.admin.MarkOrderPaid)
	admin.POST("/orders/:id/clear-flag", a.admin.ClearOrderFlag)
	admin.GET("/sessions/:id", a.admin.ShowAdminSession)
	admin.POST("/sessions/:id/capacity", a.admin.UpdateCapacity)
	admin.POST("/sessions/:id/policy", a.admin.UpdatePolicy)
	// The roster is for staff: admins and the session's own instructor.
	e.GET("/admin/sessions/:id/roster.csv", a.admin.RosterCSV, a.requireStaff)

	api := e.Group("/api/v1")
	api.GET("/sessions", a.catalog.APIListSessions)
	api.GET("/sessions/:id", a.catalog.APIShowSession)
	api.POST("/sessions/:id/orders", a.booking.APICreateOrder)

	// Tariff reference.
	e.GET("/hts", a.tariff.ShowHTSBrowser)
	e.GET("/hts/search", a.tariff.SearchHTS)
	e.GET("/hts/:code", a.tariff.ShowHTSLine)
	api.GET("/hts/search", a.tariff.APISearchHTS)
	api.GET("/hts/:code", a.tariff.APIShowHTSLine)
	e.GET("/tools/duty", a.tariff.ShowDutyCalculator)
	api.GET("/duty", a.tariff.APIDuty)
}
