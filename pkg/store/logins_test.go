package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func loginKey(s string) []byte {
	k := sha256.Sum256([]byte(s))
	return k[:]
}

func TestLoginAttemptsWaitLonger(t *testing.T) {
	t.Parallel()
	s, _ := storetest.New(t)
	ctx := context.Background()
	lim := store.LoginLimit{Free: 2, Base: 2 * time.Second, Max: 8 * time.Second, Window: time.Hour}
	key := loginKey("account\x00ayu@kemkes.go.id")
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	take := func(at time.Duration) time.Duration {
		t.Helper()
		wait, err := s.TakeLoginAttempt(ctx, key, lim, t0.Add(at))
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}
	steps := []struct {
		at   time.Duration
		wait time.Duration // 0: the attempt is counted
	}{
		{0, 0}, {0, 0}, // the free attempts
		{0, 2 * time.Second},                          // the third waits Base
		{time.Second, time.Second},                    // half-way there
		{2 * time.Second, 0},                          // its turn: counted
		{2 * time.Second, 4 * time.Second},            // then twice as long
		{6 * time.Second, 0},                          //
		{6 * time.Second, 8 * time.Second},            // and again, up to Max
		{14 * time.Second, 0},                         //
		{14 * time.Second, 8 * time.Second},           // never more than Max: a delay, not a lockout
		{14*time.Second + time.Hour, 0},               // a window later, all is forgotten
		{14*time.Second + time.Hour, 0},               //
		{14*time.Second + time.Hour, 2 * time.Second}, //
	}
	for i, st := range steps {
		if got := take(st.at); got != st.wait {
			t.Errorf("step %d at %v: wait %v, want %v", i, st.at, got, st.wait)
		}
	}

	t.Run("a returned attempt is not counted", func(t *testing.T) {
		other := loginKey("address\x00203.0.113.9")
		for range 5 {
			if wait, err := s.TakeLoginAttempt(ctx, other, lim, t0); err != nil || wait != 0 {
				t.Fatalf("take: %v %v", wait, err)
			}
			if err := s.ReturnLoginAttempt(ctx, other); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Attempts sent at once are counted one by one: a burst gets only the free
// attempts through, however many arrive together.
func TestLoginAttemptsBurst(t *testing.T) {
	t.Parallel()
	s, _ := storetest.New(t)
	lim := store.LoginLimit{Free: 3, Base: time.Second, Max: time.Minute, Window: time.Hour}
	key, now := loginKey("account\x00budi@kemkes.go.id"), time.Now()
	var taken atomic.Int32
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			wait, err := s.TakeLoginAttempt(context.Background(), key, lim, now)
			if err != nil {
				t.Error(err)
			}
			if wait == 0 {
				taken.Add(1)
			}
		})
	}
	wg.Wait()
	if n := taken.Load(); n != int32(lim.Free) {
		t.Errorf("%d of 30 simultaneous attempts let through, want %d", n, lim.Free)
	}
}

// However many distinct emails and addresses fail, the tables stay under
// their caps, what matters most survives a trim, and everything expires.
func TestSweepBoundsLogins(t *testing.T) {
	t.Parallel()
	s, _ := storetest.New(t)
	ctx := context.Background()
	lim := store.LoginLimit{Free: 5, Base: time.Second, Max: time.Minute, Window: time.Hour}
	sw := store.LoginSweep{Window: time.Hour, MaxAttempts: 500, KnownFor: 24 * time.Hour, MaxKnown: 100}
	t0 := time.Now().UTC()
	hot := loginKey("account\x00admin@kemkes.go.id")
	for range 3 {
		if _, err := s.TakeLoginAttempt(ctx, hot, lim, t0); err != nil {
			t.Fatal(err)
		}
	}
	const distinct, batch = 3000, 1000
	for start := 0; start < distinct; start += batch {
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := start + w; i < start+batch; i += 4 {
					key := loginKey(fmt.Sprintf("account\x00guess-%d@example.com", i))
					if _, err := s.TakeLoginAttempt(ctx, key, lim, t0.Add(time.Duration(i)*time.Millisecond)); err != nil {
						t.Error(err)
						return
					}
					if err := s.RememberLogin(ctx, key, t0); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if _, err := s.SweepLogins(ctx, t0.Add(10*time.Second), sw); err != nil {
			t.Fatal(err)
		}
		attempts, known, err := s.LoginCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if attempts > int64(sw.MaxAttempts) || known > int64(sw.MaxKnown) {
			t.Fatalf("after %d keys: %d attempt rows (cap %d), %d known (cap %d)",
				start+batch, attempts, sw.MaxAttempts, known, sw.MaxKnown)
		}
	}
	// The account under attack keeps its count through the trims.
	if wait, err := s.TakeLoginAttempt(ctx, hot, store.LoginLimit{Free: 3, Base: time.Hour, Max: time.Hour, Window: 2 * time.Hour},
		t0.Add(20*time.Second)); err != nil || wait == 0 {
		t.Errorf("the attacked account was trimmed away: wait %v, %v", wait, err)
	}

	if _, err := s.SweepLogins(ctx, t0.Add(48*time.Hour), sw); err != nil {
		t.Fatal(err)
	}
	if attempts, known, err := s.LoginCounts(ctx); err != nil || attempts != 0 || known != 0 {
		t.Errorf("two days later: %d attempt rows, %d known, %v; want none", attempts, known, err)
	}
}

func TestDisableUser(t *testing.T) {
	t.Parallel()
	s, _ := storetest.New(t)
	ctx := context.Background()
	admin := ticket.User{Email: "admin@kemkes.go.id", Name: "Admin", Role: ticket.RoleAdmin}
	agent := ticket.User{Email: "agen@kemkes.go.id", Name: "Agen", Role: ticket.RoleAgent}
	for _, u := range []*ticket.User{&admin, &agent} {
		if err := s.CreateUser(ctx, u, "hash"); err != nil {
			t.Fatal(err)
		}
	}
	later := time.Now().Add(time.Hour)
	for _, tok := range []string{"agent-token-1", "agent-token-2"} {
		if err := s.CreateToken(ctx, agent.ID, tok, later); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateToken(ctx, admin.ID, "admin-token", later); err != nil {
		t.Fatal(err)
	}

	got, err := s.DisableUser(ctx, agent.ID, admin.ID, "keluar dari tim")
	if err != nil {
		t.Fatal(err)
	}
	if got.DisabledAt == nil || got.Presence != ticket.PresenceOffline {
		t.Errorf("disabled user = %+v, want disabled_at set and offline", got)
	}
	for _, tok := range []string{"agent-token-1", "agent-token-2"} {
		if _, err := s.UserByToken(ctx, tok); ticket.ErrorCode(err) != ticket.EUNAUTHORIZED {
			t.Errorf("token %s of a disabled user: %v, want %s", tok, err, ticket.EUNAUTHORIZED)
		}
	}
	if _, err := s.UserByToken(ctx, "admin-token"); err != nil {
		t.Errorf("another user's token stopped working: %v", err)
	}
	// A token made after the disabling (say, by a login racing it) is no good either.
	if err := s.CreateToken(ctx, agent.ID, "agent-token-3", later); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, "agent-token-3"); ticket.ErrorCode(err) != ticket.EUNAUTHORIZED {
		t.Errorf("new token of a disabled user: %v, want %s", err, ticket.EUNAUTHORIZED)
	}

	if _, err := s.DisableUser(ctx, agent.ID, 0, "lagi"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DisableUser(ctx, 999999, 0, ""); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Errorf("disable unknown user: %v, want %s", err, ticket.ENOTFOUND)
	}
	audit, err := s.Audit(ctx, fmt.Sprintf("user:%d", agent.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != store.AuditUserDisable || audit[0].ActorID != admin.ID ||
		audit[0].Reason != "keluar dari tim" {
		t.Errorf("audit = %+v, want one user_disable by the admin with the reason (a second disabling changes nothing)", audit)
	}

	t.Run("by an operator's command", func(t *testing.T) {
		if _, err := s.DisableUser(ctx, admin.ID, 0, "dari baris perintah"); err != nil {
			t.Fatal(err)
		}
		audit, err := s.Audit(ctx, fmt.Sprintf("user:%d", admin.ID))
		if err != nil || len(audit) != 1 || audit[0].ActorID != 0 {
			t.Errorf("audit = %+v, %v; want one entry without an actor", audit, err)
		}
	})
}

// Tokens that can no longer be used are swept; live ones stay.
func TestSweepTokens(t *testing.T) {
	t.Parallel()
	s, _ := storetest.New(t)
	ctx := context.Background()
	u := ticket.User{Email: "agen@kemkes.go.id", Name: "Agen", Role: ticket.RoleAgent}
	if err := s.CreateUser(ctx, &u, "hash"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for tok, expires := range map[string]time.Time{"expired": now.Add(-time.Minute), "revoked": now.Add(time.Hour),
		"live": now.Add(time.Hour)} {
		if err := s.CreateToken(ctx, u.ID, tok, expires); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RevokeToken(ctx, "revoked"); err != nil {
		t.Fatal(err)
	}
	n, err := s.SweepLogins(ctx, now, store.LoginSweep{Window: time.Hour, MaxAttempts: 10, KnownFor: time.Hour, MaxKnown: 10})
	if err != nil || n != 2 {
		t.Errorf("sweep removed %d rows (%v), want the expired and the revoked token", n, err)
	}
	if _, err := s.UserByToken(ctx, "live"); err != nil {
		t.Errorf("the live token was swept: %v", err)
	}
}
