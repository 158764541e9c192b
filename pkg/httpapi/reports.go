package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Reports answers the weekly report from the rollup tables, and rolls up a
// week that never was.
type Reports interface {
	// WeeklyReport is ENOTFOUND for a week never rolled up.
	WeeklyReport(ctx context.Context, w store.Week) (store.WeeklyReport, error)
	RollupWeek(ctx context.Context, w store.Week) error
}

// weeklyReport answers GET /reports/weekly?week=2021-W45&format=json|csv.
//
// The report is read from the rollups, which reports:rollup keeps current
// for this week and the last. A week that has begun but was never rolled
// up (older than the worker's runs, or the worker is behind) is rolled up
// here, once, and kept: one week's tickets are a bounded, indexed read, and
// a supervisor gets the numbers instead of a 404 that only an operator can
// fix. A week that has not begun has no numbers yet: 404.
func (s *Server) weeklyReport(c *gin.Context) {
	week, format, err := reportQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if s.cfg.Reports == nil {
		s.fail(c, ticket.Errorf(ticket.EUNAVAILABLE, "Laporan belum tersedia. / Reports are not configured."))
		return
	}
	if week.Start().After(s.now()) {
		s.fail(c, ticket.Errorf(ticket.ENOTFOUND, "Minggu %s belum dimulai. / Week %s has not begun.", week, week))
		return
	}
	ctx := c.Request.Context()
	r, err := s.cfg.Reports.WeeklyReport(ctx, week)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		if err = s.cfg.Reports.RollupWeek(ctx, week); err == nil {
			r, err = s.cfg.Reports.WeeklyReport(ctx, week)
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if format == "csv" {
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="aduan-%s.csv"`, week))
		c.Data(http.StatusOK, "text/csv; charset=utf-8", reportCSV(r))
		return
	}
	c.JSON(http.StatusOK, toWeeklyReportJSON(r))
}

// reportQuery reads and checks week and format, naming each bad one.
func reportQuery(c *gin.Context) (store.Week, string, error) {
	errs := ticket.FieldErrors{}
	var week store.Week
	if v := c.Query("week"); v == "" {
		errs.Add("week", "minggu wajib diisi sebagai TAHUN-Wnn, mis. 2021-W45")
	} else {
		var err error
		var e *ticket.Error
		if week, err = store.ParseWeek(v); errors.As(err, &e) {
			errs.Add("week", e.Fields["week"])
		}
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		errs.Add("format", "format harus json atau csv")
	}
	return week, format, errs.Err()
}

type weeklyReportJSON struct {
	Week                       string         `json:"week"`
	From                       time.Time      `json:"from"`
	To                         time.Time      `json:"to"`
	Created                    createdJSON    `json:"created"`
	ByCategory                 map[string]int `json:"by_category"`
	Resolved                   int            `json:"resolved"`
	BacklogEnd                 int            `json:"backlog_end"`
	FirstResponseMedianSeconds *float64       `json:"first_response_median_seconds"`
	SLA                        slaJSON        `json:"sla"`
	ComputedAt                 time.Time      `json:"computed_at"`
}

type createdJSON struct {
	Total     int             `json:"total"`
	ByChannel map[string]int  `json:"by_channel"`
	ByDay     []reportDayJSON `json:"by_day"`
}

type reportDayJSON struct {
	Date      string         `json:"date"`
	Total     int            `json:"total"`
	ByChannel map[string]int `json:"by_channel"`
}

type slaJSON struct {
	Met        int      `json:"met"`
	Total      int      `json:"total"`
	Compliance *float64 `json:"compliance"`
}

func toWeeklyReportJSON(r store.WeeklyReport) weeklyReportJSON {
	out := weeklyReportJSON{Week: r.Week.String(), From: r.Week.Start(), To: r.Week.End(),
		Created:    createdJSON{ByChannel: zeroed(ticket.Channels), ByDay: make([]reportDayJSON, 0, len(r.Days))},
		ByCategory: zeroed(ticket.Categories), Resolved: r.Resolved(), BacklogEnd: r.BacklogEnd,
		FirstResponseMedianSeconds: r.FirstResponseMedianSeconds,
		SLA:                        slaJSON{Met: r.SLAMet, Total: r.SLATotal, Compliance: sla.WeeklyCompliance(r)},
		ComputedAt:                 r.ComputedAt}
	for _, d := range r.Days {
		day := reportDayJSON{Date: d.Date.Format(time.DateOnly), ByChannel: zeroed(ticket.Channels)}
		for ch, n := range d.Created {
			day.ByChannel[string(ch)] += n
			day.Total += n
			out.Created.ByChannel[string(ch)] += n
			out.Created.Total += n
		}
		out.Created.ByDay = append(out.Created.ByDay, day)
	}
	for cat, n := range r.ByCategory {
		out.ByCategory[string(cat)] += n
	}
	return out
}

// zeroed is a count per key with every known key present, so a channel or
// category without tickets reads 0 rather than missing.
func zeroed[K ~string](keys []K) map[string]int {
	m := make(map[string]int, len(keys))
	for _, k := range keys {
		m[string(k)] = 0
	}
	return m
}

// reportCSV renders the report in sla.WeeklyHeader's layout.
func reportCSV(r store.WeeklyReport) []byte {
	var buf bytes.Buffer
	_ = sla.WriteWeeklyCSV(&buf, r) // a bytes.Buffer does not fail
	return buf.Bytes()
}
