package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/registry"
)

const registryUsage = "usage: aduan registry import FILE"

// registryCommand runs `aduan registry import FILE`: JSON lines, one
// person a line, keyed by NIK (DESIGN.md). Every good line is imported in
// its own transaction; a bad line is reported with its number and changes
// nothing, and the run goes on, so one typo does not hold back a national
// export. The run then fails (exit 1) so that scripts notice; fixing the
// lines and running again changes only them.
func registryCommand(ctx context.Context, a *app.App, args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 || args[0] != "import" {
		return usageError{registryUsage}
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	by := registry.Actor{Kind: registry.ActorImport, ID: filepath.Base(args[1])}
	rep, err := registry.NewPostgres(a.Store).ImportFile(ctx, f, by)
	for _, le := range rep.Failed {
		fmt.Fprintf(stderr, "registry import: %s: %v\n", args[1], le)
	}
	if err != nil {
		return fmt.Errorf("registry import stopped: %w", err)
	}
	if rep.Changed() {
		fmt.Fprintf(stdout, "registry import: %d created, %d updated, %d unchanged, %d refused\n",
			rep.Created, rep.Updated, rep.Unchanged, len(rep.Failed))
	} else {
		fmt.Fprintf(stdout, "registry import: nothing changed: %d already as the file says, %d refused\n",
			rep.Unchanged, len(rep.Failed))
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d line(s) refused; the others are imported", len(rep.Failed))
	}
	return nil
}

// printDemoPeople lists the demo registry's people for whoever tries the
// WhatsApp chat page: the number to type, then the name and NIK the bot
// asks for.
func printDemoPeople(w io.Writer) {
	fmt.Fprintln(w, "Demo people (WhatsApp: type the number, then the name and NIK):")
	for _, p := range app.DemoPeople(time.Now()) {
		fmt.Fprintf(w, "  %-14s %-16s NIK %s  %s\n", p.LocalPhone(), p.Name, p.NIK, p.Story)
	}
}
