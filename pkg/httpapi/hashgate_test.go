package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// noUsers knows nobody.
type noUsers struct{ Users }

func (noUsers) UserByEmail(context.Context, string) (ticket.User, string, error) {
	return ticket.User{}, "", ticket.Errorf(ticket.ENOTFOUND, "no")
}

// When every place to hash a password stays taken, a login waits its
// moment and is told to come back, rather than adding 19 MiB to a pile.
func TestLoginHashingBounded(t *testing.T) {
	srv := New(Config{Users: noUsers{}, MaxHashing: 2, HashWait: 20 * time.Millisecond})
	login := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/auth/login",
			strings.NewReader(`{"email":"a@b.id","password":"x"}`)))
		return rec
	}
	srv.logins.hashing.slots <- struct{}{}
	srv.logins.hashing.slots <- struct{}{} // both places taken
	rec := login()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), `"unavailable"`) {
		t.Errorf("login with every place taken: %d %v %s; want 503 with Retry-After", rec.Code, rec.Header(), rec.Body)
	}
	<-srv.logins.hashing.slots // one frees
	if rec := login(); rec.Code != http.StatusUnauthorized {
		t.Errorf("login with a free place: %d %s, want it checked (401)", rec.Code, rec.Body)
	}
	if n := len(srv.logins.hashing.slots); n != 1 {
		t.Errorf("%d places taken after the login, want 1 (its own given back)", n)
	}
}
