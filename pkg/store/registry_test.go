package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestRegistryPeople(t *testing.T) {
	st, dbURL := storetest.New(t)
	ctx := context.Background()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	birth := day(1985, 8, 5)
	siti := store.RegistryPerson{NIK: "3201014508850001", Name: "Siti Aminah", BirthDate: &birth, Phone: "+6281234567801",
		Doses: []store.RegistryDose{{Dose: 2, Date: day(2021, 8, 30), Vaccine: "Sinovac", Place: "Puskesmas"},
			{Dose: 1, Date: day(2021, 8, 2), Vaccine: "Sinovac", Place: "Puskesmas"}}}
	if err := st.CreateRegistryPerson(ctx, &siti); err != nil || siti.ID == 0 {
		t.Fatalf("create: %v (id %d)", err, siti.ID)
	}
	got, err := st.RegistryPersonByPhone(ctx, "+6281234567801")
	if err != nil || got.ID != siti.ID || got.BirthDate.Format(time.DateOnly) != "1985-08-05" || len(got.Doses) != 2 ||
		got.Doses[0].Dose != 1 || !got.Doses[1].Date.Equal(day(2021, 8, 30)) {
		t.Fatalf("by phone: %+v, %v", got, err)
	}
	agus := store.RegistryPerson{NIK: "3171012304900002", Name: "Agus Salim"}
	if err := st.CreateRegistryPerson(ctx, &agus); err != nil {
		t.Fatal(err)
	}
	if got, err := st.RegistryPersonByNIK(ctx, agus.NIK, false); err != nil || got.Phone != "" || got.Doses != nil {
		t.Errorf("a person with no number and no dose: %+v, %v", got, err)
	}
	// A number belongs to one record.
	agus.Phone = siti.Phone
	if err := st.UpdateRegistryPerson(ctx, agus); store.UniqueViolation(err) != store.ConstraintRegistryPhone {
		t.Errorf("a second record with Siti's number: %v", err)
	}
	for _, bad := range []store.RegistryPerson{{NIK: "12345", Name: "A"}, {NIK: "3201014508850009", Name: ""},
		{NIK: "3201014508850009", Name: "A", Phone: "081234"}, {NIK: siti.NIK, Name: "Kembar"}} {
		if err := st.CreateRegistryPerson(ctx, &bad); err == nil {
			t.Errorf("stored %+v", bad)
		}
	}
	if _, err := st.RegistryPersonByNIK(ctx, "3201014508859999", false); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Errorf("a missing NIK: %v", err)
	}
	if err := st.ReplaceRegistryDoses(ctx, siti.ID, nil); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM registry_doses WHERE person_id = $1`, siti.ID); n != 0 {
		t.Errorf("%d doses left after replacing them with none", n)
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	if err := st.AddRegistryChanges(ctx, store.RegistryChange{PersonID: siti.ID, At: at, ActorKind: "agent", ActorID: "7",
		Field: "name", Old: "Si** Am****", New: "Si** Am**** Ra****"}); err != nil {
		t.Fatal(err)
	}
	changes, err := st.RegistryChanges(ctx, siti.ID)
	if err != nil || len(changes) != 1 || changes[0].ActorID != "7" || !changes[0].At.Equal(at) || changes[0].New != "Si** Am**** Ra****" {
		t.Errorf("changes %+v, %v", changes, err)
	}
	if err := st.AddRegistryChanges(ctx, store.RegistryChange{PersonID: siti.ID, At: at, ActorKind: "robot", ActorID: "x", Field: "name"}); err == nil {
		t.Error("an unknown actor kind was audited")
	}
}
