package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
)

// PollerStore is what the poller needs from storage.
type PollerStore interface {
	MailboxPosition(ctx context.Context, mailbox string) (store.MailboxPosition, error)
	SetMailboxPosition(ctx context.Context, mailbox string, p store.MailboxPosition) error
	RecordMailFailure(ctx context.Context, mailbox string, uidValidity, uid uint32, reason string) (int, error)
	FailedMailUIDs(ctx context.Context, mailbox string, uidValidity uint32, maxAttempts int) ([]uint32, error)
	ClearMailFailure(ctx context.Context, mailbox string, uidValidity, uid uint32) error
	Quarantine(ctx context.Context, q store.QuarantinedMail) error
}

// RawBlobs stores raw mail and gives it back (blob.Store is one).
type RawBlobs interface {
	Blobs
	Open(sum string) (io.ReadSeekCloser, error)
	// Sync makes what was stored so far durable, names included.
	Sync() error
}

// Ingester stores what arrives.
type Ingester interface {
	Ingest(ctx context.Context, in intake.Inbound) (intake.Result, error)
}

// Poller reads one mailbox: every new mail is stored raw, parsed and
// ingested before it is marked \Seen and moved, so a crash at any point
// loses nothing and the Message-ID (or the raw sha256) keeps a second
// read from doubling it.
type Poller struct {
	box      Mailbox
	store    PollerStore
	ingester Ingester
	adapter  *Adapter
	blobs    RawBlobs
	locker   MailboxLocker // nil: nothing keeps a second poller off the mailbox
	log      *slog.Logger
	// BatchSize is how many mails one FETCH asks for.
	BatchSize int
	// Takers is how many mails are parsed and ingested at once.
	Takers int
	// MaxAttempts is how often a mail may fail before it is quarantined.
	MaxAttempts int
	// Stats, when set, is told of every mail handled.
	Stats func(outcome string)
	// OnceAttempts is how many sessions in a row may fail without taking
	// in a mail before Run with once gives up and returns the last error.
	OnceAttempts int

	memory     []*takerMemory // one per taker, reused batch after batch
	rawBuffers rawBuffers     // fetched mails held in memory for the takers
	settled    atomic.Int64   // mails flagged or moved aside so far: what a session got done
}

// NewPoller returns a poller of box. When s can lock mailboxes
// (MailboxLocker, as *store.Store does), the poller reads box only while
// it holds its lock, so pollers may be started on several machines.
func NewPoller(box Mailbox, s PollerStore, ing Ingester, a *Adapter, blobs RawBlobs, log *slog.Logger) *Poller {
	if box.PollInterval <= 0 {
		box.PollInterval = 30 * time.Second
	}
	p := &Poller{box: box, store: s, ingester: ing, adapter: a, blobs: blobs, log: log.With("mailbox", box.Key()),
		BatchSize: 50, MaxAttempts: 3, Takers: 4, OnceAttempts: 8, rawBuffers: rawBuffers{budget: rawBudget}}
	p.locker, _ = s.(MailboxLocker)
	return p
}

// read reads the mailbox until ctx ends, reconnecting with backoff when
// the connection drops; the backoff starts over after a session that got
// something done. With once, it drains what is there and returns, or
// returns the last error once OnceAttempts sessions in a row got nothing
// done (a wrong password, a database that stays away).
func (p *Poller) read(ctx context.Context, once bool) error {
	backoff, fruitless := time.Duration(0), 0
	for {
		start, settled := time.Now(), p.settled.Load()
		err := p.session(ctx, once)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil && once {
			return nil
		}
		if p.settled.Load() > settled || time.Since(start) > time.Minute {
			backoff, fruitless = 0, 0
		}
		if fruitless++; once && fruitless >= max(p.OnceAttempts, 1) {
			return fmt.Errorf("mailbox %s: giving up after %d attempts: %w", p.box.Key(), fruitless, err)
		}
		backoff = min(max(2*backoff, time.Second), time.Minute)
		p.log.WarnContext(ctx, "mailbox session ended; reconnecting", "err", err, "retry_in", backoff.String())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
	}
}

