package documents_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/documents"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// The tests of the one answer each complainant's mail gets: after the
// checks of its photos, or, when they take too long, without them.

// file stores data in the blob store and returns the attachment intake
// would make of it.
func (f *docsFixture) file(t testing.TB, name, contentType string, kind ticket.AttachmentKind, data []byte) ticket.Attachment {
	t.Helper()
	sum, size, err := f.blobs.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return ticket.Attachment{Filename: name, ContentType: contentType, Size: size, SHA256: sum, Stored: true, Kind: kind}
}

// heicCard is the vaccination card photographed by an iPhone: HEIC.
func (f *docsFixture) heicCard(t testing.TB) ticket.Attachment {
	t.Helper()
	data, err := os.ReadFile("testdata/vaccine-card.heic")
	if err != nil {
		t.Fatal(err)
	}
	return f.file(t, "IMG_0042.HEIC", "image/heic", ticket.KindVaccineCard, data)
}

// streetPhoto is a sharp photo of a street with no one in it: what a
// phone's back camera takes when the selfie goes wrong.
func streetPhoto() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	fillRect(img, image.Rect(0, 0, 800, 260), color.RGBA{150, 185, 220, 255})   // sky
	fillRect(img, image.Rect(0, 260, 800, 600), color.RGBA{95, 95, 90, 255})    // road
	fillRect(img, image.Rect(40, 120, 260, 330), color.RGBA{160, 120, 90, 255}) // houses
	fillRect(img, image.Rect(520, 90, 760, 330), color.RGBA{200, 190, 170, 255})
	for x := 0; x < 800; x += 80 { // lane marks
		fillRect(img, image.Rect(x, 440, x+40, 452), color.RGBA{230, 230, 220, 255})
	}
	printedLines(img, image.Rect(560, 120, 720, 300), 6, color.RGBA{80, 70, 60, 255}) // windows
	return noisy(img, 8, 3)
}

// answerMails runs the answer tasks, the late requests' tasks, each twice
// as asynq may, and returns the mails sent so far, each text led by its
// subject.
func (f *docsFixture) answerMails(t *testing.T, ticketID int64) []notifyMail {
	t.Helper()
	for range 2 {
		f.answer(t, ticketID)
		f.sendDocs(t, ticketID)
	}
	var out []notifyMail
	for _, m := range f.mx.Received() {
		out = append(out, notifyMail{Subject: m.Header.Get("Subject"), InReplyTo: m.Header.Get("In-Reply-To"),
			Text: notifytest.OneLine(m.Header.Get("Subject") + "\n" + m.Text), Body: m.Text})
	}
	return out
}

type notifyMail struct{ Subject, InReplyTo, Text, Body string }

func wantLines(t *testing.T, m notifyMail, want, unwanted []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(m.Text, w) {
			t.Errorf("the answer lacks %q", w)
		}
	}
	for _, u := range unwanted {
		if strings.Contains(m.Text, u) {
			t.Errorf("the answer says %q", u)
		}
	}
	if t.Failed() {
		t.Logf("the answer: %s", m.Text)
	}
}

const (
	usable      = ": diterima dan dapat kami gunakan"
	noFace      = "- Swafoto memegang KTP: tidak sesuai (" + documents.ReasonSelfieNoFace + ")"
	heicRefused = "- Foto kartu vaksinasi: tidak dapat kami baca (" + documents.ReasonHEIC + ")"
)

