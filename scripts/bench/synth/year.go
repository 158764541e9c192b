package synth

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// Year is a year of the help desk at national volume, for the console
// benchmark: the History's tickets (channel, category, status, SLA as
// History says) with what an agent's screens read besides: a queue and an
// assignee, a subject, a complaint whose words vary from ticket to ticket,
// a thread of messages, and complainants with varied names, a NIK and a
// phone number known as identities.
//
// Queues follow the category as configs/routing.yaml routes it (certificates
// to sertifikat, personal data to data-diri, NIK conflicts to
// nik-bermasalah, the rest to umum), 2% escalated to eskalasi. Agents are
// users 1..Agents, agent n working queue Queues[(n-1) % len(Queues)]; a
// ticket still new is nobody's, every other one is held by an agent of its
// queue. Messages per ticket: 1 (20%), 2 (30%), 3 (25%), 4 (15%), 5 (6%),
// 6 to 10 (4%), about 2.7 on average; ticket Thread has ThreadMessages.
type Year struct {
	History
	Agents int
	Thread int64
}

// Queues are the queues of configs/routing.yaml, in the order agents are
// dealt to them.
var Queues = []string{"sertifikat", "data-diri", "nik-bermasalah", "umum", "eskalasi"}

// ThreadMessages is how many messages the Year's Thread ticket has: a long
// conversation, the ticket page's worst case.
const ThreadMessages = 200

// Column lists of the Year's CSV rows, for COPY.
const (
	UserColumns       = "id, email, name, role, password_hash, queues"
	IdentityColumns   = "kind, value, complainant_id, created_at"
	YearTicketColumns = TicketColumns + ", queue, assignee_id, subject"
	MessageColumns    = "ticket_id, direction, channel, author_id, subject, body, status, created_at"
)

var (
	firstNames = []string{"Siti", "Agus", "Rina", "Budi", "Dewi", "Ahmad", "Nur", "Eko", "Sri", "Joko", "Putu",
		"Muhammad", "Fitri", "Yohanes", "Wayan", "Indah", "Rudi", "Lestari", "Hendra", "Ratna", "Bambang", "Yuni",
		"Andi", "Kartika", "Dedi", "Wahyu", "Made", "Nyoman", "Ketut", "Slamet", "Sutrisno", "Endang", "Rizky",
		"Ayu", "Fajar", "Intan", "Teguh", "Maria", "Yosef", "Hasan", "Aisyah", "Gilang", "Citra", "Dimas",
		"Purnama", "Taufik", "Wulan", "Arif", "Novi", "Samsul"}
	lastNames = []string{"Aminah", "Salim", "Wulandari", "Santoso", "Lestari", "Fauzi", "Hidayah", "Prasetyo",
		"Rahayu", "Susilo", "Handayani", "Simanjuntak", "Sudarsana", "Siregar", "Nasution", "Harahap",
		"Pangaribuan", "Sitompul", "Hutapea", "Saragih", "Tanjung", "Lubis", "Wijaya", "Kusuma", "Gunawan",
		"Setiawan", "Hartono", "Purnomo", "Saputra", "Utami", "Permata", "Sari", "Pratama", "Hakim", "Ramadhan",
		"Maulana", "Kurniawan", "Firmansyah", "Hermawan", "Suryadi", "Manurung", "Sembiring", "Ginting",
		"Tarigan", "Rumagit", "Wenas", "Pattinama", "Latuconsina", "Mahendra", "Anggraini"}
	towns = []string{"Cibinong", "Cileungsi", "Citeureup", "Depok", "Bekasi", "Tangerang", "Serang", "Cilegon",
		"Karawang", "Purwakarta", "Subang", "Sumedang", "Garut", "Tasikmalaya", "Ciamis", "Cirebon", "Indramayu",
		"Majalengka", "Kuningan", "Sukabumi", "Cianjur", "Lembang", "Soreang", "Tegal", "Brebes", "Pekalongan",
		"Batang", "Kendal", "Demak", "Kudus", "Jepara", "Pati", "Rembang", "Blora", "Grobogan", "Salatiga",
		"Boyolali", "Klaten", "Sukoharjo", "Wonogiri", "Sragen", "Magelang", "Temanggung", "Wonosobo",
		"Purworejo", "Kebumen", "Cilacap", "Banyumas", "Purbalingga", "Banjarnegara", "Sleman", "Bantul",
		"Gunungkidul", "Kulonprogo", "Madiun", "Ngawi", "Magetan", "Ponorogo", "Pacitan", "Trenggalek",
		"Tulungagung", "Blitar", "Kediri", "Nganjuk", "Jombang", "Mojokerto", "Sidoarjo", "Gresik", "Lamongan",
		"Tuban", "Bojonegoro", "Pasuruan", "Probolinggo", "Lumajang", "Jember", "Bondowoso", "Situbondo",
		"Banyuwangi", "Sumenep", "Pamekasan", "Sampang", "Bangkalan", "Tabanan", "Gianyar", "Klungkung",
		"Karangasem", "Buleleng", "Jembrana", "Mataram", "Bima", "Kupang", "Ende", "Maumere", "Pontianak",
		"Singkawang", "Balikpapan", "Samarinda", "Tarakan", "Manado", "Bitung", "Gorontalo", "Palu"}
	vaccines     = []string{"Sinovac", "AstraZeneca", "Pfizer", "Moderna", "Sinopharm", "Janssen", "Novavax", "Zifivax"}
	yearSubjects = map[ticket.Category]string{
		ticket.CategoryCertificateMissing:   "Sertifikat vaksin belum muncul",
		ticket.CategoryCertificateDataError: "Data sertifikat salah",
		ticket.CategoryPersonalDataChange:   "Ubah data diri",
		ticket.CategoryNIKConflict:          "NIK dipakai orang lain",
		ticket.CategoryVaccinationStatus:    "Status vaksinasi",
		ticket.CategoryAppIssue:             "Masalah aplikasi",
		ticket.CategoryOther:                "Pertanyaan",
	}
	replies = []string{
		"Terima kasih atas laporan Anda. Data Anda sedang kami periksa bersama dinas kesehatan setempat.",
		"Mohon kirimkan foto KTP dan kartu vaksin yang jelas agar dapat kami teruskan ke petugas.",
		"Sertifikat Anda sudah kami perbarui. Silakan cek kembali di aplikasi dalam 1x24 jam.",
		"Laporan Anda sudah kami teruskan ke fasilitas kesehatan tempat vaksinasi untuk perbaikan data.",
		"Mohon maaf atas ketidaknyamanannya. Kami sedang menunggu konfirmasi dari puskesmas.",
	}
	answers = []string{
		"Baik, terima kasih. Foto KTP dan kartu vaksin sudah saya lampirkan.",
		"Sudah saya cek lagi tetapi sertifikat masih belum muncul di aplikasi.",
		"Terima kasih, sertifikat sudah muncul sekarang.",
		"Kapan kira-kira selesai? Saya perlu untuk perjalanan minggu depan.",
	}
	notes = []string{
		"Sudah dicek di sistem: data vaksinasi ada, menunggu sinkronisasi.",
		"Diteruskan ke dinas kesehatan kabupaten, tiket rujukan dibuat.",
		"Foto KTP cocok dengan data; NIK benar.",
	}
)

