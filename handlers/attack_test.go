package handlers_test

// The attack suite: every route of the router, taken from e.Routes() so a
// new area is covered from its first route, is tried as anonymous, a
// learner who owns the objects, another learner, the instructor of another
// session and an admin, with the object IDs and refs of the fixture world;
// every state-changing route must refuse a missing or foreign CSRF token.
//
// A route missing from routeAccess fails TestAttackRoutesAreInMatrix with
// the line to add.

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/handlers"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
	"gorm.io/gorm"
)

// outcome is how a route must answer one role.
type outcome int

const (
	allow  outcome = iota // anything but 401/403/404 (and never 5xx)
	login                 // 401
	forbid                // 403
	hidden                // 404: someone else's object reveals nothing
	bad                   // 400: the webhook without a signature
)

func (o outcome) String() string {
	return [...]string{"allowed", "401", "403", "404", "400"}[o]
}

// The roles, in the order of an access row.
var roleNames = [...]string{"anonymous", "learner (owner)", "another learner", "instructor of another session", "admin"}

// access is the outcome per role, in roleNames order.
type access [5]outcome

var (
	public    = access{allow, allow, allow, allow, allow}
	userOnly  = access{login, allow, allow, allow, allow}
	adminOnly = access{login, forbid, forbid, forbid, allow}
	ownSeat   = access{login, allow, hidden, hidden, hidden}
	// Order pages are keyed by an unguessable ref (the buyer's key, as in
	// the emails); with the ref anyone may act, without it nobody finds it.
	byRef = public
	// Waiting-list claims are keyed by the emailed token; without it
	// nobody finds anything.
	byToken = access{hidden, hidden, hidden, hidden, hidden}
	signed  = access{bad, bad, bad, bad, bad}
	// The refusal rule (README "Security model"): a route whose role the
	// user lacks is 403; an object that is someone else's (another
	// instructor's session, another learner's seat or certificate) is 404,
	// as one that does not exist, so its existence is not leaked.
	// Staff pages: instructors see their list; another instructor's
	// session is not found.
	staffList    = access{login, forbid, forbid, allow, allow}
	staffSession = access{login, forbid, forbid, hidden, allow}
	// A certificate PDF: the holder, the session's staff and admins.
	holderOnly = access{login, allow, hidden, hidden, allow}
)

