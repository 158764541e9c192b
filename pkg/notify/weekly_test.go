package notify

import "testing"

func TestReportFigureTexts(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1.000", 134000: "134.000", 1234567: "1.234.567",
		-4500: "-4.500"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
	for share, want := range map[float64]string{1: "100,00%", 0.9321: "93,21%", 0.77777: "77,78%", 0: "0,00%"} {
		if got := Percent(share); got != want {
			t.Errorf("Percent(%v) = %q, want %q", share, got, want)
		}
	}
	for secs, want := range map[float64]string{0: "0 m", 720: "12 m", 11100: "3 j 05 m", 86400 + 3*3600: "1 h 03 j"} {
		if got := Duration(secs); got != want {
			t.Errorf("Duration(%v) = %q, want %q", secs, got, want)
		}
	}
}
