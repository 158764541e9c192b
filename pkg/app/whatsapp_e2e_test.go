package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/aduan/aduan/pkg/notify/wastandin"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// The demo people (seed --demo) the walk uses.
const (
	sitiPhone, sitiNIK = "081234567801", "3201014508850001"
	agusPhone, agusNIK = "081322223333", "3171012304900002"
	rinaPhone, rinaNIK = "085711112222", "3578015012920031"
	rudiNIK            = "3578015012920003" // Rudi's; Rina's KTP says it is hers
)

// verify walks "hai" → Sertifikat Vaksin → the registered phone → the
// code the stand-in received in the AUTHENTICATION template, and returns
// the services menu.
func (p *person) verify(t *testing.T, phone string) []sentMsg {
	t.Helper()
	out := p.text(t, "hai")
	says(t, out, "Selamat datang", "[Sertifikat Vaksin]", "[Hubungi Petugas]")
	if out[len(out)-1].Type != "interactive" {
		t.Fatalf("the main menu is not an interactive message:\n%s", render(out))
	}
	says(t, p.tap(t, "Sertifikat Vaksin"), "nomor HP yang terdaftar")
	registered := "62" + strings.TrimPrefix(phone, "0")
	before := len(p.w.to(t, registered, 0))
	says(t, p.text(t, phone), "kode OTP 6 angka")
	var code string
	p.w.eventually(t, 20*time.Second, "the OTP template at "+registered, func() (bool, string) {
		for _, m := range p.w.to(t, registered, before) {
			if m.Type == "template" && len(m.Template.Components) > 0 && len(m.Template.Components[0].Parameters) > 0 {
				code = m.Template.Components[0].Parameters[0].Text
				return true, ""
			}
		}
		return false, "no template"
	})
	if len(code) != 6 {
		t.Fatalf("OTP %q", code)
	}
	out = p.text(t, code)
	says(t, out, "Verifikasi berhasil", "[Download Sertifikat]", "[Status Vaksinasi]", "[Ubah Info Diri]")
	return out
}

