package learn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func (c *clock) tick() { c.t = c.t.Add(time.Minute) }

// newTestService migrates a fresh DB, syncs the fixture lessons into it and
// returns a Service on a fixed clock.
func newTestService(t *testing.T) (*Service, *gorm.DB, *clock) {
	t.Helper()
	db, _ := testdb.Open(t)
	c := &clock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	s := NewService(db, c.now)
	res, err := Sync(context.Background(), db, fixtureFS(), s.Renderer())
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if res.Created != 5 || res.Tracks != 2 {
		t.Fatalf("got sync %+v, want 5 lessons in 2 tracks created", res)
	}
	return s, db, c
}

// mustUser stores an account that has proven its address.
func mustUser(t *testing.T, db *gorm.DB, email string) *models.User {
	t.Helper()
	proven := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u := &models.User{Email: email, Name: "Learner " + email, Role: models.RoleLearner, EmailVerifiedAt: &proven}
	if err := db.Create(u).Error; err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

// mustUnprovenUser stores an account that has not proven its address.
func mustUnprovenUser(t *testing.T, db *gorm.DB, email string) *models.User {
	t.Helper()
	u := &models.User{Email: email, Name: "Learner " + email, Role: models.RoleLearner}
	if err := db.Create(u).Error; err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func TestTracksAndProgress(t *testing.T) {
	s, db, c := newTestService(t)
	ctx := context.Background()
	u := mustUser(t, db, "a@example.com")

	ts, err := s.Tracks(ctx, 0)
	if err != nil {
		t.Fatalf("tracks: %v", err)
	}
	if len(ts) != 2 || len(ts[0].Lessons) != 3 || len(ts[1].Lessons) != 2 {
		t.Fatalf("got %d tracks, want 2 with 3 and 2 lessons", len(ts))
	}
	if !ts[0].Lessons[0].Public || ts[0].Lessons[1].Public || !ts[1].Lessons[0].Public {
		t.Errorf("got public flags %v %v %v, want only each track's first lesson public",
			ts[0].Lessons[0].Public, ts[0].Lessons[1].Public, ts[1].Lessons[0].Public)
	}
	for _, slug := range []string{"first-lesson", "second-lesson", "first-lesson"} { // twice: idempotent
		if err := s.MarkComplete(ctx, slug, u.ID); err != nil {
			t.Fatalf("complete %s: %v", slug, err)
		}
		c.tick()
	}
	ts, err = s.Tracks(ctx, u.ID)
	if err != nil {
		t.Fatalf("tracks: %v", err)
	}
	if got := fmt.Sprintf("%d/%d %d%%, %d/%d %d%%", ts[0].Done, ts[0].Total, ts[0].Percent, ts[1].Done, ts[1].Total, ts[1].Percent); got != "2/3 66%, 0/2 0%" {
		t.Errorf("got progress %s, want 2/3 66%%, 0/2 0%%", got)
	}
	other := mustUser(t, db, "b@example.com")
	ts, err = s.Tracks(ctx, other.ID)
	if err != nil {
		t.Fatalf("tracks: %v", err)
	}
	if ts[0].Done != 0 {
		t.Errorf("got %d done for another user, want 0", ts[0].Done)
	}
}

func TestMarkCompleteIsIdempotent(t *testing.T) {
	s, db, c := newTestService(t)
	ctx := context.Background()
	u := mustUser(t, db, "a@example.com")
	first := c.t
	if err := s.MarkComplete(ctx, "second-lesson", u.ID); err != nil {
		t.Fatalf("complete: %v", err)
	}
	c.tick()
	if err := s.MarkComplete(ctx, "second-lesson", u.ID); err != nil {
		t.Fatalf("complete again: %v", err)
	}
	ps, err := models.ListLessonProgress(ctx, db, u.ID)
	if err != nil {
		t.Fatalf("progress: %v", err)
	}
	if len(ps) != 1 {
		t.Fatalf("got %d progress rows, want 1", len(ps))
	}
	if ps[0].CompletedAt == nil || !ps[0].CompletedAt.Equal(first) {
		t.Errorf("got completed at %v, want the first completion %v", ps[0].CompletedAt, first)
	}
	if err := s.MarkComplete(ctx, "second-lesson", 0); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("visitor: got %v, want ErrLoginRequired", err)
	}
	if err := s.MarkComplete(ctx, "no-such-lesson", u.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown lesson: got %v, want ErrNotFound", err)
	}
}

func TestLessonAccess(t *testing.T) {
	s, db, _ := newTestService(t)
	ctx := context.Background()
	u := mustUser(t, db, "a@example.com")
	tests := []struct {
		slug   string
		userID uint
		want   error
	}{
		{"first-lesson", 0, nil},
		{"fourth-lesson", 0, nil},
		{"second-lesson", 0, ErrLoginRequired},
		{"fifth-lesson", 0, ErrLoginRequired},
		{"second-lesson", u.ID, nil},
		{"missing", u.ID, models.ErrNotFound},
		{"missing", 0, models.ErrNotFound},
	}
	for _, tt := range tests {
		_, err := s.Lesson(ctx, tt.slug, tt.userID)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Lesson(%s, user %d): got %v, want %v", tt.slug, tt.userID, err, tt.want)
		}
		if _, err := s.Grade(ctx, tt.slug, tt.userID, nil); tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Grade(%s, user %d): got %v, want %v", tt.slug, tt.userID, err, tt.want)
		}
	}
}

