// Command photos draws the three photos of make run's demo complaint: a
// KTP on a table, a selfie holding it, and a vaccination card with a QR
// code. They are made, not photographed, so they carry nobody's personal
// data; the selfie's face is a public-domain photo given on the command
// line (see scripts/demo/README.md).
//
//	go run ./scripts/demo/photos -face face-astronaut.png -out scripts/demo
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The demo complainant, as scripts/demo/keluhan.txt names her.
const (
	demoNIK  = "3201014508850001"
	demoName = "SITI AMINAH"
	// qrPayload is what the vaccination card's QR code says.
	qrPayload = "CONTOH-KARTU-VAKSIN-ADUAN " + demoNIK
)

// ktpAspect is the ID-1 card format (85.60 × 53.98 mm).
const ktpAspect = 85.60 / 53.98

func main() {
	face := flag.String("face", "", "PNG photo of one frontal face, for the selfie")
	out := flag.String("out", "scripts/demo", "folder the JPEGs are written to")
	flag.Parse()
	if err := run(*face, *out); err != nil {
		fmt.Fprintln(os.Stderr, "photos:", err)
		os.Exit(1)
	}
}

func run(facePath, out string) error {
	if facePath == "" {
		return fmt.Errorf("-face is required")
	}
	f, err := os.Open(facePath)
	if err != nil {
		return err
	}
	portrait, err := png.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", facePath, err)
	}
	fonts, err := loadFonts()
	if err != nil {
		return err
	}
	qr, err := qrcode.NewQRCodeWriter().Encode(qrPayload, gozxing.BarcodeFormat_QR_CODE, 300, 300, nil)
	if err != nil {
		return fmt.Errorf("QR code: %w", err)
	}
	photos := map[string]*image.RGBA{
		"ktp.jpg":          ktpOnTable(fonts),
		"selfie.jpg":       selfie(portrait, fonts),
		"kartu-vaksin.jpg": vaccineCard(fonts, qr),
	}
	for name, img := range photos {
		if err := writeJPEG(filepath.Join(out, name), img); err != nil {
			return err
		}
	}
	return nil
}

type fonts struct{ regular, bold *opentype.Font }

func loadFonts() (fonts, error) {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return fonts{}, err
	}
	b, err := opentype.Parse(gobold.TTF)
	return fonts{regular: r, bold: b}, err
}

// text draws s with its baseline at (x, y), size px high.
func text(img draw.Image, f *opentype.Font, size float64, x, y int, c color.Color, s string) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err) // the embedded Go fonts always load
	}
	defer face.Close()
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func fill(img draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// ktpCard draws a KTP-like card w wide at (x, y): light blue, the fields on
// the left, a portrait block on the right, and CONTOH across it.
func ktpCard(img *image.RGBA, fs fonts, x, y, w int) {
	h := int(float64(w) / ktpAspect)
	fill(img, image.Rect(x, y, x+w, y+h), color.RGBA{185, 215, 238, 255})
	px := func(v float64) int { return int(v * float64(w)) }
	ink := color.RGBA{25, 25, 35, 255}
	text(img, fs.bold, float64(w)/26, x+px(0.25), y+px(0.06), ink, "PROVINSI JAWA BARAT")
	text(img, fs.bold, float64(w)/28, x+px(0.29), y+px(0.105), ink, "KABUPATEN BOGOR")
	text(img, fs.bold, float64(w)/20, x+px(0.04), y+px(0.18), ink, "NIK : "+demoNIK)
	rows := [][2]string{
		{"Nama", demoName}, {"Tempat/Tgl Lahir", "BOGOR, 05-08-1985"}, {"Jenis Kelamin", "PEREMPUAN"},
		{"Alamat", "JL. RAYA CIBINONG 12"}, {"Agama", "ISLAM"}, {"Pekerjaan", "KARYAWAN SWASTA"},
		{"Berlaku Hingga", "SEUMUR HIDUP"},
	}
	for i, r := range rows {
		ry := y + px(0.25) + i*px(0.043)
		text(img, fs.regular, float64(w)/36, x+px(0.04), ry, ink, r[0])
		text(img, fs.regular, float64(w)/36, x+px(0.27), ry, ink, ": "+r[1])
	}
	fill(img, image.Rect(x+px(0.72), y+px(0.16), x+px(0.93), y+px(0.44)), color.RGBA{200, 70, 60, 255})
	fill(img, image.Rect(x+px(0.77), y+px(0.19), x+px(0.88), y+px(0.30)), color.RGBA{120, 90, 80, 255})
	fill(img, image.Rect(x+px(0.75), y+px(0.31), x+px(0.90), y+px(0.44)), color.RGBA{60, 60, 80, 255})
	text(img, fs.bold, float64(w)/14, x+px(0.60), y+px(0.58), color.RGBA{200, 40, 40, 255}, "CONTOH")
}

// ktpOnTable is the KTP photographed on a dark wooden table.
func ktpOnTable(fs fonts) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	fill(img, img.Bounds(), color.RGBA{70, 50, 40, 255})
	ktpCard(img, fs, 170, 180, 860)
	addNoise(img, 6, 1)
	return img
}

// selfie is the portrait on a plain wall, holding the KTP below the face.
func selfie(portrait image.Image, fs fonts) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 960, 1280))
	fill(img, img.Bounds(), color.RGBA{90, 95, 105, 255})
	xdraw.CatmullRom.Scale(img, image.Rect(0, 0, 960, 960), portrait, portrait.Bounds(), draw.Over, nil)
	ktpCard(img, fs, 250, 930, 460)
	addNoise(img, 8, 2)
	return img
}

// vaccineCard is the vaccination card, white with its QR code, on a gray
// table.
func vaccineCard(fs fonts, qr *gozxing.BitMatrix) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	fill(img, img.Bounds(), color.RGBA{110, 105, 100, 255})
	fill(img, image.Rect(160, 140, 1040, 760), color.RGBA{245, 245, 240, 255})
	ink := color.RGBA{30, 30, 50, 255}
	text(img, fs.bold, 34, 200, 210, ink, "KARTU VAKSINASI COVID-19")
	rows := []string{"Nama: " + demoName, "NIK: " + demoNIK, "Dosis 1: 05-10-2021  Sinovac",
		"Dosis 2: 02-11-2021  Sinovac", "Tempat: Puskesmas Cibinong"}
	for i, r := range rows {
		text(img, fs.regular, 24, 200, 290+i*50, ink, r)
	}
	text(img, fs.bold, 40, 200, 700, color.RGBA{200, 40, 40, 255}, "CONTOH")
	for y := 0; y < qr.GetHeight(); y++ {
		for x := 0; x < qr.GetWidth(); x++ {
			if qr.Get(x, y) {
				img.Set(700+x, 300+y, color.RGBA{20, 20, 20, 255})
			}
		}
	}
	addNoise(img, 6, 3)
	return img
}

// addNoise adds sensor-like noise: no camera makes flat colour, and the
// document checks measure sharpness on texture.
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

func writeJPEG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 82}); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
