package documents

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	xdraw "golang.org/x/image/draw"
)

// The images the tests check are built here, from code, so each test says
// what it shows; only two photos come from files, in testdata/ (see its
// README.md for where they come from and their licences).

const testPhotos = "testdata"

func testPhoto(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join(testPhotos, name))
	if err != nil {
		t.Fatalf("test photo: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return img
}

func testPhotoBytes(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testPhotos, name))
	if err != nil {
		t.Fatalf("test photo: %v", err)
	}
	return b
}

func encJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encPNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fill(img draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// addNoise adds sensor-like noise so generated images are not flat colour,
// which no camera produces.
func addNoise(img *image.RGBA, amp int, seed int64) {
	r := rand.New(rand.NewSource(seed))
	for i := range img.Pix {
		if i%4 == 3 {
			continue
		}
		v := int(img.Pix[i]) + r.Intn(2*amp+1) - amp
		img.Pix[i] = uint8(min(255, max(0, v)))
	}
}

// textLines draws dark bars where a card has its printed lines.
func textLines(img draw.Image, r image.Rectangle, lines int, c color.Color) {
	lh := r.Dy() / (2 * lines)
	for i := 0; i < lines; i++ {
		y := r.Min.Y + i*2*lh
		for x := r.Min.X; x < r.Max.X; x += lh * 3 { // words, not one bar
			fill(img, image.Rect(x, y, min(r.Max.X, x+lh*2+(x*7)%lh), y+lh), c)
		}
	}
}

// qrCard is a vaccination card photo: a white card with a printed QR code
// and text lines, on a gray table.
func qrCard(t testing.TB, payload string) *image.RGBA {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	fill(img, img.Bounds(), color.RGBA{110, 105, 100, 255})
	card := image.Rect(180, 150, 1020, 750) // 840×600, aspect 1.4: not a KTP
	fill(img, card, color.RGBA{245, 245, 240, 255})
	textLines(img, image.Rect(220, 200, 560, 700), 8, color.RGBA{40, 40, 60, 255})
	m, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, 380, 380, nil)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < m.GetHeight(); y++ {
		for x := 0; x < m.GetWidth(); x++ {
			if m.Get(x, y) {
				img.Set(600+x, 260+y, color.RGBA{20, 20, 20, 255})
			}
		}
	}
	addNoise(img, 6, 1)
	return img
}

// ktpCard draws a KTP-like card: light blue, text lines on the left, a
// portrait block on the right, sized w×(w/1.586).
func ktpCard(img *image.RGBA, at image.Point, w int) image.Rectangle {
	h := int(float64(w) / CardAspect)
	card := image.Rect(at.X, at.Y, at.X+w, at.Y+h)
	fill(img, card, color.RGBA{185, 215, 238, 255})
	textLines(img, image.Rect(at.X+w/20, at.Y+h/6, at.X+w*6/10, at.Y+h*9/10), 9, color.RGBA{30, 30, 40, 255})
	fill(img, image.Rect(at.X+w*7/10, at.Y+h/4, at.X+w*9/10, at.Y+h*3/4), color.RGBA{120, 90, 80, 255})
	return card
}

// ktpOnTable is a KTP photographed on a dark table.
func ktpOnTable() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	fill(img, img.Bounds(), color.RGBA{70, 50, 40, 255})
	ktpCard(img, image.Pt(170, 200), 860)
	addNoise(img, 6, 2)
	return img
}

// ktpCropped is a KTP scan cropped to the card.
func ktpCropped() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 856, 540))
	ktpCard(img, image.Pt(0, 0), 856)
	addNoise(img, 6, 3)
	return img
}

// scaled returns img scaled into a w×h canvas filled with bg, at r.
func scaled(img image.Image, w, h int, r image.Rectangle, bg color.Color) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(dst, dst.Bounds(), bg)
	xdraw.CatmullRom.Scale(dst, r, img, img.Bounds(), draw.Over, nil)
	return dst
}

