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
// missing, or back to open when all is there. It runs under the ticket's
// row lock, which every writer of the ticket's status takes too (intake,
// agents, routing), and so does the answer to a complainant's mail: two
// runs for the same ticket decide one after the other, each on what the
// other committed, and an answer either sees the decision's checks or
// went before them. Its writes touch only the columns it owns, so it
// overwrites nobody's other changes.
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
		docs, pending := ticket.DocumentsOf(atts)
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
		// With pending ones, their checks decide when they are done.
		fp := fingerprint(atts)
		if pending > 0 || !t.Category.NeedsDocuments() || mem.Decided == fp {
			return nil
		}
		req, status, err := d.judge(ctx, t, docs, atts, mem)
		if err != nil {
			return err
		}
		out.status = status
		if req != nil {
			if out.asked, err = d.ask(ctx, t, p.MessageID, req); err != nil {
				return err
			}
		}
		return d.remember(ctx, t.ID, fp, req)
	})
	return out, err
}

// judge decides on a ticket's checked photos: back to open when all three
// are ok, else needs_info and the request to make, nil when the same was
// asked before or the ticket is no longer worked.
func (d *Reviewer) judge(ctx context.Context, t ticket.Ticket, docs ticket.Documents, atts []ticket.Attachment,
	mem store.DocumentsMemory) (*ticket.DocsRequest, ticket.Status, error) {
	req := ticket.RequestFor(docs, atts)
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

// remember records a new decision and the key of the request made on it,
// if any.
func (d *Reviewer) remember(ctx context.Context, ticketID int64, decided string, req *ticket.DocsRequest) error {
	key := ""
	if req != nil {
		key = req.Key
	}
	return d.store.RememberDocuments(ctx, ticketID, decided, key)
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

// ask records the request and has it told through the ticket's channel,
// returning how. By email, the one answer to the mail whose photos were
// checked tells it with the checks' results; only when that answer went
// before the checks were done (it said the photos were being checked) is
// the request mailed on its own. Email is the only channel with a sender
// yet; on the others the event is the record, for the agent to pass on.
func (d *Reviewer) ask(ctx context.Context, t ticket.Ticket, messageID int64, req *ticket.DocsRequest) (string, error) {
	req.MessageID, req.Channel, req.Delivery = messageID, t.Channel, ticket.DocsNotSent
	if t.Channel == ticket.ChannelEmail {
		events, err := d.store.Events(ctx, t.ID)
		if err != nil {
			return "", err
		}
		req.Delivery = ticket.DocsInAck
		if answer, ok := ticket.AnswerTo(events, messageID); ok && !answer.PhotosChecked {
			req.Delivery = ticket.DocsByEmail
		}
	}
	if t.Channel == ticket.ChannelWhatsApp {
		req.Delivery = ticket.DocsByWhatsApp
	}
	data, err := toEventData(req)
	if err != nil {
		return "", err
	}
	if err := d.store.AddEvents(ctx, ticket.Event{TicketID: t.ID, Kind: ticket.EventDocumentsRequested, Data: data}); err != nil {
		return "", err
	}
	switch req.Delivery {
	case ticket.DocsByEmail, ticket.DocsByWhatsApp:
		return req.Delivery, d.store.AddOutbox(ctx, store.TaskNotifyDocs, store.TicketTask{TicketID: t.ID, MessageID: messageID})
	case ticket.DocsNotSent:
		d.log.InfoContext(ctx, "documents request not sent: no sender for the channel; recorded for the agent",
			"ticket", t.Number, "channel", t.Channel, "missing", req.Missing, "problems", len(req.Problems))
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
