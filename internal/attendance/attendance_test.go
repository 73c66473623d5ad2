package attendance_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/attendance"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestRecipientsFilterByStatusOncePerAddress(t *testing.T) {
	t.Parallel()
	paid := models.Order{Status: models.OrderPaid}
	pending := models.Order{Status: models.OrderPendingInvoice}
	r := attendance.Roster{Rows: []attendance.Row{
		{Attendee: models.Attendee{ID: 1, Email: "a@x.test"}, Order: paid, Mark: models.Attendance{Status: models.AttendancePresent}},
		{Attendee: models.Attendee{ID: 2, Email: "b@x.test"}, Order: paid, Mark: models.Attendance{Status: models.AttendanceAbsent}},
		{Attendee: models.Attendee{ID: 3, Email: "c@x.test"}, Order: pending, Mark: models.Attendance{Status: models.AttendancePartial}},
		{Attendee: models.Attendee{ID: 4, Email: "a@x.test"}, Order: pending},
	}}
	want := map[string]int{attendance.AudienceAll: 3, attendance.AudiencePaid: 2, attendance.AudiencePending: 2,
		attendance.AudienceAttended: 2, attendance.AudienceAbsent: 1}
	for aud, n := range want {
		rs, err := attendance.Recipients(r, aud)
		if err != nil || len(rs) != n {
			t.Errorf("%s: got %d recipients (%v), want %d", aud, len(rs), err, n)
		}
	}
	var ve *models.ValidationError
	if _, err := attendance.Recipients(r, "everyone"); !errors.As(err, &ve) || ve.Fields["audience"] == "" {
		t.Errorf("unknown audience: got %v, want a field error", err)
	}
}

func TestMayManageAndContactHours(t *testing.T) {
	t.Parallel()
	teacher := &models.User{ID: 7, Role: models.RoleInstructor}
	other := &models.User{ID: 8, Role: models.RoleInstructor}
	learner := &models.User{ID: 7, Role: models.RoleLearner}
	admin := &models.User{ID: 9, Role: models.RoleAdmin}
	id := uint(7)
	start := time.Date(2027, 1, 7, 14, 0, 0, 0, time.UTC)
	s := &models.Session{InstructorID: &id, StartsAt: start, EndsAt: start.Add(31*time.Hour + 30*time.Minute)}
	for _, tc := range []struct {
		u    *models.User
		want bool
	}{{teacher, true}, {other, false}, {learner, false}, {admin, true}, {nil, false}} {
		if got := attendance.MayManage(tc.u, s); got != tc.want {
			t.Errorf("MayManage(%+v): got %v, want %v", tc.u, got, tc.want)
		}
	}
	if got := attendance.ContactHours(s); got != 31.5 {
		t.Errorf("without a workshop duration: got %v, want 31.5", got)
	}
	s.Workshop.DurationMinutes = 14 * 60
	if got := attendance.ContactHours(s); got != 14 {
		t.Errorf("two-day class of 14 contact hours: got %v, want 14", got)
	}
	if msg := attendance.ValidateMessage("Line one\nline two", "body"); msg["subject"] == "" {
		t.Error("a two-line subject: got no error")
	}
}
