package email_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/ticket"
)

func adapterFor(t *testing.T, limits email.Limits) *email.Adapter {
	t.Helper()
	rules, err := email.ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return email.NewAdapter(rules, blobs, limits)
}

func inboundOf(t *testing.T, a *email.Adapter, raw []byte) intake.Inbound {
	t.Helper()
	m, err := email.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	in, err := a.Inbound(m, raw, "raw-sha")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestInboundFromCompleteMail(t *testing.T) {
	in := inboundOf(t, adapterFor(t, email.Limits{}), fixture(t, "plain.eml"))
	c := in.Complainant
	if c.NIK != "3201014107870001" || c.Phone != "+6281234567890" || c.Email != "siti.rahmawati87@gmail.com" ||
		c.Name != "Siti Rahmawati" || c.BirthPlace != "Bogor" || c.BirthDate == nil {
		t.Errorf("complainant = %+v", c)
	}
	if in.Category != ticket.CategoryCertificateMissing || in.Status != ticket.StatusNew || !in.Ack {
		t.Errorf("category %s status %s ack %v; want certificate_missing, new, acknowledged", in.Category, in.Status, in.Ack)
	}
	want := ticket.Documents{KTP: ticket.DocReceived, Selfie: ticket.DocReceived, VaccineCard: ticket.DocReceived}
	if in.Documents != want || len(in.Attachments) != 3 {
		t.Errorf("documents %+v with %d attachments, want all three received", in.Documents, len(in.Attachments))
	}
	if in.SourceID != "<CAJ7x9k2Qm1sT0rN+5fA@mail.gmail.com>" || in.RawSHA256 != "raw-sha" {
		t.Errorf("source %q raw %q", in.SourceID, in.RawSHA256)
	}
}

func TestInboundNamesWhatIsMissing(t *testing.T) {
	raw := []byte("From: Agus <agus@warga.test>\r\nMessage-ID: <m1@warga.test>\r\nSubject: sertifikat belum keluar\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nNama: Agus Salim\r\nNIK: 3201014013850001\r\n" +
		"Keluhan: sertifikat belum keluar setelah vaksin kedua\r\n")
	in := inboundOf(t, adapterFor(t, email.Limits{}), raw)
	if in.Status != ticket.StatusNeedsInfo {
		t.Fatalf("status = %s, want needs_info", in.Status)
	}
	warnings := strings.Join(in.Warnings, " ")
	for _, want := range []string{"NIK tidak valid", "Nomor HP", "Tempat, Tanggal Lahir", "foto KTP", "swafoto", "kartu vaksinasi"} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings %q do not name %q", warnings, want)
		}
	}
	if in.Complainant.NIK != "" || in.Complainant.Email != "agus@warga.test" {
		t.Errorf("an invalid NIK must not be stored as the complainant's: %+v", in.Complainant)
	}
}

func TestInboundRefusesOversizedAttachments(t *testing.T) {
	in := inboundOf(t, adapterFor(t, email.Limits{MaxAttachment: 200, MaxMail: 300}), fixture(t, "plain.eml"))
	var stored, refused int
	for _, a := range in.Attachments {
		switch {
		case a.Stored && a.SHA256 != "":
			stored++
		case !a.Stored && a.RefusedReason == ticket.RefusedTooLarge && a.SHA256 == "":
			refused++
		}
	}
	if stored+refused != 3 || refused == 0 {
		t.Fatalf("stored %d refused %d of %d; want the ones over the limit refused, not stored", stored, refused, len(in.Attachments))
	}
}

func TestInboundThreadHints(t *testing.T) {
	a := adapterFor(t, email.Limits{})
	reply := inboundOf(t, a, fixture(t, "reply-to-ack.eml"))
	if !slices.Contains(reply.ThreadRefs, "<ack-PL-261122-000123@aduan.kemkes.go.id>") ||
		reply.ThreadNumber != "PL-261122-000123" || !reply.LooksLikeReply {
		t.Errorf("reply hints: refs %v number %q reply %v", reply.ThreadRefs, reply.ThreadNumber, reply.LooksLikeReply)
	}
	ooo := inboundOf(t, a, fixture(t, "auto-reply.eml"))
	if ooo.Automatic == "" || ooo.Ack {
		t.Errorf("auto-reply: automatic %q ack %v; want automatic and never acknowledged", ooo.Automatic, ooo.Ack)
	}
	bounce := inboundOf(t, a, fixture(t, "bounce.eml"))
	if bounce.Bounced != "<ack-PL-261122-000123@aduan.kemkes.go.id>" || bounce.Ack {
		t.Errorf("bounce: bounced %q ack %v", bounce.Bounced, bounce.Ack)
	}
	noID := inboundOf(t, a, fixture(t, "no-message-id.eml"))
	if !strings.HasPrefix(noID.SourceID, "sha256:") || slices.Contains(noID.ThreadRefs, "") || slices.Contains(noID.ThreadRefs, "<>") {
		t.Errorf("mail without Message-ID: source %q refs %v", noID.SourceID, noID.ThreadRefs)
	}
}

