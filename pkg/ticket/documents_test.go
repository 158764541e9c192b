package ticket

import "testing"

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