func TestLessonPage(t *testing.T) {
	s, db, _ := newTestService(t)
	ctx := context.Background()
	u := mustUser(t, db, "a@example.com")
	if err := s.MarkComplete(ctx, "first-lesson", u.ID); err != nil {
		t.Fatalf("complete: %v", err)
	}
	p, err := s.Lesson(ctx, "third-lesson", u.ID)
	if err != nil {
		t.Fatalf("lesson: %v", err)
	}
	if p.Prev == nil || p.Prev.Slug != "second-lesson" || p.Next == nil || p.Next.Slug != "fourth-lesson" {
		t.Errorf("got prev %+v next %+v, want second-lesson and fourth-lesson", p.Prev, p.Next)
	}
	if p.Position != 3 || p.TrackLength != 3 || p.TrackTitle != "Basics" || p.ReadingTime != "8 min read" {
		t.Errorf("got position %d/%d in %q, %q, want 3/3 in Basics, 8 min read", p.Position, p.TrackLength, p.TrackTitle, p.ReadingTime)
	}
	if p.AsOf != "2026-11-30" || len(p.Sources) != 1 || p.Sources[0].URL != "https://hts.usitc.gov/" {
		t.Errorf("got as of %q sources %+v, want 2026-11-30 and the HTSUS", p.AsOf, p.Sources)
	}
	if len(p.Prerequisites) != 1 || p.Prerequisites[0].Slug != "second-lesson" || p.Prerequisites[0].Done {
		t.Errorf("got prerequisites %+v, want second-lesson not done", p.Prerequisites)
	}
	if len(p.TOC) != 2 || p.TOC[1].ID != "key-points" {
		t.Errorf("got TOC %+v, want Introduction and Key points", p.TOC)
	}
	if len(p.SelfCheck) != 2 || len(p.SelfCheck[1].Choices) != 3 || !p.SelfCheck[1].Multiple() {
		t.Errorf("got self-check %+v, want 2 questions, the second multiple with 3 choices", p.SelfCheck)
	}
	if !strings.Contains(string(p.HTML), `id="key-points"`) {
		t.Errorf("got HTML without the key points heading")
	}
	first, err := s.Lesson(ctx, "first-lesson", 0)
	if err != nil {
		t.Fatalf("lesson: %v", err)
	}
	if first.Prev != nil || first.Done {
		t.Errorf("got prev %+v done %v for a visitor on the first lesson, want none and false", first.Prev, first.Done)
	}
	last, err := s.Lesson(ctx, "fifth-lesson", u.ID)
	if err != nil {
		t.Fatalf("lesson: %v", err)
	}
	if last.Next != nil {
		t.Errorf("got next %+v on the last lesson, want none", last.Next)
	}
}

