package console

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// generatedWeek yields n tickets of a week, made up as they are asked
// for, like a database cursor would hand them over.
type generatedWeek struct {
	n     int
	seen  func(i int) // called after each ticket was handed over
	fails error       // returned by the store after the last ticket
}

func (g generatedWeek) ExportWeek(_ context.Context, w store.Week, fn func(store.ExportTicket) error) error {
	start := w.Start()
	for i := range g.n {
		created := start.Add(time.Duration(i) * (7 * 24 * time.Hour) / time.Duration(max(1, g.n)))
		due := created.Add(24 * time.Hour)
		t := store.ExportTicket{Number: fmt.Sprintf("PL-%s-%06d", created.In(ticket.Jakarta).Format("060102"), i+1),
			Channel: ticket.Channels[i%len(ticket.Channels)], Category: ticket.Categories[i%len(ticket.Categories)],
			Status: ticket.StatusOpen, Priority: ticket.PriorityNormal, Queue: "sertifikat", CreatedAt: created,
			SLA: ticket.SLA{FirstResponseDue: &due}}
		if i%3 == 0 {
			t.Assignee = "Agen Satu"
			resolved := created.Add(2 * time.Hour)
			t.Status, t.SLA.ResolvedAt, t.SLA.FirstRespondedAt = ticket.StatusResolved, &resolved, &resolved
		}
		if err := fn(t); err != nil {
			return err
		}
		if g.seen != nil {
			g.seen(i)
		}
	}
	return g.fails
}

func week45(t testing.TB) store.Week {
	w, err := store.ParseWeek("2021-W45")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWriteReportCSVAndXLSXAgree(t *testing.T) {
	r := sampleReport()
	var c bytes.Buffer
	if err := sla.WriteWeeklyCSV(&c, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "week,date,channel,category,metric,value" {
		t.Fatalf("header %v", rows[0])
	}
	find := func(rows [][]string, date, channel, category, metric string) string {
		for _, row := range rows[1:] {
			if row[1] == date && row[2] == channel && row[3] == category && row[4] == metric {
				return row[5]
			}
		}
		return "(missing)"
	}
	checks := []struct{ date, channel, category, metric, want string }{
		{"2021-11-08", "email", "", "created", "15"},
		{"2021-11-09", "email", "", "resolved", "6"},
		{"2021-11-14", "sms", "", "created", "0"},
		{"", "", "certificate_missing", "created", "20"},
		{"", "", "nik_conflict", "created", "0"},
		{"", "", "", "created", "24"},
		{"", "", "", "backlog_end", "52"},
		{"", "", "", "first_response_median_seconds", "11100"},
		{"", "", "", "sla_compliance", "0.7778"},
	}
	for _, c := range checks {
		if got := find(rows, c.date, c.channel, c.category, c.metric); got != c.want {
			t.Errorf("CSV %s %s %s %s = %s, want %s", c.date, c.channel, c.category, c.metric, got, c.want)
		}
	}

	var x bytes.Buffer
	if err := WriteReportXLSX(&x, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	sheet, err := f.GetRows("Laporan")
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet) != len(rows) {
		t.Fatalf("XLSX has %d rows, CSV %d: the two files must hold the same figures", len(sheet), len(rows))
	}
	for i := range rows {
		for len(sheet[i]) < len(rows[i]) {
			sheet[i] = append(sheet[i], "") // trailing empty cells are not returned
		}
		if strings.Join(sheet[i], ",") != strings.Join(rows[i], ",") {
			t.Errorf("row %d: XLSX %v, CSV %v", i, sheet[i], rows[i])
		}
	}
	perDay, err := f.GetRows("Per hari")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(perDay[1], ","); got != "08/11/2021,15,5,0,0,20,0" {
		t.Errorf("Per hari, Monday = %s", got)
	}
}

func TestWriteTickets(t *testing.T) {
	w := week45(t)
	src := generatedWeek{n: 30}
	var c bytes.Buffer
	if err := WriteTicketsCSV(context.Background(), &c, src, w); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 31 || strings.Join(rows[0], ",") != strings.Join(ticketHeader, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	first := rows[1]
	if first[1] != "2021-11-08T00:00:00+07:00" || first[7] != "Agen Satu" || first[11] != "2021-11-08T02:00:00+07:00" ||
		first[13] != "met" {
		t.Errorf("first ticket row %v: WIB times, assignee, verdict met", first)
	}
	if rows[2][13] != "pending" || rows[2][7] != "" || rows[2][9] != "" {
		t.Errorf("second ticket row %v: pending, unassigned, not answered", rows[2])
	}

	var x bytes.Buffer
	if err := WriteTicketsXLSX(context.Background(), &x, src, w); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	sheet, err := f.GetRows("Tiket")
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet) != 31 || sheet[1][0] != rows[1][0] || sheet[1][1] != "08/11/2021 00:00" || sheet[1][13] != "met" {
		t.Fatalf("XLSX: %d rows, first %v", len(sheet), sheet[1])
	}
}

func TestWriteTicketsStopsOnTheStoresError(t *testing.T) {
	broken := errors.New("connection lost")
	for name, write := range map[string]func(context.Context, *bytes.Buffer, WeekExporter, store.Week) error{
		"csv": func(ctx context.Context, b *bytes.Buffer, s WeekExporter, w store.Week) error {
			return WriteTicketsCSV(ctx, b, s, w)
		},
		"xlsx": func(ctx context.Context, b *bytes.Buffer, s WeekExporter, w store.Week) error {
			return WriteTicketsXLSX(ctx, b, s, w)
		},
	} {
		var b bytes.Buffer
		if err := write(context.Background(), &b, generatedWeek{n: 3, fails: broken}, week45(t)); !errors.Is(err, broken) {
			t.Errorf("%s: %v, want the store's error", name, err)
		}
	}
}

func TestInert(t *testing.T) {
	for in, want := range map[string]string{"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+62": "'+62", "-1": "'-1",
		"@SUM(A1)": "'@SUM(A1)", "Sari": "Sari", "": ""} {
		if got := inert(in); got != want {
			t.Errorf("inert(%q) = %q, want %q", in, got, want)
		}
	}
}
