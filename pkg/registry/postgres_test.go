package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/registry"
	"github.com/aduan/aduan/pkg/store/storetest"
)

const (
	sitiNIK = "3201014508850001"
	agusNIK = "3171012304900002"
)

// seeded is a registry holding Siti and Agus, with a clock.
func seeded(t *testing.T) (*registry.Postgres, string) {
	t.Helper()
	st, dbURL := storetest.New(t)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	reg := registry.NewPostgres(st).WithClock(func() time.Time { return now })
	for _, p := range []registry.Person{
		{NIK: sitiNIK, Name: "Siti Aminah", Phone: "+6281234567801",
			Doses: []registry.Dose{{Dose: 1, Date: time.Date(2021, 8, 2, 0, 0, 0, 0, time.UTC), Vaccine: "Sinovac", Place: "Puskesmas"}}},
		{NIK: agusNIK, Name: "Agus Salim", Phone: "+6281322223333"},
	} {
		if out, err := reg.Import(context.Background(), p, importer); err != nil || out != registry.Created {
			t.Fatalf("import %s: %s, %v", p.Name, out, err)
		}
	}
	return reg, dbURL
}

func TestLookups(t *testing.T) {
	reg, _ := seeded(t)
	ctx := context.Background()
	for _, phone := range []string{"+6281234567801", "0812-3456-7801", "62 812 3456 7801"} {
		if p, err := reg.ByPhone(ctx, phone); err != nil || p.NIK != sitiNIK {
			t.Errorf("ByPhone(%q) = %s, %v", phone, p.Name, err)
		}
	}
	if p, err := reg.ByNIK(ctx, "3201.0145.0885.0001"); err != nil || p.Name != "Siti Aminah" || len(p.Doses) != 1 {
		t.Errorf("ByNIK = %+v, %v", p, err)
	}
	for _, miss := range []func() error{
		func() error { _, err := reg.ByPhone(ctx, "081299999999"); return err },
		func() error { _, err := reg.ByPhone(ctx, "bukan nomor"); return err },
		func() error { _, err := reg.ByNIK(ctx, "3201014508859999"); return err },
		func() error { _, err := reg.ByNIK(ctx, "1234"); return err },
	} {
		if err := miss(); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("a missing person: %v", err)
		}
	}
}

func TestChangesAreAuditedMasked(t *testing.T) {
	reg, dbURL := seeded(t)
	ctx := context.Background()
	bot := registry.Actor{Kind: registry.ActorWhatsApp, ID: "+6281234567801"}
	if err := reg.ChangeName(ctx, sitiNIK, "  Siti  Aminah Rahayu ", bot); err != nil {
		t.Fatal(err)
	}
	// The same name again changes nothing and is not audited.
	if err := reg.ChangeName(ctx, sitiNIK, "Siti Aminah Rahayu", bot); err != nil {
		t.Fatal(err)
	}
	agent := registry.Actor{Kind: registry.ActorAgent, ID: "7"}
	if err := reg.ChangePhone(ctx, sitiNIK, "0812 7777 8888", agent); err != nil {
		t.Fatal(err)
	}
	p, err := reg.ByPhone(ctx, "081277778888")
	if err != nil || p.Name != "Siti Aminah Rahayu" {
		t.Fatalf("after the changes: %+v, %v", p, err)
	}
	if _, err := reg.ByPhone(ctx, "081234567801"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("the old number still finds Siti: %v", err)
	}
	changes, err := reg.Changes(ctx, sitiNIK)
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.Change{
		{By: importer, Field: "nik", Old: "", New: "**************01"},
		{By: bot, Field: "name", Old: "Si** Am****", New: "Si** Am**** Ra****"},
		{By: agent, Field: "phone", Old: "**********7801", New: "**********8888"},
	}
	if len(changes) != len(want) {
		t.Fatalf("changes %+v", changes)
	}
	for i, w := range want {
		c := changes[i]
		if c.By != w.By || c.Field != w.Field || c.Old != w.Old || c.New != w.New || !c.At.Equal(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("change %d = %+v, want %+v", i, c, w)
		}
	}
	// Nothing in the audit's text gives the NIK, a number or a name away.
	for _, secret := range []string{sitiNIK, "81234567801", "81277778888", "Aminah", "Rahayu"} {
		if n := storetest.Count(t, dbURL, `SELECT count(*) FROM registry_audit
			WHERE concat_ws('|', field, old_masked, new_masked) LIKE '%' || $1 || '%'`, secret); n != 0 {
			t.Errorf("%d audit rows carry %q in clear", n, secret)
		}
	}
}

func TestChangePhoneTakenOrUnknown(t *testing.T) {
	reg, _ := seeded(t)
	ctx := context.Background()
	bot := registry.Actor{Kind: registry.ActorWhatsApp, ID: "+6281234567801"}
	if err := reg.ChangePhone(ctx, sitiNIK, "081322223333", bot); !errors.Is(err, registry.ErrPhoneTaken) {
		t.Errorf("Agus's number given to Siti: %v", err)
	}
	if p, _ := reg.ByNIK(ctx, sitiNIK); p.Phone != "+6281234567801" {
		t.Errorf("Siti's number is now %s", p.Phone)
	}
	if err := reg.ChangeName(ctx, "3201014508859999", "Siapa", bot); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("change of a missing NIK: %v", err)
	}
	if err := reg.ChangeName(ctx, sitiNIK, "   ", bot); err == nil || !strings.Contains(err.Error(), "nama") {
		t.Errorf("empty name: %v", err)
	}
	if err := reg.ChangeName(ctx, sitiNIK, "Siti", registry.Actor{Kind: registry.ActorAgent}); err == nil {
		t.Error("a change by nobody was accepted")
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{
		"Siti Aminah": "Si** Am****", "A. Yani": "A* Ya**", "Jo": "J*", "I Made Wira": "I* Ma** Wi**", "": "",
	} {
		if got := registry.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}
