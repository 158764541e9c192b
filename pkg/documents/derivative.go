package documents

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
)

// derivative returns the JPEG agents are shown: oriented, at most
// MaxDerivativeSide on its long side, and free of EXIF, XMP, ICC, IPTC,
// comments and thumbnails, since a phone photo's metadata carries where and
// when it was taken.
//
// A JPEG that already fits and needs no turning keeps its compressed data
// and loses only its metadata segments: re-encoding would cost more than
// all the analysis together and lose quality for nothing. Everything else
// is re-encoded from pixels, which carries no metadata by construction.
func (c *Checker) derivative(src source) ([]byte, error) {
	b := src.img.Bounds()
	if src.jpeg != nil && src.orientation == 1 && max(b.Dx(), b.Dy()) <= c.MaxDerivativeSide {
		if out, ok := stripJPEG(src.jpeg); ok {
			return out, nil
		}
	}
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, derivativeImage(src.img, c.MaxDerivativeSide, src.orientation), &jpeg.Options{Quality: derivativeQuality})
	return buf.Bytes(), err
}

// derivativeImage shrinks and orients img, staying in YCbCr or gray when
// the source is, so the encoder takes its fast path.
func derivativeImage(img image.Image, maxSide, orientation int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := fit(w, h, maxSide)
	switch m := img.(type) {
	case *image.Gray:
		p := orientPlane(grayPlane(m, maxSide), orientation)
		return &image.Gray{Pix: p.pix, Stride: p.w, Rect: image.Rect(0, 0, p.w, p.h)}
	case *image.YCbCr:
		cw, ch := chromaSize(m)
		tw, th := (dw+1)/2, (dh+1)/2
		if cw < tw || ch < th {
			break // chroma sparser than 4:2:0 at the target size: take the RGBA path
		}
		base := m.COffset(b.Min.X, b.Min.Y)
		chroma := func(pix []uint8) plane {
			row := func(y int) []uint8 { o := base + y*m.CStride; return pix[o : o+cw] }
			return orientPlane(boxScale(row, cw, ch, 1, tw, th), orientation)
		}
		y := orientPlane(grayPlane(m, maxSide), orientation)
		cb, cr := chroma(m.Cb), chroma(m.Cr)
		return &image.YCbCr{
			Y: y.pix, Cb: cb.pix, Cr: cr.pix, YStride: y.w, CStride: cb.w,
			SubsampleRatio: image.YCbCrSubsampleRatio420, Rect: image.Rect(0, 0, y.w, y.h),
		}
	}
	p := orientPlane(boxScale(rgbaRows(img), w, h, 4, dw, dh), orientation)
	return &image.RGBA{Pix: p.pix, Stride: 4 * p.w, Rect: image.Rect(0, 0, p.w, p.h)}
}

// chromaSize is the size of the Cb and Cr planes of m.
func chromaSize(m *image.YCbCr) (int, int) {
	r := m.Rect
	half := func(a, b int) int { return (b+1)/2 - a/2 }
	quarter := func(a, b int) int { return (b+3)/4 - a/4 }
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		return half(r.Min.X, r.Max.X), r.Dy()
	case image.YCbCrSubsampleRatio420:
		return half(r.Min.X, r.Max.X), half(r.Min.Y, r.Max.Y)
	case image.YCbCrSubsampleRatio440:
		return r.Dx(), half(r.Min.Y, r.Max.Y)
	case image.YCbCrSubsampleRatio411:
		return quarter(r.Min.X, r.Max.X), r.Dy()
	case image.YCbCrSubsampleRatio410:
		return quarter(r.Min.X, r.Max.X), half(r.Min.Y, r.Max.Y)
	}
	return r.Dx(), r.Dy()
}

// stripJPEG copies a JPEG keeping only what decoding needs: tables, frame
// and scan headers, restart intervals, the Adobe segment (it says how to
// read the colours) and the entropy-coded data up to the first EOI.
// Everything else goes: APP0..APP15 (EXIF, XMP, ICC, IPTC, maker notes,
// JFIF thumbnails), comments, and whatever trails the image (a second
// picture of a multi-picture file, a phone's depth map).
func stripJPEG(data []byte) ([]byte, bool) {
	segs := jpegSegments(data)
	if len(segs) == 0 {
		return nil, false
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	for _, s := range segs {
		if keepSegment(s.marker, s.body) {
			out = append(out, data[s.start:s.end]...)
		}
	}
	for p := segs[len(segs)-1].end; ; {
		q := nextMarker(data, p)
		if q < 0 {
			return nil, false // no EOI: fall back to re-encoding
		}
		out = append(out, data[p:q]...)
		m := data[q+1]
		if m == 0xD9 {
			return append(out, 0xFF, 0xD9), true
		}
		if q+4 > len(data) {
			return nil, false
		}
		end := q + 2 + int(binary.BigEndian.Uint16(data[q+2:]))
		if end < q+4 || end > len(data) {
			return nil, false
		}
		if keepSegment(m, data[q+4:end]) {
			out = append(out, data[q:end]...)
		}
		p = end
	}
}

// nextMarker returns the offset of the next marker at or after p in
// entropy-coded data, skipping stuffed zeros and restart markers; -1 when
// there is none.
func nextMarker(data []byte, p int) int {
	for {
		i := bytes.IndexByte(data[p:], 0xFF)
		if i < 0 || p+i+1 >= len(data) {
			return -1
		}
		q := p + i
		switch n := data[q+1]; {
		case n == 0x00, n >= 0xD0 && n <= 0xD7, n == 0xFF:
			p = q + 1
			if n != 0xFF {
				p = q + 2
			}
		default:
			return q
		}
	}
}

func keepSegment(marker byte, body []byte) bool {
	switch {
	case marker >= 0xC0 && marker <= 0xCF: // SOFn, DHT, DAC
		return true
	case marker == 0xDA, marker == 0xDB, marker == 0xDD: // SOS, DQT, DRI
		return true
	case marker == 0xEE: // APP14 Adobe: colour transform, no personal data
		return bytes.HasPrefix(body, []byte("Adobe"))
	}
	return false
}
