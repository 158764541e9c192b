package documents

import (
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// qrInvertBelow is the mean luma under which an image is also read
// inverted: a screenshot of an app in dark mode may show a light code on a
// dark ground (mean luma about 50). Brighter images skip the second pass,
// which would double the QR stage's cost on every KTP and selfie (a selfie
// indoors has a mean about 110).
const qrInvertBelow = 80

// decodeQR reads the first QR code in a gray plane, trying the inverted
// image too when invert is set. The plane goes to the
// decoder as it is (a planar luminance source) instead of through
// gozxing's image.Image adapter, which calls At() for every pixel.
func decodeQR(g plane, invert bool) (string, bool) {
	if g.w < 21 || g.h < 21 { // 21 modules: the smallest QR code
		return "", false
	}
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.pix, g.w, g.h, 0, 0, g.w, g.h, false)
	if err != nil {
		return "", false
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return "", false
	}
	// A reader per call: gozxing readers keep state between calls, and one
	// Checker serves concurrent workers.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil && invert {
		bmp, err = gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src.Invert()))
		if err != nil {
			return "", false
		}
		res, err = qrcode.NewQRCodeReader().Decode(bmp, nil)
	}
	if err != nil {
		return "", false
	}
	return res.GetText(), true
}
