// Command wabot measures the WhatsApp bot's answer latency: from the
// webhook POST of a person's message to the bot's first answer reaching
// the Graph API. It plays the Graph API itself (the stand-in,
// pkg/notify/wastandin, on -graph-addr; Aduan's ADUAN_WA_GRAPH_URL points
// there) and -people simulated people, each walking the bot's menus
// without pause: send, wait for the answer at the stand-in, send the next.
// Each person first verifies (hai → Sertifikat Vaksin → their registered
// number → the code from the OTP template), then asks for their
// vaccination status over and over until -duration is up.
//
// The people are the registry's bench people (-people of them): NIK
// 327301010190NNNN, phone +628177NNNNNNN, written by -registry FILE in
// the JSON lines of `aduan registry import`.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aduan/aduan/pkg/notify/wastandin"
)

func main() {
	people := flag.Int("people", 200, "conversations running at once")
	duration := flag.Duration("duration", 60*time.Second, "how long the people keep asking")
	graphAddr := flag.String("graph-addr", "127.0.0.1:7311", "where the Graph API stand-in listens")
	webhook := flag.String("webhook", "http://127.0.0.1:7310/webhooks/whatsapp", "Aduan's webhook")
	token := flag.String("token", "bench-access-token", "Aduan's access token")
	secret := flag.String("secret", "bench-app-secret", "the app secret webhooks are signed with")
	registry := flag.String("registry", "", "write the bench people as registry JSON lines to this file and exit")
	timeout := flag.Duration("timeout", 30*time.Second, "longest wait for one answer")
	flag.Parse()
	if *registry != "" {
		if err := writeRegistry(*registry, *people); err != nil {
			log.Fatal(err)
		}
		return
	}
	b := &bench{answers: map[string]chan answer{}, timeout: *timeout}
	b.st = wastandin.New(wastandin.Config{AccessToken: *token, AppSecret: *secret, WebhookURL: *webhook,
		NoStatuses: true, Client: &http.Client{Timeout: 30 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: *people}}})
	ln, err := net.Listen("tcp", *graphAddr)
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = http.Serve(ln, b) }()
	for i := range *people {
		b.answers[waID(i)] = make(chan answer, 64)
		b.answers[phoneWaID(i)] = make(chan answer, 64)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, *people)
	start := time.Now()
	for i := range *people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.walk(ctx, i); err != nil && ctx.Err() == nil {
				errs <- fmt.Errorf("person %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	nerr := 0
	for err := range errs {
		if nerr < 5 {
			log.Print(err)
		}
		nerr++
	}
	b.report(*people, took, nerr)
}

// answer is one message Aduan sent, as the stand-in received it.
type answer struct {
	at   time.Time
	kind string // text, interactive, template, document
	body []byte
}

type bench struct {
	st      *wastandin.Server
	answers map[string]chan answer // by recipient
	timeout time.Duration

	mu        sync.Mutex
	latencies []time.Duration
}

// ServeHTTP hands every call to the stand-in and passes each message sent
// to the person it is for, stamped when it arrived.
func (b *bench) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	if r.Method != http.MethodPost || !bytes.HasSuffix([]byte(r.URL.Path), []byte("/messages")) {
		b.st.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	b.st.ServeHTTP(w, r)
	var m struct{ To, Type string }
	if json.Unmarshal(body, &m) == nil {
		if ch, ok := b.answers[m.To]; ok {
			select {
			case ch <- answer{at: at, kind: m.Type, body: body}:
			default:
			}
		}
	}
}

func waID(i int) string      { return fmt.Sprintf("62899%08d", i) }
func phoneWaID(i int) string { return fmt.Sprintf("628177%07d", i) }
func phone(i int) string     { return fmt.Sprintf("08177%07d", i) }
func nik(i int) string       { return fmt.Sprintf("327301010190%04d", i+1) }
func name(i int) string      { return fmt.Sprintf("Peserta Uji %d", i) }

// step sends in and waits for the answer: the first message back is the
// latency measured; the step ends with a message of kind want.
func (b *bench) step(ctx context.Context, i int, in wastandin.Inbound, want string) (answer, error) {
	in.WaID, in.Name = waID(i), name(i)
	ch := b.answers[in.WaID]
	sent := time.Now()
	if _, err := b.st.Send(ctx, in); err != nil {
		return answer{}, err
	}
	first := true
	wait := time.NewTimer(b.timeout)
	defer wait.Stop()
	for {
		select {
		case a := <-ch:
			if first {
				first = false
				b.mu.Lock()
				b.latencies = append(b.latencies, a.at.Sub(sent))
				b.mu.Unlock()
			}
			if a.kind == want {
				return a, nil
			}
		case <-wait.C:
			return answer{}, fmt.Errorf("no %s answer to %+v within %s", want, in, b.timeout)
		case <-ctx.Done():
			return answer{}, ctx.Err()
		}
	}
}

// option finds the reply button or list row titled title.
func option(a answer, title string) (*wastandin.Reply, error) {
	var m struct {
		Interactive struct {
			Type   string
			Action struct {
				Buttons []struct {
					Reply struct{ ID, Title string }
				}
				Sections []struct {
					Rows []struct{ ID, Title string }
				}
			}
		}
	}
	if err := json.Unmarshal(a.body, &m); err != nil {
		return nil, err
	}
	for _, btn := range m.Interactive.Action.Buttons {
		if btn.Reply.Title == title {
			return &wastandin.Reply{Kind: "button_reply", ID: btn.Reply.ID, Title: title}, nil
		}
	}
	for _, s := range m.Interactive.Action.Sections {
		for _, r := range s.Rows {
			if r.Title == title {
				return &wastandin.Reply{Kind: "list_reply", ID: r.ID, Title: title}, nil
			}
		}
	}
	return nil, fmt.Errorf("no %q in %s", title, a.body)
}

func (b *bench) tap(ctx context.Context, i int, on answer, title, want string) (answer, error) {
	r, err := option(on, title)
	if err != nil {
		return answer{}, err
	}
	return b.step(ctx, i, wastandin.Inbound{Reply: r}, want)
}

func (b *bench) text(ctx context.Context, i int, s, want string) (answer, error) {
	return b.step(ctx, i, wastandin.Inbound{Text: s}, want)
}

// walk verifies person i, then asks for their status until ctx ends.
func (b *bench) walk(ctx context.Context, i int) error {
	menu, err := b.text(ctx, i, "hai", "interactive")
	if err != nil {
		return err
	}
	if _, err := b.tap(ctx, i, menu, "Sertifikat Vaksin", "text"); err != nil {
		return err
	}
	if _, err := b.text(ctx, i, phone(i), "text"); err != nil {
		return err
	}
	code, err := b.otp(ctx, i)
	if err != nil {
		return err
	}
	services, err := b.text(ctx, i, code, "interactive")
	if err != nil {
		return err
	}
	for ctx.Err() == nil {
		if _, err := b.tap(ctx, i, services, "Status Vaksinasi", "text"); err != nil {
			return err
		}
		if _, err := b.text(ctx, i, name(i), "text"); err != nil {
			return err
		}
		if services, err = b.text(ctx, i, nik(i), "interactive"); err != nil {
			return err
		}
	}
	return nil
}

// otp reads the code from the AUTHENTICATION template sent to person i's
// registered number.
func (b *bench) otp(ctx context.Context, i int) (string, error) {
	select {
	case a := <-b.answers[phoneWaID(i)]:
		var m struct {
			Template struct {
				Components []struct {
					Type       string
					Parameters []struct{ Text string }
				}
			}
		}
		if err := json.Unmarshal(a.body, &m); err != nil {
			return "", err
		}
		for _, c := range m.Template.Components {
			if c.Type == "body" && len(c.Parameters) > 0 {
				return c.Parameters[0].Text, nil
			}
		}
		return "", fmt.Errorf("no code in %s", a.body)
	case <-time.After(b.timeout):
		return "", errors.New("no OTP template")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (b *bench) report(people int, took time.Duration, nerr int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.latencies
	if len(l) == 0 {
		fmt.Println("no answers")
		os.Exit(1)
	}
	slices.Sort(l)
	pct := func(p float64) time.Duration { return l[min(len(l)-1, int(p*float64(len(l))))] }
	fmt.Printf("people %d, answers %d in %s: %.1f answers/s, p50 %s, p90 %s, p99 %s, max %s, errors %d\n",
		people, len(l), took.Round(time.Second), float64(len(l))/took.Seconds(),
		pct(0.50).Round(time.Millisecond), pct(0.90).Round(time.Millisecond), pct(0.99).Round(time.Millisecond),
		l[len(l)-1].Round(time.Millisecond), nerr)
}

// writeRegistry writes n bench people, each with two doses, as registry
// JSON lines.
func writeRegistry(file string, n int) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range n {
		if err := enc.Encode(map[string]any{"nik": nik(i), "name": name(i), "birth_date": "1990-01-01",
			"phone": "+62" + phone(i)[1:], "doses": []map[string]any{
				{"dose": 1, "date": "2021-08-02", "vaccine": "Sinovac", "place": "Puskesmas Coblong"},
				{"dose": 2, "date": "2021-08-30", "vaccine": "Sinovac", "place": "Puskesmas Coblong"}}}); err != nil {
			return err
		}
	}
	return os.WriteFile(file, buf.Bytes(), 0o644)
}
