package documents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// The documents decision: what a ticket's checked photos mean for it.

// decision is what step 2 found and did.
type decision struct {
	docs   ticket.Documents
	status ticket.Status
	asked  string // the delivery of a new request, "" when none
}

// decide writes the ticket's documents summary and, once per set of
// checked attachments, moves it to needs_info and asks for what is
// missing, or back to open when all is there. Files of the message
// refused as too large are told once too, with that request or alone:
// nothing else tells the complainant of those in a later mail. It runs
// under the ticket's row lock, which every writer of the ticket's status
// takes too (intake, agents, routing): two runs for the same ticket
// decide one after the other, each on what the other committed. Its
// writes touch only the columns it owns, so it overwrites nobody's other
// changes.
func (d *Reviewer) decide(ctx context.Context, p store.TicketTask) (decision, error) {
	var out decision
	err := d.store.WithTx(ctx, func(ctx context.Context) error {
		t, err := d.store.TicketByRef(ctx, strconv.FormatInt(p.TicketID, 10), true)
		if err != nil {
			return err
		}
		atts, err := d.store.DocumentAttachments(ctx, t.ID)
		if err != nil {
			return err
		}
		docs, pending := summarize(atts)
		out = decision{docs: docs, status: t.Status}
		if docs != t.Documents {
			if err := d.store.SaveDocuments(ctx, t.ID, docs); err != nil {
				return err
			}
		}
		mem, err := d.store.DocumentsMemory(ctx, t.ID)
		if err != nil {
			return err
		}
		req, decided := (*ticket.DocsRequest)(nil), ""
		// With pending ones, their checks decide when they are done.
		if fp := fingerprint(atts); pending == 0 && t.Category.NeedsDocuments() && mem.Decided != fp {
			if req, out.status, err = d.judge(ctx, t, docs, atts, mem); err != nil {
				return err
			}
			decided = fp
		}
		tooLarge, err := d.refusedToTell(ctx, t, p.MessageID, atts, mem)
		if err != nil {
			return err
		}
		if tooLarge != nil && out.status.IsOpen() {
			if req == nil {
				req = &ticket.DocsRequest{Key: tooLarge.Key, Missing: []ticket.AttachmentKind{}, Problems: []ticket.DocsProblem{}}
			}
			req.TooLarge = tooLarge.Files
		}
		if req != nil {
			if out.asked, err = d.ask(ctx, t, p.MessageID, req); err != nil {
				return err
			}
		}
		return d.remember(ctx, t.ID, mem, decided, req, tooLarge)
	})
	return out, err
}

// judge decides on a ticket's checked photos: back to open when all three
// are ok, else needs_info and the request to make, nil when the same was
// asked before or the ticket is no longer worked.
func (d *Reviewer) judge(ctx context.Context, t ticket.Ticket, docs ticket.Documents, atts []ticket.Attachment,
	mem store.DocumentsMemory) (*ticket.DocsRequest, ticket.Status, error) {
	req := requestFor(docs, atts)
	if req == nil {
		status, err := d.release(ctx, t)
		return nil, status, err
	}
	status, err := d.hold(ctx, t)
	if err != nil || !status.IsOpen() || slices.Contains(mem.Requested, req.Key) {
		return nil, status, err
	}
	return req, status, nil
}

// remember records a new decision and the keys of what was asked or told,
// each once; nothing when the run changed nothing, as a re-run does not.
func (d *Reviewer) remember(ctx context.Context, ticketID int64, mem store.DocumentsMemory, decided string,
	req *ticket.DocsRequest, tooLarge *refusedFiles) error {
	if decided == "" {
		decided = mem.Decided
	}
	var keys []string
	if req != nil && req.Key != "" {
		keys = append(keys, req.Key)
	}
	if req != nil && tooLarge != nil && tooLarge.Key != req.Key {
		keys = append(keys, tooLarge.Key)
	}
	if len(keys) == 0 && decided != mem.Decided {
		keys = []string{""}
	}
	for _, k := range keys {
		if err := d.store.RememberDocuments(ctx, ticketID, decided, k); err != nil {
			return err
		}
	}
	return nil
}

