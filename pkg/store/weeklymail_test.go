package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestReportMailRecipients(t *testing.T) {
	s, _ := storetest.New(t)
	ctx := context.Background()
	var ids = map[string]int64{}
	for _, u := range []ticket.User{{Email: "spv1@example.id", Name: "Spv Satu", Role: ticket.RoleSupervisor},
		{Email: "agen@example.id", Name: "Agen", Role: ticket.RoleAgent},
		{Email: "admin@example.id", Name: "Admin", Role: ticket.RoleAdmin},
		{Email: "spv2@example.id", Name: "Spv Dua", Role: ticket.RoleSupervisor}} {
		if err := s.CreateUser(ctx, &u, "hash"); err != nil {
			t.Fatal(err)
		}
		ids[u.Email] = u.ID
	}
	if _, err := s.DisableUser(ctx, ids["spv2@example.id"], 0, "keluar"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReportMailRecipients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Email != "spv1@example.id" {
		t.Fatalf("recipients %+v, want the one supervisor still enabled", got)
	}
}

func TestReportMailOnce(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	u := ticket.User{Email: "spv@example.id", Name: "Spv", Role: ticket.RoleSupervisor}
	if err := s.CreateUser(ctx, &u, "hash"); err != nil {
		t.Fatal(err)
	}
	w, _ := store.ParseWeek("2021-W45")

	down := errors.New("relay down")
	sent, err := s.ReportMailOnce(ctx, w, u.ID, func(context.Context) error { return down })
	if !errors.Is(err, down) || sent {
		t.Fatalf("a failed send: %v, %v; want the error back", sent, err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM report_mails`); n != 0 {
		t.Fatalf("a failed send left %d rows: the next run would never send", n)
	}

	// Two workers at once: the second waits for the first, then sends nothing.
	release := make(chan struct{})
	firstIn := make(chan struct{})
	type result struct {
		sent bool
		err  error
	}
	first, second := make(chan result), make(chan result)
	sends := 0
	go func() {
		sent, err := s.ReportMailOnce(ctx, w, u.ID, func(context.Context) error {
			sends++
			close(firstIn)
			<-release
			return nil
		})
		first <- result{sent, err}
	}()
	<-firstIn
	go func() {
		sent, err := s.ReportMailOnce(ctx, w, u.ID, func(context.Context) error { sends++; return nil })
		second <- result{sent, err}
	}()
	waitForLockWaiter(t, dbURL)
	close(release)
	if r := <-first; !r.sent || r.err != nil {
		t.Fatalf("first: %+v", r)
	}
	if r := <-second; r.sent || r.err != nil {
		t.Fatalf("second: %+v, want nothing sent", r)
	}
	if sends != 1 {
		t.Fatalf("mailed %d times, want once", sends)
	}
	if sent, err := s.ReportMailOnce(ctx, w, u.ID, func(context.Context) error { t.Fatal("sent again"); return nil }); sent || err != nil {
		t.Fatalf("a later run: %v, %v", sent, err)
	}
	if sent, err := s.ReportMailOnce(ctx, w.Next(), u.ID, func(context.Context) error { return nil }); !sent || err != nil {
		t.Fatalf("the next week: %v, %v; want it sent", sent, err)
	}
}

// waitForLockWaiter returns once a backend of the database at dbURL waits
// for a lock: the second insert queued behind the first transaction.
func waitForLockWaiter(t *testing.T, dbURL string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for storetest.Count(t, dbURL, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the second run never waited for the first")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
