package email_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/intake/email"
	"github.com/aduan/aduan/pkg/internal/logtest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// imapServer is an in-process IMAP server with one user whose INBOX holds
// the mails a test appends.
type imapServer struct {
	addr string
}

const (
	imapUser = "pedulilindungi@kemkes.test"
	imapPass = "rahasia"
)

func newIMAPServer(t *testing.T) *imapServer { return newIMAPServerWith(t, true) }

// newIMAPServerWith starts a server that takes IDLE or refuses it. (The
// server announces IDLE either way; noIdleProxy hides it.)
func newIMAPServerWith(t *testing.T, idle bool) *imapServer {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(imapUser, imapPass)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if !idle {
				return noIdleSession{mem.NewSession()}, nil, nil
			}
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIdle: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &imapServer{addr: ln.Addr().String()}
}

// noIdleSession refuses IDLE, as a server that does not announce it does;
// the rest is the memory server's session, MOVE included.
type noIdleSession struct{ imapserver.Session }

func (noIdleSession) Idle(*imapserver.UpdateWriter, <-chan struct{}) error {
	return &imap.Error{Type: imap.StatusResponseTypeBad, Text: "IDLE is not supported here"}
}

func (s noIdleSession) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	return s.Session.(imapserver.SessionMove).Move(w, numSet, dest)
}

// noIdleProxy forwards IMAP connections to target, taking IDLE out of the
// server's capability lists: a server without IDLE, as the poller sees it.
// It returns the address to connect to and a channel that receives one value
// for each NOOP a client sends: the poller's sign that it waited a poll
// interval and looks again.
func noIdleProxy(t *testing.T, target string) (string, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	noops := make(chan struct{}, 1000)
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			go func() { copyCountingNoops(server, client, noops); server.Close() }()
			go func() {
				defer client.Close()
				r := bufio.NewReader(server)
				for {
					line, err := r.ReadSlice('\n') // a part of a long literal line comes as is
					if bytes.Contains(line, []byte("CAPABILITY")) {
						line = bytes.ReplaceAll(line, []byte(" IDLE"), nil)
					}
					if _, werr := client.Write(line); werr != nil || (err != nil && err != bufio.ErrBufferFull) {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), noops
}

// copyCountingNoops copies a client's commands to the server, line by line,
// and signals noops (without blocking) for each NOOP command among them.
func copyCountingNoops(server io.Writer, client io.Reader, noops chan<- struct{}) {
	r := bufio.NewReader(client)
	for {
		line, err := r.ReadSlice('\n')
		if f := bytes.Fields(line); len(f) == 2 && bytes.EqualFold(f[1], []byte("NOOP")) {
			select {
			case noops <- struct{}{}:
			default:
			}
		}
		if _, werr := server.Write(line); werr != nil || (err != nil && err != bufio.ErrBufferFull) {
			return
		}
	}
}

func (s *imapServer) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(imapUser, imapPass).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (s *imapServer) appendRaw(t *testing.T, mailbox string, raw []byte) {
	t.Helper()
	c := s.client(t)
	cmd := c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func (s *imapServer) appendFixture(t *testing.T, name string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s.appendRaw(t, "INBOX", raw)
}

func (s *imapServer) count(t *testing.T, mailbox string) uint32 {
	t.Helper()
	data, err := s.client(t).Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0
	}
	return *data.NumMessages
}

// pollerFixture wires a poller to a fresh database and the IMAP server.
type pollerFixture struct {
	srv    *imapServer
	store  *store.Store
	dbURL  string
	ingest *flakyIngester
	poller *email.Poller
	blobs  *blob.Dir
	logs   *logtest.Buffer // what the poller logged
}

// flakyIngester fails or cancels on demand, standing in for a database
// that goes away or a process that is killed mid-way.
type flakyIngester struct {
	real        *intake.Ingester
	failFirst   atomic.Int32 // this many calls fail as if PostgreSQL were unreachable
	refuseFirst atomic.Int32 // this many calls refuse the mail as invalid (the mail's fault)
	// badData makes PostgreSQL's refusal of a value (SQLSTATE 22021, as for
	// a NUL byte in a text) the answer to every mail whose body holds it.
	badData string
	afterOK func() // called after each successful ingest
}

func (f *flakyIngester) Ingest(ctx context.Context, in intake.Inbound) (intake.Result, error) {
	if f.failFirst.Add(-1) >= 0 {
		return intake.Result{}, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	if f.refuseFirst.Add(-1) >= 0 {
		return intake.Result{}, ticket.Errorf(ticket.EINVALID, "refused for the test")
	}
	if f.badData != "" && strings.Contains(in.Body, f.badData) {
		return intake.Result{}, &pgconn.PgError{Severity: "ERROR", Code: "22021",
			Message: `invalid byte sequence for encoding "UTF8": 0x00`}
	}
	res, err := f.real.Ingest(ctx, in)
	if err == nil && f.afterOK != nil {
		f.afterOK()
	}
	return res, err
}

func newPollerFixture(t *testing.T) *pollerFixture {
	t.Helper()
	return newPollerFixtureOn(t, newIMAPServer(t))
}

// newPollerFixtureOn wires a poller to a fresh database and srv.
func newPollerFixtureOn(t *testing.T, srv *imapServer) *pollerFixture {
	t.Helper()
	s, dbURL := storetest.New(t)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rules, err := email.ParseCategoryRules(configs.Categories)
	if err != nil {
		t.Fatal(err)
	}
	ing := &flakyIngester{real: intake.NewIngester(s, quiet)}
	box := email.Mailbox{Addr: srv.addr, User: imapUser, Password: imapPass, TLS: "none", Name: "INBOX",
		Processed: "Processed", Quarantine: "Quarantine", PollInterval: 50 * time.Millisecond}
	logs := &logtest.Buffer{}
	p := email.NewPoller(box, s, ing, email.NewAdapter(rules, blobs, email.Limits{}), blobs,
		slog.New(slog.NewTextHandler(logs, nil)))
	p.BatchSize = 2
	return &pollerFixture{srv: srv, store: s, dbURL: dbURL, ingest: ing, poller: p, blobs: blobs, logs: logs}
}

func (f *pollerFixture) messages(t *testing.T) int {
	t.Helper()
	return storetest.Count(t, f.dbURL, "SELECT count(*) FROM messages WHERE direction = 'inbound'")
}

func (f *pollerFixture) runOnce(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := f.poller.Run(ctx, true)
	if lent := email.RawBytesLent(f.poller); lent != 0 {
		t.Errorf("%d bytes of mail still held in memory after the drain", lent)
	}
	return err
}
