package whatsapp

import (
	"fmt"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/registry"
)

// wib is Western Indonesia Time, the time people are told. A fixed zone:
// Indonesia has no daylight saving, and the binary needs no tz database.
var wib = time.FixedZone("WIB", 7*60*60)

func clock(t time.Time) string { return t.In(wib).Format("15.04") + " WIB" }

func date(t time.Time) string { return t.In(wib).Format("02/01/2006") }

// What the bot says, in Indonesian as people know it. Titles of buttons
// are part of the contract (DESIGN.md) and must stay as they are.
const (
	titleCertificate = "Sertifikat Vaksin"
	titleAgent       = "Hubungi Petugas"
	titleDownload    = "Download Sertifikat"
	titleStatus      = "Status Vaksinasi"
	titleChange      = "Ubah Info Diri"
	titleChangeName  = "Ubah Nama"
	titleChangePhone = "Ubah Nomor HP"

	txtMainMenu = "Selamat datang di layanan WhatsApp Kementerian Kesehatan RI (PeduliLindungi).\n\n" +
		"Silakan pilih layanan:\n" +
		"• *Sertifikat Vaksin*: unduh sertifikat, cek status vaksinasi, atau ubah info diri.\n" +
		"• *Hubungi Petugas*: sampaikan keluhan Anda kepada petugas.\n\n" +
		"Ketik *menu* kapan saja untuk kembali ke sini, atau *batal* untuk berhenti."
	txtAskPhone = "Untuk keamanan data, ketik *nomor HP yang terdaftar di aplikasi PeduliLindungi* " +
		"(contoh: 081234567890). Kami akan mengirim kode OTP ke nomor itu."
	txtServices = "Verifikasi berhasil. Silakan pilih layanan:"
	txtMore     = "Ada lagi yang bisa kami bantu? Silakan pilih layanan:"
	txtChange   = "Data apa yang ingin Anda ubah?"
	txtAskName  = "Ketik *nama lengkap* Anda sesuai KTP."
	txtAskNIK   = "Ketik *NIK* Anda (16 angka, sesuai KTP)."
	txtAskNewPh = "Ketik *nomor HP baru* yang ingin didaftarkan (contoh: 081234567890)."
	txtAskDose  = "Data vaksinasi untuk NIK ini belum tercatat. Jika Anda sudah divaksinasi, ketik *tanggal dosis terakhir* " +
		"Anda (contoh: 15/11/2021). Jika belum, ketik *belum*."
	txtCancelled   = "Baik, permintaan Anda dibatalkan. Ketik *menu* untuk memulai lagi."
	txtStale       = "Maaf, tombol ini sudah tidak berlaku. Silakan gunakan pilihan terbaru di bawah."
	txtUnsupported = "Maaf, saya hanya dapat membaca pesan teks dan pilihan menu. Silakan ketik jawaban Anda."
	txtNotVerified = "Maaf, sesi verifikasi Anda sudah berakhir. Silakan mulai lagi."
	txtNoCode      = "Tidak ada kode OTP yang aktif. Ketik *kirim ulang* untuk meminta kode baru."
	txtCodeExpired = "Kode OTP sudah kedaluwarsa (berlaku 5 menit). Ketik *kirim ulang* untuk meminta kode baru."
	txtCodeShape   = "Kode OTP terdiri dari 6 angka. Ketik kode yang Anda terima, atau *kirim ulang* untuk meminta kode baru."
	txtCodeFailed  = "Kode OTP salah 5 kali. Demi keamanan, verifikasi dihentikan. Anda dapat mencoba lagi dalam 15 menit."
	txtNoRecord    = "Maaf, data untuk nomor HP ini tidak ditemukan di PeduliLindungi."
	txtMismatch    = "Maaf, nama atau NIK yang Anda ketik tidak cocok dengan data nomor HP yang terverifikasi. " +
		"Periksa kembali penulisannya sesuai KTP."
	txtNIKUnknown       = "Maaf, NIK tersebut tidak terdaftar di PeduliLindungi."
	txtNoVaccine        = "Sertifikat vaksin terbit setelah Anda menerima dosis vaksin. Silakan datang ke fasilitas kesehatan terdekat."
	txtDoseShape        = "Tanggal tidak dapat dibaca. Tulis dengan format tanggal/bulan/tahun, contoh: 15/11/2021, atau ketik *belum*."
	txtDoseFuture       = "Tanggal itu belum lewat. Tulis tanggal dosis terakhir yang sudah Anda terima, contoh: 15/11/2021."
	txtPhoneTaken       = "Maaf, nomor HP baru itu sudah terdaftar untuk orang lain. Pilih *Hubungi Petugas* di menu bila perlu bantuan."
	txtMiss             = "Maaf, saya belum memahami pesan Anda."
	txtAskKTP           = "Kirim *foto KTP* Anda di sini agar petugas dapat memeriksanya."
	txtNoStatus         = "Belum ada data vaksinasi yang tercatat untuk NIK ini."
	txtCertificateLater = "Maaf, sertifikat Anda sedang tidak dapat dikirim. Silakan coba lagi beberapa saat lagi."
	buttonList          = "Pilih"
)

