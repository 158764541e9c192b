package email

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func parseFixture(t *testing.T, name string) *Mail {
	t.Helper()
	m, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

func wantContains(t *testing.T, field, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("%s = %q, want it to contain %q", field, got, s)
		}
	}
}

func wantEqual[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func TestParseFixtures(t *testing.T) {
	const ackID = "ack-PL-261122-000123@aduan.kemkes.go.id"
	tests := []struct {
		file  string
		check func(t *testing.T, m *Mail)
	}{
		{"plain.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "MessageID", m.MessageID, "CAJ7x9k2Qm1sT0rN+5fA@mail.gmail.com")
			wantEqual(t, "From", m.From, Address{Name: "Siti Rahmawati", Address: "siti.rahmawati87@gmail.com"})
			wantEqual(t, "Subject", m.Subject, "Sertifikat vaksin dosis 2 belum muncul")
			wantEqual(t, "Date", m.Date.UTC(), time.Date(2021, 11, 22, 2, 14, 3, 0, time.UTC))
			// Quoted-printable soft breaks are joined and =E2=80=94 decoded.
			wantContains(t, "Text", m.Text, "NIK: 3201014107870001", "aplikasi PeduliLindungi padahal", "Cibinong — sudah")
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Filename)
				wantEqual(t, a.Filename+" type", a.ContentType, "image/jpeg")
				if !bytes.HasPrefix(a.Content, []byte{0xff, 0xd8}) {
					t.Errorf("%s is not a decoded JPEG", a.Filename)
				}
			}
			if !slices.Equal(names, []string{"ktp.jpg", "selfie.jpg", "kartu-vaksin.jpg"}) {
				t.Errorf("attachments = %v", names)
			}
		}},
		{"html-only.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "From.Name", m.From.Name, "Dewi Lestari Putri")
			wantEqual(t, "Subject", m.Subject, "Nama di sertifikat tidak sesuai KTP – mohon bantuan")
			wantContains(t, "Text", m.Text, "sesuai KTP.\nNIK: 3273015508920003\nNo HP: 081298765432", "Mohon dibantu & terima kasih.")
			wantContains(t, "HTML", m.HTML, "<b>DEWI LESTARI</b>")
			for _, bad := range []string{"<script", "alert", "onclick", "onload", "tracker.example.com"} {
				if strings.Contains(m.HTML, bad) || strings.Contains(m.Text, bad) {
					t.Errorf("%q survived: HTML %q, Text %q", bad, m.HTML, m.Text)
				}
			}
			if len(m.Warnings) != 0 {
				t.Errorf("an HTML-only mail is not broken, got warnings %q", m.Warnings)
			}
		}},
		{"html-table.eml", func(t *testing.T, m *Mail) {
			wantContains(t, "Text", m.Text,
				"Berikut data saya:\n\nNama Lengkap\tBudi Santoso\nNIK\t3174051506900002\n",
				"Tempat, Tanggal Lahir\tJakarta, 15 Juni 1990\nNomor HP\t+62 813-1122-3344\n",
				"Keluhan\tSertifikat vaksin ketiga (booster) belum keluar.")
			if strings.Contains(m.Text, "padding") || strings.Contains(m.Text, "Formulir") {
				t.Errorf("head leaked into Text: %q", m.Text)
			}
		}},
		{"forwarded.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "Subject", m.Subject, "Fwd: Sertifikat vaksin bapak saya belum keluar")
			wantEqual(t, "From", m.From.Address, "rina.sudirman@gmail.com")
			wantContains(t, "Text", m.Text, "Forwarded message", "Nama Lengkap: Ahmad Sudirman", "NIK: 3578011203600004")
		}},
		{"forwarded-attached.eml", func(t *testing.T, m *Mail) {
			wantContains(t, "Text", m.Text, "Saya teruskan email bapak saya.", "From: Ahmad Sudirman <ahmad.sudirman60@yahoo.co.id>", "NIK: 3578011203600004")
			if len(m.Attachments) != 1 || m.Attachments[0].Filename != "ktp-bapak.jpg" {
				t.Errorf("the forwarded mail's photo should be an attachment, got %+v", m.Attachments)
			}
		}},
		{"reply-to-ack.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "Subject", m.Subject, "Re: [PL-261122-000123] Pengaduan Anda telah kami terima")
			if !slices.Equal(m.InReplyTo, []string{ackID}) {
				t.Errorf("InReplyTo = %q", m.InReplyTo)
			}
			if !slices.Equal(m.References, []string{"CAJ7x9k2Qm1sT0rN+5fA@mail.gmail.com", ackID}) {
				t.Errorf("References = %q", m.References)
			}
			wantEqual(t, "Automatic", m.Automatic, "")
		}},
		{"auto-reply.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "Automatic", m.Automatic, "auto-submitted")
			wantContains(t, "Text", m.Text, "sedang cuti")
		}},
		{"bulk.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "Automatic", m.Automatic, "precedence")
		}},
		{"bounce.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "Automatic", m.Automatic, "bounce")
			if m.Bounce == nil {
				t.Fatal("Bounce is nil")
			}
			wantEqual(t, "Bounce", *m.Bounce, Bounce{
				OriginalMessageID: ackID,
				Recipient:         "siti.rahmawati87@gmial.com",
				Status:            "5.1.2",
				Action:            "failed",
			})
			if len(m.Attachments) != 0 {
				t.Errorf("the returned ack is not an attachment: %+v", m.Attachments)
			}
		}},
		{"no-message-id.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "MessageID", m.MessageID, "")
			wantEqual(t, "From", m.From, Address{Address: "agus.p@mail.example.id"})
			wantContains(t, "Text", m.Text, "nik 3301021010850005")
		}},
		{"broken-mime.eml", func(t *testing.T, m *Mail) {
			wantContains(t, "Text", m.Text, "NIK: 5171011212880006")
			warnings := strings.Join(m.Warnings, "\n")
			wantContains(t, "Warnings", warnings, "Missing Boundary", "Malformed Base64")
			if len(m.Attachments) != 1 || m.Attachments[0].Filename != "ktp.jpg" {
				t.Errorf("the damaged photo should still be kept, got %+v", m.Attachments)
			}
		}},
		{"latin1.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "From.Name", m.From.Name, "André Gunawan")
			wantEqual(t, "Subject", m.Subject, `Nama "André" salah di sertifikat`)
			wantContains(t, "Text", m.Text, "Nama saya André Gunawan", "37°C saat vaksin ½ jam")
		}},
		{"windows1252.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "Subject", m.Subject, "Keluhan: sertifikat belum keluar – café")
			wantContains(t, "Text", m.Text, "belum keluar – sudah 3 minggu", "“tunggu saja” di café", "puskesmas…")
		}},
		{"wrong-charset.eml", func(t *testing.T, m *Mail) {
			// Labelled utf-8, written in windows-1252: the raw From name, the
			// encoded Subject and the 8-bit body alike.
			wantEqual(t, "From.Name", m.From.Name, "André Wijaya")
			wantEqual(t, "Subject", m.Subject, "Nama “André” salah di sertifikat")
			wantContains(t, "Text", m.Text, "Nama Lengkap: André Wijaya",
				"tertulis “Andre”, seharusnya “André”.", "menunggu ½ bulan – mohon")
			if strings.ContainsRune(m.Text+m.Subject+m.From.Name, utf8.RuneError) {
				t.Errorf("bytes lost to U+FFFD: %q %q %q", m.From.Name, m.Subject, m.Text)
			}
		}},
		{"inline-image.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "Text", m.Text, "Berikut foto KTP saya.\n[image: ktp.png]")
			if len(m.Attachments) != 1 {
				t.Fatalf("attachments = %+v", m.Attachments)
			}
			a := m.Attachments[0]
			wantEqual(t, "ContentID", a.ContentID, "ktp001@maria")
			wantEqual(t, "Inline", a.Inline, true)
			wantEqual(t, "ContentType", a.ContentType, "image/png")
			wantContains(t, "HTML", m.HTML, `src="cid:ktp001@maria"`)
			if strings.Contains(m.HTML, "tracker.example.com") {
				t.Errorf("remote image kept: %q", m.HTML)
			}
		}},
		{"loop.eml", func(t *testing.T, m *Mail) {
			wantEqual(t, "Automatic", m.Automatic, "loop")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := readFixture(t, tt.file)
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			wantEqual(t, "Size", m.Size, len(raw))
			tt.check(t, m)
		})
	}
}

