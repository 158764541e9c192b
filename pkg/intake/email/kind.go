package email

import (
	"mime"
	"path"
	"strings"
	"unicode"

	"github.com/aduan/aduan/pkg/ticket"
)

// kindWords tells an attachment's kind from its file name. Selfie comes
// first because the selfie shows the person holding the KTP and is often
// named so ("selfie_ktp.jpg"); the KTP comes before the vaccination card
// because "card" also ends "idcard". Words are matched inside the name with
// everything but letters and digits removed, so "e-KTP", "fotoKTP" and
// "foto_diri" all count.
var kindWords = []struct {
	kind  ticket.AttachmentKind
	words []string
}{
	{ticket.KindSelfie, []string{"selfi", "swafoto", "wajah", "fotodiri"}},
	{ticket.KindKTP, []string{"ktp", "kartutandapenduduk", "idcard"}},
	{ticket.KindVaccineCard, []string{"vaksin", "vaccin", "sertifikat", "certificate", "card"}},
}

// documentExtensions are the image and PDF file name extensions trusted when
// the mail gives no useful content type.
var documentExtensions = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".png": true, ".gif": true, ".bmp": true,
	".webp": true, ".heic": true, ".heif": true, ".tif": true, ".tiff": true, ".pdf": true,
}

// GuessKind makes a first guess of what an attachment shows from its file
// name and its position among the mail's image/PDF attachments (0-based):
// people usually attach KTP, selfie, vaccination card in that order. Names
// win over position: "ktp", "e-ktp", "kartu tanda penduduk" → ktp; "selfie",
// "swafoto", "wajah", "foto diri" → selfie; "vaksin", "kartu vaksin",
// "sertifikat", "vaccine", "card" → vaccine_card. Non-image, non-PDF files →
// other. Images without a telling name: position 0 → ktp, 1 → selfie,
// 2 → vaccine_card, else unknown. PDFs are placed like images: a scanned
// KTP or card is as likely a PDF as a photo.
func GuessKind(filename, contentType string, position int) ticket.AttachmentKind {
	if !isDocument(filename, contentType) {
		return ticket.KindOther
	}
	name := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, baseName(filename))
	for _, kw := range kindWords {
		for _, w := range kw.words {
			if strings.Contains(name, w) {
				return kw.kind
			}
		}
	}
	if position >= 0 && position < len(ticket.RequiredDocuments) { // people attach them in the order asked
		return ticket.RequiredDocuments[position].Kind
	}
	return ticket.KindUnknown
}

// minPhotoSize is the smallest decoded image that may be one of the three
// photos by its position alone. A phone photo of a KTP runs to hundreds of
// kilobytes; an image under 8 KiB is a signature logo, an icon or a spacer,
// and taking a position would let it pass for the KTP.
const minPhotoSize = 8 << 10

// partKind guesses the kind of a mail's file at position among its
// image/PDF files, and reports whether it took that position. A small
// image is known only by its name: otherwise it is other, and the next
// photo takes the position.
func partKind(p Part, position int) (ticket.AttachmentKind, bool) {
	switch {
	case !isDocument(p.Filename, p.ContentType):
		return ticket.KindOther, false
	case len(p.Content) < minPhotoSize && !isPDF(p.Filename, p.ContentType):
		if kind := GuessKind(p.Filename, p.ContentType, -1); kind != ticket.KindUnknown {
			return kind, false
		}
		return ticket.KindOther, false
	}
	return GuessKind(p.Filename, p.ContentType, position), true
}

// isDocument reports whether the attachment is an image or a PDF. A specific
// content type is believed; a missing or generic one (phones often send
// HEIC as application/octet-stream) leaves it to the file name's extension.
func isDocument(filename, contentType string) bool {
	mt := mediaType(contentType)
	switch {
	case strings.HasPrefix(mt, "image/"), mt == "application/pdf", mt == "application/x-pdf":
		return true
	case mt == "", mt == "application/octet-stream", mt == "binary/octet-stream":
		return documentExtensions[strings.ToLower(path.Ext(baseName(filename)))]
	}
	return false
}

// isPDF reports whether a document is a PDF rather than an image: a small
// PDF is still a scan or a certificate, never a logo.
func isPDF(filename, contentType string) bool {
	switch mt := mediaType(contentType); mt {
	case "application/pdf", "application/x-pdf":
		return true
	case "", "application/octet-stream", "binary/octet-stream":
		return strings.EqualFold(path.Ext(baseName(filename)), ".pdf")
	}
	return false
}

// mediaType is contentType without its parameters, lowercased; a type
// mime cannot parse is cut at its first ";".
func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), ";")
	}
	return mt
}

// baseName drops any directory a mail client left in the file name, with
// either kind of slash.
func baseName(filename string) string {
	if i := strings.LastIndexAny(filename, `/\`); i >= 0 {
		return filename[i+1:]
	}
	return filename
}
