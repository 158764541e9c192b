package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// The mail system of `scripts/provision.sh mail`.
const (
	smtpAddr      = "127.0.0.1:2525"
	imapAddr      = "127.0.0.1:1143"
	mailPassword  = "aduan-test-pass"
	complaintAddr = "pedulilindungi@kemkes.test"
	citizenAddr   = "warga1@warga.test"

	e2eNIK       = "3201014508850001"
	e2eMaskedNIK = "**************01"
)

const complaintBody = `Selamat siang,

Nama Lengkap: Siti Aminah
NIK: 3201014508850001
Tempat, Tanggal Lahir: Bogor, 5 Agustus 1985
Nomor HP: 0812-3456-7801
Keluhan: Sertifikat vaksin saya belum muncul di aplikasi PeduliLindungi, padahal
sudah vaksin dosis kedua tanggal 2 November di Puskesmas Cibinong.
`

// TestE2EMailComplaintAckReplyAutoReply follows one complaint mail through
// the real mail system: swaks → Postfix → Dovecot → aduan's poller → a
// ticket → the acknowledgement through Postfix into the complainant's own
// Dovecot mailbox; the complainant's reply threads onto the ticket, and an
// out-of-office answer to the acknowledgement is kept without a reply.
func TestE2EMailComplaintAckReplyAutoReply(t *testing.T) {
	if os.Getenv("ADUAN_E2E_MAIL") != "1" {
		t.Skip("set ADUAN_E2E_MAIL=1 to run: needs Postfix on " + smtpAddr + ", Dovecot on " + imapAddr +
			" and swaks (scripts/provision.sh mail)")
	}
	requireMailSystem(t)
	resetMailboxes(t, complaintAddr, citizenAddr)
	a, dbURL := startMailApp(t)

	// 1. The complaint, with the three photos.
	dir := t.TempDir()
	args := []string{"--from", citizenAddr, "--to", complaintAddr,
		"--header", "Subject: Sertifikat vaksin belum muncul", "--body", complaintBody}
	for i, name := range []string{"ktp.jpg", "selfie.jpg", "kartu-vaksin.jpg"} {
		args = append(args, "--attach-type", "image/jpeg", "--attach-name", name, "--attach", "@"+writeJPEG(t, dir, name, i))
	}
	swaks(t, args...)

	var tk ticket.Ticket
	a.eventually(t, 30*time.Second, "a ticket for the NIK", func() (bool, string) {
		ts := ticketsForNIK(t, a)
		if len(ts) == 0 {
			return false, "no ticket"
		}
		tk = ts[0]
		return true, ""
	})
	checkComplaintTicket(t, a, tk)
	msgs := messages(t, a, tk.ID)
	if len(msgs) == 0 || msgs[0].Direction != ticket.Inbound {
		t.Fatalf("ticket %s: no inbound message: %+v", tk.Number, msgs)
	}
	complaintID := msgs[0].SourceID
	if !strings.HasPrefix(complaintID, "<") || !strings.Contains(complaintID, "@") {
		t.Errorf("complaint source id = %q, want the Message-ID swaks generated", complaintID)
	}

	// 2. The acknowledgement, in warga1's own mailbox.
	var ackRaw []byte
	a.eventually(t, 30*time.Second, "the acknowledgement in "+citizenAddr+"'s INBOX", func() (bool, string) {
		box := readMailbox(t, citizenAddr, "INBOX")
		for _, raw := range box {
			// The request for better photos may arrive first.
			if m, err := email.Parse(raw); err == nil && strings.Contains(m.Subject, "telah kami terima") {
				ackRaw = raw
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d mails, none the acknowledgement", len(box))
	})
	ack := checkAck(t, ackRaw, tk, complaintID)
	var ackRow ticket.Message
	a.eventually(t, 10*time.Second, "the ack row marked sent", func() (bool, string) {
		acks := outboundAcks(t, a, tk.ID)
		if len(acks) != 1 {
			return false, fmt.Sprintf("%d ack rows", len(acks))
		}
		ackRow = acks[0]
		return ackRow.Status == ticket.DeliverySent, "status " + ackRow.Status
	})
	if "<"+ack.MessageID+">" != ackRow.SourceID || ackRow.Recipient != citizenAddr {
		t.Errorf("ack row: source %q recipient %q; the mail has Message-ID <%s>", ackRow.SourceID, ackRow.Recipient,
			ack.MessageID)
	}
	ackID := "<" + ack.MessageID + ">"

	// The test's photos are tiny: the acknowledgement waited for their checks
	// and names the unreadable KTP; the documents decision puts the ticket
	// in needs_info and, the acknowledgement having said it, mails nothing
	// more.
	if text := strings.Join(strings.Fields(ack.Text), " "); !strings.Contains(text, "- Foto KTP: tidak dapat kami baca (") ||
		!strings.Contains(text, "- Foto KTP (kirim ulang") {
		t.Errorf("the acknowledgement does not name the unreadable KTP:\n%s", ack.Text)
	}
	a.eventually(t, 60*time.Second, "the documents decision", func() (bool, string) {
		got := status(t, a, tk.ID)
		return got == ticket.StatusNeedsInfo, "status " + string(got)
	})
	if docs := ticketByID(t, a, tk.ID).Documents; docs.KTP != ticket.DocUnreadable {
		t.Errorf("documents = %+v, want the tiny KTP photo unreadable", docs)
	}
	if n := storetest.Count(t, dbURL, "SELECT count(*) FROM outbox WHERE task_type = 'notify:docs'"); n != 0 {
		t.Errorf("%d documents requests to mail besides the acknowledgement", n)
	}
	outBefore := len(outbound(messages(t, a, tk.ID)))
	if outBefore != 1 {
		t.Errorf("%d outbound messages, want the acknowledgement alone", outBefore)
	}

	// 3. A reply to the acknowledgement puts a pending ticket back in the agents' hands.
	setStatus(t, a, tk.ID, ticket.StatusPending)
	swaks(t, "--from", citizenAddr, "--to", complaintAddr, "--header", "Subject: Re: "+ack.Subject,
		"--header", "In-Reply-To: "+ackID, "--header", "References: "+complaintID+" "+ackID,
		"--body", "Ini foto tambahan.")
	a.eventually(t, 30*time.Second, "the reply on the ticket", func() (bool, string) {
		in := inbound(messages(t, a, tk.ID))
		return len(in) >= 2, fmt.Sprintf("%d inbound messages", len(in))
	})
	in := inbound(messages(t, a, tk.ID))
	if len(in) != 2 || in[1].Automatic != "" || !strings.Contains(in[1].Body, "Ini foto tambahan.") {
		t.Errorf("inbound messages after the reply = %+v, want the complaint and the reply", in)
	}
	if got := status(t, a, tk.ID); got != ticket.StatusOpen {
		t.Errorf("status after the reply = %s, want open (it was pending)", got)
	}
	checkOneTicket(t, a, dbURL, "after the reply")

	// 4. An out-of-office answer to the acknowledgement starts no loop.
	swaks(t, "--from", citizenAddr, "--to", complaintAddr, "--header", "Subject: Balasan Otomatis: "+ack.Subject,
		"--header", "Auto-Submitted: auto-replied", "--header", "In-Reply-To: "+ackID,
		"--body", "Saya sedang cuti.")
	a.eventually(t, 30*time.Second, "the out-of-office answer on the ticket", func() (bool, string) {
		in := inbound(messages(t, a, tk.ID))
		return len(in) >= 3, fmt.Sprintf("%d inbound messages", len(in))
	})
	in = inbound(messages(t, a, tk.ID))
	if len(in) != 3 || in[2].Automatic == "" || in[2].Kind != ticket.KindAutomatic {
		t.Errorf("third inbound message = %+v, want the out-of-office kept as automatic", in[len(in)-1])
	}
	// An answer would start from the outbox, written with the message; and
	// once the work queued so far has run, one would be on the ticket.
	if n := storetest.Count(t, dbURL, "SELECT count(*) FROM outbox WHERE payload->>'message_id' = $1",
		strconv.FormatInt(in[2].ID, 10)); n != 0 {
		t.Errorf("outbox rows for the out-of-office = %d, want none", n)
	}
	a.settled(t, 30*time.Second)
	if box := readMailbox(t, citizenAddr, "INBOX"); len(box) != outBefore {
		t.Errorf("%s's INBOX holds %d mails, want the %d sent before the out-of-office", citizenAddr, len(box), outBefore)
	}
	if n := len(outbound(messages(t, a, tk.ID))); n != outBefore {
		t.Errorf("outbound messages on the ticket = %d, want the %d before the out-of-office", n, outBefore)
	}
	if got := status(t, a, tk.ID); got != ticket.StatusOpen {
		t.Errorf("status after the out-of-office = %s, want it unchanged (open)", got)
	}
	checkOneTicket(t, a, dbURL, "after the out-of-office")
	if n := storetest.Count(t, dbURL, "SELECT count(*) FROM ignored_mail"); n != 0 {
		t.Errorf("ignored mails = %d, want 0: the out-of-office threads onto the ticket", n)
	}

	// 5. Every handled mail left the complaint INBOX for Processed.
	a.eventually(t, 10*time.Second, "the three mails moved to Processed", func() (bool, string) {
		inbox, done := mailboxSize(t, complaintAddr, "INBOX"), mailboxSize(t, complaintAddr, "Processed")
		return inbox == 0 && done == 3, fmt.Sprintf("INBOX %d, Processed %d", inbox, done)
	})
}

// checkComplaintTicket checks what the complaint mail's form and photos became.
func checkComplaintTicket(t *testing.T, a *mailApp, tk ticket.Ticket) {
	t.Helper()
	if tk.Channel != ticket.ChannelEmail || tk.Category != ticket.CategoryCertificateMissing ||
		tk.Status != ticket.StatusNew {
		t.Errorf("ticket %s: channel %s, category %s, status %s; want email, certificate_missing, new (warnings %v)",
			tk.Number, tk.Channel, tk.Category, tk.Status, tk.Warnings)
	}
	c := tk.Complainant
	if c == nil {
		t.Fatalf("ticket %s has no complainant", tk.Number)
	}
	birth := ""
	if c.BirthDate != nil {
		birth = c.BirthDate.Format(time.DateOnly)
	}
	if c.Name != "Siti Aminah" || c.Phone != "+6281234567801" || c.Email != citizenAddr || c.BirthPlace != "Bogor" ||
		birth != "1985-08-05" || c.NIK != e2eNIK {
		t.Errorf("complainant = name %q phone %q email %q birth %q %q; want Siti Aminah, +6281234567801, %s, Bogor 1985-08-05",
			c.Name, c.Phone, c.Email, c.BirthPlace, birth, citizenAddr)
	}
	want := ticket.Documents{KTP: ticket.DocReceived, Selfie: ticket.DocReceived, VaccineCard: ticket.DocReceived}
	if tk.Documents != want {
		t.Errorf("documents = %+v, want all three received", tk.Documents)
	}
	atts, err := a.Store.Attachments(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ticket.AttachmentKind{}
	for _, at := range atts {
		if !at.Stored || at.ContentType != "image/jpeg" || at.SHA256 == "" {
			t.Errorf("attachment %s: stored %v, type %q, sha256 %q; want a stored image/jpeg", at.Filename, at.Stored,
				at.ContentType, at.SHA256)
		}
		got[at.Filename] = at.Kind
	}
	wantKinds := map[string]ticket.AttachmentKind{"ktp.jpg": ticket.KindKTP, "selfie.jpg": ticket.KindSelfie,
		"kartu-vaksin.jpg": ticket.KindVaccineCard}
	if len(atts) != 3 || fmt.Sprint(got) != fmt.Sprint(wantKinds) {
		t.Errorf("attachments = %v, want %v", got, wantKinds)
	}
}

// checkAck checks the acknowledgement as it arrived and returns it parsed.
func checkAck(t *testing.T, raw []byte, tk ticket.Ticket, complaintID string) *email.Mail {
	t.Helper()
	hdr, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("acknowledgement: %v\n%s", err, raw)
	}
	m, err := email.Parse(raw)
	if err != nil {
		t.Fatalf("acknowledgement: %v\n%s", err, raw)
	}
	if !strings.Contains(m.Subject, "["+tk.Number+"]") {
		t.Errorf("ack subject %q does not carry [%s]", m.Subject, tk.Number)
	}
	if m.From.Address != complaintAddr || m.MessageID == "" {
		t.Errorf("ack from %q, Message-ID %q", m.From.Address, m.MessageID)
	}
	if len(m.InReplyTo) != 1 || "<"+m.InReplyTo[0]+">" != complaintID {
		t.Errorf("ack In-Reply-To = %v, want %s", m.InReplyTo, complaintID)
	}
	if len(m.References) == 0 || "<"+m.References[len(m.References)-1]+">" != complaintID {
		t.Errorf("ack References = %v, want it to end with %s", m.References, complaintID)
	}
	if got := hdr.Header.Get("Auto-Submitted"); got != "auto-replied" {
		t.Errorf("ack Auto-Submitted = %q, want auto-replied", got)
	}
	if hdr.Header.Get(email.LoopHeader) == "" {
		t.Errorf("ack has no %s header", email.LoopHeader)
	}
	if !strings.Contains(m.Text, e2eMaskedNIK) || !strings.Contains(m.Text, tk.Number) {
		t.Errorf("ack body lacks the masked NIK %s or the number %s:\n%s", e2eMaskedNIK, tk.Number, m.Text)
	}
	if strings.Contains(m.Text, e2eNIK) || bytes.Contains(raw, []byte(e2eNIK)) {
		t.Errorf("ack carries the full NIK:\n%s", raw)
	}
	return m
}

// checkOneTicket asserts the complainant still has exactly one ticket.
func checkOneTicket(t *testing.T, a *mailApp, dbURL, when string) {
	t.Helper()
	if n := len(ticketsForNIK(t, a)); n != 1 {
		t.Errorf("%s: %d tickets for the NIK, want 1", when, n)
	}
	if n := storetest.Count(t, dbURL, "SELECT count(*) FROM tickets"); n != 1 {
		t.Errorf("%s: %d tickets in all, want 1", when, n)
	}
}
