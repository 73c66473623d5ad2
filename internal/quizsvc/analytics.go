package quizsvc

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/models"
)

// Progress is a learner's record: attempts, scores per track over time,
// mastery per track and the headings they confuse.
type Progress struct {
	Attempts []models.QuizAttempt // newest first
	// Series has, per track, the learner's score in each submitted attempt
	// that had questions of the track, oldest first.
	Series   []TrackSeries
	Mastery  []Mastery
	Mistakes []Confusion
	// Topics are the learner's scores per topic, weakest first.
	Topics []TopicStat
}

// TrackSeries is one line of the progress chart.
type TrackSeries struct {
	Track  string
	Title  string
	Points []ScorePoint
}

// ScorePoint is one attempt's score on a track.
type ScorePoint struct {
	At        time.Time
	AttemptID uint
	Score     float64 // 0..1
}

// Mastery is a learner's standing on a track: the mean score of their
// latest masteryWindow answers there.
type Mastery struct {
	Track    string
	Title    string
	Answered int     // answers counted (at most masteryWindow)
	Score    float64 // mean, 0..1
	Level    string  // "Not started", "Learning", "Practicing" or "Mastered"
}

// masteryWindow is how many recent answers mastery looks at.
const masteryWindow = 20

// masteryLevel names a mastery score; a few answers never count as mastered.
func masteryLevel(n int, score float64) string {
	switch {
	case n == 0:
		return "Not started"
	case score >= 0.8 && n >= 5:
		return "Mastered"
	case score >= 0.5:
		return "Practicing"
	default:
		return "Learning"
	}
}

// TopicStat is the mean score on a topic.
type TopicStat struct {
	Topic    string
	Title    string
	Track    string
	Answered int
	Score    float64
}

// Confusion is a pair of headings: the key's and the one given instead,
// with how often it happened.
type Confusion struct {
	KeyHeading   string // dotted, e.g. "8471"
	KeyText      string
	GivenHeading string
	GivenText    string
	Count        int
}

// Progress computes the user's record from their submitted attempts.
func (s *Service) Progress(ctx context.Context, userID uint) (*Progress, error) {
	attempts, err := models.ListQuizAttempts(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	items, err := models.ListGradedQuizItems(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	p := &Progress{Attempts: attempts}
	p.Series = seriesOf(items)
	p.Mastery = masteryOf(items)
	p.Mistakes = s.confusions(items, 10)
	p.Topics = topicsOf(items)
	return p, nil
}

func seriesOf(items []models.GradedItem) []TrackSeries {
	type key struct {
		track   string
		attempt uint
	}
	sums := map[key]*struct {
		pts float64
		n   int
		at  time.Time
	}{}
	var order []key
	for _, it := range items { // oldest attempt first
		k := key{it.Track, it.AttemptID}
		v, ok := sums[k]
		if !ok {
			v = &struct {
				pts float64
				n   int
				at  time.Time
			}{at: it.At}
			sums[k] = v
			order = append(order, k)
		}
		v.pts += it.Score
		v.n++
	}
	var out []TrackSeries
	for _, tr := range trackOrder {
		ts := TrackSeries{Track: tr, Title: TrackTitle(tr)}
		for _, k := range order {
			if k.track == tr {
				v := sums[k]
				ts.Points = append(ts.Points, ScorePoint{At: v.at, AttemptID: k.attempt, Score: v.pts / float64(v.n)})
			}
		}
		if len(ts.Points) > 0 {
			out = append(out, ts)
		}
	}
	return out
}

func masteryOf(items []models.GradedItem) []Mastery {
	out := make([]Mastery, 0, len(trackOrder))
	for _, tr := range trackOrder {
		m := Mastery{Track: tr, Title: TrackTitle(tr)}
		sum := 0.0
		for i := len(items) - 1; i >= 0 && m.Answered < masteryWindow; i-- { // newest first
			if items[i].Track == tr {
				sum += items[i].Score
				m.Answered++
			}
		}
		if m.Answered > 0 {
			m.Score = sum / float64(m.Answered)
		}
		m.Level = masteryLevel(m.Answered, m.Score)
		out = append(out, m)
	}
	return out
}

func topicsOf(items []models.GradedItem) []TopicStat {
	by := map[string]*TopicStat{}
	for _, it := range items {
		t, ok := by[it.Topic]
		if !ok {
			t = &TopicStat{Topic: it.Topic, Title: TopicTitle(it.Topic), Track: it.Track}
			by[it.Topic] = t
		}
		t.Score += it.Score
		t.Answered++
	}
	out := make([]TopicStat, 0, len(by))
	for _, t := range by {
		t.Score /= float64(t.Answered)
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score < out[j].Score
		}
		return out[i].Topic < out[j].Topic
	})
	return out
}

