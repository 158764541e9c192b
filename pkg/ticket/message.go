package ticket

import "time"

// Direction says who wrote a message.
type Direction string

// The directions of a message.
const (
	Inbound  Direction = "inbound"  // from the complainant
	Outbound Direction = "outbound" // from the help desk to the complainant
	Internal Direction = "internal" // a note between agents, never sent
)

// Message is one entry in a ticket's conversation.
type Message struct {
	ID         int64
	TicketID   int64
	Direction  Direction
	Channel    Channel
	SourceID   string // the inbound item's id at its source; unique per channel
	SourceHash string // sha256 of what arrived, to tell a replay from a reused id
	AuthorID   *int64 // the agent, for outbound messages and notes
	Subject    string
	Body       string
	Status     string // delivery of outbound messages: queued, sending, sent, failed
	Kind       string // outbound: ack, reply; inbound: "" (a person) or automatic
	Automatic  string // inbound: why the item was machine-sent, e.g. auto-submitted
	Recipient  string // outbound: the address it goes to
	Sender     string // inbound email: the address it came from (Reply-To, else From), where answers go
	RawSHA256  string // the raw mail or webhook body in the blob store
	Error      string // outbound: why delivery failed
	// HTML is an email's HTML part, sanitised (no scripts, no remote
	// images); "" when it had none. Body holds its text either way.
	HTML string
	// Warnings are the problems met reading the item itself (broken MIME,
	// bad base64), so an agent knows why its text may be odd.
	Warnings  []string
	CreatedAt time.Time
}

// Message kinds and delivery states.
const (
	KindAck         = "ack"          // outbound: the acknowledgement of a new complaint
	KindReply       = "reply"        // outbound: an agent's reply
	KindDocsRequest = "docs_request" // outbound: the request for missing or unusable photos
	KindAutomatic   = "automatic"    // inbound: machine-sent mail, which changes nothing

	DeliveryQueued  = "queued"
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// AttachmentKind is a first guess at what a file shows.
type AttachmentKind string

// The kinds of attachment.
const (
	KindKTP         AttachmentKind = "ktp"
	KindSelfie      AttachmentKind = "selfie"
	KindVaccineCard AttachmentKind = "vaccine_card"
	KindOther       AttachmentKind = "other"
	KindUnknown     AttachmentKind = "unknown"
)

// Verdict is the outcome of checking an attachment.
type Verdict string

// The verdicts of a document check.
const (
	VerdictPending    Verdict = "pending"
	VerdictOK         Verdict = "ok"
	VerdictUnreadable Verdict = "unreadable"
	VerdictMismatch   Verdict = "mismatch"
)

// Check is the result of the document checks on one attachment.
type Check struct {
	Verdict   Verdict            `json:"verdict"`
	Reasons   []string           `json:"reasons"`
	Scores    map[string]float64 `json:"scores"`
	QRPayload string             `json:"qr_payload,omitempty"`
}

// Attachment is a file a complainant sent. Its bytes live in the data
// directory under their sha256; Stored is false when it was refused.
type Attachment struct {
	ID            int64
	TicketID      int64
	MessageID     int64
	Filename      string
	ContentType   string
	Size          int64
	SHA256        string
	Stored        bool
	RefusedReason string
	Kind          AttachmentKind
	Check         Check
	CreatedAt     time.Time
}

// RefusedTooLarge is the refused reason of a file over the size limits
// (one file's, or a mail's files together): recorded, not stored, and the
// complainant told.
const RefusedTooLarge = "too_large"

// TooLarge reports whether a was refused for its size.
func (a Attachment) TooLarge() bool { return !a.Stored && a.RefusedReason == RefusedTooLarge }

// Event records one change to a ticket: who did what, when.
type Event struct {
	ID       int64
	TicketID int64
	ActorID  *int64 // nil for the system
	Kind     string // e.g. created, status_changed, assigned, note_added
	Data     map[string]any
	At       time.Time
}

// The kinds of ticket event.
const (
	EventCreated         = "created"
	EventMessageAdded    = "message_added"
	EventStatusChanged   = "status_changed"
	EventCategoryChanged = "category_changed"
	EventPriorityChanged = "priority_changed"
	EventAssigned        = "assigned"
	EventNoteAdded       = "note_added"
)

// AuditEntry records that someone looked at personal data: a full NIK, a
// document photo.
type AuditEntry struct {
	ID      int64
	ActorID int64
	Action  string // e.g. nik_reveal, attachment_download
	Subject string // what was looked at, e.g. complainant:12
	Reason  string
	At      time.Time
}

// RefusedPurged is the refused reason of a file whose bytes retention
// removed: the attachment's row (kind, type, size) stays for the counts.
const RefusedPurged = "purged"
