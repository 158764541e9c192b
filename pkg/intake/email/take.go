package email

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// What becomes of one fetched mail: taken in, failed (to be read again),
// or, after failing MaxAttempts times, quarantined. A failure that is not
// the mail's own (errTransient) counts against no mail.

// errTransient marks a failure that is not the mail's fault (the database
// is down): the session ends and the mail is read again later, without
// counting against it.
var errTransient = errors.New("transient")

// outcome of one mail in a batch.
type outcome int

const (
	taken       outcome = iota // ingested (or found already ingested)
	failed                     // failed; will be tried again
	quarantined                // failed too often; moved aside
)

// takeOne takes in one stored mail and says what became of it. An error
// is one that is not the mail's fault: the batch stops there.
func (p *Poller) takeOne(ctx context.Context, uidValidity uint32, j mailJob, mem *takerMemory) (outcome, error) {
	err := j.readErr
	if err == nil {
		err = p.take(ctx, j, mem)
	}
	switch {
	case errors.Is(err, errTransient):
		return failed, err
	case err != nil:
		return p.fail(ctx, uidValidity, j.uid, j.sum, j.size, err)
	}
	if !j.retried {
		return taken, nil
	}
	if err := p.store.ClearMailFailure(ctx, p.box.Key(), uidValidity, uint32(j.uid)); err != nil {
		return failed, fmt.Errorf("%w: %v", errTransient, err)
	}
	return taken, nil
}

// take parses and ingests one raw mail. What it reads and decodes lives in
// mem, which the next mail reuses: nothing of it outlives the call.
func (p *Poller) take(ctx context.Context, j mailJob, mem *takerMemory) error {
	raw, err := mem.read(j, p.blobs)
	if err != nil {
		return fmt.Errorf("%w: read stored mail: %v", errTransient, err)
	}
	m, err := mem.parser.parse(raw, 0)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	in, err := p.adapter.Inbound(m, raw, j.sum)
	if err != nil {
		return fmt.Errorf("%w: %v", errTransient, err)
	}
	res, err := p.ingester.Ingest(ctx, in)
	if err != nil {
		if code := ticket.ErrorCode(err); code == ticket.EINVALID || code == ticket.ECONFLICT || store.BadData(err) {
			return fmt.Errorf("ingest: %w", err) // the mail's own fault: it would fail the same way again
		}
		return fmt.Errorf("%w: ingest: %v", errTransient, err)
	}
	p.count(resultOutcome(res))
	return nil
}

func resultOutcome(res intake.Result) string {
	switch {
	case res.Duplicate:
		return "duplicate"
	case res.Ignored:
		return "ignored"
	case res.Created:
		return "ticket"
	}
	return "threaded"
}

// fail records a failed mail and quarantines it once it failed too often.
func (p *Poller) fail(ctx context.Context, uidValidity uint32, uid imap.UID, sum string, size int64, cause error) (outcome, error) {
	// The reason may quote the mail; it must be storable whatever it holds.
	reason := cleanText(cause.Error())
	attempts, err := p.store.RecordMailFailure(ctx, p.box.Key(), uidValidity, uint32(uid), reason)
	if err != nil {
		return failed, fmt.Errorf("%w: %v", errTransient, err)
	}
	p.log.WarnContext(ctx, "mail not taken in", "uid", uint32(uid), "attempt", attempts, "err", cause)
	if attempts < p.MaxAttempts {
		p.count("failed")
		return failed, nil
	}
	err = p.store.Quarantine(ctx, store.QuarantinedMail{Mailbox: p.box.Key(), UIDValidity: int64(uidValidity),
		UID: int64(uid), RawSHA256: sum, Size: size, Reason: reason})
	if err != nil {
		return failed, fmt.Errorf("%w: %v", errTransient, err)
	}
	p.count("quarantined")
	return quarantined, nil
}
