package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// EventPossibleMisuse records that a photo of the ticket came with
// another NIK on another ticket.
const EventPossibleMisuse = "possible_misuse"

// Reasons of a ticket's review rather than of the checker.
const (
	ReasonFileLost     = "berkas tidak dapat kami buka; mohon kirim ulang foto ini"
	ReasonFileTooLarge = "berkas terlalu besar; kirim foto biasa dari kamera ponsel"
)

// DefaultMaxDocumentBytes bounds what one check reads into memory. Intake
// refuses larger files already; this guards against a blob that grew.
const DefaultMaxDocumentBytes = 64 << 20

// Store is what the review of a ticket's documents needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error)
	DocumentAttachments(ctx context.Context, ticketID int64) ([]ticket.Attachment, error)
	SaveCheck(ctx context.Context, id int64, kind ticket.AttachmentKind, c ticket.Check, derivativeSHA256 string) (bool, error)
	SaveDocuments(ctx context.Context, ticketID int64, d ticket.Documents) error
	SetStatus(ctx context.Context, ticketID int64, from, to ticket.Status) (bool, error)
	DocumentsMemory(ctx context.Context, ticketID int64) (store.DocumentsMemory, error)
	RememberDocuments(ctx context.Context, ticketID int64, decided, requested string) error
	LastStatusChange(ctx context.Context, ticketID int64) (ticket.Event, error)
	ImageReuses(ctx context.Context, ticketID int64) ([]store.ImageReuse, error)
	FlagTicket(ctx context.Context, ticketID int64, warning string, e ticket.Event) (bool, error)
	AddEvents(ctx context.Context, events ...ticket.Event) error
	AddOutbox(ctx context.Context, taskType string, payload any) error
	Events(ctx context.Context, ticketID int64) ([]ticket.Event, error)
}

// Blobs is where attachments' bytes are read and derivatives written;
// *blob.Dir is one.
type Blobs interface {
	Open(sum string) (io.ReadSeekCloser, error)
	Put(r io.Reader) (sum string, size int64, err error)
	Sync() error
}

// Reviewer reviews a ticket's documents. One run, in three steps
// each safe to repeat, so a worker killed at any point leaves work the
// next run finishes with every effect happening once:
//
//  1. every stored attachment still pending is checked, its derivative
//     stored, and its check written by one UPDATE guarded by "still
//     pending";
//  2. in one transaction holding the ticket's row lock: the documents
//     summary from all its attachments, and the decision — needs_info and a
//     request to the complainant, or back to open — made once per set of
//     checked attachments (DocumentsMemory.Decided) and asking once per
//     distinct request (DocumentsMemory.Requested);
//  3. the same photo on tickets with another NIK flags both tickets, each
//     flag a warning written once with its event.
type Reviewer struct {
	store    Store
	blobs    Blobs
	checker  *Checker
	log      *slog.Logger
	MaxBytes int64 // the largest file checked; default DefaultMaxDocumentBytes
}

// NewReviewer returns a reviewer checking photos with checker, which
// every worker slot shares: it is safe for concurrent use.
func NewReviewer(s Store, blobs Blobs, checker *Checker, log *slog.Logger) *Reviewer {
	return &Reviewer{store: s, blobs: blobs, checker: checker, log: log, MaxBytes: DefaultMaxDocumentBytes}
}

// Review checks the pending attachments of ticket ticketID and acts on
// the result; messageID is the message that brought the latest ones. A
// ticket that does not exist is an error with code ENOTFOUND.
func (d *Reviewer) Review(ctx context.Context, ticketID, messageID int64) error {
	p := store.TicketTask{TicketID: ticketID, MessageID: messageID}
	t, err := d.store.TicketByRef(ctx, strconv.FormatInt(p.TicketID, 10), false)
	if err != nil {
		return fmt.Errorf("ticket %d: %w", p.TicketID, err)
	}
	atts, err := d.store.DocumentAttachments(ctx, t.ID)
	if err != nil {
		return err
	}
	checked := 0
	for _, a := range atts {
		// A refused file has no bytes to check: the answer to its mail tells of it.
		if !a.Stored || a.Check.Verdict != ticket.VerdictPending {
			continue
		}
		if err := d.checkOne(ctx, a, t.Complainant.NIK); err != nil {
			return fmt.Errorf("ticket %d: %w", t.ID, err)
		}
		checked++
	}
	out, err := d.decide(ctx, p)
	if err != nil {
		return fmt.Errorf("ticket %d: %w", t.ID, err)
	}
	flagged, err := d.flagReuse(ctx, t)
	if err != nil {
		return fmt.Errorf("ticket %d: %w", t.ID, err)
	}
	d.log.InfoContext(ctx, "documents checked", "ticket", t.Number, "checked", checked, "ktp", out.docs.KTP,
		"selfie", out.docs.Selfie, "vaccine_card", out.docs.VaccineCard, "status", out.status, "asked", out.asked,
		"misuse_flags", flagged)
	return nil
}

