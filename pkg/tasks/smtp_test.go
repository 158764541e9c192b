package tasks_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/tasks"
)

// mailServer is an SMTP server in the test process that keeps what it is
// given and refuses recipients when told to.
type mailServer struct {
	Addr string

	mu       sync.Mutex
	mails    []receivedMail
	reject   error    // answer to every RCPT TO while set
	user     string   // when set, AUTH PLAIN is offered and this user accepted
	password string   //
	logins   []string // users that authenticated
}

// receivedMail is one mail the server accepted.
type receivedMail struct {
	From   string
	To     []string
	Raw    []byte
	Header mail.Header
	Text   string // the body, quoted-printable decoded, LF line ends
}

func newMailServer(t *testing.T) *mailServer {
	t.Helper()
	ms := &mailServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &mailSession{server: ms}, nil
	}))
	srv.Domain = "mx.warga.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	ms.Addr = l.Addr().String()
	return ms
}

func (ms *mailServer) setReject(err error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.reject = err
}

func (ms *mailServer) received() []receivedMail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]receivedMail(nil), ms.mails...)
}

type mailSession struct {
	server *mailServer
	from   string
	to     []string
}

func (s *mailSession) AuthMechanisms() []string {
	if s.server.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != s.server.user || password != s.server.password {
			return smtp.ErrAuthFailed
		}
		s.server.mu.Lock()
		s.server.logins = append(s.server.logins, user)
		s.server.mu.Unlock()
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	if s.server.reject != nil {
		return s.server.reject
	}
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := receivedMail{From: s.from, To: s.to, Raw: raw}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = msg.Header
		body := msg.Body
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		text, _ := io.ReadAll(body)
		m.Text = strings.ReplaceAll(string(text), "\r\n", "\n")
	}
	s.server.mu.Lock()
	s.server.mails = append(s.server.mails, m)
	s.server.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

const mailFrom = "PeduliLindungi <pedulilindungi@kemkes.go.id>"

func plainSender(ms *mailServer) *tasks.SMTPSender {
	s := tasks.NewSMTPSender(tasks.SMTPSettings{Addr: ms.Addr, TLS: "none", From: mailFrom})
	s.Timeout = 5 * time.Second
	return s
}

func TestSMTPSenderSendsOverPlainLoopback(t *testing.T) {
	if tasks.LoopHeader != email.LoopHeader {
		t.Fatalf("tasks.LoopHeader %q differs from the one intake looks for, %q", tasks.LoopHeader, email.LoopHeader)
	}
	ms := newMailServer(t)
	text := "Sertifikat biasanya muncul 7–10 hari setelah vaksinasi.\n" + strings.Repeat("panjang ", 30) + "\n" +
		"NIK Anda 3201 0145 0885 0001 sudah kami periksa.\n"
	wantText := strings.Replace(text, "3201 0145 0885 0001", "**************01", 1)
	err := plainSender(ms).Send(context.Background(), tasks.OutgoingMail{
		To: "warga1@warga.test", Subject: "[PL-261122-000123] Pengaduan Anda telah kami terima", Text: text,
		MessageID: "<ack.1.PL-261122-000123@kemkes.go.id>", InReplyTo: "<msg-1@warga.test>",
		References: []string{"<msg-1@warga.test>"}, Headers: map[string]string{"Auto-Submitted": "auto-replied"},
	})
	if err != nil {
		t.Fatal(err)
	}
	mails := ms.received()
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
	ms := newMailServer(t)
	ms.user, ms.password = "aduan", "rahasia"
	s := tasks.NewSMTPSender(tasks.SMTPSettings{Addr: ms.Addr, TLS: "none", From: mailFrom, User: "aduan",
		Password: "rahasia"})
	s.Timeout = 5 * time.Second
	if err := s.Send(context.Background(), tasks.OutgoingMail{To: "warga1@warga.test", Subject: "x", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	ms.mu.Lock()
	logins := ms.logins
	ms.mu.Unlock()
	if len(logins) != 1 || logins[0] != "aduan" || len(ms.received()) != 1 {
		t.Fatalf("logins %v, mails %d; want one PLAIN login and one mail", logins, len(ms.received()))
	}
	s = tasks.NewSMTPSender(tasks.SMTPSettings{Addr: ms.Addr, TLS: "none", From: mailFrom, User: "aduan", Password: "salah"})
	err := s.Send(context.Background(), tasks.OutgoingMail{To: "warga1@warga.test", Subject: "x", Text: "x"})
	if err == nil || errors.Is(err, tasks.ErrPermanent) {
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
			ms := newMailServer(t)
			ms.setReject(tt.reject)
			addr := ms.Addr
			if tt.addr != "" {
				addr = tt.addr
			}
			s := tasks.NewSMTPSender(tasks.SMTPSettings{Addr: addr, TLS: "none", From: mailFrom})
			s.Timeout = 5 * time.Second
			err := s.Send(context.Background(), tasks.OutgoingMail{To: tt.to, Subject: "x", Text: "x"})
			t.Logf("%v", err)
			if err == nil || errors.Is(err, tasks.ErrPermanent) != tt.permanent {
				t.Fatalf("err = %v; want an error, permanent = %v", err, tt.permanent)
			}
			if strings.Contains(err.Error(), "warga1@warga.test") {
				t.Errorf("error %q names the recipient; it ends up in logs", err)
			}
		})
	}
}

