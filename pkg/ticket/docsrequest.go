package ticket

import "encoding/json"

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
}

// DocsProblem is a document whose photos could not be used.
type DocsProblem struct {
	Kind    AttachmentKind `json:"kind"`
	State   DocumentState  `json:"state"`   // unreadable or mismatch
	Reasons []string       `json:"reasons"` // of its latest such photo
}

// How a documents request reaches the complainant.
const (
	// DocsByEmail: a notify:docs mail, because the answer to the mail
	// whose photos were checked went before the checks were done.
	DocsByEmail = "email"
	// DocsInAck: the one answer to that mail (its acknowledgement, or the
	// answer to a later mail) says it, with the checks' results.
	DocsInAck = "ack"
	// DocsNotSent: no sender for the channel yet; the event is the record.
	DocsNotSent = "none"
	// DocsByWhatsApp: a notify:docs WhatsApp message, on a WhatsApp ticket.
	DocsByWhatsApp = "whatsapp"
)

// EventAnswered records the one answer to a complainant's mail; its data
// is an Answer.
const EventAnswered = "answered"

// Answer is the data of an answered event: the mail answered, the answer,
// and whether the photos of that mail had been checked when it went. When
// they had not, the answer said they were being checked, and the documents
// decision mails what the checks found wanting (DocsByEmail).
type Answer struct {
	MessageID     int64 `json:"message_id"`
	AnswerID      int64 `json:"answer_id"`
	PhotosChecked bool  `json:"photos_checked"`
}

// Data is a's event data.
func (a Answer) Data() map[string]any {
	return map[string]any{"message_id": a.MessageID, "answer_id": a.AnswerID, "photos_checked": a.PhotosChecked}
}

// AnswerTo returns the answer recorded among events for message
// messageID; ok is false when it has none (yet).
func AnswerTo(events []Event, messageID int64) (Answer, bool) {
	for _, e := range events {
		if e.Kind != EventAnswered {
			continue
		}
		var a Answer
		b, err := json.Marshal(e.Data)
		if err != nil || json.Unmarshal(b, &a) != nil {
			continue // not written by Answer.Data
		}
		if a.MessageID == messageID {
			return a, true
		}
	}
	return Answer{}, false
}
