package learn_test

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

	"github.com/hsworkshop/hsworkshop/content"
	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/models"
)

// Lessons the tests use: the first of the HS track is public, the second
// is for signed-in learners; the USMCA tariff-shift lesson has origin cases.
const (
	publicSlug = "hs-purpose-and-editions"
	gatedSlug  = "hs-structure"
	originSlug = "usmca-tariff-shift"
)

// syncLessons loads the real lessons into the test database, as cmd does.
func syncLessons(t *testing.T, ta *ht.App) {
	t.Helper()
	if _, err := learn.Sync(context.Background(), ta.DB, content.FS, learn.NewRenderer()); err != nil {
		t.Fatalf("sync lessons: %v", err)
	}
}

// withLessons is a scenario Setup that syncs the lessons.
func withLessons(t *testing.T, ta *ht.App) { syncLessons(t, ta) }

// questions reads lesson slug's self-check, answers included.
func questions(t *testing.T, ta *ht.App, slug string) []learn.Question {
	t.Helper()
	l, err := models.FindLessonBySlug(context.Background(), ta.DB, slug)
	if err != nil {
		t.Fatal(err)
	}
	var qs []learn.Question
	if err := json.Unmarshal([]byte(l.SelfCheck), &qs); err != nil {
		t.Fatal(err)
	}
	if len(qs) < 2 {
		t.Fatalf("self-check of %s: got %d questions, want at least 2", slug, len(qs))
	}
	return qs
}

// answers is a self-check form: right answers, or for wrong=true a wrong
// choice on the first question.
func answers(qs []learn.Question, wrong bool) url.Values {
	f := url.Values{}
	for i, q := range qs {
		for _, a := range q.Answer {
			f.Add(fmt.Sprintf("q%d", i), fmt.Sprint(a))
		}
	}
	if wrong {
		f.Set("q0", fmt.Sprint((qs[0].Answer[0]+1)%len(qs[0].Choices)))
	}
	return f
}

func mustLearner(t *testing.T, ta *ht.App) *models.User {
	return ht.MustUser(t, ta.DB, models.RoleLearner, "")
}

