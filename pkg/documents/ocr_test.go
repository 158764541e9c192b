package documents

import (
	"context"
	"image"
	"image/color"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/aduan/aduan/pkg/ticket"
)

const testNIK = "3201014507900003"

// printedKTP is a KTP-like card with its header and NIK line printed in a
// real font, filling the frame like a cropped scan.
func printedKTP(t *testing.T) *image.RGBA {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1284, 810))
	fill(img, img.Bounds(), color.RGBA{190, 218, 240, 255})
	fill(img, image.Rect(930, 230, 1200, 590), color.RGBA{150, 110, 95, 255})
	ft, err := opentype.Parse(gobold.TTF)
	if err != nil {
		t.Fatal(err)
	}
	write := func(text string, size float64, x, y int) {
		face, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			t.Fatal(err)
		}
		d := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{20, 20, 30, 255}), Face: face, Dot: fixed.P(x, y)}
		d.DrawString(text)
	}
	write("PROVINSI JAWA BARAT", 44, 330, 70)
	write("KABUPATEN BOGOR", 44, 380, 125)
	write("NIK : "+testNIK, 56, 60, 220)
	write("Nama : BUDI SANTOSO", 34, 60, 300)
	write("Tempat/Tgl Lahir : BOGOR, 05-07-1990", 34, 60, 350)
	write("Alamat : JL. MAWAR NO. 1", 34, 60, 400)
	addNoise(img, 4, 7)
	return img
}

func TestOCR(t *testing.T) {
	c := newChecker(t, WithOCR(true))
	if !c.OCRAvailable() {
		t.Skip("tesseract with Indonesian data (tesseract-ocr-ind) is not installed")
	}
	data := encJPEG(t, printedKTP(t), 92)
	tests := []struct {
		name    string
		given   string
		verdict ticket.Verdict
	}{
		{"same NIK", testNIK, ticket.VerdictOK},
		{"no NIK given", "", ticket.VerdictOK},
		{"different NIK", "3201010101900001", ticket.VerdictMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Check(context.Background(), data, "image/jpeg", ticket.KindKTP, tt.given)
			if err != nil {
				t.Fatal(err)
			}
			if r.NIK != testNIK {
				t.Fatalf("OCR read NIK %q, want %s", r.NIK, testNIK)
			}
			if r.Check.Verdict != tt.verdict {
				t.Errorf("verdict %s %q, want %s", r.Check.Verdict, r.Check.Reasons, tt.verdict)
			}
			if tt.verdict == ticket.VerdictMismatch && !hasReason(r, ReasonNIKDiffers) {
				t.Errorf("reasons %q", r.Check.Reasons)
			}
		})
	}
}

// TestOCRAbsent checks that without tesseract the check runs as usual and
// says nothing about the NIK.
func TestOCRAbsent(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	c := newChecker(t, WithOCR(true))
	if c.OCRAvailable() {
		t.Fatal("OCR available with an empty PATH")
	}
	r, err := c.Check(context.Background(), encJPEG(t, ktpOnTable(), 90), "image/jpeg", ticket.KindKTP, "3201010101900001")
	if err != nil {
		t.Fatal(err)
	}
	if r.Check.Verdict != ticket.VerdictOK || r.NIK != "" {
		t.Errorf("verdict %s %q, NIK %q", r.Check.Verdict, r.Check.Reasons, r.NIK)
	}
	if _, ran := r.Timings["ocr"]; ran {
		t.Error("OCR stage ran")
	}
}

func TestParseNIK(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"PROVINSI JAWA BARAT\nNIK : 3201014507900003\nNama : BUDI", "3201014507900003"},
		{"NIK: 3201 0145 0790 0003", "3201014507900003"},
		{"NIK : 32O1Ol45O79OOOO3", "3201014507900003"},
		{"nik 3201014507900003 ", "3201014507900003"},
		{"no label 3201014507900003\n", "3201014507900003"},
		{"NIK : 320101450790000", ""},    // 15 digits
		{"phone 081234567890123456", ""}, // 18 digits
		{"Nama : BUDI\nAlamat : JL. MAWAR", ""},
	}
	for _, tt := range tests {
		if got := parseNIK(tt.text); got != tt.want {
			t.Errorf("parseNIK(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
