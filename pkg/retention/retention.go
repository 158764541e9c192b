// Package retention purges what Aduan no longer needs to keep: a
// configured time after a ticket was resolved or closed, its message
// texts, raw mail and photos go and its complainant is anonymised once
// none of their tickets is left, while the rows the weekly report counts
// stay. A legal hold on a ticket keeps it whole.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aduan/aduan/pkg/store"
)

// Store is what the purge needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	RetentionDue(ctx context.Context, cutoff time.Time) (store.PurgeCounts, error)
	PurgeTickets(ctx context.Context, cutoff time.Time, limit int, reason string) (store.PurgeCounts, error)
	MailListsDue(ctx context.Context, cutoff time.Time) (int64, error)
	PurgeMailLists(ctx context.Context, cutoff time.Time, limit int, reason string) (int64, error)
	WhatsAppDue(ctx context.Context, cutoff time.Time) (int64, error)
	PurgeWhatsApp(ctx context.Context, cutoff time.Time, limit int, reason string) (int64, error)
	PurgeWhatsAppBot(ctx context.Context, now time.Time) (int64, error)
	QueuedBlobs(ctx context.Context, after string, limit int) ([]string, error)
	QueuedBlobCount(ctx context.Context) (int64, error)
	UnusedBlobs(ctx context.Context, sums []string) ([]string, error)
	ForgetQueuedBlobs(ctx context.Context, sums []string) error
}

// Blobs deletes stored bytes; every blob backend offers it (blob.Store.Delete).
type Blobs interface {
	Delete(ctx context.Context, sum string, writtenBefore time.Time) (bool, error)
}

// BlobGrace is how long a blob written again is kept from deletion: the
// same bytes just came in and the row naming them may not be committed
// yet. Intake commits within seconds of writing a blob.
const BlobGrace = time.Hour

// DefaultBatchSize is how many tickets (and blobs) one transaction takes.
const DefaultBatchSize = 500

// Settings configure retention.
type Settings struct {
	Period    Period // zero: off
	BatchSize int    // default DefaultBatchSize
}

// Purger runs retention.
type Purger struct {
	store    Store
	blobs    Blobs
	settings Settings
	log      *slog.Logger
	Now      func() time.Time // tests pin it; default time.Now
}

// NewPurger returns a purger over s and b.
func NewPurger(s Store, b Blobs, settings Settings, log *slog.Logger) *Purger {
	if settings.BatchSize <= 0 {
		settings.BatchSize = DefaultBatchSize
	}
	return &Purger{store: s, blobs: b, settings: settings, log: log, Now: time.Now}
}

// Off reports whether retention is disabled by the configuration.
func (p *Purger) Off() bool { return p.settings.Period.Off() }

// Result says what a run purged, or what a dry run would.
type Result struct {
	Off    bool      `json:"off,omitempty"` // retention is disabled: nothing was looked at
	Period string    `json:"period"`
	Cutoff time.Time `json:"cutoff"` // tickets finished before it are due
	store.PurgeCounts
	BlobsDeleted int64 `json:"blobs_deleted"` // files removed; a dry run gives those queued from earlier runs in BlobsQueued
	BlobsQueued  int64 `json:"blobs_queued"`  // blobs waiting (shared ones still in use are kept)
	// WhatsApp counts the WhatsApp webhook bodies and messages emptied.
	WhatsApp int64 `json:"whatsapp"`
	// WhatsAppBot counts the bot's records deleted past their fixed ages
	// (store.BotHandledKept, store.BotConversationKept, the one-time
	// codes): they go whether or not a retention period is set.
	WhatsAppBot int64 `json:"whatsapp_bot,omitempty"`
}

// Due says what a run now would purge, changing nothing.
func (p *Purger) Due(ctx context.Context) (Result, error) {
	r := p.result()
	if r.Off {
		return r, nil
	}
	var err error
	if r.PurgeCounts, err = p.store.RetentionDue(ctx, r.Cutoff); err != nil {
		return r, err
	}
	if r.MailLists, err = p.store.MailListsDue(ctx, r.Cutoff); err != nil {
		return r, err
	}
	if r.WhatsApp, err = p.store.WhatsAppDue(ctx, r.Cutoff); err != nil {
		return r, err
	}
	r.BlobsQueued, err = p.store.QueuedBlobCount(ctx)
	return r, err
}

