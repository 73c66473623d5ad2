package learn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/audit"
	"github.com/hsworkshop/hsworkshop/models"
)

// ErrLoginRequired is returned for a lesson that only signed-in learners
// may open (every lesson but the first of each track). Handlers map it to a
// redirect to the login page with a return address.
var ErrLoginRequired = errors.New("login required")

// UserID is u's ID, or 0 for a visitor (nil user): the form every Service
// method takes.
func UserID(u *models.User) uint {
	if u == nil {
		return 0
	}
	return u.ID
}

// Service serves lessons and progress to learners.
type Service struct {
	db  *gorm.DB
	now func() time.Time
	r   *Renderer
}

// NewService builds a Service over db; now is the clock (UTC is applied).
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now, r: NewRenderer()}
}

// Renderer is the service's Markdown renderer, for Sync at start-up.
func (s *Service) Renderer() *Renderer { return s.r }

// LessonSummary is a lesson in a list, with the learner's state.
type LessonSummary struct {
	ID          uint
	Slug        string
	Title       string
	Summary     string
	Minutes     int
	ReadingTime string
	TrackSlug   string
	TrackTitle  string
	Public      bool // the first lesson of its track: readable without an account
	Viewed      bool
	Done        bool
}

// URL is the lesson page's path.
func (l LessonSummary) URL() string { return "/learn/" + l.Slug }

// TrackSummary is a track with its lessons and the learner's progress.
type TrackSummary struct {
	Slug    string
	Title   string
	Summary string
	Lessons []LessonSummary
	Done    int
	Total   int
	Percent int // Done of Total, rounded down
}

// LessonLink points at another lesson (previous, next, prerequisite).
type LessonLink struct {
	Slug       string
	Title      string
	TrackTitle string
	Done       bool
}

// URL is the lesson page's path.
func (l LessonLink) URL() string { return "/learn/" + l.Slug }

// PublicQuestion is a self-check question as the browser sees it before
// submitting: no answer, no explanation.
type PublicQuestion struct {
	N       int // 0-based; the form field is "q<N>"
	Type    string
	Prompt  string
	Choices []string
}

// Multiple reports whether several choices may be ticked.
func (q PublicQuestion) Multiple() bool { return q.Type == QuestionMultiple }

// LessonPage is everything the lesson page shows.
type LessonPage struct {
	LessonSummary
	TrackSummary  string
	AsOf          string
	Sources       []Source
	HTML          template.HTML // sanitised
	TOC           []TOCEntry
	Prerequisites []LessonLink
	Prev, Next    *LessonLink
	SelfCheck     []PublicQuestion
	CompletedAt   *time.Time
	Position      int // 1-based within its track
	TrackLength   int
}

// outline is every lesson in reading order, with which are public.
type outline struct {
	tracks  []models.Track
	lessons []models.Lesson
	public  map[uint]bool
	index   map[string]int // slug → position in lessons
	trackOf map[uint]models.Track
}

func (s *Service) outline(ctx context.Context) (*outline, error) {
	ts, err := models.ListTracks(ctx, s.db)
	if err != nil {
		return nil, err
	}
	ls, err := models.ListLessonsInOrder(ctx, s.db)
	if err != nil {
		return nil, err
	}
	o := &outline{tracks: ts, lessons: ls, public: map[uint]bool{}, index: map[string]int{}, trackOf: map[uint]models.Track{}}
	for _, t := range ts {
		o.trackOf[t.ID] = t
	}
	seen := map[uint]bool{}
	for i, l := range ls {
		o.index[l.Slug] = i
		if !seen[l.TrackID] { // lessons are in order: the first seen is the track's first
			o.public[l.ID] = true
			seen[l.TrackID] = true
		}
	}
	return o, nil
}

func (o *outline) summary(l models.Lesson, prog map[uint]models.LessonProgress) LessonSummary {
	t := o.trackOf[l.TrackID]
	p, ok := prog[l.ID]
	return LessonSummary{ID: l.ID, Slug: l.Slug, Title: l.Title, Summary: l.Summary, Minutes: l.Minutes,
		ReadingTime: ReadingTime(l.Minutes), TrackSlug: t.Slug, TrackTitle: t.Title, Public: o.public[l.ID],
		Viewed: ok && p.LastViewedAt != nil, Done: ok && p.Done()}
}

func (o *outline) link(i int, prog map[uint]models.LessonProgress) *LessonLink {
	if i < 0 || i >= len(o.lessons) {
		return nil
	}
	l := o.lessons[i]
	return &LessonLink{Slug: l.Slug, Title: l.Title, TrackTitle: o.trackOf[l.TrackID].Title, Done: prog[l.ID].Done()}
}

