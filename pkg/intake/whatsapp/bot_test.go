package whatsapp_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/registry"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

const (
	waSiti = "6281234567890"
	waBudi = "6281398765432"
)

// tickets returns the tickets stored, newest first.
func (h *harness) tickets() []ticket.Ticket {
	h.t.Helper()
	ts, err := h.s.Tickets(context.Background(), store.TicketFilter{Limit: 50})
	if err != nil {
		h.t.Fatal(err)
	}
	return ts
}

func (h *harness) onlyTicket() ticket.Ticket {
	h.t.Helper()
	ts := h.tickets()
	if len(ts) != 1 {
		h.t.Fatalf("%d tickets, want 1", len(ts))
	}
	t, err := h.s.TicketByRef(context.Background(), ts[0].Number, false)
	if err != nil {
		h.t.Fatal(err)
	}
	return t
}

func (h *harness) messages(ticketID int64) []ticket.Message {
	h.t.Helper()
	ms, err := h.s.Messages(context.Background(), ticketID)
	if err != nil {
		h.t.Fatal(err)
	}
	return ms
}

func TestFirstMessageOpensTheMainMenu(t *testing.T) {
	for _, first := range []string{"hai", "Halo, sertifikat saya belum muncul", "menu"} {
		t.Run(first, func(t *testing.T) {
			h := newHarness(t)
			out := h.text(waSiti, first)
			expect(t, out, "Selamat datang", "[Sertifikat Vaksin]", "[Hubungi Petugas]", "berakhir pukul 16.15 WIB")
		})
	}
}

func TestDownloadSertifikat(t *testing.T) {
	h := newHarness(t)
	out := h.verify(waSiti, "0812-3456-7890")
	out = h.tap(waSiti, out, "Download Sertifikat")
	expect(t, out, "nama lengkap")
	expect(t, h.text(waSiti, "  siti   AMINAH. "), "NIK")
	out = h.text(waSiti, "3201 0145 0885 0001")
	var doc *struct{ id, name string }
	for _, m := range out {
		if m.Document != nil {
			doc = &struct{ id, name string }{m.Document.MediaID, m.Document.Filename}
			if !strings.Contains(m.Document.Caption, "Siti Aminah") {
				t.Errorf("caption %q", m.Document.Caption)
			}
		}
		if strings.Contains(m.Text, "http") {
			t.Errorf("a link was sent: %q", m.Text)
		}
	}
	if doc == nil {
		t.Fatalf("no document sent:\n%s", render(out))
	}
	if pdf := h.media.files[doc.id]; !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("uploaded %.20q as %s, want a PDF", pdf, doc.id)
	}
	if !strings.HasPrefix(doc.name, "sertifikat-vaksin-") || !strings.HasSuffix(doc.name, ".pdf") {
		t.Errorf("filename %q", doc.name)
	}
	expect(t, out, "Ada lagi", "[Status Vaksinasi]")
	if got := h.otp.last(t).phone; got != phoneSiti {
		t.Errorf("code sent to %s, want %s", got, phoneSiti)
	}
	if n := len(h.tickets()); n != 0 {
		t.Errorf("%d tickets opened, want none", n)
	}
}

func TestCertificateUploadFails(t *testing.T) {
	h := newHarness(t)
	h.media.down = &notify.WAError{HTTPStatus: 500, Code: 131000, Title: "Something went wrong"}
	h.tap(waSiti, h.verify(waSiti, phoneSiti), "Download Sertifikat")
	h.text(waSiti, "Siti Aminah")
	out := h.text(waSiti, nikSiti)
	expect(t, out, "coba lagi beberapa saat lagi", "[Download Sertifikat]")
	h.media.down = nil
	h.tap(waSiti, out, "Download Sertifikat")
	h.text(waSiti, "Siti Aminah")
	expect(t, h.text(waSiti, nikSiti), "<document sertifikat-vaksin-", "media-1>")
}

func TestStatusVaksinasi(t *testing.T) {
	h := newHarness(t)
	out := h.tap(waSiti, h.verify(waSiti, phoneSiti), "Status Vaksinasi")
	h.text(waSiti, "Siti Aminah")
	out = h.text(waSiti, nikSiti)
	expect(t, out, "Dosis 1: 12/08/2021, Sinovac, Puskesmas Cibinong", "Dosis 2: 09/09/2021, Sinovac, Puskesmas Cibinong")
}

