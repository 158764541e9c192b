// Command aduan runs Aduan: the complaint-ticketing backend of the
// vaccination-certificate help desk. See `aduan help`.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/ticket"
)

const usage = `aduan: complaint tickets from email, phone and WhatsApp.

Usage: aduan [--config FILE] COMMAND

Commands:
  migrate                  apply database migrations
  serve                    run the REST API (and console, webhooks)
  worker                   run background work and the outbox relay
  poll [--once]            read the complaint mailboxes; --once drains them and exits
  all                      everything in one process
  user add --email E --name N --role agent|supervisor|admin [--queues a,b] [--capacity N]
                           add a user; the password is read from stdin
  user disable --email E [--reason R]
                           disable a user who left: no more logins, every
                           session ends at once; audited
  seed --demo              add demo users, tickets and registry people
  registry import FILE     import vaccination registry records (JSON lines, keyed
                           by NIK); safe to run again: what is as the file says
                           is left alone. A bad line is reported with its number
                           and skipped; the rest is imported and the exit status is 1
  retention purge [--dry-run]
                           purge what the retention period no longer keeps;
                           --dry-run says what would go and changes nothing
  blob copy [--from DIR] [--workers N]
                           copy the data directory's files into the bucket
                           ADUAN_BLOB_URL names, each checked read back;
                           safe to run again
  config                   print the configuration, secrets masked

Configuration comes from the environment (DATABASE_URL, REDIS_URL,
ADUAN_HTTP_ADDR, ADUAN_DATA_DIR, ADUAN_IMAP_*, ADUAN_SMTP_*, ADUAN_MAIL_FROM,
ADUAN_RETENTION_PERIOD, ADUAN_TRUSTED_PROXIES, ADUAN_SECURE_COOKIES, ADUAN_WA_*,
ADUAN_PUBLIC_URL, ADUAN_CERT_KEY, ADUAN_CERT_KEY_FILE, ADUAN_OTP_SECRET, ADUAN_BLOB_URL,
ADUAN_S3_ACCESS_KEY, ADUAN_S3_SECRET_KEY)
over an optional YAML file (--config or ADUAN_CONFIG).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "aduan:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	global := flag.NewFlagSet("aduan", flag.ContinueOnError)
	global.SetOutput(stderr)
	configPath := global.String("config", os.Getenv("ADUAN_CONFIG"), "YAML configuration file")
	global.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := global.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	args = global.Args()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := app.LoadConfig(*configPath, os.Getenv)
	if err != nil {
		return err
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "config":
		fmt.Fprint(stdout, cfg.String())
		return nil
	case "blob":
		return blobCommand(ctx, cfg, rest, stdout, stderr)
	case "migrate", "serve", "all", "poll", "worker", "user", "seed", "retention", "registry":
	default:
		return usageError{fmt.Sprintf("unknown command %q; see aduan help", cmd)}
	}
	log := app.NewLogger(stderr, cfg.LogLevel)
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	switch cmd {
	case "migrate":
		n, err := a.Store.Migrate(ctx)
		if err == nil {
			fmt.Fprintf(stdout, "migrate: %d migration(s) applied\n", n)
		}
		return err
	case "serve":
		return a.Serve(ctx, nil)
	case "all":
		return a.RunAll(ctx)
	case "worker":
		return a.RunWorker(ctx)
	case "poll":
		fs := flag.NewFlagSet("poll", flag.ContinueOnError)
		fs.SetOutput(stderr)
		once := fs.Bool("once", false, "fetch what is in the mailboxes, then exit")
		if err := fs.Parse(rest); err != nil {
			return usageError{err.Error()}
		}
		return a.Poll(ctx, *once)
	case "user":
		return userCommand(ctx, a, rest, stdin, stdout, stderr)
	case "retention":
		return retentionCommand(ctx, a, rest, stdout, stderr)
	case "registry":
		return registryCommand(ctx, a, rest, stdout, stderr)
	default:
		return seedCommand(ctx, a, rest, stdout, stderr)
	}
}

func userCommand(ctx context.Context, a *app.App, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "disable" {
		return userDisableCommand(ctx, a, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "add" {
		return usageError{"usage: aduan user add --email E --name N --role R [--queues a,b] [--capacity N] < password\n" +
			"       aduan user disable --email E [--reason R]"}
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the user's email, used to log in")
	name := fs.String("name", "", "the user's full name")
	role := fs.String("role", "agent", "agent, supervisor or admin")
	queues := fs.String("queues", "", "comma-separated queues the agent serves (empty: every queue)")
	capacity := fs.Int("capacity", ticket.DefaultCapacity, "most open tickets at once")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	u, err := a.AddUser(ctx, app.NewUser{Email: *email, Name: *name, Role: ticket.Role(*role),
		Password: strings.TrimRight(password, "\r\n"), Queues: strings.Split(*queues, ","), Capacity: *capacity})
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(stdout, "user %d added: %s (%s)\n", u.ID, u.Email, u.Role)
	return nil
}

func userDisableCommand(ctx context.Context, a *app.App, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user disable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the email of the user to disable")
	reason := fs.String("reason", "", "why, for the audit log")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *email == "" {
		return usageError{"usage: aduan user disable --email E [--reason R]"}
	}
	u, err := a.DisableUser(ctx, *email, *reason)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(stdout, "user %d disabled: %s; every session of theirs has ended\n", u.ID, u.Email)
	return nil
}

func seedCommand(ctx context.Context, a *app.App, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "add demo users and tickets")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if !*demo {
		return usageError{"usage: aduan seed --demo"}
	}
	logins, err := a.SeedDemo(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Demo logins:")
	for _, l := range logins {
		fmt.Fprintf(stdout, "  %-11s %-24s %s\n", l.Role, l.Email, l.Password)
	}
	printDemoPeople(stdout)
	return nil
}

// explain renders a validation error with each field on its own line.
func explain(err error) error {
	var e *ticket.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for f, msg := range e.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f, msg)
	}
	return errors.New(b.String())
}
