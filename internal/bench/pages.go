package bench

import (
	"strings"
)

// Page is one row of the web benchmark.
type Page struct {
	// Name labels the row.
	Name string
	// Path is the request URI; {session} and {workshop} are replaced by a
	// published session's id and a workshop's path found in the API,
	// {attempt} by the signed-in learner's practice quiz attempt.
	Path string
	// Auth sends the signed-in learner's cookies.
	Auth bool
	// Want, when set, must occur in the page as fetched before the run
	// (e.g. "Log out" proves a signed-in page was served signed in).
	Want string
	// Catalog holds the page to issue 14's catalog targets (throughput
	// ≥ 0.5× the bare server, p99 ≤ 10 ms at half the maximum rate).
	Catalog bool
}

// DefaultPages is the benchmark's page list. To add a page, add a row:
// the harness fetches it once (it must answer 200 and contain Want), serves the same bytes
// from the bare server and measures both.
func DefaultPages() []Page {
	return []Page{
		{Name: "home", Path: "/", Catalog: true},
		{Name: "catalog", Path: "/sessions", Catalog: true},
		{Name: "session page", Path: "/sessions/{session}", Catalog: true},
		{Name: "workshop page", Path: "{workshop}", Catalog: true},
		{Name: "tariff search page", Path: "/hts/search?q=laptop+computer"},
		{Name: "tariff search API", Path: "/api/v1/hts/search?q=laptop+computer"},
		{Name: "my registrations (signed in)", Path: "/account/registrations", Auth: true, Want: "HSW-"},
		{Name: "account (signed in)", Path: "/account", Auth: true, Want: "Log out"},
		// Lessons and quizzes (issue 14: throughput and p99 reported, no
		// target yet). The first lesson of a track is public, the others
		// are for signed-in learners.
		{Name: "lesson tracks", Path: "/learn", Want: `href="/learn/hs-purpose-and-editions"`},
		{Name: "lesson (public)", Path: "/learn/hs-purpose-and-editions", Want: `id="lesson-title"`},
		{Name: "lesson (signed in)", Path: "/learn/hs-structure", Auth: true, Want: `id="lesson-title"`},
		{Name: "learning dashboard (signed in)", Path: "/learn/dashboard", Auth: true, Want: "Your learning"},
		{Name: "quiz list (signed in)", Path: "/quiz", Auth: true, Want: `action="/quiz/start"`},
		{Name: "quiz question (signed in)", Path: "/quiz/attempts/{attempt}", Auth: true, Want: `id="q-prompt"`},
	}
}

// Fixtures are the ids found on the running app that page paths refer to.
type Fixtures struct {
	SessionID    int
	WorkshopPath string // e.g. /workshops/hs-classification-fundamentals
	AttemptID    int    // the learner's practice quiz attempt
}

// Resolve fills the placeholders of a page path.
func (f Fixtures) Resolve(path string) string {
	return strings.NewReplacer("{session}", itoa(f.SessionID), "{workshop}", f.WorkshopPath,
		"{attempt}", itoa(f.AttemptID)).Replace(path)
}
