package email

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// ReleaseStore is what Release needs from storage.
type ReleaseStore interface {
	QuarantinedMailByID(ctx context.Context, id int64) (store.QuarantinedMail, error)
	IgnoredMailByID(ctx context.Context, id int64) (store.IgnoredMail, error)
	SettleQuarantined(ctx context.Context, id, actorID int64, ticketNumber string) (bool, error)
	SettleIgnored(ctx context.Context, id, actorID int64, ticketNumber string) (bool, error)
}

// RawMail gives stored raw mail back by its sha256.
type RawMail interface {
	Open(sum string) (io.ReadSeekCloser, error)
}

// Release is an admin's word on mail that opened no ticket: quarantined
// mail is taken in again from its stored bytes (after the reason was dealt
// with, e.g. the parser fixed or the database back), and ignored mail,
// which looked machine-sent, is taken in as a person's mail and opens a
// ticket. Both go through the Ingester like any mail, so a mail taken in
// twice (two admins at once) is one ticket, and each is taken off its list
// with an audit entry naming the admin.
type Release struct {
	store    ReleaseStore
	raw      RawMail
	adapter  *Adapter
	ingester Ingester
	log      *slog.Logger
}

// NewRelease returns the release service.
func NewRelease(s ReleaseStore, raw RawMail, a *Adapter, ing Ingester, log *slog.Logger) *Release {
	return &Release{store: s, raw: raw, adapter: a, ingester: ing, log: log}
}

// RetryQuarantined takes quarantined mail id in again for admin actorID.
// A mail that still cannot be read is EINVALID with the reason, and stays
// quarantined. One that turns out machine-sent becomes ignored mail.
func (r *Release) RetryQuarantined(ctx context.Context, id, actorID int64) (intake.Result, error) {
	q, err := r.store.QuarantinedMailByID(ctx, id)
	if err != nil {
		return intake.Result{}, err
	}
	in, err := r.inbound(q.RawSHA256)
	if err != nil {
		return intake.Result{}, err
	}
	res, err := r.ingester.Ingest(ctx, in)
	if err != nil {
		return res, err
	}
	settled, err := r.store.SettleQuarantined(ctx, id, actorID, res.Ticket.Number)
	if settled {
		r.log.InfoContext(ctx, "quarantined mail taken in", "quarantine_id", id, "actor_id", actorID,
			"ticket", res.Ticket.Number, "ignored", res.Ignored)
	}
	return res, err
}

// ReleaseIgnored takes ignored mail id in as a person's mail for admin
// actorID: it opens a ticket (or joins the thread it belongs to) and the
// sender gets the acknowledgement a complaint gets.
func (r *Release) ReleaseIgnored(ctx context.Context, id, actorID int64) (intake.Result, error) {
	m, err := r.store.IgnoredMailByID(ctx, id)
	if err != nil {
		return intake.Result{}, err
	}
	in, err := r.inbound(m.RawSHA256)
	if err != nil {
		return intake.Result{}, err
	}
	// The admin read it: whatever its headers say, a person wrote it. A
	// bounce's effect on our message happened when it first came.
	in.Automatic, in.Bounced, in.Ack = "", "", true
	res, err := r.ingester.Ingest(ctx, in)
	if err != nil {
		return res, err
	}
	settled, err := r.store.SettleIgnored(ctx, id, actorID, res.Ticket.Number)
	if settled {
		r.log.InfoContext(ctx, "ignored mail released", "ignored_id", id, "actor_id", actorID, "ticket", res.Ticket.Number)
	}
	return res, err
}

// inbound reads and parses the stored mail sum as the poller would.
func (r *Release) inbound(sum string) (intake.Inbound, error) {
	if sum == "" {
		return intake.Inbound{}, ticket.Errorf(ticket.EINVALID,
			"Isi email ini tidak tersimpan, jadi tidak bisa dibaca ulang. / The mail's bytes were not kept.")
	}
	f, err := r.raw.Open(sum)
	if err != nil {
		return intake.Inbound{}, fmt.Errorf("read stored mail %s: %w", sum, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return intake.Inbound{}, fmt.Errorf("read stored mail %s: %w", sum, err)
	}
	m, err := Parse(raw)
	if err != nil {
		return intake.Inbound{}, &ticket.Error{Code: ticket.EINVALID,
			Message: "Email masih tidak bisa dibaca: " + cleanText(err.Error()) + " / The mail still cannot be read."}
	}
	return r.adapter.Inbound(m, raw, sum)
}