// confusions counts the hs_code answers that left the key's heading:
// (key heading, given heading) pairs, most frequent first, at most limit.
func (s *Service) confusions(items []models.GradedItem, limit int) []Confusion {
	counts := map[[2]string]int{}
	for _, it := range items {
		if it.Given == "" || it.KeyCode == "" || it.Level >= 4 {
			continue
		}
		k, err1 := hts.ParseCode(it.KeyCode)
		g, err2 := hts.ParseCode(it.Given)
		if err1 != nil || err2 != nil || k.Level() < 4 || g.Level() < 4 {
			continue
		}
		counts[[2]string{k.Truncate(4).Dotted(), g.Truncate(4).Dotted()}]++
	}
	out := make([]Confusion, 0, len(counts))
	for pair, n := range counts {
		out = append(out, Confusion{KeyHeading: pair[0], GivenHeading: pair[1], Count: n,
			KeyText: s.headingText(pair[0]), GivenText: s.headingText(pair[1])})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if out[i].KeyHeading != out[j].KeyHeading {
			return out[i].KeyHeading < out[j].KeyHeading
		}
		return out[i].GivenHeading < out[j].GivenHeading
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func (s *Service) headingText(code string) string {
	ix := s.Index()
	if ix == nil {
		return ""
	}
	l, err := ix.Lookup(code)
	if err != nil {
		return ""
	}
	if l.Description != "" {
		return l.Description
	}
	return l.HSDescription
}

// ItemStat is the analysis of one question over submitted attempts.
type ItemStat struct {
	QuestionID string
	Kind       string
	Track      string
	Topic      string
	Retired    bool
	// Answers is the number of submitted attempts that drew the question.
	Answers int
	// Facility is the share of those answers that were fully right.
	Facility float64
	// Discrimination is the share right in the upper group minus the share
	// right in the lower group, the groups being the top and bottom 27% of
	// those attempts ranked by total score; HasDiscrimination is false
	// when fewer than two attempts drew the question.
	Discrimination    float64
	HasDiscrimination bool
	Group             int // size of each group
}

// Discriminating is the conventional reading of the index.
func (st ItemStat) Discriminating() string {
	switch {
	case !st.HasDiscrimination:
		return "too few answers"
	case st.Discrimination >= 0.4:
		return "very good"
	case st.Discrimination >= 0.3:
		return "good"
	case st.Discrimination >= 0.2:
		return "fair"
	default:
		return "poor: check the key and wording"
	}
}

// Distribution is the spread of scores of one quiz.
type Distribution struct {
	QuizKey  string
	Name     string
	Attempts int
	Mean     float64
	PassRate float64 // share passed, when the quiz has a pass mark
	HasPass  bool
	// Buckets[i] counts scores in [10i%, 10(i+1)%), the last one
	// including 100%.
	Buckets [10]int
}

// Max is the largest bucket (for drawing bars).
func (d Distribution) Max() int {
	m := 0
	for _, b := range d.Buckets {
		m = max(m, b)
	}
	return m
}

// Analytics is the staff view of the bank's performance.
type Analytics struct {
	Items         []ItemStat
	Confusions    []Confusion
	Distributions []Distribution
	Attempts      int
}

// upperLowerShare is the share of attempts in each discrimination group.
const upperLowerShare = 0.27

// Analytics computes the item statistics, the confusion list and the score
// distributions from every submitted attempt (reviews excluded: they draw
// only earlier mistakes).
func (s *Service) Analytics(ctx context.Context) (*Analytics, error) {
	items, err := models.ListGradedQuizItems(ctx, s.db, 0)
	if err != nil {
		return nil, err
	}
	attempts, err := models.ListSubmittedQuizAttempts(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := &Analytics{Items: ItemStats(items), Confusions: s.confusions(items, 25), Attempts: len(attempts)}
	if b, err := s.Bank(ctx); err == nil {
		for i := range out.Items {
			if q, err := b.Question(out.Items[i].QuestionID); err == nil {
				out.Items[i].Kind, out.Items[i].Retired = string(q.Kind), q.Retired
			}
		}
	}
	out.Distributions = distributions(attempts)
	return out, nil
}

// ItemStats computes facility and discrimination per question from graded
// items of submitted attempts, ordered by question id.
func ItemStats(items []models.GradedItem) []ItemStat {
	byQ := map[string][]models.GradedItem{}
	for _, it := range items {
		byQ[it.QuestionID] = append(byQ[it.QuestionID], it)
	}
	out := make([]ItemStat, 0, len(byQ))
	for id, list := range byQ {
		st := ItemStat{QuestionID: id, Track: list[0].Track, Topic: list[0].Topic, Answers: len(list)}
		right := 0
		for _, it := range list {
			if it.Correct {
				right++
			}
		}
		st.Facility = float64(right) / float64(len(list))
		if len(list) >= 2 {
			ranked := append([]models.GradedItem(nil), list...)
			sort.SliceStable(ranked, func(i, j int) bool {
				if ranked[i].AttemptScore != ranked[j].AttemptScore {
					return ranked[i].AttemptScore > ranked[j].AttemptScore
				}
				return ranked[i].AttemptID < ranked[j].AttemptID
			})
			g := max(1, int(math.Round(upperLowerShare*float64(len(ranked)))))
			st.Group = g
			st.Discrimination = shareRight(ranked[:g]) - shareRight(ranked[len(ranked)-g:])
			st.HasDiscrimination = true
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].QuestionID < out[j].QuestionID })
	return out
}

func shareRight(list []models.GradedItem) float64 {
	n := 0
	for _, it := range list {
		if it.Correct {
			n++
		}
	}
	return float64(n) / float64(len(list))
}

func distributions(attempts []models.QuizAttempt) []Distribution {
	var out []Distribution
	idx := map[string]int{}
	for _, a := range attempts {
		i, ok := idx[a.QuizKey]
		if !ok {
			i = len(out)
			idx[a.QuizKey] = i
			out = append(out, Distribution{QuizKey: a.QuizKey, Name: a.Name})
		}
		d := &out[i]
		d.Attempts++
		d.Mean += a.Score
		b := min(9, int(math.Floor(a.Score*10+1e-9)))
		d.Buckets[max(0, b)]++
		if a.PassMark > 0 {
			d.HasPass = true
			if a.Passed {
				d.PassRate++
			}
		}
	}
	for i := range out {
		out[i].Mean /= float64(out[i].Attempts)
		out[i].PassRate /= float64(out[i].Attempts)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Attempts > out[j].Attempts || (out[i].Attempts == out[j].Attempts && out[i].QuizKey < out[j].QuizKey)
	})
	return out
}

// KindName is the display name of a question kind.
func KindName(k string) string { return quiz.KindName(quiz.Kind(k)) }