// session is one connection: drain, then wait for more (IDLE where the
// server has it, polling otherwise), until ctx ends or the link fails.
func (p *Poller) session(ctx context.Context, once bool) error {
	arrived := make(chan struct{}, 1)
	c, err := p.box.dial(&imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case arrived <- struct{}{}:
				default:
				}
			}
		},
	}})
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(p.box.User, p.box.Password).Wait(); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	for _, folder := range []string{p.box.Processed, p.box.Quarantine} {
		if folder != "" {
			_ = c.Create(folder, nil).Wait() // exists already, most of the time
		}
	}
	sel, err := c.Select(p.box.Name, nil).Wait()
	if err != nil {
		return fmt.Errorf("select %s: %w", p.box.Name, err)
	}
	pos, err := p.position(ctx, sel.UIDValidity)
	if err != nil {
		return err
	}
	for {
		if err := p.drain(ctx, c, &pos); err != nil {
			return err
		}
		if once {
			return nil
		}
		if err := p.wait(ctx, c, arrived); err != nil {
			return err
		}
	}
}

// position returns where reading stopped; new UIDVALIDITY means the server
// renumbered the mailbox, so reading starts over (Message-IDs and raw
// hashes keep what was read before from doubling).
func (p *Poller) position(ctx context.Context, uidValidity uint32) (store.MailboxPosition, error) {
	pos, err := p.store.MailboxPosition(ctx, p.box.Key())
	if err != nil {
		return pos, err
	}
	if pos.UIDValidity != uidValidity {
		if pos.UIDValidity != 0 {
			p.log.WarnContext(ctx, "UIDVALIDITY changed; reading the mailbox again", "old", pos.UIDValidity, "new", uidValidity)
		}
		pos = store.MailboxPosition{UIDValidity: uidValidity}
		err = p.store.SetMailboxPosition(ctx, p.box.Key(), pos)
	}
	return pos, err
}

// wait returns when new mail may have arrived.
func (p *Poller) wait(ctx context.Context, c *imapclient.Client, arrived chan struct{}) error {
	if !c.Caps().Has(imap.CapIdle) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.box.PollInterval):
		}
		return c.Noop().Wait()
	}
	idle, err := c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	// Servers drop an IDLE after 30 minutes; renew well before.
	select {
	case <-ctx.Done():
	case <-arrived:
	case <-time.After(min(p.box.PollInterval*10, 20*time.Minute)):
	}
	if err := idle.Close(); err != nil {
		return err
	}
	if err := idle.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// drain takes in every mail above the last UID and those that failed
// before, a batch at a time.
func (p *Poller) drain(ctx context.Context, c *imapclient.Client, pos *store.MailboxPosition) error {
	uids, retried, err := p.pending(ctx, c, *pos)
	if err != nil {
		return err
	}
	for len(uids) > 0 {
		n := min(len(uids), p.BatchSize)
		if err := p.batch(ctx, c, pos, uids[:n], retried); err != nil {
			return err
		}
		uids = uids[n:]
	}
	return nil
}

// pending lists the UIDs to read: new ones (filtered here, since "n:*"
// always returns the highest UID even when it is lower than n) and those
// that failed fewer than MaxAttempts times, which it also returns as a set.
func (p *Poller) pending(ctx context.Context, c *imapclient.Client, pos store.MailboxPosition) ([]imap.UID, map[imap.UID]bool, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(pos.LastUID+1), 0)
	data, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	var uids []imap.UID
	for _, uid := range data.AllUIDs() {
		if uint32(uid) > pos.LastUID {
			uids = append(uids, uid)
		}
	}
	retry, err := p.store.FailedMailUIDs(ctx, p.box.Key(), pos.UIDValidity, p.MaxAttempts)
	if err != nil {
		return nil, nil, err
	}
	retried := make(map[imap.UID]bool, len(retry))
	for _, uid := range retry {
		uids = append(uids, imap.UID(uid))
		retried[imap.UID(uid)] = true
	}
	slices.Sort(uids)
	return slices.Compact(uids), retried, nil
}

