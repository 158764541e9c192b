package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// slowUsers holds every login until released, standing in for a database
// that cannot keep up.
type slowUsers struct {
	httpapi.Users
	entered chan struct{}
	release chan struct{}
}

func (u slowUsers) UserByEmail(ctx context.Context, email string) (ticket.User, string, error) {
	u.entered <- struct{}{}
	<-u.release
	return ticket.User{}, "", ticket.Errorf(ticket.ENOTFOUND, "no")
}

func (u slowUsers) Agents(context.Context) ([]ticket.User, error) { return nil, nil }

func (u slowUsers) UpdateAgent(context.Context, int64, store.AgentUpdate) (ticket.User, error) {
	return ticket.User{}, nil
}

// Past capacity a request waits briefly, then is told to come back later,
// so an overloaded server keeps answering in time.
func TestOverloadAnswers503(t *testing.T) {
	users := slowUsers{entered: make(chan struct{}, 1), release: make(chan struct{})}
	srv := httpapi.New(httpapi.Config{Users: users, MaxInFlight: 1, QueueWait: 50 * time.Millisecond})
	login := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/auth/login",
			strings.NewReader(`{"email":"a@b.id","password":"x"}`)))
		return rec
	}
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- login() }()
	<-users.entered // the only place is taken

	rec := login()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), `"unavailable"`) {
		t.Fatalf("second request: %d %v %s; want 503 with Retry-After", rec.Code, rec.Header(), rec.Body)
	}
	health := httptest.NewRecorder()
	srv.ServeHTTP(health, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if health.Code != http.StatusOK {
		t.Errorf("health checks must not wait behind the API: %d", health.Code)
	}
	close(users.release)
	if r := <-first; r.Code != http.StatusUnauthorized {
		t.Errorf("first request: %d, want its own answer (401)", r.Code)
	}
	if rec := login(); rec.Code != http.StatusUnauthorized {
		t.Errorf("after the load: %d, want the request worked again", rec.Code)
	}
}
