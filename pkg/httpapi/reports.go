package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

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
		SLA:                        slaJSON{Met: r.SLAMet, Total: r.SLATotal, Compliance: compliance(r)},
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

// compliance is the share of the week's decided tickets that met their
// SLA, to four places (0.9321 is 93.21%); nil when none is decided.
func compliance(r store.WeeklyReport) *float64 {
	if r.SLATotal == 0 {
		return nil
	}
	v := math.Round(float64(r.SLAMet)/float64(r.SLATotal)*1e4) / 1e4
	return &v
}

// reportCSVHeader heads the CSV layout documented in api/openapi.yaml: one
// number per row, with the day, channel or category it is broken down by.
var reportCSVHeader = []string{"week", "date", "channel", "category", "metric", "value"}

// reportCSV renders the report as one table: created, then resolved, per
// day and channel (every channel, zeros too); created per category; then
// the week's totals, whose date, channel and category are empty.
func reportCSV(r store.WeeklyReport) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	week := r.Week.String()
	row := func(date, channel, category, metric, value string) {
		_ = w.Write([]string{week, date, channel, category, metric, value}) // a bytes.Buffer does not fail
	}
	count := func(n int) string { return strconv.Itoa(n) }
	_ = w.Write(reportCSVHeader)
	var seenChannels []ticket.Channel
	for _, d := range r.Days {
		seenChannels = slices.AppendSeq(slices.AppendSeq(seenChannels, maps.Keys(d.Created)), maps.Keys(d.Resolved))
	}
	channels := reportKeys(ticket.Channels, seenChannels)
	for _, metric := range []string{"created", "resolved"} {
		for _, d := range r.Days {
			counts := d.Created
			if metric == "resolved" {
				counts = d.Resolved
			}
			for _, ch := range channels {
				row(d.Date.Format(time.DateOnly), string(ch), "", metric, count(counts[ch]))
			}
		}
	}
	categories := reportKeys(ticket.Categories, slices.Collect(maps.Keys(r.ByCategory)))
	for _, cat := range categories {
		row("", "", string(cat), "created", count(r.ByCategory[cat]))
	}
	median, share := "", ""
	if v := r.FirstResponseMedianSeconds; v != nil {
		median = strconv.FormatFloat(*v, 'f', -1, 64)
	}
	if v := compliance(r); v != nil {
		share = strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for _, total := range [][2]string{{"created", count(r.Created())}, {"resolved", count(r.Resolved())},
		{"backlog_end", count(r.BacklogEnd)}, {"first_response_median_seconds", median},
		{"sla_met", count(r.SLAMet)}, {"sla_total", count(r.SLATotal)}, {"sla_compliance", share}} {
		row("", "", "", total[0], total[1])
	}
	w.Flush()
	return buf.Bytes()
}

// reportKeys is the known keys in their usual order, then any others the
// rollups hold (a channel added later), sorted.
func reportKeys[K ~string](known, seen []K) []K {
	var extra []K
	for _, k := range seen {
		if !slices.Contains(known, k) && !slices.Contains(extra, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(slices.Clone(known), extra...)
}
