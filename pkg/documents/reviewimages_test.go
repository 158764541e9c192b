package documents_test

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	xdraw "golang.org/x/image/draw"

	"github.com/aduan/aduan/pkg/documents"
)

// The photos of the document tests, built in code as pkg/documents' tests
// build theirs; only the selfie comes from the shared test photos.

const astronautPNG = "../../../shared/testdata/images/face-astronaut.png"

var (
	checkerOnce sync.Once
	checker     *documents.Checker
	checkerErr  error
)

// sharedChecker is one Checker for all tests, as the worker shares one.
func sharedChecker(t testing.TB) *documents.Checker {
	t.Helper()
	checkerOnce.Do(func() { checker, checkerErr = documents.NewChecker() })
	if checkerErr != nil {
		t.Fatal(checkerErr)
	}
	return checker
}

func jpegOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fillRect(img draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// noisy adds sensor-like noise: no camera produces flat colour.
func noisy(img *image.RGBA, amp int, seed int64) *image.RGBA {
	r := rand.New(rand.NewSource(seed))
	for i := range img.Pix {
		if i%4 != 3 {
			img.Pix[i] = uint8(min(255, max(0, int(img.Pix[i])+r.Intn(2*amp+1)-amp)))
		}
	}
	return img
}

// printedLines draws dark word-like bars where a card has its text.
func printedLines(img draw.Image, r image.Rectangle, lines int, c color.Color) {
	lh := r.Dy() / (2 * lines)
	for i := 0; i < lines; i++ {
		y := r.Min.Y + i*2*lh
		for x := r.Min.X; x < r.Max.X; x += lh * 3 {
			fillRect(img, image.Rect(x, y, min(r.Max.X, x+lh*2+(x*7)%lh), y+lh), c)
		}
	}
}

// The generated photos are 800×600: big enough for every check, small
// enough that the race detector's tests stay quick.

// ktpPhoto is a KTP (light blue card of ID-1 proportions, text on the
// left, portrait on the right) photographed on a dark table; seed makes
// photos of it that differ in their bytes.
func ktpPhoto(seed int64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	fillRect(img, img.Bounds(), color.RGBA{70, 50, 40, 255})
	w := 573
	h := int(float64(w) / documents.CardAspect)
	x, y := 113, 133
	fillRect(img, image.Rect(x, y, x+w, y+h), color.RGBA{185, 215, 238, 255})
	printedLines(img, image.Rect(x+w/20, y+h/6, x+w*6/10, y+h*9/10), 9, color.RGBA{30, 30, 40, 255})
	fillRect(img, image.Rect(x+w*7/10, y+h/4, x+w*9/10, y+h*3/4), color.RGBA{120, 90, 80, 255})
	return noisy(img, 6, seed)
}

// vaccineCardPhoto is a white card with a QR code and printed lines on a
// gray table.
func vaccineCardPhoto(t testing.TB, payload string) *image.RGBA {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	fillRect(img, img.Bounds(), color.RGBA{110, 105, 100, 255})
	fillRect(img, image.Rect(120, 100, 680, 500), color.RGBA{245, 245, 240, 255})
	printedLines(img, image.Rect(147, 133, 373, 467), 8, color.RGBA{40, 40, 60, 255})
	m, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, 253, 253, nil)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < m.GetHeight(); y++ {
		for x := 0; x < m.GetWidth(); x++ {
			if m.Get(x, y) {
				img.Set(400+x, 173+y, color.RGBA{20, 20, 20, 255})
			}
		}
	}
	return noisy(img, 6, 1)
}

// selfiePhoto is the shared astronaut portrait.
func selfiePhoto(t testing.TB) image.Image {
	t.Helper()
	f, err := os.Open(astronautPNG)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// blurred is img smeared as by a shaking hand: three passes of a box
// blur of radius 4 each way, close to a Gaussian of σ 4.5 px.
func blurred(img image.Image) *image.RGBA {
	src := image.NewRGBA(img.Bounds())
	draw.Draw(src, src.Bounds(), img, img.Bounds().Min, draw.Src)
	for range 3 {
		src = boxPass(boxPass(src, 4, 4), 4, src.Stride)
	}
	return src
}

// boxPass averages each pixel with r neighbours either side along one
// axis: step 4 runs along rows, step Stride along columns.
func boxPass(src *image.RGBA, r, step int) *image.RGBA {
	dst := image.NewRGBA(src.Bounds())
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	lines, length, next := h, w, src.Stride
	if step != 4 {
		lines, length, next = w, h, 4
	}
	line := make([]int, length+2*r+2)
	for l := 0; l < lines; l++ {
		base := l * next
		for c := 0; c < 4; c++ {
			for i := range line { // the line, its ends repeated r times
				line[i] = int(src.Pix[base+min(length-1, max(0, i-r))*step+c])
			}
			sum := 0
			for i := 0; i <= 2*r; i++ {
				sum += line[i]
			}
			for i := 0; i < length; i++ {
				dst.Pix[base+i*step+c] = uint8(sum / (2*r + 1))
				sum += line[i+2*r+1] - line[i]
			}
		}
	}
	return dst
}

// scaledTo draws img into a w×h canvas of bg, into r.
func scaledTo(img image.Image, w, h int, r image.Rectangle, bg color.Color) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(out, out.Bounds(), bg)
	xdraw.CatmullRom.Scale(out, r, img, img.Bounds(), draw.Over, nil)
	return out
}
