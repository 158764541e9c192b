package notifytest

import (
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/ticket"
)

// The complainant of the tests of the help desk's mail, and her complaint.
const (
	WargaNIK   = "3201014508850001"
	WargaEmail = "warga1@warga.test"
	Complaint  = "Nama Lengkap: Siti Aminah\nNIK: 3201014508850001\n" +
		"Keluhan: Sertifikat vaksin dosis kedua belum muncul di aplikasi, padahal NIK 3201014508850001 sudah terdaftar.\n"
)

// From is the help desk's address in the tests.
const From = "PeduliLindungi <pedulilindungi@kemkes.go.id>"

// Sender returns an SMTP sender to ms over plain loopback, From From.
func Sender(ms *MailServer) *notify.SMTPSender {
	s := notify.NewSMTPSender(notify.SMTPSettings{Addr: ms.Addr, TLS: "none", From: From})
	s.Timeout = 5 * time.Second
	return s
}

// TooLarge is an attachment intake refused for its size: over the
// per-file limit, or over the per-mail one with the files before it.
func TooLarge(name string, size int64) ticket.Attachment {
	return ticket.Attachment{Filename: name, ContentType: "image/jpeg", Size: size, RefusedReason: "too_large",
		Kind: ticket.KindUnknown}
}

// OneLine is text with its line breaks undone, as a reader takes it.
func OneLine(text string) string { return strings.Join(strings.Fields(text), " ") }

// BothLimits are what a mail about a refused file must say: it may have
// passed either limit.
var BothLimits = []string{"10 MB per berkas", "25 MB untuk seluruh lampiran dalam satu email",
	"at most 10 MB per file and 25 MB per email"}