// routeAccess is the authorization matrix: one line per route.
var routeAccess = map[string]access{
	"GET /":                                   public,
	"GET /static/*":                           public,
	"GET /healthz":                            public,
	"GET /sessions":                           public,
	"GET /sessions/:id":                       public,
	"GET /workshops/:slug":                    public,
	"GET /calendar.ics":                       public,
	"GET /terms":                              public,
	"GET /sessions/:id/register":              public,
	"POST /sessions/:id/register":             public,
	"GET /sessions/:id/waitlist":              public,
	"POST /sessions/:id/waitlist":             public,
	"GET /waitlist/claim":                     byToken,
	"POST /waitlist/claim":                    byToken,
	"GET /orders/confirm":                     public,
	"POST /orders/confirm":                    public,
	"GET /orders/:ref":                        byRef,
	"GET /orders/:ref/return":                 byRef,
	"GET /orders/:ref/checkout-cancelled":     byRef,
	"POST /orders/:ref/checkout-cancelled":    byRef,
	"POST /orders/:ref/cancel":                byRef,
	"POST /orders/:ref/attendees/:aid/cancel": byRef,
	"GET /orders/:ref/invoice.pdf":            byRef,
	"GET /orders/:ref/receipt.pdf":            byRef,
	"GET /orders/:ref/session.ics":            byRef,
	"POST /webhooks/stripe":                   signed,
	"GET /signup":                             public,
	"POST /signup":                            public,
	"GET /login":                              public,
	"POST /login":                             public,
	"POST /logout":                            public,
	"GET /password/forgot":                    public,
	"POST /password/forgot":                   public,
	"GET /password/reset":                     public,
	"POST /password/reset":                    public,
	"GET /account":                            userOnly,
	"POST /account":                           userOnly,
	"POST /account/password":                  userOnly,
	"GET /account/registrations":              userOnly,
	"GET /account/seats/:id":                  ownSeat,
	"GET /account/seats/:id/session.ics":      ownSeat,
	"GET /account/verify":                     public,
	"POST /account/verify":                    userOnly,
	"POST /account/verify/resend":             userOnly,
	"GET /admin":                              adminOnly,
	"GET /admin/emails":                       adminOnly,
	"GET /admin/emails/:id":                   adminOnly,
	"GET /admin/orders":                       adminOnly,
	"POST /admin/orders/:id/mark-paid":        adminOnly,
	"POST /admin/orders/:id/clear-flag":       adminOnly,
	"GET /admin/sessions/:id":                 adminOnly,
	"POST /admin/sessions/:id/capacity":       adminOnly,
	"POST /admin/sessions/:id/policy":         adminOnly,
	"GET /admin/sessions/:id/roster.csv":      staffSession,
	"GET /api/v1/sessions":                    public,
	"GET /api/v1/sessions/:id":                public,
	"POST /api/v1/sessions/:id/orders":        public,
	"GET /hts":                                public,
	"GET /hts/search":                         public,
	"GET /hts/:code":                          public,
	"GET /api/v1/hts/search":                  public,
	"GET /api/v1/hts/:code":                   public,
	"GET /tools/duty":                         public,
	"GET /api/v1/duty":                        public,
	"GET /readyz":                             public,
	// Admin scheduling, workshops, audit; the instructors' own sessions.
	"GET /admin/schedule":                  adminOnly,
	"GET /admin/sessions/new":              adminOnly,
	"POST /admin/sessions":                 adminOnly,
	"GET /admin/sessions/:id/edit":         adminOnly,
	"POST /admin/sessions/:id":             adminOnly,
	"POST /admin/sessions/:id/duplicate":   adminOnly,
	"POST /admin/sessions/:id/status":      adminOnly,
	"GET /admin/sessions/:id/cancel":       adminOnly,
	"POST /admin/sessions/:id/cancel":      adminOnly,
	"GET /admin/sessions/:id/cancellation": adminOnly,
	"GET /admin/sessions/:id/email":        adminOnly,
	"POST /admin/sessions/:id/email":       adminOnly,
	"GET /admin/series/new":                adminOnly,
	"POST /admin/series/preview":           adminOnly,
	"POST /admin/series":                   adminOnly,
	"GET /admin/series/:id":                adminOnly,
	"POST /admin/series/:id/publish":       adminOnly,
	"POST /admin/series/:id/cancel":        adminOnly,
	"GET /admin/workshops":                 adminOnly,
	"GET /admin/workshops/new":             adminOnly,
	"POST /admin/workshops":                adminOnly,
	"GET /admin/workshops/:id/edit":        adminOnly,
	"POST /admin/workshops/:id":            adminOnly,
	"GET /admin/audit":                     adminOnly,
	"GET /staff/sessions":                  staffList,
	"GET /staff/sessions/:id/roster":       staffSession,
	"GET /staff/sessions/:id/sign-in":      staffSession,
	"GET /staff/sessions/:id/attendance":   staffSession,
	"POST /staff/sessions/:id/attendance":  staffSession,
	// Certificates: public verification, the holder's own, the console.
	"GET /certificates/:code":              public,
	"GET /certificates":                    userOnly,
	"GET /certificates/transcript.csv":     userOnly,
	"GET /certificates/transcript.pdf":     userOnly,
	"GET /certificates/:code/pdf":          holderOnly,
	"GET /admin/certs":                     adminOnly,
	"GET /admin/certs/sessions/:id":        adminOnly,
	"POST /admin/certs/sessions/:id/issue": adminOnly,
	"GET /admin/certs/workshops":           adminOnly,
	"GET /admin/certs/workshops/:id":       adminOnly,
	"POST /admin/certs/workshops/:id":      adminOnly,
	"GET /admin/certs/:code":               adminOnly,
	"POST /admin/certs/:code/revoke":       adminOnly,
	// Back office: desk, discounts, waiting lists, reports, staff accounts.
	"GET /admin/desk/orders":                    adminOnly,
	"GET /admin/desk/orders/:id":                adminOnly,
	"POST /admin/desk/orders/:id/refund":        adminOnly,
	"POST /admin/desk/orders/:id/mark-paid":     adminOnly,
	"POST /admin/desk/orders/:id/move":          adminOnly,
	"POST /admin/desk/orders/:id/resend":        adminOnly,
	"POST /admin/desk/orders/:id/resolve":       adminOnly,
	"POST /admin/desk/orders/:id/retry-refunds": adminOnly,
	"GET /admin/desk/flags":                     adminOnly,
	"GET /admin/desk/discounts":                 adminOnly,
	"POST /admin/desk/discounts":                adminOnly,
	"GET /admin/desk/discounts/:id":             adminOnly,
	"POST /admin/desk/discounts/:id":            adminOnly,
	"POST /admin/desk/discounts/:id/delete":     adminOnly,
	"GET /admin/desk/waitlist":                  adminOnly,
	"POST /admin/desk/waitlist/:id/offer":       adminOnly,
	"POST /admin/desk/waitlist/:id/remove":      adminOnly,
	"GET /admin/reports":                        adminOnly,
	"GET /admin/reports/:name":                  adminOnly,
	"GET /admin/users":                          adminOnly,
	"POST /admin/users":                         adminOnly,
	"POST /admin/users/:id/role":                adminOnly,
	"POST /admin/users/:id/deactivate":          adminOnly,
	"POST /admin/users/:id/reactivate":          adminOnly,
	"POST /admin/users/:id/password-reset":      adminOnly,
	// Moving one attendee of an order to another session (issue 11).
	"POST /admin/desk/orders/:id/attendees/:aid/move": adminOnly,
	// Duty batches; saved results are the owner's alone.
	"GET /tools/duty/batch":                  public,
	"POST /tools/duty/batch":                 public,
	"GET /tools/duty/batch/template.csv":     public,
	"GET /tools/duty/batches":                userOnly,
	"GET /tools/duty/batches/:id/result.csv": ownSeat,
	"POST /tools/duty/batches/:id/delete":    ownSeat,
	// Lessons (the first of a track is public) and the origin lab.
	"GET /learn":                              public,
	"GET /learn/dashboard":                    userOnly,
	"GET /learn/origin-lab":                   public,
	"POST /learn/origin-lab":                  public,
	"GET /learn/:slug":                        public,
	"POST /learn/:slug/check":                 public,
	"POST /learn/:slug/complete":              userOnly,
	"GET /admin/lessons":                      adminOnly,
	"GET /admin/lessons/:slug/edit":           adminOnly,
	"POST /admin/lessons/:slug/edit":          adminOnly,
	"GET /admin/lessons/prework":              adminOnly,
	"GET /admin/lessons/prework/:workshopID":  adminOnly,
	"POST /admin/lessons/prework/:workshopID": adminOnly,
	// Quizzes: attempts are the owner's alone; analytics for staff.
	"GET /quiz":                          public,
	"POST /quiz/start":                   userOnly,
	"GET /quiz/progress":                 userOnly,
	"GET /quiz/attempts/:id":             ownSeat,
	"POST /quiz/attempts/:id/answer":     ownSeat,
	"POST /quiz/attempts/:id/submit":     ownSeat,
	"POST /quiz/attempts/:id/review":     ownSeat,
	"GET /admin/quiz":                    staffList,
	"GET /admin/quiz/sessions/:id":       staffSession,
	"POST /admin/quiz/workshops":         adminOnly,
	"GET /admin/quiz/items":              adminOnly,
	"GET /admin/quiz/items/export":       adminOnly,
	"POST /admin/quiz/items/import":      adminOnly,
	"GET /admin/quiz/items/:qid":         adminOnly,
	"POST /admin/quiz/items/:qid":        adminOnly,
	"POST /admin/quiz/items/:qid/retire": adminOnly,
}

