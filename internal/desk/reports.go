package desk

import (
	"context"
	"sort"
	"time"

	"github.com/hsworkshop/hsworkshop/models"
)

// QuizStats fills the quiz charts of the reports. The quiz service
// implements it once attempts are stored; until then Deps.Quiz is nil and
// the reports say so instead of drawing empty charts.
type QuizStats interface {
	// QuizActivity counts attempts per month ("2006-01") in [from, until).
	QuizActivity(ctx context.Context, from, until time.Time) ([]MonthCount, error)
	// HardestItems returns up to limit items with the lowest share of
	// correct answers (with at least a few attempts each).
	HardestItems(ctx context.Context, limit int) ([]HardItem, error)
}

// HardItem is a quiz item and how often it is answered correctly.
type HardItem struct {
	Label    string
	Attempts int
	Correct  int
}

// MonthCount is a count for one calendar month (UTC), e.g. "2026-11".
type MonthCount struct {
	Month  string
	Orders int
	Seats  int
}

// MonthRevenue is the money of orders paid in one month (UTC), one row per
// currency. Net is gross less refunds recorded on those orders to date.
type MonthRevenue struct {
	Month    string
	Currency string
	Orders   int
	Gross    int64
	Refunded int64
	Net      int64
}

// SessionFill is how full an upcoming session is.
type SessionFill struct {
	Session  models.Session
	Capacity int
	Taken    int
	// Percent is Taken/Capacity rounded down.
	Percent int
}

// Attention lists what staff should look at now.
type Attention struct {
	// UnderFilled are sessions starting within UnderFilledWindow that are
	// below UnderFilledPercent full.
	UnderFilled    []SessionFill
	UnpaidInvoices []models.Order
	Flagged        []models.Order
	StuckRefunds   []models.Refund
}

// Thresholds of "needs attention".
const (
	UnderFilledWindow  = 21 * 24 * time.Hour
	UnderFilledPercent = 50
	reportMonths       = 12
	fillWindow         = 180 * 24 * time.Hour
)

// Report is the dashboard's figures, computed from the stored rows.
type Report struct {
	Months        []string // the months shown, oldest first
	Currency      string   // the currency charted (the one with most revenue)
	Revenue       []MonthRevenue
	Registrations []MonthCount
	Fill          []SessionFill
	TopCodes      []models.DiscountUsage
	QuizActivity  []MonthCount // nil when no QuizStats
	HardestItems  []HardItem
	QuizAvailable bool
	Attention     Attention
}

// monthsBack returns the n months ending with now's month, as "2006-01",
// and the start of the first and the end of the last.
func monthsBack(now time.Time, n int) ([]string, time.Time, time.Time) {
	now = now.UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -(n - 1), 0)
	ms := make([]string, n)
	for i := range n {
		ms[i] = first.AddDate(0, i, 0).Format("2006-01")
	}
	return ms, first, first.AddDate(0, n, 0)
}

