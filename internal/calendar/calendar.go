// Package calendar writes iCalendar (RFC 5545) files for sessions: the public
// feed and the invite attached to confirmation emails. Times are written in
// the session's own zone with a VTIMEZONE built from Go's zone database, so
// every calendar program shows the right wall-clock time.
package calendar

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/hsworkshop/hsworkshop/models"
)

const localStamp = "20060102T150405"

// Options choose what an event reveals.
type Options struct {
	// BaseURL is the public site URL, for links and UIDs.
	BaseURL string
	// Private adds the join link and room details (attendees and staff only).
	Private bool
	// Now stamps DTSTAMP.
	Now time.Time
	// Name is the calendar's display name.
	Name string
	// Cancel writes a cancellation (METHOD:CANCEL, STATUS:CANCELLED) of the
	// events, for a seat moved away from a session.
	Cancel bool
}

// Build returns an iCalendar document with one event per session.
func Build(sessions []models.Session, o Options) string {
	cal := ics.NewCalendarFor("hsworkshop")
	cal.SetMethod(ics.MethodPublish)
	if o.Cancel {
		cal.SetMethod(ics.MethodCancel)
	}
	if o.Name != "" {
		cal.SetXWRCalName(text(o.Name))
		cal.SetName(text(o.Name))
	}
	byZone := map[string][2]time.Time{}
	for i := range sessions {
		s := &sessions[i]
		r, ok := byZone[s.TimeZone]
		if !ok || s.StartsAt.Before(r[0]) {
			r[0] = s.StartsAt
		}
		if !ok || s.EndsAt.After(r[1]) {
			r[1] = s.EndsAt
		}
		byZone[s.TimeZone] = r
	}
	zones := make([]string, 0, len(byZone))
	for z := range byZone {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	for _, z := range zones {
		addTimezone(cal, z, byZone[z][0], byZone[z][1])
	}
	for i := range sessions {
		addEvent(cal, &sessions[i], o)
	}
	// RFC 5545 §3.1: lines end with CRLF (the library's default is the
	// platform's newline).
	return cal.Serialize(ics.WithNewLineWindows)
}

// textCtl matches what a TEXT value may not hold as typed: line breaks
// other than LF and control characters (RFC 5545 §3.3.11). The library
// escapes LF (as \n), ';', ',' and '\\' but passes a bare CR through, which
// lenient readers take for a new line: staff text could add properties.
var textCtl = regexp.MustCompile("\r\n?|[\x00-\x08\x0b-\x1f\x7f]")

// text makes s safe for a TEXT value: every line break becomes LF, other
// control characters go.
func text(s string) string {
	return textCtl.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '\r' {
			return "\n"
		}
		return ""
	})
}

func host(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "hsworkshop"
}

func addEvent(cal *ics.Calendar, s *models.Session, o Options) {
	ev := cal.AddEvent(fmt.Sprintf("session-%d@%s", s.ID, host(o.BaseURL)))
	loc := s.Location()
	ev.SetDtStampTime(o.Now)
	ev.SetProperty(ics.ComponentPropertyDtStart, s.StartsAt.In(loc).Format(localStamp), ics.WithTZID(s.TimeZone))
	ev.SetProperty(ics.ComponentPropertyDtEnd, s.EndsAt.In(loc).Format(localStamp), ics.WithTZID(s.TimeZone))
	ev.SetModifiedAt(s.UpdatedAt)
	ev.SetSequence(int(s.UpdatedAt.Unix() - s.CreatedAt.Unix()))
	ev.SetSummary(text(s.Workshop.Title))
	link := strings.TrimRight(o.BaseURL, "/") + fmt.Sprintf("/sessions/%d", s.ID)
	ev.SetURL(link)
	desc := []string{s.Workshop.Summary, "", "Format: " + s.Format.Label()}
	if s.Instructor != nil {
		desc = append(desc, "Instructor: "+s.Instructor.Name)
	}
	if o.Private {
		if s.JoinURL != "" {
			desc = append(desc, "Join online: "+s.JoinURL)
		}
		if s.RoomDetails != "" {
			desc = append(desc, "Room details: "+s.RoomDetails)
		}
	}
	desc = append(desc, "", "Details: "+link)
	ev.SetDescription(text(strings.Join(desc, "\n")))
	ev.SetLocation(text(Location(s, o.Private)))
	if s.Status == models.StatusCancelled || o.Cancel {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
}

// Location is the event's LOCATION: the venue for in-person sessions, the
// join link (when private details are allowed) or "Online" otherwise.
func Location(s *models.Session, private bool) string {
	var parts []string
	if s.Format != models.FormatVirtual {
		for _, p := range []string{s.VenueName, s.VenueAddress, s.City} {
			if p != "" {
				parts = append(parts, p)
			}
		}
	}
	if s.Format != models.FormatInPerson {
		if private && s.JoinURL != "" {
			parts = append(parts, s.JoinURL)
		} else {
			parts = append(parts, "Online")
		}
	}
	return strings.Join(parts, ", ")
}

// addTimezone writes a VTIMEZONE for zone covering [from, to] plus a year
// either side: one observance per offset change found in Go's tz data.
func addTimezone(cal *ics.Calendar, zone string, from, to time.Time) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	tz := cal.AddTimezone(zone)
	start := from.AddDate(-1, 0, 0).UTC()
	end := to.AddDate(1, 0, 0).UTC()
	name, off := start.In(loc).Zone()
	// The first observance covers everything before the window.
	addObservance(tz, off, off, name, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(off)*time.Second), start.In(loc).IsDST())
	for _, tr := range transitions(loc, start, end) {
		addObservance(tz, tr.from, tr.to, tr.name, tr.at, tr.at.In(loc).IsDST())
	}
}

type transition struct {
	at       time.Time // the instant, in UTC
	from, to int       // offsets in seconds
	name     string
}

// transitions finds every offset change in (start, end] by scanning days and
// bisecting to the second.
func transitions(loc *time.Location, start, end time.Time) []transition {
	var out []transition
	prev := start
	_, prevOff := prev.In(loc).Zone()
	for t := start.Add(24 * time.Hour); !t.After(end.Add(24 * time.Hour)); t = t.Add(24 * time.Hour) {
		_, off := t.In(loc).Zone()
		if off == prevOff {
			prev = t
			continue
		}
		lo, hi := prev, t
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2)
			if _, o := mid.In(loc).Zone(); o == prevOff {
				lo = mid
			} else {
				hi = mid
			}
		}
		name, _ := hi.In(loc).Zone()
		out = append(out, transition{at: hi, from: prevOff, to: off, name: name})
		prev, prevOff = t, off
	}
	return out
}

// addObservance adds a STANDARD or DAYLIGHT block. Its DTSTART is the local
// wall-clock time of the onset, read in the offset being left (RFC 5545).
func addObservance(tz *ics.VTimezone, from, to int, name string, at time.Time, dst bool) {
	onset := at.UTC().Add(time.Duration(from) * time.Second).Format(localStamp)
	var c *ics.ComponentBase
	if dst {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		c = &d.ComponentBase
	} else {
		c = &tz.AddStandard().ComponentBase
	}
	c.SetProperty(ics.ComponentPropertyDtStart, onset)
	c.SetProperty(ics.ComponentProperty("TZOFFSETFROM"), offset(from))
	c.SetProperty(ics.ComponentProperty("TZOFFSETTO"), offset(to))
	c.SetProperty(ics.ComponentProperty("TZNAME"), name)
}

func offset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
}
