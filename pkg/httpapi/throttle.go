package httpapi

import (
	"context"
	"crypto/sha256"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/store"
)

// Logins keeps what login throttling knows where every API process sees
// it (PostgreSQL), so several processes allow no more guesses than one.
// Keys are sha256 hashes: an email of any size costs 32 bytes.
type Logins interface {
	TakeLoginAttempt(ctx context.Context, key []byte, lim store.LoginLimit, now time.Time) (time.Duration, error)
	ReturnLoginAttempt(ctx context.Context, key []byte) error
	ClearLoginAttempts(ctx context.Context, key []byte) error
	RememberLogin(ctx context.Context, key []byte, now time.Time) error
	KnownLogin(ctx context.Context, key []byte, since time.Time) (bool, error)
	SweepLogins(ctx context.Context, now time.Time, sw store.LoginSweep) (int64, error)
}

// loginState is what the server keeps for logins: where attempts are
// counted, the places to hash a password, the proxies it trusts.
type loginState struct {
	store   Logins
	hashing *hashGate
	proxies []netip.Prefix
	// counted counts attempts, to sweep early under a flood.
	counted atomic.Int64
}

// LoginPolicy says how logins are slowed down. Guessing is slowed by a
// delay that grows with each attempt, per account and per client address;
// nothing is ever locked for good, and an account's owner is let through
// from an address they logged in from before, whoever else is guessing.
type LoginPolicy struct {
	Account store.LoginLimit
	Address store.LoginLimit
	Sweep   store.LoginSweep
}

// DefaultLoginPolicy: five tries per account, then 2 s doubling up to
// 5 minutes; thirty per address (a desk's shared NAT), then 1 s doubling up
// to 15 minutes; forgotten an hour after the last; known addresses kept 30
// days; at most 100,000 rows of each.
func DefaultLoginPolicy() LoginPolicy {
	return LoginPolicy{
		Account: store.LoginLimit{Free: 5, Base: 2 * time.Second, Max: 5 * time.Minute, Window: time.Hour},
		Address: store.LoginLimit{Free: 30, Base: time.Second, Max: 15 * time.Minute, Window: time.Hour},
		Sweep:   store.LoginSweep{Window: time.Hour, MaxAttempts: 100_000, KnownFor: 30 * 24 * time.Hour, MaxKnown: 100_000},
	}
}

// MaxEmailLength bounds the email of a login: nothing longer is an address.
const MaxEmailLength = 254

// MaxPasswordBytes bounds a password, so hashing one costs what it should.
const MaxPasswordBytes = 1024

// loginAttempt is one login's keys: its account, its client address, and
// the two together.
type loginAttempt struct {
	account, address, known []byte
	// counted says which keys hold this attempt, to give it back.
	accountCounted, addressCounted bool
}

func newLoginAttempt(email, addr string) *loginAttempt {
	key := func(parts ...string) []byte {
		h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
		return h[:]
	}
	return &loginAttempt{account: key("account", email), address: key("address", addr),
		known: key("known", email, addr)}
}

// takeLogin counts the attempt against its address, then against its account
// unless the account logged in from this address before. It returns how
// long to wait when either key must; the attempt is then not made.
func (s *Server) takeLogin(ctx context.Context, a *loginAttempt) (time.Duration, error) {
	if s.logins.store == nil {
		return 0, nil
	}
	now, pol := s.now(), s.cfg.LoginPolicy
	wait, err := s.logins.store.TakeLoginAttempt(ctx, a.address, pol.Address, now)
	if err != nil || wait > 0 {
		return wait, err
	}
	a.addressCounted = true
	s.sweepSoon()
	known, err := s.logins.store.KnownLogin(ctx, a.known, now.Add(-pol.Sweep.KnownFor))
	if err != nil || known {
		return 0, err
	}
	wait, err = s.logins.store.TakeLoginAttempt(ctx, a.account, pol.Account, now)
	a.accountCounted = err == nil && wait == 0
	return wait, err
}

// giveBack uncounts an attempt that was never checked.
func (s *Server) giveBack(ctx context.Context, a *loginAttempt) {
	if s.logins.store == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	give := func(counted bool, key []byte) {
		if !counted {
			return
		}
		if err := s.logins.store.ReturnLoginAttempt(ctx, key); err != nil {
			s.log.WarnContext(ctx, "login attempt not given back", "err", err)
		}
	}
	give(a.addressCounted, a.address)
	give(a.accountCounted, a.account)
}

