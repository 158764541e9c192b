package email

import (
	"strings"
	"testing"
	"time"
)

// testNow is the fixed "now" of these tests.
var testNow = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// formView is a Form with the parsed date as text, so a whole form compares
// with == and prints readably.
type formView struct {
	Name, NIK, BirthPlace, BirthDateText, Phone, Complaint string
	BirthDate                                              string // YYYY-MM-DD, "" when nil
}

func viewOf(f Form) formView {
	v := formView{Name: f.Name, NIK: f.NIK, BirthPlace: f.BirthPlace, BirthDateText: f.BirthDateText, Phone: f.Phone, Complaint: f.Complaint}
	if f.BirthDate != nil {
		v.BirthDate = f.BirthDate.Format("2006-01-02")
	}
	return v
}

func TestExtractForm(t *testing.T) {
	tests := []struct {
		name, mail string
		want       formView
	}{
		{
			name: "the requested format, colons",
			mail: `Selamat siang Admin PeduliLindungi,

Nama Lengkap: Budi Santoso
Nomor NIK KTP: 3201012304850001
Tempat, Tanggal Lahir: Jakarta, 17 Agustus 1985
Nomor HP: 0812-3456-7890
Keluhan: Sertifikat vaksin dosis kedua saya belum keluar padahal sudah vaksin tanggal 5 Oktober 2021.

Terima kasih.
Budi`,
			want: formView{Name: "Budi Santoso", NIK: "3201012304850001", BirthPlace: "Jakarta", BirthDateText: "17 Agustus 1985", BirthDate: "1985-08-17", Phone: "0812-3456-7890",
				Complaint: "Sertifikat vaksin dosis kedua saya belum keluar padahal sudah vaksin tanggal 5 Oktober 2021."},
		},
		{
			name: "equals signs, Nama Sesuai KTP, NIK KTP, TTL without comma, No. HP, Masalah",
			mail: "NAMA SESUAI KTP = Siti Nurhaliza\nNIK KTP = 3174054506900002\nTTL = Bandung 17-08-1985\nNo. HP = 081234567890\nMasalah = Nama di sertifikat salah ketik",
			want: formView{Name: "Siti Nurhaliza", NIK: "3174054506900002", BirthPlace: "Bandung", BirthDateText: "17-08-1985", BirthDate: "1985-08-17", Phone: "081234567890",
				Complaint: "Nama di sertifikat salah ketik"},
		},
		{
			name: "numbered list, bare dashes, No KTP with spaces, Tempat/Tgl Lahir, No. Telp, Kendala",
			mail: "1. Nama-Ahmad Fauzi\n2. No KTP-3578 0112 0388 0003\n3. Tempat/Tgl Lahir-Surabaya/01/12/1988\n4) No. Telp-+62 812 9999 8888\n5. Kendala-\nNIK saya sudah digunakan orang lain",
			want: formView{Name: "Ahmad Fauzi", NIK: "3578 0112 0388 0003", BirthPlace: "Surabaya", BirthDateText: "01/12/1988", BirthDate: "1988-12-01", Phone: "+62 812 9999 8888",
				Complaint: "NIK saya sudah digunakan orang lain"},
		},
		{
			name: "bullets, spaced dashes, NIK with dots, Tempat Tanggal Lahir, No Telepon, Pengaduan",
			mail: "• Nama Lengkap - Dewi Lestari\n* Nomor NIK - 3201.0123.0485.0001\n- Tempat Tanggal Lahir - Bogor, 23/04/1985\n- No Telepon - 0857 1234 5678\n- Pengaduan - status vaksin saya belum berubah",
			want: formView{Name: "Dewi Lestari", NIK: "3201.0123.0485.0001", BirthPlace: "Bogor", BirthDateText: "23/04/1985", BirthDate: "1985-04-23", Phone: "0857 1234 5678",
				Complaint: "status vaksin saya belum berubah"},
		},
		{
			name: "Tempat Lahir and Tanggal Lahir on two lines, Nomor Induk Kependudukan, Nomor WA, dotted date",
			mail: "Nama: Rina Marlina\nNomor Induk Kependudukan: 3273014708920003\nTempat Lahir: Cimahi\nTanggal Lahir: 07.08.1992\nNomor WA: 0813 2222 3333\nKeluhan: nama saya di sertifikat tertulis Rina Marlena",
			want: formView{Name: "Rina Marlina", NIK: "3273014708920003", BirthPlace: "Cimahi", BirthDateText: "07.08.1992", BirthDate: "1992-08-07", Phone: "0813 2222 3333",
				Complaint: "nama saya di sertifikat tertulis Rina Marlena"},
		},
		{
			name: "Tempat alone, then Tanggal Lahir",
			mail: "Nama: Rina Marlina\nTempat: Jakarta\nTanggal Lahir: 17-08-1985\nKeluhan: sertifikat belum keluar",
			want: formView{Name: "Rina Marlina", BirthPlace: "Jakarta", BirthDateText: "17-08-1985", BirthDate: "1985-08-17",
				Complaint: "sertifikat belum keluar"},
		},
		{
			name: "Tempat alone with spaced colon",
			mail: "Tempat : Jakarta\nTanggal Lahir : 17-08-1985\nKeluhan : x",
			want: formView{BirthPlace: "Jakarta", BirthDateText: "17-08-1985", BirthDate: "1985-08-17", Complaint: "x"},
		},
		{
			name: "Tempat alone in an HTML table",
			mail: "Nama\tRina Marlina\nTempat\tJakarta\nTanggal Lahir\t17-08-1985\nKeluhan\tx\n",
			want: formView{Name: "Rina Marlina", BirthPlace: "Jakarta", BirthDateText: "17-08-1985", BirthDate: "1985-08-17", Complaint: "x"},
		},
		{
			name: "Tempat alone with an equals sign, Tgl Lahir",
			mail: "TEMPAT = Jakarta\nTgl Lahir = 17 Agustus 1985\nKeluhan = x",
			want: formView{BirthPlace: "Jakarta", BirthDateText: "17 Agustus 1985", BirthDate: "1985-08-17", Complaint: "x"},
		},
		{
			name: "Tempat alone, the place on the next line",
			mail: "Tempat\nJakarta\nTanggal Lahir\n17-08-1985\nKeluhan: x",
			want: formView{BirthPlace: "Jakarta", BirthDateText: "17-08-1985", BirthDate: "1985-08-17", Complaint: "x"},
		},
		{
			name: "Tempat - Tanggal Lahir is one label, not the place",
			mail: "Tempat - Tanggal Lahir: Jakarta, 17-08-1985\nKeluhan: x",
			want: formView{BirthPlace: "Jakarta", BirthDateText: "17-08-1985", BirthDate: "1985-08-17", Complaint: "x"},
		},
		{
			name: "Tempat in prose is not a label",
			mail: "Nama: Budi\nTempat-tempat vaksin penuh semua\nTempat tinggal saya jauh\nKeluhan: x",
			want: formView{Name: "Budi", Complaint: "x"},
		},
		{
			name: "HP alone, two-digit year, abbreviated month, remark in brackets",
			mail: "Nama (sesuai KTP): Yohanes Sitorus\nNIK: 1271031708850004\nTTL: Medan, 17 Agt 85\nHP: 0811 6000 123\nKeluhan: dosis 1 tidak muncul",
			want: formView{Name: "Yohanes Sitorus", NIK: "1271031708850004", BirthPlace: "Medan", BirthDateText: "17 Agt 85", BirthDate: "1985-08-17", Phone: "0811 6000 123",
				Complaint: "dosis 1 tidak muncul"},
		},
		{
			name: "two-digit year in this century, Tgl. Lahir, Pebruari",
			mail: "Nama: Aisyah Putri\nTempat lahir: Depok\nTgl. Lahir: 1 Pebruari 03\nKeluhan: sertifikat anak saya belum ada",
			want: formView{Name: "Aisyah Putri", BirthPlace: "Depok", BirthDateText: "1 Pebruari 03", BirthDate: "2003-02-01", Complaint: "sertifikat anak saya belum ada"},
		},
		{
			name: "HTML table as tabs, ISO date",
			mail: "Nama Lengkap\tBudi Santoso\nNIK\t3201012304850001\nTempat, Tanggal Lahir\tJakarta, 1985-08-17\nNomor HP\t081234567890\nKeluhan\tSertifikat tidak muncul di aplikasi\n",
			want: formView{Name: "Budi Santoso", NIK: "3201012304850001", BirthPlace: "Jakarta", BirthDateText: "1985-08-17", BirthDate: "1985-08-17", Phone: "081234567890",
				Complaint: "Sertifikat tidak muncul di aplikasi"},
		},
		{
			name: "HTML table with a colon column and a numbered column",
			mail: "1\tNama\t:\tWayan Sudarsana\n2\tNIK\t:\t5171010101800001\n3\tTTL\t:\tDenpasar, 1 Januari 1980\n4\tNo HP\t:\t081337000111\n5\tKeluhan\t:\tOTP tidak masuk\n",
			want: formView{Name: "Wayan Sudarsana", NIK: "5171010101800001", BirthPlace: "Denpasar", BirthDateText: "1 Januari 1980", BirthDate: "1980-01-01", Phone: "081337000111",
				Complaint: "OTP tidak masuk"},
		},
		{
			name: "shuffled order and extra blank lines",
			mail: "\n\nKeluhan: sertifikat belum muncul\n\n\nNo HP: 08129876543\n\nNIK: 3201012304850001\n\n\nNama: Budi Santoso\nTTL: Jakarta, 17 August 1985\n\n",
			want: formView{Name: "Budi Santoso", NIK: "3201012304850001", BirthPlace: "Jakarta", BirthDateText: "17 August 1985", BirthDate: "1985-08-17", Phone: "08129876543",
				Complaint: "sertifikat belum muncul"},
		},
		{
			name: "values on the line after their label",
			mail: "Nama Lengkap:\nBudi Santoso\nNIK:\n\n3201012304850001\nTempat, Tanggal Lahir:\nJakarta, 17 Agustus 1985\nKeluhan:\nsertifikat belum keluar",
			want: formView{Name: "Budi Santoso", NIK: "3201012304850001", BirthPlace: "Jakarta", BirthDateText: "17 Agustus 1985", BirthDate: "1985-08-17",
				Complaint: "sertifikat belum keluar"},
		},
		{
			name: "multi-line keluhan ends at the signature dashes",
			mail: `Nama: Budi Santoso
Keluhan:
Saya sudah vaksin dosis 1 dan 2 di Puskesmas Cilandak.
Dosis 1 tanggal 10 Juli 2021, dosis 2 tanggal 7 Agustus 2021.


Tapi sertifikat dosis 2 belum keluar sampai sekarang.
NIK-nya sudah saya cek dan benar.
--
Budi Santoso
Staf Kelurahan Cilandak`,
			want: formView{Name: "Budi Santoso",
				Complaint: "Saya sudah vaksin dosis 1 dan 2 di Puskesmas Cilandak.\nDosis 1 tanggal 10 Juli 2021, dosis 2 tanggal 7 Agustus 2021.\n\nTapi sertifikat dosis 2 belum keluar sampai sekarang.\nNIK-nya sudah saya cek dan benar."},
		},
		{
			name: "multi-line keluhan ends at Hormat saya; labels after it still read",
			mail: "Keluhan: nama di sertifikat salah,\nseharusnya Muhammad bukan Muhamad.\nHormat saya,\nNama: Muhammad Rizki\nNo. HP: 0812 1111 2222\nSent from my iPhone",
			want: formView{Name: "Muhammad Rizki", Phone: "0812 1111 2222", Complaint: "nama di sertifikat salah,\nseharusnya Muhammad bukan Muhamad."},
		},
		{
			name: "quoted reply lines ignored",
			mail: `Berikut data saya:
Nama: Budi Santoso
NIK: 3201012304850001
Keluhan: sertifikat belum keluar

Pada tanggal Sen, 15 Nov 2021 pukul 10.00 PeduliLindungi <pedulilindungi@kemkes.go.id> menulis:
> Mohon lengkapi data berikut:
> Nama Lengkap: 
> NIK: 
>> Keluhan: data lama
`,
			want: formView{Name: "Budi Santoso", NIK: "3201012304850001", Complaint: "sertifikat belum keluar"},
		},
		{
			name: "forwarded mail is read",
			mail: `Mohon dibantu, ini pengaduan ibu saya.

---------- Forwarded message ---------
Dari: Siti Aminah <siti@example.com>
Date: Sen, 15 Nov 2021 pukul 09.12
Subject: Sertifikat vaksin
To: <sertifikat@pedulilindungi.id>

Nama Lengkap: Siti Aminah
NIK: 3205014506600001
TTL: Garut, 5 Mei 1960
No HP: 081298765432
Keluhan: sertifikat dosis 2 tidak muncul
`,
			want: formView{Name: "Siti Aminah", NIK: "3205014506600001", BirthPlace: "Garut", BirthDateText: "5 Mei 1960", BirthDate: "1960-05-05", Phone: "081298765432",
				Complaint: "sertifikat dosis 2 tidak muncul"},
		},
		{
			name: "no labels at all: the whole text is the complaint",
			mail: "\n  Selamat pagi, sertifikat vaksin saya belum keluar padahal sudah 2 minggu.\nNIK saya 3201012304850001.\n> kutipan\nTerima kasih  \n",
			want: formView{Complaint: "Selamat pagi, sertifikat vaksin saya belum keluar padahal sudah 2 minggu.\nNIK saya 3201012304850001.\n> kutipan\nTerima kasih"},
		},
		{
			name: "labels but no keluhan: the unlabelled lines before the signature",
			mail: "Selamat siang,\n\nSertifikat saya belum muncul, mohon dicek.\n\nNama: Budi Santoso\nNIK: 3201012304850001\n\nTerima kasih\nBudi",
			want: formView{Name: "Budi Santoso", NIK: "3201012304850001", Complaint: "Selamat siang,\n\nSertifikat saya belum muncul, mohon dicek."},
		},
		{
			name: "date not on the calendar kept as text",
			mail: "Nama: Budi\nTempat, Tanggal Lahir: Jakarta, 31 Februari 1990\nKeluhan: x",
			want: formView{Name: "Budi", BirthPlace: "Jakarta", BirthDateText: "31 Februari 1990", Complaint: "x"},
		},
		{
			name: "unreadable date kept after the comma",
			mail: "TTL: Jakarta, tujuh belas agustus\nKeluhan: x",
			want: formView{BirthPlace: "Jakarta", BirthDateText: "tujuh belas agustus", Complaint: "x"},
		},
		{
			name: "date with a remark still parsed",
			mail: "Tanggal Lahir: 17-08-1985 (sesuai KTP)\nKeluhan: x",
			want: formView{BirthDateText: "17-08-1985 (sesuai KTP)", BirthDate: "1985-08-17", Complaint: "x"},
		},
		{
			name: "CRLF, non-breaking spaces, first value wins",
			mail: "Nama:\u00a0Budi Santoso\r\nNama: Orang Lain\r\nNo HP/WA : 0812 3456 7890\r\nKeluhan saya : OTP tidak masuk\r\n",
			want: formView{Name: "Budi Santoso", Phone: "0812 3456 7890", Complaint: "OTP tidak masuk"},
		},
		{
			name: "prose starting with a label word is not a label",
			mail: "Nama: Budi\nNama saya sudah benar di KTP\nHP saya hilang - jadi ganti nomor\nNIK-nya sudah dipakai orang lain\nHP-ku hilang\nKendala-kendala: banyak\nKeluhan: ganti nomor",
			want: formView{Name: "Budi", Complaint: "ganti nomor"},
		},
		{
			name: "HTML table whose value cells start with the separator",
			mail: HTMLToText("<table><tr><td>Nama</td><td>: Rina Kartika Sari</td></tr><tr><td>NIK</td><td>:&nbsp;3273015708900002</td></tr>" +
				"<tr><td>Keluhan</td><td><p>: Nama di sertifikat salah</p></td></tr></table>"),
			want: formView{Name: "Rina Kartika Sari", NIK: "3273015708900002", Complaint: "Nama di sertifikat salah"},
		},
		{
			name: "label and its : value on separate lines",
			mail: "Nama\n: Rina Kartika Sari\nNIK\n: 3273015708900002\nNo HP\n: 0812 2233 4455\nKeluhan\n: sertifikat belum muncul",
			want: formView{Name: "Rina Kartika Sari", NIK: "3273015708900002", Phone: "0812 2233 4455", Complaint: "sertifikat belum muncul"},
		},
		{
			name: "abbreviated, misspelt and bold labels",
			mail: "*Nama Lengkp*: Rina\nNik Ktp : 3273015708900002\nTmpt/Tgl Lahir : Bandung, 17 Agst 1990\nNo.Hp : 0812 2233 4455\n*Kluhan*: x",
			want: formView{Name: "Rina", NIK: "3273015708900002", BirthPlace: "Bandung", BirthDateText: "17 Agst 1990", BirthDate: "1990-08-17",
				Phone: "0812 2233 4455", Complaint: "x"},
		},
		{
			name: "a whole numbered form on one line",
			mail: "1. Nama: Rina Kartika 2. NIK: 3273015708900002 3. TTL: Bandung, 17-08-1990 4. No HP/WA: 0812 2233 4455 5. Keluhan: sertifikat belum muncul",
			want: formView{Name: "Rina Kartika", NIK: "3273015708900002", BirthPlace: "Bandung", BirthDateText: "17-08-1990", BirthDate: "1990-08-17",
				Phone: "0812 2233 4455", Complaint: "sertifikat belum muncul"},
		},
		{
			name: "values with notes: NIK in groups with a remark, WA before the phone, a comma in the date",
			mail: "Nama: Rina\nNIK: 3273 0157 0890 0002 (sesuai KTP)\nTTL: Bandung, 17 Agustus, 1990\nNo HP: WA 0812-2233-4455\nKeluhan: x",
			want: formView{Name: "Rina", NIK: "3273 0157 0890 0002", BirthPlace: "Bandung", BirthDateText: "17 Agustus, 1990", BirthDate: "1990-08-17",
				Phone: "0812-2233-4455", Complaint: "x"},
		},
		{
			name: "a form quoted in a relative's forward is the complainant's",
			mail: "Tolong dibantu, ini ibu saya.\n\nSent from my iPhone\n\nBegin forwarded message:\n\n> From: Ibu <ibu@example.com>\n> Subject: vaksin\n>\n" +
				"> Nama: Siti Maemunah\n> NIK: 3205154107580002\n> Keluhan: booster belum keluar\n>\n> Dikirim dari iPhone saya\n",
			want: formView{Name: "Siti Maemunah", NIK: "3205154107580002", Complaint: "booster belum keluar"},
		},
		{
			name: "our own acknowledgement quoted back is not read",
			mail: "Ini foto KTP saya\n\nPada Sen, 2 Nov 2026 pukul 09.00 Pengaduan <pedulilindungi@kemkes.go.id>\nmenulis:\n> [PL-261102-000321]\n> - Nama Lengkap: Siti\n> - NIK: 3205**********02\n> - Keluhan: booster belum keluar\n",
			want: formView{Complaint: "Ini foto KTP saya"},
		},
		{
			name: "an iPhone forward of one's own mail carries the signature twice; the complaint holds it never",
			mail: "Mohon dibantu, belum ada balasan\n\nDikirim dari iPhone saya\n\nAwal pesan terusan:\n\nDari: Rina <rina@icloud.com>\n" +
				"Tanggal: 1 November 2026 pukul 19.40.11 WIB\nKe: pedulilindungi@kemkes.go.id\nPerihal: sertifikat\n\n" +
				"Sertifikat booster saya belum keluar.\nNama: Rina Kartika Sari\nNIK: 3273015708900002\n\nDikirim dari iPhone saya",
			want: formView{Name: "Rina Kartika Sari", NIK: "3273015708900002", Complaint: "Mohon dibantu, belum ada balasan\n\nSertifikat booster saya belum keluar."},
		},
		{
			name: "Dari written as a label is not a forwarded mail's header",
			mail: "Dari: Budi Santoso, Cilandak\nNama: Budi Santoso\nNIK: 3201012304850001\nKeluhan: sertifikat belum keluar",
			want: formView{Name: "Budi Santoso", NIK: "3201012304850001", Complaint: "sertifikat belum keluar"},
		},
		{
			name: "Outlook's rule above our own mail quoted back",
			mail: "Berikut saya lengkapi:\nNama : Bambang\n\n________________________________\nFrom: Pengaduan <pedulilindungi@kemkes.go.id>\n" +
				"Subject: [PL-261102-000321] Pengaduan Anda telah kami terima\n\n- NIK: 3507**********01\n- Keluhan: sertifikat belum keluar\n",
			want: formView{Name: "Bambang", Complaint: "Berikut saya lengkapi:"},
		},
		{
			name: "a mail app's signature leaves a mail without a form",
			mail: "sertifikat saya belum keluar\n\nDikirim dari Yahoo Mail di Android",
			want: formView{Complaint: "sertifikat saya belum keluar"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := viewOf(extractForm(tt.mail, testNow))
			if got != tt.want {
				t.Errorf("extractForm:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestExtractFormUsesNow(t *testing.T) {
	f := ExtractForm("TTL: Jakarta, 17/08/85\nKeluhan: x")
	if f.BirthDate == nil || f.BirthDate.Format("2006-01-02") != "1985-08-17" {
		t.Errorf("ExtractForm BirthDate = %v, want 1985-08-17", f.BirthDate)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "17 Agustus 1985", want: "1985-08-17"},
		{in: "17 agt 1985", want: "1985-08-17"},
		{in: "17 Agt. 1985", want: "1985-08-17"},
		{in: "17-Agu-1985", want: "1985-08-17"},
		{in: "17 Ags 1985", want: "1985-08-17"},
		{in: "17 AUGUST 1985", want: "1985-08-17"},
		{in: "17Agustus1985", want: "1985-08-17"},
		{in: "17-08-1985", want: "1985-08-17"},
		{in: "17/08/1985", want: "1985-08-17"},
		{in: "17/8/1985", want: "1985-08-17"},
		{in: "17.08.1985", want: "1985-08-17"},
		{in: "17 - 08 - 1985", want: "1985-08-17"},
		{in: "1985-08-17", want: "1985-08-17"},
		{in: "1985/8/7", want: "1985-08-07"},
		{in: "  5 Mei 1960. ", want: "1960-05-05"},
		{in: "17/08/85", want: "1985-08-17"},
		{in: "01/02/03", want: "2003-02-01"},
		{in: "22/11/26", want: "2026-11-22"},     // today
		{in: "23/11/26", want: "1926-11-23"},     // tomorrow in 2026 is too late
		{in: "29/02/00", want: "2000-02-29"},     // 2000 is a leap year
		{in: "29 Feb 24", want: "2024-02-29"},    // so is 2024
		{in: "31 Des 2030", want: "2030-12-31"},  // four digits are taken as written
		{in: "30 Sept 1999", want: "1999-09-30"}, // Sept before Sep
		{in: "10 Nop 1977", want: "1977-11-10"},

		{in: "31 Februari 1990", wantErr: "tidak ada di kalender"},
		{in: "29/02/1985", wantErr: "tidak ada di kalender"},
		{in: "29/02/01", wantErr: "tidak ada di kalender"}, // neither 1901 nor 2001
		{in: "17/13/1985", wantErr: "tidak ada di kalender"},
		{in: "00/08/1985", wantErr: "tidak ada di kalender"},
		{in: "1985-02-30", wantErr: "tidak ada di kalender"},
		{in: "", wantErr: "tidak dikenali"},
		{in: "kemarin", wantErr: "tidak dikenali"},
		{in: "17 Foo 1985", wantErr: "tidak dikenali"},
		{in: "17 Agustus", wantErr: "tidak dikenali"},
		{in: "17/08/985", wantErr: "tidak dikenali"},
		{in: "Jakarta, 17-08-1985", wantErr: "tidak dikenali"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in, testNow)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDate(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q) error: %v", tt.in, err)
			}
			if s := got.Format(time.DateOnly); s != tt.want || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q) = %v, want %s UTC", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDateMonthNames(t *testing.T) {
	names := map[time.Month][]string{
		time.January: {"Januari", "Jan", "January"}, time.February: {"Februari", "Feb", "Pebruari", "February"},
		time.March: {"Maret", "Mar", "March"}, time.April: {"April", "Apr"}, time.May: {"Mei", "May"},
		time.June: {"Juni", "Jun", "June"}, time.July: {"Juli", "Jul", "July"},
		time.August: {"Agustus", "Agt", "Agu", "Ags", "Aug", "August"}, time.September: {"September", "Sep", "Sept"},
		time.October: {"Oktober", "Okt", "Oct", "October"}, time.November: {"November", "Nov", "Nop", "Nopember"},
		time.December: {"Desember", "Des", "Dec", "December"},
	}
	for month, list := range names {
		for _, name := range list {
			got, err := ParseDate("9 "+name+" 2001", testNow)
			if err != nil || got.Month() != month || got.Day() != 9 || got.Year() != 2001 {
				t.Errorf("ParseDate(9 %s 2001) = %v, %v; want 2001-%02d-09", name, got, err, month)
			}
		}
	}
}

// Label variants of every kind start with one of labelInitials, or
// matchLabel's shortcut would skip them.
func TestLabelInitials(t *testing.T) {
	for _, l := range []string{"Nama", "nami", "No HP", "NIK", "N.I.K", "TTL", "Tempat", "Tmpt/Tgl Lahir", "Tanggal Lahir",
		"Kota Lahir", "Keluhan", "Kluhan", "Kendala", "Kronologi", "HP", "Handphone", "Ponsel", "Permasalahan", "Pengaduan",
		"WA", "WhatsApp", "Masalah", "Aduan", "Isi Keluhan", "Telp", "Tlp"} {
		if f, _, ok := matchLabel(l + ": x"); !ok || f == fieldNone {
			t.Errorf("matchLabel(%q) found no label", l+": x")
		}
	}
}
