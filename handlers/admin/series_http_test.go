package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/internal/payments"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestSeriesPageBulkPublishAndCancel: creating a series opens its page;
// the schedule names it; only admins reach it; "publish all drafts" and
// "cancel remaining" each work once (a repeat publishes, cancels and
// refunds nothing); the cancel needs its box ticked.
func TestSeriesPageBulkPublishAndCancel(t *testing.T) {
	t.Parallel()
	pay := payments.NewFake(ht.WebhookSecret)
	ta := ht.New(t, ht.WithFakeStripe(pay))
	wd := seedWorld(t, ta)
	form := with(sessionValues(wd.w.ID), "rule", "weekly", "count", "3", "first_date", ta.Now().AddDate(0, 0, 7).Format("2006-01-02"),
		"start_time", "09:00", "end_time", "12:00", "close_hours", "24", "time_zone", "America/New_York", "series_name", "Tuesday <b>mornings</b>")
	rec := ta.Do(t, ht.Request{Method: "POST", Path: "/admin/series", Form: form, As: wd.admin})
	var id uint
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: got %d\n%.2000s", rec.Code, rec.Body.String())
	}
	if _, err := fmt.Sscanf(rec.Header().Get("Location"), "/admin/series/%d?created=3", &id); err != nil || id == 0 {
		t.Fatalf("create: location %q: %v", rec.Header().Get("Location"), err)
	}
	path := fmt.Sprintf("/admin/series/%d", id)
	for _, u := range []*models.User{nil, wd.learner, wd.teacher, wd.other} {
		want := http.StatusForbidden
		if u == nil {
			want = http.StatusUnauthorized
		}
		for _, r := range []ht.Request{{Path: path}, {Method: "POST", Path: path + "/publish", Form: url.Values{}},
			{Method: "POST", Path: path + "/cancel", Form: url.Values{"confirm": {"yes"}}}} {
			r.As = u
			if got := ta.Do(t, r).Code; got != want {
				t.Errorf("%s %s as %v: got %d, want %d", r.Method, r.Path, u, got, want)
			}
		}
	}
	if c := ta.Do(t, ht.Request{Path: "/admin/series/9999", As: wd.admin}).Code; c != http.StatusNotFound {
		t.Errorf("unknown series: got %d, want 404", c)
	}
	page := ta.Do(t, ht.Request{Path: path + "?created=3", As: wd.admin})
	body := page.Body.String()
	if page.Code != 200 || !strings.Contains(body, "Series: Tuesday &lt;b&gt;mornings&lt;/b&gt;") || !strings.Contains(body, "Weekly, 3 sessions from") ||
		strings.Count(body, `class="status-chip session-draft"`) != 3 || !strings.Contains(body, "3 upcoming drafts") {
		t.Fatalf("series page: got %d\n%.4000s", page.Code, body)
	}
	sched := ta.Do(t, ht.Request{Path: "/admin/schedule", As: wd.admin}).Body.String()
	if strings.Count(sched, fmt.Sprintf(`href="/admin/series/%d"`, id)) != 3 {
		t.Errorf("schedule: want each of the 3 sessions linked to its series")
	}
	// Publish all drafts, twice.
	for run, want := range []string{"published=3", "published=0"} {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: path + "/publish", Form: url.Values{}, As: wd.admin})
		if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), want) {
			t.Errorf("publish run %d: got %d %q, want %s", run+1, rec.Code, rec.Header().Get("Location"), want)
		}
	}
	var ss []models.Session
	if err := ta.DB.Where("series_id = ?", id).Order("starts_at").Find(&ss).Error; err != nil || len(ss) != 3 {
		t.Fatalf("series sessions: got %d (%v), want 3", len(ss), err)
	}
	for _, s := range ss {
		if s.Status != models.StatusPublished {
			t.Errorf("session %d: got %s, want published", s.ID, s.Status)
		}
	}
	if s := ta.Session(t, wd.s.ID); s.Status != models.StatusPublished || s.SeriesID != nil {
		t.Errorf("the lone session: got %s series %v, want untouched", s.Status, s.SeriesID)
	}
	// A paid card seat on the second session.
	o := ta.CardOrder(t, ss[1].ID, 1)
	if c := ta.PostWebhook(t, ht.StripeEvent("", "checkout.session.completed", ht.CheckoutObject(o, "paid", "pi_series")), time.Now()).Code; c != 200 {
		t.Fatalf("pay: %d", c)
	}
	// Without the box ticked: 422 beside it, nothing cancelled.
	rec = ta.Do(t, ht.Request{Method: "POST", Path: path + "/cancel", Form: url.Values{"reason": {"Venue closed."}}, As: wd.admin})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="f-confirm-error"`) || !strings.Contains(rec.Body.String(), "Venue closed.") {
		t.Errorf("unconfirmed cancel: got %d, want 422 with the error beside the box and the reason kept", rec.Code)
	}
	if s := ta.Session(t, ss[0].ID); s.Status != models.StatusPublished {
		t.Fatalf("after unconfirmed cancel: got %s, want published", s.Status)
	}
	for run, want := range []string{"cancelled=3", "cancelled=0"} {
		rec := ta.Do(t, ht.Request{Method: "POST", Path: path + "/cancel", Form: url.Values{"confirm": {"yes"}, "reason": {"Venue closed."}}, As: wd.admin})
		if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), want) {
			t.Errorf("cancel run %d: got %d %q, want %s", run+1, rec.Code, rec.Header().Get("Location"), want)
		}
	}
	if calls := pay.RefundCalls(); len(calls) != 1 || calls[0].AmountMinor != o.TotalMinor {
		t.Errorf("refunds: got %+v, want one of %d", calls, o.TotalMinor)
	}
	page = ta.Do(t, ht.Request{Path: path + "?cancelled=3", As: wd.admin})
	body = page.Body.String()
	if page.Code != 200 || strings.Count(body, "/cancellation\">summary</a>") != 3 || !strings.Contains(body, "Cancelled 3 sessions") ||
		!strings.Contains(body, "$595.00") {
		t.Errorf("series page after cancel: got %d\n%.4000s", page.Code, body)
	}
	if s := ta.Session(t, wd.s.ID); s.Status != models.StatusPublished {
		t.Errorf("the lone session: got %s, want still published", s.Status)
	}
}
