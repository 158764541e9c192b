package whatsapp_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/certificate"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/intake/whatsapp"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/registry"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// fakeQueue keeps what the bot queued.
type fakeQueue struct {
	mu  sync.Mutex
	out []notify.WAOutgoing
}

func (q *fakeQueue) QueueWhatsApp(_ context.Context, out ...notify.WAOutgoing) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.out = append(q.out, out...)
	return nil
}

func (q *fakeQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.out)
}

func (q *fakeQueue) since(n int) []notify.WAOutgoing {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]notify.WAOutgoing(nil), q.out[n:]...)
}

// sentCode is one code the fake OTP sender was asked to send.
type sentCode struct{ phone, code string }

type fakeOTPSender struct {
	mu   sync.Mutex
	sent []sentCode
}

func (f *fakeOTPSender) SendOTP(_ context.Context, _, phone, code string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, sentCode{phone, code})
	return "whatsapp", nil
}

func (f *fakeOTPSender) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

func (f *fakeOTPSender) last(t testing.TB) sentCode {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sent) == 0 {
		t.Fatal("no code sent")
	}
	return f.sent[len(f.sent)-1]
}

// registryChange is one audited change the fake registry applied.
type registryChange struct {
	nik, field, value string
	by                registry.Actor
}

// fakeRegistry is the registry in memory, keyed by NIK.
type fakeRegistry struct {
	mu      sync.Mutex
	people  map[string]registry.Person
	changes []registryChange
}

func newFakeRegistry(people ...registry.Person) *fakeRegistry {
	r := &fakeRegistry{people: map[string]registry.Person{}}
	for _, p := range people {
		r.people[p.NIK] = p
	}
	return r
}

func (r *fakeRegistry) ByPhone(_ context.Context, phone string) (registry.Person, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.people {
		if p.Phone == phone {
			return p, nil
		}
	}
	return registry.Person{}, fmt.Errorf("phone: %w", registry.ErrNotFound)
}

func (r *fakeRegistry) ByNIK(_ context.Context, nik string) (registry.Person, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.people[nik]
	if !ok {
		return registry.Person{}, fmt.Errorf("nik: %w", registry.ErrNotFound)
	}
	return p, nil
}

func (r *fakeRegistry) ChangeName(_ context.Context, nik, name string, by registry.Actor) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.people[nik]
	if !ok {
		return registry.ErrNotFound
	}
	p.Name = name
	r.people[nik] = p
	r.changes = append(r.changes, registryChange{nik, "name", name, by})
	return nil
}

func (r *fakeRegistry) ChangePhone(_ context.Context, nik, phone string, by registry.Actor) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.people[nik]
	if !ok {
		return registry.ErrNotFound
	}
	for _, o := range r.people {
		if o.Phone == phone && o.NIK != nik {
			return registry.ErrPhoneTaken
		}
	}
	p.Phone = phone
	r.people[nik] = p
	r.changes = append(r.changes, registryChange{nik, "phone", phone, by})
	return nil
}

// fakeMedia keeps uploaded files, or fails with down.
type fakeMedia struct {
	mu    sync.Mutex
	files map[string][]byte
	down  error
}

func (m *fakeMedia) Upload(_ context.Context, _, filename, contentType string, data []byte) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down != nil {
		return "", m.down
	}
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	id := fmt.Sprintf("media-%d", len(m.files)+1)
	m.files[id] = data
	return id, nil
}

// testClock is the bot's time, moved by the tests.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const (
	numberID  = "106540352242922"
	nikSiti   = "3201014508850001" // a woman born 05-08-1985
	nikBudi   = "3171012304900002" // a man born 23-04-1990
	phoneSiti = "+6281234567890"
	phoneBudi = "+6281398765432"
)

