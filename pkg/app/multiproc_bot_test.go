package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/notify/wastandin"
	"github.com/aduan/aduan/pkg/registry"
)

// The WhatsApp business number of the multi-process test and the person
// who talks to its bot: registered, so the bot sends them a code.
const (
	mpWAAppSecret   = "rahasia-aplikasi-meta-multiproc"
	mpWAToken       = "token-graph-multiproc"
	mpWANumberID    = "106540352242922"
	mpOTPSecret     = "rahasia-otp-multiproc-0123456789abcdef"
	mpBotWaID       = "6281234569001"
	mpBotLocalPhone = "081234569001"
	mpBotName       = "Sri Rahayu"
	mpBotNIK        = "3201016007900009"
)

// mpBot is Meta's side of the WhatsApp channel for the cluster: the Graph
// API stand-in, in this process, reached by each worker at a URL of its
// own (so the test knows which worker sent each answer), and posting the
// person's messages to whichever API process the test picks, as Meta's
// deliveries land on any machine behind the load balancer.
type mpBot struct {
	standin *wastandin.Server
	graph   [2]*httptest.Server // graph[i] is worker-i's Graph URL
	lb      *httptest.Server    // the webhook's load balancer
	target  atomic.Int32        // the API process the next delivery goes to
	serves  *[2]*aduanProc

	mu     sync.Mutex // one Graph call at a time, so senders line up with Sent
	sentBy []int      // the worker that sent each of the stand-in's Sent
}

func newMPBot(t *testing.T, serves *[2]*aduanProc) *mpBot {
	t.Helper()
	b := &mpBot{serves: serves}
	b.lb = httptest.NewServer(http.HandlerFunc(b.balance))
	t.Cleanup(b.lb.Close)
	b.standin = wastandin.New(wastandin.Config{AccessToken: mpWAToken, AppSecret: mpWAAppSecret,
		WebhookURL: b.lb.URL + "/webhooks/whatsapp", PhoneNumberID: mpWANumberID})
	for i := range b.graph {
		b.graph[i] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b.mu.Lock()
			defer b.mu.Unlock()
			before := len(b.standin.Sent())
			b.standin.ServeHTTP(w, r)
			for range len(b.standin.Sent()) - before {
				b.sentBy = append(b.sentBy, i)
			}
		}))
		t.Cleanup(b.graph[i].Close)
	}
	t.Cleanup(b.standin.Wait)
	return b
}

// env is the WhatsApp settings of worker i (of an API process: i = -1).
func (b *mpBot) env(i int) []string {
	graph := b.graph[1].URL
	if i >= 0 {
		graph = b.graph[i].URL
	}
	return []string{"ADUAN_WA_APP_SECRET=" + mpWAAppSecret, "ADUAN_WA_PHONE_NUMBER_ID=" + mpWANumberID,
		"ADUAN_WA_ACCESS_TOKEN=" + mpWAToken, "ADUAN_WA_GRAPH_URL=" + graph, "ADUAN_OTP_SECRET=" + mpOTPSecret}
}

