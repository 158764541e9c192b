package httpapi

import (
	"context"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

// ConsolePrefix is where the web console's pages live; its login page is
// also served at /.
const ConsolePrefix = "/console/"

// isConsolePath reports whether path is one of the console's.
func isConsolePath(path string) bool {
	return path == "/" || len(path) >= len(ConsolePrefix) && path[:len(ConsolePrefix)] == ConsolePrefix
}

type clientAddressKey struct{}

// MountConsole serves the web console (pkg/console) at / and under
// ConsolePrefix, behind the same request ids, security headers, logging
// and body limits as the API. Without it / answers 404 like any unknown
// path. Call it once, before serving.
func (s *Server) MountConsole(console http.Handler) {
	serve := func(c *gin.Context) {
		ctx := context.WithValue(c.Request.Context(), clientAddressKey{}, clientAddress(c))
		console.ServeHTTP(c.Writer, c.Request.WithContext(ctx))
	}
	s.engine.GET("/", serve)
	s.engine.HEAD("/", serve)
	s.engine.Any(ConsolePrefix+"*path", serve)
	// Old links and habits ask for the page by name: one step to it.
	toRoot := func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/") }
	s.engine.GET("/index.html", toRoot)
	s.engine.HEAD("/index.html", toRoot)
}

// LogIn checks a console login exactly as POST /auth/login does (the same
// field rules, throttling per account and per client address, the same
// password hashing places): the user when email and password are right.
// A refusal for now is ERATELIMIT or EUNAVAILABLE; wrong credentials are
// EUNAUTHORIZED; fields are EINVALID.
func (s *Server) LogIn(r *http.Request, email, password string) (ticket.User, error) {
	email, err := checkLogin(loginRequest{Email: email, Password: password})
	if err != nil {
		return ticket.User{}, err
	}
	addr, _ := r.Context().Value(clientAddressKey{}).(string)
	if addr == "" {
		addr, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	return s.checkPassword(r.Context(), email, password, addr)
}

// Secure reports whether r reached the server over TLS (directly or
// through a trusted proxy) or cookies are to be Secure anyway.
func (s *Server) Secure(r *http.Request) bool { return s.secure(r) }
