package retention_test

import (
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/retention"
)

func TestParsePeriod(t *testing.T) {
	closed := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in, str   string
		off       bool
		cutoff    time.Time // from closed
		wantError bool
	}{
		{in: "12mo", str: "12mo", cutoff: time.Date(2023, 3, 31, 12, 0, 0, 0, time.UTC)},
		{in: "1y", str: "12mo", cutoff: time.Date(2023, 3, 31, 12, 0, 0, 0, time.UTC)},
		{in: " 18MO ", str: "18mo", cutoff: time.Date(2022, 10, 1, 12, 0, 0, 0, time.UTC)}, // 31 September is 1 October
		{in: "720h", str: "720h0m0s", cutoff: closed.Add(-720 * time.Hour)},
		{in: "off", str: "off", off: true},
		{in: "0", str: "off", off: true},
		{in: "soon", wantError: true},
		{in: "-3mo", wantError: true},
		{in: "-1h", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := retention.ParsePeriod(tt.in)
			if tt.wantError {
				if err == nil {
					t.Fatalf("ParsePeriod(%q) = %v, want an error", tt.in, p)
				}
				return
			}
			if err != nil || p.Off() != tt.off || p.String() != tt.str {
				t.Fatalf("ParsePeriod(%q) = %v (off %v), %v; want %s", tt.in, p, p.Off(), err, tt.str)
			}
			if !tt.off && !p.Cutoff(closed).Equal(tt.cutoff) {
				t.Errorf("cutoff = %s, want %s", p.Cutoff(closed), tt.cutoff)
			}
		})
	}
}
