package desk

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/desk"
	"github.com/hsworkshop/hsworkshop/models"
)

// reportsPage is the dashboard's data: the figures and their charts.
type reportsPage struct {
	Report *desk.Report
	Charts []Chart
}

// ShowReports serves GET /admin/reports.
func (h *Handler) ShowReports(c echo.Context) error {
	r, err := h.desk.Reports(c.Request().Context())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, TplReports, web.PageData{Title: "Reports", Data: reportsPage{Report: r, Charts: charts(r)}})
}

// monthShort labels a "2006-01" month for an axis.
func monthShort(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	if t.Month() == time.January {
		return t.Format("Jan 06")
	}
	return t.Format("Jan")
}

// charts builds the dashboard's charts from the report.
func charts(r *desk.Report) []Chart {
	var labels []string
	var net, seats []float64
	for _, m := range r.Months {
		labels = append(labels, monthShort(m))
	}
	byMonth := map[string]int64{}
	for _, x := range r.Revenue {
		if x.Currency == r.Currency {
			byMonth[x.Month] = x.Net
		}
	}
	for _, m := range r.Months {
		net = append(net, float64(byMonth[m])/100)
	}
	for _, x := range r.Registrations {
		seats = append(seats, float64(x.Seats))
	}
	cur := r.Currency
	// Whole units on the axis; the currency is in the title and the
	// exact amounts are in the table and the CSV.
	money := func(v float64) string { return groupInt(int64(math.Round(v))) }
	out := []Chart{
		columnChart("revenue", "Net revenue by month ("+cur+")", "Orders paid in each month, less what was refunded on them.", "/admin/reports/revenue.csv", labels, net, money),
		columnChart("registrations", "Seats registered by month", "Seats on orders placed in each month that were confirmed or invoiced.", "/admin/reports/registrations.csv", labels, seats, intText),
	}
	var fl []string
	var fv []float64
	for _, f := range r.Fill {
		fl = append(fl, f.Session.LocalStart().Format("2 Jan")+" · "+f.Session.Workshop.Title)
		fv = append(fv, float64(f.Percent))
	}
	out = append(out, rowChart("fill", "Fill rate of upcoming sessions", "Seats taken as a share of capacity, next 180 days.", "/admin/reports/fill.csv", fl, fv, 100,
		func(v float64) string { return intText(v) + "%" }))
	var cl []string
	var cv []float64
	for _, d := range r.TopCodes {
		cl = append(cl, d.Code)
		cv = append(cv, float64(d.PaidOrders))
	}
	out = append(out, rowChart("discounts", "Top discount codes", "Paid orders that used each code.", "/admin/reports/discounts.csv", cl, cv, 0, intText))
	if r.QuizAvailable {
		var qv []float64
		for _, x := range r.QuizActivity {
			qv = append(qv, float64(x.Orders))
		}
		out = append(out, columnChart("quiz", "Quiz attempts by month", "", "/admin/reports/quiz.csv", labels[:min(len(labels), len(qv))], qv, intText))
		var hl []string
		var hv []float64
		for _, h := range r.HardestItems {
			hl = append(hl, h.Label)
			hv = append(hv, 100*float64(h.Correct)/float64(max(h.Attempts, 1)))
		}
		out = append(out, rowChart("hardest", "Hardest quiz items", "Share of answers fully right, lowest first (items with at least 3 answers).", "/admin/reports/hardest.csv", hl, hv, 100,
			func(v float64) string { return intText(v) + "%" }))
	}
	return out
}

// groupInt writes n with thousands separators ("100,000").
func groupInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// safeCell keeps a spreadsheet from reading a cell as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ReportCSV serves GET /admin/reports/:name (revenue.csv,
// registrations.csv, fill.csv, discounts.csv, quiz.csv).
func (h *Handler) ReportCSV(c echo.Context) error {
	name := c.Param("name")
	r, err := h.desk.Reports(c.Request().Context())
	if err != nil {
		return err
	}
	var rows [][]string
	switch name {
	case "revenue.csv":
		rows = append(rows, []string{"month", "currency", "orders", "gross", "refunded", "net"})
		for _, x := range r.Revenue {
			rows = append(rows, []string{x.Month, x.Currency, strconv.Itoa(x.Orders), decimal(x.Gross, x.Currency), decimal(x.Refunded, x.Currency), decimal(x.Net, x.Currency)})
		}
	case "registrations.csv":
		rows = append(rows, []string{"month", "orders", "seats"})
		for _, x := range r.Registrations {
			rows = append(rows, []string{x.Month, strconv.Itoa(x.Orders), strconv.Itoa(x.Seats)})
		}
	case "fill.csv":
		rows = append(rows, []string{"session_id", "workshop", "starts_at_utc", "time_zone", "capacity", "seats_taken", "fill_percent"})
		for _, f := range r.Fill {
			rows = append(rows, []string{strconv.FormatUint(uint64(f.Session.ID), 10), safeCell(f.Session.Workshop.Title), f.Session.StartsAt.UTC().Format(time.RFC3339),
				f.Session.TimeZone, strconv.Itoa(f.Capacity), strconv.Itoa(f.Taken), strconv.Itoa(f.Percent)})
		}
	case "discounts.csv":
		rows = append(rows, []string{"code", "paid_orders", "discount_given", "currency", "uses_counted", "active"})
		for _, d := range r.TopCodes {
			rows = append(rows, []string{safeCell(d.Code), strconv.FormatInt(d.PaidOrders, 10), decimal(d.DiscountGiven, d.Currency), d.Currency, strconv.Itoa(d.Uses), strconv.FormatBool(d.Active)})
		}
	case "quiz.csv":
		if !r.QuizAvailable {
			return echo.NewHTTPError(http.StatusNotFound, "quiz figures are not available yet")
		}
		rows = append(rows, []string{"month", "attempts"})
		for _, x := range r.QuizActivity {
			rows = append(rows, []string{x.Month, strconv.Itoa(x.Orders)})
		}
	case "hardest.csv":
		if !r.QuizAvailable {
			return echo.NewHTTPError(http.StatusNotFound, "quiz figures are not available yet")
		}
		rows = append(rows, []string{"question_id", "answers", "fully_right"})
		for _, h := range r.HardestItems {
			rows = append(rows, []string{safeCell(h.Label), strconv.Itoa(h.Attempts), strconv.Itoa(h.Correct)})
		}
	default:
		return echo.NewHTTPError(http.StatusNotFound, "no such report")
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

// decimal writes minor units as a plain decimal ("1234.50") for CSV.
func decimal(minor int64, currency string) string {
	if currency == "" {
		currency = "USD"
	}
	return models.Money{Minor: minor, Currency: currency}.Decimal()
}