// NameOf is complainant id's name: one of 2,500 first and last name pairs.
func NameOf(id int64) string {
	return firstNames[id%int64(len(firstNames))] + " " + lastNames[(id/int64(len(firstNames)))%int64(len(lastNames))]
}

// WriteUsers writes the agents 1..y.Agents as CSV rows (UserColumns), each
// with hash as the password hash, so a benchmark can log them in.
func (y Year) WriteUsers(w io.Writer, hash string) error {
	bw := bufio.NewWriter(w)
	for n := 1; n <= y.Agents; n++ {
		q := Queues[(n-1)%len(Queues)]
		bw.WriteString(strconv.Itoa(n) + ",agen" + strconv.Itoa(n) + "@bench.test,Agen " + strconv.Itoa(n) +
			",agent,\"" + hash + "\",\"[\"\"" + q + "\"\"]\"\n")
	}
	return bw.Flush()
}

// WriteComplainants writes complainants lo..hi as CSV rows
// (ComplainantColumns), with NameOf's names and PersonOf's NIK and phone.
func (y Year) WriteComplainants(w io.Writer, lo, hi int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	since := y.Start.AddDate(0, -6, 0)
	var b []byte
	for id := lo; id <= hi; id++ {
		p := PersonOf(int(id))
		b = strconv.AppendInt(b[:0], id, 10)
		b = append(b, ',')
		b = append(b, NameOf(id)...)
		b = append(b, ',')
		b = append(b, p.NIK...)
		b = append(b, ',')
		b = append(b, p.PhoneE164()...)
		b = append(b, ',')
		b = appendTime(b, since)
		b = append(b, ',')
		b = appendTime(b, since)
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteIdentities writes the NIK and phone identities of complainants
// lo..hi as CSV rows (IdentityColumns).
func (y Year) WriteIdentities(w io.Writer, lo, hi int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	since := appendTime(nil, y.Start.AddDate(0, -6, 0))
	var b []byte
	for id := lo; id <= hi; id++ {
		p := PersonOf(int(id))
		for _, kv := range [2][2]string{{"nik", p.NIK}, {"phone", p.PhoneE164()}} {
			b = append(b[:0], kv[0]...)
			b = append(b, ',')
			b = append(b, kv[1]...)
			b = append(b, ',')
			b = strconv.AppendInt(b, id, 10)
			b = append(b, ',')
			b = append(b, since...)
			b = append(b, '\n')
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// YearTicket is a ticket of the Year.
type YearTicket struct {
	Ticket
	Queue       string
	AssigneeID  int64 // 0: nobody's
	Subject     string
	Description string
	Messages    int
}

// TicketOf returns ticket id of the year (1 <= id <= y.Total).
func (y Year) TicketOf(id int64) YearTicket {
	t := YearTicket{Ticket: y.History.TicketOf(id)}
	r := rand.New(rand.NewPCG(uint64(id), 0x9ea7))
	qi := 3
	switch t.Category {
	case ticket.CategoryCertificateMissing, ticket.CategoryCertificateDataError:
		qi = 0
	case ticket.CategoryPersonalDataChange:
		qi = 1
	case ticket.CategoryNIKConflict:
		qi = 2
	}
	if r.Float64() < 0.02 {
		qi = 4
	}
	t.Queue = Queues[qi]
	per := (y.Agents - qi + len(Queues) - 1) / len(Queues) // agents of the queue
	if k := r.IntN(max(per, 1)); t.Status != ticket.StatusNew && per > 0 {
		t.AssigneeID = int64(qi + 1 + len(Queues)*k)
	}
	if t.Channel == ticket.ChannelEmail {
		t.Subject = yearSubjects[t.Category]
	}
	place, vaccine, dose := towns[r.IntN(len(towns))], vaccines[r.IntN(len(vaccines))], 1+r.IntN(4)
	t.Description = Descriptions[t.Category] + " Vaksin " + vaccine + " dosis " + strconv.Itoa(dose) +
		" di Puskesmas " + place + "."
	u := r.Float64()
	switch {
	case id == y.Thread:
		t.Messages = ThreadMessages
	case u < 0.20:
		t.Messages = 1
	case u < 0.50:
		t.Messages = 2
	case u < 0.75:
		t.Messages = 3
	case u < 0.90:
		t.Messages = 4
	case u < 0.96:
		t.Messages = 5
	default:
		t.Messages = 6 + r.IntN(5)
	}
	return t
}

// WriteTickets writes tickets lo..hi as CSV rows in YearTicketColumns' order.
func (y Year) WriteTickets(w io.Writer, lo, hi int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var b []byte
	for id := lo; id <= hi; id++ {
		t := y.TicketOf(id)
		b = appendTicket(b[:0], t.Ticket, t.Description)
		b = append(b, ',')
		b = append(b, t.Queue...)
		b = append(b, ',')
		if t.AssigneeID > 0 {
			b = strconv.AppendInt(b, t.AssigneeID, 10)
		}
		b = append(b, ",\""...) // quoted: empty is '', not NULL
		b = append(b, t.Subject...)
		b = append(b, "\"\n"...)
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteMessages writes the messages of tickets lo..hi as CSV rows
// (MessageColumns), each ticket's in order: the complaint itself, then the
// agent's replies, the complainant's answers and internal notes, an hour
// or more apart.
func (y Year) WriteMessages(w io.Writer, lo, hi int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var b []byte
	for id := lo; id <= hi; id++ {
		t := y.TicketOf(id)
		agent := t.AssigneeID
		if agent == 0 {
			agent = 1
		}
		at := t.Created
		for i := 0; i < t.Messages; i++ {
			direction, author, body, status := "inbound", int64(0), t.Description, ""
			switch {
			case i == 0:
			case i%5 == 3:
				direction, author, body = "internal", agent, notes[(int(id)+i)%len(notes)]
			case i%2 == 1:
				direction, author, body, status = "outbound", agent, replies[(int(id)+i)%len(replies)], "sent"
			default:
				body = answers[(int(id)+i)%len(answers)]
			}
			b = strconv.AppendInt(b[:0], id, 10)
			b = append(b, ',')
			b = append(b, direction...)
			b = append(b, ',')
			b = append(b, t.Channel...)
			b = append(b, ',')
			if author > 0 {
				b = strconv.AppendInt(b, author, 10)
			}
			b = append(b, ",\""...) // quoted: empty is '', not NULL
			if i == 0 {
				b = append(b, t.Subject...)
			}
			b = append(b, "\",\""...)
			b = append(b, body...)
			b = append(b, "\",\""...)
			b = append(b, status...)
			b = append(b, "\","...)
			b = appendTime(b, at)
			b = append(b, '\n')
			if _, err := bw.Write(b); err != nil {
				return err
			}
			at = at.Add(time.Hour + time.Duration(id%97)*time.Minute)
		}
	}
	return bw.Flush()
}
