package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/retention"
)

const retentionUsage = "usage: aduan retention purge [--dry-run]"

// retentionCommand runs `aduan retention purge`: with --dry-run it says
// what a purge now would take away; without, it purges now, as the
// periodic retention:purge does.
func retentionCommand(ctx context.Context, a *app.App, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "purge" {
		return usageError{retentionUsage}
	}
	fs := flag.NewFlagSet("retention purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "say what would be purged, change nothing")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return usageError{retentionUsage}
	}
	p := a.Purger()
	var (
		r   retention.Result
		err error
	)
	if *dryRun {
		r, err = p.Due(ctx)
	} else {
		r, err = p.Run(ctx)
	}
	if err != nil {
		return err
	}
	printRetention(stdout, r, *dryRun)
	return nil
}

func printRetention(w io.Writer, r retention.Result, dryRun bool) {
	if r.Off {
		fmt.Fprintln(w, "retention is off (retention.period: off): nothing is purged")
		return
	}
	verb := "purged"
	if dryRun {
		verb = "would purge"
	}
	fmt.Fprintf(w, "retention %s: tickets finished before %s\n", r.Period, r.Cutoff.UTC().Format("2006-01-02 15:04:05Z"))
	fmt.Fprintf(w, "%s:\n", verb)
	fmt.Fprintf(w, "  tickets       %d\n", r.Tickets)
	fmt.Fprintf(w, "  messages      %d (texts; %d raw mails)\n", r.Messages, r.RawMails)
	fmt.Fprintf(w, "  attachments   %d (%d bytes)\n", r.Attachments, r.Bytes)
	fmt.Fprintf(w, "  complainants  %d anonymised\n", r.Complainants)
	fmt.Fprintf(w, "  mail lists    %d ignored or quarantined mails\n", r.MailLists)
	if dryRun {
		fmt.Fprintf(w, "blobs queued from earlier purges: %d\n", r.BlobsQueued)
		return
	}
	fmt.Fprintf(w, "blobs deleted: %d; still queued: %d\n", r.BlobsDeleted, r.BlobsQueued)
}
