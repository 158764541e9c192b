package ticket

import (
	"slices"
	"strconv"
	"strings"
)

// DocumentKinds are the three documents a complaint may need, in the order
// people are asked for them.
var DocumentKinds = []AttachmentKind{KindKTP, KindSelfie, KindVaccineCard}

// IsDocument reports whether k is one of the three documents.
func (k AttachmentKind) IsDocument() bool { return slices.Contains(DocumentKinds, k) }

// State returns the state of document k; "" when k is not a document.
func (d Documents) State(k AttachmentKind) DocumentState {
	switch k {
	case KindKTP:
		return d.KTP
	case KindSelfie:
		return d.Selfie
	case KindVaccineCard:
		return d.VaccineCard
	}
	return ""
}

// DocumentsOf derives a ticket's documents from its attachments: per
// kind, ok if any is ok, else mismatch if any is, else unreadable if any
// is, else received if any is still being checked, else missing. Refused
// files do not count. pending is how many stored attachments still wait
// for their check.
func DocumentsOf(atts []Attachment) (docs Documents, pending int) {
	rank := map[DocumentState]int{DocMissing: 0, DocReceived: 1, DocUnreadable: 2, DocMismatch: 3, DocOK: 4}
	state := map[AttachmentKind]DocumentState{}
	for _, a := range atts {
		if !a.Stored {
			continue
		}
		s := a.documentState()
		if s == DocReceived {
			pending++
		}
		if a.Kind.IsDocument() && rank[s] > rank[state[a.Kind]] {
			state[a.Kind] = s
		}
	}
	get := func(k AttachmentKind) DocumentState {
		if s, ok := state[k]; ok {
			return s
		}
		return DocMissing
	}
	return Documents{KTP: get(KindKTP), Selfie: get(KindSelfie), VaccineCard: get(KindVaccineCard)}, pending
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
	for _, k := range DocumentKinds {
		s := docs.State(k)
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
