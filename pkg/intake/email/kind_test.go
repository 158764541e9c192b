package email

import (
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
