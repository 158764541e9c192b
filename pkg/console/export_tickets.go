package console

import (
	"context"
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// WeekExporter yields a week's tickets one at a time (store.ExportWeek).
type WeekExporter interface {
	ExportWeek(ctx context.Context, w store.Week, fn func(store.ExportTicket) error) error
}

// ticketHeader heads the per-ticket export. Times are WIB; the SLA
// verdict is sla.VerdictOf, the one the report's compliance counts.
var ticketHeader = []string{"number", "created_at", "channel", "category", "status", "priority", "queue", "assignee",
	"first_response_due", "first_responded_at", "resolution_due", "resolved_at", "sla_breached", "sla_verdict"}

// WriteTicketsCSV writes every ticket created in week w as CSV, row by row
// as the store yields them: nothing is capped and nothing is held.
func WriteTicketsCSV(ctx context.Context, out io.Writer, src WeekExporter, w store.Week) error {
	cw := csv.NewWriter(out)
	if err := cw.Write(ticketHeader); err != nil {
		return err
	}
	row := make([]string, len(ticketHeader))
	err := src.ExportWeek(ctx, w, func(t store.ExportTicket) error {
		row = append(row[:0], t.Number, csvTime(&t.CreatedAt), string(t.Channel), string(t.Category), string(t.Status),
			string(t.Priority), inert(t.Queue), inert(t.Assignee), csvTime(t.SLA.FirstResponseDue),
			csvTime(t.SLA.FirstRespondedAt), csvTime(t.SLA.ResolutionDue), csvTime(t.SLA.ResolvedAt),
			yesNo(t.SLA.Breached), string(sla.VerdictOf(t.SLA)))
		return cw.Write(row) // csv.Writer buffers 4 KB, then writes through
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// WriteTicketsXLSX writes every ticket created in week w as an XLSX
// workbook with excelize's stream writer, which spools rows past 16 MB to
// a temp file; the zip is then written straight to out. Memory stays flat
// however large the week (BENCHMARKS.md).
func WriteTicketsXLSX(ctx context.Context, out io.Writer, src WeekExporter, w store.Week) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Tiket"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptrTo("dd/mm/yyyy hh:mm")})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(ticketHeader), 18); err != nil {
		return err
	}
	if err := sw.SetRow("A1", anyRow(ticketHeader)); err != nil {
		return err
	}
	at := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		// Excel has no time zones: the cell holds the WIB wall clock.
		return excelize.Cell{StyleID: dateStyle, Value: t.In(ticket.Jakarta)}
	}
	n := 1
	row := make([]any, len(ticketHeader))
	err = src.ExportWeek(ctx, w, func(t store.ExportTicket) error {
		n++
		row = append(row[:0], t.Number, at(&t.CreatedAt), string(t.Channel), string(t.Category), string(t.Status),
			string(t.Priority), t.Queue, t.Assignee, at(t.SLA.FirstResponseDue), at(t.SLA.FirstRespondedAt),
			at(t.SLA.ResolutionDue), at(t.SLA.ResolvedAt), t.SLA.Breached, string(sla.VerdictOf(t.SLA)))
		return sw.SetRow(cellName(1, n), row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return writeWorkbook(f, out)
}

// csvTime is an instant in WIB as RFC 3339 (2021-11-10T08:30:00+07:00):
// the offset travels with it, so no reader mistakes it for UTC.
func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(ticket.Jakarta).Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// inert keeps a text a spreadsheet would run as a formula (=, +, -, @ at
// its start: a queue or agent name typed by someone) as text.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func ptrTo[T any](v T) *T { return &v }
