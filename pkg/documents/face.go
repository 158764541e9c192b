package documents

import (
	_ "embed"

	pigo "github.com/esimov/pigo/core"
)

// facefinderCascade is pico's frontal face cascade, copied from
// github.com/esimov/pigo v1.4.6 (cascade/facefinder). It is embedded so
// the worker needs no file next to the binary. Origin and licence:
// NOTICE.facefinder.
//
//go:embed facefinder
var facefinderCascade []byte

// Face thresholds, tuned on the shared astronaut and coffee photos and on
// generated card and selfie images.
const (
	// FaceMinScore is the lowest clustered pigo score counted as a face.
	FaceMinScore = 5.0
	// DominantFaceScore is the score a face needs to make the photo a
	// selfie, a claim strong enough to contradict the sender. The astronaut
	// scores 38, the astronaut scaled into a 1600×1200 photo 67; a blurred
	// coffee cup scored 4 to 16 depending on the scan parameters.
	DominantFaceScore = 20.0
	// DominantFaceArea is the share of the image a face box must cover to
	// make the photo a selfie: the astronaut covers 4%, the same face in a
	// wider 4:3 frame 3%; the portrait printed on a KTP is inside the card.
	DominantFaceArea = 0.02
	// faceSide is the long side of the plane the detector scans. The
	// detector's cost depends on the ratio of the smallest face to the
	// image, not on pixels, so a smaller plane only saves cache misses.
	faceSide = 480
	// A face smaller than 1/8 of the image's short side cannot cover
	// DominantFaceArea (about 1/6 of it on a 4:3 photo), so the detector
	// does not look for one: the smallest scales are most of its cost.
	faceMinFraction = 8
	faceMinSide     = 20
	// faceScaleStep is the growth of the scanning window per scale: 1.15
	// instead of pigo's usual 1.1 costs a third less and still separates
	// faces (38..67) from the blurred cup (4).
	faceScaleStep = 1.15
)

// face is one detected face, in fractions of the image's width and height,
// so it can be compared with regions found on planes of another size.
type face struct {
	x, y  float64 // centre
	area  float64 // box area / image area
	score float32
}

// faces is what the face stage found.
type faces struct {
	list    []face
	largest float64 // area of the largest face box / image area
	rotated bool    // found only after turning the image a quarter turn
}

// detectFaces runs the cascade on a gray plane. When the sender says it is
// a selfie and nothing is found upright, it tries the two quarter turns: a
// phone held sideways without EXIF orientation is common, and calling a
// real selfie a mismatch costs an agent's time.
func (c *Checker) detectFaces(g plane, claimedSelfie bool) faces {
	fs := faces{list: c.findFaces(g)}
	if len(fs.list) == 0 && claimedSelfie {
		for _, o := range []int{6, 8} {
			found := c.findFaces(orientPlane(g, o))
			if len(found) == 0 {
				continue
			}
			for i, f := range found { // back to the upright image's frame
				if o == 6 {
					found[i].x, found[i].y = f.y, 1-f.x
				} else {
					found[i].x, found[i].y = 1-f.y, f.x
				}
			}
			fs.list, fs.rotated = found, true
			break
		}
	}
	for _, f := range fs.list {
		fs.largest = max(fs.largest, f.area)
	}
	return fs
}

func (c *Checker) findFaces(g plane) []face {
	short := min(g.w, g.h)
	minSize := max(faceMinSide, short/faceMinFraction)
	if short < minSize {
		return nil
	}
	params := pigo.CascadeParams{
		MinSize:     minSize,
		MaxSize:     short,
		ShiftFactor: 0.1,
		ScaleFactor: faceScaleStep,
		ImageParams: pigo.ImageParams{Pixels: g.pix, Rows: g.h, Cols: g.w, Dim: g.w},
	}
	dets := c.faces.ClusterDetections(c.faces.RunCascade(params, 0), 0.2)
	var out []face
	for _, d := range dets {
		if d.Q >= FaceMinScore {
			out = append(out, face{
				x:     float64(d.Col) / float64(g.w),
				y:     float64(d.Row) / float64(g.h),
				area:  float64(d.Scale*d.Scale) / float64(g.w*g.h),
				score: d.Q,
			})
		}
	}
	return out
}

// dominant returns the largest face that scores DominantFaceScore, when it
// covers DominantFaceArea.
func (fs faces) dominant() (face, bool) {
	var best face
	for _, f := range fs.list {
		if f.score >= DominantFaceScore && f.area > best.area {
			best = f
		}
	}
	return best, best.area >= DominantFaceArea
}
