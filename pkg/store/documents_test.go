package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// withPhoto stores an inbound message on tk carrying one attachment with
// the given sha256, and returns the attachment.
func withPhoto(t *testing.T, s *store.Store, tk ticket.Ticket, sum string, kind ticket.AttachmentKind, automatic bool) ticket.Attachment {
	t.Helper()
	ctx := context.Background()
	m := ticket.Message{TicketID: tk.ID, Direction: ticket.Inbound, Channel: tk.Channel}
	if automatic {
		m.Kind, m.Automatic = ticket.KindAutomatic, "auto-replied"
	}
	if err := s.AddMessage(ctx, &m); err != nil {
		t.Fatal(err)
	}
	a := ticket.Attachment{TicketID: tk.ID, MessageID: m.ID, Filename: string(kind) + ".jpg", ContentType: "image/jpeg",
		Size: 1000, SHA256: sum, Stored: true, Kind: kind}
	if err := s.AddAttachment(ctx, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDocumentChecksWriteOnlyTheirColumns(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	c := mustComplainant(t, s, ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001"})
	tk := mustTicket(t, s, ticket.Ticket{ComplainantID: c.ID, Category: ticket.CategoryCertificateMissing,
		Queue: "sertifikat", Priority: ticket.PriorityHigh})
	ktp := withPhoto(t, s, tk, strings.Repeat("a", 64), ticket.KindKTP, false)
	withPhoto(t, s, tk, strings.Repeat("b", 64), ticket.KindKTP, true)

	atts, err := s.DocumentAttachments(ctx, tk.ID)
	if err != nil || len(atts) != 1 || atts[0].ID != ktp.ID {
		t.Fatalf("DocumentAttachments = %+v, %v; want the KTP only, not the auto-reply's file", atts, err)
	}

	check := ticket.Check{Verdict: ticket.VerdictUnreadable, Reasons: []string{"foto buram"},
		Scores: map[string]float64{"blur": 3.5}}
	der := strings.Repeat("d", 64)
	if wrote, err := s.SaveCheck(ctx, ktp.ID, ticket.KindKTP, check, der); err != nil || !wrote {
		t.Fatalf("SaveCheck = %v, %v", wrote, err)
	}
	again := ticket.Check{Verdict: ticket.VerdictOK}
	if wrote, err := s.SaveCheck(ctx, ktp.ID, ticket.KindSelfie, again, ""); err != nil || wrote {
		t.Fatalf("second SaveCheck = %v, %v; want nothing written once checked", wrote, err)
	}
	got, err := s.Attachment(ctx, tk.ID, ktp.ID)
	if err != nil || got.Kind != ticket.KindKTP || got.Check.Verdict != ticket.VerdictUnreadable ||
		got.Check.Reasons[0] != "foto buram" || got.Check.Scores["blur"] != 3.5 {
		t.Fatalf("attachment after checks: %+v, %v", got, err)
	}
	if sum, err := s.DerivativeSHA256(ctx, ktp.ID); err != nil || sum != der {
		t.Fatalf("DerivativeSHA256 = %q, %v", sum, err)
	}

	// The summary and the status leave the agents' fields alone.
	docs := ticket.Documents{KTP: ticket.DocUnreadable, Selfie: ticket.DocMissing, VaccineCard: ticket.DocOK}
	if err := s.SaveDocuments(ctx, tk.ID, docs); err != nil {
		t.Fatal(err)
	}
	if moved, err := s.SetStatus(ctx, tk.ID, ticket.StatusNew, ticket.StatusNeedsInfo); err != nil || !moved {
		t.Fatalf("SetStatus = %v, %v", moved, err)
	}
	if moved, err := s.SetStatus(ctx, tk.ID, ticket.StatusNew, ticket.StatusOpen); err != nil || moved {
		t.Fatalf("SetStatus from a status it is not in = %v, %v; want no change", moved, err)
	}
	back, err := s.TicketByRef(ctx, tk.Number, false)
	if err != nil || back.Documents != docs || back.Status != ticket.StatusNeedsInfo || back.Queue != "sertifikat" ||
		back.Priority != ticket.PriorityHigh {
		t.Fatalf("ticket after the checks' writes: %+v, %v", back, err)
	}

	// The memory of decisions and requests.
	if mem, err := s.DocumentsMemory(ctx, tk.ID); err != nil || mem.Decided != "" || len(mem.Requested) != 0 {
		t.Fatalf("fresh memory = %+v, %v", mem, err)
	}
	for _, step := range []struct{ decided, requested string }{{"f1", "ktp:missing"}, {"f2", ""}, {"f3", "ktp:missing"}, {"f4", "selfie:missing"}} {
		if err := s.RememberDocuments(ctx, tk.ID, step.decided, step.requested); err != nil {
			t.Fatal(err)
		}
	}
	mem, err := s.DocumentsMemory(ctx, tk.ID)
	if err != nil || mem.Decided != "f4" || !slices.Equal(mem.Requested, []string{"ktp:missing", "selfie:missing"}) {
		t.Fatalf("memory = %+v, %v; want the last fingerprint and each request once", mem, err)
	}
	if _, err := s.DocumentsMemory(ctx, 999999); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Fatalf("memory of no ticket: %v", err)
	}

	if _, err := s.LastStatusChange(ctx, tk.ID); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Fatalf("LastStatusChange with none: %v", err)
	}
	if err := s.AddEvents(ctx, ticket.Event{TicketID: tk.ID, Kind: ticket.EventStatusChanged,
		Data: map[string]any{"to": "needs_info", "reason": "documents"}}, ticket.Event{TicketID: tk.ID, Kind: "note_added"}); err != nil {
		t.Fatal(err)
	}
	if e, err := s.LastStatusChange(ctx, tk.ID); err != nil || e.Data["reason"] != "documents" {
		t.Fatalf("LastStatusChange = %+v, %v", e, err)
	}
	if id, err := s.OpeningMessageID(ctx, tk.ID); err != nil || id != ktp.MessageID {
		t.Fatalf("OpeningMessageID = %d, %v; want %d", id, err, ktp.MessageID)
	}
	if n := storetest.Count(t, dbURL, "SELECT count(*) FROM tickets WHERE id = $1 AND updated_at > created_at", tk.ID); n != 1 {
		t.Fatal("the checks' writes did not touch updated_at")
	}
}

func TestImageReusesAndFlags(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	siti := mustComplainant(t, s, ticket.Complainant{Name: "Siti", NIK: "3201014508850001"})
	budi := mustComplainant(t, s, ticket.Complainant{Name: "Budi", NIK: "3171012304900002"})
	anon := mustComplainant(t, s, ticket.Complainant{Name: "Tanpa NIK", Email: "anon@warga.test"})
	a := mustTicket(t, s, ticket.Ticket{ComplainantID: siti.ID})
	a2 := mustTicket(t, s, ticket.Ticket{ComplainantID: siti.ID})
	b := mustTicket(t, s, ticket.Ticket{ComplainantID: budi.ID})
	n := mustTicket(t, s, ticket.Ticket{ComplainantID: anon.ID})
	photo, logo, form := strings.Repeat("1", 64), strings.Repeat("2", 64), strings.Repeat("3", 64)
	mine := withPhoto(t, s, a, photo, ticket.KindKTP, false)
	withPhoto(t, s, a2, photo, ticket.KindKTP, false) // the same person again: no misuse
	theirs := withPhoto(t, s, b, photo, ticket.KindUnknown, false)
	withPhoto(t, s, n, photo, ticket.KindKTP, false) // no NIK to compare
	withPhoto(t, s, a, logo, ticket.KindKTP, false)
	withPhoto(t, s, b, logo, ticket.KindKTP, true) // an auto-reply's logo
	withPhoto(t, s, a, form, ticket.KindOther, false)
	withPhoto(t, s, b, form, ticket.KindOther, false) // a form everyone downloads

	got, err := s.ImageReuses(ctx, a.ID)
	want := []store.ImageReuse{{AttachmentID: mine.ID, OtherTicketID: b.ID, OtherNumber: b.Number, OtherAttachmentID: theirs.ID}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("ImageReuses = %+v, %v; want %+v", got, err, want)
	}

	e := ticket.Event{TicketID: a.ID, Kind: "possible_misuse", Data: map[string]any{"other_ticket_id": b.ID}}
	for i, want := range []bool{true, false} {
		if added, err := s.FlagTicket(ctx, a.ID, "Foto yang sama dipakai dengan NIK lain (tiket "+b.Number+")", e); err != nil || added != want {
			t.Fatalf("FlagTicket #%d = %v, %v; want %v", i+1, added, err, want)
		}
	}
	back, err := s.TicketByRef(ctx, a.Number, false)
	if err != nil || len(back.Warnings) != 1 || !strings.Contains(back.Warnings[0], b.Number) {
		t.Fatalf("warnings = %q, %v", back.Warnings, err)
	}
	if n := storetest.Count(t, dbURL, "SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'possible_misuse'", a.ID); n != 1 {
		t.Fatalf("%d possible_misuse events, want 1", n)
	}
}