// batch fetches uids with BODY.PEEK (nothing is \Seen until it is stored),
// streams each raw mail to disk and hands it to the takers, which parse and
// ingest mails side by side; then it flags and moves what was taken.
func (p *Poller) batch(ctx context.Context, c *imapclient.Client, pos *store.MailboxPosition, uids []imap.UID, retried map[imap.UID]bool) error {
	fetch := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	tk := p.newTakers(ctx, pos.UIDValidity)
	for msg := fetch.Next(); msg != nil; msg = fetch.Next() {
		j, err := p.readMessage(msg)
		if errors.Is(err, errTransient) {
			// The link broke inside a mail. Touch the fetch no more: drop
			// the connection; what was taken is flagged on the next round.
			c.Close()
			tk.wait()
			return err
		}
		if j.uid == 0 || tk.stopped() {
			p.rawBuffers.release(j.raw)
			if j.uid == 0 {
				continue
			}
			break // a taker hit a failure that is not the mail's; the rest waits
		}
		j.readErr, j.retried = err, retried[j.uid]
		tk.submit(j)
	}
	results, firstErr := tk.wait()
	if err := fetch.Close(); err != nil && firstErr == nil {
		firstErr = fmt.Errorf("fetch: %w", err)
	}
	// Once a mail leaves the INBOX it is never read again: its blobs must
	// survive a crash before that.
	if err := p.blobs.Sync(); err != nil {
		return fmt.Errorf("%w: %v", errTransient, err)
	}
	if err := p.settle(c, results); err != nil {
		return err
	}
	if firstErr != nil {
		return firstErr
	}
	// Every UID of the batch is now taken, quarantined or recorded for retry.
	last := uint32(slices.Max(uids))
	if last > pos.LastUID {
		pos.LastUID = last
		return p.store.SetMailboxPosition(ctx, p.box.Key(), *pos)
	}
	return nil
}

// readMessage stores one fetched mail in the blob store, keeping it in a
// lent buffer too when there is one, so the taker need not read it back. A
// mail that arrives shorter than the server announced was cut off by the
// connection (the IMAP client reports that as a normal end): it must not be
// taken in, and it is not the mail's fault.
func (p *Poller) readMessage(msg *imapclient.FetchMessageData) (j mailJob, err error) {
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			j.uid = it.UID
		case imapclient.FetchItemDataBodySection:
			want := it.Literal.Size()
			var body io.Reader = it.Literal
			if j.raw = p.rawBuffers.lend(want); j.raw != nil {
				body = io.TeeReader(it.Literal, j.raw)
			}
			j.sum, j.size, err = p.blobs.Put(body)
			switch {
			case err != nil:
				p.rawBuffers.release(j.raw)
				return mailJob{uid: j.uid}, fmt.Errorf("%w: read mail: %v", errTransient, err)
			case j.size != want:
				p.rawBuffers.release(j.raw)
				return mailJob{uid: j.uid}, fmt.Errorf("%w: the connection ended %d bytes into a %d-byte mail", errTransient, j.size, want)
			}
		}
	}
	if err == nil && j.sum == "" {
		err = errors.New("the server sent no body")
	}
	return j, err
}

// settle flags taken mail \Seen and moves it to Processed, and moves
// quarantined mail aside. Only now, after the tickets are committed.
func (p *Poller) settle(c *imapclient.Client, results map[imap.UID]outcome) error {
	var done, bad []imap.UID
	for uid, o := range results {
		switch o {
		case taken:
			done = append(done, uid)
		case quarantined:
			bad = append(bad, uid)
		}
	}
	if len(done) > 0 {
		set := imap.UIDSetNum(done...)
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
			Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
			return fmt.Errorf("flag seen: %w", err)
		}
		if p.box.Processed != "" {
			if _, err := c.Move(set, p.box.Processed).Wait(); err != nil {
				return fmt.Errorf("move to %s: %w", p.box.Processed, err)
			}
		}
	}
	if len(bad) > 0 && p.box.Quarantine != "" {
		if _, err := c.Move(imap.UIDSetNum(bad...), p.box.Quarantine).Wait(); err != nil {
			return fmt.Errorf("move to %s: %w", p.box.Quarantine, err)
		}
	}
	p.settled.Add(int64(len(done) + len(bad)))
	return nil
}

func (p *Poller) count(outcome string) {
	if p.Stats != nil {
		p.Stats(outcome)
	}
}
