package documents

import (
	"context"
	"fmt"
	"image"
	"os/exec"
	"time"

	pigo "github.com/esimov/pigo/core"

	"github.com/aduan/aduan/pkg/ticket"
)

// Limits and analysis sizes. The analysis sizes bound the work per image:
// a 12 MP phone photo costs the same to analyse as a 2 MP one.
const (
	// DefaultMaxPixels refuses decompression bombs: 40 MP is above any phone
	// camera people use for this and keeps a decoded RGBA image under 160 MB.
	DefaultMaxPixels = 40_000_000
	// DefaultMaxDerivativeSide is WhatsApp's own limit: what agents see is no
	// worse than what most complainants send.
	DefaultMaxDerivativeSide = 1600
	// analysisSide is the long side of the grayscale copy the quality
	// scores are measured on; the thresholds depend on it.
	analysisSide = 640
	// shapeSide is the long side of the copy scanned for card shapes: a
	// card covering 4% of the image is still 60×40 px there.
	shapeSide = 320
	// qrSide is the long side of the copy the QR decoder reads: a QR code
	// across 15% of a card photo still gets about 4 px per module. The
	// decoder's binarizer costs in proportion to the pixels.
	qrSide = 800
	// derivativeQuality is the JPEG quality of re-encoded derivatives.
	derivativeQuality = 85
)

// Checker inspects one attachment's bytes. It holds no per-check state, so
// one Checker serves all workers concurrently.
type Checker struct {
	// MaxPixels is the largest width×height accepted; bigger images are
	// refused from their header alone. Zero means DefaultMaxPixels.
	MaxPixels int
	// MaxDerivativeSide bounds the long side of the stored derivative.
	// Zero means DefaultMaxDerivativeSide.
	MaxDerivativeSide int
	// OCR turns on reading the KTP's NIK with tesseract. It stays off, and
	// the check says nothing about the NIK, when tesseract or its Indonesian
	// data (Debian's tesseract-ocr-ind) is not installed.
	OCR bool
	// HEIFConvert is the command that decodes HEIC/HEIF photos: a name
	// looked up on PATH or a path; "" means DefaultHEIFConvert. When it is
	// not found (Debian's libheif-examples not installed), HEIC photos are
	// unreadable with a reason naming the iPhone setting that sends JPG.
	HEIFConvert string
	// HEIFTimeout bounds one HEIC conversion. Zero means DefaultHEIFTimeout.
	HEIFTimeout time.Duration

	faces       *pigo.Pigo
	tesseract   string // path of the tesseract command with "ind" data, "" when absent
	heifConvert string // path of HEIFConvert, "" when absent
}

// Option configures a Checker.
type Option func(*Checker)

// WithMaxPixels sets Checker.MaxPixels.
func WithMaxPixels(n int) Option { return func(c *Checker) { c.MaxPixels = n } }

// WithMaxDerivativeSide sets Checker.MaxDerivativeSide.
func WithMaxDerivativeSide(n int) Option { return func(c *Checker) { c.MaxDerivativeSide = n } }

// WithOCR sets Checker.OCR.
func WithOCR(on bool) Option { return func(c *Checker) { c.OCR = on } }

// WithHEIFConvert sets Checker.HEIFConvert.
func WithHEIFConvert(command string) Option { return func(c *Checker) { c.HEIFConvert = command } }

// WithHEIFTimeout sets Checker.HEIFTimeout.
func WithHEIFTimeout(d time.Duration) Option { return func(c *Checker) { c.HEIFTimeout = d } }

// NewChecker builds a Checker. It unpacks the embedded face cascade once,
// because unpacking costs more than a detection, looks for tesseract when
// OCR is on, and looks for the HEIC decoder.
func NewChecker(opts ...Option) (*Checker, error) {
	c := &Checker{}
	for _, o := range opts {
		o(c)
	}
	if c.MaxPixels <= 0 {
		c.MaxPixels = DefaultMaxPixels
	}
	if c.MaxDerivativeSide <= 0 {
		c.MaxDerivativeSide = DefaultMaxDerivativeSide
	}
	if c.HEIFConvert == "" {
		c.HEIFConvert = DefaultHEIFConvert
	}
	if c.HEIFTimeout <= 0 {
		c.HEIFTimeout = DefaultHEIFTimeout
	}
	if path, err := exec.LookPath(c.HEIFConvert); err == nil {
		c.heifConvert = path
	}
	faces, err := pigo.NewPigo().Unpack(facefinderCascade)
	if err != nil {
		return nil, fmt.Errorf("documents: unpack face cascade: %w", err)
	}
	c.faces = faces
	if c.OCR {
		c.tesseract = findTesseract()
	}
	return c, nil
}

// OCRAvailable reports whether NIK reading will run: OCR is on and
// tesseract with Indonesian data was found.
func (c *Checker) OCRAvailable() bool { return c.OCR && c.tesseract != "" }

