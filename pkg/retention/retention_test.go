package retention_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/retention"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var (
	now       = time.Date(2023, 6, 1, 10, 0, 0, 0, time.UTC)
	longAgo   = now.AddDate(0, -14, 0) // past a 12-month period
	lately    = now.AddDate(0, -2, 0)  // within it
	quietLog  = slog.New(slog.NewTextHandler(io.Discard, nil))
	yearAfter = retention.Settings{Period: retention.DefaultPeriod}
)

// fixture is a store and a blob folder with people and tickets in them.
type fixture struct {
	t     *testing.T
	s     *store.Store
	dbURL string
	blobs *blob.Dir
}

func newFixture(t *testing.T) *fixture {
	s, dbURL := storetest.New(t)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, s: s, dbURL: dbURL, blobs: blobs}
}

func (f *fixture) purger(settings retention.Settings) *retention.Purger {
	p := retention.NewPurger(f.s, f.blobs, settings, quietLog)
	p.Now = func() time.Time { return now }
	return p
}

func (f *fixture) person(name, nik, phone string) ticket.Complainant {
	f.t.Helper()
	birth := time.Date(1985, 8, 5, 0, 0, 0, 0, time.UTC)
	c := ticket.Complainant{Name: name, NIK: nik, Phone: phone, Email: strings.ToLower(strings.Fields(name)[0]) + "@contoh.id",
		BirthPlace: "Bogor", BirthDate: &birth}
	if err := f.s.CreateComplainant(context.Background(), &c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// ticket stores a ticket of c created (and, when status is closed,
// closed) at the given time.
func (f *fixture) ticket(c ticket.Complainant, status ticket.Status, at time.Time) ticket.Ticket {
	f.t.Helper()
	tk := ticket.Ticket{Channel: ticket.ChannelEmail, Category: ticket.CategoryCertificateMissing, Status: status,
		Priority: ticket.PriorityNormal, ComplainantID: c.ID, Documents: ticket.NoDocuments, CreatedAt: at,
		Subject: "Sertifikat belum muncul", Description: "NIK saya " + c.NIK}
	if err := f.s.CreateTicket(context.Background(), &tk); err != nil {
		f.t.Fatal(err)
	}
	return tk
}

// blob stores b and dates its file back, as a blob written long ago.
func (f *fixture) blob(b string) string {
	f.t.Helper()
	sum, _, err := f.blobs.Put(strings.NewReader(b))
	if err != nil {
		f.t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(f.blobs.Path(sum), old, old); err != nil {
		f.t.Fatal(err)
	}
	return sum
}

// mail adds an inbound mail to tk with its raw bytes and a photo.
func (f *fixture) mail(tk ticket.Ticket, rawSum, photoSum string) {
	f.t.Helper()
	ctx := context.Background()
	m := ticket.Message{TicketID: tk.ID, Direction: ticket.Inbound, Channel: tk.Channel, Subject: "Sertifikat",
		Body: "Nama: Siti, NIK 3201014508850001, HP 081110500567", HTML: "<p>NIK 3201014508850001</p>",
		Sender: "siti@contoh.id", RawSHA256: rawSum}
	if err := f.s.AddMessage(ctx, &m); err != nil {
		f.t.Fatal(err)
	}
	a := ticket.Attachment{TicketID: tk.ID, MessageID: m.ID, Filename: "KTP_3201014508850001.jpg",
		ContentType: "image/jpeg", Size: 1234, SHA256: photoSum, Stored: true, Kind: ticket.KindKTP}
	if err := f.s.AddAttachment(ctx, &a); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	return storetest.Count(f.t, f.dbURL, sql, args...)
}

func (f *fixture) blobExists(sum string) bool {
	_, err := os.Stat(f.blobs.Path(sum))
	return err == nil
}

func TestPurge(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := ticket.User{Email: "admin@kemkes.go.id", Name: "Admin", Role: ticket.RoleAdmin}
	if err := f.s.CreateUser(ctx, &admin, "x"); err != nil {
		t.Fatal(err)
	}
	shared, rawA, rawB, rawC, rawD := f.blob("photo sent twice"), f.blob("raw A"), f.blob("raw B"), f.blob("raw C"), f.blob("raw D")

	// A: one ticket closed long ago; their photo was also sent on D's recent ticket.
	a := f.person("Siti Aminah", "3201014508850001", "+6281110500567")
	ta := f.ticket(a, ticket.StatusClosed, longAgo)
	f.mail(ta, rawA, shared)
	// B: closed long ago, but on hold.
	b := f.person("Budi Santoso", "3201010101900002", "+6281110500568")
	tb := f.ticket(b, ticket.StatusClosed, longAgo)
	f.mail(tb, rawB, f.blob("photo B"))
	if err := f.s.SetHold(ctx, tb.ID, ticket.LegalHold{Reason: "Permintaan penegak hukum", SetBy: admin.ID}); err != nil {
		t.Fatal(err)
	}
	// C: one ticket closed long ago, another still open.
	c := f.person("Citra Lestari", "3201014708920003", "+6281110500569")
	tc := f.ticket(c, ticket.StatusResolved, longAgo)
	f.mail(tc, rawC, f.blob("photo C"))
	tcOpen := f.ticket(c, ticket.StatusOpen, longAgo)
	// D: closed within the period.
	d := f.person("Dewi Sartika", "3201014808950004", "+6281110500570")
	td := f.ticket(d, ticket.StatusClosed, lately)
	f.mail(td, rawD, shared)

	// Mail outside tickets: an auto-reply and a broken mail from long ago, an auto-reply of late.
	rawI, rawQ, rawLate := f.blob("auto-reply"), f.blob("broken mail"), f.blob("auto-reply of late")
	storetest.Exec(t, f.dbURL, `INSERT INTO ignored_mail (source_id, raw_sha256, from_address, subject, reason, created_at)
		VALUES ('<old@x>', $1, 'siti@contoh.id', 'Out of office', 'auto-replied', $3),
			('<late@x>', $2, 'budi@contoh.id', 'Out of office', 'auto-replied', $4)`, rawI, rawLate, longAgo, lately)
	storetest.Exec(t, f.dbURL, `INSERT INTO quarantined_mail (mailbox, uid_validity, uid, raw_sha256, size, reason, created_at)
		VALUES ('INBOX', 1, 7, $1, 11, 'broken MIME', $2)`, rawQ, longAgo)

	p := f.purger(retention.Settings{Period: retention.DefaultPeriod, BatchSize: 1}) // one ticket a batch: batches join up
	due, err := p.Due(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := store.PurgeCounts{Tickets: 2, Messages: 2, RawMails: 2, Attachments: 2, Bytes: 2 * 1234, Complainants: 1,
		MailLists: 2}
	if due.PurgeCounts != want {
		t.Fatalf("dry run = %+v, want %+v", due.PurgeCounts, want)
	}
	if n := f.count(`SELECT count(*) FROM tickets WHERE purged_at IS NOT NULL`); n != 0 {
		t.Fatalf("the dry run purged %d tickets", n)
	}

	got, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.PurgeCounts != want || got.BlobsDeleted != 5 || got.BlobsQueued != 0 { // rawA, rawC, photo C, rawI, rawQ; shared stays
		t.Fatalf("run = %+v, want %+v, 5 blobs deleted", got, want)
	}

	t.Run("purged tickets keep their rows, lose their texts and bytes", func(t *testing.T) {
		for _, tk := range []ticket.Ticket{ta, tc} {
			if n := f.count(`SELECT count(*) FROM tickets WHERE id = $1 AND purged_at IS NOT NULL AND subject = ''
				AND description = '' AND status IN ('closed', 'resolved') AND finished_at IS NOT NULL`, tk.ID); n != 1 {
				t.Errorf("ticket %d not purged as it should be", tk.ID)
			}
			if n := f.count(`SELECT count(*) FROM messages WHERE ticket_id = $1 AND body = '' AND html = ''
				AND subject = '' AND sender = '' AND raw_sha256 = ''`, tk.ID); n != 1 {
				t.Errorf("ticket %d: %d purged messages, want its one message kept, emptied", tk.ID, n)
			}
			if n := f.count(`SELECT count(*) FROM attachments WHERE ticket_id = $1 AND NOT stored
				AND refused_reason = 'purged' AND sha256 = '' AND filename = '' AND size = 1234 AND kind = 'ktp'`, tk.ID); n != 1 {
				t.Errorf("ticket %d: attachment not purged as it should be", tk.ID)
			}
			if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'retention_purge' AND subject = $1
				AND actor_id IS NULL AND reason LIKE 'retensi 12mo%'`, "ticket:"+itoa(tk.ID)); n != 1 {
				t.Errorf("ticket %d: %d purge audit rows, want 1", tk.ID, n)
			}
		}
	})
	t.Run("held, open and recent tickets are kept whole", func(t *testing.T) {
		for _, tk := range []ticket.Ticket{tb, tcOpen, td} {
			if n := f.count(`SELECT count(*) FROM tickets WHERE id = $1 AND purged_at IS NULL AND subject <> ''`, tk.ID); n != 1 {
				t.Errorf("ticket %d was purged", tk.ID)
			}
		}
		if n := f.count(`SELECT count(*) FROM messages WHERE ticket_id IN ($1, $2) AND body <> '' AND raw_sha256 <> ''`, tb.ID, td.ID); n != 2 {
			t.Errorf("%d messages of the held and recent tickets kept, want 2", n)
		}
	})
	t.Run("a blob is deleted only when no row names it", func(t *testing.T) {
		for sum, keep := range map[string]bool{shared: true, rawB: true, rawD: true, rawLate: true, rawA: false, rawC: false,
			rawI: false, rawQ: false} {
			if f.blobExists(sum) != keep {
				t.Errorf("blob %.8s exists = %v, want %v", sum, !keep, keep)
			}
		}
	})
	t.Run("old ignored and quarantined mail is emptied, recent mail kept", func(t *testing.T) {
		if n := f.count(`SELECT count(*) FROM ignored_mail WHERE raw_sha256 = '' AND from_address = '' AND subject = ''
			AND source_id = '<old@x>'`); n != 1 {
			t.Error("the old ignored mail was not emptied")
		}
		if n := f.count(`SELECT count(*) FROM ignored_mail WHERE raw_sha256 <> '' AND source_id = '<late@x>'`); n != 1 {
			t.Error("the recent ignored mail was emptied")
		}
		if n := f.count(`SELECT count(*) FROM quarantined_mail WHERE raw_sha256 = '' AND reason = 'broken MIME'`); n != 1 {
			t.Error("the old quarantined mail was not emptied")
		}
		if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'retention_purge'
			AND (subject LIKE 'ignored_mail:%' OR subject LIKE 'quarantined_mail:%')`); n != 2 {
			t.Errorf("%d mail purges audited, want 2", n)
		}
	})
	t.Run("only a complainant with nothing left is anonymised", func(t *testing.T) {
		if n := f.count(`SELECT count(*) FROM complainants WHERE id = $1 AND anonymised_at IS NOT NULL AND nik IS NULL
			AND name = '' AND phone = '' AND email = '' AND birth_place = '' AND birth_date IS NULL`, a.ID); n != 1 {
			t.Errorf("A not anonymised")
		}
		if n := f.count(`SELECT count(*) FROM complainant_identities WHERE complainant_id = $1`, a.ID); n != 0 {
			t.Errorf("A keeps %d identities: a new mail would still be linked by NIK", n)
		}
		if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'retention_anonymise' AND subject = $1`,
			"complainant:"+itoa(a.ID)); n != 1 {
			t.Errorf("%d anonymisation audit rows for A, want 1", n)
		}
		if n := f.count(`SELECT count(*) FROM complainants WHERE id IN ($1, $2, $3) AND anonymised_at IS NULL
			AND nik IS NOT NULL AND name <> ''`, b.ID, c.ID, d.ID); n != 3 {
			t.Errorf("%d of B (held), C (open ticket), D (recent) kept whole, want 3", n)
		}
	})
	t.Run("a second run finds nothing", func(t *testing.T) {
		again, err := p.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again.PurgeCounts != (store.PurgeCounts{}) || again.BlobsDeleted != 0 {
			t.Fatalf("second run = %+v, want nothing", again)
		}
	})
	t.Run("a lifted hold lets the ticket go, and its complainant", func(t *testing.T) {
		if _, err := f.s.ClearHold(ctx, tb.ID); err != nil {
			t.Fatal(err)
		}
		r, err := p.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Tickets != 1 || r.Complainants != 1 || f.blobExists(rawB) {
			t.Fatalf("after the hold: %+v, raw B kept %v", r, f.blobExists(rawB))
		}
	})
}

// A blob written again lately (the same bytes arriving now, their row not
// committed yet) is not deleted: it waits in the queue for a later run.
func TestPurgeSparesBlobsWrittenLately(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	raw, photo := f.blob("raw"), f.blob("photo")
	tk := f.ticket(f.person("Siti Aminah", "3201014508850001", "+6281110500567"), ticket.StatusClosed, longAgo)
	f.mail(tk, raw, photo)
	if _, _, err := f.blobs.Put(strings.NewReader("photo")); err != nil { // the same photo comes in again
		t.Fatal(err)
	}
	p := retention.NewPurger(f.s, f.blobs, yearAfter, quietLog)
	r, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.BlobsDeleted != 1 || r.BlobsQueued != 1 || f.blobExists(raw) || !f.blobExists(photo) {
		t.Fatalf("run = %+v; raw kept %v, photo kept %v; want raw deleted, photo kept and queued",
			r, f.blobExists(raw), f.blobExists(photo))
	}
	old := time.Now().Add(-2 * retention.BlobGrace)
	if err := os.Chtimes(f.blobs.Path(photo), old, old); err != nil {
		t.Fatal(err)
	}
	if r, err = p.Run(ctx); err != nil || r.BlobsDeleted != 1 || r.BlobsQueued != 0 || f.blobExists(photo) {
		t.Fatalf("later run = %+v, %v; photo kept %v", r, err, f.blobExists(photo))
	}
}

func TestRetentionOff(t *testing.T) {
	f := newFixture(t)
	tk := f.ticket(f.person("Siti Aminah", "3201014508850001", "+6281110500567"), ticket.StatusClosed, longAgo)
	r, err := f.purger(retention.Settings{}).Run(context.Background())
	if err != nil || !r.Off || r.Tickets != 0 {
		t.Fatalf("Run with retention off = %+v, %v", r, err)
	}
	if n := f.count(`SELECT count(*) FROM tickets WHERE id = $1 AND purged_at IS NULL`, tk.ID); n != 1 {
		t.Fatal("retention off purged a ticket")
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// A mail linked to a complainant just as they were anonymised fills their
// record again; once that ticket is purged in turn, so is the record.
func TestAnonymisedRecordFilledAgainIsAnonymisedAgain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.person("Siti Aminah", "3201014508850001", "+6281110500567")
	f.ticket(c, ticket.StatusClosed, longAgo)
	p := f.purger(yearAfter)
	if r, err := p.Run(ctx); err != nil || r.Complainants != 1 {
		t.Fatalf("first run = %+v, %v", r, err)
	}
	f.ticket(c, ticket.StatusClosed, longAgo) // linked by the intake before it saw the anonymisation
	again, err := f.s.ComplainantByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	again.Name, again.NIK, again.Phone = "Siti Aminah", "3201014508850001", "+6281110500567"
	if err := f.s.UpdateComplainant(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if r, err := p.Run(ctx); err != nil || r.Tickets != 1 || r.Complainants != 1 {
		t.Fatalf("second run = %+v, %v; want the new ticket purged and the record anonymised again", r, err)
	}
	if n := f.count(`SELECT count(*) FROM complainants WHERE id = $1 AND nik IS NULL AND name = '' AND phone = ''`, c.ID); n != 1 {
		t.Fatal("the record filled again was left as it was")
	}
}
