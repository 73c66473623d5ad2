package quizsvc

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/jobs"
	"github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/models"
)

// WorkshopTest is a default workshop pre- or post-test: a 30-minute exam
// (no feedback until submitted) of count questions drawn from tracks, with
// a 70% pass mark.
func WorkshopTest(name string, count int, tracks ...string) quiz.Spec {
	return quiz.Spec{Name: name, Mode: quiz.ModeExam, TimeLimit: 30 * time.Minute, PassMark: 0.7,
		OpenBook: true, ShuffleQuestions: true, ShuffleChoices: true,
		Pools: []quiz.Pool{{Count: count, Tracks: tracks}}}
}

// AttachWorkshopQuiz attaches (or replaces) the pre- or post-test of a
// workshop after checking that the bank can fill spec.
func (s *Service) AttachWorkshopQuiz(ctx context.Context, workshopID uint, kind string, spec quiz.Spec) error {
	if kind != models.WorkshopQuizPre && kind != models.WorkshopQuizPost {
		return fmt.Errorf("%w: kind %q, want pre or post", quiz.ErrInvalid, kind)
	}
	b, err := s.Bank(ctx)
	if err != nil {
		return err
	}
	if _, err := quiz.Assemble(b, spec, 1); err != nil {
		return err
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encode spec: %w", err)
	}
	return models.SaveWorkshopQuiz(ctx, s.db, &models.WorkshopQuiz{WorkshopID: workshopID, Kind: kind, Spec: string(raw)})
}

// workshopQuizFor returns the workshop quiz if user may take it: they
// hold a confirmed seat on a session of the workshop that has not ended.
func (s *Service) workshopQuizFor(ctx context.Context, user *models.User, workshopID uint, kind string) (*models.WorkshopQuiz, error) {
	rows, err := models.ListWorkshopQuizzesForUser(ctx, s.db, user, s.now())
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.WorkshopID == workshopID && r.Kind == kind {
			return models.FindWorkshopQuiz(ctx, s.db, workshopID, kind)
		}
	}
	return nil, fmt.Errorf("workshop %d %s-test: %w", workshopID, kind, ErrUnknownQuiz)
}

// WorkshopQuizForUser is a workshop test a learner is asked to take, with
// their latest submitted attempt of it.
type WorkshopQuizForUser struct {
	Key           string // start it with this catalog key
	WorkshopID    uint
	WorkshopTitle string
	Kind          string // pre or post
	StartsAt      time.Time
	Name          string
	Questions     int
	Minutes       int
	PassMark      int // percent
	// Latest is the newest submitted attempt, nil when none.
	Latest *models.QuizAttempt
	// Open is an attempt started and not yet submitted, nil when none.
	Open *models.QuizAttempt
}

// QuizzesForUser lists the pre- and post-tests of the workshops the user
// holds a confirmed seat on (sessions not yet ended), for the learner's
// dashboard and the quiz page. A nil user has none.
func (s *Service) QuizzesForUser(ctx context.Context, user *models.User) ([]WorkshopQuizForUser, error) {
	if user == nil {
		return nil, nil
	}
	rows, err := models.ListWorkshopQuizzesForUser(ctx, s.db, user, s.now())
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	attempts, err := models.ListQuizAttempts(ctx, s.db, user.ID)
	if err != nil {
		return nil, err
	}
	out := make([]WorkshopQuizForUser, 0, len(rows))
	for _, r := range rows {
		var spec quiz.Spec
		if err := json.Unmarshal([]byte(r.Spec), &spec); err != nil {
			return nil, fmt.Errorf("workshop %d %s-test: %w", r.WorkshopID, r.Kind, err)
		}
		w := WorkshopQuizForUser{Key: workshopKey(r.WorkshopID, r.Kind), WorkshopID: r.WorkshopID, WorkshopTitle: r.WorkshopTitle,
			Kind: r.Kind, StartsAt: r.StartsAt, Name: spec.Name, Questions: spec.Count(), Minutes: int(spec.TimeLimit.Minutes()),
			PassMark: int(spec.PassMark*100 + 0.5)}
		for i := range attempts { // newest first
			a := &attempts[i]
			if a.QuizKey != w.Key {
				continue
			}
			if a.Submitted() && w.Latest == nil {
				w.Latest = a
			}
			if !a.Submitted() && w.Open == nil && !a.Expired(s.now()) {
				w.Open = a
			}
		}
		out = append(out, w)
	}
	return out, nil
}

// PassedPostTest reports whether the user has submitted a passing attempt
// of the workshop's post-test (certificates may require it).
func (s *Service) PassedPostTest(ctx context.Context, userID, workshopID uint) (bool, error) {
	return models.HasPassedWorkshopQuiz(ctx, s.db, userID, workshopID, models.WorkshopQuizPost)
}

// ClassRow is one attendee of a session with their pre- and post-test
// results (the latest submitted attempt of each).
type ClassRow struct {
	Name, Email string
	HasAccount  bool
	Pre, Post   *models.QuizAttempt
}

// Gain is the post-test score minus the pre-test score in points of
// percent, when both were taken.
func (r ClassRow) Gain() (int, bool) {
	if r.Pre == nil || r.Post == nil {
		return 0, false
	}
	return int((r.Post.Score-r.Pre.Score)*100 + sign(r.Post.Score-r.Pre.Score)*0.5), true
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

// ClassResults lists a session's attendees with their pre- and post-test
// results side by side. Callers check that the viewer may see the session.
func (s *Service) ClassResults(ctx context.Context, session *models.Session) ([]ClassRow, error) {
	members, err := models.ListClassMembers(ctx, s.db, session.ID)
	if err != nil {
		return nil, err
	}
	var ids []uint
	for _, m := range members {
		if m.UserID != 0 {
			ids = append(ids, m.UserID)
		}
	}
	attempts, err := models.ListWorkshopAttempts(ctx, s.db, session.WorkshopID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ClassRow, 0, len(members))
	for _, m := range members {
		r := ClassRow{Name: m.Name, Email: m.Email, HasAccount: m.UserID != 0}
		for i := range attempts { // oldest first: the last one wins
			a := &attempts[i]
			if a.UserID != m.UserID || m.UserID == 0 {
				continue
			}
			switch a.WorkshopKind {
			case models.WorkshopQuizPre:
				r.Pre = a
			case models.WorkshopQuizPost:
				r.Post = a
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Jobs are the service's background tasks: submitting exams whose
// deadline passed while nobody looked.
func (s *Service) Jobs(every time.Duration) []jobs.Task {
	if every <= 0 {
		every = time.Minute
	}
	return []jobs.Task{{Name: "quiz-submit-expired", Every: every, Run: func(ctx context.Context) error {
		if !s.Available() {
			return nil
		}
		_, err := s.SubmitExpired(ctx)
		return err
	}}}
}
