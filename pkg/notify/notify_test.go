package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

const (
	wargaNIK   = "3201014508850001"
	wargaEmail = "warga1@warga.test"
	complaint  = "Nama Lengkap: Siti Aminah\nNIK: 3201014508850001\n" +
		"Keluhan: Sertifikat vaksin dosis kedua belum muncul di aplikasi, padahal NIK 3201014508850001 sudah terdaftar.\n"
)

// notifyFixture is a fresh database, a mail server and a Notifier sending
// to it, plus the Ingester that opens tickets as email intake would.
type notifyFixture struct {
	store    *store.Store
	mx       *notifytest.MailServer
	notifier *notify.Notifier
	ingester *intake.Ingester
}

func newNotifyFixture(t *testing.T) *notifyFixture {
	t.Helper()
	s, _ := storetest.New(t)
	mx := notifytest.NewMailServer(t)
	n, err := notify.NewNotifier(s, plainSender(mx), configs.Templates,
		notify.Settings{From: mailFrom, AckPerSenderPerHour: 5}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return &notifyFixture{store: s, mx: mx, notifier: n, ingester: intake.NewIngester(s, quiet)}
}

// complaint opens an email ticket as email intake would, asking for an
// acknowledgement.
func (f *notifyFixture) complaint(t *testing.T, sourceID string, category ticket.Category, edit ...func(*intake.Inbound)) intake.Result {
	t.Helper()
	in := intake.Inbound{Channel: ticket.ChannelEmail, SourceID: sourceID, Category: category, Ack: true,
		Subject: "Sertifikat vaksin belum muncul", Body: complaint,
		Complainant: ticket.Complainant{Name: "Siti Aminah", NIK: wargaNIK, Email: wargaEmail}}
	for _, e := range edit {
		e(&in)
	}
	res, err := f.ingester.Ingest(context.Background(), in)
	if err != nil || !res.Created {
		t.Fatalf("ingest %s: %+v, %v", sourceID, res, err)
	}
	return res
}

// ackTask is the payload of the notify:ack task the ingester wrote to the
// outbox for a ticket.
func (f *notifyFixture) ackTask(t *testing.T, ticketID int64) store.TicketTask {
	t.Helper()
	items, err := f.store.PendingOutbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		var p store.TicketTask
		if it.TaskType == store.TaskNotifyAck && json.Unmarshal(it.Payload, &p) == nil && p.TicketID == ticketID {
			return p
		}
	}
	t.Fatalf("no %s in the outbox for ticket %d", store.TaskNotifyAck, ticketID)
	return store.TicketTask{}
}

func (f *notifyFixture) ack(t *testing.T, res intake.Result) error {
	t.Helper()
	p := f.ackTask(t, res.Ticket.ID)
	return f.notifier.Ack(context.Background(), p.TicketID, p.MessageID)
}

func ackID(res intake.Result) string {
	return fmt.Sprintf("<ack.%d.%s@kemkes.go.id>", res.Message.ID, res.Ticket.Number)
}

func (f *notifyFixture) outbound(t *testing.T, sourceID string) ticket.Message {
	t.Helper()
	m, err := f.store.MessageBySource(context.Background(), ticket.ChannelEmail, sourceID)
	if err != nil {
		t.Fatalf("outbound message %s: %v", sourceID, err)
	}
	return m
}