// succeeded forgets the account's failures, gives the address its attempt
// back (one success must not clear a guesser's other failures) and
// remembers the address as the account owner's.
func (s *Server) succeeded(ctx context.Context, a *loginAttempt) error {
	if s.logins.store == nil {
		return nil
	}
	if a.addressCounted {
		if err := s.logins.store.ReturnLoginAttempt(ctx, a.address); err != nil {
			return err
		}
	}
	if err := s.logins.store.ClearLoginAttempts(ctx, a.account); err != nil {
		return err
	}
	return s.logins.store.RememberLogin(ctx, a.known, s.now())
}

// SweepLogins drops login throttling's expired rows and trims its tables
// to their caps; run it on a timer (several processes may).
func (s *Server) SweepLogins(ctx context.Context) error {
	if s.logins.store == nil {
		return nil
	}
	n, err := s.logins.store.SweepLogins(ctx, s.now(), s.cfg.LoginPolicy.Sweep)
	if err == nil && n > 0 {
		s.log.DebugContext(ctx, "login rows swept", "rows", n)
	}
	return err
}

// sweepEarlyAfter is how many attempts one process counts before it
// sweeps without waiting for the timer: a flood of distinct keys overfills
// the tables by at most this much per process, however fast it comes.
const sweepEarlyAfter = 10_000

// sweepSoon sweeps in the background once sweepEarlyAfter attempts have
// been counted since the last early sweep.
func (s *Server) sweepSoon() {
	if s.logins.counted.Add(1)%sweepEarlyAfter != 0 {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.SweepLogins(ctx); err != nil {
			s.log.WarnContext(ctx, "sweep login rows", "err", err)
		}
	}()
}

// SweepLoginsEvery runs SweepLogins every interval until ctx ends.
func (s *Server) SweepLoginsEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.SweepLogins(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "sweep login rows", "err", err)
			}
		}
	}
}

// trustProxies tells gin which peers' X-Forwarded-For to believe; by
// default gin believes everyone's, which would let any client choose the
// address it is throttled under.
func (s *Server) trustProxies() {
	for _, p := range s.cfg.TrustedProxies {
		if pr, err := parsePrefix(p); err == nil {
			s.logins.proxies = append(s.logins.proxies, pr)
		} else {
			s.log.Error("trusted proxy ignored", "proxy", p, "err", err)
		}
	}
	nets := make([]string, len(s.logins.proxies))
	for i, p := range s.logins.proxies {
		nets[i] = p.String()
	}
	if err := s.engine.SetTrustedProxies(nets); err != nil {
		s.log.Error("trusted proxies", "err", err)
		_ = s.engine.SetTrustedProxies(nil)
		s.logins.proxies = nil
	}
}

// parsePrefix reads an address or a CIDR range.
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// ValidProxies checks a trusted-proxy list (addresses or CIDR ranges).
func ValidProxies(list []string) error {
	for _, p := range list {
		if _, err := parsePrefix(p); err != nil {
			return err
		}
	}
	return nil
}

// fromTrustedProxy reports whether the request's peer is a trusted proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.logins.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// secure reports whether the client reached us over TLS: directly, or
// through a trusted proxy that says so. Configuration may force it, for a
// proxy that does not say.
func (s *Server) secure(r *http.Request) bool {
	if s.cfg.SecureCookies || r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https") && s.fromTrustedProxy(r)
}

// clientAddress is the address a login is throttled under: the peer, or
// what a trusted proxy forwarded. IPv6 clients are taken by their /64,
// which one subscriber usually holds whole.
func clientAddress(c *gin.Context) string {
	a, err := netip.ParseAddr(c.ClientIP())
	if err != nil {
		return "unknown"
	}
	if a = a.Unmap(); a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// setUpLogins fills in the login settings left unset.
func (s *Server) setUpLogins() {
	if s.cfg.LoginPolicy == (LoginPolicy{}) {
		s.cfg.LoginPolicy = DefaultLoginPolicy()
	}
	s.logins.store = s.cfg.Logins
	if s.logins.store == nil {
		s.logins.store, _ = s.cfg.Users.(Logins)
	}
	if s.cfg.MaxHashing <= 0 {
		s.cfg.MaxHashing = 2 * runtime.GOMAXPROCS(0)
	}
	if s.cfg.HashWait <= 0 {
		s.cfg.HashWait = 2 * time.Second
	}
	s.logins.hashing = newHashGate(s.cfg.MaxHashing, s.cfg.HashWait)
}
