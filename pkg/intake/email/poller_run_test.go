package email_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestPollerTakesInEveryMailOnce(t *testing.T) {
	t.Run("mails held in memory", func(t *testing.T) { testTakesInEveryMailOnce(t, newPollerFixture(t)) })
	t.Run("mails read back from the blob store", func(t *testing.T) {
		f := newPollerFixture(t)
		email.KeepNoRawInMemory(f.poller)
		testTakesInEveryMailOnce(t, f)
	})
}

func testTakesInEveryMailOnce(t *testing.T, f *pollerFixture) {
	for _, name := range []string{"plain.eml", "html-table.eml", "forwarded.eml", "auto-reply.eml", "no-message-id.eml"} {
		f.srv.appendFixture(t, name)
	}
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	tickets := storetest.Count(t, f.dbURL, "SELECT count(*) FROM tickets WHERE channel = 'email'")
	ignored := storetest.Count(t, f.dbURL, "SELECT count(*) FROM ignored_mail")
	if tickets != 4 || ignored != 1 {
		t.Fatalf("tickets %d, ignored %d; want 4 tickets and the auto-reply ignored", tickets, ignored)
	}
	if inbox, done := f.srv.count(t, "INBOX"), f.srv.count(t, "Processed"); inbox != 0 || done != 5 {
		t.Fatalf("INBOX %d, Processed %d; want every mail moved after it was stored", inbox, done)
	}
	pos, err := f.store.MailboxPosition(context.Background(), imapUser+"@"+f.srv.addr+"/INBOX")
	if err != nil || pos.LastUID != 5 || pos.UIDValidity == 0 {
		t.Fatalf("position = %+v, %v; want last UID 5", pos, err)
	}

	// A second round finds nothing new, although "6:*" answers with UID 5.
	f.srv.appendFixture(t, "latin1.eml")
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	if got := storetest.Count(t, f.dbURL, "SELECT count(*) FROM tickets"); got != 5 {
		t.Fatalf("tickets after a second round = %d, want 5", got)
	}

	// The photos of plain.eml are stored and guessed.
	ts, err := f.store.Tickets(context.Background(), store.TicketFilter{Query: "3201014107870001", Limit: 10})
	if err != nil || len(ts) == 0 {
		t.Fatalf("ticket by NIK: %v %v", ts, err)
	}
	atts, err := f.store.Attachments(context.Background(), ts[len(ts)-1].ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[ticket.AttachmentKind]bool{}
	for _, a := range atts {
		if a.Stored {
			kinds[a.Kind] = true
		}
	}
	if !kinds[ticket.KindKTP] || !kinds[ticket.KindSelfie] || !kinds[ticket.KindVaccineCard] {
		t.Errorf("stored attachment kinds = %v, want ktp, selfie and vaccine_card", kinds)
	}
}

// The poller is killed after a ticket is committed but before the mail is
// flagged and moved: the next run reads the mail again and doubles nothing.
func TestPollerKilledBetweenStoreAndSeen(t *testing.T) {
	f := newPollerFixture(t)
	for _, name := range []string{"plain.eml", "html-only.eml", "latin1.eml"} {
		f.srv.appendFixture(t, name)
	}
	// One taker, so "right after the first commit" is one mail exactly;
	// with several, the others may commit in the same instant, which the
	// rest of this test shows is just as safe.
	f.poller.Takers = 1
	ctx, cancel := context.WithCancel(context.Background())
	f.ingest.afterOK = cancel // dies right after the first commit
	_ = f.poller.Run(ctx, true)
	if got := f.messages(t); got != 1 {
		t.Fatalf("messages after the crash = %d, want the 1 committed", got)
	}
	if inbox := f.srv.count(t, "INBOX"); inbox != 3 {
		t.Fatalf("INBOX = %d after the crash, want all 3 still there", inbox)
	}
	f.ingest.afterOK = nil
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	if got := f.messages(t); got != 3 {
		t.Fatalf("messages after restart = %d, want 3 (each mail exactly once)", got)
	}
	if inbox, done := f.srv.count(t, "INBOX"), f.srv.count(t, "Processed"); inbox != 0 || done != 3 {
		t.Fatalf("INBOX %d, Processed %d; want 0 and 3", inbox, done)
	}
}

// A message keeps what an agent needs to read the mail as it came: who
// sent it, the HTML, sanitised, and the problems met reading broken MIME.
func TestPollerKeepsHTMLAndReadWarnings(t *testing.T) {
	f := newPollerFixture(t)
	f.srv.appendFixture(t, "html-only.eml")
	f.srv.appendFixture(t, "broken-mime.eml")
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	byFixture := map[string]ticket.Message{}
	ts, err := f.store.Tickets(context.Background(), store.TicketFilter{Limit: 10})
	if err != nil || len(ts) != 2 {
		t.Fatalf("tickets: %v, %v; want 2", ts, err)
	}
	for _, tk := range ts {
		msgs, err := f.store.Messages(context.Background(), tk.ID)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("messages of ticket %d: %v, %v", tk.ID, msgs, err)
		}
		if strings.Contains(msgs[0].Body, "DEWI LESTARI") {
			byFixture["html-only"] = msgs[0]
		} else {
			byFixture["broken-mime"] = msgs[0]
		}
	}
	html := byFixture["html-only"]
	if html.Sender != "dewi.lestari@yahoo.co.id" {
		t.Errorf("sender = %q, want the address the mail came from", html.Sender)
	}
	if !strings.Contains(html.HTML, "<b>DEWI LESTARI</b>") {
		t.Errorf("HTML of the HTML-only mail = %q, want its markup kept", html.HTML)
	}
	for _, bad := range []string{"<script", "onload", "onclick", "tracker.example.com"} {
		if strings.Contains(html.HTML, bad) {
			t.Errorf("stored HTML still holds %q: %s", bad, html.HTML)
		}
	}
	if len(html.Warnings) != 0 {
		t.Errorf("warnings on a well-formed mail: %v", html.Warnings)
	}
	broken := byFixture["broken-mime"]
	if w := strings.Join(broken.Warnings, "\n"); !strings.Contains(w, "Malformed Base64") {
		t.Errorf("warnings kept on the broken mail's message = %q, want enmime's", w)
	}
	if broken.HTML != "" {
		t.Errorf("HTML of a text mail = %q, want none", broken.HTML)
	}
}