// An invalid phone number or an unreadable birth date is not stored, so
// the acknowledgement asks for it again: the ticket must wait for it too.
func TestInboundAsksAgainForInvalidValues(t *testing.T) {
	const complete = "Nama: Siti Rahmawati\r\nNIK: 3201014107870001\r\nTTL: %s\r\nNo HP: %s\r\n" +
		"Keluhan: OTP tidak masuk ke HP saya\r\n"
	tests := []struct {
		name, birth, phone string
		status             ticket.Status
		want               []string // in the warnings
	}{
		{"all valid", "Bogor, 1 Juli 1987", "0812 3456 7890", ticket.StatusNew, nil},
		{"invalid phone", "Bogor, 1 Juli 1987", "12345", ticket.StatusNeedsInfo,
			[]string{"Nomor HP tidak valid", "Belum lengkap: Nomor HP yang benar."}},
		{"unreadable birth date", "Bogor, tujuh belas agustus", "0812 3456 7890", ticket.StatusNeedsInfo,
			[]string{"Tanggal lahir tidak terbaca.", "Belum lengkap: Tanggal Lahir yang benar."}},
		{"both", "Bogor, kemarin", "+1 555 0100", ticket.StatusNeedsInfo,
			[]string{"Nomor HP tidak valid", "Tanggal lahir tidak terbaca.", "Belum lengkap: Nomor HP yang benar, Tanggal Lahir yang benar."}},
	}
	a := adapterFor(t, email.Limits{})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(fmt.Sprintf("From: Siti <siti@warga.test>\r\nMessage-ID: <values-%d@warga.test>\r\n"+
				"Subject: OTP tidak masuk\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+complete, i, tt.birth, tt.phone))
			in := inboundOf(t, a, raw)
			if in.Category.NeedsDocuments() {
				t.Fatalf("category %s needs photos; the test wants one that does not", in.Category)
			}
			if in.Status != tt.status {
				t.Errorf("status = %s, want %s (warnings %q)", in.Status, tt.status, in.Warnings)
			}
			warnings := strings.Join(in.Warnings, " ")
			for _, want := range tt.want {
				if !strings.Contains(warnings, want) {
					t.Errorf("warnings %q do not say %q", warnings, want)
				}
			}
			if tt.want == nil && len(in.Warnings) != 0 {
				t.Errorf("warnings = %q, want none", in.Warnings)
			}
		})
	}
}

// Only a report that delivery failed marks our message failed; a delay or
// a success report is automatic mail all the same.
func TestInboundBouncedOnlyWhenFailed(t *testing.T) {
	const ack = "ack-PL-261122-000200@aduan.kemkes.go.id"
	tests := []struct {
		name, fields string // the recipient's fields after Final-Recipient
		failed       bool
	}{
		{"failed", "Action: failed\r\nStatus: 5.1.1", true},
		{"no action, permanent status", "Status: 5.2.2", true},
		{"delayed", "Action: delayed\r\nStatus: 4.4.1", false},
		{"delivered", "Action: delivered\r\nStatus: 2.0.0", false},
		{"relayed", "Action: relayed\r\nStatus: 2.0.0", false},
		{"expanded", "Action: expanded\r\nStatus: 2.0.0", false},
		{"no action, transient status", "Status: 4.2.2", false},
	}
	a := adapterFor(t, email.Limits{})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(strings.Join([]string{
				"From: postmaster@mail.example.id",
				fmt.Sprintf("Message-ID: <dsn-%d@mail.example.id>", i),
				"Subject: Delivery Status Notification",
				`Content-Type: multipart/report; report-type=delivery-status; boundary="b1"`,
				"", "--b1", "Content-Type: text/plain", "", "Laporan pengiriman.",
				"--b1", "Content-Type: message/delivery-status", "",
				"Reporting-MTA: dns; mail.example.id", "",
				"Final-Recipient: rfc822; budi@example.id", tt.fields, "",
				"--b1", "Content-Type: text/rfc822-headers", "",
				"Message-ID: <" + ack + ">", "Subject: [PL-261122-000200] Pengaduan",
				"--b1--", "",
			}, "\r\n"))
			in := inboundOf(t, a, raw)
			if in.Automatic != "bounce" || in.Ack {
				t.Errorf("automatic %q ack %v; want a bounce that is never acknowledged", in.Automatic, in.Ack)
			}
			want := ""
			if tt.failed {
				want = "<" + ack + ">"
			}
			if in.Bounced != want {
				t.Errorf("Bounced = %q, want %q", in.Bounced, want)
			}
		})
	}
}