// Mail arrives from IMAP with CRLF line ends; the fixtures are stored with LF.
func TestParseCRLF(t *testing.T) {
	lf := readFixture(t, "plain.eml")
	m, err := Parse(bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "Subject", m.Subject, "Sertifikat vaksin dosis 2 belum muncul")
	wantContains(t, "Text", m.Text, "NIK: 3201014107870001")
	wantEqual(t, "attachments", len(m.Attachments), 3)
}

func TestAutomatic(t *testing.T) {
	tests := []struct {
		name, headers, want string
	}{
		{"person", "From: Siti <siti@gmail.com>\n", ""},
		{"auto-submitted no", "From: a@b.id\nAuto-Submitted: no\n", ""},
		{"auto-submitted generated", "From: a@b.id\nAuto-Submitted: auto-generated\n", "auto-submitted"},
		{"auto-submitted with params", "From: a@b.id\nAuto-Submitted: Auto-Replied; owner-email=\"x@y.id\"\n", "auto-submitted"},
		{"precedence junk", "From: a@b.id\nPrecedence: JUNK\n", "precedence"},
		{"precedence list", "From: a@b.id\nPrecedence: list\n", "precedence"},
		{"precedence first-class", "From: a@b.id\nPrecedence: first-class\n", ""},
		{"list-id", "From: a@b.id\nList-Id: <warga.rt05.example.id>\n", "list-id"},
		{"x-autoreply", "From: a@b.id\nX-Autoreply: yes\n", "x-autoreply"},
		{"x-autorespond", "From: a@b.id\nX-Autorespond: 1\n", "x-autoreply"},
		{"x-auto-response-suppress", "From: a@b.id\nX-Auto-Response-Suppress: OOF\n", "x-auto-response-suppress"},
		{"empty return-path", "Return-Path: <>\nFrom: a@b.id\n", "empty-return-path"},
		{"return-path set", "Return-Path: <a@b.id>\nFrom: a@b.id\n", ""},
		{"mailer-daemon", "From: Mail Delivery Subsystem <MAILER-DAEMON@googlemail.com>\n", "mailer-daemon"},
		{"postmaster", "From: PostMaster@kemkes.go.id\n", "mailer-daemon"},
		{"mailer-daemon without domain", "From: MAILER-DAEMON\n", "mailer-daemon"},
		{"loop", "From: a@b.id\nx-aduan-loop: 1\n", "loop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.headers + "Subject: Re: sertifikat\nMessage-ID: <x@b.id>\n\nisi\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			wantEqual(t, "Automatic", m.Automatic, tt.want)
		})
	}
}

