package whatsapp_test

import (
	"context"
	"testing"

	"github.com/aduan/aduan/pkg/registry"
)

// TestWithThePostgresRegistry runs the three menus against the registry
// Aduan keeps in PostgreSQL: its changes are audited with the verified
// number, in the bot's transaction.
func TestWithThePostgresRegistry(t *testing.T) {
	h := newHarness(t)
	reg := registry.NewPostgres(h.s)
	for _, p := range people() {
		if _, err := reg.Import(context.Background(), p, registry.Actor{Kind: registry.ActorImport, ID: "people.jsonl"}); err != nil {
			t.Fatal(err)
		}
	}
	h.deps.Registry = reg
	h.bot = h.newBot()

	out := h.tap(waSiti, h.verify(waSiti, "081234567890"), "Status Vaksinasi")
	h.text(waSiti, "SITI AMINAH")
	out = h.text(waSiti, nikSiti)
	expect(t, out, "Dosis 2: 09/09/2021, Sinovac, Puskesmas Cibinong")

	h.tap(waSiti, out, "Download Sertifikat")
	h.text(waSiti, "Siti Aminah")
	out = h.text(waSiti, nikSiti)
	expect(t, out, "<document sertifikat-vaksin-")

	h.tap(waSiti, h.tap(waSiti, out, "Ubah Info Diri"), "Ubah Nama")
	h.text(waSiti, "Siti Aminah Lestari")
	out = h.text(waSiti, nikSiti)
	expect(t, out, "Siti Aminah Lestari")
	p, err := reg.ByNIK(context.Background(), nikSiti)
	if err != nil || p.Name != "Siti Aminah Lestari" {
		t.Fatalf("record %+v, %v", p, err)
	}
	changes, err := reg.Changes(context.Background(), nikSiti)
	if err != nil {
		t.Fatal(err)
	}
	last := changes[len(changes)-1]
	if last.Field != "name" || last.By != (registry.Actor{Kind: registry.ActorWhatsApp, ID: phoneSiti}) {
		t.Errorf("last change %+v, want the name by the verified number", last)
	}

	// Budi's number is taken.
	h.tap(waSiti, h.tap(waSiti, out, "Ubah Info Diri"), "Ubah Nomor HP")
	h.text(waSiti, "Siti Aminah Lestari")
	h.text(waSiti, nikSiti)
	out = h.text(waSiti, "081398765432")
	expect(t, out, "sudah terdaftar untuk orang lain")
	if p, _ := reg.ByNIK(context.Background(), nikSiti); p.Phone != phoneSiti {
		t.Errorf("Siti's number changed: %+v", p)
	}

	// Budi's NIK from Siti's verified number: a ticket, nothing changed.
	h.tap(waSiti, h.tap(waSiti, out, "Ubah Info Diri"), "Ubah Nomor HP")
	h.text(waSiti, "Siti Aminah Lestari")
	expect(t, h.text(waSiti, nikBudi), "foto KTP")
	if p, _ := reg.ByNIK(context.Background(), nikBudi); p.Phone != phoneBudi {
		t.Errorf("Budi's record changed: %+v", p)
	}
}