// A signature logo placed before the photos must not take the KTP's
// place; phone photos are far larger than any logo.
func TestInboundSmallInlineImageTakesNoPosition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	photo := func(size int) string {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		copy(b, []byte{0xff, 0xd8, 0xff, 0xe0})
		enc := base64.StdEncoding.EncodeToString(b)
		var lines bytes.Buffer
		for len(enc) > 76 {
			lines.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		return lines.String() + enc
	}
	var b strings.Builder
	b.WriteString("From: Siti <siti@warga.test>\r\nMessage-ID: <logo@warga.test>\r\n" +
		"Subject: sertifikat belum keluar\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n" +
		"--mix\r\nContent-Type: multipart/related; boundary=\"rel\"\r\n\r\n" +
		"--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<p>Nama: Siti Rahmawati<br>Keluhan: sertifikat belum keluar</p><p><img src=\"cid:logo@warga\"></p>\r\n" +
		"--rel\r\nContent-Type: image/png\r\nContent-ID: <logo@warga>\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		photo(2000) + "\r\n--rel--\r\n")
	for i := range 3 {
		name := fmt.Sprintf("IMG_2021112%d.jpg", i)
		b.WriteString("--mix\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + photo(40<<10+i) + "\r\n")
	}
	b.WriteString("--mix--\r\n")
	in := inboundOf(t, adapterFor(t, email.Limits{}), []byte(b.String()))
	var kinds []ticket.AttachmentKind
	for _, a := range in.Attachments {
		kinds = append(kinds, a.Kind)
	}
	want := []ticket.AttachmentKind{ticket.KindOther, ticket.KindKTP, ticket.KindSelfie, ticket.KindVaccineCard}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
	received := ticket.Documents{KTP: ticket.DocReceived, Selfie: ticket.DocReceived, VaccineCard: ticket.DocReceived}
	if in.Documents != received {
		t.Errorf("documents = %+v, want all three received", in.Documents)
	}
}

// The ticket describes the complaint without the signature or the forward
// around it, once; the message keeps the mail as written.
func TestInboundComplaintWithoutSignature(t *testing.T) {
	a := adapterFor(t, email.Limits{})
	tests := []struct {
		file, complaint string
		category        ticket.Category
	}{
		{"corpus/01-iphone-inline-photos.eml", "Nama di sertifikat salah, tertulis Rina Kartika Sary.", ticket.CategoryPersonalDataChange},
		{"corpus/07-forward-quoted-daughter.eml", "sertifikat dosis ke 2 durung metu, padahal wis vaksin 5 Oktober", ticket.CategoryCertificateMissing},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := inboundOf(t, a, fixture(t, tt.file))
			if in.Complaint != tt.complaint || in.Category != tt.category {
				t.Errorf("complaint %q, category %s; want %q, %s", in.Complaint, in.Category, tt.complaint, tt.category)
			}
			if n := strings.Count(in.Body, "Dikirim dari iPhone saya"); n != 1 {
				t.Errorf("body holds the signature %d times, want it once as written", n)
			}
		})
	}
	// Both readings are kept when the text says two things.
	raw := []byte("From: a@example.com\r\nSubject: tolong\r\nMessage-ID: <alt@example.com>\r\n\r\n" +
		"Keluhan: nama saya di sertifikat salah dan sertifikat booster belum muncul\r\n")
	in := inboundOf(t, a, raw)
	if in.Category != ticket.CategoryPersonalDataChange ||
		!slices.Equal(in.CategoryAlternatives, []ticket.Category{ticket.CategoryCertificateMissing}) {
		t.Errorf("category %s, alternatives %v; want personal_data_change, [certificate_missing]", in.Category, in.CategoryAlternatives)
	}
}