// progress returns userID's progress by lesson ID (empty for anonymous).
func (s *Service) progress(ctx context.Context, userID uint) (map[uint]models.LessonProgress, error) {
	out := map[uint]models.LessonProgress{}
	if userID == 0 {
		return out, nil
	}
	ps, err := models.ListLessonProgress(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		out[p.LessonID] = p
	}
	return out, nil
}

// Tracks lists every track with its lessons and userID's progress (0 for a
// visitor: nothing done).
func (s *Service) Tracks(ctx context.Context, userID uint) ([]TrackSummary, error) {
	o, err := s.outline(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tracks: %w", err)
	}
	prog, err := s.progress(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list tracks: %w", err)
	}
	out := make([]TrackSummary, 0, len(o.tracks))
	at := map[uint]int{}
	for _, t := range o.tracks {
		at[t.ID] = len(out)
		out = append(out, TrackSummary{Slug: t.Slug, Title: t.Title, Summary: t.Summary})
	}
	for _, l := range o.lessons {
		ts := &out[at[l.TrackID]]
		sum := o.summary(l, prog)
		ts.Lessons = append(ts.Lessons, sum)
		ts.Total++
		if sum.Done {
			ts.Done++
		}
	}
	for i := range out {
		if out[i].Total > 0 {
			out[i].Percent = out[i].Done * 100 / out[i].Total
		}
	}
	return out, nil
}

// Lesson returns the lesson page for slug as userID (0 for a visitor) may
// see it: ErrLoginRequired if a visitor asks for a lesson that is not the
// first of its track, models.ErrNotFound if there is no such lesson. It
// does not record a view; call MarkViewed for that.
func (s *Service) Lesson(ctx context.Context, slug string, userID uint) (*LessonPage, error) {
	o, err := s.outline(ctx)
	if err != nil {
		return nil, fmt.Errorf("show lesson %q: %w", slug, err)
	}
	i, ok := o.index[slug]
	if !ok {
		return nil, fmt.Errorf("show lesson %q: %w", slug, models.ErrNotFound)
	}
	if userID == 0 && !o.public[o.lessons[i].ID] {
		return nil, fmt.Errorf("show lesson %q: %w", slug, ErrLoginRequired)
	}
	l, err := models.FindLessonBySlug(ctx, s.db, slug)
	if err != nil {
		return nil, fmt.Errorf("show lesson: %w", err)
	}
	prog, err := s.progress(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("show lesson %q: %w", slug, err)
	}
	page := &LessonPage{LessonSummary: o.summary(o.lessons[i], prog), TrackSummary: l.Track.Summary, AsOf: l.AsOf,
		CompletedAt: prog[l.ID].CompletedAt}
	// Previous and next follow the reading order across tracks.
	page.Prev, page.Next = o.link(i-1, prog), o.link(i+1, prog)
	for j, x := range o.lessons {
		if x.TrackID == l.TrackID {
			page.TrackLength++
			if j <= i {
				page.Position++
			}
		}
	}
	for _, pre := range l.PrerequisiteSlugs() {
		if k, ok := o.index[pre]; ok {
			page.Prerequisites = append(page.Prerequisites, *o.link(k, prog))
		}
	}
	if err := decodeJSON(l.Sources, &page.Sources); err != nil {
		return nil, fmt.Errorf("show lesson %q: sources: %w", slug, err)
	}
	qs, err := questions(l)
	if err != nil {
		return nil, fmt.Errorf("show lesson %q: %w", slug, err)
	}
	for n, q := range qs {
		page.SelfCheck = append(page.SelfCheck, PublicQuestion{N: n, Type: q.Type, Prompt: q.Prompt, Choices: q.Choices})
	}
	if l.HTML == "" {
		// A row written without its cache (e.g. by hand): render on read.
		out, err := s.r.Render(l.Slug, l.BodyMD)
		if err != nil {
			return nil, fmt.Errorf("show lesson: %w", err)
		}
		l.HTML, page.TOC = out.HTML, out.TOC
	} else if err := decodeJSON(l.TOC, &page.TOC); err != nil {
		return nil, fmt.Errorf("show lesson %q: toc: %w", slug, err)
	}
	page.HTML = s.r.Sanitize(l.HTML)
	return page, nil
}

func decodeJSON(s string, v any) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

func questions(l *models.Lesson) ([]Question, error) {
	var qs []Question
	if err := decodeJSON(l.SelfCheck, &qs); err != nil {
		return nil, fmt.Errorf("self-check: %w", err)
	}
	return qs, nil
}

