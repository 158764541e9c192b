// Package tlsmode is how Aduan reaches a mail server, IMAP or SMTP alike:
// the three TLS modes, and the rule that a connection without TLS, which
// would carry a password in clear, may only go to a server on this
// machine (a local relay or proxy that encrypts onward).
package tlsmode

import (
	"fmt"
	"net"
)

// The modes, as ADUAN_IMAP_TLS and ADUAN_SMTP_TLS take them.
const (
	None     = "none"     // plain, loopback only
	StartTLS = "starttls" // plain, upgraded by STARTTLS, which must succeed
	TLS      = "tls"      // TLS from the first byte
)

// Valid reports whether mode is one of the three.
func Valid(mode string) bool { return mode == None || mode == StartTLS || mode == TLS }

// Check reports why mode cannot be used to reach host: it is not one of
// the three, or it is none and host is not this machine.
func Check(mode, host string) error {
	switch {
	case !Valid(mode):
		return fmt.Errorf("tls must be %s, %s or %s, not %q", None, StartTLS, TLS, mode)
	case mode == None && !IsLoopback(host):
		return fmt.Errorf("tls %s is allowed only to a server on this machine (loopback), not %q", None, host)
	}
	return nil
}

// IsLoopback reports whether host is this machine: localhost or a
// loopback address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
