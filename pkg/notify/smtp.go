package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/aduan/aduan/pkg/ticket"
)

// ErrPermanent marks a delivery the mail server refused for good (a 5xx
// answer to the envelope or the content): sending it again cannot help.
var ErrPermanent = errors.New("permanent delivery failure")

// LoopHeader is the header on every mail Aduan sends; intake treats mail
// carrying it as automatic, so Aduan never answers itself. It has the
// value of email.LoopHeader, which notify does not import.
const LoopHeader = "X-Aduan-Loop"

// OutgoingMail is one plain-text mail to one person.
type OutgoingMail struct {
	From, To, Subject, Text string
	MessageID               string   // with angle brackets; set exactly as given
	InReplyTo               string   // with angle brackets; "" for none
	References              []string // with angle brackets, oldest first
	Headers                 map[string]string
}

// Sender delivers mail. An error wrapping ErrPermanent means the server
// refused the mail for good; any other error may pass if tried again.
type Sender interface {
	Send(ctx context.Context, m OutgoingMail) error
}

// SMTPSettings says how to reach the mail relay.
type SMTPSettings struct {
	Addr     string // host:port; the port defaults to 25, 587 or 465 by TLS
	User     string // empty: no authentication
	Password string
	TLS      string // none (loopback only), starttls (mandatory) or tls (implicit)
	From     string // the From of every mail, e.g. "PeduliLindungi <pedulilindungi@kemkes.go.id>"
}

// Validate reports a setting that cannot work, so a bad configuration
// stops the worker at start rather than failing every mail.
func (s SMTPSettings) Validate() error {
	host, _, err := s.hostPort()
	if err != nil {
		return err
	}
	switch s.TLS {
	case "none":
		if !isLoopback(host) {
			return fmt.Errorf("smtp: tls none is allowed only to a loopback relay, not %q", host)
		}
	case "starttls", "tls":
	default:
		return fmt.Errorf("smtp: tls must be none, starttls or tls, not %q", s.TLS)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return fmt.Errorf("smtp: from %q: %w", s.From, err)
	}
	return nil
}

func (s SMTPSettings) hostPort() (string, int, error) {
	if s.Addr == "" {
		return "", 0, errors.New("smtp: no relay address")
	}
	host, portText, err := net.SplitHostPort(s.Addr)
	if err != nil { // no port: the usual one for the TLS mode
		host, portText = s.Addr, map[string]string{"none": "25", "starttls": "587", "tls": "465"}[s.TLS]
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("smtp: bad port in %q", s.Addr)
	}
	return host, port, nil
}

// isLoopback reports whether host is this machine, the only place mail
// may travel unencrypted (a relay on localhost that encrypts onward).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SMTPSender sends mail through an SMTP relay with go-mail, one
// connection per mail: acknowledgements are few per second at most, and a
// fresh connection never inherits a broken one's state.
type SMTPSender struct {
	cfg     SMTPSettings
	loop    string        // the loop header's value: the From domain
	Timeout time.Duration // for connecting and each command; default 30s
}

// NewSMTPSender returns a sender using cfg; call cfg.Validate first.
func NewSMTPSender(cfg SMTPSettings) *SMTPSender {
	loop := domainOf(cfg.From)
	if loop == "" {
		loop, _ = os.Hostname()
	}
	return &SMTPSender{cfg: cfg, loop: loop, Timeout: 30 * time.Second}
}

// Send delivers m. A 5xx refusal of the sender, the recipient or the
// content wraps ErrPermanent; connection, TLS and authentication failures
// and 4xx answers do not, because they are about the relay, not the mail.
func (s *SMTPSender) Send(ctx context.Context, m OutgoingMail) error {
	if err := s.cfg.Validate(); err != nil {
		return err
	}
	client, err := s.client()
	if err != nil {
		return err
	}
	msg, err := s.message(m)
	if err != nil {
		return redact(err, m.To)
	}
	err = client.DialAndSendWithContext(ctx, msg)
	switch {
	case err == nil, msg.IsDelivered():
		return nil // the relay took it; a failed RSET or QUIT afterwards is no matter
	case permanent(err):
		return redact(fmt.Errorf("smtp %s: %w: %w", s.cfg.Addr, ErrPermanent, err), m.To)
	}
	return redact(fmt.Errorf("smtp %s, tls=%s: %w", s.cfg.Addr, s.cfg.TLS, err), m.To)
}

// redactedError is an error whose text does not name the recipient: relay
// answers and go-mail repeat the address, errors end up in logs, and an
// address is personal data. errors.Is and errors.As still see the cause.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, addr string) error {
	if addr = strings.TrimSpace(addr); addr == "" {
		return err
	}
	re := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(addr))
	if !re.MatchString(err.Error()) {
		return err
	}
	return &redactedError{text: re.ReplaceAllString(err.Error(), "recipient"), err: err}
}

func (s *SMTPSender) client() (*gomail.Client, error) {
	host, port, err := s.cfg.hostPort()
	if err != nil {
		return nil, err
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(s.Timeout)}
	switch s.cfg.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	}
	if s.cfg.User != "" {
		mechs := []gomail.SMTPAuthType{gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if s.cfg.TLS == "none" { // Validate allowed it only on loopback
			mechs = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(mechs...),
			gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(host, opts...)
}

// message builds the MIME mail: UTF-8 text, quoted-printable, every
// NIK-like number masked whatever the caller passed.
func (s *SMTPSender) message(m OutgoingMail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithNoDefaultUserAgent())
	from := m.From
	if from == "" {
		from = s.cfg.From
	}
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("smtp: from %q: %w", from, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("smtp: recipient: %w: %w", ErrPermanent, err)
	}
	msg.Subject(maskNIKs(m.Subject))
	msg.SetDateWithValue(time.Now())
	if m.MessageID != "" {
		msg.SetGenHeader(gomail.HeaderMessageID, m.MessageID)
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, m.InReplyTo)
	}
	if len(m.References) > 0 {
		msg.SetGenHeader(gomail.HeaderReferences, strings.Join(m.References, " "))
	}
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		msg.SetGenHeader(gomail.Header(k), m.Headers[k])
	}
	msg.SetGenHeader(LoopHeader, s.loop)
	msg.SetBodyString(gomail.TypeTextPlain, maskNIKs(m.Text))
	return msg, nil
}

// permanent reports a 5xx answer to MAIL FROM, RCPT TO or DATA. Answers
// about authentication (530, 534, 535, 538) are left out: they mean our
// relay account is wrong, which someone will fix.
func permanent(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
	default:
		return false
	}
	code := se.ErrorCode()
	return code >= 500 && code < 600 && code != 530 && code != 534 && code != 535 && code != 538
}

// domainOf returns the domain of an address such as "Name <a@b.example>".
func domainOf(addr string) string {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return ""
	}
	_, domain, _ := strings.Cut(a.Address, "@")
	return strings.ToLower(domain)
}

// nikLike is 16 or more digits, perhaps grouped by spaces, dots or dashes.
var nikLike = regexp.MustCompile(`\d(?:[ .\-]?\d){15,}`)

// maskNIKs hides every NIK-like number in s: a NIK never leaves in a mail
// whole, even one an agent typed into a reply.
func maskNIKs(s string) string {
	return nikLike.ReplaceAllStringFunc(s, func(m string) string {
		digits := ticket.NormalizeNIK(m)
		if len(digits) == 16 {
			return ticket.MaskNIK(digits)
		}
		return strings.Repeat("*", len(digits)-4) + digits[len(digits)-4:]
	})
}