func progressRows(t *testing.T, ta *ht.App, u *models.User) []models.LessonProgress {
	t.Helper()
	ps, err := models.ListLessonProgress(context.Background(), ta.DB, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestLearnAccess(t *testing.T) {
	t.Parallel()
	ht.Run(t, []ht.Scenario{
		{Name: "tracks, anonymous: every track, free lessons marked", Req: ht.Request{Path: "/learn"}, Setup: withLessons,
			WantStatus:  http.StatusOK,
			WantBody:    []string{"The Harmonized System", "The General Rules of Interpretation", "Section 232", "Free", `href="/learn/` + publicSlug + `"`, "Create a free account"},
			WantNotBody: []string{"<progress"}},
		{Name: "public lesson, anonymous", Req: ht.Request{Path: "/learn/" + publicSlug}, Setup: withLessons, WantStatus: http.StatusOK,
			WantBody:    []string{"As of 20", "In this lesson", `id="sources"`, "Self-check", "min read", `rel="next"`, "log in</a> to track your progress"},
			WantNotBody: []string{"Mark this lesson complete"}},
		{Name: "gated lesson, anonymous: to login and back", Req: ht.Request{Path: "/learn/" + gatedSlug}, Setup: withLessons,
			WantStatus: http.StatusSeeOther, WantLocation: "/login?next=%2Flearn%2F" + gatedSlug},
		{Name: "unknown lesson", Req: ht.Request{Path: "/learn/no-such-lesson"}, Setup: withLessons, WantStatus: http.StatusNotFound},
		{Name: "dashboard, anonymous", Req: ht.Request{Path: "/learn/dashboard"}, Setup: withLessons, WantStatus: http.StatusUnauthorized},
		{Name: "complete, anonymous", Req: ht.Request{Method: "POST", Path: "/learn/" + publicSlug + "/complete", Form: url.Values{}},
			Setup: withLessons, WantStatus: http.StatusUnauthorized},
		{Name: "self-check of a gated lesson, anonymous", Req: ht.Request{Method: "POST", Path: "/learn/" + gatedSlug + "/check", Form: url.Values{"q0": {"0"}}},
			Setup: withLessons, WantStatus: http.StatusSeeOther, WantLocation: "/login?next=%2Flearn%2F" + gatedSlug},
		{Name: "lab case from a gated lesson, anonymous", Req: ht.Request{Path: "/learn/origin-lab?case=" + originSlug + "-1"},
			Setup: withLessons, WantStatus: http.StatusSeeOther, WantLocation: "/login?next=%2Flearn%2Forigin-lab%3Fcase%3D" + originSlug + "-1"},
		{Name: "lab case that does not exist (a public lesson without origin cases)", Req: ht.Request{Path: "/learn/origin-lab?case=usmca-origin-criteria-1"},
			Setup: withLessons, WantStatus: http.StatusNotFound},
		{Name: "lab case with no number", Req: ht.Request{Path: "/learn/origin-lab?case=nonsense"}, Setup: withLessons, WantStatus: http.StatusNotFound},
		{Name: "staff lessons, anonymous", Req: ht.Request{Path: "/admin/lessons"}, Setup: withLessons, WantStatus: http.StatusUnauthorized},
		{Name: "staff lesson edit, anonymous", Req: ht.Request{Path: "/admin/lessons/" + publicSlug + "/edit"}, Setup: withLessons, WantStatus: http.StatusUnauthorized},
		{Name: "staff lesson save, anonymous", Req: ht.Request{Method: "POST", Path: "/admin/lessons/" + publicSlug + "/edit", Form: url.Values{"title": {"X"}}},
			Setup: withLessons, WantStatus: http.StatusUnauthorized},
	})
}

// TestLearnAccessByRole runs the signed-in rows, each as its own user.
func TestLearnAccessByRole(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		role   models.Role
		method string
		path   string
		form   url.Values
		want   int
		body   string
	}{
		{"gated lesson, learner", models.RoleLearner, "GET", "/learn/" + gatedSlug, nil, http.StatusOK, "Mark this lesson complete"},
		{"dashboard, learner", models.RoleLearner, "GET", "/learn/dashboard", nil, http.StatusOK, "Continue where you left off"},
		{"lab case from a gated lesson, learner", models.RoleLearner, "GET", "/learn/origin-lab?case=" + originSlug + "-1", nil, http.StatusOK, "which states the good is"},
		{"staff lessons, learner", models.RoleLearner, "GET", "/admin/lessons", nil, http.StatusForbidden, ""},
		{"staff lessons, instructor", models.RoleInstructor, "GET", "/admin/lessons", nil, http.StatusForbidden, ""},
		{"staff lesson edit, instructor", models.RoleInstructor, "GET", "/admin/lessons/" + publicSlug + "/edit", nil, http.StatusForbidden, ""},
		{"staff lesson save, learner", models.RoleLearner, "POST", "/admin/lessons/" + publicSlug + "/edit", url.Values{"title": {"X"}}, http.StatusForbidden, ""},
		{"staff lessons, admin", models.RoleAdmin, "GET", "/admin/lessons", nil, http.StatusOK, "The Harmonized System"},
		{"staff lesson edit, admin", models.RoleAdmin, "GET", "/admin/lessons/" + publicSlug + "/edit", nil, http.StatusOK, "Lesson text (Markdown)"},
		{"staff lesson edit, unknown lesson", models.RoleAdmin, "GET", "/admin/lessons/no-such-lesson/edit", nil, http.StatusNotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ta := ht.New(t)
			syncLessons(t, ta)
			u := ht.MustUser(t, ta.DB, c.role, "")
			rec := ta.Do(t, ht.Request{Method: c.method, Path: c.path, Form: c.form, As: u})
			if rec.Code != c.want {
				t.Fatalf("status: got %d, want %d\n%.1500s", rec.Code, c.want, rec.Body.String())
			}
			if c.body != "" && !strings.Contains(rec.Body.String(), c.body) {
				t.Errorf("body does not contain %q", c.body)
			}
		})
	}
}

