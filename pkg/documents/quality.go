package documents

import (
	"math"
	"sort"
)

// Quality thresholds, tuned on the generated test images (sharp, Gaussian
// blurred with σ 1..4, darkened, washed out) and the two shared photos.
// Scores are measured on the 640 px analysis copy, so they do not depend on
// the camera's resolution.
const (
	// MinLongSide and MinShortSide: below 400×300 the NIK and the QR code
	// are a few pixels high; no agent can read them.
	MinLongSide  = 400
	MinShortSide = 300
	// MinSharpness is the lowest blur score (90th percentile over 32 px
	// tiles of the variance of the 4-neighbour Laplacian) of a usable photo.
	// Sharp photos and printed cards score in the thousands; Gaussian blurs
	// of the 512 px astronaut photo score 165 (σ 1), 31 (σ 2) and 12 (σ 3),
	// of the coffee photo 7 (σ 3). σ 2 on the analysis copy already smears
	// the NIK's digits together.
	MinSharpness = 40
	// MinBrightness with DarkHighlight: too dark when the mean is under 40
	// and not even 1% of the pixels reach 110. A dark-mode screenshot has a
	// dark mean but white text, so it passes.
	MinBrightness = 40
	DarkHighlight = 110
	// MaxBrightness with WashedShadow: washed out when the mean is over 200
	// and not even 1% of the pixels are darker than 140 (no black text, no
	// shadow left). A white certificate with black print passes.
	MaxBrightness = 200
	WashedShadow  = 140
	// MinContrast is the lowest standard deviation of luma: below it the
	// image is a flat gray fog whatever its brightness.
	MinContrast = 12
)

// Reasons for photos that decode but cannot be used.
const (
	ReasonTooSmall  = "resolusi foto terlalu kecil (minimal 400×300 piksel); kirim foto asli, bukan potongan kecil"
	ReasonBlurry    = "foto buram; foto ulang dengan kamera diam dan fokus pada dokumen"
	ReasonTooDark   = "foto terlalu gelap; foto ulang di tempat yang terang"
	ReasonWashedOut = "foto terlalu terang atau pudar; foto ulang tanpa silau atau lampu kilat"
)

// quality is what the quality stage measured.
type quality struct {
	blur       float64 // higher is sharper
	brightness float64 // mean luma, 0..255
	contrast   float64 // standard deviation of luma
	shadow     float64 // 1st percentile of luma
	highlight  float64 // 99th percentile of luma
}

// measureQuality computes the quality scores of a gray plane.
func measureQuality(g plane) quality {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	n := float64(len(g.pix))
	var sum, sq float64
	for v, c := range hist {
		sum += float64(v * c)
		sq += float64(v*v) * float64(c)
	}
	mean := sum / n
	q := quality{
		brightness: mean,
		contrast:   math.Sqrt(max(0, sq/n-mean*mean)),
		shadow:     percentile(&hist, len(g.pix), 0.01),
		highlight:  percentile(&hist, len(g.pix), 0.99),
		blur:       sharpness(g),
	}
	return q
}

func percentile(hist *[256]int, n int, p float64) float64 {
	target := int(p * float64(n))
	acc := 0
	for v, c := range hist {
		acc += c
		if acc > target {
			return float64(v)
		}
	}
	return 255
}

// sharpnessTile is the tile side for the blur score. A photo of a card on a
// plain table is mostly flat; scoring the sharpest tiles rather than the
// whole image keeps it from being called blurry.
const sharpnessTile = 32

// sharpness is the 90th percentile over tiles of the variance of the
// Laplacian, the usual focus measure: blur removes the high frequencies the
// Laplacian responds to.
func sharpness(g plane) float64 {
	w, h := g.w, g.h
	if w < 3 || h < 3 {
		return 0
	}
	tw, th := max(1, (w-2)/sharpnessTile), max(1, (h-2)/sharpnessTile)
	sum := make([]float64, tw*th)
	sq := make([]float64, tw*th)
	cnt := make([]float64, tw*th)
	p := g.pix
	for y := 1; y < h-1; y++ {
		ty := min((y-1)/sharpnessTile, th-1)
		row := p[y*w:]
		up, down := p[(y-1)*w:], p[(y+1)*w:]
		for x := 1; x < w-1; x++ {
			l := 4*int(row[x]) - int(row[x-1]) - int(row[x+1]) - int(up[x]) - int(down[x])
			t := ty*tw + min((x-1)/sharpnessTile, tw-1)
			sum[t] += float64(l)
			sq[t] += float64(l * l)
			cnt[t]++
		}
	}
	vars := make([]float64, len(sum))
	for t := range sum {
		m := sum[t] / cnt[t]
		vars[t] = sq[t]/cnt[t] - m*m
	}
	sort.Float64s(vars)
	return vars[int(0.9*float64(len(vars)-1))]
}

// unreadable returns the quality reasons that make a photo unusable. A
// photo with bad exposure gets only that reason: darkening scales the
// Laplacian down too, and "too dark" is what the complainant must fix.
func (q quality) unreadable() []string {
	switch {
	case q.brightness < MinBrightness && q.highlight < DarkHighlight:
		return []string{ReasonTooDark}
	case q.brightness > MaxBrightness && q.shadow > WashedShadow, q.contrast < MinContrast:
		return []string{ReasonWashedOut}
	case q.blur < MinSharpness:
		return []string{ReasonBlurry}
	}
	return nil
}
