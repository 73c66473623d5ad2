package scheduling_test

import (
	"context"
	"testing"

	"github.com/hsworkshop/hsworkshop/internal/scheduling"
	"github.com/hsworkshop/hsworkshop/models"
)

// weeklySpec is a three-week series of f's workshop starting in a week.
func weeklySpec(f *fixture) scheduling.SeriesSpec {
	tpl := models.Session{WorkshopID: f.s.WorkshopID, TimeZone: "America/New_York", Format: models.FormatVirtual, Capacity: 5,
		PriceMinor: 59500, Currency: "USD", AllowInvoice: true, CancelCutoffHours: 72}
	return scheduling.SeriesSpec{Rule: scheduling.RuleWeekly, Count: 3, FirstDate: testNow.AddDate(0, 0, 7),
		StartHM: "09:00", EndHM: "12:00", CloseHours: 24, Template: tpl}
}

// createSeries generates and stores spec, failing the test on any error.
func createSeries(t *testing.T, f *fixture, spec scheduling.SeriesSpec, name string, publish bool) (*models.SessionSeries, []models.Session) {
	t.Helper()
	ss, errs := scheduling.GenerateSeries(spec)
	if len(errs) > 0 {
		t.Fatalf("generate: %v", errs)
	}
	x, err := f.sched.CreateSeries(context.Background(), scheduling.Actor{User: f.admin}, name, spec.Describe(), ss, publish)
	if err != nil {
		t.Fatalf("create series: %v", err)
	}
	return x, ss
}

// TestCreateSeriesLinksEverySession: every created session carries the
// new series' id, the series is named after the workshop by default and
// records its rule and author; generating alone stores nothing; a session
// scheduled on its own keeps a NULL series.
func TestCreateSeriesLinksEverySession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	spec := weeklySpec(f)
	if _, errs := scheduling.GenerateSeries(spec); len(errs) > 0 {
		t.Fatal(errs)
	}
	if n := count(t, f.db, &models.Session{}, "1 = 1"); n != 1 {
		t.Fatalf("sessions after generating: got %d, want 1 (nothing stored)", n)
	}
	x, ss := createSeries(t, f, spec, "", false)
	if x.ID == 0 || x.Name != "Workshop" || x.CreatedByID == nil || *x.CreatedByID != f.admin.ID {
		t.Errorf("series: got %+v, want named Workshop, created by %d", x, f.admin.ID)
	}
	if want := "Weekly, 3 sessions from"; len(x.Rule) < len(want) || x.Rule[:len(want)] != want {
		t.Errorf("rule: got %q, want it to start %q", x.Rule, want)
	}
	got, err := models.ListSeriesSessions(ctx, f.db, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || len(ss) != 3 {
		t.Fatalf("sessions in series: got %d (returned %d), want 3", len(got), len(ss))
	}
	for i, s := range got {
		if s.SeriesID == nil || *s.SeriesID != x.ID || s.Status != models.StatusDraft {
			t.Errorf("session %d: got series %v status %s, want %d draft", i, s.SeriesID, s.Status, x.ID)
		}
	}
	lone, err := models.FindSession(ctx, f.db, f.s.ID)
	if err != nil || lone.SeriesID != nil {
		t.Errorf("lone session: got series %v (%v), want nil", lone.SeriesID, err)
	}
	// A duplicate of a series session is scheduled on its own.
	cp, err := f.sched.DuplicateSession(ctx, scheduling.Actor{User: f.admin}, got[0].ID)
	if err != nil || cp.SeriesID != nil {
		t.Errorf("duplicate: got series %v (%v), want nil", cp.SeriesID, err)
	}
	// A name too long is a field error and stores nothing.
	long := make([]byte, scheduling.MaxSeriesName+1)
	for i := range long {
		long[i] = 'x'
	}
	ss2, _ := scheduling.GenerateSeries(spec)
	if _, err := f.sched.CreateSeries(ctx, scheduling.Actor{User: f.admin}, string(long), "", ss2, false); err == nil {
		t.Error("over-long name: got no error")
	}
	if n := count(t, f.db, &models.SessionSeries{}, "1 = 1"); n != 1 {
		t.Errorf("series rows: got %d, want 1", n)
	}
}