// Some MTAs return only the headers of the bounced mail.
func TestBounceRFC822Headers(t *testing.T) {
	raw := strings.Join([]string{
		"From: postmaster@mail.example.id",
		"Subject: Delivery Status Notification (Failure)",
		`Content-Type: multipart/report; report-type="Delivery-Status"; boundary="b1"`,
		"", "--b1", "Content-Type: text/plain", "", "Pesan tidak dapat dikirim.",
		"--b1", "Content-Type: message/delivery-status", "",
		"Reporting-MTA: dns; mail.example.id", "",
		"Original-Recipient: rfc822; <Budi@Example.ID>", "Action: delayed", "Status: 4.4.1", "",
		"--b1", "Content-Type: text/rfc822-headers", "",
		"Message-ID: <ack-PL-261122-000200@aduan.kemkes.go.id>", "Subject: [PL-261122-000200] Pengaduan",
		"--b1--", "",
	}, "\n")
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Bounce == nil {
		t.Fatal("Bounce is nil")
	}
	wantEqual(t, "Bounce", *m.Bounce, Bounce{
		OriginalMessageID: "ack-PL-261122-000200@aduan.kemkes.go.id",
		Recipient:         "budi@example.id",
		Status:            "4.4.1",
		Action:            "delayed",
	})
	wantEqual(t, "Automatic", m.Automatic, "bounce")
	wantEqual(t, "Failed", m.Bounce.Failed(), false) // delayed: it may still arrive
}

