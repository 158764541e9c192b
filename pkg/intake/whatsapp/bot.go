package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aduan/aduan/pkg/certificate"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/registry"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// BotStore is what the bot keeps in PostgreSQL: the conversations, the
// messages it answered, the codes, and the tickets it reads.
type BotStore interface {
	OTPStore
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	LockConversation(ctx context.Context, waID string) (store.Conversation, error)
	SaveConversation(ctx context.Context, c store.Conversation) error
	MarkWhatsAppHandled(ctx context.Context, wamid, waID string) (bool, error)
	TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error)
}

// Certificates issues a person's signed vaccination certificate, its
// PDF included (*certificate.Issuer).
type Certificates interface {
	Issue(p registry.Person) (certificate.Certificate, error)
}

// MediaUploader uploads a file as WhatsApp media (notify.WhatsAppAPI).
type MediaUploader interface {
	Upload(ctx context.Context, phoneNumberID, filename, contentType string, data []byte) (mediaID string, err error)
}

// Ingester stores what becomes a ticket or a ticket's message
// (intake.Ingester): the one way anything is stored.
type Ingester interface {
	Ingest(ctx context.Context, item intake.Inbound) (intake.Result, error)
}

// BotConfig tunes the bot.
type BotConfig struct {
	// OTPSecret keys the codes' HMAC (ADUAN_OTP_SECRET); at least
	// MinOTPSecret bytes.
	OTPSecret []byte
	OTPLimits OTPLimits
	// IdleTimeout ends a conversation nobody answered; default 15 minutes.
	IdleTimeout time.Duration
	// CertificateDelay is how long after the last dose a certificate may
	// take to appear before it is a complaint; default 10 days.
	CertificateDelay time.Duration
}

// BotDeps are the services the bot works with.
type BotDeps struct {
	Store        BotStore
	Queue        notify.WhatsAppQueue // the answers, queued in the bot's transaction
	OTPSender    notify.OTPSender
	Registry     registry.Registry
	Certificates Certificates
	Media        MediaUploader
	Tickets      Ingester
	Log          *slog.Logger
	Now          func() time.Time // time.Now when nil
}

// Bot is the WhatsApp self-service bot of the seeds and its hand-over to
// tickets. It implements Conversation: each message is answered in one
// transaction that locks the sender's conversation, records the message
// as handled, queues the answers and saves the new state, so a replay
// answers nothing and any instance can take the next message.
type Bot struct {
	cfg BotConfig
	BotDeps
	otp *OTP
}

var _ Conversation = (*Bot)(nil)