// HEIFAvailable reports whether HEIC/HEIF photos are decoded: the
// HEIFConvert command was found.
func (c *Checker) HEIFAvailable() bool { return c.heifConvert != "" }

// Result is what a check found about one attachment.
type Result struct {
	// Kind is what the image looks like, whatever its file name said.
	Kind ticket.AttachmentKind
	// Check carries the verdict, the reasons (short Indonesian sentences an
	// agent can paste when asking the complainant for a new photo), the
	// scores and the QR payload.
	Check ticket.Check
	// NIK is the 16-digit NIK read by OCR, "" when not read.
	NIK string
	// Derivative is a JPEG of the oriented image, at most MaxDerivativeSide
	// on its long side, with no EXIF or other metadata; nil when the file
	// could not be decoded.
	Derivative []byte
	// Timings records the time spent per stage (decode, orient, quality,
	// face, qr, shape, ocr, derivative), for the worker's metrics.
	Timings map[string]time.Duration
}

// Check inspects data against the kind the sender's file name suggested
// (claimed) and the NIK they gave (nik, for the OCR comparison). The
// content type is the one the sender declared; the bytes are sniffed and the
// sniff wins, because mail clients and phones label files wrongly.
//
// A file that cannot be read is a Result with the unreadable verdict, not an
// error: errors are for a cancelled ctx and failures of this machine.
func (c *Checker) Check(ctx context.Context, data []byte, contentType string, claimed ticket.AttachmentKind, nik string) (Result, error) {
	res := Result{
		Kind:    ticket.KindUnknown,
		Check:   ticket.Check{Verdict: ticket.VerdictOK, Reasons: []string{}, Scores: map[string]float64{}},
		Timings: map[string]time.Duration{},
	}
	stage := func(name string, start time.Time) { res.Timings[name] += time.Since(start) }

	start := time.Now()
	src, reason, err := c.decode(ctx, data, contentType)
	stage("decode", start)
	if err != nil {
		return res, err
	}
	if reason != "" {
		res.Check.Verdict = ticket.VerdictUnreadable
		res.Check.Reasons = append(res.Check.Reasons, reason)
		if src.width > 0 {
			res.Check.Scores["width"] = float64(src.width)
			res.Check.Scores["height"] = float64(src.height)
			res.Check.Scores["megapixels"] = megapixels(src.width, src.height)
		}
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}

	a := c.analyse(src, claimed, stage)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.Kind, _ = a.kind()
	res.Check.Scores = a.scores()
	if a.qrFound {
		res.Check.QRPayload = a.qr
	}
	res.Check.Reasons = append(res.Check.Reasons, a.unreadableReasons()...)
	if len(res.Check.Reasons) > 0 {
		res.Check.Verdict = ticket.VerdictUnreadable
	} else {
		// OCR only on a usable photo of what is or claims to be a KTP: it
		// costs seconds, and on a blurred photo it reads wrong digits.
		if c.OCRAvailable() && (claimed == ticket.KindKTP || res.Kind == ticket.KindKTP) {
			start = time.Now()
			res.NIK = c.readNIK(ctx, src)
			stage("ocr", start)
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
		if rs := mismatchReasons(claimed, a, res.NIK, nik); len(rs) > 0 {
			res.Check.Verdict = ticket.VerdictMismatch
			res.Check.Reasons = append(res.Check.Reasons, rs...)
		}
	}

	start = time.Now()
	der, err := c.derivative(src)
	stage("derivative", start)
	if err != nil {
		return res, fmt.Errorf("documents: derivative: %w", err)
	}
	res.Derivative = der
	return res, nil
}

// analyse runs the quality, face, QR and shape stages on small gray copies
// of the oriented image, timing each with stage.
func (c *Checker) analyse(src source, claimed ticket.AttachmentKind, stage func(string, time.Time)) analysis {
	start := time.Now()
	qrGray := orientPlane(grayPlane(src.img, qrSide), src.orientation)
	gray := downscalePlane(qrGray, analysisSide)
	w, h := orientedSize(src.img.Bounds().Dx(), src.img.Bounds().Dy(), src.orientation)
	stage("orient", start)

	a := analysis{width: w, height: h}
	start = time.Now()
	a.quality = measureQuality(gray)
	stage("quality", start)
	start = time.Now()
	a.faces = c.detectFaces(downscalePlane(gray, faceSide), claimed == ticket.KindSelfie)
	stage("face", start)
	start = time.Now()
	a.qr, a.qrFound = decodeQR(qrGray, a.quality.brightness < qrInvertBelow)
	stage("qr", start)
	start = time.Now()
	a.shape = findShape(downscalePlane(gray, shapeSide))
	stage("shape", start)
	return a
}

// source is a decoded image with what is needed to orient it and to make
// its derivative.
type source struct {
	img           image.Image
	width, height int    // as stored, before orientation
	orientation   int    // EXIF orientation, 1 when none
	jpeg          []byte // the JPEG bytes the image came from, nil for PNG/WebP
}

func megapixels(w, h int) float64 { return float64(w) * float64(h) / 1e6 }