func TestBounceFailed(t *testing.T) {
	tests := []struct {
		name string
		b    *Bounce
		want bool
	}{
		{"failed", &Bounce{Action: "failed", Status: "5.1.1"}, true},
		{"failed without a status", &Bounce{Action: "failed"}, true},
		{"no action, permanent status", &Bounce{Status: "5.2.2"}, true},
		{"unknown action, permanent status", &Bounce{Action: "x-bounced", Status: "5.0.0"}, true},
		{"delayed", &Bounce{Action: "delayed", Status: "4.4.1"}, false},
		{"delayed with a permanent-looking status", &Bounce{Action: "delayed", Status: "5.4.7"}, false},
		{"delivered", &Bounce{Action: "delivered", Status: "2.0.0"}, false},
		{"relayed", &Bounce{Action: "relayed", Status: "2.0.0"}, false},
		{"expanded", &Bounce{Action: "expanded", Status: "2.0.0"}, false},
		{"no action, transient status", &Bounce{Status: "4.2.2"}, false},
		{"nothing read", &Bounce{}, false},
		{"not a report", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantEqual(t, "Failed", tt.b.Failed(), tt.want)
		})
	}
	wantEqual(t, "bounce.eml Failed", parseFixture(t, "bounce.eml").Bounce.Failed(), true)
}

func TestSourceID(t *testing.T) {
	withID := parseFixture(t, "plain.eml")
	wantEqual(t, "with Message-ID", SourceID(withID, nil), "<CAJ7x9k2Qm1sT0rN+5fA@mail.gmail.com>")

	raw := readFixture(t, "no-message-id.eml")
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	id := SourceID(m, raw)
	if !strings.HasPrefix(id, "sha256:") || len(id) != len("sha256:")+64 {
		t.Errorf("SourceID = %q, want sha256:<64 hex>", id)
	}
	wantEqual(t, "same bytes", SourceID(m, bytes.Clone(raw)), id)
	other := append(bytes.Clone(raw), "Terima kasih.\n"...)
	if SourceID(m, other) == id {
		t.Error("different bytes gave the same SourceID")
	}
	for _, empty := range [][]byte{nil, {}} {
		if SourceID(nil, empty) == "" || SourceID(&Mail{}, empty) == "" {
			t.Error("SourceID is empty")
		}
	}
}

func TestParseUnreadable(t *testing.T) {
	for _, raw := range []string{"", " \r\n\t\n", "bukan email, tanpa header sama sekali"} {
		if _, err := Parse([]byte(raw)); err == nil {
			t.Errorf("Parse(%q) succeeded", raw)
		}
	}
}

// RFC 2045 reads a part without a usable Content-Type as text/plain.
func TestParseBadContentType(t *testing.T) {
	for _, raw := range []string{
		"From: a@b.id\nContent-Type: ;;;=\n\nNIK 3201014107870001\n",
		"From: a@b.id\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nHalo\n" +
			"--x\nContent-Type: ;\n\nNIK 3201014107870001\n--x--\n",
	} {
		m, err := Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		wantContains(t, "Text", m.Text, "NIK 3201014107870001")
		if len(m.Attachments) != 0 {
			t.Errorf("text filed as attachment: %+v", m.Attachments)
		}
	}
}

