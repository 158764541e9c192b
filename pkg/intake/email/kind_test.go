package email

import (
	"bytes"
	"testing"

	"github.com/aduan/aduan/pkg/ticket"
)

func TestGuessKind(t *testing.T) {
	tests := []struct {
		name, filename, contentType string
		position                    int
		want                        ticket.AttachmentKind
	}{
		{"ktp by name", "KTP_Budi.jpg", "image/jpeg", 2, ticket.KindKTP},
		{"e-ktp by name", "foto e-ktp.png", "image/png", 1, ticket.KindKTP},
		{"kartu tanda penduduk", "Kartu Tanda Penduduk.jpeg", "image/jpeg", 2, ticket.KindKTP},
		{"ktp glued to another word", "fotoKTP.jpg", "image/jpeg", 1, ticket.KindKTP},
		{"selfie by name", "selfie.jpg", "image/jpeg", 0, ticket.KindSelfie},
		{"selfie holding the KTP", "Selfie_dengan_KTP.jpg", "image/jpeg", 0, ticket.KindSelfie},
		{"swafoto", "swafoto-budi.heic", "image/heic", 2, ticket.KindSelfie},
		{"wajah", "Foto Wajah.jpg", "image/jpeg", 0, ticket.KindSelfie},
		{"foto diri", "foto_diri.png", "image/png", 0, ticket.KindSelfie},
		{"kartu vaksin", "Kartu Vaksin.jpg", "image/jpeg", 0, ticket.KindVaccineCard},
		{"sertifikat pdf", "sertifikat-dosis-1.pdf", "application/pdf", 0, ticket.KindVaccineCard},
		{"vaccine in English", "vaccine.png", "image/png", 1, ticket.KindVaccineCard},
		{"card", "Card.jpg", "image/jpeg", 0, ticket.KindVaccineCard},
		{"id card is a KTP", "ID-Card.jpg", "image/jpeg", 2, ticket.KindKTP},
		{"directory in the name dropped", `C:\Users\vaksin\IMG_0001.JPG`, "image/jpeg", 0, ticket.KindKTP},

		{"position 0", "IMG_20211110_101010.jpg", "image/jpeg", 0, ticket.KindKTP},
		{"position 1", "IMG_20211110_101011.jpg", "image/jpeg", 1, ticket.KindSelfie},
		{"position 2", "IMG_20211110_101012.jpg", "image/jpeg", 2, ticket.KindVaccineCard},
		{"position 3", "IMG_20211110_101013.jpg", "image/jpeg", 3, ticket.KindUnknown},
		{"negative position", "image001.png", "image/png", -1, ticket.KindUnknown},
		{"untitled PDF by position", "scan.pdf", "application/pdf", 2, ticket.KindVaccineCard},
		{"content type with parameters", "image001.png", `image/png; name="image001.png"`, 1, ticket.KindSelfie},
		{"octet-stream HEIC by extension", "IMG_4411.HEIC", "application/octet-stream", 0, ticket.KindKTP},
		{"no content type, PDF by extension", "dokumen.pdf", "", 1, ticket.KindSelfie},

		{"word document", "ktp.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 0, ticket.KindOther},
		{"zip", "kartu_vaksin.zip", "application/zip", 0, ticket.KindOther},
		{"text", "keluhan.txt", "text/plain", 0, ticket.KindOther},
		{"octet-stream without an image extension", "ktp.bin", "application/octet-stream", 0, ticket.KindOther},
		{"no content type, no extension", "ktp", "", 0, ticket.KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GuessKind(tt.filename, tt.contentType, tt.position); got != tt.want {
				t.Errorf("GuessKind(%q, %q, %d) = %s, want %s", tt.filename, tt.contentType, tt.position, got, tt.want)
			}
		})
	}
}

func TestPartKind(t *testing.T) {
	small, photo := bytes.Repeat([]byte{1}, minPhotoSize-1), bytes.Repeat([]byte{1}, minPhotoSize)
	tests := []struct {
		name     string
		part     Part
		position int
		want     ticket.AttachmentKind
		placed   bool
	}{
		{"photo by position", Part{Filename: "IMG_0001.jpg", ContentType: "image/jpeg", Content: photo}, 0, ticket.KindKTP, true},
		{"photo by name", Part{Filename: "selfie.jpg", ContentType: "image/jpeg", Content: photo}, 0, ticket.KindSelfie, true},
		{"logo without a name", Part{ContentType: "image/png", ContentID: "logo@x", Inline: true, Content: small}, 0, ticket.KindOther, false},
		{"small image with a plain name", Part{Filename: "image001.png", ContentType: "image/png", Content: small}, 1, ticket.KindOther, false},
		{"small image named ktp", Part{Filename: "ktp.png", ContentType: "image/png", Content: small}, 0, ticket.KindKTP, false},
		{"small image named kartu vaksin", Part{Filename: "kartu-vaksin.jpg", ContentType: "image/jpeg", Content: small}, 0, ticket.KindVaccineCard, false},
		{"small octet-stream image", Part{Filename: "logo.gif", ContentType: "application/octet-stream", Content: small}, 0, ticket.KindOther, false},
		{"small PDF keeps its position", Part{Filename: "scan.pdf", ContentType: "application/pdf", Content: small}, 2, ticket.KindVaccineCard, true},
		{"small octet-stream PDF keeps its position", Part{Filename: "scan.PDF", ContentType: "application/octet-stream", Content: small}, 0, ticket.KindKTP, true},
		{"not a document", Part{Filename: "ktp.docx", ContentType: "application/msword", Content: photo}, 0, ticket.KindOther, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, placed := partKind(tt.part, tt.position)
			if got != tt.want || placed != tt.placed {
				t.Errorf("partKind(%q, %d) = %s, %v; want %s, %v", tt.part.Filename, tt.position, got, placed, tt.want, tt.placed)
			}
		})
	}
}
