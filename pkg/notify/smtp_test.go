package notify_test

import (
	"context"
	"errors"
	"mime"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
)

const mailFrom = "PeduliLindungi <pedulilindungi@kemkes.go.id>"

func plainSender(ms *notifytest.MailServer) *notify.SMTPSender {
	s := notify.NewSMTPSender(notify.SMTPSettings{Addr: ms.Addr, TLS: "none", From: mailFrom})
	s.Timeout = 5 * time.Second
	return s
}

func TestSMTPSenderSendsOverPlainLoopback(t *testing.T) {
	if notify.LoopHeader != email.LoopHeader {
		t.Fatalf("notify.LoopHeader %q differs from the one intake looks for, %q", notify.LoopHeader, email.LoopHeader)
	}
	ms := notifytest.NewMailServer(t)
	text := "Sertifikat biasanya muncul 7–10 hari setelah vaksinasi.\n" + strings.Repeat("panjang ", 30) + "\n" +
		"NIK Anda 3201 0145 0885 0001 sudah kami periksa.\n"
	wantText := strings.Replace(text, "3201 0145 0885 0001", "**************01", 1)
	err := plainSender(ms).Send(context.Background(), notify.OutgoingMail{
		To: "warga1@warga.test", Subject: "[PL-261122-000123] Pengaduan Anda telah kami terima", Text: text,
		MessageID: "<ack.1.PL-261122-000123@kemkes.go.id>", InReplyTo: "<msg-1@warga.test>",
		References: []string{"<msg-1@warga.test>"}, Headers: map[string]string{"Auto-Submitted": "auto-replied"},
	})
	if err != nil {
		t.Fatal(err)
	}
	mails := ms.Received()
	if len(mails) != 1 {
		t.Fatalf("server got %d mails, want 1", len(mails))
	}
	m := mails[0]
	if m.From != "pedulilindungi@kemkes.go.id" || len(m.To) != 1 || m.To[0] != "warga1@warga.test" {
		t.Errorf("envelope from %q to %q", m.From, m.To)
	}
	for name, want := range map[string]string{
		"Message-ID": "<ack.1.PL-261122-000123@kemkes.go.id>", "In-Reply-To": "<msg-1@warga.test>",
		"References": "<msg-1@warga.test>", "Auto-Submitted": "auto-replied", "X-Aduan-Loop": "kemkes.go.id",
		"Content-Transfer-Encoding": "quoted-printable",
	} {
		if got := m.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if ct := m.Header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "text/plain") ||
		!strings.Contains(strings.ToLower(ct), "utf-8") {
		t.Errorf("Content-Type %q, want UTF-8 text/plain", ct)
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); subject != "[PL-261122-000123] Pengaduan Anda telah kami terima" {
		t.Errorf("Subject %q", subject)
	}
	if m.Text != wantText {
		t.Errorf("body %q, want %q (any NIK masked)", m.Text, wantText)
	}
}