func TestUbahInfoDiri(t *testing.T) {
	t.Run("Ubah Nama", func(t *testing.T) {
		h := newHarness(t)
		out := h.tap(waSiti, h.verify(waSiti, phoneSiti), "Ubah Info Diri")
		out = h.tap(waSiti, out, "Ubah Nama")
		expect(t, out, "sesuai KTP")
		h.text(waSiti, "Siti  Aminah Lestari")
		out = h.text(waSiti, nikSiti)
		expect(t, out, "Siti Aminah Lestari")
		p, _ := h.reg.ByNIK(context.Background(), nikSiti)
		if p.Name != "Siti Aminah Lestari" {
			t.Errorf("name %q", p.Name)
		}
		want := registryChange{nikSiti, "name", "Siti Aminah Lestari", registry.Actor{Kind: registry.ActorWhatsApp, ID: phoneSiti}}
		if len(h.reg.changes) != 1 || h.reg.changes[0] != want {
			t.Errorf("changes %+v, want %+v", h.reg.changes, want)
		}
	})
	t.Run("Ubah Nomor HP", func(t *testing.T) {
		h := newHarness(t)
		out := h.tap(waSiti, h.verify(waSiti, phoneSiti), "Ubah Info Diri")
		h.tap(waSiti, out, "Ubah Nomor HP")
		h.text(waSiti, "Siti Aminah")
		expect(t, h.text(waSiti, nikSiti), "nomor HP baru")
		expect(t, h.text(waSiti, phoneBudi), "sudah terdaftar untuk orang lain")
		h.text(waSiti, "menu")
		out = h.tap(waSiti, h.verify(waSiti, phoneSiti), "Ubah Info Diri")
		h.tap(waSiti, out, "Ubah Nomor HP")
		h.text(waSiti, "Siti Aminah")
		h.text(waSiti, nikSiti)
		out = h.text(waSiti, "0857 1111 2222")
		expect(t, out, "+6285711112222")
		p, _ := h.reg.ByNIK(context.Background(), nikSiti)
		if p.Phone != "+6285711112222" {
			t.Errorf("phone %q", p.Phone)
		}
		if c := h.reg.changes; len(c) != 1 || c[0].by != (registry.Actor{Kind: registry.ActorWhatsApp, ID: phoneSiti}) {
			t.Errorf("changes %+v", c)
		}
		// The old number no longer proves anything: the next message starts over.
		expect(t, h.text(waSiti, "Status Vaksinasi"), "Selamat datang")
	})
}

func TestNIKMismatch(t *testing.T) {
	for _, tc := range []struct{ name, nama, nik string }{
		{"another person's NIK", "Siti Aminah", nikBudi},
		{"another name", "Siti Rahayu", nikSiti},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.tap(waSiti, h.verify(waSiti, phoneSiti), "Download Sertifikat")
			h.text(waSiti, tc.nama)
			out := h.text(waSiti, tc.nik)
			expect(t, out, "tidak cocok", "nama lengkap")
			if len(h.media.files) != 0 {
				t.Error("a certificate was uploaded")
			}
			// Right the second time.
			h.text(waSiti, "Siti Aminah")
			expect(t, h.text(waSiti, nikSiti), "<document sertifikat-vaksin-")
		})
	}
	t.Run("three times: an agent", func(t *testing.T) {
		h := newHarness(t)
		h.tap(waSiti, h.verify(waSiti, phoneSiti), "Status Vaksinasi")
		for range 2 {
			h.text(waSiti, "Siti Aminah")
			expect(t, h.text(waSiti, nikBudi), "tidak cocok")
		}
		h.text(waSiti, "Siti Aminah")
		out := h.text(waSiti, nikBudi)
		tk := h.onlyTicket()
		expect(t, out, tk.Number)
		if strings.Contains(render(out), "Dosis") {
			t.Error("another person's doses were shown")
		}
	})
	t.Run("a NIK not registered, when changing", func(t *testing.T) {
		h := newHarness(t)
		h.tap(waSiti, h.tap(waSiti, h.verify(waSiti, phoneSiti), "Ubah Info Diri"), "Ubah Nama")
		h.text(waSiti, "Siti Aminah")
		expect(t, h.text(waSiti, "3201014508850009"), "tidak terdaftar", "NIK")
		if len(h.reg.changes) != 0 || len(h.tickets()) != 0 {
			t.Errorf("changes %+v, %d tickets", h.reg.changes, len(h.tickets()))
		}
	})
}

