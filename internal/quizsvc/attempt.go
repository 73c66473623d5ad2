package quizsvc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/models"
)

// ErrUnknownQuiz means the catalog has no quiz with the requested key, or
// the learner may not take it; handlers answer 404.
var ErrUnknownQuiz = errors.New("unknown quiz")

// ErrNothingToReview means an attempt has no mistakes to retake.
var ErrNothingToReview = errors.New("nothing to review")

// View is an attempt as a page may show it: the public view of every
// question and, where grading has been released (practice and review
// after each answer; an exam after submission), its Result with key and
// explanation. Nothing else of a key reaches the page.
type View struct {
	Attempt models.QuizAttempt
	Items   []ViewItem
	// Answered counts the questions with an answer.
	Answered int
	// Outcome is set once the attempt is submitted.
	Outcome *quiz.Outcome
}

// ViewItem is one question of a View.
type ViewItem struct {
	Position int
	Question quiz.PublicQuestion
	Answer   quiz.Answer
	Answered bool
	// Result is nil until grading is released.
	Result *quiz.Result
}

// Open reports whether answers may still be given.
func (v *View) Open() bool { return !v.Attempt.Submitted() }

// Exam reports whether the attempt is a timed exam.
func (v *View) Exam() bool { return v.Attempt.Mode == string(quiz.ModeExam) }

// Next is the first unanswered position, or 0 when every question is
// answered.
func (v *View) Next() int {
	for _, it := range v.Items {
		if !it.Answered {
			return it.Position
		}
	}
	return 0
}

// Item returns the item at a 1-based position.
func (v *View) Item(pos int) (*ViewItem, error) {
	if pos < 1 || pos > len(v.Items) {
		return nil, fmt.Errorf("question %d of attempt %d: %w", pos, v.Attempt.ID, models.ErrNotFound)
	}
	return &v.Items[pos-1], nil
}

// Missed counts the questions not fully right (submitted attempts).
func (v *View) Missed() int {
	if v.Outcome == nil {
		return 0
	}
	return len(v.Outcome.Missed())
}

// Start assembles a new attempt of the catalog quiz key for user.
func (s *Service) Start(ctx context.Context, user *models.User, key string) (*models.QuizAttempt, error) {
	b, err := s.Bank(ctx)
	if err != nil {
		return nil, err
	}
	var spec quiz.Spec
	var workshopID *uint
	kind := ""
	if id, k, ok := parseWorkshopKey(key); ok {
		wq, err := s.workshopQuizFor(ctx, user, id, k)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(wq.Spec), &spec); err != nil {
			return nil, fmt.Errorf("workshop quiz %d: %w", wq.ID, err)
		}
		workshopID, kind = &id, k
	} else {
		e, ok := catalogOf(b).Find(key)
		if !ok {
			return nil, fmt.Errorf("start %q: %w", key, ErrUnknownQuiz)
		}
		spec = e.Spec
	}
	a, err := s.create(ctx, b, user.ID, key, spec, rand.Uint64()>>1) // #nosec G404 -- the seed only orders a quiz's questions and choices (answers are checked on the server); >>1: SQL drivers refuse uint64 values with the high bit set
	if err != nil {
		return nil, err
	}
	if workshopID != nil {
		a.WorkshopID, a.WorkshopKind = workshopID, kind
		if err := s.db.WithContext(ctx).Model(a).Updates(map[string]any{"workshop_id": *workshopID, "workshop_kind": kind}).Error; err != nil {
			return nil, fmt.Errorf("link attempt to workshop: %w", err)
		}
	}
	return a, nil
}

