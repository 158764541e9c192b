package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aduan/aduan/pkg/store"
)

// WASendStore is what sending queued WhatsApp messages needs from storage;
// *store.Store is one.
type WASendStore interface {
	AddWhatsAppOutbound(ctx context.Context, out ...*store.WAOutbound) error
	WhatsAppOutbound(ctx context.Context, id int64) (store.WAOutbound, error)
	ReserveWhatsAppPace(ctx context.Context, key string, interval time.Duration, now time.Time) (time.Time, error)
	HoldWhatsAppPace(ctx context.Context, key string, until time.Time) error
	DelayWhatsAppOutbound(ctx context.Context, id int64, notBefore time.Time, retry bool) error
	RecordWhatsAppSent(ctx context.Context, id int64, wamid string) error
	FailWhatsAppOutbound(ctx context.Context, id int64, code int, title string) error
	EarlierWhatsAppAnswer(ctx context.Context, id int64) (bool, error)
}

// WAQueue is the WhatsAppQueue over the store: each message a row in
// state queued with its sending in the outbox, in the caller's
// transaction.
type WAQueue struct {
	Store WASendStore
	// PhoneNumberID is the number a message without one goes out from.
	PhoneNumberID string
}

// QueueWhatsApp validates and queues out; a message breaking WhatsApp's
// limits is ErrWAInvalid and nothing is queued.
func (q WAQueue) QueueWhatsApp(ctx context.Context, out ...WAOutgoing) error {
	rows := make([]*store.WAOutbound, 0, len(out))
	for _, o := range out {
		if err := o.Message.Validate(); err != nil {
			return err
		}
		pnid := o.PhoneNumberID
		if pnid == "" {
			pnid = q.PhoneNumberID
		}
		if pnid == "" {
			return fmt.Errorf("whatsapp message to %s: no business number to send from", o.Message.To)
		}
		pace := o.Pace
		if pace == "" {
			pace = PacePerson
		}
		b, err := json.Marshal(o.Message)
		if err != nil {
			return err
		}
		rows = append(rows, &store.WAOutbound{PhoneNumberID: pnid, Recipient: o.Message.To, TicketID: o.TicketID,
			MessageID: o.MessageID, Pace: string(pace), Message: b})
	}
	return q.Store.AddWhatsAppOutbound(ctx, rows...)
}

// WAPacing tunes how fast queued WhatsApp messages go out.
type WAPacing struct {
	// Throughput is the number's messages a second; default 80, Meta's
	// standard tier.
	Throughput int
	// PersonInterval is the gap between messages to one person that are
	// not the bot's direct answers (PacePerson); default 6s.
	PersonInterval time.Duration
	// MaxBackoff bounds the wait after Meta asked to slow down (130429,
	// 131056); default 10 minutes.
	MaxBackoff time.Duration
}

// WAWait says a queued message waits until After has passed: its paced
// slot, or a back-off Meta asked for. It is not a failure.
type WAWait struct {
	After time.Duration
	Why   string
}

func (w *WAWait) Error() string { return fmt.Sprintf("whatsapp message waits %s: %s", w.After, w.Why) }

// WASender sends queued WhatsApp messages (store rows) through the Cloud
// API, paced and at most once per row: the wamid is recorded when Meta
// answers. A crash between Meta's answer and that record sends the
// message again on the retry; that is the one gap.
type WASender struct {
	store WASendStore
	api   WhatsAppAPI
	pace  WAPacing
	log   *slog.Logger
	Now   func() time.Time // the pacing's clock; default time.Now
}

// NewWASender returns a sender of s's queued messages through api.
func NewWASender(s WASendStore, api WhatsAppAPI, pace WAPacing, log *slog.Logger) *WASender {
	if pace.Throughput <= 0 {
		pace.Throughput = 80
	}
	if pace.PersonInterval <= 0 {
		pace.PersonInterval = 6 * time.Second
	}
	if pace.MaxBackoff <= 0 {
		pace.MaxBackoff = 10 * time.Minute
	}
	return &WASender{store: s, api: api, pace: pace, log: log, Now: time.Now}
}

func numberKey(pnid string) string     { return "number:" + pnid }
func personKey(pnid, to string) string { return "person:" + pnid + ":" + to }

