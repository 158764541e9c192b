package email

import (
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// Mailbox says where complaint mail is read from and where it goes after.
type Mailbox struct {
	Addr, User, Password string
	TLS                  string // none, starttls, tls
	Name                 string // the folder to read, e.g. INBOX
	Processed            string // where handled mail is moved; "" keeps it, marked \Seen
	Quarantine           string // where mail that fails MaxAttempts times is moved
	PollInterval         time.Duration
}

// Key names the mailbox in the position table.
func (m Mailbox) Key() string { return m.User + "@" + m.Addr + "/" + m.Name }

// Validate reports a setting that cannot work, so a bad configuration
// stops the poller at start. A plain connection (tls none) would carry the
// password in clear, so it may only go to a server on this machine.
func (m Mailbox) Validate() error {
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return fmt.Errorf("imap %s: address %q: %w", m.User, m.Addr, err)
	}
	switch m.TLS {
	case "none":
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("imap %s: tls none is allowed only to a server on this machine (loopback), not %q", m.User, host)
		}
	case "starttls", "tls":
	default:
		return fmt.Errorf("imap %s: tls must be none, starttls or tls, not %q", m.User, m.TLS)
	}
	return nil
}

// dial connects to the mailbox's server as its TLS setting says.
func (m Mailbox) dial(opts *imapclient.Options) (*imapclient.Client, error) {
	switch m.TLS {
	case "tls":
		return imapclient.DialTLS(m.Addr, opts)
	case "starttls":
		return imapclient.DialStartTLS(m.Addr, opts)
	case "none":
		return imapclient.DialInsecure(m.Addr, opts)
	}
	return nil, fmt.Errorf("imap tls must be none, starttls or tls, not %q", m.TLS)
}