func TestLearnPostsNeedCSRF(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	learner := mustLearner(t, ta)
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	for _, r := range []ht.Request{
		{Method: "POST", Path: "/learn/" + publicSlug + "/complete", Form: url.Values{}, As: learner},
		{Method: "POST", Path: "/learn/" + publicSlug + "/check", Form: url.Values{"q0": {"0"}}, As: learner},
		{Method: "POST", Path: "/learn/origin-lab", Form: url.Values{"good": {"8516.60.40"}}},
		{Method: "POST", Path: "/admin/lessons/" + publicSlug + "/edit", Form: url.Values{"title": {"X"}, "action": {"save"}}, As: admin},
	} {
		r.NoCSRF = true
		if rec := ta.Do(t, r); rec.Code != http.StatusForbidden {
			t.Errorf("%s %s without CSRF: got %d, want 403", r.Method, r.Path, rec.Code)
		}
	}
	if n := len(progressRows(t, ta, learner)); n != 0 {
		t.Errorf("progress rows after refused posts: got %d, want 0", n)
	}
}

func TestSelfCheckGradedOnServer(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	qs := questions(t, ta, publicSlug)

	// Before submitting, neither the answers nor the explanations are in
	// the page.
	page := ta.Do(t, ht.Request{Path: "/learn/" + publicSlug}).Body.String()
	for _, q := range qs {
		if !strings.Contains(page, htmlEscape(q.Prompt)) {
			t.Errorf("page lacks the question %q", q.Prompt)
		}
		if strings.Contains(page, htmlEscape(q.Explanation)) {
			t.Errorf("page shows the explanation %q before submitting", q.Explanation)
		}
	}
	if strings.Contains(page, "correct answer") {
		t.Error("page marks a correct answer before submitting")
	}

	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/learn/" + publicSlug + "/check", Form: answers(qs, false)})
	if rec.Code != http.StatusOK {
		t.Fatalf("all right: got %d, want 200", rec.Code)
	}
	body := rec.Body.String()
	if want := fmt.Sprintf("%d of %d right.", len(qs), len(qs)); !strings.Contains(body, want) {
		t.Errorf("all right: body lacks %q", want)
	}
	if !strings.Contains(body, htmlEscape(qs[0].Explanation)) {
		t.Error("all right: explanation not shown after submitting")
	}

	rec = ta.Do(t, ht.Request{Method: "POST", Path: "/learn/" + publicSlug + "/check", Form: answers(qs, true)})
	body = rec.Body.String()
	if want := fmt.Sprintf("%d of %d right.", len(qs)-1, len(qs)); rec.Code != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "Not quite.") {
		t.Errorf("one wrong: got %d, want 200 with %q and \"Not quite.\"", rec.Code, want)
	}

	// Bad input: questions left blank, a value that is no choice.
	for name, f := range map[string]url.Values{
		"blank":      {},
		"one blank":  func() url.Values { f := answers(qs, false); f.Del("q1"); return f }(),
		"not choice": func() url.Values { f := answers(qs, false); f.Set("q0", "99"); return f }(),
		"not number": func() url.Values { f := answers(qs, false); f.Set("q0", "abc"); return f }(),
	} {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: "/learn/" + publicSlug + "/check", Form: f})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: got %d, want 422", name, rec.Code)
			continue
		}
		b := rec.Body.String()
		if !strings.Contains(b, "Answer every question") || !strings.Contains(b, `class="field-error"`) {
			t.Errorf("%s: no message beside the question", name)
		}
		if strings.Contains(b, "right.") {
			t.Errorf("%s: graded although the form was incomplete", name)
		}
	}
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

var progressRE = regexp.MustCompile(`(\d+) of (\d+) done`)