// A mail with three photos, one an iPhone's HEIC and one a "selfie" with
// no face, gets one mail: the KTP usable, the selfie not matching and why,
// the HEIC unreadable and why (or usable, where it is decoded), and what
// is still missing. The reply with the missing photos gets one answer.
func TestOneAnswerForThreePhotos(t *testing.T) {
	tests := []struct {
		name      string
		heif      bool // a HEIC decoder is installed
		card      string
		resend    []string
		stillSent []string // documents still to send, as the answer names them
	}{
		{"HEIC not decoded", false, heicRefused, []string{"selfie", "card"},
			[]string{"- Swafoto memegang KTP (kirim ulang", "- Foto kartu vaksinasi (kirim ulang"}},
		{"HEIC decoded", true, "- Foto kartu vaksinasi" + usable, []string{"selfie"},
			[]string{"- Swafoto memegang KTP (kirim ulang"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []documents.Option{documents.WithHEIFConvert(filepath.Join(t.TempDir(), "no-heif-convert"))}
			if tt.heif {
				if _, err := exec.LookPath(documents.DefaultHEIFConvert); err != nil {
					t.Skip("heif-convert not installed (Debian's libheif-examples)")
				}
				opts = nil
			}
			checker, err := documents.NewChecker(opts...)
			if err != nil {
				t.Fatal(err)
			}
			f := newDocsFixture(t)
			f.check = documents.NewReviewer(f.store, f.blobs, checker, quiet)
			res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, []ticket.Attachment{
				f.photo(t, "ktp.jpg", ticket.KindKTP, ktpPhoto(1)),
				f.photo(t, "selfie.jpg", ticket.KindSelfie, streetPhoto()),
				f.heicCard(t),
			})
			id := res.Ticket.ID

			// Before the checks, the answer waits and nothing goes out.
			var notYet *notify.NotYet
			err = f.notifier.Ack(context.Background(), id, res.Message.ID)
			if !errors.As(err, &notYet) || notYet.Pending != 3 || len(f.mx.Received()) != 0 {
				t.Fatalf("answer before the checks: %v, %d mails; want it to wait", err, len(f.mx.Received()))
			}
			f.runChecks(t, id)
			mails := f.answerMails(t, id)
			if len(mails) != 1 {
				t.Fatalf("%d mails, want exactly one", len(mails))
			}
			t.Logf("the acknowledgement:\n%s", mails[0].Body)
			wantLines(t, mails[0],
				append([]string{"- Foto KTP" + usable, noFace, tt.card, "Pengaduan Anda telah kami terima",
					"Yang masih kami perlukan: - Tempat, Tanggal Lahir - Nomor HP"}, tt.stillSent...),
				[]string{"sudah lengkap", "- Foto KTP (", "masih kami periksa", "belum kami terima"})
			if strings.Contains(mails[0].Text, "Paling Kompatibel") == tt.heif {
				t.Errorf("HEIC decoded: %v; the iPhone setting named: %v", tt.heif, !tt.heif)
			}
			if n := len(f.outboxTasks(t, store.TaskNotifyDocs, id)); n != 0 {
				t.Errorf("%d documents requests to mail besides the answer", n)
			}

			// The reply with what was asked for: one answer, all usable.
			var again []ticket.Attachment
			for _, r := range tt.resend {
				switch r {
				case "selfie":
					again = append(again, f.photo(t, "selfie-baru.jpg", ticket.KindSelfie, selfiePhoto(t)))
				case "card":
					again = append(again, f.photo(t, "kartu-vaksin.jpg", ticket.KindVaccineCard, vaccineCardPhoto(t, vaccinePayload)))
				}
			}
			reply := f.reply(t, "<msg-2@warga.test>", "<msg-1@warga.test>", again...)
			f.runChecks(t, id)
			mails = f.answerMails(t, id)
			if len(mails) != 2 || mails[1].InReplyTo != "<msg-2@warga.test>" {
				t.Fatalf("%d mails; want a second, in reply to the reply", len(mails))
			}
			wantLines(t, mails[1], []string{"Balasan Anda telah kami terima", "- Foto KTP" + usable,
				"- Swafoto memegang KTP" + usable, "- Foto kartu vaksinasi" + usable, "- Tempat, Tanggal Lahir"},
				[]string{"(kirim ulang", "belum kami terima", "tidak sesuai", "tidak dapat kami baca", "Data yang kami terima"})
			if tk := f.ticket(t, id); tk.Documents != allOK {
				t.Errorf("documents %+v, want all ok", tk.Documents)
			}
			if a, ok := ticket.AnswerTo(f.events(t, id, ticket.EventAnswered), reply.Message.ID); !ok || !a.PhotosChecked {
				t.Errorf("answered event %+v %v for the reply", a, ok)
			}
		})
	}
}

// When the checks take longer than the answer may wait, it goes saying
// the photos are being checked; what they then find wanting is mailed
// once, and nothing when all is well.
func TestAnswerWithoutWaitingForSlowChecks(t *testing.T) {
	tests := []struct {
		name     string
		blurry   bool
		requests int
	}{
		{"all fine", false, 0},
		{"a blurred KTP", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDocsFixture(t)
			var err error
			f.notifier, err = notify.NewNotifier(f.store, notifytest.Sender(f.mx), configs.Templates,
				notify.Settings{From: notifytest.From, AnswerWait: time.Nanosecond}, quiet)
			if err != nil {
				t.Fatal(err)
			}
			atts := f.goodSet(t)
			if tt.blurry {
				atts[0] = f.photo(t, "ktp.jpg", ticket.KindKTP, blurred(ktpPhoto(1)))
			}
			res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, atts)
			id := res.Ticket.ID
			f.answer(t, id) // the checks have not run
			mails := f.mx.Received()
			if len(mails) != 1 {
				t.Fatalf("%d mails, want the acknowledgement", len(mails))
			}
			ack := notifyMail{Text: notifytest.OneLine(mails[0].Text)}
			wantLines(t, ack, []string{"- Foto KTP: diterima, sedang kami periksa",
				"- Swafoto memegang KTP: diterima, sedang kami periksa", "Foto yang Anda kirim masih kami periksa"},
				[]string{"dapat kami gunakan", "(kirim ulang", "belum kami terima", "sudah lengkap"})
			if a, ok := ticket.AnswerTo(f.events(t, id, ticket.EventAnswered), res.Message.ID); !ok || a.PhotosChecked {
				t.Errorf("answered event %+v %v, want the photos not checked", a, ok)
			}

			f.runChecks(t, id)
			f.runChecks(t, id)
			all := f.answerMails(t, id)
			if len(all) != 1+tt.requests {
				t.Fatalf("%d mails, want the acknowledgement and %d request(s)", len(all), tt.requests)
			}
			if tt.requests > 0 {
				wantLines(t, all[1], []string{"Mohon kirim foto dokumen yang masih kami perlukan",
					"- Foto KTP: foto yang Anda kirim tidak dapat kami baca (" + documents.ReasonBlurry},
					[]string{"Swafoto", "kartu vaksinasi:"})
				if all[1].InReplyTo != "<msg-1@warga.test>" {
					t.Errorf("the request answers %q", all[1].InReplyTo)
				}
			}
		})
	}
}
