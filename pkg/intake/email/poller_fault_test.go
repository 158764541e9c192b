package email_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/jackc/pgx/v5"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
)

// faultMails are appended to INBOX in this order (UIDs 1..6); with a
// BatchSize of 3 they are fetched in two batches.
var faultMails = []string{"plain.eml", "html-table.eml", "inline-image.eml", "forwarded.eml", "latin1.eml", "windows1252.eml"}

// cutRule says where a proxied connection is cut. With marker empty the cut
// lands after extra bytes of the stream in direction s2c (server→client) or
// client→server; otherwise at the nth occurrence of marker: right after it
// (after) or at the start of its line, then extra bytes further on.
type cutRule struct {
	s2c    bool
	marker string
	nth    int
	after  bool
	extra  int
	conns  int // the first conns connections are cut; 0 means 1
}

// cutPoint returns where in stream the rule cuts, or -1 when not (yet).
func (r cutRule) cutPoint(stream []byte) int {
	at := r.extra
	if r.marker != "" {
		idx, from := -1, 0
		for i := 0; i < max(r.nth, 1); i++ {
			j := bytes.Index(stream[from:], []byte(r.marker))
			if j < 0 {
				return -1
			}
			idx = from + j
			from = idx + len(r.marker)
		}
		if r.after {
			at += idx + len(r.marker)
		} else {
			at += bytes.LastIndexByte(stream[:idx], '\n') + 1
		}
	}
	if at > len(stream) {
		return -1
	}
	return at
}

// cutProxy forwards TCP connections to an IMAP server and cuts the first
// rule.conns of them (closing both sides) where rule says; later
// connections go through untouched.
type cutProxy struct {
	ln     net.Listener
	target string
	rule   *cutRule // nil forwards everything

	mu    sync.Mutex
	conns int
	cuts  atomic.Int32
	bytes atomic.Int64 // server→client bytes forwarded, over all connections
}

func newCutProxy(t *testing.T, target string, rule *cutRule) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, rule: rule}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.serve(&wg) }()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

func (p *cutProxy) serve(wg *sync.WaitGroup) {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		n := p.conns
		p.conns++
		p.mu.Unlock()
		var rule *cutRule
		if p.rule != nil && n < max(p.rule.conns, 1) {
			rule = p.rule
		}
		var once sync.Once
		cut := func() {
			once.Do(func() {
				p.cuts.Add(1)
				client.Close()
				server.Close()
			})
		}
		wg.Add(2)
		go func() { defer wg.Done(); p.pipe(client, server, true, rule, cut) }()
		go func() { defer wg.Done(); p.pipe(server, client, false, rule, cut) }()
	}
}

// pipe copies src to dst; when rule applies to this direction it forwards
// up to the cut point and then cuts the connection.
func (p *cutProxy) pipe(dst, src net.Conn, s2c bool, rule *cutRule, cut func()) {
	defer dst.Close()
	defer src.Close()
	if rule != nil && rule.s2c != s2c {
		rule = nil
	}
	var seen []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		chunk := buf[:n]
		if rule != nil && n > 0 {
			before := len(seen)
			seen = append(seen, chunk...)
			if at := rule.cutPoint(seen); at >= 0 {
				_, _ = dst.Write(chunk[:max(at-before, 0)])
				if s2c {
					p.bytes.Add(int64(max(at-before, 0)))
				}
				cut()
				return
			}
		}
		if n > 0 {
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
			if s2c {
				p.bytes.Add(int64(n))
			}
		}
		if err != nil {
			return
		}
	}
}

// failureSpy is the store, noting every mail failure the poller records
// (the rows are deleted again once the mail goes through).
type failureSpy struct {
	*store.Store
	mu      sync.Mutex
	records []string
}

func (s *failureSpy) RecordMailFailure(ctx context.Context, mailbox string, uidValidity, uid uint32, reason string) (int, error) {
	s.mu.Lock()
	s.records = append(s.records, reason)
	s.mu.Unlock()
	return s.Store.RecordMailFailure(ctx, mailbox, uidValidity, uid, reason)
}

func (s *failureSpy) recorded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records)
}

// faultFixture is a pollerFixture whose poller reads through a cutProxy.
type faultFixture struct {
	*pollerFixture
	proxy *cutProxy
	spy   *failureSpy
	stats sync.Map // outcome → *atomic.Int32
}

func newFaultFixture(t *testing.T, rule *cutRule) *faultFixture {
	t.Helper()
	return newFaultFixtureWith(t, rule, nil)
}