func TestSMTPSenderAuthenticates(t *testing.T) {
	ms := notifytest.NewMailServer(t)
	ms.RequireAuth("aduan", "rahasia")
	s := notify.NewSMTPSender(notify.SMTPSettings{Addr: ms.Addr, TLS: "none", From: mailFrom, User: "aduan",
		Password: "rahasia"})
	s.Timeout = 5 * time.Second
	if err := s.Send(context.Background(), notify.OutgoingMail{To: "warga1@warga.test", Subject: "x", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	logins := ms.Logins()
	if len(logins) != 1 || logins[0] != "aduan" || len(ms.Received()) != 1 {
		t.Fatalf("logins %v, mails %d; want one PLAIN login and one mail", logins, len(ms.Received()))
	}
	s = notify.NewSMTPSender(notify.SMTPSettings{Addr: ms.Addr, TLS: "none", From: mailFrom, User: "aduan", Password: "salah"})
	err := s.Send(context.Background(), notify.OutgoingMail{To: "warga1@warga.test", Subject: "x", Text: "x"})
	if err == nil || errors.Is(err, notify.ErrPermanent) {
		t.Fatalf("wrong password: %v, want a failure that is not permanent (the relay account is wrong, not the mail)", err)
	}
}

func TestSMTPSenderTellsPermanentFromTemporary(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	tests := []struct {
		name      string
		reject    error
		addr      string
		to        string
		permanent bool
	}{
		{"mailbox unknown", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, "", "warga1@warga.test", true},
		{"greylisted", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "try again later"}, "", "warga1@warga.test", false},
		{"relay down", nil, closedAddr, "warga1@warga.test", false},
		{"not an address", nil, "", "bukan alamat", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := notifytest.NewMailServer(t)
			ms.SetReject(tt.reject)
			addr := ms.Addr
			if tt.addr != "" {
				addr = tt.addr
			}
			s := notify.NewSMTPSender(notify.SMTPSettings{Addr: addr, TLS: "none", From: mailFrom})
			s.Timeout = 5 * time.Second
			err := s.Send(context.Background(), notify.OutgoingMail{To: tt.to, Subject: "x", Text: "x"})
			t.Logf("%v", err)
			if err == nil || errors.Is(err, notify.ErrPermanent) != tt.permanent {
				t.Fatalf("err = %v; want an error, permanent = %v", err, tt.permanent)
			}
			if strings.Contains(err.Error(), "warga1@warga.test") {
				t.Errorf("error %q names the recipient; it ends up in logs", err)
			}
		})
	}
}

func TestSMTPSenderTLSModesFailAgainstPlainServer(t *testing.T) {
	ms := notifytest.NewMailServer(t)
	for mode, want := range map[string]string{"tls": "tls", "starttls": "STARTTLS"} {
		t.Run(mode, func(t *testing.T) {
			s := notify.NewSMTPSender(notify.SMTPSettings{Addr: ms.Addr, TLS: mode, From: mailFrom})
			s.Timeout = 5 * time.Second
			start := time.Now()
			err := s.Send(context.Background(), notify.OutgoingMail{To: "warga1@warga.test", Subject: "x", Text: "x"})
			t.Logf("%s against a plain server: %v", mode, err)
			if err == nil || !strings.Contains(err.Error(), want) || errors.Is(err, notify.ErrPermanent) {
				t.Fatalf("err = %v; want a temporary error mentioning %q", err, want)
			}
			if time.Since(start) > 4*time.Second {
				t.Errorf("took %v to fail; want a clear failure, not a timeout", time.Since(start))
			}
		})
	}
	if n := len(ms.Received()); n != 0 {
		t.Fatalf("%d mails went through unencrypted", n)
	}
}

func TestSMTPSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  notify.SMTPSettings
		ok   bool
	}{
		{"loopback plain", notify.SMTPSettings{Addr: "127.0.0.1:2525", TLS: "none", From: mailFrom}, true},
		{"localhost plain, default port", notify.SMTPSettings{Addr: "localhost", TLS: "none", From: mailFrom}, true},
		{"remote starttls", notify.SMTPSettings{Addr: "smtp.kemkes.go.id:587", TLS: "starttls", From: mailFrom}, true},
		{"remote implicit tls", notify.SMTPSettings{Addr: "smtp.kemkes.go.id", TLS: "tls", From: mailFrom}, true},
		{"remote plain", notify.SMTPSettings{Addr: "smtp.kemkes.go.id:25", TLS: "none", From: mailFrom}, false},
		{"unknown tls", notify.SMTPSettings{Addr: "smtp.kemkes.go.id:25", TLS: "ssl", From: mailFrom}, false},
		{"no address", notify.SMTPSettings{TLS: "tls", From: mailFrom}, false},
		{"bad from", notify.SMTPSettings{Addr: "127.0.0.1:25", TLS: "none", From: "PeduliLindungi"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok = %v", err, tt.ok)
			}
		})
	}
	// Send refuses what Validate refuses, without connecting anywhere.
	s := notify.NewSMTPSender(notify.SMTPSettings{Addr: "smtp.kemkes.go.id:25", TLS: "none", From: mailFrom})
	if err := s.Send(context.Background(), notify.OutgoingMail{To: "warga1@warga.test"}); err == nil {
		t.Fatal("plain SMTP to a remote relay was attempted")
	}
}
