package intake_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// BenchmarkIngestCall measures a call-center ticket through the Ingester
// into PostgreSQL: half from returning callers, half from new ones.
func BenchmarkIngestCall(b *testing.B) {
	s, _ := storetest.New(b)
	in := intake.NewIngester(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			serial := i % 9999
			if i%2 == 0 {
				serial = i%200 + 1 // a returning caller
			}
			nik := fmt.Sprintf("32010141088%01d%04d", i/9999%10, serial+1)[:16]
			item := intake.Inbound{Channel: ticket.ChannelCallCenter, SourceID: fmt.Sprintf("bench:%d", i),
				Category: ticket.CategoryCertificateMissing, Body: "Sertifikat belum keluar",
				Complainant: ticket.Complainant{Name: "Siti Aminah", NIK: nik, Phone: fmt.Sprintf("+62812%08d", serial)}}
			if _, err := in.Ingest(ctx, item); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}