// refusedFiles are the files of one message refused as too large, and the
// key that tells them once.
type refusedFiles struct {
	Key   string
	Files []ticket.RefusedFile
}

// refusedToTell returns the files of message messageID refused as too
// large that the complainant was not told of yet, nil when none. Those of
// the opening mail are left to its acknowledgement, which lists them.
func (d *Reviewer) refusedToTell(ctx context.Context, t ticket.Ticket, messageID int64, atts []ticket.Attachment,
	mem store.DocumentsMemory) (*refusedFiles, error) {
	var r refusedFiles
	var ids []string
	for _, a := range atts {
		if a.MessageID == messageID && a.TooLarge() {
			r.Files = append(r.Files, ticket.RefusedFile{ID: a.ID, Filename: a.Filename})
			ids = append(ids, strconv.FormatInt(a.ID, 10))
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	r.Key = "too_large:" + strings.Join(ids, ",")
	if slices.Contains(mem.Requested, r.Key) {
		return nil, nil // told by an earlier run
	}
	opening, err := d.store.OpeningMessageID(ctx, t.ID)
	if err != nil || opening == messageID {
		return nil, err
	}
	return &r, nil
}

// hold moves a ticket that lacks documents to needs_info, when it is
// being worked (new, open, pending), and returns its status.
func (d *Reviewer) hold(ctx context.Context, t ticket.Ticket) (ticket.Status, error) {
	switch t.Status {
	case ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending:
	default:
		return t.Status, nil
	}
	return d.move(ctx, t, ticket.StatusNeedsInfo)
}

// release moves a ticket back to open when all three documents are ok and
// it waits in needs_info only because of them: the last status change put
// it there for the documents. Put there by an agent, it stays.
func (d *Reviewer) release(ctx context.Context, t ticket.Ticket) (ticket.Status, error) {
	if t.Status != ticket.StatusNeedsInfo {
		return t.Status, nil
	}
	last, err := d.store.LastStatusChange(ctx, t.ID)
	if ticket.ErrorCode(err) == ticket.ENOTFOUND {
		return t.Status, nil
	} else if err != nil {
		return t.Status, err
	}
	if last.Data["to"] != string(ticket.StatusNeedsInfo) || last.Data["reason"] != "documents" {
		return t.Status, nil
	}
	return d.move(ctx, t, ticket.StatusOpen)
}

func (d *Reviewer) move(ctx context.Context, t ticket.Ticket, to ticket.Status) (ticket.Status, error) {
	if err := ticket.CheckTransition(t.Status, to); err != nil {
		return t.Status, err
	}
	moved, err := d.store.SetStatus(ctx, t.ID, t.Status, to)
	if err != nil || !moved {
		return t.Status, err // !moved cannot happen under the row lock
	}
	return to, d.store.AddEvents(ctx, ticket.Event{TicketID: t.ID, Kind: ticket.EventStatusChanged,
		Data: map[string]any{"from": t.Status, "to": to, "reason": "documents"}})
}

// ask records the request and has it sent through the ticket's channel,
// returning how it goes out. Email is the only channel with a sender yet;
// on the others the event is the record, for the agent to pass on. The
// acknowledgement of a new email ticket already lists its missing photos,
// so a request with nothing but missing photos for the opening mail is
// recorded as made by it, not mailed a second time.
func (d *Reviewer) ask(ctx context.Context, t ticket.Ticket, messageID int64, req *ticket.DocsRequest) (string, error) {
	req.MessageID, req.Channel, req.Delivery = messageID, t.Channel, ticket.DocsNotSent
	if t.Channel == ticket.ChannelEmail {
		req.Delivery = ticket.DocsByEmail
		if len(req.Problems) == 0 && len(req.TooLarge) == 0 {
			opening, err := d.store.OpeningMessageID(ctx, t.ID)
			if err != nil {
				return "", err
			}
			if opening == messageID {
				req.Delivery = ticket.DocsInAck
			}
		}
	}
	data, err := toEventData(req)
	if err != nil {
		return "", err
	}
	if err := d.store.AddEvents(ctx, ticket.Event{TicketID: t.ID, Kind: ticket.EventDocumentsRequested, Data: data}); err != nil {
		return "", err
	}
	switch req.Delivery {
	case ticket.DocsByEmail:
		return req.Delivery, d.store.AddOutbox(ctx, store.TaskNotifyDocs, store.TicketTask{TicketID: t.ID, MessageID: messageID})
	case ticket.DocsNotSent:
		d.log.InfoContext(ctx, "documents request not sent: no sender for the channel; recorded for the agent",
			"ticket", t.Number, "channel", t.Channel, "missing", req.Missing, "problems", len(req.Problems),
			"too_large", len(req.TooLarge))
	}
	return req.Delivery, nil
}

func toEventData(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// summarize derives a ticket's documents from its attachments: per kind,
// ok if any is ok, else mismatch if any is, else unreadable if any is,
// else received if any is still pending, else missing. Refused files do
// not count. It also returns how many are still pending.
func summarize(atts []ticket.Attachment) (ticket.Documents, int) {
	rank := map[ticket.DocumentState]int{ticket.DocMissing: 0, ticket.DocReceived: 1, ticket.DocUnreadable: 2,
		ticket.DocMismatch: 3, ticket.DocOK: 4}
	state := map[ticket.AttachmentKind]ticket.DocumentState{}
	pending := 0
	for _, a := range atts {
		if !a.Stored {
			continue
		}
		s := ticket.DocReceived
		switch a.Check.Verdict {
		case ticket.VerdictOK:
			s = ticket.DocOK
		case ticket.VerdictMismatch:
			s = ticket.DocMismatch
		case ticket.VerdictUnreadable:
			s = ticket.DocUnreadable
		default:
			pending++
		}
		if isDocumentKind(a.Kind) && rank[s] > rank[state[a.Kind]] {
			state[a.Kind] = s
		}
	}
	get := func(k ticket.AttachmentKind) ticket.DocumentState {
		if s, ok := state[k]; ok {
			return s
		}
		return ticket.DocMissing
	}
	return ticket.Documents{KTP: get(ticket.KindKTP), Selfie: get(ticket.KindSelfie),
		VaccineCard: get(ticket.KindVaccineCard)}, pending
}

// fingerprint names the set of attachments a decision is made on: a new
// photo, whatever its verdict, makes a new one.
func fingerprint(atts []ticket.Attachment) string {
	ids := make([]string, 0, len(atts))
	for _, a := range atts {
		if a.Stored {
			ids = append(ids, strconv.FormatInt(a.ID, 10))
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return hex.EncodeToString(sum[:8])
}

// requestFor is what to ask for, or nil when all three are ok. Its key
// names each document's state and the attachments that made it, so a new
// photo that is still unusable makes a new request.
func requestFor(docs ticket.Documents, atts []ticket.Attachment) *ticket.DocsRequest {
	r := &ticket.DocsRequest{Missing: []ticket.AttachmentKind{}, Problems: []ticket.DocsProblem{}}
	var key []string
	for _, k := range documentKinds {
		s := docState(docs, k)
		switch s {
		case ticket.DocOK:
			continue
		case ticket.DocMissing, ticket.DocReceived:
			r.Missing = append(r.Missing, k)
			key = append(key, string(k)+":missing")
			continue
		}
		var ids []string
		p := ticket.DocsProblem{Kind: k, State: s}
		for _, a := range atts {
			if a.Stored && a.Kind == k && string(a.Check.Verdict) == string(s) {
				ids = append(ids, strconv.FormatInt(a.ID, 10))
				p.Reasons = a.Check.Reasons
			}
		}
		r.Problems = append(r.Problems, p)
		key = append(key, string(k)+":"+string(s)+":"+strings.Join(ids, ","))
	}
	if len(key) == 0 {
		return nil
	}
	r.Key = strings.Join(key, "|")
	return r
}

func docState(d ticket.Documents, k ticket.AttachmentKind) ticket.DocumentState {
	switch k {
	case ticket.KindKTP:
		return d.KTP
	case ticket.KindSelfie:
		return d.Selfie
	}
	return d.VaccineCard
}
