package quizsvc

import (
	"context"
	"sort"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/desk"
	"github.com/hsworkshop/hsworkshop/models"
)

// minHardAnswers is how many answers a question needs before it can be
// called hard: one learner's slip says nothing about the item.
const minHardAnswers = 3

// QuizActivity counts submitted attempts per calendar month (UTC) in
// [from, until), one entry per month in order, zero months included; it
// feeds the admin reports (desk.QuizStats). The count is in Orders, the
// field the reports chart.
func (s *Service) QuizActivity(ctx context.Context, from, until time.Time) ([]desk.MonthCount, error) {
	attempts, err := models.ListSubmittedQuizAttempts(ctx, s.db)
	if err != nil {
		return nil, err
	}
	from, until = from.UTC(), until.UTC()
	var out []desk.MonthCount
	idx := map[string]int{}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(until); m = m.AddDate(0, 1, 0) {
		idx[m.Format("2006-01")] = len(out)
		out = append(out, desk.MonthCount{Month: m.Format("2006-01")})
	}
	for _, a := range attempts {
		if a.SubmittedAt == nil || a.SubmittedAt.Before(from) || !a.SubmittedAt.Before(until) {
			continue
		}
		if i, ok := idx[a.SubmittedAt.UTC().Format("2006-01")]; ok {
			out[i].Orders++
		}
	}
	return out, nil
}

// HardestItems returns up to limit questions with the lowest facility
// among those answered at least minHardAnswers times (desk.QuizStats).
func (s *Service) HardestItems(ctx context.Context, limit int) ([]desk.HardItem, error) {
	a, err := s.Analytics(ctx)
	if err != nil {
		return nil, err
	}
	var stats []ItemStat
	for _, st := range a.Items {
		if st.Answers >= minHardAnswers {
			stats = append(stats, st)
		}
	}
	sort.SliceStable(stats, func(i, j int) bool {
		if stats[i].Facility != stats[j].Facility {
			return stats[i].Facility < stats[j].Facility
		}
		return stats[i].QuestionID < stats[j].QuestionID
	})
	if len(stats) > limit {
		stats = stats[:limit]
	}
	out := make([]desk.HardItem, 0, len(stats))
	for _, st := range stats {
		correct := int(st.Facility*float64(st.Answers) + 0.5)
		out = append(out, desk.HardItem{Label: st.QuestionID, Attempts: st.Answers, Correct: correct})
	}
	return out, nil
}

var _ desk.QuizStats = (*Service)(nil)
