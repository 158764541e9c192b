package email_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/blob/blobtest"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/internal/logtest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

// waitLong waits for cond, for as long as a loaded machine may need.
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func lockTestMail(i int) []byte {
	return fmt.Appendf(nil, "From: Warga %d <warga%d@example.id>\r\nTo: pengaduan@kemkes.go.id\r\n"+
		"Subject: Sertifikat vaksin %d\r\nMessage-ID: <lock-%d@example.id>\r\nDate: Thu, 3 Dec 2026 09:00:00 +0700\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nSertifikat vaksin saya belum muncul, nomor %d.\r\n", i, i, i, i, i)
}

// countingPoller is a poller and the mails it took in.
type countingPoller struct {
	p     *email.Poller
	taken atomic.Int64
	logs  *logtest.Buffer
}

// Two pollers of one mailbox, each on its own pool as two processes
// would be: only the one holding the mailbox reads it; the other waits,
// and takes over when the holder's database session dies, while the
// first stops reading. Every mail is taken in once.
func TestPollersShareOneMailbox(t *testing.T) {
	f := newPollerFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rules, err := email.ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	box := email.Mailbox{Addr: f.srv.addr, User: imapUser, Password: imapPass, TLS: "none", Name: "INBOX",
		Processed: "Processed", Quarantine: "Quarantine", PollInterval: 50 * time.Millisecond}
	start := func() (*countingPoller, chan error) {
		s, err := store.Open(ctx, f.dbURL, store.Options{MaxOpenConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		cp := &countingPoller{logs: &logtest.Buffer{}}
		cp.p = email.NewPoller(box, s, intake.NewIngester(s, quiet), email.NewAdapter(rules, f.blobs, email.Limits{}), f.blobs,
			slog.New(slog.NewTextHandler(cp.logs, nil)))
		cp.p.Stats = func(string) { cp.taken.Add(1) }
		done := make(chan error, 1)
		go func() { done <- cp.p.Run(ctx, false) }()
		return cp, done
	}
	mails := 0
	send := func(n int) {
		for range n {
			mails++
			f.srv.appendRaw(t, "INBOX", lockTestMail(mails))
		}
	}
	inbound := func() int { return f.messages(t) }

	first, firstDone := start()
	send(1)
	waitLong(t, "the first poller to take the first mail", func() bool { return first.taken.Load() == 1 })
	second, secondDone := start()
	waitLong(t, "the second poller to wait", func() bool { return strings.Contains(second.logs.String(), "waiting to take over") })
	send(4)
	waitLong(t, "5 mails in", func() bool { return inbound() == 5 })
	if a, b := first.taken.Load(), second.taken.Load(); a != 5 || b != 0 {
		t.Fatalf("the holder took %d mails and the waiting poller %d; want 5 and 0", a, b)
	}

	// The holder's session dies, as when its machine drops off the network.
	if n := storetest.Count(t, f.dbURL, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`); n != 1 {
		t.Fatalf("%d sessions held the mailbox, want 1", n)
	}
	waitLong(t, "the first poller to stop reading", func() bool { return strings.Contains(first.logs.String(), "lost the mailbox lock") })
	waitLong(t, "the second poller to take over", func() bool { return strings.Contains(second.logs.String(), "took over the mailbox") })
	send(4)
	waitLong(t, "9 mails in", func() bool { return inbound() == 9 })
	if a, b := first.taken.Load(), second.taken.Load(); a != 5 || b != 4 {
		t.Fatalf("after the takeover the first poller took %d mails in all and the second %d; want 5 and 4", a, b)
	}
	if !strings.Contains(first.logs.String()[strings.Index(first.logs.String(), "lost the mailbox lock"):], "waiting to take over") {
		t.Error("the first poller does not wait for the mailbox again")
	}
	waitLong(t, "every mail moved to Processed", func() bool { return f.srv.count(t, "Processed") == 9 })
	if n := storetest.Count(t, f.dbURL, "SELECT count(*) FROM tickets WHERE channel = 'email'"); n != 9 {
		t.Fatalf("%d tickets for 9 mails", n)
	}
	cancel()
	for _, done := range []chan error{firstDone, secondDone} {
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}
}

// The intake with attachments and raw mail in an S3 bucket: every mail
// taken in once, read back from the bucket when it is not kept in memory.
func TestPollerTakesInEveryMailOnceIntoABucket(t *testing.T) {
	gw := blobtest.Start(t)
	bucket, err := blob.NewBucket(context.Background(), gw.Config())
	if err != nil {
		t.Fatal(err)
	}
	rules, err := email.ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	f := newPollerFixture(t)
	box := email.Mailbox{Addr: f.srv.addr, User: imapUser, Password: imapPass, TLS: "none", Name: "INBOX",
		Processed: "Processed", Quarantine: "Quarantine", PollInterval: 50 * time.Millisecond}
	f.poller = email.NewPoller(box, f.store, f.ingest, email.NewAdapter(rules, bucket, email.Limits{}), bucket, quiet)
	f.poller.BatchSize = 2
	email.KeepNoRawInMemory(f.poller)
	testTakesInEveryMailOnce(t, f)
	want := storetest.Count(t, f.dbURL, `SELECT count(*) FROM (SELECT raw_sha256 FROM messages WHERE raw_sha256 <> ''
		UNION SELECT raw_sha256 FROM ignored_mail UNION SELECT sha256 FROM attachments WHERE stored) s`)
	entries, err := os.ReadDir(filepath.Join(gw.Dir(), "data", blobtest.Bucket))
	var objects []string
	for _, e := range entries {
		if blob.ValidSum(e.Name()) { // the gateway keeps its temporary files in the bucket's folder too
			objects = append(objects, e.Name())
		}
	}
	if err != nil || want == 0 || len(objects) != want {
		t.Fatalf("objects in the bucket %v (%v), want the %d blobs the rows name", objects, err, want)
	}
}
