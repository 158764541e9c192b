package documents_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

const (
	budiNIK    = "3171012304900002"
	budiLama   = "budi.lama@warga.test"
	budiBaru   = "budi.baru@warga.test"
	budiKantor = "budi.kantor@kantor.test"
)

// A complainant known by NIK who writes from a new address keeps the old
// one on record; the help desk's mail goes where the mail came from.
func TestMailGoesWhereTheComplaintCameFrom(t *testing.T) {
	ctx := context.Background()
	f := newDocsFixture(t)
	budi := func(address string) func(*intake.Inbound) {
		return func(in *intake.Inbound) {
			in.Complainant = ticket.Complainant{Name: "Budi Santoso", NIK: budiNIK, Email: address}
			in.Sender = address
		}
	}
	first := f.complaint(t, "<budi-1@warga.test>", ticket.CategoryAppIssue, nil, budi(budiLama))
	atts := f.goodSet(t)
	atts[0] = f.photo(t, "ktp.jpg", ticket.KindKTP, blurred(ktpPhoto(1)))
	res := f.complaint(t, "<budi-2@warga.test>", ticket.CategoryCertificateMissing, atts, budi(budiBaru))
	id := res.Ticket.ID
	if tk := f.ticket(t, id); id == first.Ticket.ID || tk.Complainant.Email != budiLama {
		t.Fatalf("ticket %d of complainant %s; want a new ticket of the complainant on record as %s",
			id, tk.Complainant.Email, budiLama)
	}

	// The acknowledgement, and the request for a readable KTP.
	for _, task := range f.outboxTasks(t, store.TaskNotifyAck, id) {
		if err := f.notifier.Ack(ctx, task.TicketID, task.MessageID); err != nil {
			t.Fatal(err)
		}
	}
	f.runChecks(t, id)
	f.sendDocs(t, id)

	// An agent's reply.
	agent := ticket.User{Email: "agen@kemkes.go.id", Name: "Agen", Role: ticket.RoleAgent}
	if err := f.store.CreateUser(ctx, &agent, "not-checked"); err != nil {
		t.Fatal(err)
	}
	d := desk.New(f.store, f.blobs)
	reply := func() ticket.Message {
		t.Helper()
		m, err := d.Reply(ctx, agent, fmt.Sprint(id), "Mohon tunggu, data Anda sedang kami periksa.")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.notifier.Reply(ctx, id, m.ID); err != nil {
			t.Fatal(err)
		}
		return m
	}
	r := reply()

	mails := f.mx.Received()
	if len(mails) != 3 {
		t.Fatalf("%d mails, want the acknowledgement, the documents request and the reply", len(mails))
	}
	for i, what := range []string{"acknowledgement", "documents request", "reply"} {
		if to := mails[i].To; len(to) != 1 || to[0] != budiBaru {
			t.Errorf("the %s went to %v, want %s", what, to, budiBaru)
		}
		out, err := f.store.MessageBySource(ctx, ticket.ChannelEmail, mails[i].Header.Get("Message-ID"))
		if err != nil || out.Recipient != budiBaru {
			t.Errorf("the %s's row: recipient %q, %v; want %s", what, out.Recipient, err, budiBaru)
		}
	}
	if r.Recipient != budiBaru {
		t.Errorf("desk.Reply stored recipient %q, want %s", r.Recipient, budiBaru)
	}

	// Budi answers from the office, and an auto-reply follows: the next
	// reply goes to the office, the thread he is on now.
	for _, in := range []intake.Inbound{
		{Channel: ticket.ChannelEmail, SourceID: "<budi-3@kantor.test>", ThreadRefs: []string{"<budi-2@warga.test>"},
			Body: "Sudah saya kirim ulang.", Sender: budiKantor, Complainant: ticket.Complainant{Email: budiKantor}},
		{Channel: ticket.ChannelEmail, SourceID: "<auto-1@kantor.test>", ThreadRefs: []string{"<budi-3@kantor.test>"},
			Body: "Saya sedang cuti.", Sender: "noreply@kantor.test", Automatic: "auto-replied",
			Complainant: ticket.Complainant{Email: "noreply@kantor.test"}},
	} {
		if got, err := f.ingester.Ingest(ctx, in); err != nil || got.Ticket.ID != id {
			t.Fatalf("ingest %s: %+v, %v; want it on ticket %d", in.SourceID, got, err, id)
		}
	}
	if r := reply(); r.Recipient != budiKantor {
		t.Errorf("the second reply: recipient %q, want %s", r.Recipient, budiKantor)
	}
	if mails := f.mx.Received(); len(mails) != 4 || mails[3].To[0] != budiKantor {
		t.Fatalf("%d mails, the last to %v; want a fourth, to %s", len(mails), mails[len(mails)-1].To, budiKantor)
	}
}
