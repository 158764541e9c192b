package httpapi_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/store"
)

// clock is a test's time, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts at a whole second, so waits read back from the database
// (which keeps microseconds) come out whole.
func newClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// apiWith is another API over h's app, its configuration adjusted by set.
func (h *harness) apiWith(set func(*httpapi.Config)) http.Handler { return apiOn(h.app, set) }

// apiOn is an API over a, its configuration adjusted by set.
func apiOn(a *app.App, set func(*httpapi.Config)) http.Handler {
	cfg := httpapi.Config{Users: a.Store, Tickets: a.Store, Ingester: a.Ingester, Desk: a.Desk, Queues: a.Router,
		Log: a.Log, TokenTTL: a.Config.TokenTTL, Logins: a.Store}
	set(&cfg)
	return httpapi.New(cfg)
}

// from makes the request arrive from addr (host:port).
func from(addr string) func(*http.Request) {
	return func(r *http.Request) { r.RemoteAddr = addr }
}

func (h *harness) loginOn(t *testing.T, api http.Handler, email, password string, mods ...func(*http.Request)) reply {
	t.Helper()
	return h.callOn(t, api, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, mods...)
}

// expectWait checks a 429 that says to come back after secs seconds.
func expectWait(t *testing.T, r reply, secs string) {
	t.Helper()
	r.expectError(t, http.StatusTooManyRequests, "rate_limited")
	if got := r.Header.Get("Retry-After"); got != secs {
		t.Errorf("Retry-After %q, want %q", got, secs)
	}
}

func accountPolicy(free int) httpapi.LoginPolicy {
	p := httpapi.DefaultLoginPolicy()
	p.Account = store.LoginLimit{Free: free, Base: 2 * time.Second, Max: 8 * time.Second, Window: time.Hour}
	return p
}

// Guessing an account's password is slowed by a delay that grows, not
// locked: once the delay has passed, the right password gets in.
func TestLoginDelayGrows(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := newClock()
	api := h.apiWith(func(c *httpapi.Config) { c.Now, c.LoginPolicy = now.Now, accountPolicy(3) })
	guesser, owner := from("198.51.100.7:5000"), from("203.0.113.20:6000")
	for i := range 3 {
		h.loginOn(t, api, h.agent.Email, fmt.Sprint("tebakan-", i), guesser).expectError(t, http.StatusUnauthorized, "unauthorized")
	}
	expectWait(t, h.loginOn(t, api, h.agent.Email, "tebakan-3", guesser), "2")
	// From anywhere, and the account's email in any case: the account is one.
	expectWait(t, h.loginOn(t, api, strings.ToUpper(h.agent.Email), testPassword, owner), "2")

	now.Add(2 * time.Second)
	h.loginOn(t, api, h.agent.Email, testPassword, owner).expect(t, http.StatusOK)

	// The success cleared the account; guessing starts over and waits longer each time.
	for i := range 3 {
		h.loginOn(t, api, h.agent.Email, fmt.Sprint("lagi-", i), guesser).expectError(t, http.StatusUnauthorized, "unauthorized")
	}
	expectWait(t, h.loginOn(t, api, h.agent.Email, "lagi-3", guesser), "2")
	now.Add(2 * time.Second)
	h.loginOn(t, api, h.agent.Email, "lagi-4", guesser).expectError(t, http.StatusUnauthorized, "unauthorized")
	expectWait(t, h.loginOn(t, api, h.agent.Email, "lagi-5", guesser), "4")
	now.Add(4 * time.Second)
	h.loginOn(t, api, h.agent.Email, "lagi-6", guesser).expectError(t, http.StatusUnauthorized, "unauthorized")
	expectWait(t, h.loginOn(t, api, h.agent.Email, "lagi-7", guesser), "8")
	now.Add(8 * time.Second)
	h.loginOn(t, api, h.agent.Email, "lagi-8", guesser).expectError(t, http.StatusUnauthorized, "unauthorized")
	expectWait(t, h.loginOn(t, api, h.agent.Email, "lagi-9", guesser), "8") // at most Max

	// Other accounts are not affected.
	h.loginOn(t, api, h.agent2.Email, testPassword, guesser).expect(t, http.StatusOK)
}

// Whoever guesses an account's password, its owner gets in at once from an
// address they logged in from before.
func TestLoginOwnerLetThrough(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := newClock()
	api := h.apiWith(func(c *httpapi.Config) { c.Now, c.LoginPolicy = now.Now, accountPolicy(3) })
	office, attacker, phone := from("203.0.113.20:6000"), from("198.51.100.7:5000"), from("192.0.2.44:7000")
	h.loginOn(t, api, h.admin.Email, testPassword, office).must(t, http.StatusOK)
	for i := range 6 {
		h.loginOn(t, api, h.admin.Email, fmt.Sprint("tebakan-", i), attacker)
	}
	h.loginOn(t, api, h.admin.Email, "tebakan-lagi", attacker).expectError(t, http.StatusTooManyRequests, "rate_limited")
	// From elsewhere the account waits like the attacker does...
	h.loginOn(t, api, h.admin.Email, testPassword, phone).expectError(t, http.StatusTooManyRequests, "rate_limited")
	// ...but not from where its owner logged in before.
	h.loginOn(t, api, h.admin.Email, testPassword, office).expect(t, http.StatusOK)
	// Knowing the address is not knowing the password.
	h.loginOn(t, api, h.admin.Email, "tebakan-dari-kantor", office).expectError(t, http.StatusUnauthorized, "unauthorized")
}