func TestParseOversizedAttachment(t *testing.T) {
	const size = 11 << 20
	data := bytes.Repeat([]byte{0xff, 0xd8, 0x42, 0x17}, size/4)
	encoded := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.WriteString("From: Siti <siti@gmail.com>\nSubject: foto KTP besar\nMessage-ID: <big@gmail.com>\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"big\"\n\n" +
		"--big\nContent-Type: text/plain; charset=UTF-8\n\nFoto KTP terlampir.\n" +
		"--big\nContent-Type: image/jpeg\nContent-Disposition: attachment; filename=\"ktp-besar.jpg\"\n" +
		"Content-Transfer-Encoding: base64\n\n")
	for len(encoded) > 76 {
		b.WriteString(encoded[:76] + "\n")
		encoded = encoded[76:]
	}
	b.WriteString(encoded + "\n--big--\n")
	raw := []byte(b.String())
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "Size", m.Size, len(raw))
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments = %d", len(m.Attachments))
	}
	wantEqual(t, "attachment size", len(m.Attachments[0].Content), size)
	if !bytes.Equal(m.Attachments[0].Content, data) {
		t.Error("attachment content changed")
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"utf-8 untouched", "café – ok", "café – ok"},
		{"windows-1252 bytes in a utf-8 part", "keluar \x96 caf\xe9", "keluar – café"},
		{"windows-1252 read as iso-8859-1", "\u0093tunggu\u0094", "“tunggu”"},
		{"NUL dropped", "\x00Sertifikat\x00 belum\x00\x00 keluar\x00", "Sertifikat belum keluar"},
		{"NUL dropped beside windows-1252", "caf\xe9\x00", "café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantEqual(t, "cleanText", cleanText(tt.in), tt.want)
		})
	}
}

// Scripts and web forms write headers in raw 8-bit windows-1252; the
// decoder would turn those bytes into U+FFFD before cleanText saw them.
func TestParseRawEightBitSubject(t *testing.T) {
	m, err := Parse([]byte("From: a@b.id\r\nSubject: Nama \x93Andr\xe9\x94 salah \x96 =?utf-8?Q?caf=C3=A9?=\r\n\r\nisi\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "Subject", m.Subject, "Nama “André” salah – café")
}

// PostgreSQL text refuses NUL (SQLSTATE 22021): a mail carrying one in any
// text Aduan keeps could never be stored.
func TestParseDropsNUL(t *testing.T) {
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	raw := strings.Join([]string{
		"From: \"Bu\x00di\" <bu\x00di@warga.test>",
		"Message-ID: <nul\x00.1@warga.test>",
		"In-Reply-To: <ack\x00@aduan.kemkes.go.id>",
		"Subject: Sertifikat\x00 belum =?utf-8?Q?keluar=00?=",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="b"`,
		"", "--b", `Content-Type: multipart/alternative; boundary="a"`,
		"", "--a", "Content-Type: text/plain; charset=utf-8",
		"", "Nama: Bu\x00di Santoso", "Keluhan: sertifikat\x00 belum keluar",
		"--a", "Content-Type: text/html; charset=utf-8",
		"", "<p title=\"x\x00y\">Nama: Bu\x00di &#0;<img src=\"cid:lo\x00go@warga\"></p>",
		"--a--", "--b", "Content-Type: image/png; name=\"ktp\x00.png\"",
		"Content-Disposition: attachment; filename=\"ktp\x00.png\"", "Content-ID: <lo\x00go@warga>",
		"Content-Transfer-Encoding: base64", "", png, "--b--", "",
	}, "\r\n")
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "Subject", m.Subject, "Sertifikat belum keluar")
	wantContains(t, "Text", m.Text, "Nama: Budi Santoso", "Keluhan: sertifikat belum keluar")
	wantContains(t, "HTML", m.HTML, "Nama: Budi")
	wantEqual(t, "MessageID", m.MessageID, "nul.1@warga.test")
	wantEqual(t, "From", m.From, Address{Name: "Budi", Address: "budi@warga.test"})
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
	wantEqual(t, "Filename", m.Attachments[0].Filename, "ktp.png")
	wantEqual(t, "ContentID", m.Attachments[0].ContentID, "logo@warga")
	kept := []string{m.Subject, m.Text, m.HTML, m.MessageID, m.From.Name, m.From.Address,
		m.Attachments[0].Filename, m.Attachments[0].ContentID, m.Attachments[0].ContentType}
	kept = append(append(append(kept, m.InReplyTo...), m.References...), m.Warnings...)
	for _, s := range kept {
		if strings.ContainsRune(s, 0) {
			t.Errorf("NUL kept in %q", s)
		}
	}
}
