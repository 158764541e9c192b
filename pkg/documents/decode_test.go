package documents

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

func newChecker(t testing.TB, opts ...Option) *Checker {
	t.Helper()
	c, err := NewChecker(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func check(t testing.TB, c *Checker, data []byte, contentType string, claimed ticket.AttachmentKind) Result {
	t.Helper()
	res, err := c.Check(context.Background(), data, contentType, claimed, "")
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return res
}

func hasReason(res Result, prefix string) bool {
	for _, r := range res.Check.Reasons {
		if strings.HasPrefix(r, prefix) {
			return true
		}
	}
	return false
}

func TestFormats(t *testing.T) {
	// Without a HEIC decoder, as on a machine without libheif-examples;
	// heif_test.go covers decoding.
	c := newChecker(t, WithHEIFConvert(filepath.Join(t.TempDir(), "no-heif-convert")))
	card := qrCard(t, "VAKSIN|FORMAT")
	cardJPEG := encJPEG(t, card, 90)
	webp, err := os.ReadFile("testdata/vaccine-card.webp")
	if err != nil {
		t.Fatal(err)
	}
	flatePDF := bytes.Replace(pdfWith(cardJPEG, 1200, 900), []byte("/Filter /DCTDecode"), []byte("/Filter /FlateDecode"), 1)
	encrypted := bytes.Replace(pdfWith(cardJPEG, 1200, 900), []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt 9 0 R"), 1)
	heic := append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	heic = append(heic, make([]byte, 64)...)

	tests := []struct {
		name        string
		data        []byte
		contentType string
		verdict     ticket.Verdict
		reason      string // prefix of an expected reason
		derivative  bool
	}{
		{"jpeg", cardJPEG, "image/jpeg", ticket.VerdictOK, "", true},
		{"png", encPNG(t, card), "image/png", ticket.VerdictOK, "", true},
		{"png sent as jpeg", encPNG(t, card), "image/jpeg", ticket.VerdictOK, "", true},
		{"webp", webp, "image/webp", ticket.VerdictOK, "", true},
		{"pdf with jpeg", pdfWith(cardJPEG, 1200, 900), "application/pdf", ticket.VerdictOK, "", true},
		{"pdf without images", pdfWith(nil, 595, 842), "application/pdf", ticket.VerdictUnreadable, ReasonPDFNoPhoto, false},
		{"pdf with flate image", flatePDF, "application/pdf", ticket.VerdictUnreadable, ReasonPDFPhoto, false},
		{"encrypted pdf", encrypted, "application/pdf", ticket.VerdictUnreadable, ReasonPDFLocked, false},
		{"truncated pdf", pdfWith(cardJPEG, 1200, 900)[:len(cardJPEG)/2], "application/pdf", ticket.VerdictUnreadable, ReasonPDFCorrupt, false},
		{"heic", heic, "image/heic", ticket.VerdictUnreadable, ReasonHEIC, false},
		{"heic declared, bytes unknown", []byte("not really anything"), "image/heic", ticket.VerdictUnreadable, ReasonHEIC, false},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "image/gif", ticket.VerdictUnreadable, ReasonUnsupported, false},
		{"text", []byte("Nama Lengkap: Budi\nNIK: 3201010101900001\n"), "image/jpeg", ticket.VerdictUnreadable, ReasonUnsupported, false},
		{"empty", nil, "image/jpeg", ticket.VerdictUnreadable, ReasonUnsupported, false},
		{"truncated jpeg", cardJPEG[:len(cardJPEG)/2], "image/jpeg", ticket.VerdictUnreadable, ReasonCorrupt, false},
		{"jpeg header only", cardJPEG[:200], "image/jpeg", ticket.VerdictUnreadable, ReasonCorrupt, false},
		{"too small", encJPEG(t, scaled(card, 320, 240, image.Rect(0, 0, 320, 240), color.White), 90), "image/jpeg", ticket.VerdictUnreadable, ReasonTooSmall, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, c, tt.data, tt.contentType, ticket.KindVaccineCard)
			if res.Check.Verdict != tt.verdict {
				t.Fatalf("verdict %s %q, want %s", res.Check.Verdict, res.Check.Reasons, tt.verdict)
			}
			if tt.reason != "" && !hasReason(res, tt.reason) {
				t.Errorf("reasons %q, want %q", res.Check.Reasons, tt.reason)
			}
			if (res.Derivative != nil) != tt.derivative {
				t.Errorf("derivative %d bytes, want one: %v", len(res.Derivative), tt.derivative)
			}
			if res.Derivative != nil {
				if _, err := jpeg.Decode(bytes.NewReader(res.Derivative)); err != nil {
					t.Errorf("derivative is not a JPEG: %v", err)
				}
			}
			if tt.verdict == ticket.VerdictOK && res.Kind != ticket.KindVaccineCard {
				t.Errorf("kind %s, want vaccine_card (scores %v)", res.Kind, res.Check.Scores)
			}
		})
	}
}

