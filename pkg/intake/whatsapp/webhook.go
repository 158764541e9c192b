// Package whatsapp reads what Meta's WhatsApp Cloud API sends to Aduan's
// webhook: the subscription handshake, the signature over each POST, and
// the notification body, normalised into entries, changes, messages and
// statuses. It knows nothing of HTTP routing or storage.
package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Object is the "object" of every notification Meta sends for WhatsApp.
const Object = "whatsapp_business_account"

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the raw
// body keyed with the app secret.
const SignatureHeader = "X-Hub-Signature-256"

// VerifySubscription answers Meta's GET handshake: the challenge and true
// when mode is "subscribe" and token equals the configured one (compared
// in constant time). An empty configured token accepts nothing.
func VerifySubscription(configured, mode, token, challenge string) (string, bool) {
	if configured == "" || mode != "subscribe" {
		return "", false
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(configured)) != 1 {
		return "", false
	}
	return challenge, true
}

// ValidSignature reports whether header is "sha256=<hex>" of the
// HMAC-SHA256 of body keyed with secret, compared in constant time.
func ValidSignature(secret, body []byte, header string) bool {
	if len(secret) == 0 {
		return false
	}
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	return hmac.Equal(got, Sign(secret, body))
}

// Sign is the HMAC-SHA256 of body keyed with secret, as Meta computes it.
func Sign(secret, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

// ErrNotWhatsApp says a body is not a WhatsApp notification.
var ErrNotWhatsApp = errors.New("not a WhatsApp notification")

// Notification is one POST's body, normalised. Fields Meta may add later
// are ignored.
type Notification struct {
	Entries []Entry
}

// Entry is one WhatsApp Business Account's share of a notification.
type Entry struct {
	ID      string // the WhatsApp Business Account id
	Changes []Change
}

// Change is one change of an entry: the messages and statuses of one
// phone number.
type Change struct {
	Field         string // "messages" for everything Aduan reads
	PhoneNumberID string // metadata.phone_number_id: the number they came to
	DisplayPhone  string // metadata.display_phone_number
	Contacts      []Contact
	Messages      []Message
	Statuses      []Status
}

// Contact is a sender as Meta names them. WaID and UserID are separate
// identities: neither is assumed to be a phone number.
type Contact struct {
	WaID   string
	UserID string // the business-scoped user id, when Meta sends one
	Name   string
}

// Message is one inbound message. Type is Meta's type as sent; only the
// part for that type is filled.
type Message struct {
	ID        string // the wamid
	From      string
	FromUser  string // from_user_id, the business-scoped user id
	Timestamp string // Unix seconds, as Meta sends it
	Type      string
	Text      string // type text: the body
	// Reply is the option a person tapped (type interactive: button_reply
	// or list_reply; type button: a template's quick reply).
	Reply *Reply
	Media *Media // image, document, audio, video, sticker
	// Context is the wamid this message answers, when it answers one.
	Context string
	Errors  []Error // type unsupported: why
}

// Reply is a tapped button or list row.
type Reply struct {
	Kind  string // button_reply, list_reply or button
	ID    string // the id Aduan gave it (a template button: its payload)
	Title string
}

// Media is an attachment's reference; the file is fetched separately.
type Media struct {
	ID       string
	MimeType string
	SHA256   string
	Caption  string
	Filename string
}

// Status is a change in an outbound message's delivery.
type Status struct {
	ID          string // the wamid of Aduan's message
	Status      string // sent, delivered, read, failed
	Timestamp   string
	RecipientID string
	Errors      []Error
}

// Error is one error Meta reports, e.g. code 131026 (undeliverable).
type Error struct {
	Code    int
	Title   string
	Message string
	Details string
}

// wire is the JSON Meta sends, only the parts Aduan reads.
type wire struct {
	Object *string `json:"object"`
	Entry  *[]struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Metadata struct {
					DisplayPhoneNumber string `json:"display_phone_number"`
					PhoneNumberID      string `json:"phone_number_id"`
				} `json:"metadata"`
				Contacts []struct {
					WaID    string `json:"wa_id"`
					UserID  string `json:"user_id"`
					Profile struct {
						Name string `json:"name"`
					} `json:"profile"`
				} `json:"contacts"`
				Messages []wireMessage `json:"messages"`
				Statuses []struct {
					ID          string      `json:"id"`
					Status      string      `json:"status"`
					Timestamp   string      `json:"timestamp"`
					RecipientID string      `json:"recipient_id"`
					Errors      []wireError `json:"errors"`
				} `json:"statuses"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type wireMessage struct {
	ID         string `json:"id"`
	From       string `json:"from"`
	FromUserID string `json:"from_user_id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	Text       *struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive *struct {
		Type        string     `json:"type"`
		ButtonReply *wireReply `json:"button_reply"`
		ListReply   *wireReply `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Image    *wireMedia `json:"image"`
	Document *wireMedia `json:"document"`
	Audio    *wireMedia `json:"audio"`
	Video    *wireMedia `json:"video"`
	Sticker  *wireMedia `json:"sticker"`
	Context  *struct {
		ID string `json:"id"`
	} `json:"context"`
	Errors []wireError `json:"errors"`
}

type wireReply struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type wireMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type wireError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

// Parse reads a notification body. A body that is not a JSON object whose
// "object" is Object and whose "entry" is an array is ErrNotWhatsApp,
// wrapped with the reason; anything else Meta adds is ignored.
func Parse(body []byte) (Notification, error) {
	var w wire
	if err := json.Unmarshal(body, &w); err != nil {
		return Notification{}, fmt.Errorf("%w: %v", ErrNotWhatsApp, err)
	}
	switch {
	case w.Object == nil:
		return Notification{}, fmt.Errorf("%w: no \"object\"", ErrNotWhatsApp)
	case *w.Object != Object:
		return Notification{}, fmt.Errorf("%w: object %q", ErrNotWhatsApp, *w.Object)
	case w.Entry == nil:
		return Notification{}, fmt.Errorf("%w: no \"entry\" array", ErrNotWhatsApp)
	}
	var n Notification
	for _, we := range *w.Entry {
		e := Entry{ID: we.ID}
		for _, wc := range we.Changes {
			v := wc.Value
			c := Change{Field: wc.Field, PhoneNumberID: v.Metadata.PhoneNumberID, DisplayPhone: v.Metadata.DisplayPhoneNumber}
			for _, ct := range v.Contacts {
				c.Contacts = append(c.Contacts, Contact{WaID: ct.WaID, UserID: ct.UserID, Name: ct.Profile.Name})
			}
			for _, wm := range v.Messages {
				c.Messages = append(c.Messages, message(wm))
			}
			for _, ws := range v.Statuses {
				c.Statuses = append(c.Statuses, Status{ID: ws.ID, Status: ws.Status, Timestamp: ws.Timestamp,
					RecipientID: ws.RecipientID, Errors: errorsOf(ws.Errors)})
			}
			e.Changes = append(e.Changes, c)
		}
		n.Entries = append(n.Entries, e)
	}
	return n, nil
}

func message(wm wireMessage) Message {
	m := Message{ID: wm.ID, From: wm.From, FromUser: wm.FromUserID, Timestamp: wm.Timestamp, Type: wm.Type,
		Errors: errorsOf(wm.Errors)}
	if wm.Context != nil {
		m.Context = wm.Context.ID
	}
	switch {
	case wm.Type == "text" && wm.Text != nil:
		m.Text = wm.Text.Body
	case wm.Type == "interactive" && wm.Interactive != nil:
		if r := wm.Interactive.ButtonReply; r != nil {
			m.Reply = &Reply{Kind: "button_reply", ID: r.ID, Title: r.Title}
		} else if r := wm.Interactive.ListReply; r != nil {
			m.Reply = &Reply{Kind: "list_reply", ID: r.ID, Title: r.Title}
		}
	case wm.Type == "button" && wm.Button != nil:
		m.Reply = &Reply{Kind: "button", ID: wm.Button.Payload, Title: wm.Button.Text}
	}
	for _, md := range []struct {
		typ string
		m   *wireMedia
	}{{"image", wm.Image}, {"document", wm.Document}, {"audio", wm.Audio}, {"video", wm.Video}, {"sticker", wm.Sticker}} {
		if wm.Type == md.typ && md.m != nil {
			m.Media = &Media{ID: md.m.ID, MimeType: md.m.MimeType, SHA256: md.m.SHA256, Caption: md.m.Caption, Filename: md.m.Filename}
		}
	}
	return m
}

func errorsOf(ws []wireError) []Error {
	var out []Error
	for _, w := range ws {
		out = append(out, Error{Code: w.Code, Title: w.Title, Message: w.Message, Details: w.ErrorData.Details})
	}
	return out
}