func TestAckTellsWhatArrivedAndWhatIsMissing(t *testing.T) {
	f := newNotifyFixture(t)
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, func(in *intake.Inbound) {
		in.Documents = ticket.Documents{KTP: ticket.DocReceived, Selfie: ticket.DocMissing, VaccineCard: ticket.DocMissing}
		in.Attachments = []ticket.Attachment{
			{Filename: "ktp.jpg", ContentType: "image/jpeg", Size: 2048, SHA256: strings.Repeat("a", 64), Stored: true, Kind: ticket.KindKTP},
			{Filename: "kartu-vaksin.heic", ContentType: "image/heic", Size: 15 << 20, RefusedReason: "too_large", Kind: ticket.KindVaccineCard},
		}
	})
	if err := f.ack(t, res); err != nil {
		t.Fatal(err)
	}
	mails := f.mx.Received()
	if len(mails) != 1 || len(mails[0].To) != 1 || mails[0].To[0] != wargaEmail {
		t.Fatalf("mails %+v, want one to %s", mails, wargaEmail)
	}
	m := mails[0]
	t.Logf("the acknowledgement:\n%s", m.Raw)
	for name, want := range map[string]string{"Message-ID": ackID(res), "In-Reply-To": "<msg-1@warga.test>",
		"References": "<msg-1@warga.test>", "Auto-Submitted": "auto-replied"} {
		if got := m.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if m.Header.Get("X-Aduan-Loop") == "" {
		t.Error("no X-Aduan-Loop header: the help desk could answer itself")
	}
	if want := "[" + res.Ticket.Number + "] Pengaduan Anda telah kami terima"; m.Header.Get("Subject") != want ||
		!regexp.MustCompile(`^\[PL-\d{6}-\d{6,}\]`).MatchString(want) {
		t.Errorf("Subject %q, want %q", m.Header.Get("Subject"), want)
	}
	if strings.Contains(m.Text, wargaNIK) || strings.Contains(string(m.Raw), wargaNIK) {
		t.Errorf("the mail carries the full NIK:\n%s", m.Text)
	}
	missing := m.Text[strings.Index(m.Text, "Yang masih kami perlukan"):]
	for _, want := range []string{
		"Yth. Bapak/Ibu Siti Aminah", "[" + res.Ticket.Number + "]", "NIK: **************01",
		"Keluhan: Sertifikat vaksin dosis kedua belum muncul di aplikasi, padahal NIK **************01 sudah terdaftar.",
		"Foto yang diterima: KTP\n", "kartu-vaksin.heic", "10 MB", "7–10 hari", "WhatsApp 0811-1050-0567", "119 ext 9",
		"This is an automatic reply;",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the body lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{"- Tempat, Tanggal Lahir", "- Nomor HP", "- swafoto memegang KTP", "- foto kartu vaksinasi"} {
		if !strings.Contains(missing, want) {
			t.Errorf("missing list lacks %q:\n%s", want, missing)
		}
	}
	if strings.Contains(missing, "- foto KTP") || strings.Contains(missing, "- Nama Lengkap") {
		t.Errorf("missing list names what arrived:\n%s", missing)
	}

	out := f.outbound(t, ackID(res))
	if out.Status != ticket.DeliverySent || out.Kind != ticket.KindAck || out.Direction != ticket.Outbound ||
		out.Recipient != wargaEmail || out.TicketID != res.Ticket.ID || out.Body != m.Text {
		t.Errorf("outbound row %+v", out)
	}

	// A task may run twice; the second run finds the mail sent.
	if err := f.ack(t, res); err != nil || len(f.mx.Received()) != 1 {
		t.Fatalf("second run: err %v, %d mails; want nothing more sent", err, len(f.mx.Received()))
	}

	// The complainant's answer to the acknowledgement threads onto the ticket.
	reply, err := f.ingester.Ingest(context.Background(), intake.Inbound{Channel: ticket.ChannelEmail,
		SourceID: "<msg-2@warga.test>", ThreadRefs: []string{"<msg-1@warga.test>", ackID(res)}, Ack: true,
		Body: "Berikut swafoto saya.", Complainant: ticket.Complainant{Email: wargaEmail}})
	if err != nil || reply.Created || reply.Ticket.ID != res.Ticket.ID {
		t.Fatalf("reply to the acknowledgement: %+v, %v; want it on ticket %d", reply, err, res.Ticket.ID)
	}
}

func TestAckWithoutDocumentsNeeded(t *testing.T) {
	f := newNotifyFixture(t)
	res := f.complaint(t, "<app-1@warga.test>", ticket.CategoryAppIssue, func(in *intake.Inbound) {
		in.Body = "Keluhan: kode OTP tidak pernah masuk. " + strings.Repeat("Sudah saya coba berkali-kali. ", 10) + "AKHIR"
	})
	if err := f.ack(t, res); err != nil {
		t.Fatal(err)
	}
	mails := f.mx.Received()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	for _, unwanted := range []string{"foto KTP", "swafoto", "kartu vaksinasi", "Foto yang diterima", "7–10 hari"} {
		if strings.Contains(mails[0].Text, unwanted) {
			t.Errorf("an app_issue acknowledgement mentions %q:\n%s", unwanted, mails[0].Text)
		}
	}
	if !strings.Contains(mails[0].Text, "Keluhan: kode OTP tidak pernah masuk.") ||
		!strings.Contains(mails[0].Text, "berkali-kali. Sudah saya coba…") || strings.Contains(mails[0].Text, "AKHIR") {
		t.Errorf("want the complaint's first ~200 characters:\n%s", mails[0].Text)
	}
}

func TestAckLimitPerSenderPerHour(t *testing.T) {
	f := newNotifyFixture(t)
	var results []intake.Result
	for i := 1; i <= 6; i++ {
		res := f.complaint(t, fmt.Sprintf("<flood-%d@warga.test>", i), ticket.CategoryCertificateMissing)
		if err := f.ack(t, res); err != nil {
			t.Fatalf("ack %d: %v", i, err)
		}
		results = append(results, res)
	}
	if n := len(f.mx.Received()); n != 5 {
		t.Fatalf("%d acknowledgements to one address within an hour, want 5", n)
	}
	sixth := results[5]
	if _, err := f.store.MessageBySource(context.Background(), ticket.ChannelEmail, ackID(sixth)); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Fatalf("the skipped acknowledgement was stored: %v", err)
	}
	// An hour later the address may hear from us again.
	f.notifier.Now = func() time.Time { return time.Now().Add(61 * time.Minute) }
	if err := f.ack(t, sixth); err != nil || len(f.mx.Received()) != 6 {
		t.Fatalf("an hour later: err %v, %d mails; want the sixth sent", err, len(f.mx.Received()))
	}
}