func TestMenuAndBatalFromAnyStep(t *testing.T) {
	steps := []struct {
		name  string
		reach func(h *harness, wa string)
	}{
		{"main menu", func(h *harness, wa string) { h.text(wa, "hai") }},
		{"phone", func(h *harness, wa string) { h.tap(wa, h.text(wa, "hai"), "Sertifikat Vaksin") }},
		{"otp", func(h *harness, wa string) { h.tap(wa, h.text(wa, "hai"), "Sertifikat Vaksin"); h.text(wa, phoneSiti) }},
		{"services", func(h *harness, wa string) { h.verify(wa, phoneSiti) }},
		{"change", func(h *harness, wa string) { h.tap(wa, h.verify(wa, phoneSiti), "Ubah Info Diri") }},
		{"name", func(h *harness, wa string) { h.tap(wa, h.verify(wa, phoneSiti), "Status Vaksinasi") }},
		{"nik", func(h *harness, wa string) {
			h.tap(wa, h.verify(wa, phoneSiti), "Status Vaksinasi")
			h.text(wa, "Siti Aminah")
		}},
		{"dose date", func(h *harness, wa string) {
			h.tap(wa, h.verify(wa, phoneBudi), "Download Sertifikat")
			h.text(wa, "Budi Santoso")
			h.text(wa, nikBudi)
		}},
		{"ticket", func(h *harness, wa string) { h.tap(wa, h.text(wa, "hai"), "Hubungi Petugas") }},
	}
	// One database; each case is its own sender, a day apart so the code
	// limits of one do not reach the next.
	h := newHarness(t)
	n := 0
	for _, st := range steps {
		for _, word := range []string{"menu", "MENU", "batal", "Batal", "hai", "Halo!"} {
			n++
			wa := fmt.Sprintf("62811000%05d", n)
			h.clock.Advance(25 * time.Hour)
			t.Run(st.name+"/"+word, func(t *testing.T) {
				h.t = t
				st.reach(h, wa)
				out := h.text(wa, word)
				greeting := word == "hai" || word == "Halo!"
				if greeting && st.name == "ticket" {
					// With an agent, a greeting is said to the agent.
					expect(t, out, "sudah kami teruskan ke petugas")
					return
				}
				if word != "batal" && word != "Batal" {
					expect(t, out, "Selamat datang", "[Sertifikat Vaksin]")
				} else {
					expect(t, out, "dibatalkan")
					expect(t, h.text(wa, "Siti Aminah"), "Selamat datang")
				}
				// Verification does not survive: a service needs a new code.
				expect(t, h.text(wa, "Status Vaksinasi"), "Selamat datang")
			})
		}
	}
}

func TestIdleSessionExpires(t *testing.T) {
	h := newHarness(t)
	out := h.tap(waSiti, h.verify(waSiti, phoneSiti), "Status Vaksinasi")
	expect(t, out, "berakhir pukul 16.15 WIB") // 09:00 UTC, 15 minutes idle
	h.clock.Advance(14 * time.Minute)
	out = h.text(waSiti, "Siti Aminah")
	expect(t, out, "NIK", "berakhir pukul 16.29 WIB")
	h.clock.Advance(15 * time.Minute)
	out = h.text(waSiti, nikSiti)
	expect(t, out, "Sesi Anda sudah berakhir", "15 menit", "[Sertifikat Vaksin]")
	if strings.Contains(render(out), "Dosis") {
		t.Error("an expired session was answered")
	}
}

func TestTypedChoices(t *testing.T) {
	h := newHarness(t)
	h.text(waSiti, "hai")
	expect(t, h.text(waSiti, "sertifikat vaksin"), "nomor HP yang terdaftar")
	h.text(waSiti, phoneSiti)
	h.text(waSiti, h.otp.last(t).code)
	expect(t, h.text(waSiti, "2"), "nama lengkap") // Status Vaksinasi
	h.text(waSiti, "Siti Aminah")
	expect(t, h.text(waSiti, nikSiti), "Dosis 1")
}

func TestLateAnswerWithinTheSession(t *testing.T) {
	h := newHarness(t)
	h.tap(waSiti, h.text(waSiti, "hai"), "Sertifikat Vaksin")
	sent := h.clock.Now().Add(10 * time.Minute)
	h.clock.Advance(20 * time.Minute) // a backlog: answered 10 minutes after it was sent
	in := whatsapp.Incoming{PhoneNumberID: numberID, Contact: whatsapp.Contact{WaID: waSiti},
		Message: whatsapp.Message{ID: "wamid.late", From: waSiti, Type: "text", Text: phoneSiti}, At: sent}
	before := h.q.len()
	if err := h.bot.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	var out []notify.WAMessage
	for _, o := range h.q.since(before) {
		out = append(out, o.Message)
	}
	expect(t, out, "sudah dikirim")
}