// A batch's blobs are made durable together, just before its mails leave
// the INBOX, so a crash after a ticket's commit may leave that ticket's
// raw mail and photos incomplete on disk. The mail is still in the INBOX:
// reading it again writes every blob again, whole, and doubles nothing.
func TestPollerMendsBlobsACrashLeftIncomplete(t *testing.T) {
	f := newPollerFixture(t)
	f.srv.appendFixture(t, "plain.eml")
	ctx, cancel := context.WithCancel(context.Background())
	f.ingest.afterOK = cancel // dies after the commit, before the blobs are synced
	_ = f.poller.Run(ctx, true)
	f.ingest.afterOK = nil

	ts, err := f.store.Tickets(context.Background(), store.TicketFilter{Limit: 10})
	if err != nil || len(ts) != 1 {
		t.Fatalf("tickets after the crash: %v, %v; want the 1 committed", ts, err)
	}
	var sums []string
	msgs, err := f.store.Messages(context.Background(), ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		sums = append(sums, m.RawSHA256)
	}
	atts, err := f.store.Attachments(context.Background(), ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range atts {
		if a.Stored {
			sums = append(sums, a.SHA256)
		}
	}
	if len(sums) != 4 {
		t.Fatalf("%d blobs named after the crash, want the raw mail and 3 photos", len(sums))
	}
	for _, sum := range sums { // what a crash before the sync can leave: the name, not the bytes
		if err := os.Truncate(f.blobs.Path(sum), 0); err != nil {
			t.Fatal(err)
		}
	}

	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	if got := f.messages(t); got != 1 {
		t.Fatalf("messages = %d, want 1", got)
	}
	for _, sum := range sums {
		data, err := os.ReadFile(f.blobs.Path(sum))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
			t.Errorf("blob %s holds %d bytes that are not its own after the re-read", sum, len(data))
		}
	}
}