func TestProgressIsPerUser(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	a, b := mustLearner(t, ta), mustLearner(t, ta)

	if rec := ta.Do(t, ht.Request{Path: "/learn/" + gatedSlug, As: a}); rec.Code != http.StatusOK {
		t.Fatalf("view: got %d", rec.Code)
	}
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/learn/" + publicSlug + "/complete", Form: url.Values{}, As: a})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/learn/"+publicSlug+"#lesson-progress" {
		t.Fatalf("complete: got %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	// Completing twice keeps one row and the first time.
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: "/learn/" + publicSlug + "/complete", Form: url.Values{}, As: a}); rec.Code != http.StatusSeeOther {
		t.Fatalf("complete again: got %d", rec.Code)
	}

	tracksA := ta.Do(t, ht.Request{Path: "/learn", As: a}).Body.String()
	tracksB := ta.Do(t, ht.Request{Path: "/learn", As: b}).Body.String()
	if m := progressRE.FindStringSubmatch(tracksA); m == nil || m[1] != "1" {
		t.Errorf("A's first track: got %v, want 1 done", m)
	}
	if m := progressRE.FindStringSubmatch(tracksB); m == nil || m[1] != "0" {
		t.Errorf("B's first track: got %v, want 0 done", m)
	}
	// B has opened nothing yet (the tracks page records nothing).
	dashB := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: b}).Body.String()
	if !strings.Contains(dashB, "You have not opened a lesson yet") {
		t.Error("B's dashboard is not empty")
	}
	if !strings.Contains(tracksA, "You have completed <strong>1</strong>") || !strings.Contains(tracksB, "You have completed <strong>0</strong>") {
		t.Error("overall counts are not per user")
	}
	page := ta.Do(t, ht.Request{Path: "/learn/" + publicSlug, As: a}).Body.String()
	if !strings.Contains(page, "Completed") || strings.Contains(page, "Mark this lesson complete") {
		t.Error("A's lesson page does not show it completed")
	}
	if page := ta.Do(t, ht.Request{Path: "/learn/" + publicSlug, As: b}).Body.String(); !strings.Contains(page, "Mark this lesson complete") {
		t.Error("B's lesson page shows A's completion")
	}

	dashA := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: a}).Body.String()
	if !strings.Contains(dashA, `href="/learn/`+gatedSlug+`"`) {
		t.Error("A's dashboard does not continue with the lesson A opened and did not finish")
	}
	rows := progressRows(t, ta, a)
	done := 0
	for _, p := range rows {
		if p.Done() {
			done++
		}
	}
	if len(rows) != 2 || done != 1 {
		t.Errorf("A's progress rows: got %d (%d done), want 2 (1 done)", len(rows), done)
	}
	// B only opened the public lesson.
	if rows := progressRows(t, ta, b); len(rows) != 1 || rows[0].Done() {
		t.Errorf("B's progress rows: got %+v, want one view, not done", rows)
	}
}

func TestDashboardShowsPrework(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	ctx := context.Background()
	u := mustLearner(t, ta)
	other := mustLearner(t, ta)
	w := ht.MustWorkshop(t, ta.DB, func(w *models.Workshop) { w.Title = "Origin Bootcamp" })
	s := ht.MustSession(t, ta.DB, w)
	l, err := models.FindLessonBySlug(ctx, ta.DB, originSlug)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.SetWorkshopPrework(ctx, ta.DB, w.ID, []uint{l.ID}); err != nil {
		t.Fatal(err)
	}
	o := &models.Order{Ref: "ref-prework", SessionID: s.ID, UserID: u.ID, BuyerName: "B", BuyerEmail: u.Email,
		Seats: 1, Currency: "USD", PaymentMethod: models.PayByCard, Status: models.OrderPaid}
	if err := ta.DB.Omit("Session", "DiscountCode", "Attendees").Create(o).Error; err != nil {
		t.Fatal(err)
	}
	body := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: u}).Body.String()
	for _, want := range []string{"Origin Bootcamp", `href="/learn/` + originSlug + `"`, "0 of 1 lessons done"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if body := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: other}).Body.String(); strings.Contains(body, "Origin Bootcamp") {
		t.Error("another learner sees prework of a workshop they are not booked on")
	}
}