// TestOneSenderOneAtATime: two instances answering two messages of one
// sender at once do not lose either's update.
func TestOneSenderOneAtATime(t *testing.T) {
	h := newHarness(t)
	bots := []*whatsapp.Bot{h.newBot(), h.newBot()}
	var wg sync.WaitGroup
	errs := make([]error, len(bots))
	for i, b := range bots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = b.Handle(context.Background(), whatsapp.Incoming{PhoneNumberID: numberID,
				Contact: whatsapp.Contact{WaID: waSiti},
				Message: whatsapp.Message{ID: fmt.Sprintf("wamid.same-time-%d", i), From: waSiti, Type: "text", Text: "hai"}})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]bool{}
	for _, o := range h.q.since(0) {
		for _, b := range o.Message.Buttons {
			ids[b.ID] = true
		}
	}
	if len(ids) != 4 {
		t.Errorf("button ids %v: both menus numbered alike, an update was lost", ids)
	}
}

func TestStaleButton(t *testing.T) {
	h := newHarness(t)
	menu := h.text(waSiti, "hai")
	h.tap(waSiti, menu, "Sertifikat Vaksin")
	out := h.tap(waSiti, menu, "Hubungi Petugas") // the old menu, now at the phone step
	expect(t, out, "tombol ini sudah tidak berlaku", "nomor HP yang terdaftar")
	if n := len(h.tickets()); n != 0 {
		t.Fatalf("the old button was applied: %d tickets", n)
	}
	services := h.verify(waSiti, phoneSiti)
	h.tap(waSiti, services, "Status Vaksinasi")
	out = h.tap(waSiti, services, "Download Sertifikat") // asked for the name now
	expect(t, out, "tidak berlaku", "nama lengkap")
	out = h.deliver(waSiti, whatsapp.Message{Type: "interactive",
		Reply: &whatsapp.Reply{Kind: "list_reply", ID: "bukan-id-kami", Title: "?"}}, nil)
	expect(t, out, "tidak berlaku")
}

func TestReplayedMessageAnswersOnce(t *testing.T) {
	h := newHarness(t)
	m := whatsapp.Message{ID: "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=", Type: "text", Text: "hai"}
	if out := h.deliver(waSiti, m, nil); len(out) != 1 {
		t.Fatalf("%d answers", len(out))
	}
	for range 3 {
		if out := h.deliver(waSiti, m, nil); len(out) != 0 {
			t.Fatalf("a replay answered: %s", render(out))
		}
	}
	// A replayed escalation opens one ticket.
	out := h.text(waSiti, "menu")
	tap := whatsapp.Message{ID: "wamid.tap-agent", Type: "interactive",
		Reply: &whatsapp.Reply{Kind: "button_reply", ID: button(t, out, "Hubungi Petugas").ID, Title: "Hubungi Petugas"}}
	h.deliver(waSiti, tap, nil)
	h.deliver(waSiti, tap, nil)
	if n := len(h.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

func TestSecondInstanceContinues(t *testing.T) {
	h := newHarness(t)
	out := h.text(waSiti, "hai")
	out = h.tap(waSiti, out, "Sertifikat Vaksin")
	h.bot = h.newBot() // a restart, or another worker
	h.text(waSiti, phoneSiti)
	h.bot = h.newBot()
	out = h.text(waSiti, h.otp.last(t).code)
	out = h.tap(waSiti, out, "Status Vaksinasi")
	h.bot = h.newBot()
	h.text(waSiti, "Siti Aminah")
	expect(t, h.text(waSiti, nikSiti), "Dosis 2: 09/09/2021")
}

func TestMessagesTheBotDoesNotUse(t *testing.T) {
	for _, m := range []whatsapp.Message{
		{Type: "image", Media: &whatsapp.Media{ID: "m1", MimeType: "image/jpeg"}},
		{Type: "audio", Media: &whatsapp.Media{ID: "m2", MimeType: "audio/ogg"}},
		{Type: "sticker", Media: &whatsapp.Media{ID: "m3", MimeType: "image/webp"}},
		{Type: "location"},
		{Type: "reaction"},
		{Type: "unsupported", Errors: []whatsapp.Error{{Code: 131051, Title: "Message type unknown"}}},
		{Type: "order"},
	} {
		t.Run(m.Type, func(t *testing.T) {
			h := newHarness(t)
			h.tap(waSiti, h.text(waSiti, "hai"), "Sertifikat Vaksin")
			for range 3 { // never counted as misunderstandings
				expect(t, h.deliver(waSiti, m, nil), "hanya dapat membaca pesan teks", "nomor HP yang terdaftar")
			}
			if n := len(h.tickets()); n != 0 {
				t.Fatalf("%d tickets", n)
			}
			expect(t, h.text(waSiti, phoneSiti), "kode OTP")
		})
	}
}
