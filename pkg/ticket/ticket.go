package ticket

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Status is where a ticket is in its life.
type Status string

// The statuses a ticket moves through.
const (
	StatusNew       Status = "new"
	StatusNeedsInfo Status = "needs_info"
	StatusOpen      Status = "open"
	StatusPending   Status = "pending"
	StatusResolved  Status = "resolved"
	StatusClosed    Status = "closed"
)

// Statuses lists every status in the order of a ticket's life.
var Statuses = []Status{StatusNew, StatusNeedsInfo, StatusOpen, StatusPending, StatusResolved, StatusClosed}

// transitions is the one place that says which status may follow which.
// pending means waiting on the complainant; needs_info means their data or
// documents are incomplete; a closed ticket is final.
var transitions = map[Status][]Status{
	StatusNew:       {StatusOpen, StatusNeedsInfo, StatusPending, StatusResolved, StatusClosed},
	StatusNeedsInfo: {StatusOpen, StatusPending, StatusResolved, StatusClosed},
	StatusOpen:      {StatusNeedsInfo, StatusPending, StatusResolved},
	StatusPending:   {StatusOpen, StatusNeedsInfo, StatusResolved},
	StatusResolved:  {StatusOpen, StatusClosed},
	StatusClosed:    {},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := transitions[s]; return ok }

// IsOpen reports whether a ticket in s is still being worked (new mail from
// the complainant threads onto it rather than opening a new ticket).
func (s Status) IsOpen() bool { return s != StatusResolved && s != StatusClosed }

// CanMoveTo reports whether a ticket in s may move to next.
func (s Status) CanMoveTo(next Status) bool {
	return slices.Contains(transitions[s], next)
}

// CheckTransition returns an ECONFLICT error naming both states when a
// ticket in from may not move to to. Staying in the same state is allowed.
func CheckTransition(from, to Status) error {
	if !to.Valid() {
		return &Error{Code: EINVALID, Message: "Status tidak dikenal. / Unknown status.",
			Fields: map[string]string{"status": fmt.Sprintf("status %q tidak dikenal", to)}}
	}
	if from == to || from.CanMoveTo(to) {
		return nil
	}
	return Errorf(ECONFLICT, "Status tidak bisa diubah dari %q ke %q. / Cannot move a ticket from %q to %q.", from, to, from, to)
}

// Channel is how a complaint reached the help desk.
type Channel string

// The channels. SMS shares the model but has no intake yet.
const (
	ChannelEmail      Channel = "email"
	ChannelCallCenter Channel = "callcenter"
	ChannelWhatsApp   Channel = "whatsapp"
	ChannelSMS        Channel = "sms"
)

// Channels lists every channel.
var Channels = []Channel{ChannelEmail, ChannelCallCenter, ChannelWhatsApp, ChannelSMS}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Category is what the complaint is about.
type Category string

// The categories, as people describe their problem.
const (
	CategoryCertificateMissing   Category = "certificate_missing"    // the certificate did not appear
	CategoryCertificateDataError Category = "certificate_data_error" // wrong vaccine data on it
	CategoryPersonalDataChange   Category = "personal_data_change"   // name or phone to correct
	CategoryNIKConflict          Category = "nik_conflict"           // NIK registered to someone else
	CategoryVaccinationStatus    Category = "vaccination_status"     // asking for their status
	CategoryAppIssue             Category = "app_issue"              // the app itself: login, OTP, errors
	CategoryOther                Category = "other"
)

// Categories lists every category.
var Categories = []Category{CategoryCertificateMissing, CategoryCertificateDataError, CategoryPersonalDataChange,
	CategoryNIKConflict, CategoryVaccinationStatus, CategoryAppIssue, CategoryOther}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// NeedsDocuments reports whether complaints of this category need the KTP,
// the selfie with the KTP and the vaccination card before they can be worked.
func (c Category) NeedsDocuments() bool {
	switch c {
	case CategoryCertificateMissing, CategoryCertificateDataError, CategoryPersonalDataChange, CategoryNIKConflict:
		return true
	}
	return false
}

// Priority orders work within a queue.
type Priority string

// The priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

// Rank is p's position in Priorities; higher is more urgent.
func (p Priority) Rank() int { return slices.Index(Priorities, p) }

// DocumentState is what is known of one of the three required photos.
type DocumentState string

// The states of a required document.
const (
	DocMissing    DocumentState = "missing"
	DocReceived   DocumentState = "received"
	DocOK         DocumentState = "ok"
	DocUnreadable DocumentState = "unreadable"
	DocMismatch   DocumentState = "mismatch"
)