func TestAckDeliveryFailures(t *testing.T) {
	t.Run("permanent", func(t *testing.T) {
		f := newNotifyFixture(t)
		f.mx.SetReject(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
		res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing)
		err := f.ack(t, res)
		if !errors.Is(err, notify.ErrFinal) || !errors.Is(err, notify.ErrPermanent) {
			t.Fatalf("err = %v, want it to wrap notify.ErrFinal and notify.ErrPermanent", err)
		}
		out := f.outbound(t, ackID(res))
		if out.Status != ticket.DeliveryFailed || !strings.Contains(out.Error, "550") || strings.Contains(out.Error, wargaEmail) {
			t.Fatalf("outbound row %q / %q, want failed with the 550 and no address", out.Status, out.Error)
		}
		f.mx.SetReject(nil)
		if err := f.ack(t, res); err != nil || len(f.mx.Received()) != 0 {
			t.Fatalf("after a permanent failure: err %v, %d mails; want it final", err, len(f.mx.Received()))
		}
	})
	t.Run("temporary", func(t *testing.T) {
		f := newNotifyFixture(t)
		f.mx.SetReject(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "greylisted"})
		res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing)
		err := f.ack(t, res)
		if err == nil || errors.Is(err, notify.ErrFinal) || errors.Is(err, notify.ErrPermanent) {
			t.Fatalf("err = %v, want an error worth retrying", err)
		}
		if out := f.outbound(t, ackID(res)); out.Status == ticket.DeliverySent || !strings.Contains(out.Error, "451") {
			t.Fatalf("outbound row %q / %q, want not sent, with the 451", out.Status, out.Error)
		}
		f.mx.SetReject(nil) // the retry, once the relay takes mail again
		if err := f.ack(t, res); err != nil || len(f.mx.Received()) != 1 {
			t.Fatalf("retry: err %v, %d mails; want one sent", err, len(f.mx.Received()))
		}
		if out := f.outbound(t, ackID(res)); out.Status != ticket.DeliverySent || out.Error != "" {
			t.Fatalf("outbound row %q / %q after the retry, want sent", out.Status, out.Error)
		}
	})
}

