package email_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

func adapterFor(t *testing.T, limits email.Limits) *email.Adapter {
	t.Helper()
	rules, err := email.ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := store.NewBlobs(t.TempDir())
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
		case !a.Stored && a.RefusedReason == email.RefusedTooLarge && a.SHA256 == "":
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