// Run purges every ticket that is due, a batch per transaction, then
// deletes the blobs no row names any more. It stops between batches when
// ctx ends; what it committed stays, and the next run goes on from there.
func (p *Purger) Run(ctx context.Context) (Result, error) {
	r := p.result()
	// The bot's conversations hold names and NIKs typed in; they are of
	// no use after a fixed time, so they go even with retention off.
	var err error
	if r.WhatsAppBot, err = p.store.PurgeWhatsAppBot(ctx, p.Now()); err != nil {
		return r, err
	}
	if r.Off {
		return r, nil
	}
	start := p.Now()
	reason := fmt.Sprintf("retensi %s: selesai sebelum %s", r.Period, r.Cutoff.UTC().Format(time.RFC3339))
	for ctx.Err() == nil {
		var batch store.PurgeCounts
		err := p.store.WithTx(ctx, func(ctx context.Context) error {
			var err error
			batch, err = p.store.PurgeTickets(ctx, r.Cutoff, p.settings.BatchSize, reason)
			return err
		})
		if err != nil {
			return r, err
		}
		r.PurgeCounts = r.PurgeCounts.Add(batch)
		if batch.Tickets < int64(p.settings.BatchSize) {
			break
		}
	}
	for ctx.Err() == nil {
		var n int64
		err := p.store.WithTx(ctx, func(ctx context.Context) error {
			var err error
			n, err = p.store.PurgeMailLists(ctx, r.Cutoff, p.settings.BatchSize, reason)
			return err
		})
		if err != nil {
			return r, err
		}
		r.MailLists += n
		if n == 0 {
			break
		}
	}
	for ctx.Err() == nil {
		var n int64
		err := p.store.WithTx(ctx, func(ctx context.Context) error {
			var err error
			n, err = p.store.PurgeWhatsApp(ctx, r.Cutoff, p.settings.BatchSize, reason)
			return err
		})
		if err != nil {
			return r, err
		}
		r.WhatsApp += n
		if n == 0 {
			break
		}
	}
	if err := p.deleteBlobs(ctx, &r); err != nil {
		return r, err
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	p.log.InfoContext(ctx, "retention purge done", "period", r.Period, "cutoff", r.Cutoff, "tickets", r.Tickets,
		"messages", r.Messages, "attachments", r.Attachments, "bytes", r.Bytes, "complainants", r.Complainants,
		"mail_lists", r.MailLists, "whatsapp", r.WhatsApp, "whatsapp_bot", r.WhatsAppBot,
		"blobs_deleted", r.BlobsDeleted, "took", time.Since(start).Round(time.Millisecond))
	return r, nil
}

// deleteBlobs goes once through the queued blobs, in the order of their
// sums, a batch per transaction, and deletes those no row names. A blob
// still named (shared with a ticket that is kept) leaves the queue and
// stays; one written again within BlobGrace (by the file system's clock)
// stays queued for a later run.
func (p *Purger) deleteBlobs(ctx context.Context, r *Result) error {
	writtenBefore := time.Now().Add(-BlobGrace)
	after := ""
	for ctx.Err() == nil {
		var n int
		err := p.store.WithTx(ctx, func(ctx context.Context) error {
			sums, err := p.store.QueuedBlobs(ctx, after, p.settings.BatchSize)
			if err != nil || len(sums) == 0 {
				return err
			}
			n, after = len(sums), sums[len(sums)-1]
			unused, err := p.store.UnusedBlobs(ctx, sums)
			if err != nil {
				return err
			}
			slices.Sort(unused)
			done := slices.DeleteFunc(sums, func(sum string) bool { _, ok := slices.BinarySearch(unused, sum); return ok })
			for _, sum := range unused { // the files, one by one; the rows, all at once
				gone, err := p.blobs.Delete(ctx, sum, writtenBefore)
				if err != nil {
					return err
				}
				if gone {
					done = append(done, sum)
					r.BlobsDeleted++
				}
			}
			return p.store.ForgetQueuedBlobs(ctx, done)
		})
		if err != nil {
			return err
		}
		if n < p.settings.BatchSize {
			break
		}
	}
	var err error
	r.BlobsQueued, err = p.store.QueuedBlobCount(ctx)
	return err
}

func (p *Purger) result() Result {
	period := p.settings.Period
	if period.Off() {
		return Result{Off: true, Period: period.String()}
	}
	return Result{Period: period.String(), Cutoff: period.Cutoff(p.Now())}
}
