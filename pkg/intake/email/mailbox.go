package email

import (
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/aduan/aduan/pkg/internal/tlsmode"
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
	if err := tlsmode.Check(m.TLS, host); err != nil {
		return fmt.Errorf("imap %s: %w", m.User, err)
	}
	return nil
}

// dial connects to the mailbox's server as its TLS setting says.
func (m Mailbox) dial(opts *imapclient.Options) (*imapclient.Client, error) {
	switch m.TLS {
	case tlsmode.TLS:
		return imapclient.DialTLS(m.Addr, opts)
	case tlsmode.StartTLS:
		return imapclient.DialStartTLS(m.Addr, opts)
	case tlsmode.None:
		return imapclient.DialInsecure(m.Addr, opts)
	}
	return nil, fmt.Errorf("imap: %w", tlsmode.Check(m.TLS, ""))
}