// PostgreSQL unreachable during a fetch: nothing is flagged, nothing is
// counted against the mail, and once it is back every mail goes in once.
func TestPollerWaitsOutDatabaseOutage(t *testing.T) {
	f := newPollerFixture(t)
	for _, name := range []string{"plain.eml", "html-only.eml", "latin1.eml"} {
		f.srv.appendFixture(t, name)
	}
	f.ingest.failFirst.Store(2)
	if err := f.runOnce(t); err != nil { // Run reconnects with backoff until it drains
		t.Fatal(err)
	}
	if got := f.messages(t); got != 3 {
		t.Fatalf("messages = %d, want 3", got)
	}
	if n := storetest.Count(t, f.dbURL, "SELECT count(*) FROM mail_failures"); n != 0 {
		t.Errorf("%d mail failures recorded for a database outage, want none", n)
	}
	if got := f.srv.count(t, "Processed"); got != 3 {
		t.Errorf("Processed = %d, want 3", got)
	}
}

// A mail that cannot be parsed is tried MaxAttempts times, then moved to
// Quarantine with its reason, and never fetched again.
func TestPollerQuarantinesBrokenMail(t *testing.T) {
	f := newPollerFixture(t)
	f.srv.appendRaw(t, "INBOX", []byte("\x00\x01 not a mail at all"))
	f.srv.appendFixture(t, "plain.eml")
	for i := 0; i < 3; i++ {
		if err := f.runOnce(t); err != nil {
			t.Fatal(err)
		}
	}
	qs, err := f.store.QuarantinedMails(context.Background(), 0, 10)
	if err != nil || len(qs) != 1 || qs[0].Reason == "" || qs[0].RawSHA256 == "" {
		t.Fatalf("quarantined = %+v, %v; want the broken mail with its reason and raw bytes", qs, err)
	}
	if q, inbox := f.srv.count(t, "Quarantine"), f.srv.count(t, "INBOX"); q != 1 || inbox != 0 {
		t.Fatalf("Quarantine %d, INBOX %d; want 1 and 0", q, inbox)
	}
	if got := f.messages(t); got != 1 {
		t.Fatalf("messages = %d, want the good mail once", got)
	}
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Count(t, f.dbURL, "SELECT max(attempts) FROM mail_failures"); n != 3 {
		t.Errorf("attempts = %d after another round, want 3 (no more fetching)", n)
	}
}

// A mail PostgreSQL refuses for what it holds fails the same way every
// time: it is the mail's fault, so it is quarantined after three tries
// instead of holding up the mailbox, and the mail behind it goes in.
func TestPollerQuarantinesMailTheDatabaseRefuses(t *testing.T) {
	f := newPollerFixture(t)
	f.srv.appendFixture(t, "html-only.eml")
	f.srv.appendFixture(t, "plain.eml")
	f.ingest.badData = "DEWI LESTARI" // html-only.eml's text
	for range 3 {
		if err := f.runOnce(t); err != nil {
			t.Fatalf("a drain ended with %v; a mail's bad data must not stop it", err)
		}
	}
	if got := f.messages(t); got != 1 {
		t.Fatalf("messages = %d, want the good mail", got)
	}
	qs, err := f.store.QuarantinedMails(context.Background(), 0, 10)
	if err != nil || len(qs) != 1 || !strings.Contains(qs[0].Reason, "22021") {
		t.Fatalf("quarantined = %+v, %v; want the refused mail with PostgreSQL's reason", qs, err)
	}
	if q, inbox := f.srv.count(t, "Quarantine"), f.srv.count(t, "INBOX"); q != 1 || inbox != 0 {
		t.Fatalf("Quarantine %d, INBOX %d; want 1 and 0", q, inbox)
	}
}

// `aduan poll --once` against a mailbox it cannot log in to gives up with
// the reason instead of retrying for ever.
func TestPollerOnceGivesUp(t *testing.T) {
	f := newPollerFixture(t)
	box := email.Mailbox{Addr: f.srv.addr, User: imapUser, Password: "salah", TLS: "none", Name: "INBOX"}
	p := email.NewPoller(box, f.store, f.ingest, nil, f.blobs, quiet)
	p.OnceAttempts = 2
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := p.Run(ctx, true)
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "login") {
		t.Fatalf("Run = %v (context %v), want the login failure after 2 attempts", err, ctx.Err())
	}
}

