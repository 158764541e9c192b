package documents

import (
	"image"
)

// plane is a packed 8-bit raster: gray (bpp 1), one chroma plane (bpp 1) or
// RGBA (bpp 4). Analysis works on planes rather than image.Image because
// At() costs an interface call and an allocation per pixel.
type plane struct {
	pix  []uint8
	w, h int
	bpp  int
}

// fit returns the size of a w×h image scaled to a long side of at most
// maxSide, never enlarged.
func fit(w, h, maxSide int) (int, int) {
	long := max(w, h)
	if long <= maxSide {
		return w, h
	}
	return max(1, (w*maxSide+long/2)/long), max(1, (h*maxSide+long/2)/long)
}

// boxScale averages the source rows (each w*bpp bytes, fetched by row) into
// a dw×dh plane: every source pixel lands in exactly one destination pixel.
// A box filter is the right one for shrinking by large factors, and it
// costs one pass over the source. dw ≤ w and dh ≤ h.
func boxScale(row func(y int) []uint8, w, h, bpp, dw, dh int) plane {
	out := plane{pix: make([]uint8, dw*dh*bpp), w: dw, h: dh, bpp: bpp}
	if dw == w && dh == h {
		for y := 0; y < h; y++ {
			copy(out.pix[y*w*bpp:], row(y)[:w*bpp])
		}
		return out
	}
	if bpp == 1 && w == 2*dw && h == 2*dh {
		halve(row, w, out)
		return out
	}
	// Source columns [xs[dx], xs[dx+1]) make destination column dx: summing
	// contiguous runs keeps the inner loop free of lookups.
	xs := make([]int, dw+1)
	for dx := range xs {
		xs[dx] = (dx*w + dw - 1) / dw // first x with x*dw/w >= dx
	}
	sums := make([]uint32, dw*bpp)
	flush := func(dy int, rows int) {
		dst := out.pix[dy*dw*bpp : (dy+1)*dw*bpp]
		for dx := 0; dx < dw; dx++ {
			c := uint32((xs[dx+1] - xs[dx]) * rows)
			for k := dx * bpp; k < (dx+1)*bpp; k++ {
				dst[k] = uint8((sums[k] + c/2) / c)
				sums[k] = 0
			}
		}
	}
	cur, rows := 0, 0
	for y := 0; y < h; y++ {
		if dy := y * dh / h; dy != cur {
			flush(cur, rows)
			cur, rows = dy, 0
		}
		rows++
		r := row(y)[:w*bpp]
		if bpp == 1 {
			for dx := 0; dx < dw; dx++ {
				var acc uint32
				for _, v := range r[xs[dx]:xs[dx+1]] {
					acc += uint32(v)
				}
				sums[dx] += acc
			}
			continue
		}
		for dx := 0; dx < dw; dx++ {
			for x := xs[dx]; x < xs[dx+1]; x++ {
				for k := 0; k < bpp; k++ {
					sums[dx*bpp+k] += uint32(r[x*bpp+k])
				}
			}
		}
	}
	flush(cur, rows)
	return out
}

// halve averages 2×2 blocks: 1600×1200, WhatsApp's size, to the 800 px QR
// plane. The general loop spends more on run bookkeeping than on adding.
func halve(row func(y int) []uint8, w int, out plane) {
	top := make([]uint8, w)
	for dy := 0; dy < out.h; dy++ {
		copy(top, row(2*dy)) // row may reuse its buffer
		bottom := row(2*dy + 1)[:w]
		dst := out.pix[dy*out.w : (dy+1)*out.w]
		for dx := range dst {
			x := 2 * dx
			dst[dx] = uint8((uint32(top[x]) + uint32(top[x+1]) + uint32(bottom[x]) + uint32(bottom[x+1]) + 2) >> 2)
		}
	}
}

// downscalePlane shrinks p to a long side of at most maxSide.
func downscalePlane(p plane, maxSide int) plane {
	dw, dh := fit(p.w, p.h, maxSide)
	if dw == p.w && dh == p.h {
		return p
	}
	stride := p.w * p.bpp
	return boxScale(func(y int) []uint8 { return p.pix[y*stride : (y+1)*stride] }, p.w, p.h, p.bpp, dw, dh)
}

