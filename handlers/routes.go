package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/tariff"
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
	e.GET("/readyz", a.readyz)

	e.GET("/", a.catalog.Home, a.cached)
	e.GET("/sessions", a.catalog.ListSessions, a.cached)
	e.GET("/sessions/:id", a.catalog.ShowSession, a.cached)
	e.GET("/workshops/:slug", a.catalog.ShowWorkshop, a.cached)
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
	// Scheduling, workshops, cancellation, bulk email and the audit log (admins).
	admin.GET("/schedule", a.admin.ShowSchedule)
	admin.GET("/sessions/new", a.admin.NewSession)
	admin.POST("/sessions", a.admin.CreateSession)
	admin.GET("/sessions/:id/edit", a.admin.EditSession)
	admin.POST("/sessions/:id", a.admin.UpdateSession)
	admin.POST("/sessions/:id/duplicate", a.admin.DuplicateSession)
	admin.POST("/sessions/:id/status", a.admin.SetSessionStatus)
	admin.GET("/sessions/:id/cancel", a.admin.ConfirmCancelSession)
	admin.POST("/sessions/:id/cancel", a.admin.CancelSession)
	admin.GET("/sessions/:id/cancellation", a.admin.ShowCancellation)
	admin.GET("/sessions/:id/email", a.admin.NewBulkEmail)
	admin.POST("/sessions/:id/email", a.admin.SendBulkEmail)
	admin.GET("/series/new", a.admin.NewSeries)
	admin.POST("/series/preview", a.admin.PreviewSeries)
	admin.POST("/series", a.admin.CreateSeries)
	admin.GET("/series/:id", a.admin.ShowSeries)
	admin.POST("/series/:id/publish", a.admin.PublishSeries)
	admin.POST("/series/:id/cancel", a.admin.CancelSeries)
	admin.GET("/workshops", a.admin.ListWorkshops)
	admin.GET("/workshops/new", a.admin.NewWorkshop)
	admin.POST("/workshops", a.admin.CreateWorkshop)
	admin.GET("/workshops/:id/edit", a.admin.EditWorkshop)
	admin.POST("/workshops/:id", a.admin.UpdateWorkshop)
	admin.GET("/audit", a.admin.ShowAudit)
	// Instructors' pages: their own sessions only (checked in the service; admins all).
	staff := e.Group("/staff", a.requireStaff)
	staff.GET("/sessions", a.admin.ListStaffSessions)
	staff.GET("/sessions/:id/roster", a.admin.ShowRoster)
	staff.GET("/sessions/:id/sign-in", a.admin.ShowSignIn)
	staff.GET("/sessions/:id/attendance", a.admin.ShowAttendance)
	staff.POST("/sessions/:id/attendance", a.admin.SaveAttendance)

	// Certificates: public verification (lookups capped per IP), the
	// holder's download and transcript, and the admin console.
	e.GET("/certificates/:code", a.certs.ShowVerification, a.certs.LookupLimit)
	mycerts := e.Group("/certificates", a.requireUser)
	mycerts.GET("", a.certs.ShowTranscript)
	mycerts.GET("/transcript.csv", a.certs.TranscriptCSV)
	mycerts.GET("/transcript.pdf", a.certs.TranscriptPDF)
	mycerts.GET("/:code/pdf", a.certs.DownloadCertificate)
	admin.GET("/certs", a.certs.ShowAdminIndex)
	admin.GET("/certs/sessions/:id", a.certs.ShowAdminSession)
	admin.POST("/certs/sessions/:id/issue", a.certs.IssueSession)
	admin.GET("/certs/workshops", a.certs.ListWorkshops)
	admin.GET("/certs/workshops/:id", a.certs.EditWorkshop)
	admin.POST("/certs/workshops/:id", a.certs.UpdateWorkshop)
	admin.GET("/certs/:code", a.certs.ShowAdminCertificate)
	admin.POST("/certs/:code/revoke", a.certs.RevokeCertificate)

	// Back office (issue 11 items 4, 5, 7, 8): payments desk, discounts,
	// waiting lists, reports and staff accounts; admins only.
	deskg := e.Group("/admin/desk", a.requireAdmin)
	deskg.GET("/orders", a.desk.ListOrders)
	deskg.GET("/orders/:id", a.desk.ShowOrder)
	deskg.POST("/orders/:id/refund", a.desk.CreateRefund)
	deskg.POST("/orders/:id/mark-paid", a.desk.MarkPaid)
	deskg.POST("/orders/:id/move", a.desk.MoveOrder)
	deskg.POST("/orders/:id/attendees/:aid/move", a.desk.MoveAttendee)
	deskg.POST("/orders/:id/resend", a.desk.ResendConfirmation)
	deskg.POST("/orders/:id/resolve", a.desk.ResolveFlag)
	deskg.POST("/orders/:id/retry-refunds", a.desk.RetryRefunds)
	deskg.GET("/flags", a.desk.ListFlags)
	deskg.GET("/discounts", a.desk.ListDiscounts)
	deskg.POST("/discounts", a.desk.CreateDiscount)
	deskg.GET("/discounts/:id", a.desk.EditDiscount)
	deskg.POST("/discounts/:id", a.desk.UpdateDiscount)
	deskg.POST("/discounts/:id/delete", a.desk.DeleteDiscount)
	deskg.GET("/waitlist", a.desk.ListWaitlist)
	deskg.POST("/waitlist/:id/offer", a.desk.OfferWaitlist)
	deskg.POST("/waitlist/:id/remove", a.desk.RemoveWaitlist)
	reports := e.Group("/admin/reports", a.requireAdmin)
	reports.GET("", a.desk.ShowReports)
	reports.GET("/:name", a.desk.ReportCSV)
	users := e.Group("/admin/users", a.requireAdmin)
	users.GET("", a.desk.ListUsers)
	users.POST("", a.desk.InviteUser)
	users.POST("/:id/role", a.desk.UpdateRole)
	users.POST("/:id/deactivate", a.desk.Deactivate)
	users.POST("/:id/reactivate", a.desk.Reactivate)
	users.POST("/:id/password-reset", a.desk.SendReset)

	api := e.Group("/api/v1")
	api.GET("/sessions", a.catalog.APIListSessions)
	api.GET("/sessions/:id", a.catalog.APIShowSession)
	api.POST("/sessions/:id/orders", a.booking.APICreateOrder)

	// Tariff reference.
	e.GET("/hts", a.tariffRoute((*tariff.Handler).ShowHTSBrowser))
	e.GET("/hts/search", a.tariffRoute((*tariff.Handler).SearchHTS))
	e.GET("/hts/:code", a.tariffRoute((*tariff.Handler).ShowHTSLine))
	api.GET("/hts/search", a.tariffRoute((*tariff.Handler).APISearchHTS))
	api.GET("/hts/:code", a.tariffRoute((*tariff.Handler).APIShowHTSLine))
	e.GET("/tools/duty", a.tariffRoute((*tariff.Handler).ShowDutyCalculator))
	api.GET("/duty", a.tariffRoute((*tariff.Handler).APIDuty))
	e.GET(tariff.BatchPath, a.tariffRoute((*tariff.Handler).ShowDutyBatch))
	e.POST(tariff.BatchPath, a.tariffRoute((*tariff.Handler).CreateDutyBatch)) // body limit tariff.BatchBodyLimit: see useMiddleware
	e.GET(tariff.BatchPath+"/template.csv", a.tariffRoute((*tariff.Handler).DutyBatchTemplate))
	e.GET("/tools/duty/batches", a.tariffRoute((*tariff.Handler).ListSavedBatches), a.requireUser)
	e.GET("/tools/duty/batches/:id/result.csv", a.tariffRoute((*tariff.Handler).SavedBatchCSV), a.requireUser) // owner only, else 404
	e.POST("/tools/duty/batches/:id/delete", a.tariffRoute((*tariff.Handler).DeleteSavedBatch), a.requireUser) // owner only, else 404

	// Lessons, the learner's dashboard and the origin lab. Lesson pages
	// apply their own access rule (the first of each track is public).
	e.GET("/learn", a.learn.ListTracks)
	e.GET("/learn/dashboard", a.learn.ShowDashboard, a.requireUser)
	e.GET("/learn/origin-lab", a.learn.ShowOriginLab)
	e.POST("/learn/origin-lab", a.learn.EvaluateOriginLab)
	e.GET("/learn/:slug", a.learn.ShowLesson)
	e.POST("/learn/:slug/check", a.learn.CheckLesson)
	e.POST("/learn/:slug/complete", a.learn.CompleteLesson, a.requireUser)
	admin.GET("/lessons", a.learn.ListAdminLessons)
	admin.GET("/lessons/:slug/edit", a.learn.EditAdminLesson)
	admin.POST("/lessons/:slug/edit", a.learn.UpdateAdminLesson)
	admin.GET("/lessons/prework", a.learn.ListAdminPrework)
	admin.GET("/lessons/prework/:workshopID", a.learn.EditAdminPrework)
	admin.POST("/lessons/prework/:workshopID", a.learn.UpdateAdminPrework)
	// Practice quizzes and the exam simulator; staff analytics and items.
	e.GET("/quiz", a.quiz.ShowCatalog)
	qz := e.Group("/quiz", a.requireUser)
	qz.POST("/start", a.quiz.StartAttempt)
	qz.GET("/progress", a.quiz.ShowProgress)
	qz.GET("/attempts/:id", a.quiz.ShowAttempt)
	qz.POST("/attempts/:id/answer", a.quiz.AnswerQuestion)
	qz.POST("/attempts/:id/submit", a.quiz.SubmitAttempt)
	qz.POST("/attempts/:id/review", a.quiz.StartReview)
	e.GET("/admin/quiz", a.quiz.ShowAnalytics, a.requireStaff)
	e.GET("/admin/quiz/sessions/:id", a.quiz.ShowClassResults, a.requireStaff) // own sessions only, checked inside
	admin.POST("/quiz/workshops", a.quiz.AttachWorkshopQuiz)
	admin.GET("/quiz/items", a.quiz.ListItems)
	admin.GET("/quiz/items/export", a.quiz.ExportItems)
	admin.POST("/quiz/items/import", a.quiz.ImportItems)
	admin.GET("/quiz/items/:qid", a.quiz.EditItem)
	admin.POST("/quiz/items/:qid", a.quiz.UpdateItem)
	admin.POST("/quiz/items/:qid/retire", a.quiz.RetireItem)
}