// lessonForUser finds slug and applies the access rule.
func (s *Service) lessonForUser(ctx context.Context, slug string, userID uint) (*models.Lesson, error) {
	o, err := s.outline(ctx)
	if err != nil {
		return nil, err
	}
	i, ok := o.index[slug]
	if !ok {
		return nil, fmt.Errorf("lesson %q: %w", slug, models.ErrNotFound)
	}
	if userID == 0 && !o.public[o.lessons[i].ID] {
		return nil, fmt.Errorf("lesson %q: %w", slug, ErrLoginRequired)
	}
	return models.FindLessonBySlug(ctx, s.db, slug)
}

// MarkViewed records that userID opened lesson slug now. Visitors
// (userID 0) are not tracked: it returns nil for them.
func (s *Service) MarkViewed(ctx context.Context, slug string, userID uint) error {
	if userID == 0 {
		return nil
	}
	l, err := s.lessonForUser(ctx, slug, userID)
	if err != nil {
		return fmt.Errorf("mark viewed: %w", err)
	}
	if err := models.MarkLessonViewed(ctx, s.db, userID, l.ID, s.now()); err != nil {
		return fmt.Errorf("mark viewed: %w", err)
	}
	return nil
}

// MarkComplete records that userID finished lesson slug. It is idempotent:
// the first completion time is kept. Visitors get ErrLoginRequired.
func (s *Service) MarkComplete(ctx context.Context, slug string, userID uint) error {
	if userID == 0 {
		return fmt.Errorf("mark complete %q: %w", slug, ErrLoginRequired)
	}
	l, err := s.lessonForUser(ctx, slug, userID)
	if err != nil {
		return fmt.Errorf("mark complete: %w", err)
	}
	if err := models.MarkLessonComplete(ctx, s.db, userID, l.ID, s.now()); err != nil {
		return fmt.Errorf("mark complete: %w", err)
	}
	return nil
}

// QuestionResult is one graded self-check question, with the answer and
// explanation revealed.
type QuestionResult struct {
	PublicQuestion
	Chosen      []int
	Answer      []int
	Correct     bool
	Explanation string
}

// IsChosen reports whether choice i was ticked (for templates).
func (r QuestionResult) IsChosen(i int) bool { return containsInt(r.Chosen, i) }

// IsAnswer reports whether choice i is correct (for templates).
func (r QuestionResult) IsAnswer(i int) bool { return containsInt(r.Answer, i) }

// GradeResult is a graded self-check.
type GradeResult struct {
	Questions []QuestionResult
	Correct   int
	Total     int
}

// AllCorrect reports whether every question was answered right.
func (g GradeResult) AllCorrect() bool { return g.Total > 0 && g.Correct == g.Total }

