package documents

import (
	"image"
	"image/color"
	"slices"
	"testing"
)

func TestBoxScale(t *testing.T) {
	// 4×2 gray, shrunk to 2×1: each output pixel averages a 2×2 block.
	src := plane{pix: []uint8{0, 10, 100, 200, 20, 30, 50, 250}, w: 4, h: 2, bpp: 1}
	got := downscalePlane(src, 2)
	if got.w != 2 || got.h != 1 || !slices.Equal(got.pix, []uint8{15, 150}) {
		t.Errorf("got %d×%d %v, want 2×1 [15 150]", got.w, got.h, got.pix)
	}
	// The 2×2 fast path agrees with the general one.
	big := plane{pix: make([]uint8, 8*6), w: 8, h: 6, bpp: 1}
	for i := range big.pix {
		big.pix[i] = uint8(i * 37)
	}
	fast := downscalePlane(big, 4)
	rows := func(y int) []uint8 { return big.pix[y*8 : (y+1)*8] }
	slow := plane{pix: make([]uint8, 4*3), w: 4, h: 3, bpp: 1}
	for dy := 0; dy < 3; dy++ {
		for dx := 0; dx < 4; dx++ {
			sum := int(rows(2 * dy)[2*dx]) + int(rows(2 * dy)[2*dx+1]) + int(rows(2*dy + 1)[2*dx]) + int(rows(2*dy + 1)[2*dx+1])
			slow.pix[dy*4+dx] = uint8((sum + 2) / 4)
		}
	}
	if !slices.Equal(fast.pix, slow.pix) {
		t.Errorf("halved %v, want %v", fast.pix, slow.pix)
	}
	// Uneven factors keep a flat image flat, and every pixel counted.
	flat := plane{pix: slices.Repeat([]uint8{77}, 1000*750), w: 1000, h: 750, bpp: 1}
	got = downscalePlane(flat, 640)
	if got.w != 640 || got.h != 480 || slices.IndexFunc(got.pix, func(v uint8) bool { return v != 77 }) >= 0 {
		t.Errorf("flat image scaled to %d×%d with other values", got.w, got.h)
	}
}

func TestOrientPlane(t *testing.T) {
	// 3×2 plane:  1 2 3
	//             4 5 6
	p := plane{pix: []uint8{1, 2, 3, 4, 5, 6}, w: 3, h: 2, bpp: 1}
	tests := []struct {
		o    int
		w, h int
		pix  []uint8
	}{
		{1, 3, 2, []uint8{1, 2, 3, 4, 5, 6}},
		{2, 3, 2, []uint8{3, 2, 1, 6, 5, 4}},
		{3, 3, 2, []uint8{6, 5, 4, 3, 2, 1}},
		{4, 3, 2, []uint8{4, 5, 6, 1, 2, 3}},
		{5, 2, 3, []uint8{1, 4, 2, 5, 3, 6}},
		{6, 2, 3, []uint8{4, 1, 5, 2, 6, 3}},
		{7, 2, 3, []uint8{6, 3, 5, 2, 4, 1}},
		{8, 2, 3, []uint8{3, 6, 2, 5, 1, 4}},
	}
	for _, tt := range tests {
		got := orientPlane(p, tt.o)
		if got.w != tt.w || got.h != tt.h || !slices.Equal(got.pix, tt.pix) {
			t.Errorf("orientation %d: %d×%d %v, want %d×%d %v", tt.o, got.w, got.h, got.pix, tt.w, tt.h, tt.pix)
		}
	}
}

// TestDerivativeImageTypes covers the colour paths of the derivative: the
// YCbCr of JPEGs, gray JPEGs, and RGBA/NRGBA/paletted PNGs, shrunk.
func TestDerivativeImageTypes(t *testing.T) {
	rgba := qrCard(t, "x")
	nrgba := image.NewNRGBA(rgba.Bounds())
	copy(nrgba.Pix, rgba.Pix)
	gray := image.NewGray(rgba.Bounds())
	pal := image.NewPaletted(rgba.Bounds(), color.Palette{color.Black, color.White})
	ycc := image.NewYCbCr(rgba.Bounds(), image.YCbCrSubsampleRatio422)
	for _, img := range []image.Image{rgba, nrgba, gray, pal, ycc} {
		d := derivativeImage(img, 600, 6)
		if b := d.Bounds(); b.Dx() != 450 || b.Dy() != 600 {
			t.Errorf("%T: derivative %v, want 450×600", img, b)
		}
	}
}