// photoLike is the benchmark's 1600×1200 photo: the astronaut scaled up,
// with noise so the JPEG costs what a camera photo costs to decode.
func photoLike(t testing.TB) *image.RGBA {
	img := scaled(testPhoto(t, "face-astronaut.png"), 1600, 1200, image.Rect(200, 0, 1400, 1200), color.RGBA{90, 90, 100, 255})
	addNoise(img, 8, 4)
	return img
}

// gaussianBlur returns a copy of img blurred with a Gaussian of sigma.
func gaussianBlur(img *image.RGBA, sigma float64) *image.RGBA {
	radius := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*radius+1)
	var sum float64
	for i := range k {
		x := float64(i - radius)
		k[i] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	b := img.Bounds()
	pass := func(src *image.RGBA, dx, dy int) *image.RGBA {
		dst := image.NewRGBA(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				var acc [3]float64
				for i, w := range k {
					sx := min(b.Max.X-1, max(b.Min.X, x+(i-radius)*dx))
					sy := min(b.Max.Y-1, max(b.Min.Y, y+(i-radius)*dy))
					o := src.PixOffset(sx, sy)
					for c := 0; c < 3; c++ {
						acc[c] += w * float64(src.Pix[o+c])
					}
				}
				o := dst.PixOffset(x, y)
				dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2], dst.Pix[o+3] = uint8(acc[0]+0.5), uint8(acc[1]+0.5), uint8(acc[2]+0.5), 255
			}
		}
		return dst
	}
	return pass(pass(img, 1, 0), 0, 1)
}

// mapPixels returns a copy of img with f applied to each colour channel.
func mapPixels(img *image.RGBA, f func(v float64) float64) *image.RGBA {
	out := image.NewRGBA(img.Bounds())
	for i, v := range img.Pix {
		if i%4 == 3 {
			out.Pix[i] = v
			continue
		}
		out.Pix[i] = uint8(min(255, max(0, f(float64(v))+0.5)))
	}
	return out
}

func darken(img *image.RGBA) *image.RGBA {
	return mapPixels(img, func(v float64) float64 { return v * 0.15 })
}

func washOut(img *image.RGBA) *image.RGBA {
	return mapPixels(img, func(v float64) float64 { return 255 - (255-v)*0.2 })
}

func toRGBA(img image.Image) *image.RGBA {
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// withExif inserts an APP1 EXIF segment holding only an Orientation tag
// (and a GPS-looking string, which must not survive) right after SOI.
func withExif(jpg []byte, orientation uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, binary.BigEndian, uint32(8))
	binary.Write(&tiff, binary.BigEndian, uint16(1))      // one entry
	binary.Write(&tiff, binary.BigEndian, uint16(0x0112)) // Orientation
	binary.Write(&tiff, binary.BigEndian, uint16(3))      // SHORT
	binary.Write(&tiff, binary.BigEndian, uint32(1))
	binary.Write(&tiff, binary.BigEndian, orientation)
	binary.Write(&tiff, binary.BigEndian, uint16(0))
	binary.Write(&tiff, binary.BigEndian, uint32(0)) // no next IFD
	tiff.WriteString("GPS -6.2088,106.8456")
	body := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	out := append([]byte{0xFF, 0xD8}, seg...)
	out = append(out, body...)
	return append(out, jpg[2:]...)
}

// pngHeader is a PNG that declares w×h and holds no pixel data: what a
// decompression bomb looks like before it is inflated.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// pdfWith builds a one-page PDF; with jpg non-nil the page draws that JPEG
// as an image XObject (DCTDecode), with an indirect /Length as many writers
// produce. The xref offsets are computed, so the file is well formed.
func pdfWith(jpg []byte, w, h int) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			b.WriteString("\nstream\r\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	content := []byte("BT /F1 12 Tf 72 720 Td (Sertifikat) Tj ET")
	if jpg != nil {
		content = []byte(fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im1 Do Q", w, h))
	}
	obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>", w, h), nil)
	obj(fmt.Sprintf("<< /Length %d >>", len(content)), content)
	if jpg != nil {
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length 6 0 R >>", w, h), jpg)
		obj(fmt.Sprintf("%d", len(jpg)), nil)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}
