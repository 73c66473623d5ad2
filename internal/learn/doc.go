// Package learn is the lesson engine: it loads and validates the Markdown
// lessons under content/lessons, renders them to sanitised HTML (tariff
// codes linked to the tariff browser, worked duty examples linked to the
// duty calculator), syncs them into the database, and serves learners:
// tracks with progress, lessons with access rules, self-check grading,
// "continue where you left off" and workshop prework.
//
// It imports models and internal/hts (for code parsing) only; handlers
// import it, never the other way round.
package learn
