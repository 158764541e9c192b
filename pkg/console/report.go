package console

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// reportChart is a chart as the page shows it: the SVG and, beside it,
// the same figures as a table.
type reportChart struct {
	ID    string
	SVG   template.HTML
	Table ChartTable
}

type reportView struct {
	Week       string // 2021-W45
	From, To   string // dd/mm/yyyy, Monday and Sunday
	Prev, Next string // the neighbouring weeks; Next is "" for the current week
	Summary    reportSummaryView
	Charts     []reportChart
	ComputedAt time.Time
	Error      string // the week asked for is not a week, or has not begun
}

// reportSummaryView is the week's totals as text.
type reportSummaryView struct {
	Created, Resolved, Backlog, Met, Decided, Median, Compliance string
}

// reportPage is the weekly report: an ISO week picker; tickets created
// per day and channel, created against resolved, per category, the
// backlog at the week's end, the median first response and SLA
// compliance; the charts with their tables; Unduh CSV and Unduh XLSX, and
// the week's tickets one by one. The figures are the rollups', as GET
// /api/v1/reports/weekly gives them.
func (c *Console) reportPage(g *gin.Context) {
	w, err := c.weekAsked(g)
	v := reportView{Week: w.String()}
	if err != nil {
		v.Error = indonesian(ticket.ErrorMessage(err))
		if e, ok := err.(*ticket.Error); ok && e.Fields["week"] != "" {
			v.Error = e.Fields["week"]
		}
		c.render(g, http.StatusUnprocessableEntity, "report", "Laporan Mingguan", "laporan", v)
		return
	}
	v.From, v.To = w.Start().Format("02/01/2006"), w.End().AddDate(0, 0, -1).Format("02/01/2006")
	v.Prev = w.Prev().String()
	if !w.Next().Start().After(c.now()) {
		v.Next = w.Next().String()
	}
	r, err := c.readReport(g.Request.Context(), w)
	switch {
	case ticket.ErrorCode(err) == ticket.ENOTFOUND:
		v.Error = indonesian(ticket.ErrorMessage(err))
		c.render(g, http.StatusNotFound, "report", "Laporan Mingguan", "laporan", v)
		return
	case err != nil:
		c.fail(g, err)
		return
	}
	s := summarize(r)
	v.Summary = reportSummaryView{Created: FormatCount(int64(s.Created)), Resolved: FormatCount(int64(s.Resolved)),
		Backlog: FormatCount(int64(s.BacklogEnd)), Met: FormatCount(int64(s.SLAMet)),
		Decided: FormatCount(int64(s.SLATotal)), Median: s.MedianText(), Compliance: s.ComplianceText()}
	v.ComputedAt = r.ComputedAt
	for _, ch := range ReportCharts(r) {
		v.Charts = append(v.Charts, reportChart{ID: ch.ID, SVG: ch.SVG(), Table: ch.Table()})
	}
	c.render(g, http.StatusOK, "report", "Laporan Mingguan "+v.Week, "laporan", v)
}

// weekAsked is the week of ?week=, by default the last whole week (the
// one the Monday mail is about).
func (c *Console) weekAsked(g *gin.Context) (store.Week, error) {
	if s := g.Query("week"); s != "" {
		return store.ParseWeek(s)
	}
	return store.WeekOf(c.now()).Prev(), nil
}

// readReport reads week w's report, rolling it up first when it never was
// (as the API does); a week that has not begun is ENOTFOUND.
func (c *Console) readReport(ctx context.Context, w store.Week) (store.WeeklyReport, error) {
	if w.Start().After(c.now()) {
		return store.WeeklyReport{}, ticket.Errorf(ticket.ENOTFOUND, "Minggu %s belum dimulai.", w)
	}
	reports := c.cfg.Oversight.Reports
	r, err := reports.WeeklyReport(ctx, w)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		if err = reports.RollupWeek(ctx, w); err == nil {
			r, err = reports.WeeklyReport(ctx, w)
		}
	}
	return r, err
}

// exportWriteTime is how long one export may take to write: a week at
// national volume as XLSX takes tens of seconds on a busy server, more
// than the server's usual write timeout allows.
const exportWriteTime = 15 * time.Minute

// reportDownload serves the report's files: mingguan.csv and
// mingguan.xlsx (the figures), tiket.csv and tiket.xlsx (the week's
// tickets, streamed from the database without a row cap).
func (c *Console) reportDownload(g *gin.Context) {
	w, err := c.weekAsked(g)
	if err != nil {
		c.fail(g, err)
		return
	}
	ctx := g.Request.Context()
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	var (
		name, contentType string
		write             func(io.Writer) error
	)
	switch g.Param("file") {
	case "mingguan.csv", "mingguan.xlsx":
		r, err := c.readReport(ctx, w)
		if err != nil {
			c.fail(g, err)
			return
		}
		name, contentType = "aduan-"+w.String()+".csv", "text/csv; charset=utf-8"
		write = func(out io.Writer) error { return sla.WriteWeeklyCSV(out, r) }
		if g.Param("file") == "mingguan.xlsx" {
			name, contentType = "aduan-"+w.String()+".xlsx", xlsx
			write = func(out io.Writer) error { return WriteReportXLSX(out, r) }
		}
	case "tiket.csv":
		name, contentType = "aduan-tiket-"+w.String()+".csv", "text/csv; charset=utf-8"
		write = func(out io.Writer) error { return WriteTicketsCSV(ctx, out, c.cfg.Oversight.Exports, w) }
	case "tiket.xlsx":
		name, contentType = "aduan-tiket-"+w.String()+".xlsx", xlsx
		write = func(out io.Writer) error { return WriteTicketsXLSX(ctx, out, c.cfg.Oversight.Exports, w) }
	default:
		c.fail(g, ticket.Errorf(ticket.ENOTFOUND, "Berkas tidak ditemukan."))
		return
	}
	_ = http.NewResponseController(g.Writer).SetWriteDeadline(time.Now().Add(exportWriteTime))
	g.Header("Content-Type", contentType)
	g.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	g.Header("Cache-Control", "no-store")
	g.Header("X-Content-Type-Options", "nosniff")
	g.Status(http.StatusOK)
	if err := write(g.Writer); err != nil {
		// The headers went: the browser sees a cut-off download, the log
		// says why.
		c.log.ErrorContext(ctx, "export failed", "file", g.Param("file"), "week", w.String(), "err", err)
	}
}