// One address cannot try account after account: the address is slowed
// down too, while other addresses are not, and its own successful logins
// do not count against it.
func TestLoginThrottleByAddress(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := newClock()
	api := h.apiWith(func(c *httpapi.Config) {
		c.Now, c.LoginPolicy = now.Now, httpapi.DefaultLoginPolicy()
		c.LoginPolicy.Address = store.LoginLimit{Free: 3, Base: time.Second, Max: time.Minute, Window: time.Hour}
	})
	sweeper, desk := from("198.51.100.7:5000"), from("203.0.113.20:6000")
	for i := range 3 {
		h.loginOn(t, api, fmt.Sprintf("orang-%d@aduan.test", i), testPassword, sweeper).
			expectError(t, http.StatusUnauthorized, "unauthorized")
	}
	expectWait(t, h.loginOn(t, api, h.agent.Email, testPassword, sweeper), "1")
	h.loginOn(t, api, h.agent.Email, testPassword, desk).expect(t, http.StatusOK)
	for range 5 {
		h.loginOn(t, api, h.agent2.Email, testPassword, desk).expect(t, http.StatusOK)
	}
	// IPv6 clients are one client per /64.
	h.loginOn(t, api, "a@aduan.test", "x", from("[2001:db8:1:2::1]:5000"))
	h.loginOn(t, api, "b@aduan.test", "x", from("[2001:db8:1:2::2]:5000"))
	h.loginOn(t, api, "c@aduan.test", "x", from("[2001:db8:1:2:ffff::3]:5000"))
	h.loginOn(t, api, "d@aduan.test", "x", from("[2001:db8:1:2::4]:5000")).expectError(t, http.StatusTooManyRequests, "rate_limited")
}

// Only a configured proxy says who the client is.
func TestLoginTrustedProxy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := newClock()
	api := h.apiWith(func(c *httpapi.Config) {
		c.Now, c.LoginPolicy = now.Now, httpapi.DefaultLoginPolicy()
		c.LoginPolicy.Address = store.LoginLimit{Free: 1, Base: time.Minute, Max: time.Hour, Window: time.Hour}
		c.TrustedProxies = []string{"10.0.0.0/8"}
	})
	forwarded := func(peer, client string) func(*http.Request) {
		return func(r *http.Request) { r.RemoteAddr = peer; r.Header.Set("X-Forwarded-For", client) }
	}
	h.loginOn(t, api, "a@aduan.test", "x", forwarded("10.0.0.1:4000", "203.0.113.5")).expect(t, http.StatusUnauthorized)
	h.loginOn(t, api, "b@aduan.test", "x", forwarded("10.0.0.1:4000", "203.0.113.5")).expect(t, http.StatusTooManyRequests)
	h.loginOn(t, api, "c@aduan.test", "x", forwarded("10.0.0.2:4000", "203.0.113.6")).expect(t, http.StatusUnauthorized)

	// Anyone else's X-Forwarded-For is not believed.
	h.loginOn(t, api, "d@aduan.test", "x", forwarded("198.51.100.7:5000", "192.0.2.1")).expect(t, http.StatusUnauthorized)
	h.loginOn(t, api, "e@aduan.test", "x", forwarded("198.51.100.7:5000", "192.0.2.2")).expect(t, http.StatusTooManyRequests)
}

// The session cookie is Secure when the client used TLS: directly, through
// a trusted proxy that says so, or always when configured.
func TestSessionCookieSecure(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	proxied := h.apiWith(func(c *httpapi.Config) { c.TrustedProxies = []string{"10.0.0.1"} })
	forced := h.apiWith(func(c *httpapi.Config) { c.SecureCookies = true })
	viaProxy := func(peer string) func(*http.Request) {
		return func(r *http.Request) { r.RemoteAddr = peer; r.Header.Set("X-Forwarded-Proto", "https") }
	}
	direct := func(r *http.Request) { r.TLS = &tls.ConnectionState{} }
	for _, tt := range []struct {
		name   string
		api    http.Handler
		mod    func(*http.Request)
		secure bool
	}{
		{"plain HTTP", proxied, from("192.0.2.1:1000"), false},
		{"TLS to Aduan itself", proxied, direct, true},
		{"https through the trusted proxy", proxied, viaProxy("10.0.0.1:2000"), true},
		{"https claimed by anyone else", proxied, viaProxy("192.0.2.1:1000"), false},
		{"forced by configuration", forced, from("192.0.2.1:1000"), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.loginOn(t, tt.api, h.agent.Email, testPassword, tt.mod).must(t, http.StatusOK)
			if c := sessionCookie(r); c == nil || c.Secure != tt.secure {
				t.Errorf("session cookie %+v, want Secure=%v", c, tt.secure)
			}
		})
	}
}

// What a login may send is bounded before anything is kept or hashed.
func TestLoginInputBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	long := strings.Repeat("a", httpapi.MaxEmailLength) + "@aduan.test"
	h.login(t, long, testPassword).expectError(t, http.StatusUnprocessableEntity, "invalid", "email")
	h.login(t, h.agent.Email, strings.Repeat("x", httpapi.MaxPasswordBytes+1)).
		expectError(t, http.StatusUnprocessableEntity, "invalid", "password")
	h.login(t, strings.Repeat("a", 2<<20), testPassword).expectError(t, http.StatusRequestEntityTooLarge, "too_large")
	attempts, known, err := h.app.Store.LoginCounts(context.Background())
	if err != nil || attempts != 0 || known != 0 {
		t.Errorf("refused logins left %d attempt rows, %d known (%v); want none", attempts, known, err)
	}
}