// Work naming what does not exist, or the wrong kind of message, can
// never succeed: its error is final and nothing is sent.
func TestNotifyUnworkableIsFinal(t *testing.T) {
	f := newNotifyFixture(t)
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing)
	refs := [][2]int64{{0, 0}, {res.Ticket.ID, 0}, {999999, 999999}, {res.Ticket.ID, 999999}}
	sends := map[string]func(context.Context, int64, int64) error{"ack": f.notifier.Ack, "reply": f.notifier.Reply,
		"docs": f.notifier.Docs}
	for name, send := range sends {
		for _, r := range refs {
			t.Run(fmt.Sprintf("%s %d/%d", name, r[0], r[1]), func(t *testing.T) {
				if err := send(context.Background(), r[0], r[1]); !errors.Is(err, notify.ErrFinal) {
					t.Fatalf("err = %v, want it to wrap notify.ErrFinal", err)
				}
			})
		}
	}
	// The inbound message is not a reply to send, nor has it a documents request.
	if err := f.notifier.Reply(context.Background(), res.Ticket.ID, res.Message.ID); !errors.Is(err, notify.ErrFinal) {
		t.Fatalf("reply for an inbound message: %v, want notify.ErrFinal", err)
	}
	if err := f.notifier.Docs(context.Background(), res.Ticket.ID, res.Message.ID); !errors.Is(err, notify.ErrFinal) {
		t.Fatalf("documents mail without a request: %v, want notify.ErrFinal", err)
	}
	if n := len(f.mx.Received()); n != 0 {
		t.Fatalf("%d mails sent for unworkable work", n)
	}
}

func TestReplyGoesOnTheComplainantsThread(t *testing.T) {
	ctx := context.Background()
	f := newNotifyFixture(t)
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing)
	if err := f.ack(t, res); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ingester.Ingest(ctx, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<msg-2@warga.test>",
		ThreadRefs: []string{"<msg-1@warga.test>", ackID(res)}, Body: "Swafoto terlampir.",
		Complainant: ticket.Complainant{Email: wargaEmail}}); err != nil {
		t.Fatal(err)
	}
	text := "Data vaksinasi Anda (NIK 3201014508850001) sudah kami perbaiki. Silakan cek aplikasi besok."
	reply := ticket.Message{TicketID: res.Ticket.ID, Direction: ticket.Outbound, Channel: ticket.ChannelEmail,
		Kind: ticket.KindReply, Status: ticket.DeliveryQueued, Body: text, Recipient: wargaEmail,
		Subject: "Re: [" + res.Ticket.Number + "] Sertifikat vaksin belum muncul"} // as desk.Reply stores it
	if err := f.store.AddMessage(ctx, &reply); err != nil {
		t.Fatal(err)
	}
	if err := f.notifier.Reply(ctx, res.Ticket.ID, reply.ID); err != nil {
		t.Fatal(err)
	}
	mails := f.mx.Received()
	if len(mails) != 2 || mails[1].To[0] != wargaEmail {
		t.Fatalf("%d mails, want the acknowledgement and the reply to %s", len(mails), wargaEmail)
	}
	m := mails[1]
	t.Logf("the reply:\n%s", m.Text)
	wantID := fmt.Sprintf("<reply.%d.%s@kemkes.go.id>", reply.ID, res.Ticket.Number)
	for name, want := range map[string]string{"Message-ID": wantID, "In-Reply-To": "<msg-2@warga.test>",
		"References": "<msg-1@warga.test> " + ackID(res) + " <msg-2@warga.test>", "Auto-Submitted": ""} {
		if got := m.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if m.Header.Get("Subject") != reply.Subject {
		t.Errorf("Subject %q, want %q", m.Header.Get("Subject"), reply.Subject)
	}
	if !strings.Contains(m.Text, "Data vaksinasi Anda (NIK **************01) sudah kami perbaiki.") ||
		strings.Contains(m.Text, wargaNIK) || !strings.Contains(m.Text, "Yth. Bapak/Ibu Siti Aminah") {
		t.Errorf("reply body:\n%s", m.Text)
	}
	if got, err := f.store.MessageByID(ctx, reply.ID); err != nil || got.Status != ticket.DeliverySent ||
		got.SourceID != wantID {
		t.Fatalf("reply row status %q source %q, %v; want sent with our Message-ID", got.Status, got.SourceID, err)
	}
	if err := f.notifier.Reply(ctx, res.Ticket.ID, reply.ID); err != nil || len(f.mx.Received()) != 2 {
		t.Fatalf("second run: err %v, %d mails; want nothing more sent", err, len(f.mx.Received()))
	}
}