// grayPlane returns the luma of img, shrunk to a long side of at most
// maxSide. JPEG and lossy WebP decode to YCbCr, whose Y plane already is
// the luma: no conversion at all on the common path.
func grayPlane(img image.Image, maxSide int) plane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := fit(w, h, maxSide)
	var row func(y int) []uint8
	switch m := img.(type) {
	case *image.YCbCr:
		row = func(y int) []uint8 { o := m.YOffset(b.Min.X, b.Min.Y+y); return m.Y[o : o+w] }
	case *image.Gray:
		row = func(y int) []uint8 { o := m.PixOffset(b.Min.X, b.Min.Y+y); return m.Pix[o : o+w] }
	default:
		rgba := rgbaRows(img)
		buf := make([]uint8, w)
		row = func(y int) []uint8 {
			r := rgba(y)
			for x := range buf {
				buf[x] = luma(r[4*x], r[4*x+1], r[4*x+2])
			}
			return buf
		}
	}
	return boxScale(row, w, h, 1, dw, dh)
}

// luma is the BT.601 luma that JPEG's YCbCr uses.
func luma(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
}

// rgbaRows returns a function giving row y of img as opaque RGBA bytes,
// composited on white: a transparent screenshot shows its text on white,
// not on black.
func rgbaRows(img image.Image) func(y int) []uint8 {
	b := img.Bounds()
	w := b.Dx()
	buf := make([]uint8, 4*w)
	blend := func(i int, r, g, bl, a uint32) { // 16-bit premultiplied
		buf[i] = uint8((r + (0xffff - a)) >> 8)
		buf[i+1] = uint8((g + (0xffff - a)) >> 8)
		buf[i+2] = uint8((bl + (0xffff - a)) >> 8)
		buf[i+3] = 0xff
	}
	switch m := img.(type) {
	case *image.RGBA:
		return func(y int) []uint8 {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				s := p[4*x : 4*x+4]
				a := 255 - uint32(s[3])
				buf[4*x], buf[4*x+1], buf[4*x+2], buf[4*x+3] = uint8(uint32(s[0])+a), uint8(uint32(s[1])+a), uint8(uint32(s[2])+a), 0xff
			}
			return buf
		}
	case *image.NRGBA:
		return func(y int) []uint8 {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				s := p[4*x : 4*x+4]
				a := uint32(s[3])
				for k := 0; k < 3; k++ {
					buf[4*x+k] = uint8((uint32(s[k])*a + 255*(255-a) + 127) / 255)
				}
				buf[4*x+3] = 0xff
			}
			return buf
		}
	}
	return func(y int) []uint8 {
		for x := 0; x < w; x++ {
			r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			blend(4*x, r, g, bl, a)
		}
		return buf
	}
}

// orientedSize is the size of a w×h image after EXIF orientation o.
func orientedSize(w, h, o int) (int, int) {
	if o >= 5 {
		return h, w
	}
	return w, h
}

// orientPlane applies EXIF orientation o, turning the stored pixels into
// the picture as the phone showed it.
func orientPlane(p plane, o int) plane {
	if o <= 1 || o > 8 {
		return p
	}
	dw, dh := orientedSize(p.w, p.h, o)
	out := plane{pix: make([]uint8, len(p.pix)), w: dw, h: dh, bpp: p.bpp}
	w, h, bpp := p.w, p.h, p.bpp
	for dy := 0; dy < dh; dy++ {
		for dx := 0; dx < dw; dx++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-dx, dy
			case 3:
				sx, sy = w-1-dx, h-1-dy
			case 4:
				sx, sy = dx, h-1-dy
			case 5:
				sx, sy = dy, dx
			case 6:
				sx, sy = dy, h-1-dx
			case 7:
				sx, sy = w-1-dy, h-1-dx
			case 8:
				sx, sy = w-1-dy, dx
			}
			d, s := (dy*dw+dx)*bpp, (sy*w+sx)*bpp
			copy(out.pix[d:d+bpp], p.pix[s:s+bpp])
		}
	}
	return out
}
