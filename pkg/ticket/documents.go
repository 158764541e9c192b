package ticket

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// RequiredDocument is one of the three photos a complaint about a
// certificate or personal data needs (Category.NeedsDocuments), with the
// words the help desk uses for it.
type RequiredDocument struct {
	Kind  AttachmentKind
	Photo string // the photo as people are asked for it, e.g. "foto KTP"
	Shows string // what it shows, as a receipt names it, e.g. "KTP"
}

// RequiredDocuments are the three, in the order people are asked for them.
var RequiredDocuments = []RequiredDocument{
	{Kind: KindKTP, Photo: "foto KTP", Shows: "KTP"},
	{Kind: KindSelfie, Photo: "swafoto memegang KTP", Shows: "swafoto dengan KTP"},
	{Kind: KindVaccineCard, Photo: "foto kartu vaksinasi", Shows: "kartu vaksinasi"},
}

// RequiredDocumentOf returns the required document of kind k; ok is false
// for a kind that is not one (other, unknown).
func RequiredDocumentOf(k AttachmentKind) (d RequiredDocument, ok bool) {
	i := slices.IndexFunc(RequiredDocuments, func(d RequiredDocument) bool { return d.Kind == k })
	if i < 0 {
		return RequiredDocument{}, false
	}
	return RequiredDocuments[i], true
}

// IsRequiredDocument reports whether kind k is one of the three.
func IsRequiredDocument(k AttachmentKind) bool {
	_, ok := RequiredDocumentOf(k)
	return ok
}

// Heading is Photo starting a sentence or a list item: "Foto KTP".
func (d RequiredDocument) Heading() string {
	r, size := utf8.DecodeRuneInString(d.Photo)
	return string(unicode.ToUpper(r)) + d.Photo[size:]
}

// State returns the state of the document of kind k; missing for a kind
// that is not one of the three.
func (d Documents) State(k AttachmentKind) DocumentState {
	switch k {
	case KindKTP:
		return d.KTP
	case KindSelfie:
		return d.Selfie
	case KindVaccineCard:
		return d.VaccineCard
	}
	return DocMissing
}

// With returns d with the document of kind k in state s; d itself for a
// kind that is not one of the three.
func (d Documents) With(k AttachmentKind, s DocumentState) Documents {
	switch k {
	case KindKTP:
		d.KTP = s
	case KindSelfie:
		d.Selfie = s
	case KindVaccineCard:
		d.VaccineCard = s
	}
	return d
}
