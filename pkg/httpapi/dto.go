package httpapi

import (
	"time"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/ticket"
)

// The response shapes of api/openapi.yaml. Converters are named for what
// they make; a full NIK has no field here, only the masked one.

type userJSON struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Queues    []string  `json:"queues"`
	Capacity  int       `json:"capacity"`
	Presence  string    `json:"presence"`
	CreatedAt time.Time `json:"created_at"`
	// DisabledAt is set once the user is disabled.
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

func toUserJSON(u ticket.User) userJSON {
	queues := u.Queues
	if queues == nil {
		queues = []string{}
	}
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Queues: queues,
		Capacity: u.Capacity, Presence: string(u.Presence), CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt}
}

type complainantJSON struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	NIKMasked   string   `json:"nik_masked"`
	Phone       string   `json:"phone"`
	Email       string   `json:"email"`
	BirthPlace  string   `json:"birth_place"`
	BirthDate   *string  `json:"birth_date"`
	WhatsAppID  string   `json:"whatsapp_id"`
	NIKWarnings []string `json:"nik_warnings"`
}

func toComplainantJSON(c ticket.Complainant) complainantJSON {
	out := complainantJSON{ID: c.ID, Name: c.Name, NIKMasked: c.MaskedNIK(), Phone: c.Phone, Email: c.Email,
		BirthPlace: c.BirthPlace, WhatsAppID: c.WhatsAppID, NIKWarnings: c.NIKWarnings}
	if c.BirthDate != nil {
		d := c.BirthDate.Format(time.DateOnly)
		out.BirthDate = &d
	}
	if out.NIKWarnings == nil {
		out.NIKWarnings = []string{}
	}
	return out
}

type ticketSummaryJSON struct {
	ID          int64            `json:"id"`
	Number      string           `json:"number"`
	Channel     string           `json:"channel"`
	Category    string           `json:"category"`
	Status      string           `json:"status"`
	Priority    string           `json:"priority"`
	Queue       string           `json:"queue"`
	AssigneeID  *int64           `json:"assignee_id"`
	Subject     string           `json:"subject"`
	Description string           `json:"description"`
	CallRef     string           `json:"call_ref"`
	Complainant complainantJSON  `json:"complainant"`
	Documents   ticket.Documents `json:"documents"`
	Warnings    []string         `json:"warnings"`
	SLA         ticket.SLA       `json:"sla"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`

	// CategoryAlternatives are the other categories the text matched.
	CategoryAlternatives []string `json:"category_alternatives"`
}