// routeForm is the form a route is posted with when an empty one would
// not reach the object (an answer needs the question's position).
var routeForm = map[string]url.Values{
	"POST /quiz/attempts/:id/answer": {"position": {"1"}, "text": {"8471"}},
}

// csrfExempt are the state-changing routes without a CSRF token: the
// webhook is verified by its signature, the JSON API acts on no cookie.
var csrfExempt = map[string]bool{
	"POST /webhooks/stripe":            true,
	"POST /api/v1/sessions/:id/orders": true,
}

// world is the fixture every route is tried against: objects owned by the
// learner (a seat on an order bought by a guest buyer), a session taught
// by someone other than the instructor role, an outbox message.
type world struct {
	roles    [5]*models.User
	workshop *models.Workshop
	session  *models.Session
	order    *models.Order
	seat     models.Attendee
	emailID  uint
	// Made by extend only for the routes that need them.
	certCode   string // the owning learner's certificate
	attemptID  uint   // the owning learner's quiz attempt
	batchID    uint   // the owning learner's saved duty batch
	discountID uint
	waitlistID uint
	seriesID   uint // a series holding the world's session
}

// Lessons and quiz items the routes use (from the real content).
const (
	attackLessonSlug = "hs-purpose-and-editions" // the public first lesson
	attackQuizItem   = "gri-live-horses"
)

