package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
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
	email, err := checkLogin(req)
	if err != nil {
		s.fail(c, err)
		return
	}
	user, err := s.checkPassword(c.Request.Context(), email, req.Password, clientAddress(c))
	if err != nil {
		var wait *waitError
		if errors.As(err, &wait) {
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.wait.Seconds()))))
		}
		s.fail(c, err)
		return
	}
	token, expires, err := s.issueToken(c, user)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": token, "expires_at": expires, "user": toUserJSON(user)})
}

// waitError is a login refused for now: ERATELIMIT (too many attempts) or
// the password hashers all busy; wait says when to come back.
type waitError struct {
	err  error
	wait time.Duration
}

func (e *waitError) Error() string { return e.err.Error() }
func (e *waitError) Unwrap() error { return e.err }

// checkPassword is a login's check, throttled per account and per client
// address (addr): the user when email and password are right and the
// account is enabled.
func (s *Server) checkPassword(ctx context.Context, email, password, addr string) (ticket.User, error) {
	attempt := newLoginAttempt(email, addr)
	wait, err := s.takeLogin(ctx, attempt)
	if err != nil {
		s.giveBack(ctx, attempt)
		return ticket.User{}, err
	}
	if wait > 0 {
		return ticket.User{}, &waitError{wait: wait, err: ticket.Errorf(ticket.ERATELIMIT,
			"Terlalu banyak percobaan masuk; coba lagi nanti. / Too many failed logins; try again later.")}
	}
	user, hash, err := s.cfg.Users.UserByEmail(ctx, email)
	exists := err == nil
	if err != nil && ticket.ErrorCode(err) != ticket.ENOTFOUND {
		s.giveBack(ctx, attempt)
		return ticket.User{}, err
	}
	if !exists {
		hash = dummyHash()
	}
	ok, err := s.logins.hashing.check(ctx, hash, password)
	if errors.Is(err, errHashBusy) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// Never checked: the attempt is given back.
		s.giveBack(ctx, attempt)
		return ticket.User{}, &waitError{err: err, wait: s.logins.hashing.wait}
	}
	if err != nil {
		s.log.ErrorContext(ctx, "stored password hash unreadable", "user_id", user.ID, "err", err)
	}
	if !exists || err != nil || !ok {
		return ticket.User{}, ticket.Errorf(ticket.EUNAUTHORIZED, "Email atau kata sandi salah. / Wrong email or password.")
	}
	if user.DisabledAt != nil {
		return ticket.User{}, ticket.Errorf(ticket.EFORBIDDEN, "Akun ini sudah dinonaktifkan. / This account is disabled.")
	}
	if err := s.succeeded(ctx, attempt); err != nil {
		return ticket.User{}, err
	}
	return user, nil
}

// checkLogin validates a login's fields, bounded before anything is kept
// or hashed, and returns its email normalised.
func checkLogin(req loginRequest) (string, error) {
	email := strings.ToLower(strings.TrimSpace(req.Email))
	fields := ticket.FieldErrors{}
	switch {
	case email == "":
		fields.Add("email", "email wajib diisi")
	case len(email) > MaxEmailLength:
		fields.Add("email", fmt.Sprintf("email paling panjang %d karakter", MaxEmailLength))
	}
	switch {
	case req.Password == "":
		fields.Add("password", "kata sandi wajib diisi")
	case len(req.Password) > MaxPasswordBytes:
		fields.Add("password", fmt.Sprintf("kata sandi paling panjang %d byte", MaxPasswordBytes))
	}
	return email, fields.Err()
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
		HttpOnly: true, Secure: s.secure(c.Request), SameSite: http.SameSiteStrictMode})
	return token, expires, nil
}

func (s *Server) logout(c *gin.Context) {
	token := c.GetString("aduan.token")
	if err := s.cfg.Users.RevokeToken(c.Request.Context(), token); err != nil {
		s.fail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(c.Request), SameSite: http.SameSiteStrictMode})
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
	// Asked of the database every time, never cached: a logout or a
	// disabling holds on every API process at once.
	user, err := s.cfg.Users.UserByToken(c.Request.Context(), token)
	if err != nil {
		s.fail(c, err)
		return
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
