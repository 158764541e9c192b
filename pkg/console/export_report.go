package console

import (
	"archive/zip"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
)

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
	if err := sw.SetRow("A1", anyRow(sla.WeeklyHeader)); err != nil {
		return err
	}
	week := r.Week.String()
	for i, l := range sla.WeeklyFigures(r) {
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
	channels := sla.WeeklyChannels(r)
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
