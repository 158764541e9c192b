package documents_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// tooLarge is an attachment intake refused for its size: over the
// per-file limit, or over the per-mail one with the files before it.
func tooLarge(name string, size int64) ticket.Attachment {
	return ticket.Attachment{Filename: name, ContentType: "image/jpeg", Size: size, RefusedReason: "too_large",
		Kind: ticket.KindUnknown}
}

// oneLine is text with its line breaks undone, as a reader takes it.
func oneLine(text string) string { return strings.Join(strings.Fields(text), " ") }

// bothLimits are what a mail about a refused file must say: it may have
// passed either limit.
var bothLimits = []string{"10 MB per berkas", "25 MB untuk seluruh lampiran dalam satu email",
	"at most 10 MB per file and 25 MB per email"}

// A file refused from a later mail is told once, in the documents request
// for that mail or alone; the opening mail's are left to the
// acknowledgement.
func TestDocumentsTooLargeInAReplyIsTold(t *testing.T) {
	t.Run("nothing else to ask", func(t *testing.T) {
		f := newDocsFixture(t)
		res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, f.goodSet(t))
		id := res.Ticket.ID
		f.runChecks(t, id)
		f.reply(t, "<msg-2@warga.test>", "<msg-1@warga.test>", tooLarge("rekaman-layar.mp4", 40<<20))
		f.runChecks(t, id)
		before := f.effects(t, id)
		f.runChecks(t, id) // a task may run again
		if after := f.effects(t, id); after != before {
			t.Fatalf("a re-run changed things:\n before %s\n after  %s", before, after)
		}
		f.sendDocs(t, id)
		f.sendDocs(t, id)
		mails := f.mx.Received()
		if len(mails) != 1 {
			t.Fatalf("%d mails, want one telling of the refused file", len(mails))
		}
		m := mails[0]
		t.Logf("the mail:\n%s", m.Text)
		if want := "[" + res.Ticket.Number + "] Lampiran Anda terlalu besar untuk kami terima"; m.Header.Get("Subject") != want {
			t.Errorf("Subject %q, want %q", m.Header.Get("Subject"), want)
		}
		if m.Header.Get("In-Reply-To") != "<msg-2@warga.test>" || m.To[0] != wargaEmail {
			t.Errorf("In-Reply-To %q, to %v; want the reply, to %s", m.Header.Get("In-Reply-To"), m.To, wargaEmail)
		}
		for _, want := range append([]string{"- rekaman-layar.mp4", "kirim ulang dalam ukuran yang lebih kecil"}, bothLimits...) {
			if !strings.Contains(oneLine(m.Text), want) {
				t.Errorf("the mail lacks %q", want)
			}
		}
		for _, unwanted := range []string{"Foto KTP", "mohon\nkirimkan:", "We still need the photos"} {
			if strings.Contains(m.Text, unwanted) {
				t.Errorf("the mail asks for photos that are fine (%q)", unwanted)
			}
		}
		if tk := f.ticket(t, id); tk.Status != ticket.StatusNew || tk.Documents != allOK {
			t.Errorf("ticket %s %+v, want it left as it was", tk.Status, tk.Documents)
		}
	})

	t.Run("with a photo still to ask for", func(t *testing.T) {
		f := newDocsFixture(t)
		atts := f.goodSet(t)
		atts[0] = f.photo(t, "ktp.jpg", ticket.KindKTP, blurred(ktpPhoto(1)))
		res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, atts)
		id := res.Ticket.ID
		f.runChecks(t, id)
		f.sendDocs(t, id) // asks for a readable KTP

		// The KTP again, too large: told of it, not asked for the KTP twice.
		f.reply(t, "<msg-2@warga.test>", "<msg-1@warga.test>", tooLarge("ktp-asli.jpg", 12<<20))
		f.runChecks(t, id)
		f.runChecks(t, id)
		f.sendDocs(t, id)
		mails := f.mx.Received()
		if len(mails) != 2 {
			t.Fatalf("%d mails, want the request and one telling of the refused KTP", len(mails))
		}
		if m := mails[1].Text; !strings.Contains(m, "- ktp-asli.jpg") || strings.Contains(m, "Foto KTP: foto yang Anda kirim") {
			t.Errorf("the second mail, want the refused file and no second request for the KTP:\n%s", m)
		}

		// A new blurred KTP and a refused file in one mail: one mail says both.
		// (Only its own task runs: another message's run checks whatever is
		// pending and decides on it, leaving this run the refused file alone.)
		third := f.reply(t, "<msg-3@warga.test>", "<msg-2@warga.test>",
			f.photo(t, "ktp-2.jpg", ticket.KindKTP, blurred(ktpPhoto(2))), tooLarge("kartu-vaksin-asli.jpg", 11<<20))
		if err := f.check.Review(context.Background(), id, third.Message.ID); err != nil {
			t.Fatal(err)
		}
		before := f.effects(t, id)
		f.runChecks(t, id)
		if after := f.effects(t, id); after != before {
			t.Fatalf("a re-run changed things:\n before %s\n after  %s", before, after)
		}
		f.sendDocs(t, id)
		f.sendDocs(t, id)
		mails = f.mx.Received()
		if len(mails) != 3 {
			t.Fatalf("%d mails, want a third", len(mails))
		}
		m := mails[2]
		t.Logf("the third mail:\n%s", m.Text)
		for _, want := range append([]string{"Foto KTP: foto yang Anda kirim tidak dapat kami baca", "- kartu-vaksin-asli.jpg",
			"reply to this email with them attached"}, bothLimits...) {
			if !strings.Contains(oneLine(m.Text), want) {
				t.Errorf("the third mail lacks %q", want)
			}
		}
		if strings.Contains(m.Text, "ktp-asli.jpg") {
			t.Error("the third mail tells again of the file refused before")
		}
		if n := len(f.events(t, id, ticket.EventDocumentsRequested)); n != 3 {
			t.Errorf("%d documents_requested events, want 3", n)
		}
	})

	t.Run("in the opening mail", func(t *testing.T) {
		f := newDocsFixture(t)
		atts := append(f.goodSet(t), tooLarge("video.mp4", 30<<20))
		res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, atts)
		f.runChecks(t, res.Ticket.ID)
		if n := len(f.outboxTasks(t, store.TaskNotifyDocs, res.Ticket.ID)); n != 0 {
			t.Errorf("%d notify:docs rows; the acknowledgement tells of the opening mail's files", n)
		}
		if evs := f.events(t, res.Ticket.ID, ticket.EventDocumentsRequested); len(evs) != 0 {
			t.Errorf("requests %+v, want none", evs)
		}
	})
}