// NewBot returns the bot.
func NewBot(cfg BotConfig, deps BotDeps) (*Bot, error) {
	otp, err := NewOTP(cfg.OTPSecret, deps.Store, cfg.OTPLimits)
	if err != nil {
		return nil, err
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 15 * time.Minute
	}
	if cfg.CertificateDelay <= 0 {
		cfg.CertificateDelay = 10 * 24 * time.Hour
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	return &Bot{cfg: cfg, BotDeps: deps, otp: otp}, nil
}

// sender is whom a message is from and answers go to: the wa_id, or
// what Meta gave in its place. Never read as a phone number.
func sender(in Incoming) string {
	for _, id := range []string{in.Contact.WaID, in.Message.From, in.Message.FromUser} {
		if id != "" {
			return id
		}
	}
	return ""
}

// Handle answers one inbound message. It is idempotent per message id.
func (b *Bot) Handle(ctx context.Context, in Incoming) error {
	waID := sender(in)
	if waID == "" || in.Message.ID == "" {
		b.Log.WarnContext(ctx, "whatsapp message without sender or id: not answered", "type", in.Message.Type)
		return nil
	}
	var after []func(context.Context)
	err := b.Store.WithTx(ctx, func(ctx context.Context) error {
		conv, err := b.Store.LockConversation(ctx, waID)
		if err != nil {
			return err
		}
		first, err := b.Store.MarkWhatsAppHandled(ctx, in.Message.ID, waID)
		if err != nil || !first {
			return err
		}
		t := &turn{Bot: b, in: in, waID: waID, now: b.Now(), conv: conv}
		if len(conv.State) > 0 {
			if err := json.Unmarshal(conv.State, &t.st); err != nil {
				// A state the bot cannot read starts over rather than block
				// the person's channel.
				b.Log.ErrorContext(ctx, "whatsapp conversation state unreadable: starting over", "err", err)
				t.st, t.conv.Step = state{}, stepStart
			}
		}
		if err := t.run(ctx); err != nil {
			return err
		}
		if err := t.flush(ctx); err != nil {
			return err
		}
		after = t.after
		return nil
	})
	if err != nil {
		return fmt.Errorf("whatsapp bot: %w", err)
	}
	for _, f := range after {
		f(ctx)
	}
	return nil
}

// turn is the bot answering one message.
type turn struct {
	*Bot
	in    Incoming
	waID  string
	now   time.Time
	conv  store.Conversation
	st    state
	out   []notify.WAOutgoing
	after []func(context.Context) // work done once the answer is committed
}

// flush queues the answers and saves the conversation.
func (t *turn) flush(ctx context.Context) error {
	for _, o := range t.out {
		if err := o.Message.Validate(); err != nil {
			return err
		}
	}
	if len(t.out) > 0 {
		if err := t.Queue.QueueWhatsApp(ctx, t.out...); err != nil {
			return err
		}
	}
	t.conv.PhoneNumberID = t.in.PhoneNumberID
	t.conv.ExpiresAt = nil
	if t.conv.Step != stepStart && t.conv.Step != stepTicket {
		exp := t.now.Add(t.cfg.IdleTimeout)
		t.conv.ExpiresAt = &exp
	}
	raw, err := json.Marshal(t.st)
	if err != nil {
		return err
	}
	t.conv.State = raw
	return t.Store.SaveConversation(ctx, t.conv)
}

func (t *turn) queue(m notify.WAMessage) {
	m.To = t.waID
	t.out = append(t.out, notify.WAOutgoing{PhoneNumberID: t.in.PhoneNumberID, TicketID: t.conv.TicketID,
		Pace: notify.PaceConversation, Message: m})
	t.st.record(t.now, true, summary(m))
}

// summary is a message of the bot as the transcript keeps it: its first
// paragraph and the buttons it offered, so an agent reads the
// conversation rather than the menus again and again.
func summary(m notify.WAMessage) string {
	if m.Document != nil {
		return "[dokumen " + m.Document.Filename + "]"
	}
	text, _, _ := strings.Cut(m.Text, "\n\n")
	for _, b := range m.Buttons {
		text += " [" + b.Title + "]"
	}
	return text
}

// say sends text.
func (t *turn) say(text string) { t.queue(notify.WAMessage{Text: text}) }

// expiryNote tells, in a prompt, when the session ends unanswered.
func (t *turn) expiryNote() string { return txtExpiresAt(t.now.Add(t.cfg.IdleTimeout)) }

// ask moves to step and sends its prompt: the buttons of an interactive
// step (numbered anew, so older ones go stale), else text.
func (t *turn) ask(step, text string) {
	t.conv.Step = step
	opts := options(step)
	if len(opts) == 0 {
		t.say(text + t.expiryNote())
		return
	}
	t.st.Seq++
	buttons := make([]notify.WAButton, len(opts))
	for i, o := range opts {
		buttons[i] = notify.WAButton{ID: buttonID(t.st.Seq, o.action), Title: o.title}
	}
	t.queue(notify.WAMessage{Text: text + t.expiryNote(), Buttons: buttons})
}

// reset forgets everything but the seq (so buttons sent before stay
// stale) and the transcript (so a ticket still sees what was said).
func (t *turn) reset() {
	t.st = state{Seq: t.st.Seq, Transcript: t.st.Transcript}
	t.conv.Step, t.conv.TicketID = stepStart, 0
}

func (t *turn) mainMenu() {
	t.reset()
	t.ask(stepMain, txtMainMenu)
}

// reprompt asks the current step's question again.
func (t *turn) reprompt() {
	switch t.conv.Step {
	case stepStart, stepMain:
		t.ask(stepMain, txtMainMenu)
	case stepPhone:
		t.ask(stepPhone, txtAskPhone)
	case stepOTP:
		t.ask(stepOTP, "Ketik kode OTP 6 angka yang kami kirim, atau *kirim ulang* untuk meminta kode baru.")
	case stepServices:
		t.ask(stepServices, txtMore)
	case stepChange:
		t.ask(stepChange, txtChange)
	case stepName:
		t.ask(stepName, txtAskName)
	case stepNIK:
		t.ask(stepNIK, txtAskNIK)
	case stepNewPhone:
		t.ask(stepNewPhone, txtAskNewPh)
	case stepDoseDate:
		t.ask(stepDoseDate, txtAskDose)
	}
}

// text is the message's words: its text, a tapped option's title, or a
// media caption.
func (t *turn) text() string {
	m := t.in.Message
	switch {
	case m.Text != "":
		return strings.TrimSpace(m.Text)
	case m.Reply != nil:
		return m.Reply.Title
	case m.Media != nil:
		return strings.TrimSpace(m.Media.Caption)
	}
	return ""
}

// describe is the message as the transcript shows it; a code typed at the
// OTP step is never kept.
func (t *turn) describe() string {
	m := t.in.Message
	switch {
	case m.Type == "text" && (t.conv.Step == stepOTP || looksLikeCode(m.Text)):
		return "[kode OTP disembunyikan]"
	case m.Reply != nil:
		return "[" + m.Reply.Title + "]"
	case m.Type == "text":
		return m.Text
	case m.Media != nil && m.Media.Caption != "":
		return "[" + m.Type + "] " + m.Media.Caption
	}
	return "[" + m.Type + "]"
}

// looksLikeCode reports whether s could be a one-time code, typed
// wherever: such text is never kept.
func looksLikeCode(s string) bool {
	s = strings.Join(strings.Fields(s), "")
	return len(s) == 6 && strings.Trim(s, "0123456789") == ""
}

// command is the text as a word the bot acts on anywhere: menu, batal.
func (t *turn) command() string {
	if t.in.Message.Type != "text" {
		return ""
	}
	return strings.Trim(strings.ToLower(strings.TrimSpace(t.in.Message.Text)), ".!*")
}