// Reports computes the dashboard.
func (s *Service) Reports(ctx context.Context) (*Report, error) {
	now := s.now()
	months, from, until := monthsBack(now, reportMonths)
	r := &Report{Months: months}
	paid, err := models.ListPaidOrderRows(ctx, s.db, from, until)
	if err != nil {
		return nil, err
	}
	r.Revenue, r.Currency = revenueByMonth(months, paid)
	regs, err := models.ListRegistrationRows(ctx, s.db, from, until)
	if err != nil {
		return nil, err
	}
	r.Registrations = registrationsByMonth(months, regs)
	ss, err := models.ListUpcomingForReport(ctx, s.db, now, now.Add(fillWindow))
	if err != nil {
		return nil, err
	}
	for _, x := range ss {
		f := fill(x)
		r.Fill = append(r.Fill, f)
		if x.StartsAt.Sub(now) <= UnderFilledWindow && f.Percent < UnderFilledPercent {
			r.Attention.UnderFilled = append(r.Attention.UnderFilled, f)
		}
	}
	codes, err := models.ListDiscountUsage(ctx, s.db)
	if err != nil {
		return nil, err
	}
	r.TopCodes = topCodes(codes, 10)
	if s.quiz != nil {
		r.QuizAvailable = true
		if r.QuizActivity, err = s.quiz.QuizActivity(ctx, from, until); err != nil {
			return nil, err
		}
		if r.HardestItems, err = s.quiz.HardestItems(ctx, 10); err != nil {
			return nil, err
		}
	}
	if r.Attention.UnpaidInvoices, _, err = models.SearchOrders(ctx, s.db, models.OrderFilter{Status: models.OrderPendingInvoice, Limit: 100}); err != nil {
		return nil, err
	}
	if r.Attention.Flagged, err = models.ListFlaggedOrders(ctx, s.db); err != nil {
		return nil, err
	}
	if r.Attention.StuckRefunds, err = models.ListStuckRefunds(ctx, s.db); err != nil {
		return nil, err
	}
	return r, nil
}

func fill(x models.Session) SessionFill {
	f := SessionFill{Session: x, Capacity: x.Capacity, Taken: x.SeatsTaken}
	if x.Capacity > 0 {
		f.Percent = x.SeatsTaken * 100 / x.Capacity
	}
	return f
}

// revenueByMonth sums paid orders per month and currency; every month of
// the main currency gets a row (zero when nothing was paid).
func revenueByMonth(months []string, rows []models.PaidOrderRow) ([]MonthRevenue, string) {
	type key struct{ month, cur string }
	sums := map[key]*MonthRevenue{}
	perCur := map[string]int64{}
	for _, p := range rows {
		k := key{p.PaidAt.UTC().Format("2006-01"), p.Currency}
		m := sums[k]
		if m == nil {
			m = &MonthRevenue{Month: k.month, Currency: k.cur}
			sums[k] = m
		}
		m.Orders++
		m.Gross += p.TotalMinor
		m.Refunded += p.RefundedMinor
		m.Net = m.Gross - m.Refunded
		perCur[p.Currency] += p.TotalMinor
	}
	main := "USD"
	var best int64 = -1
	for c, v := range perCur {
		if v > best || (v == best && c < main) {
			main, best = c, v
		}
	}
	for _, mo := range months {
		if sums[key{mo, main}] == nil {
			sums[key{mo, main}] = &MonthRevenue{Month: mo, Currency: main}
		}
	}
	out := make([]MonthRevenue, 0, len(sums))
	for _, m := range sums {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Month != out[j].Month {
			return out[i].Month < out[j].Month
		}
		return out[i].Currency < out[j].Currency
	})
	return out, main
}

// registrationsByMonth counts orders and seats per month of ordering.
func registrationsByMonth(months []string, rows []models.RegistrationRow) []MonthCount {
	idx := map[string]int{}
	out := make([]MonthCount, len(months))
	for i, m := range months {
		out[i].Month, idx[m] = m, i
	}
	for _, r := range rows {
		if i, ok := idx[r.CreatedAt.UTC().Format("2006-01")]; ok {
			out[i].Orders++
			out[i].Seats += r.Seats
		}
	}
	return out
}

// topCodes keeps the n codes with the most paid orders (then discount given).
func topCodes(cs []models.DiscountUsage, n int) []models.DiscountUsage {
	used := make([]models.DiscountUsage, 0, len(cs))
	for _, c := range cs {
		if c.PaidOrders > 0 {
			used = append(used, c)
		}
	}
	sort.SliceStable(used, func(i, j int) bool {
		if used[i].PaidOrders != used[j].PaidOrders {
			return used[i].PaidOrders > used[j].PaidOrders
		}
		return used[i].DiscountGiven > used[j].DiscountGiven
	})
	if len(used) > n {
		used = used[:n]
	}
	return used
}
