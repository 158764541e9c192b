package notify

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"
)

// WhatsApp Cloud API error codes Aduan acts on.
const (
	WAErrRateLimit     = 130429 // the number's throughput exceeded: back off
	WAErrPairRateLimit = 131056 // too many messages to one person: back off
	WAErrOutsideWindow = 131047 // more than 24 hours since the person last wrote
	WAErrUndeliverable = 131026 // the recipient cannot receive it (not on WhatsApp, old app…)
)

// Limits of interactive messages, checked before anything is sent.
const (
	WAMaxButtons     = 3
	WAMaxButtonTitle = 20
	WAMaxRowTitle    = 24
	WAMaxRows        = 10
	WAMaxBody        = 1024
	WAMaxText        = 4096
)

// WAMessage is one outgoing WhatsApp message; exactly one of Text alone,
// Buttons, List, Document or Template is its content.
type WAMessage struct {
	To       string // the recipient's wa_id (digits, no "+")
	Text     string // a text message, or the body of an interactive one
	Buttons  []WAButton
	List     *WAList
	Document *WADocument
	Template *WATemplate
	// ReplyTo is the wamid this message answers (shown quoted), if any.
	ReplyTo string
}

// WAButton is a reply button.
type WAButton struct {
	ID    string // comes back as interactive.button_reply.id
	Title string
}

// WAList is an interactive list: a button that opens rows.
type WAList struct {
	Button string // the button's label
	Rows   []WARow
}

// WARow is one row of a list.
type WARow struct {
	ID          string // comes back as interactive.list_reply.id
	Title       string
	Description string
}

// WADocument is a file already uploaded as media.
type WADocument struct {
	MediaID  string
	Filename string
	Caption  string
}

// WATemplate is an approved message template.
type WATemplate struct {
	Name       string
	Language   string // e.g. "id"
	BodyParams []string
	// ButtonParam fills a URL or copy-code button when the template has
	// one (an AUTHENTICATION template's code).
	ButtonParam string
}

// ErrWAInvalid says a message breaks WhatsApp's limits; it was not sent.
var ErrWAInvalid = errors.New("whatsapp message breaks the interactive limits")

// Validate checks the message against WhatsApp's limits, so a message
// Meta would refuse is caught before it is sent.
func (m WAMessage) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrWAInvalid, fmt.Sprintf(format, args...))
	}
	parts := 0
	for _, set := range []bool{len(m.Buttons) > 0, m.List != nil, m.Document != nil, m.Template != nil} {
		if set {
			parts++
		}
	}
	switch {
	case m.To == "":
		return bad("no recipient")
	case parts > 1:
		return bad("more than one kind of content")
	case parts == 0 && m.Text == "":
		return bad("empty message")
	case parts == 0 && utf8.RuneCountInString(m.Text) > WAMaxText:
		return bad("text of %d characters, at most %d", utf8.RuneCountInString(m.Text), WAMaxText)
	}
	if len(m.Buttons) > 0 || m.List != nil {
		if m.Text == "" || utf8.RuneCountInString(m.Text) > WAMaxBody {
			return bad("interactive body of %d characters, 1 to %d", utf8.RuneCountInString(m.Text), WAMaxBody)
		}
	}
	if len(m.Buttons) > WAMaxButtons {
		return bad("%d buttons, at most %d", len(m.Buttons), WAMaxButtons)
	}
	for _, b := range m.Buttons {
		if b.ID == "" || b.Title == "" || utf8.RuneCountInString(b.Title) > WAMaxButtonTitle {
			return bad("button %q: id and a title of 1 to %d characters", b.Title, WAMaxButtonTitle)
		}
	}
	if l := m.List; l != nil {
		if len(l.Rows) == 0 || len(l.Rows) > WAMaxRows || l.Button == "" || utf8.RuneCountInString(l.Button) > WAMaxButtonTitle {
			return bad("list of %d rows (1 to %d) with button %q", len(l.Rows), WAMaxRows, l.Button)
		}
		for _, r := range l.Rows {
			if r.ID == "" || r.Title == "" || utf8.RuneCountInString(r.Title) > WAMaxRowTitle {
				return bad("row %q: id and a title of 1 to %d characters", r.Title, WAMaxRowTitle)
			}
		}
	}
	if d := m.Document; d != nil && d.MediaID == "" {
		return bad("document without a media id")
	}
	if t := m.Template; t != nil && (t.Name == "" || t.Language == "") {
		return bad("template without a name or language")
	}
	return nil
}

// WAError is an error answer of the Graph API.
type WAError struct {
	HTTPStatus int
	Code       int
	Title      string
	Message    string
}

func (e *WAError) Error() string {
	return fmt.Sprintf("whatsapp: %d %s (HTTP %d): %s", e.Code, e.Title, e.HTTPStatus, e.Message)
}

// WACode returns the Graph API error code in err's chain, or 0.
func WACode(err error) int {
	var we *WAError
	if errors.As(err, &we) {
		return we.Code
	}
	return 0
}

// WhatsAppAPI is Meta's WhatsApp Cloud API as Aduan uses it, for one
// business phone number.
type WhatsAppAPI interface {
	// Send sends m now and returns its wamid.
	Send(ctx context.Context, phoneNumberID string, m WAMessage) (wamid string, err error)
	// Upload stores a file as media and returns its media id.
	Upload(ctx context.Context, phoneNumberID, filename, contentType string, data []byte) (mediaID string, err error)
	// Media downloads an inbound media file (its URL lives 5 minutes).
	Media(ctx context.Context, mediaID string) (data []byte, contentType string, err error)
	// MarkRead marks an inbound message read (the blue ticks).
	MarkRead(ctx context.Context, phoneNumberID, wamid string) error
}

// SMSGateway sends a text message to a phone number (E.164).
type SMSGateway interface {
	SendSMS(ctx context.Context, phone, text string) error
}

// Pace says how fast messages to one person may go out.
type Pace string

// Paces of outgoing WhatsApp messages.
const (
	// PaceConversation: the bot answering a person who is writing to it,
	// sent at once.
	PaceConversation Pace = "conversation"
	// PacePerson: anything else (agents' replies, document requests): about
	// one message every 6 seconds to one person.
	PacePerson Pace = "person"
)

// WAOutgoing is a WhatsApp message waiting to be sent.
type WAOutgoing struct {
	PhoneNumberID string // the business number it goes out from
	TicketID      int64  // the ticket it belongs to, 0 for the bot's menus
	MessageID     int64  // the ticket message it delivers, 0 when none
	Pace          Pace
	Message       WAMessage
}

// WhatsAppQueue keeps outgoing WhatsApp messages to be sent by the
// workers, in the caller's transaction (so a state change and the answer
// it causes are committed together, and never sent twice).
type WhatsAppQueue interface {
	QueueWhatsApp(ctx context.Context, out ...WAOutgoing) error
}

// OTPSender sends a one-time code to a registered phone number: the
// AUTHENTICATION template on WhatsApp, or an SMS where WhatsApp cannot
// deliver it. The code is never stored or logged by it.
type OTPSender interface {
	// SendOTP returns the channel it went through: "whatsapp" or "sms".
	SendOTP(ctx context.Context, phoneNumberID, phone, code string) (via string, err error)
}
