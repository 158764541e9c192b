package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/internal/logtest"
	"github.com/aduan/aduan/pkg/notify/wastandin"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
	"github.com/aduan/aduan/pkg/ticket"
)

const (
	waToken  = "e2e-access-token"
	waSecret = "e2e-app-secret"
	waPNID   = "106540352242922"
)

// waApp is Aduan (API and worker in one process) on a fresh database
// with the demo people, talking to the Graph API stand-in, which posts
// people's messages and delivery statuses to Aduan's webhook.
type waApp struct {
	*outageEnv
	base   string // Aduan's URL
	graph  string // the stand-in's URL
	st     *wastandin.Server
	done   chan struct{}
	err    error
	people []app.DemoPerson
}

func startWhatsAppApp(t *testing.T) *waApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	st := wastandin.New(wastandin.Config{AccessToken: waToken, AppSecret: waSecret, PhoneNumberID: waPNID,
		WebhookURL: base + "/webhooks/whatsapp", Window: true})
	graph := httptest.NewServer(st)
	t.Cleanup(graph.Close)

	_, dbURL := storetest.New(t)
	rds := taskstest.NewRedis(t)
	cfg := app.DefaultConfig()
	cfg.DatabaseURL, cfg.RedisURL, cfg.DataDir, cfg.HTTPAddr = dbURL, rds.URL, t.TempDir(), ln.Addr().String()
	cfg.PublicURL = base
	cfg.WhatsApp.AppSecret, cfg.WhatsApp.VerifyToken, cfg.WhatsApp.PhoneNumberID = waSecret, "e2e-verify", waPNID
	cfg.WhatsApp.AccessToken, cfg.WhatsApp.GraphURL = waToken, graph.URL+"/v23.0"
	cfg.WhatsApp.OTPSecret = "e2e-otp-secret-of-at-least-32-bytes!"
	cfg.WhatsApp.ReplyTemplate = "aduan_balasan"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	a, err := app.New(context.Background(), cfg, app.NewLogger(logs, "info"))
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	w := &waApp{outageEnv: &outageEnv{App: a, dbURL: dbURL, redis: rds, logs: logs}, base: base, graph: graph.URL,
		st: st, done: make(chan struct{})}
	t.Cleanup(func() {
		a.Close()
		if t.Failed() {
			t.Logf("aduan's log:\n%s", logs.String())
		}
	})
	if _, err := a.SeedDemo(context.Background()); err != nil {
		t.Fatalf("seed --demo: %v", err)
	}
	w.people = app.DemoPeople(time.Now())
	// The demo's agents go offline, so routing gives WhatsApp tickets to
	// the agent below (or to nobody) and the agent may answer them.
	users, err := a.Store.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	offline := ticket.PresenceOffline
	for _, u := range users {
		if u.Role == ticket.RoleAgent {
			if _, err := a.Store.UpdateAgent(context.Background(), u.ID, store.AgentUpdate{Presence: &offline}); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.agent, err = a.AddUser(context.Background(), app.NewUser{Email: "agen.wa@aduan.test", Name: "Agen WhatsApp",
		Role: ticket.RoleAgent, Password: "kata-sandi-uji-123", Capacity: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.token = fmt.Sprintf("wa-token-%d", time.Now().UnixNano())
	if err := a.Store.CreateToken(context.Background(), w.agent.ID, w.token, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ln.Close() // RunAll listens on the address again
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer close(w.done)
		w.err = a.RunAll(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-w.done:
		case <-time.After(30 * time.Second):
			t.Errorf("RunAll did not return within 30s of being cancelled")
		}
		st.Wait()
	})
	w.eventually(t, 10*time.Second, "Aduan listening", func() (bool, string) {
		res, err := http.Get(base + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		res.Body.Close()
		return true, ""
	})
	return w
}

func (w *waApp) eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		select {
		case <-w.done:
			t.Fatalf("waiting for %s: aduan stopped: %v", what, w.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s (last: %s)", what, timeout, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sentMsg is a message Aduan sent through the stand-in, decoded.
type sentMsg struct {
	wastandin.Sent
	Text        string
	Interactive struct {
		Type string `json:"type"`
		Body struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Buttons []struct {
				Reply struct{ ID, Title string } `json:"reply"`
			} `json:"buttons"`
			Sections []struct {
				Rows []struct{ ID, Title string } `json:"rows"`
			} `json:"sections"`
		} `json:"action"`
	}
	Document struct{ ID, Filename, Caption string }
	Template struct {
		Name       string `json:"name"`
		Components []struct {
			Type       string                  `json:"type"`
			Parameters []struct{ Text string } `json:"parameters"`
		} `json:"components"`
	}
}

// all is everything said: the text, the interactive body and options.
func (m sentMsg) all() string {
	s := m.Text + m.Interactive.Body.Text + m.Document.Caption
	for _, b := range m.Interactive.Action.Buttons {
		s += " [" + b.Reply.Title + "]"
	}
	for _, sec := range m.Interactive.Action.Sections {
		for _, r := range sec.Rows {
			s += " [" + r.Title + "]"
		}
	}
	return s
}

func decodeSent(t *testing.T, s wastandin.Sent) sentMsg {
	t.Helper()
	var raw struct {
		Text struct {
			Body string `json:"body"`
		} `json:"text"`
	}
	m := sentMsg{Sent: s}
	if err := json.Unmarshal(s.Body, &raw); err != nil {
		t.Fatalf("sent %s: %v", s.Body, err)
	}
	m.Text = raw.Text.Body
	var rest struct {
		Interactive *json.RawMessage `json:"interactive"`
		Document    *json.RawMessage `json:"document"`
		Template    *json.RawMessage `json:"template"`
	}
	_ = json.Unmarshal(s.Body, &rest)
	if rest.Interactive != nil {
		_ = json.Unmarshal(*rest.Interactive, &m.Interactive)
	}
	if rest.Document != nil {
		_ = json.Unmarshal(*rest.Document, &m.Document)
	}
	if rest.Template != nil {
		_ = json.Unmarshal(*rest.Template, &m.Template)
	}
	return m
}

// to returns what Aduan sent to waID, from the n-th on.
func (w *waApp) to(t *testing.T, waID string, from int) []sentMsg {
	t.Helper()
	var out []sentMsg
	i := 0
	for _, s := range w.st.Sent() {
		if s.To != waID {
			continue
		}
		if i >= from {
			out = append(out, decodeSent(t, s))
		}
		i++
	}
	return out
}

// answer waits for the bot's answer to waID after its from-th message:
// something new sent and no WhatsApp work left (other work, such as an
// acknowledgement mail with no SMTP relay here, may wait).
func (w *waApp) answer(t *testing.T, waID string, from int) []sentMsg {
	t.Helper()
	w.eventually(t, 20*time.Second, "the bot's answer to "+waID, func() (bool, string) {
		open := storetest.Count(t, w.dbURL, `SELECT count(*) FROM outbox WHERE done_at IS NULL AND failed_at IS NULL
			AND (task_type LIKE 'whatsapp:%' OR task_type = 'notify:whatsapp')`)
		queued := storetest.Count(t, w.dbURL, `SELECT count(*) FROM whatsapp_outbound WHERE state = 'queued'`)
		n := len(w.to(t, waID, from))
		return n > 0 && open == 0 && queued == 0, fmt.Sprintf("%d sent, %d outbox open, %d queued", n, open, queued)
	})
	return w.to(t, waID, from)
}

// person is one person chatting with the bot through the stand-in.
type person struct {
	w    *waApp
	waID string
	seen int       // messages to them read so far
	last []sentMsg // the bot's last answer
}

func (w *waApp) person(waID string) *person { return &person{w: w, waID: waID} }

func (p *person) send(t *testing.T, in wastandin.Inbound) []sentMsg {
	t.Helper()
	in.WaID, in.Name = p.waID, "Pengguna "+p.waID[len(p.waID)-4:]
	if _, err := p.w.st.Send(context.Background(), in); err != nil {
		t.Fatalf("send %+v: %v", in, err)
	}
	p.last = p.w.answer(t, p.waID, p.seen)
	p.seen += len(p.last)
	return p.last
}

func (p *person) text(t *testing.T, s string) []sentMsg {
	t.Helper()
	return p.send(t, wastandin.Inbound{Text: s})
}

// tap taps the button or list row titled title in the bot's last answer.
func (p *person) tap(t *testing.T, title string) []sentMsg {
	t.Helper()
	for _, m := range p.last {
		for _, b := range m.Interactive.Action.Buttons {
			if b.Reply.Title == title {
				return p.send(t, wastandin.Inbound{Context: m.ID,
					Reply: &wastandin.Reply{Kind: "button_reply", ID: b.Reply.ID, Title: title}})
			}
		}
		for _, sec := range m.Interactive.Action.Sections {
			for _, r := range sec.Rows {
				if r.Title == title {
					return p.send(t, wastandin.Inbound{Context: m.ID,
						Reply: &wastandin.Reply{Kind: "list_reply", ID: r.ID, Title: title}})
				}
			}
		}
	}
	t.Fatalf("no %q to tap in:\n%s", title, render(p.last))
	return nil
}

func render(ms []sentMsg) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "  %s: %s\n", m.Type, m.all())
	}
	return b.String()
}

// says fails unless the answer contains each of want.
func says(t *testing.T, ms []sentMsg, want ...string) {
	t.Helper()
	all := render(ms)
	for _, s := range want {
		if !strings.Contains(all, s) {
			t.Fatalf("the bot's answer lacks %q:\n%s", s, all)
		}
	}
}

// graphGet fetches path from the stand-in as Aduan would.
func (w *waApp) graphGet(t *testing.T, url string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+waToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return b
}

// media downloads a media id from the stand-in as Meta documents it.
func (w *waApp) media(t *testing.T, id string) []byte {
	t.Helper()
	var info struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(w.graphGet(t, w.graph+"/v23.0/"+id), &info); err != nil || info.URL == "" {
		t.Fatalf("media %s: %v %q", id, err, info.URL)
	}
	return w.graphGet(t, info.URL)
}