// TestPublishSeriesIsIdempotent publishes the upcoming drafts of the
// series only (not another series, not a past or cancelled one), once.
func TestPublishSeriesIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	x, _ := createSeries(t, f, weeklySpec(f), "Tuesday mornings", false)
	other, _ := createSeries(t, f, weeklySpec(f), "Other", false)
	ss, err := models.ListSeriesSessions(ctx, f.db, x.ID)
	if err != nil || len(ss) != 3 {
		t.Fatalf("got %d sessions (%v), want 3", len(ss), err)
	}
	if _, _, err := f.sched.CancelSession(ctx, scheduling.Actor{User: f.admin}, ss[2].ID, ""); err != nil {
		t.Fatal(err)
	}
	for run, want := range []int{2, 0} {
		n, err := f.sched.PublishSeries(ctx, scheduling.Actor{User: f.admin}, x.ID)
		if err != nil || n != want {
			t.Errorf("run %d: got %d published (%v), want %d", run+1, n, err, want)
		}
	}
	if n := count(t, f.db, &models.Session{}, "series_id = ? AND status = ?", x.ID, models.StatusPublished); n != 2 {
		t.Errorf("published in series: got %d, want 2", n)
	}
	if n := count(t, f.db, &models.Session{}, "series_id = ? AND status = ?", other.ID, models.StatusDraft); n != 3 {
		t.Errorf("drafts left in the other series: got %d, want 3", n)
	}
	if n := count(t, f.db, &models.AuditEntry{}, "action = ?", "session.publish"); n != 2 {
		t.Errorf("publish audit entries: got %d, want 2", n)
	}
	if _, err := f.sched.PublishSeries(ctx, scheduling.Actor{User: f.admin}, 9999); err == nil {
		t.Error("unknown series: got no error")
	}
}

// TestCancelSeriesIsIdempotent: the remaining sessions are cancelled
// through the single-session cancellation (a paid card seat refunded
// once, each with its own summary record); a second run cancels and
// refunds nothing; a session that has already started is left alone.
func TestCancelSeriesIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	spec := weeklySpec(f)
	spec.FirstDate = testNow.AddDate(0, 0, -5) // the first session is past
	x, _ := createSeries(t, f, spec, "", true)
	ss, err := models.ListSeriesSessions(ctx, f.db, x.ID)
	if err != nil || len(ss) != 3 {
		t.Fatalf("got %d sessions (%v), want 3", len(ss), err)
	}
	f.s = &ss[1]
	if o := f.order(t, models.PayByCard, "card@example.com"); o.Status != models.OrderPaid {
		t.Fatalf("order: got %s, want paid", o.Status)
	}
	a := scheduling.Actor{User: f.admin}
	res, err := f.sched.CancelSeries(ctx, a, x.ID, "Instructor moved away.")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sessions) != 2 || res.CardRefunds != 1 || len(res.Refunded) != 1 || res.Refunded[0].Minor != 59500 || res.EmailsQueued != 1 {
		t.Errorf("first run: got %+v, want 2 sessions, 1 card refund of 59500, 1 email", res)
	}
	res, err = f.sched.CancelSeries(ctx, a, x.ID, "Instructor moved away.")
	if err != nil || len(res.Sessions) != 0 || res.CardRefunds != 0 || len(res.Refunded) != 0 {
		t.Errorf("second run: got %+v (%v), want nothing done", res, err)
	}
	if calls := f.pay.RefundCalls(); len(calls) != 1 {
		t.Errorf("Stripe refunds: got %d, want 1", len(calls))
	}
	if n := count(t, f.db, &models.SessionCancellation{}, "1 = 1"); n != 2 {
		t.Errorf("cancellation records: got %d, want 2", n)
	}
	past, err := models.FindSession(ctx, f.db, ss[0].ID)
	if err != nil || past.Status != models.StatusPublished {
		t.Errorf("started session: got %v (%v), want still published", past.Status, err)
	}
	if _, err := f.sched.CancelSeries(ctx, a, x.ID, string(make([]rune, 501))); err == nil {
		t.Error("reason over 500 characters: got no error")
	}
}