// Documents summarises the three photos a complaint needs.
type Documents struct {
	KTP         DocumentState `json:"ktp"`
	Selfie      DocumentState `json:"selfie"`
	VaccineCard DocumentState `json:"vaccine_card"`
}

// NoDocuments is the summary of a ticket that has received nothing yet.
var NoDocuments = Documents{KTP: DocMissing, Selfie: DocMissing, VaccineCard: DocMissing}

// SLA holds a ticket's due times, when it met them, and whether one was
// recorded as missed; sla.VerdictOf judges it.
type SLA struct {
	FirstResponseDue *time.Time `json:"first_response_due,omitempty"`
	ResolutionDue    *time.Time `json:"resolution_due,omitempty"`
	FirstRespondedAt *time.Time `json:"first_responded_at,omitempty"`
	ResolvedAt       *time.Time `json:"resolved_at,omitempty"` // the latest resolution; none while open again
	Breached         bool       `json:"breached"`
}

// Ticket is one complaint being worked by the help desk.
type Ticket struct {
	ID            int64
	Number        string // human-readable, e.g. PL-211110-000123; the subject token
	Channel       Channel
	Category      Category
	Status        Status
	Priority      Priority
	Queue         string
	AssigneeID    *int64
	ComplainantID int64
	Complainant   *Complainant
	Subject       string
	Description   string
	CallRef       string
	CreatedBy     *int64 // the agent who typed it in, for call-center tickets
	Documents     Documents
	Warnings      []string // problems found in the data, e.g. a NIK whose date disagrees
	SLA           SLA
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Hold is the ticket's legal hold, nil when none; PurgedAt is when
	// retention purged it, nil before. Loaded with the ticket's details.
	Hold     *LegalHold
	PurgedAt *time.Time

	// CategoryAlternatives are the other categories the complaint's text
	// matched, best first: the agent's choices when Category is not right.
	CategoryAlternatives []Category

	Messages    []Message
	Attachments []Attachment
	Events      []Event
}

// The defaults of a new ticket, whichever channel it came by, for what
// its intake does not say.
const (
	DefaultStatus   = StatusNew
	DefaultPriority = PriorityNormal
	DefaultCategory = CategoryOther
)

// FillDefaults gives a new ticket the defaults where it has nothing:
// DefaultStatus, DefaultPriority, DefaultCategory, and no documents
// received (NoDocuments).
func (t *Ticket) FillDefaults() {
	if t.Status == "" {
		t.Status = DefaultStatus
	}
	if t.Priority == "" {
		t.Priority = DefaultPriority
	}
	if t.Category == "" {
		t.Category = DefaultCategory
	}
	if t.Documents == (Documents{}) {
		t.Documents = NoDocuments
	}
}

// NumberPrefix starts every ticket number.
const NumberPrefix = "PL"

// FormatNumber renders a ticket number from the day it was created (in
// Asia/Jakarta) and its sequence. Numbers are unique because the sequence is,
// and sort like the tickets they name while the sequence keeps six digits.
func FormatNumber(day time.Time, seq int64) string {
	return fmt.Sprintf("%s-%s-%06d", NumberPrefix, day.In(Jakarta).Format("060102"), seq)
}

// numberSyntax is a ticket number as FormatNumber writes it.
const numberSyntax = NumberPrefix + `-\d{6}-\d{6,}`

var (
	// numberPattern finds a number in any case: people retype numbers, and
	// mail clients change a subject's case.
	numberPattern = regexp.MustCompile(`(?i)` + numberSyntax)
	// wholeNumber is a number alone, perhaps in a subject token's brackets.
	wholeNumber = regexp.MustCompile(`(?i)^\[?(` + numberSyntax + `)\]?$`)
)

// ParseNumber returns ref as a ticket number, upper-cased, when ref is one,
// with or without its brackets ("[PL-211110-000123]").
func ParseNumber(ref string) (string, bool) {
	m := wholeNumber.FindStringSubmatch(strings.TrimSpace(ref))
	if m == nil {
		return "", false
	}
	return strings.ToUpper(m[1]), true
}

// FindNumber returns the first ticket number in text, e.g. the token of a
// reply's subject, upper-cased; "" when there is none.
func FindNumber(text string) string {
	return strings.ToUpper(numberPattern.FindString(text))
}

// Jakarta is the help desk's time zone (WIB). A fixed offset keeps the
// domain free of the system's zone database; Indonesia has no DST.
var Jakarta = time.FixedZone("WIB", 7*60*60)
