package ticket

// EventDocumentsRequested records what the complainant was asked to send,
// and how; its data is a DocsRequest.
const EventDocumentsRequested = "documents_requested"

// DocsRequest is what the complainant is asked to send: the data of a
// documents_requested event, written by the documents decision and read by
// the mail that asks.
type DocsRequest struct {
	Key       string           `json:"request"`    // the request's identity: what was found, on which attachments
	MessageID int64            `json:"message_id"` // the message whose attachments were checked
	Channel   Channel          `json:"channel"`
	Delivery  string           `json:"delivery"` // DocsByEmail, DocsInAck or DocsNotSent
	Missing   []AttachmentKind `json:"missing"`
	Problems  []DocsProblem    `json:"problems"`
	// TooLarge are the files of the message refused for their size, to
	// send again smaller; empty for the opening mail, whose
	// acknowledgement lists them.
	TooLarge []RefusedFile `json:"too_large,omitempty"`
}

// RefusedFile is an attachment intake refused, by its id and name.
type RefusedFile struct {
	ID       int64  `json:"attachment_id"`
	Filename string `json:"filename"`
}

// DocsProblem is a document whose photos could not be used.
type DocsProblem struct {
	Kind    AttachmentKind `json:"kind"`
	State   DocumentState  `json:"state"`   // unreadable or mismatch
	Reasons []string       `json:"reasons"` // of its latest such photo
}

// How a documents request reaches the complainant.
const (
	DocsByEmail = "email" // a notify:docs mail
	DocsInAck   = "ack"   // the acknowledgement of the opening mail lists the missing photos
	DocsNotSent = "none"  // no sender for the channel yet: the event is the record
)