func TestSMTPSenderTLSModesFailAgainstPlainServer(t *testing.T) {
	ms := newMailServer(t)
	for mode, want := range map[string]string{"tls": "tls", "starttls": "STARTTLS"} {
		t.Run(mode, func(t *testing.T) {
			s := tasks.NewSMTPSender(tasks.SMTPSettings{Addr: ms.Addr, TLS: mode, From: mailFrom})
			s.Timeout = 5 * time.Second
			start := time.Now()
			err := s.Send(context.Background(), tasks.OutgoingMail{To: "warga1@warga.test", Subject: "x", Text: "x"})
			t.Logf("%s against a plain server: %v", mode, err)
			if err == nil || !strings.Contains(err.Error(), want) || errors.Is(err, tasks.ErrPermanent) {
				t.Fatalf("err = %v; want a temporary error mentioning %q", err, want)
			}
			if time.Since(start) > 4*time.Second {
				t.Errorf("took %v to fail; want a clear failure, not a timeout", time.Since(start))
			}
		})
	}
	if n := len(ms.received()); n != 0 {
		t.Fatalf("%d mails went through unencrypted", n)
	}
}

func TestSMTPSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  tasks.SMTPSettings
		ok   bool
	}{
		{"loopback plain", tasks.SMTPSettings{Addr: "127.0.0.1:2525", TLS: "none", From: mailFrom}, true},
		{"localhost plain, default port", tasks.SMTPSettings{Addr: "localhost", TLS: "none", From: mailFrom}, true},
		{"remote starttls", tasks.SMTPSettings{Addr: "smtp.kemkes.go.id:587", TLS: "starttls", From: mailFrom}, true},
		{"remote implicit tls", tasks.SMTPSettings{Addr: "smtp.kemkes.go.id", TLS: "tls", From: mailFrom}, true},
		{"remote plain", tasks.SMTPSettings{Addr: "smtp.kemkes.go.id:25", TLS: "none", From: mailFrom}, false},
		{"unknown tls", tasks.SMTPSettings{Addr: "smtp.kemkes.go.id:25", TLS: "ssl", From: mailFrom}, false},
		{"no address", tasks.SMTPSettings{TLS: "tls", From: mailFrom}, false},
		{"bad from", tasks.SMTPSettings{Addr: "127.0.0.1:25", TLS: "none", From: "PeduliLindungi"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok = %v", err, tt.ok)
			}
		})
	}
	// Send refuses what Validate refuses, without connecting anywhere.
	s := tasks.NewSMTPSender(tasks.SMTPSettings{Addr: "smtp.kemkes.go.id:25", TLS: "none", From: mailFrom})
	if err := s.Send(context.Background(), tasks.OutgoingMail{To: "warga1@warga.test"}); err == nil {
		t.Fatal("plain SMTP to a remote relay was attempted")
	}
}