// create assembles spec with seed and stores the attempt.
func (s *Service) create(ctx context.Context, b *quiz.Bank, userID uint, key string, spec quiz.Spec, seed uint64) (*models.QuizAttempt, error) {
	qz, err := quiz.Assemble(b, spec, seed)
	if err != nil {
		return nil, fmt.Errorf("start %q: %w", key, err)
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encode spec: %w", err)
	}
	now := s.now()
	a := &models.QuizAttempt{UserID: userID, QuizKey: key, Name: spec.Name, Mode: string(spec.Mode), Spec: string(raw),
		Seed: seed, OpenBook: spec.OpenBook, PassMark: spec.PassMark, Questions: len(qz.Items), StartedAt: now}
	if spec.Mode == quiz.ModeExam {
		d := now.Add(spec.TimeLimit)
		a.Deadline = &d
	}
	for i, it := range qz.Items {
		q, err := b.Question(it.QuestionID)
		if err != nil {
			return nil, err
		}
		order, err := json.Marshal(it.ChoiceOrder)
		if err != nil {
			return nil, fmt.Errorf("encode choice order: %w", err)
		}
		a.Items = append(a.Items, models.QuizAttemptItem{Position: i + 1, QuestionID: q.ID, Track: q.Track, Topic: q.Topic, ChoiceOrder: string(order)})
	}
	if err := models.CreateQuizAttempt(ctx, s.db, a); err != nil {
		return nil, err
	}
	return a, nil
}

// StartReview starts a review of the questions the learner did not get
// fully right in a submitted attempt of theirs.
func (s *Service) StartReview(ctx context.Context, userID, attemptID uint) (*models.QuizAttempt, error) {
	b, err := s.Bank(ctx)
	if err != nil {
		return nil, err
	}
	src, err := models.FindQuizAttempt(ctx, s.db, attemptID, userID)
	if err != nil {
		return nil, err
	}
	if !src.Submitted() {
		return nil, fmt.Errorf("review attempt %d: not submitted: %w", attemptID, models.ErrConflict)
	}
	var ids []string
	for _, it := range src.Items {
		if _, err := b.Question(it.QuestionID); err == nil && !it.Correct {
			ids = append(ids, it.QuestionID)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("review attempt %d: %w", attemptID, ErrNothingToReview)
	}
	a, err := s.create(ctx, b, userID, fmt.Sprintf("review:%d", attemptID), quiz.Review(ids, src.OpenBook), rand.Uint64()>>1) // #nosec G404 -- the seed only orders a quiz's questions and choices (answers are checked on the server); >>1: SQL drivers refuse uint64 values with the high bit set
	if err != nil {
		return nil, err
	}
	a.ReviewOfID = &src.ID
	if err := s.db.WithContext(ctx).Model(a).Update("review_of_id", src.ID).Error; err != nil {
		return nil, fmt.Errorf("link review: %w", err)
	}
	return a, nil
}

// Attempt loads the user's attempt (another user's is not found). An exam
// past its deadline is submitted first.
func (s *Service) Attempt(ctx context.Context, userID, id uint) (*View, error) {
	b, err := s.Bank(ctx)
	if err != nil {
		return nil, err
	}
	a, err := models.FindQuizAttempt(ctx, s.db, id, userID)
	if err != nil {
		return nil, err
	}
	if !a.Submitted() && a.Expired(s.now()) {
		if a, err = s.submit(ctx, b, a, true); err != nil {
			return nil, err
		}
	}
	return s.view(b, a)
}

// ErrTimeUp means an answer came after the exam's deadline; the attempt
// has been submitted without it.
var ErrTimeUp = errors.New("time is up")

// Answer records the answer to the question at pos. Practice and review
// answers are graded at once and may be given once; exam answers may be
// changed until the exam is submitted or its deadline passes.
func (s *Service) Answer(ctx context.Context, userID, id uint, pos int, ans quiz.Answer) (*View, error) {
	b, a, err := s.openAttempt(ctx, userID, id, "answer attempt %d: submitted: %w")
	if err != nil {
		return nil, err
	}
	if a.Expired(s.now()) {
		if _, err := s.submit(ctx, b, a, true); err != nil && !errors.Is(err, models.ErrConflict) {
			return nil, err
		}
		return nil, fmt.Errorf("answer attempt %d: %w", id, ErrTimeUp)
	}
	if pos < 1 || pos > len(a.Items) {
		return nil, fmt.Errorf("question %d of attempt %d: %w", pos, id, models.ErrNotFound)
	}
	it := &a.Items[pos-1]
	q, err := b.Question(it.QuestionID)
	if err != nil {
		return nil, err
	}
	var order []string
	if it.ChoiceOrder != "" {
		if err := json.Unmarshal([]byte(it.ChoiceOrder), &order); err != nil {
			return nil, fmt.Errorf("decode choice order: %w", err)
		}
	}
	ans.Choices = fromDisplay(q.Public(order), ans.Choices)
	raw, err := json.Marshal(ans)
	if err != nil {
		return nil, fmt.Errorf("encode answer: %w", err)
	}
	now := s.now()
	it.Answer, it.AnsweredAt = string(raw), &now
	graded := a.Mode != string(quiz.ModeExam)
	if graded {
		if err := setResult(it, s.grader().Grade(q, ans)); err != nil {
			return nil, err
		}
	}
	if err := models.SaveQuizAnswer(ctx, s.db, it, graded); err != nil {
		return nil, err
	}
	if graded && allAnswered(a.Items) {
		// A practice set closes itself once every question is answered.
		if _, err := s.submit(ctx, b, a, false); err != nil && !errors.Is(err, models.ErrConflict) {
			return nil, err
		}
	}
	return s.Attempt(ctx, userID, id)
}

func allAnswered(items []models.QuizAttemptItem) bool {
	for _, it := range items {
		if it.AnsweredAt == nil {
			return false
		}
	}
	return true
}

// setResult stores r on it.
func setResult(it *models.QuizAttemptItem, r quiz.Result) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	it.Graded, it.Score, it.Correct, it.Level, it.Result = true, r.Score, r.Correct, r.Level, string(raw)
	it.Given, it.KeyCode = "", ""
	if r.Kind == quiz.KindHSCode {
		it.Given, it.KeyCode = r.Answer, r.Key
	}
	return nil
}