func TestWhatsAppBotEndToEnd(t *testing.T) {
	w := startWhatsAppApp(t)

	t.Run("Download Sertifikat", func(t *testing.T) {
		p := w.person("6289900000001")
		p.verify(t, sitiPhone)
		says(t, p.tap(t, "Download Sertifikat"), "nama lengkap")
		says(t, p.text(t, "Siti Aminah"), "NIK")
		out := p.text(t, sitiNIK)
		var doc *sentMsg
		for i := range out {
			if out[i].Type == "document" {
				doc = &out[i]
			}
		}
		if doc == nil {
			t.Fatalf("no document:\n%s", render(out))
		}
		pdf := w.media(t, doc.Document.ID)
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("the document is %.20q, not a PDF", pdf)
		}
		text, qr := readPDF(t, pdf)
		for _, want := range []string{"Siti Aminah", "Puskesmas Cibinong", "Pfizer"} {
			if !strings.Contains(text, want) {
				t.Errorf("the certificate lacks %q:\n%s", want, text)
			}
		}
		if !strings.HasPrefix(qr, w.base+"/v/") {
			t.Fatalf("the QR code holds %q, want a link to %s/v/", qr, w.base)
		}
		res, err := http.Get(qr)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200 (genuine)", qr, res.StatusCode)
		}
		token := strings.TrimPrefix(qr, w.base+"/v/")
		code, body := w.call(t, w.base, http.MethodGet, "/api/v1/certificates/verify?token="+url.QueryEscape(token), nil)
		var v struct {
			Valid      bool   `json:"valid"`
			NameMasked string `json:"name_masked"`
		}
		if code != http.StatusOK || json.Unmarshal(body, &v) != nil || !v.Valid || v.NameMasked != "Si** Am****" {
			t.Errorf("verify = %d %s, want genuine", code, body)
		}
	})

	t.Run("Status Vaksinasi", func(t *testing.T) {
		p := w.person("6289900000002")
		p.verify(t, sitiPhone)
		p.tap(t, "Status Vaksinasi")
		p.text(t, "Siti Aminah")
		says(t, p.text(t, sitiNIK), "Dosis 1: 02/08/2021, Sinovac, Puskesmas Cibinong", "Dosis 3: 14/03/2022, Pfizer, RSUD Cibinong")
	})

	t.Run("Ubah Nama", func(t *testing.T) {
		p := w.person("6289900000003")
		p.verify(t, agusPhone)
		p.tap(t, "Ubah Info Diri")
		says(t, p.tap(t, "Ubah Nama"), "sesuai KTP")
		p.text(t, "Agus Salim")
		says(t, p.text(t, agusNIK), "Agus Salim")
		if n := storetest.Count(t, w.dbURL, `SELECT count(*) FROM registry_people WHERE nik = $1 AND name = 'Agus Salim'`, agusNIK); n != 1 {
			t.Errorf("the registry does not hold the new name")
		}
	})

	t.Run("nik_conflict with the KTP photo", func(t *testing.T) {
		p := w.person("6289900000004")
		p.verify(t, rinaPhone)
		p.tap(t, "Ubah Info Diri")
		p.tap(t, "Ubah Nama")
		p.text(t, "Rina Wulandari")
		out := p.text(t, rudiNIK)
		says(t, out, "foto KTP")
		tk := latestTicket(t, w, ticket.CategoryNIKConflict)
		says(t, out, tk.Number)
		if tk.Priority != ticket.PriorityHigh || tk.Channel != ticket.ChannelWhatsApp {
			t.Errorf("ticket %s on %s, want high on whatsapp", tk.Priority, tk.Channel)
		}
		ktp, err := os.ReadFile("../../scripts/demo/ktp.jpg")
		if err != nil {
			t.Fatal(err)
		}
		id := w.st.AddMedia(ktp, "image/jpeg", "")
		says(t, p.send(t, wastandin.Inbound{MediaID: id}), "Foto KTP sudah kami terima", tk.Number)
		atts, err := w.Store.Attachments(context.Background(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != 1 || atts[0].Kind != ticket.KindKTP || atts[0].Size != int64(len(ktp)) || !atts[0].Stored {
			t.Fatalf("attachments %+v, want the KTP photo", atts)
		}
		if n := storetest.Count(t, w.dbURL, `SELECT count(*) FROM outbox WHERE task_type = 'documents:check'
			AND (payload->>'ticket_id')::bigint = $1`, tk.ID); n == 0 {
			t.Errorf("no documents check queued for the ticket")
		}
	})

	t.Run("Hubungi Petugas and the agent's reply", func(t *testing.T) {
		p := w.person("6289900000005")
		p.text(t, "hai")
		says(t, p.tap(t, "Hubungi Petugas"), "Petugas")
		tk := latestTicket(t, w, "")
		if tk.Channel != ticket.ChannelWhatsApp || tk.Complainant.WhatsAppID != p.waID {
			t.Fatalf("ticket on %s for %+v", tk.Channel, tk.Complainant)
		}
		says(t, p.last, tk.Number)

		// Within 24 hours of their message: a text, delivered.
		m := w.reply(t, tk, "Baik Bu, sertifikat Anda kami periksa.", "whatsapp_text")
		out := w.answer(t, p.waID, p.seen)
		p.seen += len(out)
		if out[0].Type != "text" || !strings.Contains(out[0].Text, "sertifikat Anda kami periksa") {
			t.Fatalf("the reply went out as:\n%s", render(out))
		}
		w.eventually(t, 20*time.Second, "the delivered status on the reply", func() (bool, string) {
			st := outboundState(t, w, m)
			return st == "delivered", st
		})

		// Aduan takes them to be within the window, Meta does not: 131047.
		w.st.Wrote(p.waID, time.Now().Add(-25*time.Hour))
		m = w.reply(t, tk, "Mohon kirim foto KTP Anda.", "whatsapp_text")
		w.eventually(t, 20*time.Second, "131047 on the reply", func() (bool, string) {
			st := outboundState(t, w, m)
			return st == "failed 131047", st
		})

		// Aduan's own record says 25 hours: the reply template, which Meta takes.
		storetest.Exec(t, w.dbURL, `UPDATE whatsapp_inbound SET sent_at = sent_at - interval '25 hours' WHERE wa_id = $1`, p.waID)
		m = w.reply(t, tk, "Sertifikat Anda sudah terbit.", "whatsapp_template")
		out = w.answer(t, p.waID, p.seen)
		if out[0].Type != "template" || out[0].Template.Name != "aduan_balasan" ||
			!strings.Contains(string(out[0].Body), tk.Number) {
			t.Fatalf("the reply went out as:\n%s %s", render(out), out[0].Body)
		}
		w.eventually(t, 20*time.Second, "the delivered status on the template", func() (bool, string) {
			st := outboundState(t, w, m)
			return st == "delivered", st
		})
	})
}

// reply posts an agent's reply and checks how the API says it goes out.
func (w *waApp) reply(t *testing.T, tk ticket.Ticket, body, delivery string) int64 {
	t.Helper()
	code, out := w.call(t, w.base, http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID), map[string]any{"body": body, "internal": false})
	var r struct {
		ID       int64  `json:"id"`
		Delivery string `json:"delivery"`
	}
	if code != http.StatusCreated || json.Unmarshal(out, &r) != nil || r.Delivery != delivery {
		t.Fatalf("reply = %d %s, want delivery %s", code, out, delivery)
	}
	return r.ID
}

// outboundState is "state [error code]" of the WhatsApp message carrying
// ticket message id.
func outboundState(t *testing.T, w *waApp, messageID int64) string {
	t.Helper()
	for _, st := range []string{"queued", "sent", "delivered", "read", "failed"} {
		if storetest.Count(t, w.dbURL, `SELECT count(*) FROM whatsapp_outbound WHERE message_id = $1 AND state = $2`, messageID, st) > 0 {
			if st == "failed" {
				return fmt.Sprintf("failed %d", storetest.Count(t, w.dbURL, `SELECT max(error_code) FROM whatsapp_outbound WHERE message_id = $1`, messageID))
			}
			return st
		}
	}
	return "none"
}

// latestTicket is the newest WhatsApp ticket (of category, when given).
func latestTicket(t *testing.T, w *waApp, category ticket.Category) ticket.Ticket {
	t.Helper()
	id := storetest.Count(t, w.dbURL, `SELECT coalesce(max(id), 0) FROM tickets WHERE channel = 'whatsapp'
		AND ($1 = '' OR category = $1)`, string(category))
	if id == 0 {
		t.Fatalf("no whatsapp ticket %s", category)
	}
	return ticketByID(t, &mailApp{App: w.App}, int64(id))
}

// readPDF returns a PDF's text (pdftotext) and what its QR code holds
// (the page drawn by pdftoppm).
func readPDF(t *testing.T, pdf []byte) (string, string) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	if err := exec.Command("pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", file, filepath.Join(dir, "page")).Run(); err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(page)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code read: %v", err)
	}
	return string(text), res.GetText()
}
