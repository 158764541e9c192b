package app

import (
	"context"
	"errors"

	"golang.org/x/sync/errgroup"

	"github.com/aduan/aduan/pkg/intake/email"
)

// ErrNoMailbox means no IMAP account is configured.
var ErrNoMailbox = errors.New("no mailbox configured: set ADUAN_IMAP_ADDR, ADUAN_IMAP_USER and ADUAN_IMAP_PASSWORD")

// Pollers returns a poller for each configured mailbox folder.
func (a *App) Pollers() ([]*email.Poller, error) {
	imapCfg := a.Config.IMAP
	adapter := email.NewAdapter(a.Rules.Categories, a.Blobs, email.Limits{MaxAttachment: imapCfg.MaxAttachment, MaxMail: imapCfg.MaxMail})
	var out []*email.Poller
	for _, acct := range imapCfg.AllAccounts() {
		for _, folder := range acct.Mailboxes {
			box := email.Mailbox{Addr: acct.Addr, User: acct.User, Password: acct.Password, TLS: acct.TLS, Name: folder,
				Processed: imapCfg.Processed, Quarantine: imapCfg.Quarantine, PollInterval: imapCfg.PollInterval}
			if err := box.Validate(); err != nil {
				return nil, err
			}
			p := email.NewPoller(box, a.Store, a.Ingester, adapter, a.Blobs, a.Log)
			p.Stats = a.mailMetrics.count
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, ErrNoMailbox
	}
	return out, nil
}

// Poll reads every mailbox until ctx ends; with once, it drains them and
// returns.
func (a *App) Poll(ctx context.Context, once bool) error {
	pollers, err := a.Pollers()
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, p := range pollers {
		g.Go(func() error { return p.Run(ctx, once) })
	}
	return g.Wait()
}

// RunAll runs the API, the worker with the outbox relay and, when a
// mailbox is configured, the mail intake, in one process until ctx ends.
func (a *App) RunAll(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.Serve(ctx, nil) })
	g.Go(func() error { return a.RunWorker(ctx) })
	if pollers, err := a.Pollers(); errors.Is(err, ErrNoMailbox) {
		a.Log.Info("email intake is off: no mailbox configured")
	} else if err != nil {
		return err
	} else {
		for _, p := range pollers {
			g.Go(func() error { return p.Run(ctx, false) })
		}
	}
	return g.Wait()
}
