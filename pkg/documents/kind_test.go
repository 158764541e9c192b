package documents

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	xdraw "golang.org/x/image/draw"

	"github.com/aduan/aduan/pkg/ticket"
)

// selfieWithKTP is the astronaut photo with a KTP held up beside it,
// against a dark background (a card touching a bright background merges
// with it: see the package doc).
func selfieWithKTP(t testing.TB) *image.RGBA {
	img := scaled(testPhoto(t, "face-astronaut.png"), 1200, 900, image.Rect(0, 20, 860, 880), color.RGBA{60, 60, 70, 255})
	ktpCard(img, image.Pt(895, 380), 285)
	addNoise(img, 4, 5)
	return img
}

func TestKinds(t *testing.T) {
	c := newChecker(t)
	const payload = "VAKSIN|3201010101900001|DOSIS 2|TEST"
	tests := []struct {
		name    string
		img     image.Image
		claimed ticket.AttachmentKind
		kind    ticket.AttachmentKind
		verdict ticket.Verdict
		reason  string
		check   func(t *testing.T, r Result)
	}{
		{"astronaut is a selfie", testPhoto(t, "face-astronaut.png"), ticket.KindSelfie, ticket.KindSelfie, ticket.VerdictOK, "", func(t *testing.T, r Result) {
			if r.Check.Scores["faces"] < 1 || r.Check.Scores["face_area"] < DominantFaceArea {
				t.Errorf("scores %v, want a dominant face", r.Check.Scores)
			}
		}},
		{"selfie holding a KTP", selfieWithKTP(t), ticket.KindSelfie, ticket.KindSelfie, ticket.VerdictOK, "", func(t *testing.T, r Result) {
			if r.Check.Scores["card"] != 1 {
				t.Errorf("scores %v, want the held card found", r.Check.Scores)
			}
		}},
		{"coffee has no face", testPhoto(t, "no-face-coffee.png"), ticket.KindOther, ticket.KindUnknown, ticket.VerdictOK, "", func(t *testing.T, r Result) {
			if r.Check.Scores["faces"] != 0 {
				t.Errorf("faces %v in the coffee photo", r.Check.Scores["faces"])
			}
		}},
		{"qr card is a vaccine card", qrCard(t, payload), ticket.KindVaccineCard, ticket.KindVaccineCard, ticket.VerdictOK, "", func(t *testing.T, r Result) {
			if r.Check.QRPayload != payload || r.Check.Scores["qr"] != 1 {
				t.Errorf("payload %q, scores %v", r.Check.QRPayload, r.Check.Scores)
			}
		}},
		{"dark-mode certificate", darkScreenshot(t, payload), ticket.KindVaccineCard, ticket.KindVaccineCard, ticket.VerdictOK, "", func(t *testing.T, r Result) {
			if r.Check.QRPayload != payload {
				t.Errorf("payload %q", r.Check.QRPayload)
			}
		}},
		{"ktp on a table", ktpOnTable(), ticket.KindKTP, ticket.KindKTP, ticket.VerdictOK, "", func(t *testing.T, r Result) {
			if a := r.Check.Scores["card_aspect"]; a < CardAspect-0.05 || a > CardAspect+0.05 {
				t.Errorf("card aspect %v", a)
			}
		}},
		{"ktp cropped to the card", ktpCropped(), ticket.KindKTP, ticket.KindKTP, ticket.VerdictOK, "", nil},
		{"claimed ktp, unknown photo", testPhoto(t, "no-face-coffee.png"), ticket.KindKTP, ticket.KindUnknown, ticket.VerdictOK, "", nil},

		// Mismatches: the photo clearly is something else.
		{"selfie claimed, coffee sent", testPhoto(t, "no-face-coffee.png"), ticket.KindSelfie, ticket.KindUnknown, ticket.VerdictMismatch, ReasonSelfieNoFace, nil},
		{"selfie claimed, ktp sent", ktpOnTable(), ticket.KindSelfie, ticket.KindKTP, ticket.VerdictMismatch, "foto ini tampak seperti KTP, bukan swafoto", nil},
		{"ktp claimed, selfie sent", testPhoto(t, "face-astronaut.png"), ticket.KindKTP, ticket.KindSelfie, ticket.VerdictMismatch, "foto ini tampak seperti swafoto dengan KTP, bukan KTP", nil},
		{"ktp claimed, vaccine card sent", qrCard(t, payload), ticket.KindKTP, ticket.KindVaccineCard, ticket.VerdictMismatch, "foto ini tampak seperti kartu/sertifikat vaksin, bukan KTP", nil},
		{"vaccine card claimed, coffee sent", testPhoto(t, "no-face-coffee.png"), ticket.KindVaccineCard, ticket.KindUnknown, ticket.VerdictMismatch, ReasonCardNoQR, nil},
		{"vaccine card claimed, ktp sent", ktpOnTable(), ticket.KindVaccineCard, ticket.KindKTP, ticket.VerdictMismatch, "foto ini tampak seperti KTP", nil},

		// Weak signals never contradict the sender.
		{"vaccine card claimed, paper card without qr", paperCard(), ticket.KindVaccineCard, ticket.KindUnknown, ticket.VerdictOK, "", nil},
		{"vaccine card claimed, cropped card-shaped scan", ktpCropped(), ticket.KindVaccineCard, ticket.KindKTP, ticket.VerdictOK, "", nil},
		{"selfie claimed, holding the vaccine card", selfieWithQR(t, payload), ticket.KindSelfie, ticket.KindVaccineCard, ticket.VerdictOK, "", nil},
		{"ktp claimed, selfie holding the ktp", selfieWithKTP(t), ticket.KindKTP, ticket.KindSelfie, ticket.VerdictOK, "", nil},
		{"other claimed, anything goes", qrCard(t, payload), ticket.KindOther, ticket.KindVaccineCard, ticket.VerdictOK, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(t, c, encJPEG(t, tt.img, 90), "image/jpeg", tt.claimed)
			if r.Kind != tt.kind || r.Check.Verdict != tt.verdict {
				t.Fatalf("kind %s verdict %s %q, want %s %s (scores %v)", r.Kind, r.Check.Verdict, r.Check.Reasons, tt.kind, tt.verdict, r.Check.Scores)
			}
			if tt.reason != "" && !hasReason(r, tt.reason) {
				t.Errorf("reasons %q, want %q", r.Check.Reasons, tt.reason)
			}
			if tt.verdict == ticket.VerdictOK && len(r.Check.Reasons) != 0 {
				t.Errorf("ok with reasons %q", r.Check.Reasons)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// selfieWithQR is the astronaut holding up a vaccination card with its QR.
func selfieWithQR(t testing.TB, payload string) *image.RGBA {
	img := scaled(testPhoto(t, "face-astronaut.png"), 1400, 900, image.Rect(0, 20, 860, 880), color.RGBA{60, 60, 70, 255})
	card := qrCard(t, payload)
	xdraw.ApproxBiLinear.Scale(img, image.Rect(880, 250, 1380, 625), card, image.Rect(150, 130, 1050, 780), draw.Src, nil)
	return img
}

// darkScreenshot is a phone screenshot of a certificate in dark mode: a
// light QR code on a near-black screen, with light text.
func darkScreenshot(t testing.TB, payload string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 720, 1280))
	fill(img, img.Bounds(), color.RGBA{18, 18, 22, 255})
	textLines(img, image.Rect(60, 120, 660, 360), 4, color.RGBA{220, 220, 225, 255})
	m, err := qrcode.NewQRCodeWriter().Encode(payload, gozxing.BarcodeFormat_QR_CODE, 480, 480, nil)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < m.GetHeight(); y++ {
		for x := 0; x < m.GetWidth(); x++ {
			if m.Get(x, y) {
				img.Set(120+x, 500+y, color.RGBA{235, 235, 235, 255})
			}
		}
	}
	return img
}

// paperCard is a paper vaccination card without a QR code: a white
// rectangle of A6 proportions with printed lines, on a dark table.
func paperCard() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	fill(img, img.Bounds(), color.RGBA{80, 60, 50, 255})
	fill(img, image.Rect(250, 120, 950, 800), color.RGBA{240, 238, 230, 255})
	textLines(img, image.Rect(300, 180, 900, 760), 10, color.RGBA{40, 40, 90, 255})
	addNoise(img, 5, 6)
	return img
}

func TestQuality(t *testing.T) {
	c := newChecker(t)
	astro := toRGBA(testPhoto(t, "face-astronaut.png"))
	ktp := ktpOnTable()
	sharp := check(t, c, encJPEG(t, astro, 92), "image/jpeg", ticket.KindSelfie).Check.Scores["blur"]
	tests := []struct {
		name    string
		img     *image.RGBA
		claimed ticket.AttachmentKind
		reason  string // "" for ok
	}{
		{"sharp photo", astro, ticket.KindSelfie, ""},
		{"slightly blurred", gaussianBlur(astro, 1), ticket.KindSelfie, ""},
		{"blurred", gaussianBlur(astro, 2.5), ticket.KindSelfie, ReasonBlurry},
		{"very blurred", gaussianBlur(astro, 4), ticket.KindSelfie, ReasonBlurry},
		{"blurred ktp", gaussianBlur(ktp, 8), ticket.KindKTP, ReasonBlurry},
		{"dark", darken(astro), ticket.KindSelfie, ReasonTooDark},
		{"dark ktp", darken(ktp), ticket.KindKTP, ReasonTooDark},
		{"washed out", washOut(astro), ticket.KindSelfie, ReasonWashedOut},
		{"washed out card", washOut(qrCard(t, "x")), ticket.KindVaccineCard, ReasonWashedOut},
		{"flat gray", mapPixels(astro, func(v float64) float64 { return 120 + (v-120)*0.1 }), ticket.KindSelfie, ReasonWashedOut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(t, c, encJPEG(t, tt.img, 92), "image/jpeg", tt.claimed)
			if tt.reason == "" {
				if r.Check.Verdict != ticket.VerdictOK {
					t.Fatalf("verdict %s %q, want ok (scores %v)", r.Check.Verdict, r.Check.Reasons, r.Check.Scores)
				}
				return
			}
			if r.Check.Verdict != ticket.VerdictUnreadable || !hasReason(r, tt.reason) {
				t.Fatalf("verdict %s %q, want unreadable: %q (scores %v)", r.Check.Verdict, r.Check.Reasons, tt.reason, r.Check.Scores)
			}
			if tt.reason == ReasonBlurry && r.Check.Scores["blur"] >= sharp {
				t.Errorf("blurred copy scores %v, the sharp one %v", r.Check.Scores["blur"], sharp)
			}
			if r.Derivative == nil {
				t.Error("an unreadable but decodable photo still gets a derivative")
			}
		})
	}

	// Blur scores fall as blur grows.
	prev := sharp
	for _, sigma := range []float64{1, 2, 3} {
		s := check(t, c, encJPEG(t, gaussianBlur(astro, sigma), 92), "image/jpeg", ticket.KindSelfie).Check.Scores["blur"]
		if s >= prev {
			t.Errorf("blur score %v at σ %v, not below %v", s, sigma, prev)
		}
		prev = s
	}
}
