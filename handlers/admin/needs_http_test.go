package admin_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestRosterShowsNeedsToItsStaffOnly: an attendee's needs appear, inert,
// on the roster, the CSV (through the formula guard) and the sign-in
// sheet's staff-only page for the admin and the session's instructor;
// another instructor, a learner and the anonymous get nothing.
func TestRosterShowsNeedsToItsStaffOnly(t *testing.T) {
	t.Parallel()
	wd := newWorld(t, func(s *models.Session) {
		s.Format, s.City, s.VenueName = models.FormatInPerson, "Chicago", "Loop Center"
	})
	ta := wd.ta
	const xss = `<script>alert(1)</script> halal meal`
	const formula = `=HYPERLINK("http://evil.example","wheelchair")`
	ta.PlaceAPIOrder(t, wd.s.ID, 2, "invoice") // the other attendees have none
	body := fmt.Sprintf(`{"buyer":{"name":"B","email":"b@broker.example"},"attendees":[{"name":"Xena","email":"x@broker.example","needs":%q},{"name":"Fay","email":"f@broker.example","needs":%q}],"payment_method":"invoice"}`, xss, formula)
	if rec := ta.PostJSON(t, fmt.Sprintf("/api/v1/sessions/%d/orders", wd.s.ID), body); rec.Code != http.StatusCreated {
		t.Fatalf("order: got %d %s", rec.Code, rec.Body.String())
	}
	var o models.Order
	if err := ta.DB.Preload("Session.Workshop").Where("buyer_email = ?", "b@broker.example").First(&o).Error; err != nil {
		t.Fatal(err)
	}
	ta.ConfirmOrderByEmail(t, &o)

	roster := fmt.Sprintf("/staff/sessions/%d/roster", wd.s.ID)
	signin := fmt.Sprintf("/staff/sessions/%d/sign-in", wd.s.ID)
	csvPath := fmt.Sprintf("/admin/sessions/%d/roster.csv", wd.s.ID)
	for _, u := range []*models.User{wd.admin, wd.teacher} {
		page := ta.Do(t, ht.Request{Path: roster, As: u})
		b := page.Body.String()
		if page.Code != 200 || !strings.Contains(b, `<strong>Dietary or accessibility needs:</strong> &lt;script&gt;alert(1)&lt;/script&gt; halal meal`) ||
			strings.Contains(b, "<script>alert(1)") || !strings.Contains(b, "2 attendees with needs noted") {
			t.Errorf("roster as %s: got %d, want the needs escaped\n%.5000s", u.Role, page.Code, b)
		}
		sheet := ta.Do(t, ht.Request{Path: signin, As: u})
		b = sheet.Body.String()
		staffPart := b[strings.Index(b, "signin-needs")+1:]
		if sheet.Code != 200 || !strings.Contains(b, `class="signin-needs"`) || !strings.Contains(staffPart, "halal meal") ||
			strings.Contains(b[:strings.Index(b, "signin-needs")], "halal meal") || strings.Contains(b, "<script>alert(1)") {
			t.Errorf("sign-in sheet as %s: got %d, want the needs on the staff-only page only\n%.5000s", u.Role, sheet.Code, b)
		}
		rec := ta.Do(t, ht.Request{Path: csvPath, As: u})
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if rec.Code != 200 || err != nil || len(rows) != 5 {
			t.Fatalf("csv as %s: got %d, %d rows (%v), want header and 4 attendees", u.Role, rec.Code, len(rows), err)
		}
		col := len(rows[0]) - 1
		if rows[0][col] != "needs" {
			t.Fatalf("csv header: got %v, want needs last", rows[0])
		}
		got := map[string]string{}
		for _, r := range rows[1:] {
			got[r[0]] = r[col]
		}
		if got["Xena"] != xss || got["Fay"] != "'"+formula {
			t.Errorf("csv needs: got %q and %q, want the text and the defused formula", got["Xena"], got["Fay"])
		}
	}
	for _, tc := range []struct {
		u    *models.User
		path string
		want int
	}{
		{wd.other, roster, http.StatusNotFound}, {wd.other, signin, http.StatusNotFound}, {wd.other, csvPath, http.StatusNotFound},
		{wd.learner, roster, http.StatusForbidden}, {wd.learner, signin, http.StatusForbidden}, {wd.learner, csvPath, http.StatusForbidden},
		{nil, roster, http.StatusUnauthorized}, {nil, csvPath, http.StatusUnauthorized},
	} {
		rec := ta.Do(t, ht.Request{Path: tc.path, As: tc.u})
		if rec.Code != tc.want || strings.Contains(rec.Body.String(), "halal") {
			t.Errorf("%s as %v: got %d, want %d and no needs", tc.path, tc.u, rec.Code, tc.want)
		}
	}
	// An online session names the field for what it can be.
	online := ht.MustSession(t, ta.DB, wd.w, func(s *models.Session) { s.InstructorID = &wd.teacher.ID })
	o2 := ta.PlaceAPIOrder(t, online.ID, 1, "invoice", `"po_number":"X"`)
	if err := ta.DB.Model(&models.Attendee{}).Where("order_id = ?", o2.ID).Update("needs", "Live captions").Error; err != nil {
		t.Fatal(err)
	}
	if b := ta.Do(t, ht.Request{Path: fmt.Sprintf("/staff/sessions/%d/roster", online.ID), As: wd.teacher}).Body.String(); !strings.Contains(b, `<strong>Accessibility needs:</strong> Live captions`) {
		t.Error("online roster: want the accessibility label")
	}
}
