package notify_test

import (
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/intake"
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

func TestAckNamesBothSizeLimits(t *testing.T) {
	f := newNotifyFixture(t)
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, func(in *intake.Inbound) {
		in.Attachments = []ticket.Attachment{tooLarge("KTP_"+wargaNIK+".jpg", 8<<20)} // refused for the mail's total
	})
	if err := f.ack(t, res); err != nil {
		t.Fatal(err)
	}
	mails := f.mx.Received()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the acknowledgement", len(mails))
	}
	t.Logf("the acknowledgement:\n%s", mails[0].Text)
	text := oneLine(mails[0].Text)
	for _, want := range append([]string{"KTP_**************01.jpg"}, bothLimits...) {
		if !strings.Contains(text, want) {
			t.Errorf("the acknowledgement lacks %q", want)
		}
	}
	if strings.Contains(text, wargaNIK) {
		t.Error("the acknowledgement carries the full NIK, from a file name")
	}
	if i, j := strings.Index(text, "Lampiran berikut"), strings.Index(text, "some attachments"); i < 0 ||
		(j >= 0 && j < i) {
		t.Error("want the Indonesian text first")
	}
}
