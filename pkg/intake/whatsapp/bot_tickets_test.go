package whatsapp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/registry"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestCertificateOfARecentDose(t *testing.T) {
	h := newHarness(t) // now is 17/11/2021
	p, _ := h.reg.ByNIK(context.Background(), nikBudi)
	p.Doses = []registry.Dose{{Dose: 1, Date: time.Date(2021, 11, 14, 0, 0, 0, 0, time.UTC), Vaccine: "Pfizer", Place: "RSUD Bogor"}}
	h.reg.people[nikBudi] = p
	h.tap(waBudi, h.verify(waBudi, phoneBudi), "Download Sertifikat")
	h.text(waBudi, "Budi Santoso")
	out := h.text(waBudi, nikBudi)
	expect(t, out, "coba lagi mulai tanggal 24/11/2021", "[Download Sertifikat]")
	if len(h.media.files) != 0 || len(h.tickets()) != 0 {
		t.Errorf("%d certificates, %d tickets; want neither", len(h.media.files), len(h.tickets()))
	}
}

func TestCertificateNotYetIssued(t *testing.T) {
	h := newHarness(t) // now is 17/11/2021
	h.tap(waBudi, h.verify(waBudi, phoneBudi), "Download Sertifikat")
	h.text(waBudi, "Budi Santoso")
	expect(t, h.text(waBudi, nikBudi), "tanggal dosis terakhir")
	out := h.text(waBudi, "12/11/2021")
	expect(t, out, "coba lagi mulai tanggal 22/11/2021", "[Download Sertifikat]")
	if n := len(h.tickets()); n != 0 {
		t.Fatalf("%d tickets, want none", n)
	}
	h.tap(waBudi, out, "Download Sertifikat")
	h.text(waBudi, "Budi Santoso")
	h.text(waBudi, nikBudi)
	out = h.text(waBudi, "1-11-2021")
	tk := h.onlyTicket()
	expect(t, out, tk.Number)
	if tk.Category != ticket.CategoryCertificateMissing || tk.Channel != ticket.ChannelWhatsApp {
		t.Errorf("ticket %s on %s", tk.Category, tk.Channel)
	}
	if c := tk.Complainant; c.NIK != nikBudi || c.Phone != phoneBudi || c.WhatsAppID != waBudi {
		t.Errorf("complainant %+v", c)
	}
	if n := storetest.Count(t, h.dbURL, `SELECT count(*) FROM outbox WHERE task_type = 'notify:ack'`); n != 0 {
		t.Errorf("%d email acknowledgements queued; the bot's answer is the acknowledgement", n)
	}
}

