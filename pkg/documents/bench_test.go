package documents

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// BenchmarkCheck measures documents:check on one core (GOMAXPROCS 1), as a
// worker slot runs it: images/s, plus the milliseconds per image spent in
// each stage. cpu-images/s divides by the process's CPU time rather than
// the wall clock, so a busy machine does not understate the per-core rate.
func BenchmarkCheck(b *testing.B) {
	photo := photoLike(b)
	cases := []struct {
		name    string
		img     image.Image
		claimed ticket.AttachmentKind
	}{
		{"selfie-1600x1200", photo, ticket.KindSelfie},
		{"vaccine-card-1600x1200", scaled(qrCard(b, "VAKSIN|BENCH"), 1600, 1200, image.Rect(0, 0, 1600, 1200), color.White), ticket.KindVaccineCard},
		{"selfie-4000x3000", scaled(photo, 4000, 3000, image.Rect(0, 0, 4000, 3000), color.White), ticket.KindSelfie},
	}
	c := newChecker(b)
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			data := encJPEG(b, bc.img, 88)
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			stages := map[string]time.Duration{}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				res, err := c.Check(context.Background(), data, "image/jpeg", bc.claimed, "")
				if err != nil {
					b.Fatal(err)
				}
				for k, v := range res.Timings {
					stages[k] += v
				}
			}
			b.StopTimer()
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
			if cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "cpu-images/s")
			}
			names := make([]string, 0, len(stages))
			for k := range stages {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				b.ReportMetric(float64(stages[k].Microseconds())/1000/float64(b.N), k+"-ms")
			}
		})
	}
}

// BenchmarkJPEGDecode is the floor under BenchmarkCheck: the standard
// library's decode of the same 1600×1200 photo, on one core.
func BenchmarkJPEGDecode(b *testing.B) {
	data := encJPEG(b, photoLike(b), 88)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "cpu-images/s")
	}
}