// Grade marks a self-check submission for lesson slug. answers[i] holds the
// choice indexes ticked for question i (a missing or out-of-range entry
// counts as wrong). A question is right when exactly its answer set is
// ticked. The same access rule as Lesson applies. Grading records nothing.
func (s *Service) Grade(ctx context.Context, slug string, userID uint, answers [][]int) (*GradeResult, error) {
	l, err := s.lessonForUser(ctx, slug, userID)
	if err != nil {
		return nil, fmt.Errorf("grade self-check: %w", err)
	}
	qs, err := questions(l)
	if err != nil {
		return nil, fmt.Errorf("grade self-check of %q: %w", slug, err)
	}
	g := &GradeResult{Total: len(qs)}
	for i, q := range qs {
		var chosen []int
		if i < len(answers) {
			seen := map[int]bool{}
			for _, a := range answers[i] {
				if a >= 0 && a < len(q.Choices) && !seen[a] {
					chosen = append(chosen, a)
					seen[a] = true
				}
			}
		}
		sort.Ints(chosen)
		want := append([]int(nil), q.Answer...)
		sort.Ints(want)
		ok := len(chosen) == len(want)
		for j := 0; ok && j < len(want); j++ {
			ok = chosen[j] == want[j]
		}
		if q.Type == QuestionSingle && len(answers) > i && len(answers[i]) > 1 {
			ok = false // two ticks on a one-answer question is not right
		}
		if ok {
			g.Correct++
		}
		g.Questions = append(g.Questions, QuestionResult{
			PublicQuestion: PublicQuestion{N: i, Type: q.Type, Prompt: q.Prompt, Choices: q.Choices},
			Chosen:         chosen, Answer: want, Correct: ok, Explanation: q.Explanation})
	}
	return g, nil
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Continue is where userID should pick up: the most recently viewed lesson
// not yet completed, or else the first lesson not completed after the most
// recently completed one. ok is false when there is nothing to suggest (no
// progress yet, or everything done after the last completion).
func (s *Service) Continue(ctx context.Context, userID uint) (LessonLink, bool, error) {
	if userID == 0 {
		return LessonLink{}, false, nil
	}
	o, err := s.outline(ctx)
	if err != nil {
		return LessonLink{}, false, fmt.Errorf("continue: %w", err)
	}
	prog, err := s.progress(ctx, userID)
	if err != nil {
		return LessonLink{}, false, fmt.Errorf("continue: %w", err)
	}
	pos := map[uint]int{}
	for i, l := range o.lessons {
		pos[l.ID] = i
	}
	var viewed, completed *models.LessonProgress
	for _, p := range prog {
		if _, known := pos[p.LessonID]; !known {
			continue
		}
		if !p.Done() && p.LastViewedAt != nil && (viewed == nil || later(*p.LastViewedAt, *viewed.LastViewedAt, p, *viewed, pos)) {
			viewed = &p
		}
		if p.Done() && (completed == nil || later(*p.CompletedAt, *completed.CompletedAt, p, *completed, pos)) {
			completed = &p
		}
	}
	if viewed != nil {
		return *o.link(pos[viewed.LessonID], prog), true, nil
	}
	if completed != nil {
		for i := pos[completed.LessonID] + 1; i < len(o.lessons); i++ {
			if !prog[o.lessons[i].ID].Done() {
				return *o.link(i, prog), true, nil
			}
		}
	}
	return LessonLink{}, false, nil
}

// later orders two progress rows by time, and by reading order when the
// times are equal (so the result does not depend on map order).
func later(a, b time.Time, pa, pb models.LessonProgress, pos map[uint]int) bool {
	if !a.Equal(b) {
		return a.After(b)
	}
	return pos[pa.LessonID] > pos[pb.LessonID]
}

// PreworkSession is one upcoming session the learner is booked on, with the
// lessons its workshop asks attendees to read first.
type PreworkSession struct {
	SessionID     uint
	WorkshopID    uint
	WorkshopTitle string
	StartsAt      time.Time
	Lessons       []LessonSummary
	Done          int
	Total         int
}

// Prework lists the prework of u's upcoming sessions: sessions where u
// bought a confirmed (paid) order, or is an active attendee on one under
// u's email address, once u has proven that address.
func (s *Service) Prework(ctx context.Context, u *models.User) ([]PreworkSession, error) {
	if u == nil {
		return nil, nil
	}
	rows, err := models.ListPreworkForUser(ctx, s.db, u, s.now())
	if err != nil {
		return nil, fmt.Errorf("prework: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	o, err := s.outline(ctx)
	if err != nil {
		return nil, fmt.Errorf("prework: %w", err)
	}
	prog, err := s.progress(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("prework: %w", err)
	}
	byID := map[uint]models.Lesson{}
	for _, l := range o.lessons {
		byID[l.ID] = l
	}
	var out []PreworkSession
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].SessionID != r.SessionID {
			out = append(out, PreworkSession{SessionID: r.SessionID, WorkshopID: r.WorkshopID,
				WorkshopTitle: r.WorkshopTitle, StartsAt: r.StartsAt.UTC()})
		}
		l, ok := byID[r.LessonID]
		if !ok {
			continue
		}
		ps := &out[len(out)-1]
		sum := o.summary(l, prog)
		ps.Lessons = append(ps.Lessons, sum)
		ps.Total++
		if sum.Done {
			ps.Done++
		}
	}
	return out, nil
}

// LessonEdit is a staff edit of a lesson's text.
type LessonEdit struct {
	Title     string
	Summary   string
	Minutes   int
	AsOf      string
	Sources   []Source
	SelfCheck []Question
	BodyMD    string
}

// check applies the front-matter rules a lesson file must meet (not the
// length floor: staff may shorten a lesson).
func (e LessonEdit) check(slug string) []error {
	var errs []error
	if strings.TrimSpace(e.Title) == "" || strings.TrimSpace(e.Summary) == "" {
		errs = append(errs, errors.New("title and summary are required"))
	}
	if e.Minutes <= 0 {
		errs = append(errs, errors.New("minutes must be a positive number"))
	}
	if _, err := time.Parse(time.DateOnly, e.AsOf); err != nil {
		errs = append(errs, fmt.Errorf("as of %q is not a date (YYYY-MM-DD)", e.AsOf))
	}
	if len(e.Sources) == 0 {
		errs = append(errs, errors.New("at least one source is required"))
	}
	return append(errs, checkSelfCheck(slug, e.SelfCheck)...)
}

// EditLesson saves a staff edit: it renders the new body and marks the
// lesson edited, so that content syncs no longer overwrite it. The admin
// area validates the form before calling.
func (s *Service) EditLesson(ctx context.Context, slug string, e LessonEdit, editor Editor) error {
	l, err := models.FindLessonBySlug(ctx, s.db, slug)
	if err != nil {
		return fmt.Errorf("edit lesson: %w", err)
	}
	if errs := e.check(slug); len(errs) > 0 {
		return fmt.Errorf("edit lesson %q: %w: %w", slug, models.ErrInvalid, errors.Join(errs...))
	}
	out, err := s.r.Render(slug, e.BodyMD)
	if err != nil {
		return fmt.Errorf("edit lesson: %w: %w", models.ErrInvalid, err)
	}
	before := audit.Fields{"title": l.Title, "summary": l.Summary, "minutes": l.Minutes, "as_of": l.AsOf, "body_sha256": sha(l.BodyMD)}
	l.Title, l.Summary, l.Minutes, l.AsOf, l.BodyMD, l.HTML = e.Title, e.Summary, e.Minutes, e.AsOf, e.BodyMD, out.HTML
	for _, f := range []struct {
		dst *string
		v   any
	}{{&l.Sources, e.Sources}, {&l.SelfCheck, e.SelfCheck}, {&l.TOC, out.TOC}} {
		b, err := json.Marshal(f.v)
		if err != nil {
			return fmt.Errorf("edit lesson %q: %w", slug, err)
		}
		*f.dst = string(b)
	}
	after := audit.Fields{"title": l.Title, "summary": l.Summary, "minutes": l.Minutes, "as_of": l.AsOf, "body_sha256": sha(l.BodyMD)}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.UpdateLessonByStaff(ctx, tx, l, editor.User.ID); err != nil {
			return err
		}
		return audit.New(s.now).Record(ctx, tx, audit.Action{
			Actor: editor.User, IP: editor.IP, Action: "lesson.edit", ObjectType: "lesson", ObjectID: slug,
			Summary: "Edited lesson " + slug, Before: before, After: after,
		})
	})
	if err != nil {
		return fmt.Errorf("edit lesson: %w", err)
	}
	return nil
}