// extend adds the objects of the areas whose routes need more than the
// base world, only for those routes (built once per route; each role of a
// state-changing route gets a copy).
func (w *world) extend(t *testing.T, ta *ht.App, pattern string) {
	t.Helper()
	ctx := context.Background()
	admin := w.roles[4]
	switch {
	case strings.Contains(pattern, "/certificates/:code") || strings.HasPrefix(pattern, "/admin/certs/:code"):
		// A held session the owning learner attended, issued by an admin.
		start := ht.Now.Add(-48 * time.Hour)
		held := ht.MustSession(t, ta.DB, w.workshop, func(s *models.Session) {
			s.StartsAt, s.EndsAt, s.RegistrationClosesAt = start, start.Add(7*time.Hour), start.Add(-time.Hour)
			s.InstructorID = w.session.InstructorID
		})
		o := &models.Order{Ref: fmt.Sprintf("attack-held-%d", held.ID), SessionID: held.ID, UserID: w.roles[1].ID, BuyerName: "Buyer",
			BuyerEmail: "held-buyer@broker.example", Seats: 1, UnitPriceMinor: 100, SubtotalMinor: 100, TotalMinor: 100, Currency: "USD",
			PaymentMethod: models.PayByInvoice, Status: models.OrderPaid,
			Attendees: []models.Attendee{{Name: "Owner", Email: w.roles[1].Email, PriceMinor: 100, Status: models.AttendeeActive}}}
		if err := ta.DB.Create(o).Error; err != nil {
			t.Fatal(err)
		}
		if err := ta.DB.Table("attendance_marks").Create(map[string]any{"session_id": held.ID, "attendee_id": o.Attendees[0].ID,
			"status": "present", "hours": 0, "marked_at": ht.Now}).Error; err != nil {
			t.Fatal(err)
		}
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: fmt.Sprintf("/admin/certs/sessions/%d/issue", held.ID), As: admin, Form: url.Values{}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("world: issue certificates: %d", rec.Code)
		}
		cs, err := models.ListCertificatesForSession(ctx, ta.DB, held.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 {
			t.Fatalf("world: got %d certificates, want 1", len(cs))
		}
		w.certCode = cs[0].Code
	case strings.HasPrefix(pattern, "/learn") || strings.HasPrefix(pattern, "/admin/lessons"):
		if _, err := learn.Sync(ctx, ta.DB, content.FS, learn.NewRenderer()); err != nil {
			t.Fatalf("world: sync lessons: %v", err)
		}
	case strings.HasPrefix(pattern, "/quiz/attempts/"):
		rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/quiz/start", Form: url.Values{"key": {"exam:short"}}, As: w.roles[1]})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("world: start quiz: %d", rec.Code)
		}
		if _, err := fmt.Sscanf(rec.Header().Get("Location"), "/quiz/attempts/%d", &w.attemptID); err != nil {
			t.Fatalf("world: attempt location %q: %v", rec.Header().Get("Location"), err)
		}
	case strings.HasPrefix(pattern, "/admin/quiz/items"):
		// The bank reaches the database on first use, as on a live site.
		if rec := ta.Do(t, ht.Request{Path: "/admin/quiz/items", As: admin}); rec.Code != http.StatusOK {
			t.Fatalf("world: quiz items: %d", rec.Code)
		}
	case pattern == "/admin/sessions/:id/cancellation":
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: fmt.Sprintf("/admin/sessions/%d/cancel", w.session.ID), As: admin,
			Form: url.Values{"confirm": {"yes"}}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("world: cancel session: %d", rec.Code)
		}
	case strings.HasPrefix(pattern, "/tools/duty/batches/:id"):
		b := &models.SavedBatch{UserID: w.roles[1].ID, Name: "March entries", FileName: "march.csv", Rows: 1,
			ResultGzip: gzipText(t, "line,hts\n1,8471.30.01\n"), ResultBytes: 22}
		if err := ta.DB.Create(b).Error; err != nil {
			t.Fatal(err)
		}
		w.batchID = b.ID
	case strings.HasPrefix(pattern, "/admin/desk/discounts/"):
		d := &models.DiscountCode{Code: "ATTACK10", Kind: models.DiscountPercent, PercentBP: 1000, Currency: "USD", Scope: models.ScopeAll, MinSeats: 1, Active: true}
		if err := ta.DB.Create(d).Error; err != nil {
			t.Fatal(err)
		}
		w.discountID = d.ID
	case strings.HasPrefix(pattern, "/admin/series/:id"):
		x := &models.SessionSeries{Name: "Attack series", Rule: "Weekly"}
		if err := models.CreateSessionSeries(ctx, ta.DB, x); err != nil {
			t.Fatal(err)
		}
		if err := ta.DB.Model(&models.Session{}).Where("id = ?", w.session.ID).Update("series_id", x.ID).Error; err != nil {
			t.Fatal(err)
		}
		w.seriesID = x.ID
	case strings.HasPrefix(pattern, "/admin/desk/waitlist/"):
		e := &models.WaitlistEntry{SessionID: w.session.ID, Name: "Wes", Email: "wes@broker.example", Seats: 1}
		if err := models.JoinWaitlist(ctx, ta.DB, e); err != nil {
			t.Fatal(err)
		}
		w.waitlistID = e.ID
	}
}

