package app_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/internal/logtest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
	"github.com/aduan/aduan/pkg/ticket"
)

// mailApp is Aduan running everything in one process, as `aduan all` does.
type mailApp struct {
	*app.App
	dbURL    string
	redisURL string
	done     chan struct{} // closed when RunAll returned
	err      error         // what RunAll returned; read after done
}

// startMailApp runs Aduan on a fresh database and Redis, reading the
// complaint mailbox and sending through Postfix; it stops before they go.
func startMailApp(t *testing.T) (*mailApp, string) {
	t.Helper()
	_, dbURL := storetest.New(t)
	rds := taskstest.NewRedis(t)
	cfg := app.DefaultConfig()
	cfg.DatabaseURL, cfg.RedisURL, cfg.DataDir, cfg.HTTPAddr = dbURL, rds.URL, t.TempDir(), "127.0.0.1:0"
	cfg.IMAP.IMAPAccount = app.IMAPAccount{Addr: imapAddr, User: complaintAddr, Password: mailPassword, TLS: "none",
		Mailboxes: []string{"INBOX"}}
	cfg.IMAP.PollInterval = time.Second
	cfg.SMTP.Addr, cfg.SMTP.TLS, cfg.SMTP.From = smtpAddr, "none", "PeduliLindungi <"+complaintAddr+">"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	a, err := app.New(context.Background(), cfg, app.NewLogger(logs, "info"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &mailApp{App: a, dbURL: dbURL, redisURL: rds.URL, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		m.err = a.RunAll(ctx)
	}()
	// Registered after the database and Redis, so it runs before they go.
	t.Cleanup(func() {
		cancel()
		select {
		case <-m.done:
			if m.err != nil {
				t.Errorf("RunAll: %v", m.err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("RunAll did not return within 30s of being cancelled")
		}
		a.Close()
		if t.Failed() {
			t.Logf("aduan's log:\n%s", logs.String())
		}
	})
	return m, dbURL
}

// eventually polls cond every 100 ms until it holds, failing after timeout
// or as soon as Aduan stops.
func (a *mailApp) eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		select {
		case <-a.done:
			t.Fatalf("waiting for %s: aduan stopped: %v", what, a.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s (last: %s)", what, timeout, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// settled waits until the background work written so far has run: every
// outbox row done or given up. A test that asserts that something did not
// happen waits for this first.
func (a *mailApp) settled(t *testing.T, timeout time.Duration) {
	t.Helper()
	a.eventually(t, timeout, "the background work settled", func() (bool, string) {
		open := storetest.Count(t, a.dbURL, "SELECT count(*) FROM outbox WHERE done_at IS NULL AND failed_at IS NULL")
		return open == 0, fmt.Sprintf("%d outbox rows not done", open)
	})
}

func ticketsForNIK(t *testing.T, a *mailApp) []ticket.Ticket {
	t.Helper()
	ts, err := a.Store.Tickets(context.Background(), store.TicketFilter{Query: e2eNIK, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func messages(t *testing.T, a *mailApp, ticketID int64) []ticket.Message {
	t.Helper()
	msgs, err := a.Store.Messages(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func inbound(msgs []ticket.Message) []ticket.Message  { return filter(msgs, ticket.Inbound) }
func outbound(msgs []ticket.Message) []ticket.Message { return filter(msgs, ticket.Outbound) }

func filter(msgs []ticket.Message, d ticket.Direction) []ticket.Message {
	var out []ticket.Message
	for _, m := range msgs {
		if m.Direction == d {
			out = append(out, m)
		}
	}
	return out
}

func outboundAcks(t *testing.T, a *mailApp, ticketID int64) []ticket.Message {
	t.Helper()
	var out []ticket.Message
	for _, m := range outbound(messages(t, a, ticketID)) {
		if m.Kind == ticket.KindAck {
			out = append(out, m)
		}
	}
	return out
}

func status(t *testing.T, a *mailApp, ticketID int64) ticket.Status {
	t.Helper()
	return ticketByID(t, a, ticketID).Status
}

func ticketByID(t *testing.T, a *mailApp, ticketID int64) ticket.Ticket {
	t.Helper()
	tk, err := a.Store.TicketByRef(context.Background(), fmt.Sprint(ticketID), false)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func setStatus(t *testing.T, a *mailApp, ticketID int64, s ticket.Status) {
	t.Helper()
	tk, err := a.Store.TicketByRef(context.Background(), fmt.Sprint(ticketID), false)
	if err != nil {
		t.Fatal(err)
	}
	tk.Status = s
	if err := a.Store.SaveTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
}

// requireMailSystem fails, rather than skips, when the mail system the
// test was asked to use is not there.
func requireMailSystem(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Fatalf("swaks not found (scripts/provision.sh mail installs it): %v", err)
	}
	for _, addr := range []string{smtpAddr, imapAddr} {
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			t.Fatalf("mail system not reachable at %s (run scripts/provision.sh mail): %v", addr, err)
		}
		c.Close()
	}
}

func resetMailboxes(t *testing.T, users ...string) {
	t.Helper()
	out, err := exec.Command("../../scripts/mail/reset.sh", users...).CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/mail/reset.sh: %v\n%s", err, out)
	}
}

// swaks sends one mail through Postfix.
func swaks(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("swaks", append([]string{"--server", smtpAddr}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
}

// writeJPEG writes a small photo, different for each i, into dir.
func writeJPEG(t *testing.T, dir, name string, i int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(80 * i), G: uint8(x * 4), B: uint8(y * 5), A: 255})
		}
	}
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(f, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// imapLogin opens user's mailbox store on Dovecot.
func imapLogin(t *testing.T, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		t.Fatalf("imap %s: %v", imapAddr, err)
	}
	if err := c.Login(user, mailPassword).Wait(); err != nil {
		c.Close()
		t.Fatalf("imap login %s: %v", user, err)
	}
	return c
}

// readMailbox returns every mail in user's mailbox, leaving them unread.
func readMailbox(t *testing.T, user, mailbox string) [][]byte {
	t.Helper()
	c := imapLogin(t, user)
	defer c.Close()
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("imap examine %s of %s: %v", mailbox, user, err)
	}
	var out [][]byte
	if sel.NumMessages > 0 {
		var all imap.SeqSet
		all.AddRange(1, sel.NumMessages)
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			t.Fatalf("imap fetch %s of %s: %v", mailbox, user, err)
		}
		for _, m := range msgs {
			out = append(out, m.FindBodySection(section))
		}
	}
	_ = c.Logout().Wait()
	return out
}

// mailboxSize is how many mails user's mailbox holds; -1 when it does not exist.
func mailboxSize(t *testing.T, user, mailbox string) int {
	t.Helper()
	c := imapLogin(t, user)
	defer c.Close()
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	_ = c.Logout().Wait()
	if err != nil || st.NumMessages == nil {
		return -1
	}
	return int(*st.NumMessages)
}
