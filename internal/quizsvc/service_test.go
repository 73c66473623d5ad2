package quizsvc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
	"gorm.io/gorm"
)

var bundled = sync.OnceValues(func() (*hts.Index, error) { return hts.LoadBundled(content.FS) })

type fixture struct {
	db  *gorm.DB
	svc *quizsvc.Service
	now *time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ix, err := bundled()
	if err != nil {
		t.Fatal(err)
	}
	db, _ := testdb.Open(t)
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	f := &fixture{db: db, now: &now}
	f.svc = quizsvc.New(quizsvc.Deps{DB: db, HTS: ix, Content: content.FS, Now: func() time.Time { return *f.now }})
	return f
}

func (f *fixture) user(t testing.TB, email string) *models.User {
	t.Helper()
	u := &models.User{Name: email, Email: email, Role: models.RoleLearner}
	if err := models.CreateUser(context.Background(), f.db, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestExamDeadlineAndOwnership: an exam's deadline is stored, another
// user cannot load it, answers before the deadline are kept ungraded and
// hidden, a late answer auto-submits, and a submitted attempt is final.
func TestExamDeadlineAndOwnership(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	ana, ben := f.user(t, "ana@example.com"), f.user(t, "ben@example.com")
	a, err := f.svc.Start(ctx, ana, "exam:short")
	if err != nil {
		t.Fatal(err)
	}
	if a.Deadline == nil || !a.Deadline.Equal(f.now.Add(60*time.Minute)) || a.Questions != 20 {
		t.Fatalf("got deadline %v questions %d, want 60 min and 20", a.Deadline, a.Questions)
	}
	if _, err := f.svc.Attempt(ctx, ben.ID, a.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("other user: got %v, want ErrNotFound", err)
	}
	v, err := f.svc.Answer(ctx, ana.ID, a.ID, 1, quiz.Answer{Text: "0101.21.00", Choices: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Items[0].Answered || v.Items[0].Result != nil {
		t.Errorf("exam answer: answered %v result %v, want answered and no result before submission", v.Items[0].Answered, v.Items[0].Result)
	}
	*f.now = f.now.Add(61 * time.Minute)
	if _, err := f.svc.Answer(ctx, ana.ID, a.ID, 2, quiz.Answer{Text: "1"}); !errors.Is(err, quizsvc.ErrTimeUp) {
		t.Fatalf("late answer: got %v, want ErrTimeUp", err)
	}
	v, err = f.svc.Attempt(ctx, ana.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Open() || !v.Attempt.AutoSubmitted || !v.Attempt.SubmittedAt.Equal(*a.Deadline) || v.Items[1].Answered {
		t.Errorf("got open %v auto %v at %v answered2 %v, want auto-submitted at the deadline without the late answer",
			v.Open(), v.Attempt.AutoSubmitted, v.Attempt.SubmittedAt, v.Items[1].Answered)
	}
	if len(v.Items) != 20 || v.Items[0].Result == nil {
		t.Fatalf("after submission: got %d items, result %v", len(v.Items), v.Items[0].Result)
	}
	if _, err := f.svc.Submit(ctx, ana.ID, a.ID); !errors.Is(err, models.ErrConflict) {
		t.Errorf("second submit: got %v, want ErrConflict", err)
	}
	if _, err := f.svc.Answer(ctx, ana.ID, a.ID, 3, quiz.Answer{Text: "1"}); !errors.Is(err, models.ErrConflict) {
		t.Errorf("answer after submit: got %v, want ErrConflict", err)
	}
}

// TestSubmitExpiredJob closes abandoned exams.
func TestSubmitExpiredJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	ana := f.user(t, "ana@example.com")
	a, err := f.svc.Start(ctx, ana, "exam:short")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.SubmitExpired(ctx); err != nil || n != 0 {
		t.Fatalf("before the deadline: got %d, %v, want 0", n, err)
	}
	*f.now = f.now.Add(2 * time.Hour)
	if n, err := f.svc.SubmitExpired(ctx); err != nil || n != 1 {
		t.Fatalf("after the deadline: got %d, %v, want 1", n, err)
	}
	got, err := models.FindQuizAttempt(ctx, f.db, a.ID, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Submitted() || !got.AutoSubmitted || got.Score != 0 {
		t.Errorf("got submitted %v auto %v score %v, want auto-submitted with 0", got.Submitted(), got.AutoSubmitted, got.Score)
	}
}

// TestPracticeFeedbackAndReview: a practice answer is graded at once and
// cannot be changed; the finished set offers a review of its mistakes.
func TestPracticeFeedbackAndReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	ana := f.user(t, "ana@example.com")
	a, err := f.svc.Start(ctx, ana, "topic:gri:gri-1")
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Attempt(ctx, ana.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Items) != 3 {
		t.Fatalf("got %d items, want 3", len(v.Items))
	}
	for i := range v.Items {
		v, err = f.svc.Answer(ctx, ana.ID, a.ID, i+1, quiz.Answer{Choices: []string{"no-such-choice"}})
		if err != nil {
			t.Fatal(err)
		}
		if r := v.Items[i].Result; r == nil || r.Explanation == "" || r.Correct {
			t.Fatalf("practice answer %d: got result %+v, want a wrong answer with its explanation", i+1, r)
		}
	}
	if v.Open() || v.Missed() != 3 {
		t.Fatalf("got open %v missed %d, want closed with 3 missed", v.Open(), v.Missed())
	}
	r, err := f.svc.StartReview(ctx, ana.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Questions != 3 || r.Mode != string(quiz.ModeReview) {
		t.Errorf("review: got %d questions mode %s", r.Questions, r.Mode)
	}
}

// TestItemStatsExact checks facility and discrimination on known
// attempts: ten attempts scored 1.0, 0.9, ..., 0.1 (ranked in that order);
// question "q-easy" right in all ten; "q-good" right in the top five only;
// "q-bad" right in the bottom three only. With ten answers each group is
// round(0.27*10) = 3 attempts.
func TestItemStatsExact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	u := f.user(t, "ana@example.com")
	at := f.now.Add(-time.Hour)
	for i := 0; i < 10; i++ {
		score := float64(10-i) / 10
		a := &models.QuizAttempt{UserID: u.ID, QuizKey: "exam:short", Name: "Short exam", Mode: "exam", Spec: "{}", Seed: 1,
			PassMark: 0.75, Questions: 3, StartedAt: at, SubmittedAt: &at, Score: score, Passed: score >= 0.75,
			Items: []models.QuizAttemptItem{
				{Position: 1, QuestionID: "q-easy", Track: "gri", Topic: "gri-1", Graded: true, Correct: true, Score: 1},
				{Position: 2, QuestionID: "q-good", Track: "gri", Topic: "gri-1", Graded: true, Correct: i < 5, Score: b2f(i < 5)},
				{Position: 3, QuestionID: "q-bad", Track: "classification", Topic: "chapter-84", Graded: true, Correct: i >= 7, Score: b2f(i >= 7),
					KeyCode: "8471.30.01", Level: 8},
			}}
		if i < 7 { // the wrong answers gave a part of heading 8473
			a.Items[2].Given, a.Items[2].Level = "8473.30.11", 2
		} else {
			a.Items[2].Given = "8471.30.01"
		}
		if err := models.CreateQuizAttempt(ctx, f.db, a); err != nil {
			t.Fatal(err)
		}
	}
	an, err := f.svc.Analytics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]float64{"q-bad": {0.3, -1}, "q-easy": {1, 0}, "q-good": {0.5, 1}}
	if len(an.Items) != 3 {
		t.Fatalf("got %d item stats, want 3", len(an.Items))
	}
	for _, st := range an.Items {
		w := want[st.QuestionID]
		if st.Answers != 10 || st.Group != 3 || !st.HasDiscrimination || math.Abs(st.Facility-w[0]) > 1e-9 || math.Abs(st.Discrimination-w[1]) > 1e-9 {
			t.Errorf("%s: got answers %d group %d facility %v discrimination %v, want 10, 3, %v, %v",
				st.QuestionID, st.Answers, st.Group, st.Facility, st.Discrimination, w[0], w[1])
		}
	}
	if len(an.Distributions) != 1 {
		t.Fatalf("got %d distributions, want 1", len(an.Distributions))
	}
	d := an.Distributions[0]
	if d.Attempts != 10 || math.Abs(d.Mean-0.55) > 1e-9 || math.Abs(d.PassRate-0.3) > 1e-9 || d.Buckets != [10]int{0, 1, 1, 1, 1, 1, 1, 1, 1, 2} {
		t.Errorf("distribution: got %+v, want 10 attempts, mean 0.55, pass rate 0.3, buckets 0,1×8,2", d)
	}
	if len(an.Confusions) != 1 || an.Confusions[0].KeyHeading != "8471" || an.Confusions[0].GivenHeading != "8473" || an.Confusions[0].Count != 7 {
		t.Errorf("confusions: got %+v, want 8471 vs 8473 seven times", an.Confusions)
	}
	// The admin reports read the same attempts: ten this month, and the
	// item answered fully right least often first.
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	act, err := f.svc.QuizActivity(ctx, from, from.AddDate(0, 2, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(act) != 2 || act[0].Month != "2026-10" || act[0].Orders != 0 || act[1].Month != "2026-11" || act[1].Orders != 10 {
		t.Errorf("quiz activity: got %+v, want 2026-10: 0, 2026-11: 10", act)
	}
	hard, err := f.svc.HardestItems(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hard) != 2 || hard[0].Label != "q-bad" || hard[0].Attempts != 10 || hard[0].Correct != 3 || hard[1].Label != "q-good" || hard[1].Correct != 5 {
		t.Errorf("hardest items: got %+v, want q-bad 3/10 then q-good 5/10", hard)
	}
	p, err := f.svc.Progress(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Mistakes) != 1 || p.Mistakes[0].Count != 7 || len(p.Attempts) != 10 || len(p.Series) != 2 {
		t.Errorf("progress: got mistakes %+v, %d attempts, %d series", p.Mistakes, len(p.Attempts), len(p.Series))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestItemEditKeepsHistoryAndSurvivesSync: a staff edit is checked
// against the tariff data, kept on re-sync; retiring keeps it out of new
// quizzes.
func TestItemEditKeepsHistoryAndSurvivesSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	staff := f.user(t, "staff@example.com")
	it, err := f.svc.Item(ctx, "gri-live-horses")
	if err != nil {
		t.Fatal(err)
	}
	q := *it.Question
	q.Prompt = "Edited prompt about live horses."
	if err := f.svc.SaveItem(ctx, staff.ID, &q); err != nil {
		t.Fatal(err)
	}
	res, err := quizsvc.Sync(ctx, f.db, content.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Kept) != 1 || res.Kept[0] != "gri-live-horses" {
		t.Errorf("sync: got kept %v, want the edited item", res.Kept)
	}
	b, err := f.svc.Bank(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Question("gri-live-horses"); got == nil || got.Prompt != q.Prompt {
		t.Errorf("got %+v, want the edited prompt", got)
	}
	var code *quiz.Question
	for _, x := range b.Questions() {
		if x.Kind == quiz.KindHSCode {
			code = x
			break
		}
	}
	if code == nil {
		t.Fatal("no hs_code question in the bank")
	}
	bad := *code
	bad.Keys = []string{"8471.99.99"}
	var ie *quizsvc.ItemError
	if err := f.svc.SaveItem(ctx, staff.ID, &bad); !errors.As(err, &ie) {
		t.Errorf("unknown key: got %v, want an ItemError", err)
	}
	if err := f.svc.RetireItem(ctx, "gri-live-horses", true); err != nil {
		t.Fatal(err)
	}
	b, err = f.svc.Bank(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range b.Select(quiz.Pool{Tracks: []string{quiz.TrackGRI}}) {
		if x.ID == "gri-live-horses" {
			t.Error("a retired item is still drawn")
		}
	}
}

// TestPassedPostTest: only a submitted, passing attempt of the workshop's
// post-test counts (a passing pre-test or an open attempt does not).
func TestPassedPostTest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	u := f.user(t, "ana@example.com")
	w := &models.Workshop{Slug: "w-post", Title: "W", Summary: "s", DescriptionMD: "d", Level: "introductory", DurationMinutes: 60, Currency: "USD"}
	if err := f.db.Create(w).Error; err != nil {
		t.Fatal(err)
	}
	at := *f.now
	add := func(kind string, submitted, passed bool) {
		a := &models.QuizAttempt{UserID: u.ID, QuizKey: "workshop", Name: kind, Mode: "exam", Spec: "{}", Seed: 1, Questions: 1,
			WorkshopID: &w.ID, WorkshopKind: kind, StartedAt: at, Passed: passed, PassMark: 0.7}
		if submitted {
			a.SubmittedAt = &at
		}
		if err := models.CreateQuizAttempt(ctx, f.db, a); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want bool) {
		t.Helper()
		got, err := f.svc.PassedPostTest(ctx, u.ID, w.ID)
		if err != nil || got != want {
			t.Errorf("PassedPostTest: got %v, %v, want %v", got, err, want)
		}
	}
	check(false)
	add(models.WorkshopQuizPre, true, true)
	add(models.WorkshopQuizPost, true, false)
	add(models.WorkshopQuizPost, false, true)
	check(false)
	add(models.WorkshopQuizPost, true, true)
	check(true)
}

// TestChoicesByDisplayNumber: pages see choices numbered in the order
// shown, never the bank ids, and an answer by number is graded as the
// choice shown there.
func TestChoicesByDisplayNumber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	ana := f.user(t, "ana@example.com")
	a, err := f.svc.Start(ctx, ana, "track:origin")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := models.FindQuizAttempt(ctx, f.db, a.ID, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Bank(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Attempt(ctx, ana.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, it := range stored.Items {
		q, err := b.Question(it.QuestionID)
		if err != nil {
			t.Fatal(err)
		}
		if q.Kind != quiz.KindSingle && q.Kind != quiz.KindGRI {
			continue
		}
		var order []string
		if err := json.Unmarshal([]byte(it.ChoiceOrder), &order); err != nil {
			t.Fatal(err)
		}
		for n, c := range v.Items[i].Question.Choices {
			if c.ID != strconv.Itoa(n+1) {
				t.Fatalf("question %d: choice %d has id %q, want %d", i+1, n+1, c.ID, n+1)
			}
		}
		right := ""
		for n, id := range order {
			for _, c := range q.Choices {
				if c.ID == id && c.Correct {
					right = strconv.Itoa(n + 1)
				}
			}
		}
		got, err := f.svc.Answer(ctx, ana.ID, a.ID, i+1, quiz.Answer{Choices: []string{right}})
		if err != nil {
			t.Fatal(err)
		}
		if r := got.Items[i].Result; r == nil || !r.Correct || len(got.Items[i].Answer.Choices) != 1 || got.Items[i].Answer.Choices[0] != right {
			t.Errorf("question %d: answering %s gave %+v, answer %v", i+1, right, r, got.Items[i].Answer)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no single-choice question drawn")
	}
}

// TestExportImportRoundTrip: the JSON and CSV exports import back whole;
// a file with one bad key imports nothing.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	staff := f.user(t, "staff@example.com")
	var js, cs bytes.Buffer
	if err := f.svc.ExportJSON(ctx, &js); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ExportCSV(ctx, &cs); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.ImportJSON(ctx, staff.ID, bytes.NewReader(js.Bytes()))
	if err != nil || res.Saved != 185 {
		t.Fatalf("JSON import: got %+v, %v, want 185 saved", res, err)
	}
	res, err = f.svc.ImportCSV(ctx, staff.ID, bytes.NewReader(cs.Bytes()))
	if err != nil || res.Saved != 185 {
		t.Fatalf("CSV import: got %+v, %v, want 185 saved", res, err)
	}
	bad := strings.Replace(js.String(), `"8471.30.01"`, `"8471.99.99"`, 1)
	if bad == js.String() {
		t.Fatal("the export has no key 8471.30.01 to break")
	}
	before, err := models.QuizItemsVersion(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	var ie *quizsvc.ItemError
	if _, err := f.svc.ImportJSON(ctx, staff.ID, strings.NewReader(bad)); !errors.As(err, &ie) || !strings.Contains(ie.Problem, "8471.99.99") {
		t.Fatalf("bad import: got %v, want an ItemError naming the key", err)
	}
	after, err := models.QuizItemsVersion(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Errorf("a rejected import changed the bank: %s → %s", before, after)
	}
}