// balance forwards a webhook delivery to the API process picked; when
// that one does not answer (killed), the same body goes to the other, as
// a load balancer retries on another backend and Meta delivers again.
func (b *mpBot) balance(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	first := int(b.target.Load())
	var last error
	for try := range 2 {
		s := b.serves[(first+try)%2]
		if s == nil || s.exited() || s.addr == "" {
			continue
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+s.addr+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			last = err
			continue
		}
		req.Header = r.Header.Clone()
		resp, err := mpHTTP.Do(req)
		if err != nil {
			last = err
			continue
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		return
	}
	http.Error(w, fmt.Sprintf("no API process answered: %v", last), http.StatusBadGateway)
}

// addPerson puts the person who talks to the bot in the registry.
func (b *mpBot) addPerson(t *testing.T, c *mpCluster) {
	t.Helper()
	birth := time.Date(1990, 7, 20, 0, 0, 0, 0, time.UTC)
	p := registry.Person{NIK: mpBotNIK, Name: mpBotName, BirthDate: &birth, Phone: "+" + mpBotWaID,
		Doses: []registry.Dose{{Dose: 1, Date: time.Date(2021, 8, 2, 0, 0, 0, 0, time.UTC), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"}}}
	if _, err := registry.NewPostgres(c.store).Import(t.Context(), p, registry.Actor{Kind: registry.ActorImport, ID: "multiproc"}); err != nil {
		t.Fatal(err)
	}
}

// botAnswer is one message the bot sent the person, as the test reads it.
type botAnswer struct {
	id, kind, text string
	options        map[string]string // title → id of its buttons or list rows
	code           string            // the OTP template's code
	by             int               // the worker that sent it
}

// answers returns what the stand-in received for the person, oldest first.
func (b *mpBot) answers(t *testing.T) []botAnswer {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []botAnswer
	for i, s := range b.standin.Sent() {
		if s.To != mpBotWaID {
			continue
		}
		var m struct {
			Text        struct{ Body string }
			Interactive struct {
				Body   struct{ Text string }
				Action struct {
					Buttons []struct {
						Reply struct{ ID, Title string }
					}
					Sections []struct {
						Rows []struct{ ID, Title string }
					}
				}
			}
			Template struct {
				Components []struct {
					Type       string
					Parameters []struct{ Text string }
				}
			}
		}
		if err := json.Unmarshal(s.Body, &m); err != nil {
			t.Fatalf("message %s: %v", s.ID, err)
		}
		a := botAnswer{id: s.ID, kind: s.Type, text: m.Text.Body, options: map[string]string{}, by: b.sentBy[i]}
		if s.Type == "interactive" {
			a.text = m.Interactive.Body.Text
			for _, btn := range m.Interactive.Action.Buttons {
				a.options[btn.Reply.Title] = btn.Reply.ID
			}
			for _, sec := range m.Interactive.Action.Sections {
				for _, row := range sec.Rows {
					a.options[row.Title] = row.ID
				}
			}
		}
		for _, c := range m.Template.Components {
			if c.Type == "body" && len(c.Parameters) > 0 {
				a.code = c.Parameters[0].Text
			}
		}
		out = append(out, a)
	}
	return out
}

// botStep is one message of the person and what the bot must answer: one
// message starting with want, and, when otp, the code's template.
type botStep struct {
	name string
	in   func(prev []botAnswer) wastandin.Inbound
	want string
	otp  bool
}

// mpConversation is the person's conversation: the main menu, the phone
// question, the code, the services, the name and NIK questions, then
// "batal".
func mpConversation() []botStep {
	text := func(s string) func([]botAnswer) wastandin.Inbound {
		return func([]botAnswer) wastandin.Inbound { return wastandin.Inbound{Text: s} }
	}
	tap := func(title string) func([]botAnswer) wastandin.Inbound {
		return func(prev []botAnswer) wastandin.Inbound {
			last := prev[len(prev)-1]
			return wastandin.Inbound{Reply: &wastandin.Reply{Kind: "button_reply", ID: last.options[title], Title: title},
				Context: last.id}
		}
	}
	code := func(prev []botAnswer) wastandin.Inbound {
		for i := len(prev) - 1; i >= 0; i-- {
			if prev[i].code != "" {
				return wastandin.Inbound{Text: prev[i].code}
			}
		}
		return wastandin.Inbound{Text: "000000"}
	}
	return []botStep{
		{name: "hai", in: text("hai"), want: "Selamat datang di layanan WhatsApp"},
		{name: "Sertifikat Vaksin", in: tap("Sertifikat Vaksin"), want: "Untuk keamanan data, ketik"},
		{name: "the phone", in: text(mpBotLocalPhone), want: "Jika nomor +" + mpBotWaID + " terdaftar", otp: true},
		{name: "the code", in: code, want: "Verifikasi berhasil"},
		{name: "Status Vaksinasi", in: tap("Status Vaksinasi"), want: "Ketik *nama lengkap*"},
		{name: "the name", in: text(mpBotName), want: "Ketik *NIK*"},
		{name: "batal", in: text("batal"), want: "Baik, permintaan Anda dibatalkan"},
	}
}

// mpChat walks the person through mpConversation.
type mpChat struct {
	bot   *mpBot
	steps []botStep
	next  int          // the step to send
	got   []botAnswer  // the answers of the steps answered, in order
	to    []*aduanProc // where each step went
}

// send posts the next step's message through serve i (or the other, if i
// does not answer) and returns without waiting for the answer.
func (ch *mpChat) send(t *testing.T, i int) {
	t.Helper()
	step := ch.steps[ch.next]
	in := step.in(ch.got)
	in.WaID, in.Name = mpBotWaID, mpBotName
	ch.bot.target.Store(int32(i))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := ch.bot.standin.Send(ctx, in); err != nil {
		t.Fatalf("step %d (%s) to %s: %v", ch.next+1, step.name, ch.bot.serves[i], err)
	}
	ch.to = append(ch.to, ch.bot.serves[i])
	ch.next++
}

// await waits for the answer of the step sent last: the one message it
// expects after those of the earlier steps (with the code, when the step
// sends one), and fails on any other.
func (ch *mpChat) await(t *testing.T, timeout time.Duration, running ...*aduanProc) {
	t.Helper()
	n := ch.next - 1
	step := ch.steps[n]
	wantCount := len(ch.got) + 1
	if step.otp {
		wantCount++
	}
	var fresh []botAnswer
	waitFor(t, timeout, fmt.Sprintf("the bot's answer to step %d (%s, sent to %s)", n+1, step.name, ch.to[n]), func() (bool, string) {
		all := dedupeResent(ch.bot.answers(t))
		if len(all) < wantCount {
			return false, fmt.Sprintf("%d of %d answers", len(all), wantCount)
		}
		fresh = all[len(ch.got):]
		return true, ""
	}, running...)
	ch.checkStep(t, n, fresh)
	ch.got = append(ch.got, fresh...)
}

// checkStep: the answers of step n are exactly the one it expects, plus
// the code when it sends one (in either order: the code goes straight to
// Graph once the answer is stored, the answer through the queue).
func (ch *mpChat) checkStep(t *testing.T, n int, fresh []botAnswer) {
	t.Helper()
	step := ch.steps[n]
	var texts, codes int
	for _, a := range fresh {
		switch {
		case a.kind == "template" && step.otp && a.code != "":
			codes++
		case strings.HasPrefix(a.text, step.want):
			texts++
		default:
			t.Fatalf("step %d (%s): the bot answered %s %q; want %q", n+1, step.name, a.kind, a.text, step.want)
		}
	}
	if texts != 1 || step.otp && codes != 1 {
		t.Fatalf("step %d (%s): %d answers starting %q and %d codes", n+1, step.name, texts, step.want, codes)
	}
}

// dedupeResent drops a copy of a message sent again after the worker that
// sent it first was killed before recording it sent: sending is at least
// once, and only the killed worker's sends may repeat (the copy is the
// stored message, so it is the same to the byte; it may come after later
// answers, once asynq hands the task on). Any other copy stays, for the
// test to find.
func dedupeResent(all []botAnswer) []botAnswer {
	var out []botAnswer
	byKilled := map[string]bool{}
	for _, a := range all {
		key := a.kind + "\x00" + a.text + "\x00" + a.code
		if byKilled[key] && a.kind != "template" {
			continue
		}
		if a.by == 0 {
			byKilled[key] = true
		}
		out = append(out, a)
	}
	return out
}

// checkDone: once all work settled, the person received the answers of
// every step once, and nothing more.
func (ch *mpChat) checkDone(t *testing.T) {
	t.Helper()
	all := ch.bot.answers(t)
	if kept := dedupeResent(all); len(kept) != len(ch.got) {
		for _, a := range kept[len(ch.got):] {
			t.Errorf("answered again or unasked after the conversation: %s %q", a.kind, a.text)
		}
	}
	var byWorker [2]int
	for _, a := range all {
		byWorker[a.by]++
	}
	t.Logf("the bot's %d answers sent by worker-0: %d, by worker-1: %d", len(all), byWorker[0], byWorker[1])
	if resent := len(all) - len(dedupeResent(all)); resent > 0 {
		t.Logf("%d answers sent again after the worker that sent them was killed before recording them", resent)
	}
}
