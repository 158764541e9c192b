package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"time"
)

// MailboxLock is one mailbox held by one poller: a PostgreSQL
// session-level advisory lock, taken on a connection of its own and kept
// as long as that connection lives. A second poller of the mailbox, on
// this machine or another, waits in LockMailbox; when the holder releases
// the lock or dies (its process killed, its network cut), PostgreSQL ends
// the session, drops the lock, and the waiter takes over.
type MailboxLock struct {
	conn *sql.Conn
	key  string
	lost chan struct{} // closed when the connection holding the lock failed
	stop chan struct{} // closed by Release
	done chan struct{} // closed when the watch ended
	once sync.Once
}

// mailboxLockCheck is how often a held lock's connection is checked: a
// holder whose connection died must stop reading the mailbox before long,
// since another poller may hold it by now.
const mailboxLockCheck = 2 * time.Second

// LockMailbox takes the lock of mailbox, waiting as long as ctx allows
// while another session holds it; waiting, when not nil, is called once
// before such a wait.
func (s *Store) LockMailbox(ctx context.Context, mailbox string, waiting func()) (_ *MailboxLock, err error) {
	defer wrap(&err, "lock mailbox")
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	key := "aduan mailbox " + mailbox
	var got bool
	err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, key).Scan(&got)
	if err == nil && !got {
		if waiting != nil {
			waiting()
		}
		_, err = conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key)
	}
	if err != nil {
		discard(conn) // a wait cut short may have taken the lock all the same
		return nil, err
	}
	l := &MailboxLock{conn: conn, key: key, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go l.watch()
	return l, nil
}

// discard closes a connection for good instead of giving it back to the
// pool, so a session lock it may hold goes with it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// watch checks the connection until Release, and says so through Lost
// when it fails.
func (l *MailboxLock) watch() {
	defer close(l.done)
	t := time.NewTicker(mailboxLockCheck)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), mailboxLockCheck)
		err := l.conn.PingContext(ctx)
		cancel()
		if err != nil {
			close(l.lost)
			return
		}
	}
}

// Lost is closed when the connection holding the lock failed: the lock
// may be another's by now, so the holder must stop reading the mailbox.
func (l *MailboxLock) Lost() <-chan struct{} { return l.lost }

// Release gives the lock up (and its connection back); safe to call
// more than once.
func (l *MailboxLock) Release() {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		select {
		case <-l.lost:
			discard(l.conn)
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, l.key); err != nil {
			discard(l.conn)
			return
		}
		l.conn.Close()
	})
}