// newFaultFixtureWith is newFaultFixture whose poller and ingester reach
// the fixture's database through the store via returns, when via is set.
func newFaultFixtureWith(t *testing.T, rule *cutRule, via func(dbURL string) *store.Store) *faultFixture {
	t.Helper()
	f := &faultFixture{pollerFixture: newPollerFixture(t)}
	f.proxy = newCutProxy(t, f.srv.addr, rule)
	st := f.store
	if via != nil {
		st = via(f.dbURL)
		f.ingest.real = intake.NewIngester(st, quiet)
	}
	f.spy = &failureSpy{Store: st}
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rules, err := email.ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	box := email.Mailbox{Addr: f.proxy.addr(), User: imapUser, Password: imapPass, TLS: "none", Name: "INBOX",
		Processed: "Processed", Quarantine: "Quarantine", PollInterval: 50 * time.Millisecond}
	f.poller = email.NewPoller(box, f.spy, f.ingest, email.NewAdapter(rules, blobs, email.Limits{}), blobs, quiet)
	f.poller.BatchSize = 3
	f.poller.Stats = func(outcome string) {
		n, _ := f.stats.LoadOrStore(outcome, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
	}
	for _, name := range faultMails {
		f.srv.appendFixture(t, name)
	}
	return f
}

func (f *faultFixture) stat(outcome string) int32 {
	if n, ok := f.stats.Load(outcome); ok {
		return n.(*atomic.Int32).Load()
	}
	return 0
}

// inbound returns source_id → raw_sha256 of every inbound message, and how
// many rows there are.
func (f *faultFixture) inbound(t *testing.T) (map[string]string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, f.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT coalesce(source_id, ''), raw_sha256 FROM messages WHERE direction = 'inbound'")
	if err != nil {
		t.Fatal(err)
	}
	out, n := map[string]string{}, 0
	for rows.Next() {
		var id, sum string
		if err := rows.Scan(&id, &sum); err != nil {
			t.Fatal(err)
		}
		out[id] = sum
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out, n
}

// serverMails returns the sha256 of every whole mail in mailbox, as the
// IMAP server holds it.
func (f *faultFixture) serverMails(t *testing.T, mailbox string) []string {
	t.Helper()
	c := f.srv.client(t)
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}},
		&imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for _, m := range msgs {
		sum := sha256.Sum256(m.FindBodySection(section))
		sums = append(sums, hex.EncodeToString(sum[:]))
	}
	slices.Sort(sums)
	return sums
}

// baseline is what one uncut drain of faultMails leaves behind.
type baseline struct {
	sources     map[string]string // source_id → raw_sha256
	tickets     int
	attachments int   // -1: not checked
	bytes       int64 // server→client bytes of the whole drain
}

func cleanDrain(t *testing.T) baseline {
	t.Helper()
	f := newFaultFixture(t, nil)
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	b := baseline{bytes: f.proxy.bytes.Load()}
	var n int
	b.sources, n = f.inbound(t)
	if n != len(faultMails) || len(b.sources) != len(faultMails) {
		t.Fatalf("clean drain: %d inbound messages with %d source ids, want %d", n, len(b.sources), len(faultMails))
	}
	b.tickets = storetest.Count(t, f.dbURL, "SELECT count(*) FROM tickets WHERE channel = 'email'")
	b.attachments = storetest.Count(t, f.dbURL, "SELECT count(*) FROM attachments")
	return b
}

