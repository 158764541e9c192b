package synth

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/aduan/aduan/pkg/ticket"
)

// Categories are the ticket categories, in the order the requests and the
// history cycle through them.
var Categories = []ticket.Category{
	ticket.CategoryCertificateMissing, ticket.CategoryCertificateDataError, ticket.CategoryPersonalDataChange,
	ticket.CategoryNIKConflict, ticket.CategoryVaccinationStatus, ticket.CategoryAppIssue, ticket.CategoryOther,
}

// Descriptions holds what an agent types for a call of each category.
var Descriptions = map[ticket.Category]string{
	ticket.CategoryCertificateMissing:   "Sudah vaksin dosis kedua tanggal 2 November, sertifikat belum keluar di aplikasi PeduliLindungi. Mohon dibantu dicek.",
	ticket.CategoryCertificateDataError: "Tanggal vaksin di sertifikat tertulis 12 Oktober, padahal saya divaksin 21 Oktober di Puskesmas Cibinong.",
	ticket.CategoryPersonalDataChange:   "Nama di sertifikat salah ketik, seharusnya sesuai KTP. Nomor HP juga mau diganti karena yang lama hilang.",
	ticket.CategoryNIKConflict:          "Saat daftar muncul pesan NIK sudah terdaftar, padahal belum pernah vaksin. Sepertinya NIK saya dipakai orang lain.",
	ticket.CategoryVaccinationStatus:    "Menanyakan status vaksinasi ibu saya, sudah dosis ketiga tetapi di aplikasi masih tertulis dosis kedua.",
	ticket.CategoryAppIssue:             "Kode OTP tidak masuk ke nomor HP saya, sudah dicoba berkali-kali sejak kemarin sore.",
	ticket.CategoryOther:                "Penelepon menanyakan cara mencetak sertifikat untuk keperluan perjalanan ke luar negeri bulan depan.",
}

// Call is the body of POST /api/v1/tickets as the call center sends it.
type Call struct {
	Channel     ticket.Channel  `json:"channel"`
	Category    ticket.Category `json:"category"`
	Description string          `json:"description"`
	CallRef     string          `json:"call_ref"`
	Complainant CallPerson      `json:"complainant"`
}

// CallPerson is the caller in a Call.
type CallPerson struct {
	Name  string `json:"name"`
	NIK   string `json:"nik"`
	Phone string `json:"phone"`
}

// Calls makes the call-center requests of one run: every other one from a
// returning complainant (one of 0..pool-1, drawn at random), the others
// from a new caller never seen before (run keeps runs apart). The draws
// depend on run alone, so a run can be made again.
type Calls struct {
	run, pool, n int
	rnd          *rand.Rand
}

// NewCalls returns the requests of run (0 <= run < RunsLimit) with pool
// returning complainants (pool <= PoolLimit).
func NewCalls(run, pool int) (*Calls, error) {
	if run < 0 || run >= RunsLimit || pool < 0 || pool > PoolLimit {
		return nil, fmt.Errorf("synth: run %d (0..%d), pool %d (0..%d)", run, RunsLimit-1, pool, PoolLimit)
	}
	return &Calls{run: run, pool: pool, rnd: rand.New(rand.NewPCG(uint64(run), 0xca11))}, nil
}

// Next returns the next request's body.
func (c *Calls) Next() Call {
	c.n++
	k := NewCallers(c.run) + c.n
	if c.n%2 == 0 && c.pool > 0 {
		k = c.rnd.IntN(c.pool)
	}
	p := PersonOf(k)
	cat := Categories[c.n%len(Categories)]
	return Call{Channel: ticket.ChannelCallCenter, Category: cat, Description: Descriptions[cat],
		CallRef:     fmt.Sprintf("CC-%d-%d", c.run, c.n),
		Complainant: CallPerson{Name: p.Name, NIK: p.NIK, Phone: p.Phone}}
}

// NextJSON returns the next request's body as JSON.
func (c *Calls) NextJSON() []byte {
	b, err := json.Marshal(c.Next())
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return b
}
