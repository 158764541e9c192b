package ticket

import (
	"encoding/json"
	"testing"
)

func TestRequiredDocuments(t *testing.T) {
	want := map[AttachmentKind]string{KindKTP: "Foto KTP", KindSelfie: "Swafoto memegang KTP",
		KindVaccineCard: "Foto kartu vaksinasi"}
	if len(RequiredDocuments) != len(want) {
		t.Fatalf("%d required documents, want %d", len(RequiredDocuments), len(want))
	}
	d := NoDocuments
	for _, r := range RequiredDocuments {
		if got, ok := RequiredDocumentOf(r.Kind); !ok || got.Heading() != want[r.Kind] || !IsRequiredDocument(r.Kind) {
			t.Errorf("%s: %+v, heading %q", r.Kind, got, got.Heading())
		}
		if d.State(r.Kind) != DocMissing {
			t.Errorf("%s is %s in NoDocuments", r.Kind, d.State(r.Kind))
		}
		d = d.With(r.Kind, DocOK)
		if d.State(r.Kind) != DocOK {
			t.Errorf("With(%s, ok) left it %s", r.Kind, d.State(r.Kind))
		}
	}
	if d != (Documents{KTP: DocOK, Selfie: DocOK, VaccineCard: DocOK}) {
		t.Errorf("all set: %+v", d)
	}
	for _, k := range []AttachmentKind{KindOther, KindUnknown, ""} {
		if IsRequiredDocument(k) || d.With(k, DocMismatch) != d || d.State(k) != DocMissing {
			t.Errorf("%q is treated as a required document", k)
		}
	}
}

func TestFillDefaults(t *testing.T) {
	var tk Ticket
	tk.FillDefaults()
	if tk.Status != StatusNew || tk.Priority != PriorityNormal || tk.Category != CategoryOther || tk.Documents != NoDocuments {
		t.Errorf("defaults: %s %s %s %+v", tk.Status, tk.Priority, tk.Category, tk.Documents)
	}
	set := Ticket{Status: StatusNeedsInfo, Priority: PriorityHigh, Category: CategoryNIKConflict,
		Documents: Documents{KTP: DocReceived}}
	got := set
	got.FillDefaults()
	if got.Status != set.Status || got.Priority != set.Priority || got.Category != set.Category || got.Documents != set.Documents {
		t.Errorf("FillDefaults overwrote what was set: %+v", got)
	}
}

func TestDocumentsOfAndRequestFor(t *testing.T) {
	att := func(id int64, kind AttachmentKind, v Verdict, reasons ...string) Attachment {
		return Attachment{ID: id, Kind: kind, Stored: true, Check: Check{Verdict: v, Reasons: reasons}}
	}
	atts := []Attachment{
		att(1, KindKTP, VerdictUnreadable, "foto buram"),
		att(2, KindKTP, VerdictOK), // a later good KTP wins
		att(3, KindSelfie, VerdictUnreadable, "terlalu gelap"),
		att(4, KindSelfie, VerdictMismatch, "tidak ada wajah"), // mismatch ranks over unreadable
		att(5, KindOther, VerdictPending),
		{ID: 6, Kind: KindVaccineCard, RefusedReason: RefusedTooLarge}, // refused: not received
	}
	docs, pending := DocumentsOf(atts)
	want := Documents{KTP: DocOK, Selfie: DocMismatch, VaccineCard: DocMissing}
	if docs != want || pending != 1 {
		t.Fatalf("DocumentsOf = %+v, %d pending; want %+v, 1", docs, pending, want)
	}
	req := RequestFor(docs, atts)
	if req == nil || len(req.Missing) != 1 || req.Missing[0] != KindVaccineCard || len(req.Problems) != 1 ||
		req.Problems[0].Kind != KindSelfie || req.Problems[0].Reasons[0] != "tidak ada wajah" ||
		req.Key != "selfie:mismatch:4|vaccine_card:missing" {
		t.Fatalf("RequestFor = %+v", req)
	}
	if r := RequestFor(Documents{KTP: DocOK, Selfie: DocOK, VaccineCard: DocOK}, nil); r != nil {
		t.Errorf("all ok: request %+v, want none", r)
	}
}

// AnswerTo reads answered events as the store gives them back: JSON.
func TestAnswerTo(t *testing.T) {
	var events []Event
	for _, a := range []Answer{{MessageID: 7, AnswerID: 9, PhotosChecked: false}, {MessageID: 8, AnswerID: 10, PhotosChecked: true}} {
		b, err := json.Marshal(a.Data())
		if err != nil {
			t.Fatal(err)
		}
		var data map[string]any
		if err := json.Unmarshal(b, &data); err != nil {
			t.Fatal(err)
		}
		events = append(events, Event{Kind: EventAnswered, Data: data})
	}
	events = append(events, Event{Kind: EventDocumentsRequested, Data: map[string]any{"message_id": 11.0}})
	for _, tt := range []struct {
		message int64
		want    Answer
		ok      bool
	}{{7, Answer{7, 9, false}, true}, {8, Answer{8, 10, true}, true}, {11, Answer{}, false}, {12, Answer{}, false}} {
		if got, ok := AnswerTo(events, tt.message); got != tt.want || ok != tt.ok {
			t.Errorf("AnswerTo(%d) = %+v %v, want %+v %v", tt.message, got, ok, tt.want, tt.ok)
		}
	}
}
