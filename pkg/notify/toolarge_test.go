package notify_test

import (
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestAckNamesBothSizeLimits(t *testing.T) {
	f := newNotifyFixture(t)
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, func(in *intake.Inbound) {
		// Refused for the mail's total.
		in.Attachments = []ticket.Attachment{notifytest.TooLarge("KTP_"+notifytest.WargaNIK+".jpg", 8<<20)}
	})
	if err := f.ack(t, res); err != nil {
		t.Fatal(err)
	}
	mails := f.mx.Received()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the acknowledgement", len(mails))
	}
	t.Logf("the acknowledgement:\n%s", mails[0].Text)
	text := notifytest.OneLine(mails[0].Text)
	for _, want := range append([]string{"KTP_**************01.jpg"}, notifytest.BothLimits...) {
		if !strings.Contains(text, want) {
			t.Errorf("the acknowledgement lacks %q", want)
		}
	}
	if strings.Contains(text, notifytest.WargaNIK) {
		t.Error("the acknowledgement carries the full NIK, from a file name")
	}
	if i, j := strings.Index(text, "Lampiran berikut"), strings.Index(text, "some attachments"); i < 0 ||
		(j >= 0 && j < i) {
		t.Error("want the Indonesian text first")
	}
}
