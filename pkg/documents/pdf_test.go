package documents

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/aduan/aduan/pkg/ticket"
)

func TestFirstPDFImage(t *testing.T) {
	jpg := encJPEG(t, ktpCropped(), 85)
	base := pdfWith(jpg, 856, 540)
	direct := bytes.Replace(base, []byte("/Length 6 0 R"), []byte("/Length "+strconv.Itoa(len(jpg))), 1)
	tests := []struct {
		name   string
		pdf    []byte
		reason string
	}{
		{"indirect length", base, ""},
		{"direct length", direct, ""},
		{"filter as array", bytes.Replace(base, []byte("/Filter /DCTDecode"), []byte("/Filter [/DCTDecode]"), 1), ""},
		{"wrong length falls back to endstream", bytes.Replace(base, []byte("/Length 6 0 R"), []byte("/Length 99999999"), 1), ""},
		{"junk before the header", append([]byte("\r\n\r\n"), base...), ""},
		{"filter chain", bytes.Replace(base, []byte("/Filter /DCTDecode"), []byte("/Filter [/FlateDecode /DCTDecode]"), 1), ReasonPDFPhoto},
		{"jpeg 2000", bytes.Replace(base, []byte("/Filter /DCTDecode"), []byte("/Filter /JPXDecode"), 1), ReasonPDFPhoto},
		{"no image", pdfWith(nil, 595, 842), ReasonPDFNoPhoto},
		{"no trailer", bytes.TrimSuffix(base, []byte("%%EOF\n")), ReasonPDFCorrupt},
		{"encrypted", bytes.Replace(base, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt 9 0 R"), 1), ReasonPDFLocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := firstPDFImage(tt.pdf)
			if reason != tt.reason {
				t.Fatalf("reason %q, want %q", reason, tt.reason)
			}
			if tt.reason == "" && !bytes.Equal(got, jpg) {
				t.Errorf("extracted %d bytes, want the %d-byte JPEG", len(got), len(jpg))
			}
		})
	}
}

// TestConcurrentChecks runs checks of every kind at once on one Checker,
// as the worker pool does; -race watches the shared cascade.
func TestConcurrentChecks(t *testing.T) {
	c := newChecker(t)
	inputs := [][]byte{
		encJPEG(t, ktpOnTable(), 85),
		encJPEG(t, qrCard(t, "VAKSIN|CONCURRENT"), 85),
		testPhotoBytes(t, "face-astronaut.png"),
		testPhotoBytes(t, "no-face-coffee.png"),
	}
	want := make([]Result, len(inputs))
	for i, in := range inputs {
		want[i] = check(t, c, in, "", ticket.KindUnknown)
	}
	var wg sync.WaitGroup
	for round := 0; round < 2; round++ {
		for i, in := range inputs {
			wg.Go(func() {
				got, err := c.Check(context.Background(), in, "", ticket.KindUnknown, "")
				if err != nil || got.Kind != want[i].Kind || got.Check.QRPayload != want[i].Check.QRPayload {
					t.Errorf("input %d: %s %q %v, want %s", i, got.Kind, got.Check.QRPayload, err, want[i].Kind)
				}
			})
		}
	}
	wg.Wait()
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newChecker(t).Check(ctx, encJPEG(t, ktpOnTable(), 85), "image/jpeg", ticket.KindKTP, ""); err == nil {
		t.Error("a cancelled check returned no error")
	}
}
