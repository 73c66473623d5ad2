package certificate

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// TableAttendance reads the attendance_marks table (session_id, attendee_id,
// status present/absent/partial, hours, marked_by_id, marked_at) that
// attendance marking writes.
type TableAttendance struct{}

// SessionAttendance implements AttendanceSource.
func (TableAttendance) SessionAttendance(ctx context.Context, db *gorm.DB, sessionID uint) (map[uint]Attendance, error) {
	var rows []struct {
		AttendeeID uint
		Status     string
		Hours      float64
	}
	err := db.WithContext(ctx).Table("attendance_marks").Select("attendee_id, status, hours").
		Where("session_id = ?", sessionID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read attendance of session %d: %w", sessionID, err)
	}
	out := make(map[uint]Attendance, len(rows))
	for _, r := range rows {
		out[r.AttendeeID] = Attendance{AttendeeID: r.AttendeeID, Status: AttendanceStatus(r.Status), Hours: r.Hours}
	}
	return out, nil
}