// people are the registry of every test: Siti with two doses, Budi with
// none on record.
func people() []registry.Person {
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	return []registry.Person{
		{NIK: nikSiti, Name: "Siti Aminah", Phone: phoneSiti, Doses: []registry.Dose{
			{Dose: 1, Date: d("2021-08-12"), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"},
			{Dose: 2, Date: d("2021-09-09"), Vaccine: "Sinovac", Place: "Puskesmas Cibinong"},
		}},
		{NIK: nikBudi, Name: "Budi Santoso", Phone: phoneBudi},
	}
}

// harness is a bot on a fresh database with fakes around it.
type harness struct {
	t     testing.TB
	s     *store.Store
	dbURL string
	bot   *whatsapp.Bot
	deps  whatsapp.BotDeps
	cfg   whatsapp.BotConfig
	q     *fakeQueue
	otp   *fakeOTPSender
	reg   *fakeRegistry
	media *fakeMedia
	clock *testClock
	n     int
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	s, dbURL := storetest.New(t)
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := &harness{t: t, s: s, dbURL: dbURL, q: &fakeQueue{}, otp: &fakeOTPSender{}, reg: newFakeRegistry(people()...),
		media: &fakeMedia{}, clock: &testClock{now: time.Date(2021, 11, 17, 9, 0, 0, 0, time.UTC)}}
	h.cfg = whatsapp.BotConfig{OTPSecret: secret}
	h.deps = whatsapp.BotDeps{Store: s, Queue: h.q, OTPSender: h.otp, Registry: h.reg,
		Certificates: certificate.NewIssuer(certificate.GenerateKey(), "https://aduan.test"),
		Media:        h.media, Tickets: intake.NewIngester(s, log), Log: log, Now: h.clock.Now}
	h.bot = h.newBot()
	return h
}

// newBot is another Bot on the same database: a restart, or a second
// instance.
func (h *harness) newBot() *whatsapp.Bot {
	h.t.Helper()
	b, err := whatsapp.NewBot(h.cfg, h.deps)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// deliver hands the bot one message from waID and returns its answers.
func (h *harness) deliver(waID string, m whatsapp.Message, media *ticket.Attachment) []notify.WAMessage {
	h.t.Helper()
	if m.ID == "" {
		h.n++
		m.ID = fmt.Sprintf("wamid.HBgN%s%04d", waID, h.n)
	}
	m.From = waID
	before := h.q.len()
	in := whatsapp.Incoming{PhoneNumberID: numberID, Contact: whatsapp.Contact{WaID: waID, Name: "Siti"},
		Message: m, At: h.clock.Now(), Media: media}
	if err := h.bot.Handle(context.Background(), in); err != nil {
		h.t.Fatalf("Handle(%s %q): %v", m.Type, m.Text, err)
	}
	var out []notify.WAMessage
	for _, o := range h.q.since(before) {
		if o.PhoneNumberID != numberID || o.Message.To != waID || o.Pace != notify.PaceConversation {
			h.t.Errorf("queued %+v: want from %s to %s at conversation pace", o, numberID, waID)
		}
		if err := o.Message.Validate(); err != nil {
			h.t.Errorf("queued an invalid message: %v", err)
		}
		out = append(out, o.Message)
	}
	return out
}

func (h *harness) text(waID, s string) []notify.WAMessage {
	h.t.Helper()
	return h.deliver(waID, whatsapp.Message{Type: "text", Text: s}, nil)
}

// tap taps the button titled title in the last interactive answer of out.
func (h *harness) tap(waID string, out []notify.WAMessage, title string) []notify.WAMessage {
	h.t.Helper()
	b := button(h.t, out, title)
	return h.deliver(waID, whatsapp.Message{Type: "interactive",
		Reply: &whatsapp.Reply{Kind: "button_reply", ID: b.ID, Title: b.Title}}, nil)
}

// button finds the button titled title in out.
func button(t testing.TB, out []notify.WAMessage, title string) notify.WAButton {
	t.Helper()
	for i := len(out) - 1; i >= 0; i-- {
		for _, b := range out[i].Buttons {
			if b.Title == title {
				return b
			}
		}
	}
	t.Fatalf("no button %q in %s", title, render(out))
	return notify.WAButton{}
}

// render is the answers as a person reads them, for matching and errors.
func render(out []notify.WAMessage) string {
	var b strings.Builder
	for _, m := range out {
		b.WriteString(m.Text)
		for _, btn := range m.Buttons {
			b.WriteString(" [" + btn.Title + "]")
		}
		if m.Document != nil {
			b.WriteString(" <document " + m.Document.Filename + " " + m.Document.MediaID + ">")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// expect fails unless the answers say each of want.
func expect(t testing.TB, out []notify.WAMessage, want ...string) {
	t.Helper()
	got := render(out)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("answers lack %q:\n%s", w, got)
		}
	}
}

// verify takes waID from the first message to the three services,
// verified with phone.
func (h *harness) verify(waID, phone string) []notify.WAMessage {
	h.t.Helper()
	out := h.text(waID, "menu")
	out = h.tap(waID, out, "Sertifikat Vaksin")
	expect(h.t, out, "nomor HP yang terdaftar")
	h.text(waID, phone)
	out = h.text(waID, h.otp.last(h.t).code)
	expect(h.t, out, "Download Sertifikat", "Status Vaksinasi", "Ubah Info Diri")
	return out
}

// callFrom is a call-center complaint from the person with nik and phone.
func callFrom(nik, phone string) intake.Inbound {
	return intake.Inbound{Channel: ticket.ChannelCallCenter, SourceID: "call-" + nik, Category: ticket.CategoryCertificateMissing,
		Complainant: ticket.Complainant{Name: "Siti Aminah", NIK: nik, Phone: phone},
		Subject:     "Sertifikat belum muncul", Body: "Sertifikat dosis kedua belum muncul."}
}