// Editor is the staff member making a change, for the audit log.
type Editor struct {
	User *models.User
	IP   string
}

// sha fingerprints a body for the audit log (bodies are too long to copy).
func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// OriginCase returns the origin case named id ("<lesson-slug>-<n>", the
// n-th ```origin block of the lesson, from 1) as userID may see it: the
// lesson's access rule applies, and an unknown lesson or block number is
// models.ErrNotFound. The block is read from the lesson as stored, so a
// staff edit is what the lab shows.
func (s *Service) OriginCase(ctx context.Context, id string, userID uint) (OriginCase, error) {
	i := strings.LastIndexByte(id, '-')
	n, err := strconv.Atoi(id[i+1:])
	if i <= 0 || err != nil || n < 1 {
		return OriginCase{}, fmt.Errorf("origin case %q: %w", id, models.ErrNotFound)
	}
	l, err := s.lessonForUser(ctx, id[:i], userID)
	if err != nil {
		return OriginCase{}, fmt.Errorf("origin case %q: %w", id, err)
	}
	b, err := ExtractBlocks(l.Slug, l.BodyMD)
	if err != nil {
		return OriginCase{}, fmt.Errorf("origin case %q: %w", id, err)
	}
	if n > len(b.Origin) {
		return OriginCase{}, fmt.Errorf("origin case %q: %w", id, models.ErrNotFound)
	}
	return b.Origin[n-1], nil
}

// AllLessons lists every lesson in reading order without its body, for
// the staff list.
func (s *Service) AllLessons(ctx context.Context) ([]models.Lesson, error) {
	ls, err := models.ListLessonsInOrder(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("list lessons: %w", err)
	}
	return ls, nil
}

// StoredLesson is lesson slug as stored, with its Markdown, for staff
// editing (no access rule: the staff routes are guarded).
func (s *Service) StoredLesson(ctx context.Context, slug string) (*models.Lesson, error) {
	l, err := models.FindLessonBySlug(ctx, s.db, slug)
	if err != nil {
		return nil, fmt.Errorf("stored lesson: %w", err)
	}
	return l, nil
}
