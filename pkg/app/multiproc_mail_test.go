package app_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/textproto"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// The complaint mailbox of the multi-process test, on an IMAP server in
// the test process.
const (
	mpMailbox  = "pengaduan@kemkes.test"
	mpPassword = "kata-sandi-imap"
)

// complaintMailbox is an in-memory IMAP server (with IDLE, MOVE and
// UIDPLUS, as Dovecot has) holding one mailbox that every poller reads.
type complaintMailbox struct {
	addr string
}

func newComplaintMailbox(t *testing.T) *complaintMailbox {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(mpMailbox, mpPassword)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
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
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return &complaintMailbox{addr: ln.Addr().String()}
}

// login opens a client session on the mailbox, as the mail system that
// delivers complaints does.
func (m *complaintMailbox) login() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(m.addr, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(mpMailbox, mpPassword).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// deliver appends raw to the INBOX over c.
func deliver(c *imapclient.Client, raw []byte) error {
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

// size is how many mails folder holds, or -1 when it cannot be read.
func (m *complaintMailbox) size(folder string) int {
	c, err := m.login()
	if err != nil {
		return -1
	}
	defer c.Close()
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || st.NumMessages == nil {
		return -1
	}
	return int(*st.NumMessages)
}

// mpComplaint is the i-th complaint mail: its own sender, NIK and
// Message-ID; with a photo when photo is not nil.
type mpComplaint struct {
	messageID, from, nik string
	raw                  []byte
}

func newMPComplaint(t *testing.T, i int, photo []byte) mpComplaint {
	t.Helper()
	c := mpComplaint{messageID: fmt.Sprintf("<pengaduan-%03d.multiproc@warga.test>", i),
		from: fmt.Sprintf("warga%03d@warga.test", i), nik: fmt.Sprintf("3201014508851%03d", i+1)}
	body := fmt.Sprintf("Selamat siang,\r\n\r\nNama Lengkap: Warga Nomor %d\r\nNIK: %s\r\n"+
		"Keluhan: Sertifikat vaksin saya belum muncul di aplikasi PeduliLindungi, padahal sudah vaksin\r\n"+
		"dosis kedua di Puskesmas Cibinong.\r\n", i, c.nik)
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Warga %d <%s>\r\nTo: %s\r\nSubject: Sertifikat vaksin belum muncul (%d)\r\n"+
		"Date: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n", i, c.from, mpMailbox, i,
		time.Now().UTC().Format(time.RFC1123Z), c.messageID)
	if photo == nil {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n" + body)
		c.raw = b.Bytes()
		return c
	}
	w := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%s\r\n\r\n", w.Boundary())
	part, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}})
	if err == nil {
		_, err = part.Write([]byte(body))
	}
	if err == nil {
		part, err = w.CreatePart(textproto.MIMEHeader{"Content-Type": {"image/jpeg"},
			"Content-Disposition":       {`attachment; filename="ktp.jpg"`},
			"Content-Transfer-Encoding": {"base64"}})
	}
	if err == nil {
		enc := base64.StdEncoding.EncodeToString(photo)
		for len(enc) > 76 {
			fmt.Fprintf(part, "%s\r\n", enc[:76])
			enc = enc[76:]
		}
		_, err = fmt.Fprintf(part, "%s\r\n", enc)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	c.raw = b.Bytes()
	return c
}

// relayGate stands between a worker and its SMTP relay: it passes
// connections through until stalled, then holds each new one without an
// answer, so the worker is caught in the middle of sending a mail.
type relayGate struct {
	addr    string
	relay   string
	stalled atomic.Bool
	held    atomic.Int32
	mu      sync.Mutex
	conns   []net.Conn
}

func newRelayGate(t *testing.T, relay string) *relayGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &relayGate{addr: ln.Addr().String(), relay: relay}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.mu.Lock()
			g.conns = append(g.conns, c)
			g.mu.Unlock()
			if g.stalled.Load() {
				g.held.Add(1)
				continue
			}
			go g.pass(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, c := range g.conns {
			c.Close()
		}
	})
	return g
}

// pass joins c to a connection to the relay.
func (g *relayGate) pass(c net.Conn) {
	r, err := net.Dial("tcp", g.relay)
	if err != nil {
		c.Close()
		return
	}
	go func() { _, _ = io.Copy(r, c); r.Close() }()
	_, _ = io.Copy(c, r)
	c.Close()
}
