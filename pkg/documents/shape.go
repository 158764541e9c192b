package documents

import "math"

// Card shape thresholds. An ID-1 card (KTP, bank card) is 85.60×53.98 mm.
const (
	CardAspect          = 85.60 / 53.98 // ≈ 1.586
	CardAspectTolerance = 0.15
	// CardMinFill is how much of its bounding box a bright region must fill,
	// row by row, to count as an upright rectangle.
	CardMinFill = 0.9
	// CardMinArea is the smallest card (share of the image) reported in a
	// selfie; KTPMinCardArea the smallest that makes a photo a KTP.
	CardMinArea    = 0.04
	KTPMinCardArea = 0.15
	// FrameMinArea: a bright region touching three or more edges and
	// covering this much of the image is the document itself, cropped to
	// the frame; then the image's own aspect is the document's.
	FrameMinArea = 0.6
	// DocumentMinArea is the smallest bright rectangle of any aspect taken
	// as a paper document (a vaccination card, a printed certificate).
	DocumentMinArea = 0.15
)

// shape describes one bright region of the analysis plane.
type shape struct {
	area    float64 // bounding box area / image area
	fill    float64 // row-span hull area / bounding box area
	aspect  float64 // long side / short side of the bounding box
	touches int     // image edges the region touches
	x0, y0  int     // bounding box, inclusive-exclusive
	x1, y1  int
	w, h    int // of the plane it was found on
}

// shapes is what the shape stage found: the largest bright region, and
// the largest card-shaped one when there is one (in a selfie the face and
// clothes are often the largest bright region, the card beside them).
type shapes struct {
	largest shape
	card    shape
	hasCard bool
}

// findShape thresholds the plane (Otsu) and measures its bright connected
// regions. Cards are printed on light stock and photographed on a darker
// table or in a hand, so the card is one of those regions.
func findShape(g plane) shapes {
	t := otsu(g.pix)
	w, h := g.w, g.h
	labels := make([]int32, w*h)
	stack := make([]int32, 0, 1024)
	type region struct {
		s     shape
		count int
		label int32
	}
	var regions []region
	minCount := int(CardMinArea * 0.5 * float64(w*h))
	next := int32(0)
	for start, v := range g.pix {
		if v <= t || labels[start] != 0 {
			continue
		}
		next++
		labels[start] = next
		stack = append(stack[:0], int32(start))
		cur := shape{x0: w, y0: h}
		count := 0
		for len(stack) > 0 {
			i := int(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
			count++
			x, y := i%w, i/w
			cur.x0, cur.x1 = min(cur.x0, x), max(cur.x1, x+1)
			cur.y0, cur.y1 = min(cur.y0, y), max(cur.y1, y+1)
			if x > 0 && g.pix[i-1] > t && labels[i-1] == 0 {
				labels[i-1] = next
				stack = append(stack, int32(i-1))
			}
			if x < w-1 && g.pix[i+1] > t && labels[i+1] == 0 {
				labels[i+1] = next
				stack = append(stack, int32(i+1))
			}
			if y > 0 && g.pix[i-w] > t && labels[i-w] == 0 {
				labels[i-w] = next
				stack = append(stack, int32(i-w))
			}
			if y < h-1 && g.pix[i+w] > t && labels[i+w] == 0 {
				labels[i+w] = next
				stack = append(stack, int32(i+w))
			}
		}
		if count >= minCount {
			regions = append(regions, region{cur, count, next})
		}
	}
	var out shapes
	bestCount, cardCount := 0, 0
	for _, r := range regions {
		m := measureRegion(r.s, labels, r.label, w, h)
		if r.count > bestCount {
			out.largest, bestCount = m, r.count
		}
		if m.card(CardMinArea) && r.count > cardCount {
			out.card, out.hasCard, cardCount = m, true, r.count
		}
	}
	return out
}

// measureRegion fills in the region's area, fill, aspect and edges.
func measureRegion(s shape, labels []int32, label int32, w, h int) shape {
	bw, bh := s.x1-s.x0, s.y1-s.y0
	hull := 0
	for y := s.y0; y < s.y1; y++ {
		row := labels[y*w : (y+1)*w]
		l, r := -1, -1
		for x := s.x0; x < s.x1; x++ {
			if row[x] == label {
				if l < 0 {
					l = x
				}
				r = x
			}
		}
		if l >= 0 {
			hull += r - l + 1
		}
	}
	s.w, s.h = w, h
	s.area = float64(bw*bh) / float64(w*h)
	s.fill = float64(hull) / float64(bw*bh)
	s.aspect = float64(max(bw, bh)) / float64(max(1, min(bw, bh)))
	for _, edge := range []bool{s.x0 == 0, s.y0 == 0, s.x1 == w, s.y1 == h} {
		if edge {
			s.touches++
		}
	}
	return s
}

// otsu returns the threshold that best splits the histogram into two
// classes (Otsu 1979): it adapts to the light in each photo.
func otsu(pix []uint8) uint8 {
	var hist [256]float64
	for _, v := range pix {
		hist[v]++
	}
	total := float64(len(pix))
	var sumAll float64
	for v, c := range hist {
		sumAll += float64(v) * c
	}
	var wB, sumB, bestVar float64
	best := uint8(127)
	for v := 0; v < 256; v++ {
		wB += hist[v]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(v) * hist[v]
		mB, mF := sumB/wB, (sumAll-sumB)/wF
		if between := wB * wF * (mB - mF) * (mB - mF); between > bestVar {
			bestVar, best = between, uint8(v)
		}
	}
	return best
}

// isRect reports an upright rectangle inside the frame, not cut by its edges.
func (s shape) isRect(minArea float64) bool {
	return s.touches == 0 && s.fill >= CardMinFill && s.area >= minArea
}

// fillsFrame reports a document cropped to the image.
func (s shape) fillsFrame() bool {
	return s.touches >= 3 && s.area >= FrameMinArea && s.fill >= CardMinFill
}

func cardAspect(aspect float64) bool {
	return math.Abs(aspect-CardAspect) <= CardAspectTolerance
}

// card reports a card-shaped rectangle inside the frame.
func (s shape) card(minArea float64) bool { return s.isRect(minArea) && cardAspect(s.aspect) }

// document reports a paper document: a bright rectangle of any aspect, or
// a bright region that fills the frame.
func (s shape) document() bool { return s.isRect(DocumentMinArea) || s.fillsFrame() }

// contains reports whether the point, in fractions of the image's width and
// height, lies in the bounding box.
func (s shape) contains(fx, fy float64) bool {
	x, y := fx*float64(s.w), fy*float64(s.h)
	return x >= float64(s.x0) && x < float64(s.x1) && y >= float64(s.y0) && y < float64(s.y1)
}
