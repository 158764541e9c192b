// Package notifytest is an SMTP server for tests: it keeps the mail it is
// given and refuses recipients when told to.
package notifytest

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// MailServer is an SMTP server in the test process that keeps what it is
// given and refuses recipients when told to.
type MailServer struct {
	Addr string

	mu       sync.Mutex
	mails    []Mail
	reject   error    // answer to every RCPT TO while set
	user     string   // when set, AUTH PLAIN is offered and this user accepted
	password string   //
	logins   []string // users that authenticated
}

// Mail is one mail the server accepted.
type Mail struct {
	From   string
	To     []string
	Raw    []byte
	Header mail.Header
	Text   string // the body, quoted-printable decoded, LF line ends
}

// NewMailServer starts a server on a loopback port, closed when t ends.
func NewMailServer(t testing.TB) *MailServer {
	t.Helper()
	ms := &MailServer{}
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

// SetReject makes the server answer every RCPT TO with err while it is
// not nil.
func (ms *MailServer) SetReject(err error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.reject = err
}

// Received returns the mails accepted so far.
func (ms *MailServer) Received() []Mail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]Mail(nil), ms.mails...)
}

type mailSession struct {
	server *MailServer
	from   string
	to     []string
}

func (s *mailSession) AuthMechanisms() []string {
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	if s.server.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		s.server.mu.Lock()
		defer s.server.mu.Unlock()
		if user != s.server.user || password != s.server.password {
			return smtp.ErrAuthFailed
		}
		s.server.logins = append(s.server.logins, user)
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
	m := Mail{From: s.from, To: s.to, Raw: raw}
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

// RequireAuth offers AUTH PLAIN and accepts only user with password.
func (ms *MailServer) RequireAuth(user, password string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.user, ms.password = user, password
}

// Logins returns the users that authenticated.
func (ms *MailServer) Logins() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]string(nil), ms.logins...)
}