// toTicketSummaryJSON masks the subject and description like a message's
// text (toMessageJSON): they are the first message's words.
func toTicketSummaryJSON(t ticket.Ticket) ticketSummaryJSON {
	out := ticketSummaryJSON{ID: t.ID, Number: t.Number, Channel: string(t.Channel), Category: string(t.Category),
		Status: string(t.Status), Priority: string(t.Priority), Queue: t.Queue, AssigneeID: t.AssigneeID,
		Subject: ticket.MaskText(t.Subject), Description: ticket.MaskText(t.Description), CallRef: t.CallRef,
		Documents: t.Documents, Warnings: t.Warnings, SLA: t.SLA, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	if t.Complainant != nil {
		out.Complainant = toComplainantJSON(*t.Complainant)
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	out.CategoryAlternatives = make([]string, len(t.CategoryAlternatives))
	for i, c := range t.CategoryAlternatives {
		out.CategoryAlternatives[i] = string(c)
	}
	return out
}

func toTicketSummaries(ts []ticket.Ticket) []ticketSummaryJSON {
	out := make([]ticketSummaryJSON, len(ts))
	for i, t := range ts {
		out[i] = toTicketSummaryJSON(t)
	}
	return out
}

type messageJSON struct {
	ID        int64     `json:"id"`
	Direction string    `json:"direction"`
	Channel   string    `json:"channel"`
	AuthorID  *int64    `json:"author_id"`
	Subject   string    `json:"subject"`
	Sender    string    `json:"sender"`
	Body      string    `json:"body"`
	HTML      string    `json:"html"`
	Kind      string    `json:"kind"`
	Automatic string    `json:"automatic"`
	Status    string    `json:"status"`
	Error     string    `json:"error"`
	Warnings  []string  `json:"warnings"`
	CreatedAt time.Time `json:"created_at"`
}

// toMessageJSON shows a message's text with the NIKs, phone numbers and
// birth dates people type into it masked; the text as written is given by
// the audited reveal (revealedMessageJSON).
func toMessageJSON(m ticket.Message) messageJSON {
	out := messageJSON{ID: m.ID, Direction: string(m.Direction), Channel: string(m.Channel), AuthorID: m.AuthorID,
		Subject: ticket.MaskText(m.Subject), Sender: m.Sender, Body: ticket.MaskText(m.Body),
		HTML: ticket.MaskText(m.HTML), Kind: m.Kind, Automatic: m.Automatic,
		Status: m.Status, Error: m.Error, Warnings: m.Warnings, CreatedAt: m.CreatedAt}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	return out
}

// revealedMessageJSON is a message's text as it was written.
type revealedMessageJSON struct {
	ID      int64  `json:"id"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	HTML    string `json:"html"`
}

type attachmentJSON struct {
	ID            int64        `json:"id"`
	MessageID     int64        `json:"message_id"`
	Filename      string       `json:"filename"`
	ContentType   string       `json:"content_type"`
	Size          int64        `json:"size"`
	SHA256        string       `json:"sha256"`
	Stored        bool         `json:"stored"`
	RefusedReason string       `json:"refused_reason,omitempty"`
	Kind          string       `json:"kind"`
	Check         ticket.Check `json:"check"`
}

type eventJSON struct {
	ID      int64          `json:"id"`
	ActorID *int64         `json:"actor_id"`
	Kind    string         `json:"kind"`
	Data    map[string]any `json:"data"`
	At      time.Time      `json:"at"`
}

type ticketJSON struct {
	ticketSummaryJSON
	LegalHold   *legalHoldJSON   `json:"legal_hold"` // null when none
	PurgedAt    *time.Time       `json:"purged_at"`  // when retention purged it; null before
	Messages    []messageJSON    `json:"messages"`
	Attachments []attachmentJSON `json:"attachments"`
	Events      []eventJSON      `json:"events"`
}

func toTicketJSON(t ticket.Ticket) ticketJSON {
	out := ticketJSON{ticketSummaryJSON: toTicketSummaryJSON(t), LegalHold: toLegalHoldJSON(t.Hold),
		PurgedAt: t.PurgedAt, Messages: make([]messageJSON, len(t.Messages)),
		Attachments: make([]attachmentJSON, len(t.Attachments)), Events: make([]eventJSON, len(t.Events))}
	for i, m := range t.Messages {
		out.Messages[i] = toMessageJSON(m)
	}
	for i, a := range t.Attachments {
		out.Attachments[i] = attachmentJSON{ID: a.ID, MessageID: a.MessageID, Filename: ticket.MaskText(a.Filename),
			ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, Stored: a.Stored,
			RefusedReason: a.RefusedReason, Kind: string(a.Kind), Check: a.Check}
	}
	for i, e := range t.Events {
		data := e.Data
		if data == nil {
			data = map[string]any{}
		}
		out.Events[i] = eventJSON{ID: e.ID, ActorID: e.ActorID, Kind: e.Kind, Data: data, At: e.At}
	}
	return out
}

type createdTicketJSON struct {
	ticketJSON
	ComplainantOpenTickets []ticketSummaryJSON `json:"complainant_open_tickets"`
}

type complainantWithTicketsJSON struct {
	complainantJSON
	Tickets []ticketSummaryJSON `json:"tickets"`
}

func toLookupJSON(ls []desk.Lookup) []complainantWithTicketsJSON {
	out := make([]complainantWithTicketsJSON, len(ls))
	for i, l := range ls {
		out[i] = complainantWithTicketsJSON{complainantJSON: toComplainantJSON(l.Complainant),
			Tickets: toTicketSummaries(l.Tickets)}
	}
	return out
}
