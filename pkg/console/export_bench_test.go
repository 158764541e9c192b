package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

// nationalWeek is a week of tickets at national volume: about 134,000
// mails and 80,000 calls.
const nationalWeek = 215_000

// heapPeak samples the live heap every few thousand rows of an export,
// so a benchmark reports the most the export held at once, not what it
// allocated in all (which grows with the rows even when memory does not).
type heapPeak struct {
	src    WeekExporter
	sample []metrics.Sample
	peak   uint64
}

func newHeapPeak(src WeekExporter) *heapPeak {
	return &heapPeak{src: src, sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

func (h *heapPeak) ExportWeek(ctx context.Context, w store.Week, fn func(store.ExportTicket) error) error {
	n := 0
	return h.src.ExportWeek(ctx, w, func(t store.ExportTicket) error {
		if n++; n%5000 == 0 {
			h.read()
		}
		return fn(t)
	})
}

func (h *heapPeak) read() {
	metrics.Read(h.sample)
	h.peak = max(h.peak, h.sample[0].Value.Uint64())
}

// byteCounter counts the file's bytes and samples the heap every megabyte
// written, which covers the zipping at the end of an XLSX.
type byteCounter struct {
	n, next int64
	h       *heapPeak
}

func (c *byteCounter) Write(p []byte) (int, error) {
	if c.n += int64(len(p)); c.n >= c.next {
		c.h.read()
		c.next = c.n + 1<<20
	}
	return len(p), nil
}

// benchExport writes the week with write and reports the peak live heap,
// the file's size and the rows per second.
func benchExport(b *testing.B, src WeekExporter, rows int,
	write func(context.Context, io.Writer, WeekExporter, store.Week) error) {
	w := week45(b)
	for b.Loop() {
		runtime.GC()
		h := newHeapPeak(src)
		h.read()
		base := h.peak
		out := &byteCounter{h: h}
		start := time.Now()
		if err := write(context.Background(), out, h, w); err != nil {
			b.Fatal(err)
		}
		h.read()
		b.ReportMetric(float64(h.peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(h.peak-min(base, h.peak))/(1<<20), "peak-over-start-MB")
		b.ReportMetric(float64(out.n)/(1<<20), "file-MB")
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	}
}

// BenchmarkExportWeekGenerated exports a week of tickets made up as they
// are read, so it measures the writers alone:
//
//	go test -run '^$' -bench ExportWeekGenerated -benchtime 1x ./pkg/console/
func BenchmarkExportWeekGenerated(b *testing.B) {
	for _, rows := range []int{nationalWeek / 10, nationalWeek} {
		src := generatedWeek{n: rows}
		b.Run(fmt.Sprintf("xlsx/%d", rows), func(b *testing.B) { benchExport(b, src, rows, WriteTicketsXLSX) })
		b.Run(fmt.Sprintf("csv/%d", rows), func(b *testing.B) { benchExport(b, src, rows, WriteTicketsCSV) })
	}
}

// BenchmarkExportWeekPostgres exports a week of 215,000 tickets from
// PostgreSQL through store.ExportWeek, rows streamed off the connection:
//
//	go test -run '^$' -bench ExportWeekPostgres -benchtime 1x ./pkg/console/
//
// Filling the week takes a while; set ADUAN_BENCH_ROWS for another size.
func BenchmarkExportWeekPostgres(b *testing.B) {
	rows := nationalWeek
	if v := os.Getenv("ADUAN_BENCH_ROWS"); v != "" {
		if _, err := fmt.Sscan(v, &rows); err != nil {
			b.Fatalf("ADUAN_BENCH_ROWS=%q: %v", v, err)
		}
	}
	s, dbURL := storetest.New(b)
	w := week45(b)
	cid := storetest.Count(b, dbURL, `INSERT INTO complainants (name) VALUES ('Pelapor') RETURNING id`)
	uid := storetest.Count(b, dbURL, `INSERT INTO users (email, name, role, password_hash)
		VALUES ('agen@example.id', 'Agen Satu', 'agent', 'x') RETURNING id`)
	storetest.Exec(b, dbURL, `INSERT INTO tickets (number, channel, category, status, priority, queue, assignee_id,
			complainant_id, created_at, updated_at, first_response_due, resolution_due, first_responded_at, resolved_at)
		SELECT 'PL-B-' || i, (ARRAY['email','callcenter','whatsapp'])[1 + i % 3],
			(ARRAY['certificate_missing','personal_data_change','app_issue','other'])[1 + i % 4],
			CASE WHEN i % 3 = 0 THEN 'resolved' ELSE 'open' END, 'normal', 'sertifikat',
			CASE WHEN i % 2 = 0 THEN $1::bigint END, $2, c, c, c + interval '1 day', c + interval '3 days',
			CASE WHEN i % 3 = 0 THEN c + interval '2 hours' END, CASE WHEN i % 3 = 0 THEN c + interval '5 hours' END
		FROM generate_series(1, $3::int) AS i,
			LATERAL (SELECT $4::timestamptz + (i * interval '604799 seconds') / $3::int AS c) AS t`,
		uid, cid, rows, w.Start())
	storetest.Exec(b, dbURL, `ANALYZE tickets`)
	b.Run(fmt.Sprintf("xlsx/%d", rows), func(b *testing.B) { benchExport(b, s, rows, WriteTicketsXLSX) })
	b.Run(fmt.Sprintf("csv/%d", rows), func(b *testing.B) { benchExport(b, s, rows, WriteTicketsCSV) })
}
