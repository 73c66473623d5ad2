// Package quizsvc is the quiz service: it keeps the question bank in the
// database (synced from content/quiz, edited by staff), runs attempts
// (assembly, answers, practice feedback, exam deadlines and submission,
// reviews of mistakes), attaches pre- and post-tests to workshops, and
// computes the learner and staff analytics from the stored attempts.
//
// Grading is done here, on the server, with internal/quiz; what it hands
// to the web layer before an answer is graded carries no key. It imports
// internal/quiz, internal/hts, internal/jobs and models; handlers import
// it, never the other way round.
package quizsvc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/models"
)

// ErrUnavailable means the service has no tariff index to grade codes
// with (the tariff data did not load); handlers answer 503.
var ErrUnavailable = errors.New("quiz service unavailable")

// Deps are the service's dependencies.
type Deps struct {
	DB *gorm.DB
	// HTS is the bundled tariff index the bank's keys are pinned to; nil
	// makes every call fail with ErrUnavailable.
	HTS *hts.Index
	// Content is the content tree holding quiz/*.json (content.FS).
	Content fs.FS
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service runs quizzes. It is safe for concurrent use.
type Service struct {
	db *gorm.DB
	// tariff holds the index keys are checked against and its grader; it
	// is set once the index has loaded (serve loads it in the background).
	tariff  atomic.Pointer[tariffData]
	content fs.FS
	now     func() time.Time

	mu      sync.Mutex
	bank    *quiz.Bank
	version string
	synced  bool
}

// New builds the service. The bank is synced and loaded on first use.
func New(d Deps) *Service {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	s := &Service{db: d.DB, content: d.Content, now: func() time.Time { return now().UTC() }}
	s.SetIndex(d.HTS)
	return s
}

// tariffData is an index with the grader built on it.
type tariffData struct {
	ix     *hts.Index
	grader *quiz.Grader
}

// SetIndex installs the tariff index keys are pinned to (nil: quizzes are
// unavailable until one is set).
func (s *Service) SetIndex(ix *hts.Index) {
	if ix == nil {
		s.tariff.Store(nil)
		return
	}
	s.tariff.Store(&tariffData{ix: ix, grader: quiz.NewGrader(ix)})
}

// Available reports whether the service can grade (it has a tariff index).
func (s *Service) Available() bool { return s != nil && s.tariff.Load() != nil }

// Index is the tariff index keys are checked against (nil when unavailable).
func (s *Service) Index() *hts.Index {
	if t := s.tariff.Load(); t != nil {
		return t.ix
	}
	return nil
}

// grader grades against the current index; callers check Available first
// (a nil grader would panic).
func (s *Service) grader() *quiz.Grader {
	if t := s.tariff.Load(); t != nil {
		return t.grader
	}
	return nil
}

// Bank returns the current bank: the database's items, synced from the
// content files on first use and reloaded when the table changed (staff
// edits on this or another instance).
func (s *Service) Bank(ctx context.Context) (*quiz.Bank, error) {
	if !s.Available() {
		return nil, ErrUnavailable
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.synced {
		if _, err := Sync(ctx, s.db, s.content); err != nil {
			return nil, err
		}
		s.synced = true
	}
	v, err := models.QuizItemsVersion(ctx, s.db)
	if err != nil {
		return nil, err
	}
	if s.bank != nil && v == s.version {
		return s.bank, nil
	}
	rows, err := models.ListQuizItems(ctx, s.db)
	if err != nil {
		return nil, err
	}
	b, err := bankOf(rows)
	if err != nil {
		return nil, err
	}
	s.bank, s.version = b, v
	return b, nil
}

// invalidate drops the cached bank after a write.
func (s *Service) invalidate() {
	s.mu.Lock()
	s.bank = nil
	s.mu.Unlock()
}

// bankOf parses the stored items into a bank.
func bankOf(rows []models.QuizItem) (*quiz.Bank, error) {
	qs := make([]*quiz.Question, 0, len(rows))
	for _, r := range rows {
		q, err := decodeQuestion(r.Body)
		if err != nil {
			return nil, fmt.Errorf("quiz item %q: %w", r.QuestionID, err)
		}
		q.Retired = r.Retired()
		qs = append(qs, q)
	}
	b, err := quiz.NewBank(qs)
	if err != nil {
		return nil, fmt.Errorf("load quiz bank: %w", err)
	}
	return b, nil
}

func decodeQuestion(body string) (*quiz.Question, error) {
	var q quiz.Question
	if err := json.Unmarshal([]byte(body), &q); err != nil {
		return nil, fmt.Errorf("decode question: %w", err)
	}
	return &q, nil
}

// itemRow is the database row of q.
func itemRow(q *quiz.Question) (models.QuizItem, error) {
	b, err := json.Marshal(q)
	if err != nil {
		return models.QuizItem{}, fmt.Errorf("encode question %q: %w", q.ID, err)
	}
	sum := sha256.Sum256(b)
	return models.QuizItem{QuestionID: q.ID, Kind: string(q.Kind), Track: q.Track, Topic: q.Topic,
		Difficulty: q.Difficulty, Body: string(b), SourceHash: hex.EncodeToString(sum[:])}, nil
}

// SyncResult counts what Sync did.
type SyncResult struct {
	Created, Updated, Unchanged int
	Kept                        []string // staff-edited items left as they are
}

// Sync writes the questions of content/quiz to the database in one
// transaction: new ones are created, changed ones updated unless staff
// edited them (staff edits win), and rows whose file entry was removed
// stay (attempts refer to them). Retirement is kept.
func Sync(ctx context.Context, db *gorm.DB, fsys fs.FS) (SyncResult, error) {
	var res SyncResult
	b, err := quiz.LoadBank(fsys)
	if err != nil {
		return res, fmt.Errorf("sync quiz bank: %w", err)
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res = SyncResult{}
		rows, err := models.ListQuizItems(ctx, tx)
		if err != nil {
			return err
		}
		cur := make(map[string]models.QuizItem, len(rows))
		for _, r := range rows {
			cur[r.QuestionID] = r
		}
		for _, q := range b.Questions() {
			row, err := itemRow(q)
			if err != nil {
				return err
			}
			old, ok := cur[q.ID]
			switch {
			case ok && old.EditedByStaff:
				res.Kept = append(res.Kept, q.ID)
				continue
			case ok && old.SourceHash == row.SourceHash:
				res.Unchanged++
				continue
			case ok:
				row.RetiredAt = old.RetiredAt
				res.Updated++
			default:
				res.Created++
			}
			if err := models.SaveQuizItem(ctx, tx, &row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return SyncResult{}, fmt.Errorf("sync quiz bank: %w", err)
	}
	return res, nil
}
