package synth

import (
	"fmt"
	"time"
)

// Person is a complainant of the synthetic data.
type Person struct {
	Name       string
	NIK        string    // 16 digits, valid: Kab. Bogor, the birth date, a serial that is never 0000
	BirthPlace string    // a city
	BirthDate  time.Time // the date the NIK encodes
	Phone      string    // national form, digits only: 0812…, unique to the person
	Email      string
}

// MaxPeople bounds k in PersonOf: below it, no two people share a NIK or a
// phone number.
const MaxPeople = 9999 * 28 * 12 * 40

// People are numbered by range, so that each use of them stays apart:
// returning complainants are 0..pool-1 (pool at most PoolLimit), the new
// callers of request run r start at NewCallers(r), and the new callers of
// the database-only reference run at NewCallers(RunsLimit).
const (
	PoolLimit = 10_000_000
	RunsLimit = 10
)

// NewCallers returns the first k of run's new callers; each run has
// PoolLimit of them.
func NewCallers(run int) int { return (run + 1) * PoolLimit }

var (
	names = []string{"Siti Aminah", "Agus Salim", "Rina Wulandari", "Budi Santoso", "Dewi Lestari",
		"Ahmad Fauzi", "Nur Hidayah", "Eko Prasetyo", "Sri Rahayu", "Joko Susilo", "Putu Ayu Lestari",
		"Muhammad Rizki", "Fitri Handayani", "Yohanes Simanjuntak", "Wayan Sudarsana"}
	places = []string{"Bogor", "Jakarta", "Bandung", "Surabaya", "Medan", "Denpasar", "Makassar", "Semarang"}
	months = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
		"Oktober", "November", "Desember"}
)

// PersonOf returns person k (0 <= k < MaxPeople). The NIK's serial, day,
// month and year count up from k, so no other k below MaxPeople has the same
// NIK; women (every other triple of k) have 40 added to the day, as on a
// real KTP.
func PersonOf(k int) Person {
	if k < 0 || k >= MaxPeople {
		panic(fmt.Sprintf("synth: person %d outside 0..%d", k, MaxPeople-1))
	}
	serial := k%9999 + 1
	q := k / 9999
	day, month, year := q%28+1, (q/28)%12+1, 1960+(q/336)%40
	nikDay := day
	if (k/3)%2 == 1 {
		nikDay += 40
	}
	return Person{
		Name:       names[k%len(names)],
		NIK:        fmt.Sprintf("320101%02d%02d%02d%04d", nikDay, month, year%100, serial),
		BirthPlace: places[k%len(places)],
		BirthDate:  time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC),
		Phone:      fmt.Sprintf("08%02d%08d", 12+k/100_000_000, k%100_000_000),
		Email:      fmt.Sprintf("pelapor.%d@warga.test", k),
	}
}

// BirthText is the birth place and date as people write them in a form:
// "Bogor, 5 Maret 1975".
func (p Person) BirthText() string {
	return fmt.Sprintf("%s, %d %s %d", p.BirthPlace, p.BirthDate.Day(), months[p.BirthDate.Month()-1], p.BirthDate.Year())
}

// PhoneE164 is the phone number as Aduan stores it: +62812….
func (p Person) PhoneE164() string { return "+62" + p.Phone[1:] }

// PhoneText is the phone number in groups, as people write it: 0812-0000-1234.
func (p Person) PhoneText() string {
	return p.Phone[:4] + "-" + p.Phone[4:8] + "-" + p.Phone[8:]
}
