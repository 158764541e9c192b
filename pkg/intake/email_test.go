package intake_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

func mail(sourceID string) intake.Inbound {
	return intake.Inbound{Channel: ticket.ChannelEmail, SourceID: sourceID, Subject: "Sertifikat belum keluar",
		Body: "Nama: Siti", Category: ticket.CategoryCertificateMissing, Ack: true,
		Complainant: ticket.Complainant{Name: "Siti", NIK: nikSiti, Email: "siti@warga.test"}}
}

// ourAck stores the acknowledgement we sent for res's ticket, as the
// worker does, and returns its Message-ID.
func (f fixture) ourAck(t *testing.T, res intake.Result) string {
	t.Helper()
	id := "<ack." + res.Ticket.Number + "@kemkes.test>"
	m := ticket.Message{TicketID: res.Ticket.ID, Direction: ticket.Outbound, Channel: ticket.ChannelEmail,
		SourceID: id, Kind: ticket.KindAck, Status: ticket.DeliverySent, Recipient: "siti@warga.test"}
	if err := f.s.AddMessage(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestIngestEmailThreading(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		reply  func(f fixture, first intake.Result, ack string) intake.Inbound
		thread bool // lands on the first ticket
	}{
		{"In-Reply-To our ack", func(f fixture, first intake.Result, ack string) intake.Inbound {
			r := mail("<r1@warga.test>")
			r.ThreadRefs = []string{ack}
			return r
		}, true},
		{"ticket number in the subject", func(f fixture, first intake.Result, ack string) intake.Inbound {
			r := mail("<r2@warga.test>")
			r.ThreadNumber = first.Ticket.Number
			return r
		}, true},
		{"a reply with the same NIK and no headers", func(f fixture, first intake.Result, ack string) intake.Inbound {
			r := mail("<r3@warga.test>")
			r.LooksLikeReply = true
			return r
		}, true},
		{"a new mail from the same person", func(f fixture, first intake.Result, ack string) intake.Inbound {
			return mail("<r4@warga.test>")
		}, false},
		{"empty and unknown ids never match", func(f fixture, first intake.Result, ack string) intake.Inbound {
			r := mail("<r5@warga.test>")
			r.ThreadRefs = []string{"", "<>", "<unknown@x>"}
			r.ThreadNumber = "PL-000000-000000"
			return r
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			first := f.ingest(t, mail("<m1@warga.test>"))
			tk := f.ticket(t, first.Ticket.ID)
			tk.Status = ticket.StatusPending
			if err := f.s.SaveTicket(ctx, &tk); err != nil {
				t.Fatal(err)
			}
			res := f.ingest(t, tt.reply(f, first, f.ourAck(t, first)))
			if got := res.Ticket.ID == first.Ticket.ID; got != tt.thread || res.Created == tt.thread {
				t.Fatalf("landed on the first ticket: %v (created %v), want %v", got, res.Created, tt.thread)
			}
			if tt.thread && f.ticket(t, first.Ticket.ID).Status != ticket.StatusOpen {
				t.Errorf("a reply should put the pending ticket back to open")
			}
		})
	}
}

func TestIngestAutomaticMail(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first := f.ingest(t, mail("<m1@warga.test>"))
	tk := f.ticket(t, first.Ticket.ID)
	tk.Status = ticket.StatusPending
	if err := f.s.SaveTicket(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	ack := f.ourAck(t, first)
	before := f.counts(t)

	ooo := mail("<ooo1@warga.test>")
	ooo.Automatic, ooo.Ack, ooo.ThreadRefs = "auto-submitted", false, []string{ack}
	res := f.ingest(t, ooo)
	if res.Ticket.ID != first.Ticket.ID || res.Created {
		t.Fatalf("an auto-reply to our ack should be kept on that ticket, got %+v", res)
	}
	if st := f.ticket(t, first.Ticket.ID).Status; st != ticket.StatusPending {
		t.Errorf("an auto-reply changed the status to %s", st)
	}
	after := f.counts(t)
	if after.outbox != before.outbox || after.tickets != before.tickets {
		t.Errorf("an auto-reply created work or tickets: before %+v after %+v", before, after)
	}

	bulk := mail("<bulk1@list.test>")
	bulk.Automatic, bulk.Ack = "precedence", false
	if res := f.ingest(t, bulk); !res.Ignored || res.Created {
		t.Fatalf("automatic mail on no ticket should be ignored, got %+v", res)
	}
	if res := f.ingest(t, bulk); !res.Ignored {
		t.Fatalf("the same ignored mail again: %+v", res)
	}
	ignored, err := f.s.IgnoredMails(ctx, 0, 10)
	if err != nil || len(ignored) != 1 || ignored[0].Reason != "precedence" {
		t.Fatalf("ignored mail = %+v, %v; want it once with its reason", ignored, err)
	}

	bounce := mail("<dsn1@mx.test>")
	bounce.Automatic, bounce.Ack, bounce.Bounced = "bounce", false, ack
	f.ingest(t, bounce)
	out, err := f.s.MessageBySource(ctx, ticket.ChannelEmail, ack)
	if err != nil || out.Status != ticket.DeliveryFailed {
		t.Fatalf("our bounced ack = %+v, %v; want failed", out, err)
	}
	if f.counts(t).tickets != before.tickets {
		t.Errorf("automatic mail opened a ticket")
	}
}

func TestIngestEmailWritesAckAndChecks(t *testing.T) {
	f := newFixture(t)
	m := mail("<m1@warga.test>")
	m.Attachments = []ticket.Attachment{{Filename: "ktp.jpg", ContentType: "image/jpeg", SHA256: "ab", Size: 10,
		Stored: true, Kind: ticket.KindKTP}}
	res := f.ingest(t, m)
	items, err := f.s.PendingOutbox(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, it := range items {
		types = append(types, it.TaskType)
	}
	want := []string{store.TaskDocumentsCheck, store.TaskTicketRoute, store.TaskNotifyAck}
	if len(types) != 3 || types[0] != want[0] || types[1] != want[1] || types[2] != want[2] {
		t.Errorf("outbox = %v, want %v", types, want)
	}
	atts, err := f.s.Attachments(context.Background(), res.Ticket.ID)
	if err != nil || len(atts) != 1 || atts[0].MessageID != res.Message.ID {
		t.Errorf("attachments = %+v, %v", atts, err)
	}
}

// A later mail that brings files gets its checks and one answer, both for
// that mail; one without files, or sent by a machine, gets neither.
func TestIngestEmailReplyWithFilesWritesChecksAndAnswer(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first := f.ingest(t, mail("<m1@warga.test>"))
	ack := f.ourAck(t, first)
	before, err := f.s.PendingOutbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	photo := ticket.Attachment{Filename: "ktp.jpg", ContentType: "image/jpeg", SHA256: "cd", Size: 10, Stored: true,
		Kind: ticket.KindKTP}
	replies := []struct {
		id        string
		files     bool
		automatic string
		want      []string
	}{
		{"<r1@warga.test>", true, "", []string{store.TaskDocumentsCheck, store.TaskNotifyAck}},
		{"<r2@warga.test>", false, "", nil},
		{"<r3@warga.test>", true, "auto-submitted", nil},
	}
	seen := len(before)
	for _, r := range replies {
		in := mail(r.id)
		in.ThreadRefs = []string{ack}
		if r.files {
			in.Attachments = []ticket.Attachment{photo}
		}
		if r.automatic != "" {
			in.Automatic, in.Ack = r.automatic, false
		}
		res := f.ingest(t, in)
		if res.Created || res.Ticket.ID != first.Ticket.ID {
			t.Fatalf("%s did not thread onto the ticket", r.id)
		}
		items, err := f.s.PendingOutbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items[seen:] {
			var p store.TicketTask
			if it.TaskType == store.TaskTicketRoute {
				continue // offering the reopened ticket to an agent
			}
			if err := json.Unmarshal(it.Payload, &p); err != nil || p.MessageID != res.Message.ID {
				t.Errorf("%s: %s for %s, want for message %d", r.id, it.TaskType, it.Payload, res.Message.ID)
			}
			got = append(got, it.TaskType)
		}
		seen = len(items)
		if !slices.Equal(got, r.want) {
			t.Errorf("%s: outbox %v, want %v", r.id, got, r.want)
		}
	}
}
