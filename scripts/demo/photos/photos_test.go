package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aduan/aduan/pkg/documents"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/ticket"
)

// The committed demo photos are what make run's demo complaint sends: each
// must be taken for what its name says and pass the document checks, or the
// newcomer's first ticket asks for new photos.
func TestDemoPhotosPassTheChecks(t *testing.T) {
	checker, err := documents.NewChecker(documents.WithOCR(true))
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		file string
		kind ticket.AttachmentKind
	}{
		{"ktp.jpg", ticket.KindKTP},
		{"selfie.jpg", ticket.KindSelfie},
		{"kartu-vaksin.jpg", ticket.KindVaccineCard},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			claimed := email.GuessKind(tc.file, "image/jpeg", i)
			if claimed != tc.kind {
				t.Fatalf("the name %s is taken for %s, want %s", tc.file, claimed, tc.kind)
			}
			res, err := checker.Check(context.Background(), data, "image/jpeg", claimed, demoNIK)
			if err != nil {
				t.Fatal(err)
			}
			if res.Check.Verdict != ticket.VerdictOK || res.Kind != tc.kind {
				t.Errorf("verdict %s %v, kind %s; want ok, %s (scores %v)", res.Check.Verdict, res.Check.Reasons,
					res.Kind, tc.kind, res.Check.Scores)
			}
			if tc.kind == ticket.KindVaccineCard && res.Check.QRPayload != qrPayload {
				t.Errorf("QR payload %q, want %q", res.Check.QRPayload, qrPayload)
			}
			if res.NIK != "" && res.NIK != demoNIK {
				t.Errorf("OCR read NIK %s, want %s", res.NIK, demoNIK)
			}
		})
	}
}
