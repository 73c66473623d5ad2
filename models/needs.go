package models

// This file holds the rules of an attendee's dietary or accessibility
// needs (Attendee.Needs).

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxNeedsLen bounds an attendee's needs, in characters (the column is
// varchar(500)).
const MaxNeedsLen = 500

// NeedsLabel names the attendee needs field as this session's format
// makes sense of it: a live online class serves no lunch.
func (s Session) NeedsLabel() string {
	if s.Format == FormatVirtual {
		return "Accessibility needs"
	}
	return "Dietary or accessibility needs"
}

// CheckNeeds returns why an attendee's needs (already trimmed) cannot be
// stored, or "" when they can: at most MaxNeedsLen characters of text,
// with line breaks and tabs but no other control characters (PostgreSQL
// refuses NUL and invalid UTF-8 outright).
func CheckNeeds(s string) string {
	if !utf8.ValidString(s) {
		return "Use plain text."
	}
	if utf8.RuneCountInString(s) > MaxNeedsLen {
		return fmt.Sprintf("Use at most %d characters; reply to your confirmation email with anything longer.", MaxNeedsLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "Use plain text."
		}
	}
	return ""
}