// TestDashboardPreworkNeedsAProvenAddress: an account whose email is an
// attendee's, or that bought the order, sees no prework until it has
// proven its address; then it does.
func TestDashboardPreworkNeedsAProvenAddress(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	ctx := context.Background()
	buyer := ht.MustUnverifiedUser(t, ta.DB, models.RoleLearner, "")
	attendee := ht.MustUnverifiedUser(t, ta.DB, models.RoleLearner, "")
	w := ht.MustWorkshop(t, ta.DB, func(w *models.Workshop) { w.Title = "Origin Bootcamp" })
	s := ht.MustSession(t, ta.DB, w)
	l, err := models.FindLessonBySlug(ctx, ta.DB, originSlug)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.SetWorkshopPrework(ctx, ta.DB, w.ID, []uint{l.ID}); err != nil {
		t.Fatal(err)
	}
	o := &models.Order{Ref: "ref-prework-unproven", SessionID: s.ID, UserID: buyer.ID, BuyerName: "B", BuyerEmail: buyer.Email,
		Seats: 1, Currency: "USD", PaymentMethod: models.PayByCard, Status: models.OrderPaid,
		Attendees: []models.Attendee{{Position: 1, Name: "A", Email: attendee.Email, Status: models.AttendeeActive}}}
	if err := ta.DB.Omit("Session", "DiscountCode").Create(o).Error; err != nil {
		t.Fatal(err)
	}
	for _, u := range []*models.User{buyer, attendee} {
		if body := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: u}).Body.String(); strings.Contains(body, "Origin Bootcamp") {
			t.Errorf("unproven user %s sees the workshop's prework", u.Email)
		}
		token, _, err := models.CreateEmailVerification(ctx, ta.DB, u.ID, u.Email, models.VerifyAccount, nil, time.Hour, ht.Now)
		if err != nil {
			t.Fatal(err)
		}
		if err := models.ConsumeAccountVerification(ctx, ta.DB, token, u.ID, ht.Now); err != nil {
			t.Fatal(err)
		}
		if body := ta.Do(t, ht.Request{Path: "/learn/dashboard", As: u}).Body.String(); !strings.Contains(body, "Origin Bootcamp") {
			t.Errorf("user %s after proving the address: no prework on the dashboard", u.Email)
		}
	}
}

// labForm is a lab submission: a good, values and rows of code/origin/value.
func labForm(good, tv, nc string, rows ...[3]string) url.Values {
	f := url.Values{"good": {good}, "transaction_value": {tv}, "net_cost": {nc}, "action": {"check"}}
	for _, r := range rows {
		f.Add("input_code", r[0])
		f.Add("input_origin", r[1])
		f.Add("input_value", r[2])
	}
	return f
}

func TestOriginLab(t *testing.T) {
	t.Parallel()
	mugs := func(blankOrigin string, blankValue string) url.Values {
		return labForm("6911.10.45", "50.00", "", [3]string{"2507.00.00", "CN", "20.00"}, [3]string{"6911.10.45", blankOrigin, blankValue}, [3]string{"", "", ""})
	}
	ht.Run(t, []ht.Scenario{
		{Name: "empty lab lists the covered headings", Req: ht.Request{Path: "/learn/origin-lab"}, WantStatus: http.StatusOK,
			WantBody: []string{"Headings the lab covers", "6901-6914", "General Note 11", "NOT covered", `name="input_code"`, "Add a row"}},
		{Name: "passing case", Req: ht.Request{Method: "POST", Path: "/learn/origin-lab",
			Form: labForm("6911.10.45", "50.00", "", [3]string{"2507.00.00", "CN", "20.00"}, [3]string{"3207.20.00", "US", "5.00"}, [3]string{"", "", ""})},
			WantStatus: http.StatusOK, WantBody: []string{`lab-verdict is-pass">originating`, "Non-originating inputs", "chapter 25 → chapter 69"}},
		{Name: "failing the tariff shift", Req: ht.Request{Method: "POST", Path: "/learn/origin-lab", Form: mugs("CN", "30.00")},
			WantStatus: http.StatusOK, WantBody: []string{`lab-verdict is-fail">not originating`, "De minimis", "Fail"}},
		{Name: "failing the RVC", Req: ht.Request{Method: "POST", Path: "/learn/origin-lab",
			Form: func() url.Values {
				f := labForm("8516.60.40", "100.00", "", [3]string{"8516.90.80", "CN", "70.00"})
				f.Set("rule", "CTSH")
				f.Set("rvc_tv", "60")
				return f
			}()},
			WantStatus: http.StatusOK, WantBody: []string{"not originating", "RVC = (TV − VNM) / TV × 100 = (100.00 − 70.00) / 100.00 × 100 = 30.00%", "below the 60% minimum"}},
		{Name: "bad input: messages beside the fields", Req: ht.Request{Method: "POST", Path: "/learn/origin-lab",
			Form: labForm("12", "abc", "", [3]string{"", "", ""}, [3]string{"8516.90", "China", "-5"})},
			WantStatus:  http.StatusUnprocessableEntity,
			WantBody:    []string{`id="f-good-error"`, `id="f-transaction_value-error"`, `id="in-origin-0-error"`, `id="in-value-0-error"`, `value="China"`},
			WantNotBody: []string{"lab-verdict"}},
		{Name: "no inputs at all", Req: ht.Request{Method: "POST", Path: "/learn/origin-lab", Form: labForm("6911.10.45", "50.00", "")},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`id="f-inputs-error"`}},
		{Name: "a good the table does not cover", Req: ht.Request{Method: "POST", Path: "/learn/origin-lab",
			Form: labForm("0101.21", "50.00", "", [3]string{"0102.21", "CN", "1.00"})},
			WantStatus: http.StatusUnprocessableEntity, WantBody: []string{`id="f-rule-error"`, "give the rule explicitly"}},
		{Name: "add a row keeps what was typed", Req: ht.Request{Method: "POST", Path: "/learn/origin-lab",
			Form: func() url.Values { f := mugs("CN", "30.00"); f.Set("action", "add_row"); return f }()},
			WantStatus: http.StatusOK, WantBody: []string{`id="in-code-3"`, `value="2507.00.00"`}, WantNotBody: []string{`id="in-code-4"`, "lab-verdict"}},
	})
}

