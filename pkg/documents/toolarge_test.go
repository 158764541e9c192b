package documents_test

import (
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// A file refused from a later mail is told once, by the one answer to
// that mail, together with what the checks of its other photos found.
func TestDocumentsTooLargeInAReplyIsTold(t *testing.T) {
	t.Run("nothing else to ask", func(t *testing.T) {
		f := newDocsFixture(t)
		res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, f.goodSet(t))
		id := res.Ticket.ID
		f.runChecks(t, id)
		f.answer(t, id)
		f.reply(t, "<msg-2@warga.test>", "<msg-1@warga.test>", notifytest.TooLarge("rekaman-layar.mp4", 40<<20))
		f.runChecks(t, id)
		before := f.effects(t, id)
		f.runChecks(t, id) // a task may run again
		if after := f.effects(t, id); after != before {
			t.Fatalf("a re-run changed things:\n before %s\n after  %s", before, after)
		}
		f.answer(t, id)
		f.answer(t, id)
		f.sendDocs(t, id)
		mails := f.mx.Received()
		if len(mails) != 2 {
			t.Fatalf("%d mails, want the acknowledgement and one answer telling of the refused file", len(mails))
		}
		m := mails[1]
		t.Logf("the answer:\n%s", m.Text)
		if want := "[" + res.Ticket.Number + "] Balasan Anda telah kami terima"; m.Header.Get("Subject") != want {
			t.Errorf("Subject %q, want %q", m.Header.Get("Subject"), want)
		}
		if m.Header.Get("In-Reply-To") != "<msg-2@warga.test>" || m.To[0] != notifytest.WargaEmail {
			t.Errorf("In-Reply-To %q, to %v; want the reply, to %s", m.Header.Get("In-Reply-To"), m.To, notifytest.WargaEmail)
		}
		for _, want := range append([]string{"- rekaman-layar.mp4", "kirim ulang dalam ukuran yang lebih kecil",
			"- Foto KTP: diterima dan dapat kami gunakan"}, notifytest.BothLimits...) {
			if !strings.Contains(notifytest.OneLine(m.Text), want) {
				t.Errorf("the answer lacks %q", want)
			}
		}
		if strings.Contains(m.Text, "(kirim ulang") || strings.Contains(m.Text, "(belum kami terima)") {
			t.Error("the answer asks for photos that are all fine")
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
		f.answer(t, id) // asks for a readable KTP

		// The KTP again, too large: one answer tells of it and still asks
		// for a readable KTP.
		f.reply(t, "<msg-2@warga.test>", "<msg-1@warga.test>", notifytest.TooLarge("ktp-asli.jpg", 12<<20))
		f.runChecks(t, id)
		f.runChecks(t, id)
		f.answer(t, id)
		f.sendDocs(t, id)
		mails := f.mx.Received()
		if len(mails) != 2 {
			t.Fatalf("%d mails, want the acknowledgement and one answer", len(mails))
		}
		if m := notifytest.OneLine(mails[1].Text); !strings.Contains(m, "- ktp-asli.jpg") || !strings.Contains(m, "- Foto KTP (kirim ulang") {
			t.Errorf("the second mail, want the refused file and the KTP still asked for:\n%s", mails[1].Text)
		}
		if strings.Contains(mails[1].Text, "ktp.jpg") {
			t.Error("the answer names a file of another mail")
		}
	})

	t.Run("in the opening mail", func(t *testing.T) {
		f := newDocsFixture(t)
		atts := append(f.goodSet(t), notifytest.TooLarge("video.mp4", 30<<20))
		res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, atts)
		f.runChecks(t, res.Ticket.ID)
		if n := len(f.outboxTasks(t, store.TaskNotifyDocs, res.Ticket.ID)); n != 0 {
			t.Errorf("%d notify:docs rows; the acknowledgement tells of the opening mail's files", n)
		}
		if evs := f.events(t, res.Ticket.ID, ticket.EventDocumentsRequested); len(evs) != 0 {
			t.Errorf("requests %+v, want none", evs)
		}
		f.answer(t, res.Ticket.ID)
		if mails := f.mx.Received(); len(mails) != 1 || !strings.Contains(mails[0].Text, "- video.mp4") {
			t.Errorf("%d mails; want the acknowledgement naming the refused file", len(mails))
		}
	})
}