func TestNIKRegisteredToSomeoneElse(t *testing.T) {
	h := newHarness(t)
	out := h.tap(waSiti, h.verify(waSiti, phoneSiti), "Ubah Info Diri")
	h.tap(waSiti, out, "Ubah Nama")
	h.text(waSiti, "Siti Aminah")
	out = h.text(waSiti, nikBudi)
	tk := h.onlyTicket()
	expect(t, out, tk.Number, "foto KTP")
	if tk.Category != ticket.CategoryNIKConflict || tk.Priority != ticket.PriorityHigh {
		t.Errorf("ticket %s %s, want nik_conflict high", tk.Category, tk.Priority)
	}
	if len(h.reg.changes) != 0 {
		t.Errorf("registry changed: %+v", h.reg.changes)
	}
	checksBefore := storetest.Count(t, h.dbURL, `SELECT count(*) FROM outbox WHERE task_type = 'documents:check'`)
	photo := &ticket.Attachment{Filename: "ktp.jpg", ContentType: "image/jpeg", Size: 48213, Stored: true,
		SHA256: strings.Repeat("ab", 32)}
	out = h.deliver(waSiti, whatsapp.Message{Type: "image", Media: &whatsapp.Media{ID: "1479537139650973", MimeType: "image/jpeg"}}, photo)
	expect(t, out, "Foto KTP sudah kami terima", tk.Number)
	atts, err := h.s.Attachments(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(atts) != 1 || atts[0].Kind != ticket.KindKTP || atts[0].SHA256 != photo.SHA256 {
		t.Fatalf("attachments %+v, want the KTP photo", atts)
	}
	if n := storetest.Count(t, h.dbURL, `SELECT count(*) FROM outbox WHERE task_type = 'documents:check'
		AND (payload->>'ticket_id')::bigint = $1`, tk.ID); n <= checksBefore {
		t.Errorf("documents checks queued for the ticket: %d, before the photo %d", n, checksBefore)
	}
}

func TestHubungiPetugas(t *testing.T) {
	h := newHarness(t)
	h.text(waSiti, "hai")
	out := h.text(waSiti, "sertifikat saya salah nama")
	out = h.tap(waSiti, out, "Hubungi Petugas")
	tk := h.onlyTicket()
	expect(t, out, tk.Number, "Petugas akan membalas")
	if tk.Channel != ticket.ChannelWhatsApp || tk.Complainant.WhatsAppID != waSiti {
		t.Errorf("ticket on %s for %+v", tk.Channel, tk.Complainant)
	}
	ms := h.messages(tk.ID)
	if len(ms) != 1 || !strings.Contains(ms[0].Body, "Pelapor: sertifikat saya salah nama") ||
		!strings.Contains(ms[0].Body, "Bot: Selamat datang") || ms[0].SourceID == "" {
		t.Fatalf("first message %+v, want the conversation so far", ms)
	}
	expect(t, h.text(waSiti, "nama saya Siti Aminah, di sertifikat tertulis Siti Aminat"), "sudah kami teruskan", tk.Number)
	if ms := h.messages(tk.ID); len(ms) != 2 || !strings.Contains(ms[1].Body, "Siti Aminat") {
		t.Fatalf("messages %+v, want the person's words on the ticket", ms)
	}
	expect(t, h.text(waSiti, "menu"), "Selamat datang")
	h.text(waSiti, "halo")
	if ms := h.messages(tk.ID); len(ms) != 2 {
		t.Errorf("%d messages: what follows menu went to the ticket", len(ms))
	}
}

func TestWhileAnAgentHasTheConversation(t *testing.T) {
	h := newHarness(t)
	menu := h.text(waSiti, "hai")
	h.tap(waSiti, menu, "Hubungi Petugas")
	tk := h.onlyTicket()
	expect(t, h.tap(waSiti, menu, "Sertifikat Vaksin"), "tidak berlaku", tk.Number, "menu")
	expect(t, h.deliver(waSiti, whatsapp.Message{Type: "reaction"}, nil), "tidak dapat diteruskan", tk.Number)
	doc := &ticket.Attachment{Filename: "kartu-vaksin.pdf", ContentType: "application/pdf", Size: 1200, Stored: true,
		SHA256: strings.Repeat("cd", 32)}
	expect(t, h.deliver(waSiti, whatsapp.Message{Type: "document", Media: &whatsapp.Media{ID: "m9", Filename: "kartu-vaksin.pdf"}}, doc),
		"sudah kami teruskan")
	if ms := h.messages(tk.ID); len(ms) != 2 {
		t.Fatalf("%d messages, want the transcript and the document", len(ms))
	}
	atts, _ := h.s.Attachments(context.Background(), tk.ID)
	if len(atts) != 1 || atts[0].Kind != ticket.KindUnknown {
		t.Errorf("attachments %+v, want the document, its kind left to the checks", atts)
	}
	// Once the ticket is closed, the bot answers again.
	storetest.Exec(t, h.dbURL, `UPDATE tickets SET status = 'closed' WHERE id = $1`, tk.ID)
	expect(t, h.text(waSiti, "halo lagi"), "sudah ditutup", "Selamat datang")
	if ms := h.messages(tk.ID); len(ms) != 2 {
		t.Errorf("%d messages on the closed ticket", len(ms))
	}
}

func TestEscalationLinksTheKnownComplainant(t *testing.T) {
	h := newHarness(t)
	// Siti called the call center last week.
	res, err := h.deps.Tickets.Ingest(context.Background(), callFrom(nikSiti, phoneSiti))
	if err != nil {
		t.Fatal(err)
	}
	h.verify(waSiti, phoneSiti)
	h.text(waSiti, "apa")
	h.text(waSiti, "bingung")
	out := h.text(waSiti, "???")
	var wa ticket.Ticket
	for _, tk := range h.tickets() {
		if tk.Channel == ticket.ChannelWhatsApp {
			wa = tk
		}
	}
	expect(t, out, wa.Number)
	if wa.ComplainantID != res.Ticket.ComplainantID {
		t.Errorf("WhatsApp ticket's complainant %d, the caller is %d", wa.ComplainantID, res.Ticket.ComplainantID)
	}
}

func TestThreeMisunderstandings(t *testing.T) {
	h := newHarness(t)
	out := h.text(waSiti, "hai")
	h.tap(waSiti, out, "Sertifikat Vaksin")
	expect(t, h.text(waSiti, "nomor saya yang lama"), "Nomor HP tidak valid")
	expect(t, h.text(waSiti, "lupa"), "Nomor HP tidak valid")
	if n := len(h.tickets()); n != 0 {
		t.Fatalf("%d tickets after two misses", n)
	}
	out = h.text(waSiti, "tolong")
	tk := h.onlyTicket()
	expect(t, out, tk.Number)
	if !strings.Contains(h.messages(tk.ID)[0].Body, "nomor saya yang lama") {
		t.Error("the ticket lacks the conversation")
	}
	t.Run("an understood message in between starts the count again", func(t *testing.T) {
		h := newHarness(t)
		h.tap(waSiti, h.text(waSiti, "hai"), "Sertifikat Vaksin")
		h.text(waSiti, "x")
		h.text(waSiti, "y")
		h.text(waSiti, phoneSiti)
		h.text(waSiti, "kode?")
		h.text(waSiti, "mana")
		if n := len(h.tickets()); n != 0 {
			t.Fatalf("%d tickets", n)
		}
	})
}