func txtExpiresAt(t time.Time) string {
	return fmt.Sprintf("\n\n_Sesi ini berakhir pukul %s bila tidak ada balasan._", clock(t))
}

func txtExpired(idle time.Duration) string {
	return fmt.Sprintf("Sesi Anda sudah berakhir karena tidak ada balasan selama %d menit. Silakan mulai lagi.", int(idle.Minutes()))
}

// txtCodeSent is the same whether or not the number is registered, so the
// bot cannot be used to learn who is.
func txtCodeSent(phone string) string {
	return fmt.Sprintf("Jika nomor %s terdaftar di PeduliLindungi, kode OTP 6 angka sudah dikirim ke nomor itu "+
		"(lewat WhatsApp atau SMS). Ketik kode tersebut di sini. Kode berlaku 5 menit.\n\n"+
		"Belum menerima kode? Ketik *kirim ulang*.", phone)
}

func txtLimited(retry time.Time, now time.Time) string {
	if retry.Sub(now) > time.Hour {
		return "Permintaan kode OTP untuk nomor ini sudah mencapai batas hari ini. Silakan coba lagi besok."
	}
	return fmt.Sprintf("Terlalu banyak permintaan kode OTP. Silakan coba lagi setelah pukul %s.", clock(retry))
}

func txtCodeWrong(left int) string {
	return fmt.Sprintf("Kode OTP salah. Sisa percobaan: %d.", left)
}

func txtInvalid(what, reason string) string {
	return fmt.Sprintf("%s tidak valid: %s.", what, reason)
}

func txtCertificateCaption(name string) string {
	return "Sertifikat Vaksinasi COVID-19 atas nama " + name + "."
}

func txtStatus(p registry.Person) string {
	if len(p.Doses) == 0 {
		return txtNoStatus
	}
	var b strings.Builder
	b.WriteString("Status vaksinasi atas nama *" + p.Name + "*:\n")
	for _, d := range p.Doses {
		fmt.Fprintf(&b, "\n• Dosis %d: %s, %s, %s", d.Dose, d.Date.Format("02/01/2006"), d.Vaccine, d.Place)
	}
	return b.String()
}

func txtTryLater(on time.Time) string {
	return "Sertifikat vaksin biasanya terbit 7–10 hari setelah vaksinasi. Silakan coba lagi mulai tanggal " + date(on) + "."
}

func txtNameChanged(name string) string {
	return "Nama Anda di PeduliLindungi sudah diubah menjadi *" + name + "*."
}

func txtPhoneChanged(phone string) string {
	return "Nomor HP Anda di PeduliLindungi sudah diubah menjadi " + phone + ". Untuk layanan lain, ketik *menu* " +
		"dan lakukan verifikasi dengan nomor baru."
}

func txtTicketOpened(number string) string {
	return "Keluhan Anda sudah kami teruskan kepada petugas dengan nomor tiket *" + number + "*. " +
		"Petugas akan membalas di percakapan ini. Ketik *menu* untuk kembali ke menu."
}

func txtCertificateMissing(number string) string {
	return "Sertifikat Anda belum terbit lebih dari 10 hari setelah vaksinasi. Kami sudah membuat laporan dengan nomor tiket *" +
		number + "*; petugas akan memeriksanya dan membalas di percakapan ini."
}

func txtNIKConflict(number string) string {
	return "NIK tersebut sudah terdaftar atas nomor HP lain, sehingga perubahan perlu diperiksa petugas. " +
		"Kami sudah membuat laporan dengan nomor tiket *" + number + "*.\n\n" + txtAskKTP
}

func txtKTPReceived(number string) string {
	return "Foto KTP sudah kami terima dan dilampirkan pada tiket *" + number + "*. Petugas akan memeriksanya dan membalas di sini."
}

func txtForwarded(number string) string {
	return "Pesan Anda sudah kami teruskan ke petugas (tiket *" + number + "*). Petugas akan membalas di sini. " +
		"Ketik *menu* untuk kembali ke menu."
}

func txtForwardedHint(number string) string {
	return "Percakapan Anda sedang ditangani petugas (tiket *" + number + "*). Ketik *menu* untuk kembali ke menu."
}

func txtUnsupportedTicket(number string) string {
	return "Maaf, jenis pesan ini tidak dapat diteruskan ke petugas. Kirim pesan teks, foto, atau dokumen untuk tiket *" +
		number + "*."
}

func txtTicketClosed(number string) string {
	return "Tiket *" + number + "* sudah ditutup."
}