func TestGrade(t *testing.T) {
	s, _, _ := newTestService(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		answers [][]int
		correct int
		q1, q2  bool
	}{
		{"all right", [][]int{{0}, {1, 0}}, 2, true, true},
		{"partial multiple is wrong", [][]int{{0}, {0}}, 1, true, false},
		{"extra choice is wrong", [][]int{{0}, {0, 1, 2}}, 1, true, false},
		{"two ticks on single is wrong", [][]int{{0, 1}, {0, 1}}, 1, false, true},
		{"nothing answered", nil, 0, false, false},
		{"out of range ignored", [][]int{{7}, {0, 1, 9}}, 1, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := s.Grade(ctx, "first-lesson", 0, tt.answers)
			if err != nil {
				t.Fatalf("grade: %v", err)
			}
			if len(g.Questions) != 2 || g.Total != 2 {
				t.Fatalf("got %d questions, want 2", len(g.Questions))
			}
			if g.Correct != tt.correct || g.Questions[0].Correct != tt.q1 || g.Questions[1].Correct != tt.q2 {
				t.Errorf("got %d correct (%v, %v), want %d (%v, %v)", g.Correct, g.Questions[0].Correct, g.Questions[1].Correct, tt.correct, tt.q1, tt.q2)
			}
			if g.AllCorrect() != (tt.correct == 2) {
				t.Errorf("got AllCorrect %v, want %v", g.AllCorrect(), tt.correct == 2)
			}
			if g.Questions[1].Explanation == "" || !g.Questions[1].IsAnswer(1) || g.Questions[1].IsAnswer(2) {
				t.Errorf("got result %+v, want the explanation and answers 0 and 1 revealed", g.Questions[1])
			}
		})
	}
}

func TestContinue(t *testing.T) {
	s, db, c := newTestService(t)
	ctx := context.Background()
	u := mustUser(t, db, "a@example.com")
	step := func(what, slug string) {
		t.Helper()
		var err error
		if what == "view" {
			err = s.MarkViewed(ctx, slug, u.ID)
		} else {
			err = s.MarkComplete(ctx, slug, u.ID)
		}
		if err != nil {
			t.Fatalf("%s %s: %v", what, slug, err)
		}
		c.tick()
	}
	want := func(slug string) {
		t.Helper()
		got, ok, err := s.Continue(ctx, u.ID)
		if err != nil {
			t.Fatalf("continue: %v", err)
		}
		if slug == "" && ok || slug != "" && (!ok || got.Slug != slug) {
			t.Errorf("got %q (ok %v), want %q", got.Slug, ok, slug)
		}
	}
	want("") // nothing yet
	step("view", "first-lesson")
	want("first-lesson")
	step("view", "fourth-lesson")
	want("fourth-lesson")
	step("complete", "fourth-lesson")
	want("first-lesson") // the most recently viewed incomplete lesson
	step("complete", "first-lesson")
	want("second-lesson") // next after the last completed
	step("complete", "third-lesson")
	want("fifth-lesson") // after third comes fourth, but it is done
	step("complete", "fifth-lesson")
	want("") // everything after the last completion is done
	if _, ok, err := s.Continue(ctx, 0); ok || err != nil {
		t.Errorf("visitor: got ok %v err %v, want nothing", ok, err)
	}
}