// TestDecompressionBomb checks that a PNG declaring 60000×60000 pixels is
// refused from its header: quickly, and without allocating its pixels.
func TestDecompressionBomb(t *testing.T) {
	c := newChecker(t)
	bomb := pngHeader(60000, 60000)
	res := check(t, c, bomb, "image/png", ticket.KindKTP)
	if res.Check.Verdict != ticket.VerdictUnreadable || !hasReason(res, "gambar terlalu besar (lebih dari 40 megapiksel)") {
		t.Fatalf("got %s %q, want unreadable as too large", res.Check.Verdict, res.Check.Reasons)
	}
	if res.Derivative != nil || res.Check.Scores["megapixels"] != 3600 {
		t.Errorf("derivative %d bytes, scores %v", len(res.Derivative), res.Check.Scores)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	allocs := testing.AllocsPerRun(20, func() { check(t, c, bomb, "image/png", ticket.KindKTP) })
	elapsed := time.Since(start) / 21
	runtime.ReadMemStats(&after)
	perRun := (after.TotalAlloc - before.TotalAlloc) / 21
	if allocs > 200 || perRun > 256<<10 {
		t.Errorf("refusing the bomb cost %v allocations, %d bytes per run", allocs, perRun)
	}
	if elapsed > 50*time.Millisecond {
		t.Errorf("refusing the bomb took %v", elapsed)
	}

	small := newChecker(t, WithMaxPixels(1_000_000))
	res = check(t, small, encJPEG(t, qrCard(t, "x"), 80), "image/jpeg", ticket.KindVaccineCard)
	if !hasReason(res, "gambar terlalu besar (lebih dari 1 megapiksel)") {
		t.Errorf("MaxPixels 1 MP: reasons %q", res.Check.Reasons)
	}
}

// TestEXIFOrientation sends a portrait picture stored sideways with EXIF
// orientation 6, as phones do, and checks the derivative stands upright
// and carries no EXIF.
func TestEXIFOrientation(t *testing.T) {
	// Upright: 600 wide, 900 high, a dark band across the top third.
	upright := image.NewRGBA(image.Rect(0, 0, 600, 900))
	fill(upright, upright.Bounds(), color.RGBA{220, 220, 220, 255})
	fill(upright, image.Rect(0, 0, 600, 300), color.RGBA{20, 20, 20, 255})
	textLines(upright, image.Rect(50, 400, 550, 850), 6, color.RGBA{60, 60, 60, 255})
	// Stored turned a quarter counter-clockwise: orientation 6 turns it back.
	stored := image.NewRGBA(image.Rect(0, 0, 900, 600))
	for y := 0; y < 900; y++ {
		for x := 0; x < 600; x++ {
			stored.Set(y, 599-x, upright.At(x, y))
		}
	}
	data := withExif(encJPEG(t, stored, 90), 6)
	if got := jpegOrientation(data); got != 6 {
		t.Fatalf("orientation %d, want 6", got)
	}

	tests := []struct {
		name    string
		maxSide int
		w, h    int
	}{
		{"full size", 1600, 600, 900},
		{"downscaled", 450, 300, 450},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, newChecker(t, WithMaxDerivativeSide(tt.maxSide)), data, "image/jpeg", ticket.KindOther)
			if res.Check.Scores["width"] != 600 || res.Check.Scores["height"] != 900 {
				t.Errorf("scores %v, want the oriented 600×900", res.Check.Scores)
			}
			if bytes.Contains(res.Derivative, []byte("Exif")) || bytes.Contains(res.Derivative, []byte("GPS")) {
				t.Error("derivative still carries EXIF")
			}
			der, err := jpeg.Decode(bytes.NewReader(res.Derivative))
			if err != nil {
				t.Fatal(err)
			}
			if b := der.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Fatalf("derivative %v, want %d×%d", b, tt.w, tt.h)
			}
			top, bottom := lumaAt(der, tt.w/2, tt.h/10), lumaAt(der, tt.w/2, tt.h*4/10)
			if top > 60 || bottom < 180 {
				t.Errorf("luma top %d, below the band %d: not upright", top, bottom)
			}
		})
	}
}

func lumaAt(img image.Image, x, y int) uint8 {
	return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
}

// TestDerivativeStripsMetadata covers the fast path: a JPEG that needs no
// turning or shrinking keeps its pixels and loses its metadata segments.
func TestDerivativeStripsMetadata(t *testing.T) {
	jpg := encJPEG(t, qrCard(t, "VAKSIN|STRIP"), 90)
	withMeta := withExif(jpg, 1)
	note := "Budi, Bogor"
	com := append([]byte{0xFF, 0xFE, 0, byte(len(note) + 2)}, note...)
	withMeta = append(append([]byte{0xFF, 0xD8}, com...), withMeta[2:]...)
	withMeta = append(withMeta, []byte("trailing maker data")...)

	res := check(t, newChecker(t), withMeta, "image/jpeg", ticket.KindVaccineCard)
	for _, s := range []string{"Exif", "GPS", "Budi", "trailing"} {
		if bytes.Contains(res.Derivative, []byte(s)) {
			t.Errorf("derivative still holds %q", s)
		}
	}
	if !bytes.Equal(res.Derivative, jpg) {
		t.Errorf("derivative is %d bytes, want the original's %d without metadata", len(res.Derivative), len(jpg))
	}
}
