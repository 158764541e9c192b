package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestSessions(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	u := ticket.User{Email: "sesi@aduan.test", Name: "Rina Sesi", Role: ticket.RoleAgent}
	if err := s.CreateUser(ctx, &u, "hash"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *store.Store { return s.WithClock(func() time.Time { return now.Add(d) }) }
	sess := store.Session{Idle: 30 * time.Minute, Expires: now.Add(12 * time.Hour)}
	for _, tok := range []string{"tab-a", "tab-b"} {
		if err := at(0).CreateSession(ctx, u.ID, tok, sess); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateToken(ctx, u.ID, "api-token", now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	t.Run("a live session is its user's, and the API takes it too", func(t *testing.T) {
		got, err := at(10*time.Minute).UserBySession(ctx, "tab-a")
		if err != nil || got.ID != u.ID || got.Name != "Rina Sesi" {
			t.Fatalf("UserBySession = %+v, %v", got, err)
		}
		if got, err := at(10*time.Minute).UserByToken(ctx, "tab-a"); err != nil || got.ID != u.ID {
			t.Errorf("UserByToken(session) = %+v, %v", got, err)
		}
	})
	t.Run("use keeps a session alive past its idle limit from login", func(t *testing.T) {
		// Used at 10 min (above), so alive at 35 min, 25 min after.
		if _, err := at(35*time.Minute).UserBySession(ctx, "tab-a"); err != nil {
			t.Errorf("used session ended early: %v", err)
		}
	})
	t.Run("an idle session ends, for the API as well", func(t *testing.T) {
		if _, err := at(31*time.Minute).UserBySession(ctx, "tab-b"); ticket.ErrorCode(err) != ticket.EUNAUTHORIZED {
			t.Errorf("idle session: %v, want %s", err, ticket.EUNAUTHORIZED)
		}
		if _, err := at(31*time.Minute).UserByToken(ctx, "tab-b"); ticket.ErrorCode(err) != ticket.EUNAUTHORIZED {
			t.Errorf("idle session through the API: %v, want %s", err, ticket.EUNAUTHORIZED)
		}
	})
	t.Run("a busy session still ends at its absolute expiry", func(t *testing.T) {
		s2 := at(0)
		if err := s2.CreateSession(ctx, u.ID, "busy", store.Session{Idle: time.Hour, Expires: now.Add(90 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		for m := 50; m <= 100; m += 50 {
			_, err := at(time.Duration(m)*time.Minute).UserBySession(ctx, "busy")
			if want := m < 90; (err == nil) != want {
				t.Errorf("at %d min: %v, want alive %v", m, err, want)
			}
		}
	})
	t.Run("logout revokes every session of the user, not API tokens", func(t *testing.T) {
		if err := at(0).CreateSession(ctx, u.ID, "tab-c", sess); err != nil {
			t.Fatal(err)
		}
		if err := at(time.Minute).RevokeSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{"tab-a", "tab-c"} {
			if _, err := at(2*time.Minute).UserBySession(ctx, tok); ticket.ErrorCode(err) != ticket.EUNAUTHORIZED {
				t.Errorf("%s after logout: %v", tok, err)
			}
		}
		if _, err := at(2*time.Minute).UserByToken(ctx, "api-token"); err != nil {
			t.Errorf("API token after logout: %v", err)
		}
		if _, err := at(2*time.Minute).UserBySession(ctx, "api-token"); ticket.ErrorCode(err) != ticket.EUNAUTHORIZED {
			t.Errorf("an API token is no console session: %v", err)
		}
	})
}
