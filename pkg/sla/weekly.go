package sla

import (
	"encoding/csv"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// WeeklyHeader heads the weekly report as a table (CSV, the XLSX sheet):
// the layout GET /api/v1/reports/weekly?format=csv documents, one figure
// per row with the day, channel or category it is broken down by.
var WeeklyHeader = []string{"week", "date", "channel", "category", "metric", "value"}

// WeeklyFigure is one figure of the weekly report; Value is nil for a
// figure the week does not have (no first response, nothing decided).
type WeeklyFigure struct {
	Date, Channel, Category, Metric string
	Value                           *float64
}

// WeeklyFigures lists a report's figures: created, then resolved, per day
// and channel (every channel, zeros too); created per category; then the
// week's totals, whose date, channel and category are empty.
func WeeklyFigures(r store.WeeklyReport) []WeeklyFigure {
	var out []WeeklyFigure
	n := func(v int) *float64 { f := float64(v); return &f }
	channels := WeeklyChannels(r)
	for _, metric := range []string{"created", "resolved"} {
		for _, d := range r.Days {
			counts := d.Created
			if metric == "resolved" {
				counts = d.Resolved
			}
			for _, ch := range channels {
				out = append(out, WeeklyFigure{Date: d.Date.Format(time.DateOnly), Channel: string(ch), Metric: metric,
					Value: n(counts[ch])})
			}
		}
	}
	for _, cat := range WeeklyCategories(r) {
		out = append(out, WeeklyFigure{Category: string(cat), Metric: "created", Value: n(r.ByCategory[cat])})
	}
	for _, total := range []WeeklyFigure{{Metric: "created", Value: n(r.Created())}, {Metric: "resolved", Value: n(r.Resolved())},
		{Metric: "backlog_end", Value: n(r.BacklogEnd)},
		{Metric: "first_response_median_seconds", Value: r.FirstResponseMedianSeconds},
		{Metric: "sla_met", Value: n(r.SLAMet)}, {Metric: "sla_total", Value: n(r.SLATotal)},
		{Metric: "sla_compliance", Value: WeeklyCompliance(r)}} {
		out = append(out, total)
	}
	return out
}

// WriteWeeklyCSV writes week r's report as CSV, in WeeklyHeader's layout.
func WriteWeeklyCSV(w io.Writer, r store.WeeklyReport) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(WeeklyHeader); err != nil {
		return err
	}
	week := r.Week.String()
	for _, f := range WeeklyFigures(r) {
		v := ""
		if f.Value != nil {
			v = strconv.FormatFloat(*f.Value, 'f', -1, 64)
		}
		if err := cw.Write([]string{week, f.Date, f.Channel, f.Category, f.Metric, v}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WeeklyCompliance is the share of the week's decided tickets that met
// their SLA, to four places (0.9321 is 93.21%); nil when none is decided.
func WeeklyCompliance(r store.WeeklyReport) *float64 {
	if r.SLATotal == 0 {
		return nil
	}
	v := math.Round(float64(r.SLAMet)/float64(r.SLATotal)*1e4) / 1e4
	return &v
}

// WeeklyChannels is every known channel in its usual order, then any
// other the rollups hold (a channel added later), sorted.
func WeeklyChannels(r store.WeeklyReport) []ticket.Channel {
	var seen []ticket.Channel
	for _, d := range r.Days {
		seen = slices.AppendSeq(slices.AppendSeq(seen, maps.Keys(d.Created)), maps.Keys(d.Resolved))
	}
	return knownThenOthers(ticket.Channels, seen)
}

// WeeklyCategories is every known category, then any other the rollups hold.
func WeeklyCategories(r store.WeeklyReport) []ticket.Category {
	return knownThenOthers(ticket.Categories, slices.Collect(maps.Keys(r.ByCategory)))
}

func knownThenOthers[K ~string](known, seen []K) []K {
	var extra []K
	for _, k := range seen {
		if !slices.Contains(known, k) && !slices.Contains(extra, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(slices.Clone(known), extra...)
}