func TestPrework(t *testing.T) {
	s, db, c := newTestService(t)
	ctx := context.Background()
	buyer := mustUser(t, db, "buyer@example.com")
	attendee := mustUser(t, db, "Colleague@Example.com")
	stranger := mustUser(t, db, "stranger@example.com")

	w := &models.Workshop{Slug: "gri-day", Title: "GRI day", Summary: "s", DescriptionMD: "d", DurationMinutes: 60, DefaultPriceMinor: 100, Currency: "USD"}
	if err := db.Omit("Topics").Create(w).Error; err != nil {
		t.Fatalf("create workshop: %v", err)
	}
	session := func(start time.Time, status models.SessionStatus) *models.Session {
		t.Helper()
		ss := &models.Session{WorkshopID: w.ID, StartsAt: start, EndsAt: start.Add(2 * time.Hour), TimeZone: "UTC", Format: "online",
			Capacity: 10, PriceMinor: 100, Currency: "USD", RegistrationClosesAt: start, Status: status}
		if err := db.Omit("Workshop", "Instructor").Create(ss).Error; err != nil {
			t.Fatalf("create session: %v", err)
		}
		return ss
	}
	n := 0
	order := func(ss *models.Session, buyerID uint, status models.OrderStatus, emails ...string) {
		t.Helper()
		n++
		o := &models.Order{Ref: fmt.Sprintf("ref-%d", n), SessionID: ss.ID, UserID: buyerID, BuyerName: "B", BuyerEmail: "buyer@example.com",
			Seats: len(emails), Currency: "USD", PaymentMethod: models.PayByCard, Status: status}
		if err := db.Omit("Session", "DiscountCode", "Attendees").Create(o).Error; err != nil {
			t.Fatalf("create order: %v", err)
		}
		for i, e := range emails {
			a := &models.Attendee{OrderID: o.ID, Position: i, Name: "A", Email: models.NormalizeEmail(e), Status: models.AttendeeActive}
			if err := db.Create(a).Error; err != nil {
				t.Fatalf("create attendee: %v", err)
			}
		}
	}
	upcoming := session(c.t.Add(48*time.Hour), models.StatusPublished)
	past := session(c.t.Add(-48*time.Hour), models.StatusPublished)
	cancelled := session(c.t.Add(72*time.Hour), models.StatusCancelled)
	unpaid := session(c.t.Add(96*time.Hour), models.StatusPublished)
	order(upcoming, buyer.ID, models.OrderPaid, "colleague@example.com")
	order(past, buyer.ID, models.OrderPaid, "colleague@example.com")
	order(cancelled, buyer.ID, models.OrderPaid, "colleague@example.com")
	order(unpaid, stranger.ID, models.OrderHeld, "stranger@example.com")
	// An account that has not proven its address holds nothing: neither a
	// seat under that address nor an order it bought.
	squatter := mustUnprovenUser(t, db, "late@example.com")
	unprovenBuyer := mustUnprovenUser(t, db, "unproven-buyer@example.com")
	order(upcoming, unprovenBuyer.ID, models.OrderPaid, "late@example.com")
	proven := *squatter
	provenAt := c.t
	proven.EmailVerifiedAt = &provenAt

	ids := map[string]uint{}
	for _, slug := range []string{"third-lesson", "first-lesson"} {
		l, err := models.FindLessonBySlug(ctx, db, slug)
		if err != nil {
			t.Fatalf("find %s: %v", slug, err)
		}
		ids[slug] = l.ID
	}
	if err := models.SetWorkshopPrework(ctx, db, w.ID, []uint{ids["third-lesson"], ids["first-lesson"]}); err != nil {
		t.Fatalf("set prework: %v", err)
	}
	if err := s.MarkComplete(ctx, "first-lesson", attendee.ID); err != nil {
		t.Fatalf("complete: %v", err)
	}
	tests := []struct {
		name string
		u    *models.User
		want string
	}{
		{"buyer sees the upcoming paid session", buyer, "GRI day: third-lesson first-lesson 0/2"},
		{"attendee by email, case-insensitive", attendee, "GRI day: third-lesson first-lesson 1/2"},
		{"unpaid order and no seat", stranger, ""},
		{"unproven attendee address", squatter, ""},
		{"unproven buyer", unprovenBuyer, ""},
		{"attendee after proving the address", &proven, "GRI day: third-lesson first-lesson 0/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Prework(ctx, tt.u)
			if err != nil {
				t.Fatalf("prework: %v", err)
			}
			var parts []string
			for _, p := range got {
				var slugs []string
				for _, l := range p.Lessons {
					slugs = append(slugs, l.Slug)
				}
				if p.SessionID != upcoming.ID {
					t.Errorf("got session %d, want only the upcoming one %d", p.SessionID, upcoming.ID)
				}
				parts = append(parts, fmt.Sprintf("%s: %s %d/%d", p.WorkshopTitle, strings.Join(slugs, " "), p.Done, p.Total))
			}
			if g := strings.Join(parts, "; "); g != tt.want {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

func TestResyncKeepsStaffEdits(t *testing.T) {
	s, db, _ := newTestService(t)
	ctx := context.Background()
	editor := mustUser(t, db, "staff@example.com")
	m := mapFixture(t)
	// Staff edit one lesson; the files of it and of another then change.
	edit := LessonEdit{Title: "Edited by staff", Summary: "s", Minutes: 9, AsOf: "2026-12-01",
		Sources: []Source{{"HTSUS", "https://hts.usitc.gov/"}}, BodyMD: "## Staff text\n\nSee 8471.30.01.",
		SelfCheck: []Question{{Type: QuestionSingle, Prompt: "p", Choices: []string{"a", "b"}, Answer: []int{1}, Explanation: "e"},
			{Type: QuestionSingle, Prompt: "p2", Choices: []string{"a", "b"}, Answer: []int{0}, Explanation: "e"}}}
	if err := s.EditLesson(ctx, "first-lesson", edit, Editor{User: editor}); err != nil {
		t.Fatalf("edit: %v", err)
	}
	entries, err := models.ListAuditEntries(ctx, db, models.AuditFilter{Action: "lesson.edit", ObjectID: "first-lesson"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != editor.ID || !strings.Contains(entries[0].After, "Edited by staff") {
		t.Errorf("audit entries for the edit: got %+v, want one by the editor with the new title", entries)
	}
	for _, p := range []string{firstLesson, "lessons/01-basics/03-third-lesson.md"} {
		m[p] = &fstest.MapFile{Data: []byte(strings.Replace(string(m[p].Data), "## Introduction", "## Introduction (revised)", 1))}
	}
	res, err := Sync(ctx, db, m, s.Renderer())
	if err != nil {
		t.Fatalf("resync: %v", err)
	}
	if res.Created != 0 || res.Updated != 1 || res.Unchanged != 3 || len(res.Kept) != 1 || res.Kept[0] != "first-lesson" {
		t.Errorf("got %+v, want 1 updated, 3 unchanged, first-lesson kept", res)
	}
	first, err := s.Lesson(ctx, "first-lesson", 0)
	if err != nil {
		t.Fatalf("lesson: %v", err)
	}
	if first.Title != "Edited by staff" || !strings.Contains(string(first.HTML), `href="/hts/8471.30.01"`) || first.AsOf != "2026-12-01" {
		t.Errorf("got %q / %q, want the staff edit kept and rendered", first.Title, first.HTML)
	}
	third, err := models.FindLessonBySlug(ctx, db, "third-lesson")
	if err != nil {
		t.Fatalf("find: %v", err)
	}
	if !strings.Contains(third.BodyMD, "Introduction (revised)") || !strings.Contains(third.HTML, `id="introduction-revised"`) {
		t.Errorf("got body %.60q, want the revised file synced", third.BodyMD)
	}
	// A sync of unchanged files touches nothing.
	res, err = Sync(ctx, db, m, s.Renderer())
	if err != nil {
		t.Fatalf("resync: %v", err)
	}
	if res.Updated != 0 || res.Unchanged != 4 {
		t.Errorf("got %+v, want 4 unchanged", res)
	}
	bad := edit
	bad.SelfCheck = bad.SelfCheck[:1]
	if err := s.EditLesson(ctx, "second-lesson", bad, Editor{User: editor}); !errors.Is(err, models.ErrInvalid) {
		t.Errorf("edit with one question: got %v, want ErrInvalid", err)
	}
}