// The IMAP connection is cut mid-session (mid-FETCH, between the FETCH and
// the STORE, during the MOVE, right after LOGIN, while idling): afterwards
// every mail is a ticket exactly once, whole, moved to Processed, and the
// cut is counted against no mail.
func TestPollerFaultConnectionCut(t *testing.T) {
	base := cleanDrain(t)
	// Cuts inside a mail's literal run one at a time, the others in
	// parallel: go-imap v2.0.0-beta.8 races on such a cut (its
	// LiteralReader keeps reading the connection's bufio.Reader after the
	// early EOF while the client's read goroutine does too), and -race
	// blames a race on every test running at that moment.
	tests := []struct {
		name      string
		rule      cutRule
		inLiteral bool // the cut lands inside a mail's literal
		idle      bool // Run forever, cut while idling, then more mail arrives
	}{
		{name: "right after LOGIN", rule: cutRule{s2c: true, marker: "Logged in\r\n", after: true}},
		{name: "first batch, mid-body of the first mail", inLiteral: true,
			rule: cutRule{s2c: true, marker: "* 1 FETCH", nth: 1, extra: 2000}}, // plain.eml is 4 kB
		{name: "first batch, in the headers of the second mail", inLiteral: true,
			rule: cutRule{s2c: true, marker: "* 2 FETCH", nth: 1, extra: 80}}, // before its Message-ID
		{name: "first batch, between the second and third mail", rule: cutRule{s2c: true, marker: "* 3 FETCH", nth: 1}},
		{name: "first batch fetched, before STORE", rule: cutRule{marker: "UID STORE", nth: 1}},
		{name: "first batch flagged, before MOVE", rule: cutRule{marker: "UID MOVE", nth: 1}},
		{name: "first MOVE done, its reply lost", rule: cutRule{s2c: true, marker: "EXPUNGE", nth: 1}},
		{name: "second batch, mid-body", inLiteral: true,
			rule: cutRule{s2c: true, marker: "* 2 FETCH", nth: 2, extra: 200}}, // latin1.eml, before its Message-ID
		{name: "40% into the stream", inLiteral: true, rule: cutRule{s2c: true, extra: int(base.bytes * 4 / 10)}},
		{name: "first mail mid-body, twice in a row", inLiteral: true,
			rule: cutRule{s2c: true, marker: "* 1 FETCH", nth: 1, extra: 2000, conns: 2}},
		{name: "while idling", rule: cutRule{s2c: true, marker: "+ idling", after: true}, idle: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.inLiteral {
				t.Parallel()
			}
			f := newFaultFixture(t, &tt.rule)
			want := base
			if tt.idle {
				want = runIdleCut(t, f, base)
			} else if err := f.runOnce(t); err != nil {
				t.Fatal(err)
			}
			if got, wantCuts := f.proxy.cuts.Load(), int32(max(tt.rule.conns, 1)); got != wantCuts {
				t.Fatalf("%d connections cut, want %d: the cut point was never reached", got, wantCuts)
			}
			checkEveryMailOnce(t, f, want)
		})
	}
}

// runIdleCut runs the poller until ctx ends: it drains, idles, is cut,
// reconnects, and takes in two mails that arrive after the cut.
func runIdleCut(t *testing.T, f *faultFixture, base baseline) baseline {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.poller.Run(ctx, false) }()
	stop := sync.OnceValue(func() error { cancel(); return <-done })
	t.Cleanup(func() { _ = stop() }) // before the fixture's servers and database go
	waitFor(t, "the cut while idling", func() bool { return f.proxy.cuts.Load() > 0 })
	more := []string{"html-only.eml", "no-message-id.eml"}
	for _, name := range more {
		f.srv.appendFixture(t, name)
	}
	total := len(faultMails) + len(more)
	waitFor(t, "every mail in Processed", func() bool { return f.srv.count(t, "Processed") == uint32(total) })
	if err := stop(); err != nil {
		t.Error(err)
	}
	got, _ := f.inbound(t)
	if len(got) != total {
		t.Fatalf("%d inbound messages after the idle cut, want %d", len(got), total)
	}
	want := baseline{sources: map[string]string{}, tickets: base.tickets + len(more), attachments: -1}
	for id, sum := range base.sources {
		want.sources[id] = sum
	}
	for id, sum := range got { // the two new mails; whether they are whole is checked against the server
		if _, ok := base.sources[id]; !ok {
			want.sources[id] = sum
		}
	}
	return want
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkEveryMailOnce asserts that every mail is exactly one inbound
// message, stored whole, that the mailbox was emptied into Processed, and
// that nothing was counted against a mail or quarantined.
func checkEveryMailOnce(t *testing.T, f *faultFixture, want baseline) {
	t.Helper()
	got, rows := f.inbound(t)
	var missing, extra []string
	for id := range want.sources {
		if _, ok := got[id]; !ok {
			missing = append(missing, id)
		}
	}
	for id := range got {
		if _, ok := want.sources[id]; !ok {
			extra = append(extra, id)
		}
	}
	if rows != len(want.sources) || len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%d inbound messages, want %d; missing source ids %q, unexpected (doubled) source ids %q",
			rows, len(want.sources), missing, extra)
	}
	processed := f.serverMails(t, "Processed")
	if len(processed) != len(want.sources) {
		t.Errorf("Processed holds %d mails, want %d", len(processed), len(want.sources))
	}
	var truncated []string
	for id, sum := range got {
		if _, ok := slices.BinarySearch(processed, sum); !ok {
			truncated = append(truncated, id)
		}
	}
	if len(truncated) > 0 {
		slices.Sort(truncated)
		t.Errorf("inbound messages whose raw mail is not a whole mail of the server (stored truncated?): %s",
			strings.Join(truncated, ", "))
	}
	if n := storetest.Count(t, f.dbURL, "SELECT count(*) FROM tickets WHERE channel = 'email'"); n != want.tickets {
		t.Errorf("%d email tickets, want %d as after a clean drain", n, want.tickets)
	}
	if n := storetest.Count(t, f.dbURL, "SELECT count(*) FROM attachments"); want.attachments >= 0 && n != want.attachments {
		t.Errorf("%d attachments, want %d as after a clean drain", n, want.attachments)
	}
	if inbox := f.srv.count(t, "INBOX"); inbox != 0 {
		t.Errorf("INBOX holds %d mails, want 0", inbox)
	}
	if q := f.srv.count(t, "Quarantine"); q != 0 {
		t.Errorf("Quarantine folder holds %d mails, want 0", q)
	}
	if recs := f.spy.recorded(); len(recs) > 0 {
		t.Errorf("%d mail failures recorded for a connection cut, want none: %q", len(recs), recs)
	}
	if n := storetest.Count(t, f.dbURL, "SELECT count(*) FROM mail_failures"); n > 0 {
		t.Errorf("%d mail_failures rows left, want none", n)
	}
	if n := f.stat("failed") + f.stat("quarantined"); n > 0 {
		t.Errorf("stats count %d failed and %d quarantined mails, want none", f.stat("failed"), f.stat("quarantined"))
	}
	qs, err := f.store.QuarantinedMails(context.Background(), 0, 10)
	if err != nil || len(qs) > 0 {
		t.Errorf("quarantined mails = %+v, %v; want none", qs, err)
	}
}

