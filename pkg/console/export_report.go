package console

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// reportHeader heads the weekly report's CSV and its XLSX sheet: the
// layout GET /api/v1/reports/weekly?format=csv gives (api/openapi.yaml),
// one figure per row, so a spreadsheet or script reads either file.
var reportHeader = []string{"week", "date", "channel", "category", "metric", "value"}

// reportLine is one figure of the weekly report; Value is nil for a
// figure the week does not have (no first response, nothing decided).
type reportLine struct {
	Date, Channel, Category, Metric string
	Value                           *float64
}

// reportLines lists a report's figures: created, then resolved, per day
// and channel (every channel, zeros too); created per category; then the
// week's totals.
func reportLines(r store.WeeklyReport) []reportLine {
	var out []reportLine
	n := func(v int) *float64 { f := float64(v); return &f }
	channels := reportChannels(r)
	for _, metric := range []string{"created", "resolved"} {
		for _, d := range r.Days {
			counts := d.Created
			if metric == "resolved" {
				counts = d.Resolved
			}
			for _, ch := range channels {
				out = append(out, reportLine{Date: d.Date.Format(time.DateOnly), Channel: string(ch), Metric: metric,
					Value: n(counts[ch])})
			}
		}
	}
	for _, cat := range reportCategories(r) {
		out = append(out, reportLine{Category: string(cat), Metric: "created", Value: n(r.ByCategory[cat])})
	}
	s := summarize(r)
	for _, total := range []reportLine{{Metric: "created", Value: n(s.Created)}, {Metric: "resolved", Value: n(s.Resolved)},
		{Metric: "backlog_end", Value: n(r.BacklogEnd)},
		{Metric: "first_response_median_seconds", Value: r.FirstResponseMedianSeconds},
		{Metric: "sla_met", Value: n(r.SLAMet)}, {Metric: "sla_total", Value: n(r.SLATotal)},
		{Metric: "sla_compliance", Value: s.Compliance}} {
		out = append(out, total)
	}
	return out
}

// reportChannels is every known channel in its usual order, then any
// other the rollups hold (a channel added later), sorted.
func reportChannels(r store.WeeklyReport) []ticket.Channel {
	var seen []ticket.Channel
	for _, d := range r.Days {
		seen = slices.AppendSeq(slices.AppendSeq(seen, maps.Keys(d.Created)), maps.Keys(d.Resolved))
	}
	return knownThenOthers(ticket.Channels, seen)
}

// reportCategories is every known category, then any other the rollups hold.
func reportCategories(r store.WeeklyReport) []ticket.Category {
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

// WriteReportCSV writes week r's report as CSV.
func WriteReportCSV(w io.Writer, r store.WeeklyReport) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(reportHeader); err != nil {
		return err
	}
	week := r.Week.String()
	for _, l := range reportLines(r) {
		v := ""
		if l.Value != nil {
			v = strconv.FormatFloat(*l.Value, 'f', -1, 64)
		}
		if err := cw.Write([]string{week, l.Date, l.Channel, l.Category, l.Metric, v}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteReportXLSX writes week r's report as an XLSX workbook: the sheet
// "Laporan" in the CSV's layout, figures as numbers, and the sheet "Per
// hari" with the tickets created and resolved per day and channel as a
// table people read at a glance.
func WriteReportXLSX(w io.Writer, r store.WeeklyReport) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Laporan"); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter("Laporan")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", anyRow(reportHeader)); err != nil {
		return err
	}
	week := r.Week.String()
	for i, l := range reportLines(r) {
		var v any
		if l.Value != nil {
			v = *l.Value
		}
		if err := sw.SetRow(cellName(1, i+2), []any{week, l.Date, l.Channel, l.Category, l.Metric, v}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.NewSheet("Per hari"); err != nil {
		return err
	}
	if sw, err = f.NewStreamWriter("Per hari"); err != nil {
		return err
	}
	channels := reportChannels(r)
	head := []any{"Tanggal"}
	for _, ch := range channels {
		head = append(head, "Dibuat "+channelName(ch))
	}
	head = append(head, "Dibuat", "Selesai")
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, d := range r.Days {
		row := []any{d.Date.Format("02/01/2006")}
		for _, ch := range channels {
			row = append(row, d.Created[ch])
		}
		row = append(row, sumOf(d.Created), sumOf(d.Resolved))
		if err := sw.SetRow(cellName(1, i+2), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return writeWorkbook(f, w)
}

// writeWorkbook zips f straight into w. excelize's own Write builds the
// whole zip in a buffer first; its zip writer hook lets the sheets'
// spooled rows flow from their temp files to w instead, so memory stays
// flat however many rows there are.
func writeWorkbook(f *excelize.File, w io.Writer) error {
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	return f.Write(io.Discard) // the buffer Write hands on stays empty
}

func cellName(col, row int) string {
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(fmt.Sprintf("cell %d,%d: %v", col, row, err)) // col and row are ours, always ≥ 1
	}
	return name
}

func anyRow(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func sumOf[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
