package ticket

import (
	"testing"
	"time"
)

func TestNumbers(t *testing.T) {
	n := FormatNumber(time.Date(2021, 11, 10, 20, 0, 0, 0, time.UTC), 123) // 11 November in Jakarta
	if n != "PL-211111-000123" {
		t.Fatalf("FormatNumber = %q", n)
	}
	for _, ref := range []string{n, "[" + n + "]", " pl-211111-000123 ", "PL-211111-1234567"} {
		if got, ok := ParseNumber(ref); !ok || got[:len(NumberPrefix)] != NumberPrefix {
			t.Errorf("ParseNumber(%q) = %q, %v", ref, got, ok)
		}
	}
	for _, ref := range []string{"", "123", "PL-2111-000123", "PL-211111-00012", "Re: [" + n + "]", "XX-211111-000123"} {
		if got, ok := ParseNumber(ref); ok {
			t.Errorf("ParseNumber(%q) = %q, want no number", ref, got)
		}
	}
	for subject, want := range map[string]string{
		"Re: [" + n + "] Sertifikat belum muncul": n,
		"RE: [pl-211111-000123]":                  n,
		"Sertifikat belum muncul":                 "",
	} {
		if got := FindNumber(subject); got != want {
			t.Errorf("FindNumber(%q) = %q, want %q", subject, got, want)
		}
	}
}
