package ticket

import (
	"slices"
	"strconv"
	"strings"
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

// DocumentsOf derives a ticket's documents from its attachments: per
// kind, ok if any is ok, else mismatch if any is, else unreadable if any
// is, else received if any is still being checked, else missing. Refused
// files do not count. pending is how many stored attachments still wait
// for their check.
func DocumentsOf(atts []Attachment) (docs Documents, pending int) {
	rank := map[DocumentState]int{DocMissing: 0, DocReceived: 1, DocUnreadable: 2, DocMismatch: 3, DocOK: 4}
	docs = NoDocuments
	for _, a := range atts {
		if !a.Stored {
			continue
		}
		s := a.documentState()
		if s == DocReceived {
			pending++
		}
		if IsRequiredDocument(a.Kind) && rank[s] > rank[docs.State(a.Kind)] {
			docs = docs.With(a.Kind, s)
		}
	}
	return docs, pending
}

// documentState is what a's check says of the document it shows.
func (a Attachment) documentState() DocumentState {
	switch a.Check.Verdict {
	case VerdictOK:
		return DocOK
	case VerdictMismatch:
		return DocMismatch
	case VerdictUnreadable:
		return DocUnreadable
	}
	return DocReceived
}

// RequestFor is what to ask the complainant for, given the documents and
// the attachments they came from, or nil when all three are ok: what is
// missing or still being checked, and each unusable document with the
// reasons of its latest such photo. The key names each document's state
// and the attachments that made it, so a new photo that is still unusable
// makes a new request.
func RequestFor(docs Documents, atts []Attachment) *DocsRequest {
	r := &DocsRequest{Missing: []AttachmentKind{}, Problems: []DocsProblem{}}
	var key []string
	for _, d := range RequiredDocuments {
		k, s := d.Kind, docs.State(d.Kind)
		switch s {
		case DocOK:
			continue
		case DocMissing, DocReceived:
			r.Missing = append(r.Missing, k)
			key = append(key, string(k)+":missing")
			continue
		}
		var ids []string
		p := DocsProblem{Kind: k, State: s}
		for _, a := range atts {
			if a.Stored && a.Kind == k && a.documentState() == s {
				ids = append(ids, strconv.FormatInt(a.ID, 10))
				p.Reasons = a.Check.Reasons
			}
		}
		r.Problems = append(r.Problems, p)
		key = append(key, string(k)+":"+string(s)+":"+strings.Join(ids, ","))
	}
	if len(key) == 0 {
		return nil
	}
	r.Key = strings.Join(key, "|")
	return r
}
