package email

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan/aduan/pkg/store"
)

// MailboxLocker hands a mailbox to one poller at a time, whatever the
// process or machine it runs on (store.Store does, with a PostgreSQL
// advisory lock): two pollers of one mailbox would fetch the same mails
// and move them under each other.
type MailboxLocker interface {
	LockMailbox(ctx context.Context, mailbox string, waiting func()) (*store.MailboxLock, error)
}

// The store is what app hands the poller: it must keep taking the lock.
var _ MailboxLocker = (*store.Store)(nil)

// Run reads the mailbox until ctx ends (see read). With a locker it first
// takes the mailbox's lock, waiting while another poller holds it; a
// poller whose lock is lost (its database connection died, so the other
// may hold it now) stops reading at once and waits for the lock again.
func (p *Poller) Run(ctx context.Context, once bool) error {
	if p.locker == nil {
		return p.read(ctx, once)
	}
	backoff, fruitless := time.Duration(0), 0
	for {
		waited := false
		lock, err := p.locker.LockMailbox(ctx, p.box.Key(), func() {
			waited = true
			p.log.InfoContext(ctx, "another poller holds this mailbox; waiting to take over")
		})
		if ctx.Err() != nil {
			if lock != nil {
				lock.Release()
			}
			return nil
		}
		if err != nil {
			if fruitless++; once && fruitless >= max(p.OnceAttempts, 1) {
				return fmt.Errorf("mailbox %s: giving up after %d attempts: %w", p.box.Key(), fruitless, err)
			}
			backoff = min(max(2*backoff, time.Second), time.Minute)
			p.log.WarnContext(ctx, "cannot take the mailbox lock; retrying", "err", err, "retry_in", backoff.String())
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			continue
		}
		backoff, fruitless = 0, 0
		if waited {
			p.log.InfoContext(ctx, "took over the mailbox")
		}
		lost, err := p.readHolding(ctx, lock, once)
		if !lost || ctx.Err() != nil {
			return err
		}
		p.log.WarnContext(ctx, "lost the mailbox lock (database connection failed); stopped reading until it is taken again")
	}
}

// readHolding reads the mailbox while lock holds, and says whether it
// stopped because the lock was lost.
func (p *Poller) readHolding(ctx context.Context, lock *store.MailboxLock, once bool) (lost bool, err error) {
	defer lock.Release()
	held, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-lock.Lost():
			cancel()
		case <-held.Done():
		}
	}()
	err = p.read(held, once)
	select {
	case <-lock.Lost():
		return true, err
	default:
		return false, err
	}
}
