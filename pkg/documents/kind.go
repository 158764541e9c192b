package documents

import (
	"fmt"

	"github.com/aduan/aduan/pkg/ticket"
)

// Reasons for a mismatch. They name what the photo seems to show, so the
// agent can ask for the right one.
const (
	ReasonSelfieNoFace = "swafoto tidak menampilkan wajah; kirim foto diri sambil memegang KTP"
	ReasonCardNoQR     = "foto kartu vaksin tidak menampilkan kode QR maupun bentuk kartu; kirim foto kartu atau sertifikat vaksin"
	ReasonNIKDiffers   = "NIK pada KTP berbeda dengan NIK yang dikirim"
	reasonLooksLike    = "foto ini tampak seperti %s, bukan %s"
)

// kindNames are the documents as complainants call them.
var kindNames = map[ticket.AttachmentKind]string{
	ticket.KindKTP:         "KTP",
	ticket.KindSelfie:      "swafoto dengan KTP",
	ticket.KindVaccineCard: "kartu/sertifikat vaksin",
}

// analysis gathers what the stages measured on one decoded image.
type analysis struct {
	width, height int // oriented
	quality       quality
	faces         faces
	qr            string
	qrFound       bool
	shape         shapes
}

// unreadableReasons are the reasons the image cannot be used, size first.
func (a analysis) unreadableReasons() []string {
	var rs []string
	if max(a.width, a.height) < MinLongSide || min(a.width, a.height) < MinShortSide {
		rs = append(rs, ReasonTooSmall)
	}
	return append(rs, a.quality.unreadable()...)
}

// signals are the evidence found for each kind.
type signals struct {
	qr        bool // a QR code decoded
	face      bool // a dominant face, not the portrait printed on a card
	card      bool // an upright card-shaped rectangle of KTP size
	frameCard bool // a document cropped to the frame with a card's aspect
}

func (a analysis) signals() signals {
	s := a.shape
	sig := signals{
		qr:        a.qrFound,
		card:      s.hasCard && s.card.area >= KTPMinCardArea,
		frameCard: s.largest.fillsFrame() && cardAspect(float64(max(a.width, a.height))/float64(min(a.width, a.height))),
	}
	if f, ok := a.faces.dominant(); ok {
		onCard := sig.frameCard || (sig.card && s.card.contains(f.x, f.y))
		sig.face = !onCard
	}
	return sig
}

// kind says what the image looks like, and whether the signal is strong
// enough to contradict the sender. In order:
//   - a decoded QR code: vaccine card (strong);
//   - a dominant face not printed on a card: selfie (strong);
//   - an upright card-shaped bright rectangle covering KTPMinCardArea: KTP
//     (strong);
//   - a document cropped to the frame with the card's aspect: KTP (weak: a
//     3:2 photo of a wall has that aspect too);
//   - else unknown. "other" is never guessed: finding nothing does not tell
//     "none of the three" from "a poor photo of one of them".
func (a analysis) kind() (ticket.AttachmentKind, bool) {
	sig := a.signals()
	switch {
	case sig.qr:
		return ticket.KindVaccineCard, true
	case sig.face:
		return ticket.KindSelfie, true
	case sig.card:
		return ticket.KindKTP, true
	case sig.frameCard:
		return ticket.KindKTP, false
	}
	return ticket.KindUnknown, false
}

// mismatchReasons says why the photo contradicts what was claimed, or nil.
// Only the three documents are checked; a claim of other or unknown is
// never contradicted. A photo that shows what was claimed is never a
// mismatch, even when it shows more: a selfie holding the vaccination card
// has a QR code, and a selfie holding the KTP has a card.
func mismatchReasons(claimed ticket.AttachmentKind, a analysis, ocrNIK, givenNIK string) []string {
	var rs []string
	sig := a.signals()
	kind, strong := a.kind()
	shows := map[ticket.AttachmentKind]bool{
		ticket.KindSelfie:      sig.face,
		ticket.KindVaccineCard: sig.qr,
		ticket.KindKTP:         a.shape.hasCard || sig.frameCard, // a card of any size

	}
	switch {
	case kindNames[claimed] == "", shows[claimed]:
	case strong && kind != claimed:
		rs = append(rs, fmt.Sprintf(reasonLooksLike, kindNames[kind], kindNames[claimed]))
	case claimed == ticket.KindSelfie && len(a.faces.list) == 0:
		rs = append(rs, ReasonSelfieNoFace)
	case claimed == ticket.KindVaccineCard && !a.shape.largest.document() && !a.shape.hasCard:
		rs = append(rs, ReasonCardNoQR)
	}
	if ocrNIK != "" && givenNIK != "" && ocrNIK != givenNIK {
		rs = append(rs, ReasonNIKDiffers)
	}
	return rs
}

// scores are the numbers kept on the attachment, for agents and for tuning
// the thresholds on real traffic.
func (a analysis) scores() map[string]float64 {
	s := a.shape.largest
	card := 0.0
	if a.shape.hasCard {
		card, s = 1, a.shape.card
	}
	qr := 0.0
	if a.qrFound {
		qr = 1
	}
	return map[string]float64{
		"width":       float64(a.width),
		"height":      float64(a.height),
		"megapixels":  round(megapixels(a.width, a.height), 2),
		"blur":        round(a.quality.blur, 1),
		"brightness":  round(a.quality.brightness, 1),
		"contrast":    round(a.quality.contrast, 1),
		"aspect":      round(float64(max(a.width, a.height))/float64(min(a.width, a.height)), 3),
		"faces":       float64(len(a.faces.list)),
		"face_area":   round(a.faces.largest, 4),
		"qr":          qr,
		"card":        card,
		"card_aspect": round(s.aspect, 3),
		"card_area":   round(s.area, 3),
	}
}

func round(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}