// checkOne checks one attachment and writes the result.
func (d *Reviewer) checkOne(ctx context.Context, a ticket.Attachment, nik string) error {
	data, err := d.read(a.SHA256)
	var res Result
	switch {
	case err == nil:
		if res, err = d.checker.Check(ctx, data, a.ContentType, a.Kind, nik); err != nil {
			return fmt.Errorf("attachment %d: %w", a.ID, err)
		}
	case errors.Is(err, errTooLarge):
		res = unusable(ReasonFileTooLarge)
	case ticket.ErrorCode(err) == ticket.ENOTFOUND:
		// Intake stores the bytes before the row, so this is lost data: an
		// error for the operators, and a request for the photo again.
		d.log.ErrorContext(ctx, "attachment bytes missing from the blob store", "attachment_id", a.ID)
		res = unusable(ReasonFileLost)
	default:
		return fmt.Errorf("attachment %d: %w", a.ID, err)
	}
	derivative := ""
	if len(res.Derivative) > 0 {
		if derivative, _, err = d.blobs.Put(bytes.NewReader(res.Derivative)); err == nil {
			err = d.blobs.Sync() // before the row names it
		}
		if err != nil {
			return fmt.Errorf("attachment %d: derivative: %w", a.ID, err)
		}
	}
	_, err = d.store.SaveCheck(ctx, a.ID, checkedKind(a.Kind, res.Kind), res.Check, derivative)
	return err
}

var errTooLarge = errors.New("file too large")

func (d *Reviewer) read(sum string) ([]byte, error) {
	f, err := d.blobs.Open(sum)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, d.MaxBytes+1))
	if err == nil && int64(len(data)) > d.MaxBytes {
		return nil, errTooLarge
	}
	return data, err
}

func unusable(reason string) Result {
	return Result{Kind: ticket.KindUnknown, Check: ticket.Check{Verdict: ticket.VerdictUnreadable,
		Reasons: []string{reason}, Scores: map[string]float64{}}}
}

// checkedKind is an attachment's kind after its check. A claim of one of
// the three documents stays: the verdict judged the photo against it (ok:
// it shows what was claimed, perhaps more, like the KTP held in a selfie;
// mismatch: it does not, and the reasons say what it looks like), so the
// summary and the request to the complainant name the document that is
// still needed. Otherwise (unknown, other) what the checker saw is kept.
func checkedKind(claimed, detected ticket.AttachmentKind) ticket.AttachmentKind {
	if ticket.IsRequiredDocument(claimed) || detected == ticket.KindUnknown || detected == "" {
		return claimed
	}
	return detected
}

// MisuseWarning is the warning a ticket gets when one of its photos came
// with another NIK on the ticket numbered other.
func MisuseWarning(other string) string {
	return "Foto yang sama dipakai dengan NIK lain (tiket " + other + ")"
}

// flagReuse flags the ticket and every other ticket holding one of its
// photos under another NIK, each once, and returns how many flags were new.
func (d *Reviewer) flagReuse(ctx context.Context, t ticket.Ticket) (int, error) {
	reuses, err := d.store.ImageReuses(ctx, t.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	flag := func(id int64, warning string, data map[string]any) error {
		added, err := d.store.FlagTicket(ctx, id, warning, ticket.Event{TicketID: id, Kind: EventPossibleMisuse, Data: data})
		if added {
			n++
		}
		return err
	}
	for _, r := range reuses {
		if err := flag(t.ID, MisuseWarning(r.OtherNumber), map[string]any{"other_ticket_id": r.OtherTicketID,
			"other_ticket": r.OtherNumber, "attachment_id": r.AttachmentID}); err != nil {
			return n, err
		}
		if err := flag(r.OtherTicketID, MisuseWarning(t.Number), map[string]any{"other_ticket_id": t.ID,
			"other_ticket": t.Number, "attachment_id": r.OtherAttachmentID}); err != nil {
			return n, err
		}
	}
	if n > 0 {
		d.log.WarnContext(ctx, "possible misuse: the same photo under another NIK", "ticket", t.Number, "flags", n)
	}
	return n, nil
}