// Submit closes the user's attempt and grades it; submitting twice is a
// conflict.
func (s *Service) Submit(ctx context.Context, userID, id uint) (*View, error) {
	b, a, err := s.openAttempt(ctx, userID, id, "submit attempt %d: %w")
	if err != nil {
		return nil, err
	}
	if a, err = s.submit(ctx, b, a, a.Expired(s.now())); err != nil {
		return nil, err
	}
	return s.view(b, a)
}

// submit grades every item (practice items keep the grade they got when
// answered) and closes the attempt. auto marks a submission by deadline.
func (s *Service) submit(ctx context.Context, b *quiz.Bank, a *models.QuizAttempt, auto bool) (*models.QuizAttempt, error) {
	now := s.now()
	if auto && a.Deadline != nil {
		now = *a.Deadline // the exam ended at its deadline, whenever we noticed
	}
	points := 0.0
	for i := range a.Items {
		it := &a.Items[i]
		if !it.Graded {
			q, err := b.Question(it.QuestionID)
			if err != nil {
				return nil, err
			}
			ans, err := decodeAnswer(it.Answer)
			if err != nil {
				return nil, err
			}
			if err := setResult(it, s.grader().Grade(q, ans)); err != nil {
				return nil, err
			}
		}
		points += it.Score
	}
	a.SubmittedAt, a.AutoSubmitted, a.Points = &now, auto, points
	if len(a.Items) > 0 {
		a.Score = points / float64(len(a.Items))
	}
	a.Passed = a.PassMark > 0 && a.Score >= a.PassMark
	if err := models.SubmitQuizAttempt(ctx, s.db, a, a.Items); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeAnswer(raw string) (quiz.Answer, error) {
	var ans quiz.Answer
	if raw == "" {
		return ans, nil
	}
	if err := json.Unmarshal([]byte(raw), &ans); err != nil {
		return ans, fmt.Errorf("decode answer: %w", err)
	}
	return ans, nil
}

// view builds the page view of a, releasing results as the mode allows.
func (s *Service) view(b *quiz.Bank, a *models.QuizAttempt) (*View, error) {
	v := &View{Attempt: *a, Items: make([]ViewItem, 0, len(a.Items))}
	v.Attempt.Items = nil
	release := a.Submitted() || a.Mode != string(quiz.ModeExam)
	var results []quiz.Result
	for _, it := range a.Items {
		q, err := b.Question(it.QuestionID)
		if err != nil {
			return nil, err
		}
		var order []string
		if it.ChoiceOrder != "" {
			if err := json.Unmarshal([]byte(it.ChoiceOrder), &order); err != nil {
				return nil, fmt.Errorf("decode choice order: %w", err)
			}
		}
		ans, err := decodeAnswer(it.Answer)
		if err != nil {
			return nil, err
		}
		vi := ViewItem{Position: it.Position, Question: q.Public(order), Answered: it.AnsweredAt != nil}
		vi.Question.Position = it.Position
		vi.Answer = quiz.Answer{Text: ans.Text, Choices: toDisplay(&vi.Question, ans.Choices)}
		if vi.Answered {
			v.Answered++
		}
		if release && it.Graded && it.Result != "" {
			var r quiz.Result
			if err := json.Unmarshal([]byte(it.Result), &r); err != nil {
				return nil, fmt.Errorf("decode result: %w", err)
			}
			vi.Result = &r
			results = append(results, r)
		}
		v.Items = append(v.Items, vi)
	}
	if a.Submitted() {
		o := quiz.Outcome{Results: results, Points: a.Points, Max: float64(len(a.Items)), Score: a.Score, Passed: a.Passed,
			ByTopic: map[string]quiz.TopicScore{}, ByTrack: map[string]quiz.TopicScore{}}
		for _, it := range a.Items {
			addScore(o.ByTopic, it.Topic, it.Score)
			addScore(o.ByTrack, it.Track, it.Score)
		}
		v.Outcome = &o
	}
	return v, nil
}

func addScore(m map[string]quiz.TopicScore, key string, score float64) {
	t := m[key]
	t.Questions++
	t.Points += score
	t.Score = t.Points / float64(t.Questions)
	m[key] = t
}

// SubmitExpired submits every open exam whose deadline has passed (the
// background job); it returns how many it closed.
func (s *Service) SubmitExpired(ctx context.Context) (int, error) {
	b, err := s.Bank(ctx)
	if err != nil {
		return 0, err
	}
	list, err := models.ListExpiredQuizAttempts(ctx, s.db, s.now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range list {
		a, err := models.FindQuizAttempt(ctx, s.db, l.ID, l.UserID)
		if err != nil {
			return n, err
		}
		if a.Submitted() {
			continue
		}
		if _, err := s.submit(ctx, b, a, true); err != nil {
			if errors.Is(err, models.ErrConflict) {
				continue // another instance or the learner got there first
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// Remaining is the time left on a timed attempt at now (0 when past or
// untimed).
func Remaining(a models.QuizAttempt, now time.Time) time.Duration {
	if a.Deadline == nil || a.Submitted() {
		return 0
	}
	return max(0, a.Deadline.Sub(now))
}

// Now is the service clock (the pages show the countdown from it).
func (s *Service) Now() time.Time { return s.now() }

// Choices reach the page numbered 1, 2, ... in the order shown, never by
// their bank ids: authors often give the right choice the id "a", which
// would give the key away. toDisplay and fromDisplay translate.

// toDisplay renumbers p's choices in place and returns picked (bank ids)
// as display numbers.
func toDisplay(p *quiz.PublicQuestion, picked []string) []string {
	var out []string
	for i := range p.Choices {
		n := strconv.Itoa(i + 1)
		if slices.Contains(picked, p.Choices[i].ID) {
			out = append(out, n)
		}
		p.Choices[i].ID = n
	}
	return out
}

// fromDisplay maps display numbers posted by a page to the bank ids of p's
// choices; anything else becomes "?", which grading counts as a wrong pick.
func fromDisplay(p quiz.PublicQuestion, picked []string) []string {
	out := make([]string, 0, len(picked))
	for _, v := range picked {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(p.Choices) {
			out = append(out, "?")
			continue
		}
		out = append(out, p.Choices[n-1].ID)
	}
	return out
}

// openAttempt loads the bank and the user's attempt id, refusing one that
// is already submitted with ErrConflict wrapped in format (an attempt id
// and %w).
func (s *Service) openAttempt(ctx context.Context, userID, id uint, format string) (*quiz.Bank, *models.QuizAttempt, error) {
	b, err := s.Bank(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := models.FindQuizAttempt(ctx, s.db, id, userID)
	if err != nil {
		return nil, nil, err
	}
	if a.Submitted() {
		return nil, nil, fmt.Errorf(format, id, models.ErrConflict)
	}
	return b, a, nil
}
