package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/registry"
)

// DemoPerson is one person of the demo registry, as `make run` lists them
// for whoever tries the WhatsApp chat page.
type DemoPerson struct {
	Name, NIK, Phone string
	Story            string // what trying them shows
	person           registry.Person
	registeredAgo    int // days before today the record was made
}

// LocalPhone is the number as people write it in Indonesia (0812…).
func (p DemoPerson) LocalPhone() string { return "0" + strings.TrimPrefix(p.Phone, "+62") }

// DemoPeople are the demo registry's people, their doses dated from today
// so that the stories hold whenever the demo runs. The first four NIKs and
// numbers are those of the demo tickets, so the agent sees one person
// across channels.
func DemoPeople(today time.Time) []DemoPerson {
	day := func(ago int) time.Time {
		d := today.AddDate(0, 0, -ago)
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	}
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	birth := func(y int, m time.Month, d int) *time.Time { t := date(y, m, d); return &t }
	people := []DemoPerson{
		{Story: "lengkap 3 dosis: Download Sertifikat dan Status Vaksinasi berhasil",
			person: registry.Person{NIK: "3201014508850001", Name: "Siti Aminah", BirthDate: birth(1985, 8, 5), Phone: "+6281234567801",
				Doses: []registry.Dose{
					{Dose: 1, Date: date(2021, 8, 2), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"},
					{Dose: 2, Date: date(2021, 8, 30), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"},
					{Dose: 3, Date: date(2022, 3, 14), Vaccine: "Pfizer", Place: "RSUD Cibinong"}}}},
		{Story: "nama tercatat salah ketik (Agus Salimm): Ubah Info Diri → Ubah Nama",
			person: registry.Person{NIK: "3171012304900002", Name: "Agus Salimm", BirthDate: birth(1990, 4, 23), Phone: "+6281322223333",
				Doses: []registry.Dose{
					{Dose: 1, Date: date(2021, 9, 1), Vaccine: "AstraZeneca", Place: "RSUD Tarakan"},
					{Dose: 2, Date: date(2021, 11, 24), Vaccine: "AstraZeneca", Place: "RSUD Tarakan"}}}},
		{Story: "NIK di KTP-nya (3578015012920003) terdaftar atas nama orang lain: Ubah Info Diri → tiket nik_conflict",
			person: registry.Person{NIK: "3578015012920031", Name: "Rina Wulandari", BirthDate: birth(1992, 12, 10), Phone: "+6285711112222",
				Doses: []registry.Dose{{Dose: 1, Date: date(2021, 10, 5), Vaccine: "Moderna", Place: "Puskesmas Wonokromo"}}}},
		{Story: "pemegang NIK 3578015012920003 yang dipakai Rina (bukan untuk diketik)",
			person: registry.Person{NIK: "3578015012920003", Name: "Rudi Hartono", BirthDate: birth(1992, 10, 10), Phone: "+6281900001111",
				Doses: []registry.Dose{{Dose: 1, Date: date(2021, 7, 19), Vaccine: "Sinovac", Place: "Puskesmas Tambaksari"}}}},
		{Story: "dosis terakhir 3 hari lalu: sertifikat belum terbit, coba lagi nanti",
			person: registry.Person{NIK: "3273011203880004", Name: "Budi Santoso", BirthDate: birth(1988, 3, 12), Phone: "+6281311114444",
				Doses: []registry.Dose{
					{Dose: 1, Date: day(31), Vaccine: "Sinovac", Place: "Puskesmas Coblong"},
					{Dose: 2, Date: day(3), Vaccine: "Sinovac", Place: "Puskesmas Coblong"}}}},
		{Story: "terdaftar 14 hari lalu, belum ada dosis tercatat: sertifikat tidak ada",
			registeredAgo: 14,
			person:        registry.Person{NIK: "3374015507950005", Name: "Dewi Lestari", BirthDate: birth(1995, 7, 15), Phone: "+6281555556666"}},
	}
	for i := range people {
		p := &people[i]
		p.Name, p.NIK, p.Phone = p.person.Name, p.person.NIK, p.person.Phone
	}
	return people
}

// seedDemoPeople puts the demo people into Aduan's own registry. Run again
// the same day it changes nothing; on a later day it moves the doses dated
// from today, so the stories still hold.
func (a *App) seedDemoPeople(ctx context.Context, now time.Time) ([]DemoPerson, error) {
	people := DemoPeople(now)
	by := registry.Actor{Kind: registry.ActorImport, ID: "aduan seed --demo"}
	for _, p := range people {
		// The record's creation date is when the person registered.
		reg := registry.NewPostgres(a.Store.WithClock(func() time.Time { return now.AddDate(0, 0, -p.registeredAgo) }))
		if _, err := reg.Import(ctx, p.person, by); err != nil {
			return nil, fmt.Errorf("demo person %s: %w", p.Name, err)
		}
	}
	return people, nil
}
