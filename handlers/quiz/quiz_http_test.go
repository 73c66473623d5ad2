package quiz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/models"
)

// start starts the catalog quiz key as u and returns the attempt's path.
func start(t *testing.T, ta *ht.App, u *models.User, key string) string {
	t.Helper()
	rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/quiz/start", Form: url.Values{"key": {key}}, As: u})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("start %s: got %d %s", key, rec.Code, rec.Body.String())
	}
	return rec.Header().Get("Location")
}

func TestCatalogAndAccess(t *testing.T) {
	t.Parallel()
	ht.Run(t, []ht.Scenario{
		{Name: "anonymous sees the catalog and is asked to log in", Req: ht.Request{Path: "/quiz"}, WantStatus: 200,
			WantBody:    []string{"Exam simulator", "CBLE simulation", "80 questions · 270 minutes · pass mark 75%", "Short exam", "Tariff classification", "Chapter 84", "Log in"},
			WantNotBody: []string{`action="/quiz/start"`}},
		{Name: "a learner gets start buttons", Req: ht.Request{Path: "/quiz"}, WantStatus: 200,
			Setup:    func(t *testing.T, ta *ht.App) {},
			WantBody: []string{"Exam simulator"}},
		{Name: "anonymous cannot start", Req: ht.Request{Method: http.MethodPost, Path: "/quiz/start", Form: url.Values{"key": {"exam:short"}}}, WantStatus: http.StatusUnauthorized},
		{Name: "anonymous has no progress page", Req: ht.Request{Path: "/quiz/progress"}, WantStatus: http.StatusUnauthorized},
		{Name: "learners do not see analytics", Req: ht.Request{Path: "/admin/quiz"}, WantStatus: http.StatusUnauthorized},
	}, ht.WithHTS(t))
}