// gzipText compresses s as a saved batch result is stored.
func gzipText(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newWorld(t *testing.T, ta *ht.App) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{}
	w.roles[1] = ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	w.roles[2] = ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	w.roles[3] = ht.MustUser(t, ta.DB, models.RoleInstructor, ht.GoodPassword)
	w.roles[4] = ht.MustUser(t, ta.DB, models.RoleAdmin, ht.GoodPassword)
	teacher := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	ws := ht.MustWorkshop(t, ta.DB)
	w.workshop = ws
	w.session = ht.MustSession(t, ta.DB, ws, func(s *models.Session) { s.AllowInvoice = true; s.InstructorID = &teacher.ID })
	body := fmt.Sprintf(`{"buyer":{"name":"Guest Buyer","email":"buyer@broker.example"},"attendees":[{"name":"Owner","email":%q},{"name":"Colleague","email":"colleague@broker.example"}],"payment_method":"invoice"}`, w.roles[1].Email)
	rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", w.session.ID), body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("world order: %d %s", rec.Code, rec.Body.String())
	}
	out := ht.DecodeJSON[struct{ ID string }](t, rec)
	o, err := models.FindOrderByRef(ctx, ta.DB, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	o = ta.ConfirmOrderByEmail(t, o)
	w.order = o
	if len(o.Attendees) != 2 {
		t.Fatalf("world order: got %d attendees, want 2", len(o.Attendees))
	}
	w.seat = o.Attendees[0]
	// Paid, so that every document (invoice and receipt) exists.
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: w.roles[4], Form: url.Values{}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("world: mark paid: %d", rec.Code)
	}
	w.order = ta.Order(t, o.ID)
	ms := ta.Mailbox(t, "")
	if len(ms) == 0 {
		t.Fatal("world: no outbox message")
	}
	w.emailID = ms[0].ID
	return w
}

var paramRe = regexp.MustCompile(`:[a-zA-Z_]+|\*$`)

