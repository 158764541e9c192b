package certificate_test

import "testing"

// BenchmarkIssue measures certificates made (token signed, QR code drawn,
// PDF laid out) per second, one at a time and on every core.
func BenchmarkIssue(b *testing.B) {
	iss := issuer()
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if _, err := iss.Issue(siti); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdf/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := iss.Issue(siti); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdf/s")
	})
}