// TestOriginLabOpensLessonCases opens every origin case of the USMCA
// lessons in the lab, pre-filled, and checks the lab's verdict on the page
// is the one the lesson states.
func TestOriginLabOpensLessonCases(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	u := mustLearner(t, ta)
	n := 0
	for _, slug := range []string{"usmca-tariff-shift", "usmca-regional-value-content"} {
		l, err := models.FindLessonBySlug(context.Background(), ta.DB, slug)
		if err != nil {
			t.Fatal(err)
		}
		b, err := learn.ExtractBlocks(slug, l.BodyMD)
		if err != nil {
			t.Fatal(err)
		}
		lesson := ta.Do(t, ht.Request{Path: "/learn/" + slug, As: u}).Body.String()
		for _, oc := range b.Origin {
			n++
			if !strings.Contains(lesson, `href="/learn/origin-lab?case=`+oc.ID()+`"`) {
				t.Errorf("%s: lesson page does not link to the lab", oc.ID())
			}
			body := ta.Do(t, ht.Request{Path: "/learn/origin-lab?case=" + oc.ID(), As: u}).Body.String()
			stated := regexp.MustCompile(`which states the good is <strong>([a-z ]+)</strong>`).FindStringSubmatch(body)
			got := regexp.MustCompile(`class="lab-verdict is-(?:pass|fail)">([a-z ]+)</span>`).FindStringSubmatch(body)
			if stated == nil || got == nil || stated[1] != got[1] {
				t.Errorf("%s: lesson states %v, lab shows %v", oc.ID(), stated, got)
			}
		}
	}
	if n < 4 {
		t.Errorf("origin cases opened: got %d, want at least 4", n)
	}
}