func TestQuizFlows(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	ana := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	ben := ht.MustUser(t, ta.DB, models.RoleLearner, "")

	t.Run("catalog for a learner has start forms", func(t *testing.T) {
		rec := ta.Do(t, ht.Request{Path: "/quiz", As: ana})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `name="key" value="exam:cble"`) {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("unknown quiz is a 404, empty key a 422", func(t *testing.T) {
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/quiz/start", Form: url.Values{"key": {"exam:nope"}}, As: ana}); rec.Code != 404 {
			t.Errorf("got %d, want 404", rec.Code)
		}
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/quiz/start", Form: url.Values{"key": {""}}, As: ana}); rec.Code != 422 {
			t.Errorf("got %d, want 422", rec.Code)
		}
	})

	exam := start(t, ta, ana, "exam:short")
	t.Run("exam page shows a countdown and no key", func(t *testing.T) {
		rec := ta.Do(t, ht.Request{Path: exam, As: ana})
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, "Time left: <strong class=\"quiz-timer-value\">1:00:00</strong>") ||
			!strings.Contains(body, `data-seconds="3600"`) || !strings.Contains(body, "Question 1 of 20") {
			t.Fatalf("got %d %.2000s", rec.Code, body)
		}
		if m := regexp.MustCompile(`name="choice" value="[^0-9"]`).FindString(body); m != "" {
			t.Errorf("a choice carries its bank id: %s", m)
		}
		for _, leak := range []string{"Why</h3>", "explanation", `"correct"`, "Key:"} {
			if strings.Contains(body, leak) {
				t.Errorf("exam page leaks %q", leak)
			}
		}
	})
	t.Run("another learner gets 404 on the attempt and its actions", func(t *testing.T) {
		for _, r := range []ht.Request{{Path: exam, As: ben},
			{Method: http.MethodPost, Path: exam + "/answer", Form: url.Values{"position": {"1"}, "text": {"8471"}}, As: ben},
			{Method: http.MethodPost, Path: exam + "/submit", Form: url.Values{}, As: ben},
			{Method: http.MethodPost, Path: exam + "/review", Form: url.Values{}, As: ben}} {
			if rec := ta.Do(t, r); rec.Code != 404 {
				t.Errorf("%s %s: got %d, want 404", r.Method, r.Path, rec.Code)
			}
		}
	})
	t.Run("exam answers save and move on; bad position is a 404", func(t *testing.T) {
		rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: exam + "/answer", Form: url.Values{"position": {"1"}, "text": {"1"}, "choice": {"x"}, "go": {"next"}}, As: ana})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != exam+"?q=2" {
			t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Location"))
		}
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: exam + "/answer", Form: url.Values{"position": {"99"}, "text": {"1"}}, As: ana}); rec.Code != 404 {
			t.Errorf("position 99: got %d, want 404", rec.Code)
		}
	})
	t.Run("submitted exam shows results with keys and a review", func(t *testing.T) {
		rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: exam + "/submit", Form: url.Values{}, As: ana})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("submit: got %d", rec.Code)
		}
		rec = ta.Do(t, ht.Request{Path: exam, As: ana})
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, "results") || !strings.Contains(body, "Not passed") || !strings.Contains(body, "Why</h3>") ||
			!strings.Contains(body, "Review my 20 mistakes") {
			t.Fatalf("got %d %.3000s", rec.Code, body)
		}
		rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: exam + "/answer", Form: url.Values{"position": {"2"}, "text": {"1"}}, As: ana})
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "note=closed") {
			t.Errorf("answer after submit: got %d %q", rec.Code, rec.Header().Get("Location"))
		}
		rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: exam + "/review", Form: url.Values{}, As: ana})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") == exam {
			t.Fatalf("review: got %d %q", rec.Code, rec.Header().Get("Location"))
		}
		rec = ta.Do(t, ht.Request{Path: rec.Header().Get("Location"), As: ana})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Review of mistakes") || !strings.Contains(rec.Body.String(), "Question 1 of 20") {
			t.Errorf("review page: got %d", rec.Code)
		}
	})

	t.Run("choices are numbered as shown, never by bank id", func(t *testing.T) {
		gri := start(t, ta, ana, "topic:gri:gri-1")
		body := ta.Do(t, ht.Request{Path: gri, As: ana}).Body.String()
		if !strings.Contains(body, `name="choice" value="1"`) {
			t.Fatalf("no numbered choices: %.2000s", body)
		}
		if m := regexp.MustCompile(`name="choice" value="[^0-9"]`).FindString(body); m != "" {
			t.Errorf("a choice carries its bank id: %s", m)
		}
	})

	practice := start(t, ta, ana, "topic:classification:chapter-84")
	t.Run("practice: empty answer is 422 beside the field", func(t *testing.T) {
		rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: practice + "/answer", Form: url.Values{"position": {"1"}, "text": {" "}}, As: ana})
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "Type your answer.") || !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
			t.Fatalf("got %d %.2000s", rec.Code, rec.Body.String())
		}
	})
	t.Run("practice: an answer is graded at once with level-by-level feedback", func(t *testing.T) {
		rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: practice + "/answer", Form: url.Values{"position": {"1"}, "text": {"8401"}}, As: ana})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != practice+"?q=1" {
			t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Location"))
		}
		rec = ta.Do(t, ht.Request{Path: practice + "?q=1", As: ana})
		body := rec.Body.String()
		for _, want := range []string{"Level by level", "Key: <a href=\"/hts/84", "Why</h3>", "Next question", "20% credit"} {
			if !strings.Contains(body, want) {
				t.Errorf("feedback lacks %q", want)
			}
		}
		rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: practice + "/answer", Form: url.Values{"position": {"1"}, "text": {"8471"}}, As: ana})
		if !strings.Contains(rec.Header().Get("Location"), "note=answered") {
			t.Errorf("second answer: got %d %q, want already answered", rec.Code, rec.Header().Get("Location"))
		}
	})
	t.Run("progress page draws the chart", func(t *testing.T) {
		rec := ta.Do(t, ht.Request{Path: "/quiz/progress", As: ana})
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, "<polyline") || !strings.Contains(body, "Short exam") ||
			strings.Contains(body, "<script>") {
			t.Fatalf("got %d %.2000s", rec.Code, body)
		}
	})
}

