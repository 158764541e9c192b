package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

// terminateLockHolders ends the sessions holding an advisory lock, as a
// crash of their process or a cut network would, and says how many.
func terminateLockHolders(t *testing.T, dbURL string) int {
	return storetest.Count(t, dbURL, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
}

// One holder per mailbox: a second poller (here on a pool of its own, as
// in another process) waits, and takes over when the first releases the
// mailbox or its session dies, which the first learns through Lost.
func TestLockMailbox(t *testing.T) {
	t.Parallel()
	first, dbURL := storetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	second, err := store.Open(ctx, dbURL, store.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()

	held, err := first.LockMailbox(ctx, "pengaduan@kemkes.go.id/INBOX", func() { t.Error("waited for a free mailbox") })
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		lock *store.MailboxLock
		err  error
	}
	waiting, got := make(chan struct{}), make(chan result, 1)
	go func() {
		l, err := second.LockMailbox(ctx, "pengaduan@kemkes.go.id/INBOX", func() { close(waiting) })
		got <- result{l, err}
	}()
	select {
	case <-waiting:
	case r := <-got:
		t.Fatalf("the second poller took the held mailbox: %v", r.err)
	}
	other, err := second.LockMailbox(ctx, "pengaduan@kemkes.go.id/Lainnya", func() { t.Error("another mailbox waited") })
	if err != nil {
		t.Fatal(err)
	}
	other.Release()

	// The holder's session dies: the lock goes with it, to the waiter.
	if n := terminateLockHolders(t, dbURL); n != 1 {
		t.Fatalf("%d sessions held a mailbox, want 1", n)
	}
	r := <-got
	if r.err != nil {
		t.Fatalf("the waiting poller did not take over: %v", r.err)
	}
	select {
	case <-held.Lost():
	case <-ctx.Done():
		t.Fatal("the first holder never learnt its lock was lost")
	}
	held.Release() // after Lost: must not hang or fail

	// Released, the mailbox passes on to the next waiter.
	waiting, got2 := make(chan struct{}), make(chan result, 1)
	go func() {
		l, err := first.LockMailbox(ctx, "pengaduan@kemkes.go.id/INBOX", func() { close(waiting) })
		got2 <- result{l, err}
	}()
	<-waiting
	r.lock.Release()
	r2 := <-got2
	if r2.err != nil {
		t.Fatalf("the mailbox did not pass on after Release: %v", r2.err)
	}
	select {
	case <-r2.lock.Lost():
		t.Fatal("a held lock reads as lost")
	default:
	}
	r2.lock.Release()
	r2.lock.Release()

	// A wait cut short leaves nothing held.
	blocker, err := second.LockMailbox(ctx, "b", nil)
	if err != nil {
		t.Fatal(err)
	}
	short, stop := context.WithCancel(ctx)
	if _, err := first.LockMailbox(short, "b", stop); err == nil {
		t.Fatal("LockMailbox returned the held lock after its context ended")
	}
	blocker.Release()
	again, err := first.LockMailbox(ctx, "b", func() { t.Error("the mailbox stayed held after a cut-short wait") })
	if err != nil {
		t.Fatal(err)
	}
	again.Release()
}