// fill puts the world's IDs into a route pattern. A new area whose
// parameters mean something else adds a case here.
func (w *world) fill(path string) string {
	return paramRe.ReplaceAllStringFunc(path, func(p string) string {
		switch {
		case p == "*":
			return "css/app.css"
		case p == ":ref":
			return w.order.Ref
		case p == ":aid":
			return fmt.Sprint(w.order.Attendees[1].ID)
		case p == ":slug" && (strings.HasPrefix(path, "/learn/") || strings.HasPrefix(path, "/admin/lessons/")):
			return attackLessonSlug
		case p == ":slug":
			return w.workshop.Slug
		case p == ":code" && (strings.HasPrefix(path, "/certificates/") || strings.HasPrefix(path, "/admin/certs/")):
			return w.certCode
		case p == ":code":
			return "8471.30.01"
		case p == ":qid":
			return attackQuizItem
		case p == ":name":
			return "revenue.csv"
		case p == ":workshopID":
			return fmt.Sprint(w.workshop.ID)
		case p == ":id" && (strings.HasPrefix(path, "/admin/workshops/") || strings.HasPrefix(path, "/admin/certs/workshops/")):
			return fmt.Sprint(w.workshop.ID)
		case p == ":id" && strings.HasPrefix(path, "/admin/desk/orders/"):
			return fmt.Sprint(w.order.ID)
		case p == ":id" && strings.HasPrefix(path, "/admin/desk/discounts/"):
			return fmt.Sprint(w.discountID)
		case p == ":id" && strings.HasPrefix(path, "/admin/desk/waitlist/"):
			return fmt.Sprint(w.waitlistID)
		case p == ":id" && strings.HasPrefix(path, "/admin/series/"):
			return fmt.Sprint(w.seriesID)
		case p == ":id" && strings.HasPrefix(path, "/admin/users/"):
			return fmt.Sprint(w.roles[2].ID) // another learner's account
		case p == ":id" && strings.HasPrefix(path, "/quiz/attempts/"):
			return fmt.Sprint(w.attemptID)
		case p == ":id" && strings.HasPrefix(path, "/tools/duty/batches/"):
			return fmt.Sprint(w.batchID)
		case p == ":id" && strings.HasPrefix(path, "/admin/orders/"):
			return fmt.Sprint(w.order.ID)
		case p == ":id" && strings.HasPrefix(path, "/admin/emails/"):
			return fmt.Sprint(w.emailID)
		case p == ":id" && strings.HasPrefix(path, "/account/seats/"):
			return fmt.Sprint(w.seat.ID)
		default:
			return fmt.Sprint(w.session.ID)
		}
	})
}

// routeKeys lists the routes of the router as "METHOD path" (Echo's own
// not-found entries left out).
func routeKeys(ta *ht.App) []string {
	var keys []string
	for _, r := range ta.E.Routes() {
		if r.Method == "echo_route_not_found" {
			continue
		}
		keys = append(keys, r.Method+" "+r.Path)
	}
	sort.Strings(keys)
	return keys
}

func TestAttackRoutesAreInMatrix(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	keys := routeKeys(ta)
	if len(keys) < len(routeAccess) {
		t.Errorf("router has %d routes, the matrix %d: remove the lines of deleted routes", len(keys), len(routeAccess))
	}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
		if _, ok := routeAccess[k]; !ok {
			t.Errorf("route %q is not in the attack suite's authorization matrix: add a line such as\n\t%q: userOnly,\nto routeAccess in handlers/attack_test.go (and a case to world.fill if its parameters are new)", k, k)
		}
	}
	for k := range routeAccess {
		if !seen[k] {
			t.Errorf("matrix line %q matches no route: remove it", k)
		}
	}
}

func classify(code int) outcome {
	switch code {
	case http.StatusUnauthorized:
		return login
	case http.StatusForbidden:
		return forbid
	case http.StatusNotFound:
		return hidden
	case http.StatusBadRequest:
		return bad
	}
	return allow
}

func TestAttackAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	probe := ht.New(t)
	for _, key := range routeKeys(probe) {
		want, ok := routeAccess[key]
		if !ok {
			continue // TestAttackRoutesAreInMatrix reports it
		}
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			method, pattern, _ := strings.Cut(key, " ")
			ta := attackApp(t, pattern)
			w := newWorld(t, ta)
			w.extend(t, ta, pattern)
			// A state-changing route gets a fresh world per role, so one
			// role's effect (a cancellation) does not decide the next
			// answer: a copy of the world as built, on a new app.
			var snap *testdb.Snapshot
			if method != http.MethodGet {
				snap = testdb.Take(t, ta.DB)
			}
			for i := range roleNames {
				if i > 0 && method != http.MethodGet {
					// The previous role's app is done: free its connections
					// (its cleanup closes it again, harmlessly).
					if err := models.Close(ta.DB); err != nil {
						t.Fatalf("close the previous role's database: %v", err)
					}
					if snap != nil {
						db, _ := snap.Open(t)
						ta = attackAppOn(t, pattern, db)
					} else { // no snapshots (PostgreSQL without pg_dump): build it again
						ta = attackApp(t, pattern)
						w = newWorld(t, ta)
						w.extend(t, ta, pattern)
					}
				}
				as := w.roles[i]
				path := w.fill(pattern)
				req := ht.Request{Method: method, Path: path, As: as}
				if method != http.MethodGet {
					req.Form = url.Values{}
					if f, ok := routeForm[key]; ok {
						req.Form = f
					}
					if strings.HasPrefix(pattern, "/api/") || pattern == "/webhooks/stripe" {
						req.Form, req.Body = nil, "{}"
						req.Headers = map[string]string{"Content-Type": "application/json"}
					}
				}
				rec := ta.Do(t, req)
				if rec.Code >= 500 {
					t.Errorf("as %s: got %d, want never a 5xx", roleNames[i], rec.Code)
					continue
				}
				got := classify(rec.Code)
				exp := want[i]
				if exp == allow && got == bad {
					got = allow // a 400 for an empty form is an answer, not a refusal
				}
				if got != exp {
					t.Errorf("%s as %s: got %d (%s), want %s", path, roleNames[i], rec.Code, got, exp)
				}
			}
		})
	}
}

// attackApp builds the app for a route: with card payments (so the
// webhook is live) and, for tariff routes, the tariff index.
func attackApp(t *testing.T, pattern string) *ht.App {
	t.Helper()
	db, _ := testdb.Open(t)
	return attackAppOn(t, pattern, db)
}

// attackAppOn is attackApp on a database the test has (a world's copy).
func attackAppOn(t *testing.T, pattern string, db *gorm.DB) *ht.App {
	t.Helper()
	opts := []func(*handlers.Deps){ht.WithFakeStripe(payments.NewFake(ht.WebhookSecret))}
	if strings.Contains(pattern, "hts") || strings.Contains(pattern, "duty") || strings.Contains(pattern, "quiz") || pattern == "/readyz" {
		opts = append(opts, ht.WithHTS(t))
	}
	return ht.NewOn(t, db, opts...)
}

// TestAttackCSRFOnEveryStateChange: every non-GET route (but the exempt
// machine endpoints) refuses a request without a token and one whose token
// does not match its cookie, even from an admin, and changes nothing.
func TestAttackCSRFOnEveryStateChange(t *testing.T) {
	t.Parallel()
	ta := attackApp(t, "")
	w := newWorld(t, ta)
	n := 0
	for _, key := range routeKeys(ta) {
		method, pattern, _ := strings.Cut(key, " ")
		if method == http.MethodGet || method == http.MethodHead || csrfExempt[key] {
			continue
		}
		n++
		path := w.fill(pattern)
		for _, as := range []*models.User{nil, w.roles[1], w.roles[4]} {
			if c := ta.Do(t, ht.Request{Method: method, Path: path, As: as, NoCSRF: true, Form: url.Values{}}).Code; c != http.StatusForbidden {
				t.Errorf("%s without a CSRF token: got %d, want 403", key, c)
			}
			tok, _ := ta.CSRF(t)
			_, otherCookie := ta.CSRF(t)
			rec := ta.Do(t, ht.Request{Method: method, Path: path, As: as, NoCSRF: true, Cookies: []*http.Cookie{otherCookie},
				Form: url.Values{"_csrf": {tok}}})
			if rec.Code != http.StatusForbidden {
				t.Errorf("%s with a foreign CSRF token: got %d, want 403", key, rec.Code)
			}
		}
	}
	if n < 15 {
		t.Fatalf("checked %d state-changing routes, want at least 15", n)
	}
	if o := ta.Order(t, w.order.ID); o.Status != models.OrderPaid || len(o.ActiveAttendees()) != 2 {
		t.Errorf("a refused request changed the order: %s, %d attendees", o.Status, len(o.ActiveAttendees()))
	}
	// The webhook instead requires a valid signature.
	if c := ta.Do(t, ht.Request{Method: "POST", Path: "/webhooks/stripe", Body: `{"id":"evt_1","type":"checkout.session.completed"}`,
		Headers: map[string]string{"Stripe-Signature": "t=1,v1=forged", "Content-Type": "application/json"}}).Code; c != http.StatusBadRequest {
		t.Errorf("webhook with a forged signature: got %d, want 400", c)
	}
}
