package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

// SessionCookie carries the console's login.
const SessionCookie = "aduan_session"

const userKey = "aduan.user"

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// dummyHash is checked when the email is unknown, so a login takes as long
// whether or not the account exists. Made on the first such login, not at
// start-up: every aduan command would pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a real password")
	return h
})

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	fields := ticket.FieldErrors{}
	if strings.TrimSpace(req.Email) == "" {
		fields.Add("email", "email wajib diisi")
	}
	if req.Password == "" {
		fields.Add("password", "kata sandi wajib diisi")
	}
	if err := fields.Err(); err != nil {
		s.fail(c, err)
		return
	}
	key := strings.ToLower(strings.TrimSpace(req.Email))
	if wait := s.logins.blocked(key); wait > 0 {
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
		s.fail(c, ticket.Errorf(ticket.ERATELIMIT, "Terlalu banyak percobaan masuk; coba lagi nanti. / Too many failed logins; try again later."))
		return
	}
	ctx := c.Request.Context()
	user, hash, err := s.cfg.Users.UserByEmail(ctx, key)
	if err != nil && ticket.ErrorCode(err) != ticket.ENOTFOUND {
		s.fail(c, err)
		return
	}
	if err != nil {
		hash = dummyHash()
	}
	ok, herr := CheckPassword(hash, req.Password)
	if err != nil || herr != nil || !ok {
		s.logins.failed(key)
		s.fail(c, ticket.Errorf(ticket.EUNAUTHORIZED, "Email atau kata sandi salah. / Wrong email or password."))
		return
	}
	s.logins.succeeded(key)
	token, expires, err := s.issueToken(c, user)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": token, "expires_at": expires, "user": toUserJSON(user)})
}

func (s *Server) issueToken(c *gin.Context, user ticket.User) (string, time.Time, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	expires := s.now().Add(s.cfg.TokenTTL).UTC().Truncate(time.Second)
	if err := s.cfg.Users.CreateToken(c.Request.Context(), user.ID, token, expires); err != nil {
		return "", time.Time{}, err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: c.Request.TLS != nil, SameSite: http.SameSiteStrictMode})
	return token, expires, nil
}

func (s *Server) logout(c *gin.Context) {
	token := c.GetString("aduan.token")
	if err := s.cfg.Users.RevokeToken(c.Request.Context(), token); err != nil {
		s.fail(c, err)
		return
	}
	s.tokens.forget(token)
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.Request.TLS != nil, SameSite: http.SameSiteStrictMode})
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	c.JSON(http.StatusOK, toUserJSON(actor(c)))
}

// authenticate finds the user behind the bearer token or the session
// cookie. A cookie is only good for a state-changing request that comes
// from our own origin, so another site cannot act through it.
func (s *Server) authenticate(c *gin.Context) {
	token, fromCookie := bearer(c.GetHeader("Authorization")), false
	if token == "" {
		if ck, err := c.Cookie(SessionCookie); err == nil && ck != "" {
			token, fromCookie = ck, true
		}
	}
	if token == "" {
		s.fail(c, ticket.Errorf(ticket.EUNAUTHORIZED, "Silakan masuk terlebih dahulu. / Authentication required."))
		return
	}
	if fromCookie && c.Request.Method != http.MethodGet && !sameOrigin(c.Request) {
		s.fail(c, ticket.Errorf(ticket.EFORBIDDEN, "Permintaan lintas situs ditolak. / Cross-site request refused."))
		return
	}
	user, ok := s.tokens.get(token)
	if !ok {
		var err error
		if user, err = s.cfg.Users.UserByToken(c.Request.Context(), token); err != nil {
			s.fail(c, err)
			return
		}
		s.tokens.put(token, user)
	}
	c.Set(userKey, user)
	c.Set("aduan.token", token)
	c.Next()
}

func bearer(header string) string {
	const prefix = "bearer "
	if len(header) > len(prefix) && strings.EqualFold(header[:len(prefix)], prefix) {
		return strings.TrimSpace(header[len(prefix):])
	}
	return ""
}

func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	return strings.TrimPrefix(strings.TrimPrefix(origin, "http://"), "https://") == r.Host
}

// require lets through only users whose role is at least min.
func (s *Server) require(min ticket.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !actor(c).Role.AtLeast(min) {
			s.fail(c, ticket.Errorf(ticket.EFORBIDDEN, "Peran Anda tidak diizinkan melakukan ini. / Your role may not do this."))
			return
		}
		c.Next()
	}
}

func actor(c *gin.Context) ticket.User {
	u, _ := c.Get(userKey)
	user, _ := u.(ticket.User)
	return user
}

// tokenCache remembers recently checked tokens for a few seconds, sparing
// a database round trip on every request. A logout on this instance takes
// effect at once; on other instances within tokenCacheTTL.
type tokenCache struct {
	mu    sync.Mutex
	now   func() time.Time
	users map[[32]byte]cachedUser
}

type cachedUser struct {
	user    ticket.User
	expires time.Time
}

const (
	tokenCacheTTL  = 5 * time.Second
	tokenCacheSize = 10000
)

func newTokenCache(now func() time.Time) *tokenCache {
	return &tokenCache{now: now, users: map[[32]byte]cachedUser{}}
}

func (tc *tokenCache) get(token string) (ticket.User, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	cu, ok := tc.users[sha256.Sum256([]byte(token))]
	if !ok || tc.now().After(cu.expires) {
		return ticket.User{}, false
	}
	return cu.user, true
}

func (tc *tokenCache) put(token string, u ticket.User) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.users) >= tokenCacheSize {
		clear(tc.users)
	}
	tc.users[sha256.Sum256([]byte(token))] = cachedUser{user: u, expires: tc.now().Add(tokenCacheTTL)}
}

func (tc *tokenCache) forget(token string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	delete(tc.users, sha256.Sum256([]byte(token)))
}

// loginLimiter refuses logins for an account after too many failures in a
// window, so passwords cannot be guessed at speed.
type loginLimiter struct {
	mu       sync.Mutex
	now      func() time.Time
	failures map[string][]time.Time
}

const (
	loginWindow      = 15 * time.Minute
	loginMaxFailures = 5
)

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, failures: map[string][]time.Time{}}
}

// blocked returns how long the account must wait, or 0.
func (l *loginLimiter) blocked(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(key)
	if len(recent) < loginMaxFailures {
		return 0
	}
	return recent[0].Add(loginWindow).Sub(l.now())
}

func (l *loginLimiter) failed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[key] = append(l.recent(key), l.now())
}

func (l *loginLimiter) succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// recent drops failures older than the window; the caller holds mu.
func (l *loginLimiter) recent(key string) []time.Time {
	cutoff := l.now().Add(-loginWindow)
	kept := l.failures[key][:0]
	for _, t := range l.failures[key] {
		if t.After(cutoff) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = kept
	return kept
}