// Send sends the queued message id when its time has come. It returns
// *WAWait while the message waits for its slot or a back-off; nil when
// it was sent or ended in a state agents see (131047 outside the 24-hour
// window, 131026 undeliverable); an error wrapping ErrFinal when Meta
// refused it for good; any other error to be retried.
func (s *WASender) Send(ctx context.Context, id int64) error {
	o, err := s.store.WhatsAppOutbound(ctx, id)
	if err != nil {
		return err
	}
	if o.State != store.OutboundQueued || o.WaMID != "" {
		return nil // sent already, or ended
	}
	if o.Pace == string(PaceConversation) {
		wait, err := s.afterEarlierAnswers(ctx, o.ID)
		if err != nil {
			return err
		}
		if wait != nil {
			return wait
		}
	}
	now := s.Now()
	if o.NotBefore == nil {
		slot, err := s.store.ReserveWhatsAppPace(ctx, numberKey(o.PhoneNumberID), time.Second/time.Duration(s.pace.Throughput), now)
		if err != nil {
			return err
		}
		if o.Pace == string(PacePerson) {
			p, err := s.store.ReserveWhatsAppPace(ctx, personKey(o.PhoneNumberID, o.Recipient), s.pace.PersonInterval, now)
			if err != nil {
				return err
			}
			slot = later(slot, p)
		}
		if slot.After(now) {
			if err := s.store.DelayWhatsAppOutbound(ctx, o.ID, slot, false); err != nil {
				return err
			}
			return &WAWait{After: slot.Sub(now), Why: "paced"}
		}
	} else if o.NotBefore.After(now) {
		return &WAWait{After: o.NotBefore.Sub(now), Why: "paced"}
	}
	var m WAMessage
	if err := json.Unmarshal(o.Message, &m); err != nil {
		return fmt.Errorf("whatsapp outbound %d: %v: %w", o.ID, err, ErrFinal)
	}
	wamid, err := s.api.Send(ctx, o.PhoneNumberID, m)
	if err == nil {
		return s.store.RecordWhatsAppSent(ctx, o.ID, wamid)
	}
	return s.failed(ctx, o, now, err)
}

// afterEarlierAnswers waits, briefly and in place (they are usually being
// sent at this moment), until the bot's earlier answers to the same
// person are sent, so an answer of several messages arrives in order; it
// returns a *WAWait when they take longer.
func (s *WASender) afterEarlierAnswers(ctx context.Context, id int64) (*WAWait, error) {
	for range 25 {
		earlier, err := s.store.EarlierWhatsAppAnswer(ctx, id)
		if err != nil || !earlier {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return &WAWait{After: 200 * time.Millisecond, Why: "an earlier answer to the person goes first"}, nil
}

// failed decides what a refused send means for message o.
func (s *WASender) failed(ctx context.Context, o store.WAOutbound, now time.Time, err error) error {
	var we *WAError
	switch code := WACode(err); {
	case code == WAErrRateLimit || code == WAErrPairRateLimit:
		wait := min(2*time.Second<<min(o.Attempts, 20), s.pace.MaxBackoff)
		key := numberKey(o.PhoneNumberID)
		if code == WAErrPairRateLimit {
			key = personKey(o.PhoneNumberID, o.Recipient)
		}
		until := now.Add(wait)
		if herr := s.store.HoldWhatsAppPace(ctx, key, until); herr != nil {
			return herr
		}
		if derr := s.store.DelayWhatsAppOutbound(ctx, o.ID, until, true); derr != nil {
			return derr
		}
		s.log.WarnContext(ctx, "whatsapp asked to slow down", "code", code, "outbound_id", o.ID, "wait", wait.String())
		return &WAWait{After: wait, Why: fmt.Sprintf("meta error %d", code)}
	case code == WAErrOutsideWindow || code == WAErrUndeliverable:
		title := "Message undeliverable"
		if code == WAErrOutsideWindow {
			title = "Re-engagement message"
		}
		if errors.As(err, &we) && we.Title != "" {
			title = we.Title
		}
		s.log.InfoContext(ctx, "whatsapp message not delivered", "code", code, "outbound_id", o.ID)
		return s.store.FailWhatsAppOutbound(ctx, o.ID, code, title)
	case errors.Is(err, ErrWAInvalid):
		if ferr := s.store.FailWhatsAppOutbound(ctx, o.ID, 0, err.Error()); ferr != nil {
			return ferr
		}
		return fmt.Errorf("whatsapp outbound %d: %w: %w", o.ID, err, ErrFinal)
	case errors.As(err, &we) && we.HTTPStatus/100 == 4 && we.HTTPStatus != 429:
		if ferr := s.store.FailWhatsAppOutbound(ctx, o.ID, we.Code, we.Title); ferr != nil {
			return ferr
		}
		return fmt.Errorf("whatsapp outbound %d: %w: %w", o.ID, err, ErrFinal)
	}
	return fmt.Errorf("whatsapp outbound %d: %w", o.ID, err)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// QueueWhatsAppText queues a text message delivering ticket message
// messageID, paced for one person (an agent's reply).
func (q WAQueue) QueueWhatsAppText(ctx context.Context, phoneNumberID, to string, ticketID, messageID int64, text string) error {
	return q.QueueWhatsApp(ctx, WAOutgoing{PhoneNumberID: phoneNumberID, TicketID: ticketID, MessageID: messageID,
		Pace: PacePerson, Message: WAMessage{To: to, Text: text}})
}

// QueueWhatsAppTemplate queues an approved template delivering ticket
// message messageID, paced for one person.
func (q WAQueue) QueueWhatsAppTemplate(ctx context.Context, phoneNumberID, to string, ticketID, messageID int64, name, language string, params []string) error {
	return q.QueueWhatsApp(ctx, WAOutgoing{PhoneNumberID: phoneNumberID, TicketID: ticketID, MessageID: messageID,
		Pace: PacePerson, Message: WAMessage{To: to, Template: &WATemplate{Name: name, Language: language, BodyParams: params}}})
}