func TestExamDeadlineSurvivesReload(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	ana := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	exam := start(t, ta, ana, "exam:short")
	ta.SetNow(ta.Now().Add(59 * time.Minute))
	if rec := ta.Do(t, ht.Request{Path: exam, As: ana}); !strings.Contains(rec.Body.String(), "0:01:00") {
		t.Errorf("after 59 min: want one minute left")
	}
	ta.SetNow(ta.Now().Add(2 * time.Minute))
	rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: exam + "/answer", Form: url.Values{"position": {"1"}, "text": {"8471"}}, As: ana})
	if !strings.Contains(rec.Header().Get("Location"), "note=time-up") {
		t.Fatalf("late answer: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = ta.Do(t, ht.Request{Path: exam, As: ana})
	if !strings.Contains(rec.Body.String(), "Time ran out") {
		t.Errorf("results do not say the exam was submitted by the clock")
	}
}

var attemptPath = regexp.MustCompile(`^/quiz/attempts/\d+$`)

func TestWorkshopTestsAndStaffPages(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	ctx := context.Background()
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	teacher := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	other := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	ana := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	// late has an attendee's address but has not proven it yet.
	late := ht.MustUnverifiedUser(t, ta.DB, models.RoleLearner, "")
	// ghost never proves the attendee address it signed up with.
	ghost := ht.MustUnverifiedUser(t, ta.DB, models.RoleLearner, "")
	w := ht.MustWorkshop(t, ta.DB)
	s := ht.MustSession(t, ta.DB, w, func(s *models.Session) { s.InstructorID = &teacher.ID })
	o := &models.Order{Ref: "HSW-Q1", SessionID: s.ID, UserID: admin.ID, BuyerName: "B", BuyerEmail: "b@example.com", Seats: 3,
		Currency: "USD", PaymentMethod: models.PayByInvoice, Status: models.OrderPaid,
		Attendees: []models.Attendee{{Position: 1, Name: "Ana", Email: ana.Email, Status: models.AttendeeActive},
			{Position: 2, Name: "Late", Email: late.Email, Status: models.AttendeeActive},
			{Position: 3, Name: "Ghost", Email: ghost.Email, Status: models.AttendeeActive}}}
	if err := ta.DB.Omit("Session", "DiscountCode").Create(o).Error; err != nil {
		t.Fatal(err)
	}

	t.Run("attach needs an admin; bad input is 422", func(t *testing.T) {
		form := url.Values{"workshop_id": {fmt.Sprint(w.ID)}, "kind": {"pre"}, "count": {"5"}, "minutes": {"20"}, "pass_mark": {"70"}, "track": {"gri"}}
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/workshops", Form: form, As: teacher}); rec.Code != 403 {
			t.Errorf("instructor: got %d, want 403", rec.Code)
		}
		bad := url.Values{"workshop_id": {fmt.Sprint(w.ID)}, "kind": {"mid"}, "count": {"0"}, "minutes": {"20"}, "pass_mark": {"70"}}
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/workshops", Form: bad, As: admin}); rec.Code != 422 ||
			!strings.Contains(rec.Body.String(), "Between 1 and 80 questions.") {
			t.Errorf("bad: got %d", rec.Code)
		}
		// Text where a number belongs is shown again beside its field, not
		// refused by the binder.
		words := url.Values{"workshop_id": {fmt.Sprint(w.ID)}, "kind": {"pre"}, "count": {"ten"}, "minutes": {"1e3"}, "pass_mark": {"70%"}}
		rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/workshops", Form: words, As: admin})
		body := rec.Body.String()
		if rec.Code != 422 || !strings.Contains(body, "Between 1 and 80 questions.") || !strings.Contains(body, "Between 5 and 270 minutes.") ||
			!strings.Contains(body, "A percentage from 1 to 100.") || !strings.Contains(body, `value="ten"`) {
			t.Errorf("words in number fields: got %d, want 422 with the three messages and the typed value kept", rec.Code)
		}
		for _, kind := range []string{"pre", "post"} {
			form.Set("kind", kind)
			if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/workshops", Form: form, As: admin}); rec.Code != http.StatusSeeOther {
				t.Fatalf("attach %s: got %d %.1000s", kind, rec.Code, rec.Body.String())
			}
		}
	})
	t.Run("an attendee address counts only once proven", func(t *testing.T) {
		key := url.Values{"key": {fmt.Sprintf("workshop:%d:pre", w.ID)}}
		if body := ta.Do(t, ht.Request{Path: "/quiz", As: late}).Body.String(); strings.Contains(body, w.Title+": pre-test") {
			t.Error("an unproven account sees the workshop's tests on /quiz")
		}
		if body := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: late}).Body.String(); strings.Contains(body, w.Title+": pre-test") ||
			strings.Contains(body, w.Title+": post-test") {
			t.Error("an unproven account sees the workshop's tests on the dashboard")
		}
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/quiz/start", Form: key, As: late}); rec.Code != 404 {
			t.Errorf("unproven attendee starts the pre-test: got %d, want 404", rec.Code)
		}
		token, _, err := models.CreateEmailVerification(ctx, ta.DB, late.ID, late.Email, models.VerifyAccount, nil, time.Hour, ht.Now)
		if err != nil {
			t.Fatal(err)
		}
		if err := models.ConsumeAccountVerification(ctx, ta.DB, token, late.ID, ht.Now); err != nil {
			t.Fatal(err)
		}
		if body := ta.Do(t, ht.Request{Path: "/quiz", As: late}).Body.String(); !strings.Contains(body, w.Title+": pre-test") {
			t.Error("after proving the address: no workshop tests on /quiz")
		}
		if body := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: late}).Body.String(); !strings.Contains(body, w.Title+": pre-test") {
			t.Error("after proving the address: no workshop tests on the dashboard")
		}
		if p := start(t, ta, late, fmt.Sprintf("workshop:%d:pre", w.ID)); !attemptPath.MatchString(p) {
			t.Errorf("after proving the address: start got %q, want an attempt", p)
		}
	})
	t.Run("the attendee sees and takes the tests; others cannot start them", func(t *testing.T) {
		rec := ta.Do(t, ht.Request{Path: "/quiz", As: ana})
		if !strings.Contains(rec.Body.String(), "For your workshops") || !strings.Contains(rec.Body.String(), w.Title+": pre-test") {
			t.Fatalf("no workshop tests on /quiz: %.2000s", rec.Body.String())
		}
		// The learner's dashboard lists them beside the prework lessons.
		dash := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: ana}).Body.String()
		if !strings.Contains(dash, "Tests for your workshops") || !strings.Contains(dash, w.Title+": pre-test") || !strings.Contains(dash, w.Title+": post-test") {
			t.Errorf("dashboard lacks the workshop's tests: %.2000s", dash)
		}
		if dash := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: other}).Body.String(); strings.Contains(dash, w.Title+": pre-test") {
			t.Error("a learner not booked on the workshop sees its tests on the dashboard")
		}
		if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/quiz/start", Form: url.Values{"key": {fmt.Sprintf("workshop:%d:pre", w.ID)}}, As: other}); rec.Code != 404 {
			t.Errorf("non-attendee: got %d, want 404", rec.Code)
		}
		for _, kind := range []string{"pre", "post"} {
			p := start(t, ta, ana, fmt.Sprintf("workshop:%d:%s", w.ID, kind))
			if !attemptPath.MatchString(p) {
				t.Fatalf("got %q", p)
			}
			if rec := ta.Do(t, ht.Request{Method: http.MethodPost, Path: p + "/submit", Form: url.Values{}, As: ana}); rec.Code != http.StatusSeeOther {
				t.Fatalf("submit: %d", rec.Code)
			}
		}
		passed, err := ta.Handlers.Quiz().PassedPostTest(ctx, ana.ID, w.ID)
		if err != nil || passed {
			t.Errorf("PassedPostTest after a blank post-test: got %v, %v, want false", passed, err)
		}
	})
	t.Run("class results: own instructor and admin only", func(t *testing.T) {
		path := fmt.Sprintf("/admin/quiz/sessions/%d", s.ID)
		for _, c := range []struct {
			u    *models.User
			want int
		}{{teacher, 200}, {admin, 200}, {other, 404}, {ana, 403}} {
			rec := ta.Do(t, ht.Request{Path: path, As: c.u})
			if rec.Code != c.want {
				t.Errorf("%s: got %d, want %d", c.u.Role, rec.Code, c.want)
			}
			if c.want == 200 && (!strings.Contains(rec.Body.String(), "Ana") || !strings.Contains(rec.Body.String(), "&#43;0 points")) {
				t.Errorf("%s: class table lacks Ana's results: %.800s", c.u.Role, rec.Body.String()[strings.Index(rec.Body.String(), "<tbody>"):])
			}
			// An account that has not proven the attendee's address is not
			// the attendee's: the row shows no account.
			if ghostRow := ghost.Email + `</span> <span class="muted">(no account)`; c.want == 200 && !strings.Contains(rec.Body.String(), ghostRow) {
				t.Errorf("%s: class table links Ghost's seat to an unproven account", c.u.Role)
			}
		}
	})
	t.Run("analytics: staff yes, learners no", func(t *testing.T) {
		if rec := ta.Do(t, ht.Request{Path: "/admin/quiz", As: ana}); rec.Code != 403 {
			t.Errorf("learner: got %d", rec.Code)
		}
		rec := ta.Do(t, ht.Request{Path: "/admin/quiz", As: teacher})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Item analysis") || !strings.Contains(rec.Body.String(), "2 submitted attempts") ||
			strings.Contains(rec.Body.String(), "Attach a workshop") {
			t.Errorf("instructor: got %d %.2000s", rec.Code, rec.Body.String())
		}
	})
	t.Run("items: admins only; edits are checked against the tariff", func(t *testing.T) {
		if rec := ta.Do(t, ht.Request{Path: "/admin/quiz/items", As: teacher}); rec.Code != 403 {
			t.Errorf("instructor: got %d", rec.Code)
		}
		rec := ta.Do(t, ht.Request{Path: "/admin/quiz/items?track=gri&kind=gri", As: admin})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "gri-live-horses") || strings.Contains(rec.Body.String(), "usmca") {
			t.Fatalf("list: got %d", rec.Code)
		}
		if rec := ta.Do(t, ht.Request{Path: "/admin/quiz/items/no-such-item", As: admin}); rec.Code != 404 {
			t.Errorf("unknown item: got %d", rec.Code)
		}
		rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/items/gri-live-horses", Form: url.Values{"json": {"{not json"}}, As: admin})
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "Not valid question JSON") {
			t.Errorf("bad json: got %d", rec.Code)
		}
		code, err := ta.Handlers.Quiz().Item(ctx, "hs-01-breeding-horses")
		if err != nil {
			t.Fatal(err)
		}
		q := *code.Question
		q.Keys = []string{"8471.99.99"}
		raw, err := json.Marshal(&q)
		if err != nil {
			t.Fatal(err)
		}
		rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/items/hs-01-breeding-horses", Form: url.Values{"json": {string(raw)}}, As: admin})
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "key 8471.99.99 is not in the 2025 HTSUS") {
			t.Errorf("unknown key: got %d %.300s", rec.Code, rec.Body.String()[max(0, strings.Index(rec.Body.String(), "field-error")):])
		}
		q.Keys = code.Question.Keys
		q.Prompt = "Purebred breeding horses, edited by staff."
		raw, _ = json.Marshal(&q)
		rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/items/hs-01-breeding-horses", Form: url.Values{"json": {string(raw)}}, As: admin})
		if rec.Code != http.StatusSeeOther {
			t.Errorf("good edit: got %d %.300s", rec.Code, rec.Body.String())
		}
		rec = ta.Do(t, ht.Request{Path: "/admin/quiz/items/export?format=csv", As: admin})
		if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "id,kind,track") {
			t.Errorf("csv export: got %d", rec.Code)
		}
		rec = ta.Do(t, ht.Request{Method: http.MethodPost, Path: "/admin/quiz/items/gri-live-horses/retire", Form: url.Values{"retire": {"yes"}}, As: admin})
		if rec.Code != http.StatusSeeOther {
			t.Errorf("retire: got %d", rec.Code)
		}
		rec = ta.Do(t, ht.Request{Path: "/admin/quiz/items?retired=yes", As: admin})
		if !strings.Contains(rec.Body.String(), "gri-live-horses") || !strings.Contains(rec.Body.String(), "1 item.") {
			t.Errorf("retired filter: %.1500s", rec.Body.String())
		}
	})
}
