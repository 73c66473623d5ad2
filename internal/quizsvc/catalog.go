package quizsvc

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/models"
)

// practiceSize is the number of questions of a track practice set.
const practiceSize = 10

// minTopicSet is the fewest questions a topic needs for its own set.
const minTopicSet = 3

// Entry is one quiz a learner can start from the catalog.
type Entry struct {
	Key       string // posted back to start it
	Name      string
	Track     string
	Topic     string
	Mode      quiz.Mode
	Questions int
	Minutes   int // time limit; 0 untimed
	PassMark  int // percent; 0 none
	OpenBook  bool
	Spec      quiz.Spec
}

// Catalog lists the quizzes on offer: the exam presets, then a practice
// set per track and per topic with enough questions.
type Catalog struct {
	Exams  []Entry
	Tracks []TrackSets
}

// TrackSets are the practice sets of one track.
type TrackSets struct {
	Track  string
	Title  string
	Sets   []Entry
	Topics []Entry
}

// TrackTitle is the display name of a track.
func TrackTitle(track string) string {
	switch track {
	case quiz.TrackClassification:
		return "Tariff classification"
	case quiz.TrackGRI:
		return "General Rules of Interpretation"
	case quiz.TrackOrigin:
		return "USMCA origin"
	case quiz.TrackTradeActions:
		return "Section 301, 232 and the 2025–26 tariff layers"
	}
	return track
}

// TopicTitle is the display name of a topic ("chapter-84" → "Chapter 84").
func TopicTitle(topic string) string {
	if n, ok := strings.CutPrefix(topic, "chapter-"); ok {
		return "Chapter " + n
	}
	if g, ok := strings.CutPrefix(topic, "gri-"); ok && g != "" {
		// gri-3b → GRI 3(b), gri-1 → GRI 1
		if n := strings.TrimRight(g, "abcdefghijklmnopqrstuvwxyz"); n != g && n != "" {
			return "GRI " + n + "(" + g[len(n):] + ")"
		}
		return "GRI " + g
	}
	words := strings.Split(topic, "-")
	for i, w := range words {
		switch w {
		case "rvc", "usmca", "ieepa", "cbp":
			words[i] = strings.ToUpper(w)
		default:
			if i == 0 {
				words[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
	}
	return strings.Join(words, " ")
}

// trackOrder is the order tracks are shown in.
var trackOrder = []string{quiz.TrackClassification, quiz.TrackGRI, quiz.TrackOrigin, quiz.TrackTradeActions}

func entryOf(key string, s quiz.Spec, track, topic string) Entry {
	return Entry{Key: key, Name: s.Name, Track: track, Topic: topic, Mode: s.Mode, Questions: s.Count(),
		Minutes: int(s.TimeLimit.Minutes()), PassMark: int(s.PassMark*100 + 0.5), OpenBook: s.OpenBook, Spec: s}
}

// Catalog builds the catalog from the current bank.
func (s *Service) Catalog(ctx context.Context) (*Catalog, error) {
	b, err := s.Bank(ctx)
	if err != nil {
		return nil, err
	}
	return catalogOf(b), nil
}

func catalogOf(b *quiz.Bank) *Catalog {
	c := &Catalog{Exams: []Entry{entryOf("exam:cble", quiz.CBLESimulation(), "", ""), entryOf("exam:short", quiz.ShortExam(), "", "")}}
	for _, tr := range trackOrder {
		qs := b.Select(quiz.Pool{Tracks: []string{tr}})
		if len(qs) == 0 {
			continue
		}
		ts := TrackSets{Track: tr, Title: TrackTitle(tr)}
		n := min(practiceSize, len(qs))
		ts.Sets = append(ts.Sets, entryOf("track:"+tr, quiz.Practice(TrackTitle(tr)+": practice set", true, quiz.Pool{Count: n, Tracks: []string{tr}}), tr, ""))
		if tr == quiz.TrackClassification {
			ts.Sets = append(ts.Sets, entryOf("closed:"+tr, quiz.Practice(TrackTitle(tr)+": closed-book drill", false,
				quiz.Pool{Count: n, Tracks: []string{tr}}), tr, ""))
		}
		counts := map[string]int{}
		for _, q := range qs {
			counts[q.Topic]++
		}
		topics := make([]string, 0, len(counts))
		for t, k := range counts {
			if k >= minTopicSet {
				topics = append(topics, t)
			}
		}
		sort.Slice(topics, func(i, j int) bool { return topicLess(topics[i], topics[j]) })
		for _, t := range topics {
			ts.Topics = append(ts.Topics, entryOf("topic:"+tr+":"+t, quiz.Practice(TopicTitle(t), true,
				quiz.Pool{Count: min(practiceSize, counts[t]), Tracks: []string{tr}, Topics: []string{t}}), tr, t))
		}
		c.Tracks = append(c.Tracks, ts)
	}
	return c
}

// topicLess orders chapter topics by number, then the rest by name.
func topicLess(a, b string) bool {
	na, errA := strconv.Atoi(strings.TrimPrefix(a, "chapter-"))
	nb, errB := strconv.Atoi(strings.TrimPrefix(b, "chapter-"))
	if errA == nil && errB == nil {
		return na < nb
	}
	return a < b
}

// Find returns the catalog entry of key.
func (c *Catalog) Find(key string) (Entry, bool) {
	for _, e := range c.Exams {
		if e.Key == key {
			return e, true
		}
	}
	for _, t := range c.Tracks {
		for _, e := range append(append([]Entry{}, t.Sets...), t.Topics...) {
			if e.Key == key {
				return e, true
			}
		}
	}
	return Entry{}, false
}

// workshopKey is the catalog key of a workshop's quiz.
func workshopKey(workshopID uint, kind string) string {
	return fmt.Sprintf("workshop:%d:%s", workshopID, kind)
}

// parseWorkshopKey reads a key made by workshopKey.
func parseWorkshopKey(key string) (uint, string, bool) {
	rest, ok := strings.CutPrefix(key, "workshop:")
	if !ok {
		return 0, "", false
	}
	id, kind, ok := strings.Cut(rest, ":")
	n, err := strconv.ParseUint(id, 10, 32)
	if !ok || err != nil || n == 0 || (kind != models.WorkshopQuizPre && kind != models.WorkshopQuizPost) {
		return 0, "", false
	}
	return uint(n), kind, true
}