func TestAdminEditsLesson(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	syncLessons(t, ta)
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	path := "/admin/lessons/" + publicSlug + "/edit"
	edit := ta.Do(t, ht.Request{Path: path, As: admin}).Body.String()
	if !strings.Contains(edit, "## Key points") {
		t.Fatal("edit page lacks the Markdown body")
	}
	form := func(action, body string) url.Values {
		return url.Values{"title": {"What the HS is for"}, "summary": {"Why one code list serves the world."}, "minutes": {"12"},
			"as_of": {"2026-11-30"}, "sources": {"WCO: What is the Harmonized System | https://www.wcoomd.org/en/topics/nomenclature.aspx"},
			"body": {body}, "action": {action}}
	}
	body := "## A new section\n\nEdited text with 8471.30.01 linked.\n\n<script>alert(1)</script>\n\n## Key points\n\n- One."

	rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: form("preview", body), As: admin})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<h2 id="a-new-section">A new section</h2>`) ||
		!strings.Contains(rec.Body.String(), `href="/hts/8471.30.01"`) || strings.Contains(rec.Body.String(), "<script>alert") {
		t.Fatalf("preview: got %d, want 200 with the rendered, sanitised body", rec.Code)
	}
	l, err := models.FindLessonBySlug(context.Background(), ta.DB, publicSlug)
	if err != nil {
		t.Fatal(err)
	}
	if l.EditedByStaff || strings.Contains(l.BodyMD, "A new section") {
		t.Fatal("preview saved the lesson")
	}

	for name, f := range map[string]url.Values{
		"no title":     func() url.Values { f := form("save", body); f.Set("title", " "); return f }(),
		"bad date":     func() url.Values { f := form("save", body); f.Set("as_of", "30/11/2026"); return f }(),
		"bad minutes":  func() url.Values { f := form("save", body); f.Set("minutes", "0"); return f }(),
		"bad source":   func() url.Values { f := form("save", body); f.Set("sources", "no address here"); return f }(),
		"no sources":   func() url.Values { f := form("save", body); f.Set("sources", ""); return f }(),
		"empty body":   form("save", "  "),
		"broken block": form("save", "```duty\ncode: 8471\n```\n"),
	} {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: f, As: admin})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `class="field-error"`) {
			t.Errorf("%s: got %d, want 422 with a message beside the field", name, rec.Code)
		}
	}

	rec = ta.Do(t, ht.Request{Method: "POST", Path: path, Form: form("save", body), As: admin})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/lessons?saved="+publicSlug {
		t.Fatalf("save: got %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if list := ta.Do(t, ht.Request{Path: "/admin/lessons?saved=" + publicSlug, As: admin}).Body.String(); !strings.Contains(list, "Saved “What the HS is for”") || !strings.Contains(list, "Edited") {
		t.Error("list does not confirm the save or mark the lesson edited")
	}
	page := ta.Do(t, ht.Request{Path: "/learn/" + publicSlug}).Body.String()
	if !strings.Contains(page, "A new section") || !strings.Contains(page, "What the HS is for") {
		t.Error("the lesson page does not show the edit")
	}
	// A re-sync keeps the staff edit.
	res, err := learn.Sync(context.Background(), ta.DB, content.FS, learn.NewRenderer())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Kept) != 1 || res.Kept[0] != publicSlug {
		t.Errorf("sync kept: got %v, want [%s]", res.Kept, publicSlug)
	}
	if page := ta.Do(t, ht.Request{Path: "/learn/" + publicSlug}).Body.String(); !strings.Contains(page, "A new section") {
		t.Error("re-sync overwrote the staff edit")
	}
}

// TestLessonCalculatorLinksGiveTheStatedDuties follows every "check it in
// the duty calculator" link of every lesson through the JSON form of the
// calculator (same query fields) and compares the duties with the lesson.
func TestLessonCalculatorLinksGiveTheStatedDuties(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	cat, err := learn.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := cat.Blocks()
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks.Duty) == 0 {
		t.Fatal("no duty blocks in the lessons")
	}
	for _, d := range blocks.Duty {
		u := d.CalculatorURL()
		if !strings.HasPrefix(u, "/tools/duty?") {
			t.Fatalf("%s-%d: link %q is not the calculator page", d.Lesson, d.N, u)
		}
		rec := ta.Do(t, ht.Request{Path: "/api/v1/duty?" + strings.TrimPrefix(u, "/tools/duty?")})
		var got struct {
			Result struct {
				Duties     int64 `json:"duties_cents"`
				Incomplete bool  `json:"incomplete"`
			} `json:"result"`
		}
		if rec.Code != http.StatusOK {
			t.Errorf("%s-%d: calculator answered %d: %s", d.Lesson, d.N, rec.Code, rec.Body.String())
			continue
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Result.Duties != d.DutiesCents || got.Result.Incomplete {
			t.Errorf("%s-%d: the calculator link gives %d cents (incomplete %v), the lesson says %d", d.Lesson, d.N, got.Result.Duties, got.Result.Incomplete, d.DutiesCents)
		}
		page := ta.Do(t, ht.Request{Path: u})
		if page.Code != http.StatusOK {
			t.Errorf("%s-%d: calculator page answered %d", d.Lesson, d.N, page.Code)
		}
	}
}
