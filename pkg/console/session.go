package console

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// SessionCookie carries a console session. It is the cookie the API also
// accepts (httpapi.SessionCookie), so the console's pages and the API
// know the same login.
const SessionCookie = "aduan_session"

const userKey = "console.user"

// currentUser is the user logged in on this request.
func currentUser(g *gin.Context) (ticket.User, bool) {
	u, ok := g.Get(userKey)
	if !ok {
		return ticket.User{}, false
	}
	user, ok := u.(ticket.User)
	return user, ok
}

func me(g *gin.Context) ticket.User {
	u, _ := currentUser(g)
	return u
}

// loginView is the login page's data.
type loginView struct {
	Email string
	Error string
}

// home is the login page for a visitor (200, never a redirect) and the
// queue for someone logged in.
func (c *Console) home(g *gin.Context) {
	if ck, err := g.Cookie(SessionCookie); err == nil && ck != "" {
		if _, err := c.cfg.Store.UserBySession(g.Request.Context(), ck); err == nil {
			g.Redirect(http.StatusSeeOther, "/console/antrean")
			return
		}
	}
	c.render(g, http.StatusOK, "login", "Masuk", "", loginView{})
}

// login checks the email and password as the API does (throttled alike),
// then opens a session: a new random token, kept only as a hash.
func (c *Console) login(g *gin.Context) {
	email, password := g.PostForm("email"), g.PostForm("password")
	user, err := c.cfg.Auth.LogIn(g.Request, email, password)
	if err != nil {
		code := ticket.ErrorCode(err)
		if code == ticket.EINTERNAL {
			c.fail(g, err)
			return
		}
		msg := indonesian(ticket.ErrorMessage(err))
		if code == ticket.EINVALID {
			msg = "Isi email dan kata sandi."
		}
		c.render(g, ticket.HTTPStatus(code), "login", "Masuk", "", loginView{Email: email, Error: msg})
		return
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		c.fail(g, err)
		return
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	expires := c.now().Add(c.cfg.SessionMax).UTC().Truncate(time.Second)
	if err := c.cfg.Store.CreateSession(g.Request.Context(), user.ID, token,
		store.Session{Idle: c.cfg.SessionIdle, Expires: expires}); err != nil {
		c.fail(g, err)
		return
	}
	c.setCookie(g, token, expires)
	c.log.InfoContext(g.Request.Context(), "console login", "user_id", user.ID)
	g.Redirect(http.StatusSeeOther, "/console/antrean")
}

func (c *Console) setCookie(g *gin.Context, token string, expires time.Time) {
	ck := &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: c.cfg.Auth.Secure(g.Request), SameSite: http.SameSiteStrictMode}
	if token == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expires
	}
	http.SetCookie(g.Writer, ck)
}

// logout ends every console session of the user, in every browser and
// every server process.
func (c *Console) logout(g *gin.Context) {
	if err := c.cfg.Store.RevokeSessions(g.Request.Context(), me(g).ID); err != nil {
		c.fail(g, err)
		return
	}
	c.setCookie(g, "", time.Time{})
	g.Redirect(http.StatusSeeOther, "/")
}

// authenticate finds the session's user, asked of the database every time
// (a logout or a disabling holds at once on every process). Without one a
// page goes to the login page; an htmx request is told to go there.
func (c *Console) authenticate(g *gin.Context) {
	ck, err := g.Cookie(SessionCookie)
	var user ticket.User
	if err == nil && ck != "" {
		user, err = c.cfg.Store.UserBySession(g.Request.Context(), ck)
	} else {
		err = ticket.Errorf(ticket.EUNAUTHORIZED, "Silakan masuk terlebih dahulu.")
	}
	if err != nil {
		if ticket.ErrorCode(err) != ticket.EUNAUTHORIZED {
			c.fail(g, err)
			return
		}
		if isHTMX(g) {
			g.Header("HX-Redirect", "/")
			g.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		if g.Request.Method == http.MethodGet {
			g.Redirect(http.StatusSeeOther, "/")
			g.Abort()
			return
		}
		c.fail(g, err)
		return
	}
	g.Set(userKey, user)
	g.Next()
}

// Require lets through only users whose role is at least min; for the
// supervisors' and admins' pages.
func (c *Console) Require(min ticket.Role) gin.HandlerFunc {
	return func(g *gin.Context) {
		if !me(g).Role.AtLeast(min) {
			c.fail(g, ticket.Errorf(ticket.EFORBIDDEN, "Peran Anda tidak diizinkan membuka halaman ini."))
			return
		}
		g.Next()
	}
}

// setPresence is the presence switch: available, away or offline. Going
// offline hands unstarted tickets back to their queues, as in the API.
func (c *Console) setPresence(g *gin.Context) {
	p := ticket.Presence(g.PostForm("presence"))
	if !p.Valid() {
		c.fail(g, &ticket.Error{Code: ticket.EINVALID, Message: "Pilih tersedia, istirahat atau luring."})
		return
	}
	u, err := c.cfg.Store.UpdateAgent(g.Request.Context(), me(g).ID, store.AgentUpdate{Presence: &p})
	if err != nil {
		c.fail(g, err)
		return
	}
	if u.Presence == ticket.PresenceOffline && c.cfg.Queues != nil {
		if _, err := c.cfg.Queues.ReleaseUnstarted(g.Request.Context(), u.ID); err != nil {
			c.fail(g, err)
			return
		}
	}
	g.Set(userKey, u)
	if isHTMX(g) {
		c.fragment(g, http.StatusOK, "queue", "presence", nil)
		return
	}
	g.Redirect(http.StatusSeeOther, back(g))
}

// back is where a form posted from a page returns to: the page it came
// from when that is one of the console's, else the queue.
func back(g *gin.Context) string {
	if to := g.PostForm("kembali"); len(to) > 9 && to[:9] == "/console/" {
		return to
	}
	return "/console/antrean"
}