// A server without IDLE is polled every PollInterval: mail that arrives
// while the poller waits is taken in without a restart.
func TestPollerPollsWithoutIdle(t *testing.T) {
	f := newPollerFixtureOn(t, newIMAPServerWith(t, false))
	rules, err := email.ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	addr, noops := noIdleProxy(t, f.srv.addr)
	box := email.Mailbox{Addr: addr, User: imapUser, Password: imapPass, TLS: "none",
		Name: "INBOX", Processed: "Processed", Quarantine: "Quarantine", PollInterval: 50 * time.Millisecond}
	f.poller = email.NewPoller(box, f.store, f.ingest, email.NewAdapter(rules, f.blobs, email.Limits{}), f.blobs,
		slog.New(slog.NewTextHandler(f.logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.poller.Run(ctx, false) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v after cancel, want nil", err)
		}
	}()
	select { // a NOOP comes after the first, empty drain and one wait
	case <-noops:
	case <-time.After(10 * time.Second):
		t.Fatal("the poller sent no NOOP within 10 s of starting")
	}
	f.srv.appendFixture(t, "plain.eml")
	for deadline := time.Now().Add(10 * time.Second); f.messages(t) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("mail appended while the poller waited was not taken in within 10 s")
		}
	}
	if logs := f.logs.String(); strings.Contains(logs, "reconnecting") {
		t.Errorf("the poller reconnected instead of polling:\n%s", logs)
	}
}

// Plain IMAP carries the password in clear: only to this machine.
func TestMailboxValidate(t *testing.T) {
	for _, tt := range []struct {
		addr, tls string
		ok        bool
	}{
		{"127.0.0.1:1143", "none", true},
		{"localhost:143", "none", true},
		{"[::1]:143", "none", true},
		{"imap.kemkes.go.id:143", "none", false},
		{"10.0.0.5:143", "none", false},
		{"imap.kemkes.go.id:993", "tls", true},
		{"imap.kemkes.go.id:143", "starttls", true},
		{"imap.kemkes.go.id:993", "ssl", false},
		{"imap.kemkes.go.id", "tls", false}, // no port
	} {
		err := email.Mailbox{Addr: tt.addr, User: imapUser, TLS: tt.tls}.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s with tls %s: %v, want ok %v", tt.addr, tt.tls, err, tt.ok)
		}
	}
}

// A mail that failed once and went through on the next round leaves no
// failure record behind, so it is not counted against it later.
func TestPollerClearsFailureOnceTaken(t *testing.T) {
	f := newPollerFixture(t)
	f.srv.appendFixture(t, "plain.eml")
	f.srv.appendFixture(t, "html-only.eml")
	f.ingest.refuseFirst.Store(1)
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Count(t, f.dbURL, "SELECT count(*) FROM mail_failures"); n != 1 {
		t.Fatalf("%d failures recorded, want the refused mail's", n)
	}
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	if got := f.messages(t); got != 2 {
		t.Fatalf("messages = %d, want 2", got)
	}
	if n := storetest.Count(t, f.dbURL, "SELECT count(*) FROM mail_failures"); n != 0 {
		t.Errorf("%d failures left after the mail went through, want none", n)
	}
	if got := f.srv.count(t, "Processed"); got != 2 {
		t.Errorf("Processed = %d, want 2", got)
	}
}

// A new UIDVALIDITY means the server renumbered: the mailbox is read again
// and the Message-IDs keep it from doubling.
func TestPollerRereadsAfterUIDValidityChange(t *testing.T) {
	f := newPollerFixture(t)
	f.srv.appendFixture(t, "plain.eml")
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	storetest.Exec(t, f.dbURL, "UPDATE mailbox_state SET uid_validity = uid_validity + 1, last_uid = 99")
	// The same mail arrives again (say, restored from a backup).
	f.srv.appendFixture(t, "plain.eml")
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	if got := f.messages(t); got != 1 {
		t.Fatalf("messages = %d, want 1", got)
	}
	if got := f.srv.count(t, "INBOX"); got != 0 {
		t.Fatalf("INBOX = %d, want the re-read mail moved too", got)
	}
}