// pgLink forwards connections to PostgreSQL and can be unplugged: every
// open connection is cut and new ones are refused until it is plugged in
// again, as when the database's host goes away and comes back.
type pgLink struct {
	ln      net.Listener
	target  string
	refused atomic.Int32 // connections refused while unplugged

	mu   sync.Mutex
	down bool
	open []net.Conn
}

func newPGLink(t *testing.T, target string) *pgLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &pgLink{ln: ln, target: target}
	go l.serve()
	t.Cleanup(func() { ln.Close(); l.unplug() })
	return l
}

func (l *pgLink) serve() {
	for {
		client, err := l.ln.Accept()
		if err != nil {
			return
		}
		l.mu.Lock()
		down := l.down
		l.mu.Unlock()
		if down {
			l.refused.Add(1)
			client.Close()
			continue
		}
		server, err := net.Dial("tcp", l.target)
		if err != nil {
			client.Close()
			continue
		}
		l.mu.Lock()
		l.open = append(l.open, client, server)
		l.mu.Unlock()
		go func() { _, _ = io.Copy(server, client); server.Close() }()
		go func() { _, _ = io.Copy(client, server); client.Close() }()
	}
}

func (l *pgLink) unplug() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down = true
	for _, c := range l.open {
		c.Close()
	}
	l.open = nil
}

func (l *pgLink) plug() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down = false
}

// PostgreSQL becomes unreachable in the middle of a drain (every
// connection to it cut, new ones refused) and is back 2 s later: the drain
// waits it out, and afterwards every mail is a ticket exactly once, whole,
// with nothing counted against a mail.
func TestPollerFaultDatabaseUnreachable(t *testing.T) {
	base := cleanDrain(t)
	var link *pgLink
	f := newFaultFixtureWith(t, nil, func(dbURL string) *store.Store {
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		link = newPGLink(t, u.Host)
		u.Host = link.ln.Addr().String()
		st, err := store.Open(context.Background(), u.String(), store.Options{MaxOpenConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
	var outage sync.Once
	f.ingest.afterOK = func() { // the first mail is in; the database goes away
		outage.Do(func() {
			link.unplug()
			time.AfterFunc(2*time.Second, link.plug)
		})
	}
	if err := f.runOnce(t); err != nil {
		t.Fatal(err)
	}
	if link.refused.Load() == 0 {
		t.Fatal("no connection was refused: the drain never met the outage")
	}
	checkEveryMailOnce(t, f, base)
}
