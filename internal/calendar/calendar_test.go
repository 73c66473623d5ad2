package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/models"
)

// TestBuildTextCannotAddLines: lines end with CRLF, and a CR, LF or
// control character typed in a title, venue or room stays inside its
// escaped TEXT value, so no reader sees an injected property.
func TestBuildTextCannotAddLines(t *testing.T) {
	start := time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
	s := models.Session{ID: 7, StartsAt: start, EndsAt: start.Add(time.Hour), TimeZone: "America/Chicago", Format: models.FormatHybrid,
		VenueName: "Hall\rATTENDEE:mailto:evil@x.example", City: "Austin\r\nBEGIN:VEVENT", RoomDetails: "Room\x0b7\nX-INJ:1",
		JoinURL: "https://meet.example/j", Workshop: models.Workshop{Title: "Title\rX-INJ:2", Summary: "Sum"}}
	out := Build([]models.Session{s}, Options{BaseURL: "http://hsw.test", Private: true, Now: start, Name: "Cal\rX-INJ:3"})
	if !strings.HasSuffix(out, "END:VCALENDAR\r\n") {
		t.Errorf("does not end with CRLF: %q", out[max(0, len(out)-20):])
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n\x0b") {
			t.Errorf("line with a bare line break or control character: %q", l)
		}
		for _, bad := range []string{"ATTENDEE", "X-INJ"} {
			if strings.HasPrefix(l, bad) {
				t.Errorf("injected line %q", l)
			}
		}
	}
	if n := strings.Count(out, "BEGIN:VEVENT\r\n"); n != 1 {
		t.Errorf("events: got %d, want 1", n)
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	for _, want := range []string{`SUMMARY:Title\nX-INJ:2`, `Hall\nATTENDEE:mailto:evil@x.example`, `Room7\nX-INJ:1`} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("calendar lacks the escaped text %q", want)
		}
	}
}
