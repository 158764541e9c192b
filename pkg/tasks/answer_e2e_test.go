package tasks_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/blob"
	"github.com/aduan/aduan/pkg/documents"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
	"github.com/aduan/aduan/pkg/ticket"
)

const mailFrom = "PeduliLindungi <pedulilindungi@kemkes.go.id>"

// A complaint mail and the reply to its acknowledgement, through the
// outbox, two relays, Redis and two workers, as two worker processes run
// them: each mail gets exactly one answer, after its photos' checks.
func TestOneAnswerPerMailThroughTheQueue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, _ := storetest.New(t)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rd := taskstest.NewRedis(t)
	rc := rd.Client()
	defer rc.Close()
	mx := notifytest.NewMailServer(t)
	sender := notify.NewSMTPSender(notify.SMTPSettings{Addr: mx.Addr, TLS: "none", From: mailFrom})
	n, err := notify.NewNotifier(s, sender, configs.Templates, notify.Settings{From: mailFrom,
		AnswerPoll: 100 * time.Millisecond}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	checker, err := documents.NewChecker(documents.WithHEIFConvert(filepath.Join(t.TempDir(), "no-heif-convert")))
	if err != nil {
		t.Fatal(err)
	}
	reviewer := documents.NewReviewer(s, blobs, checker, quiet)

	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for range 2 {
		w := tasks.NewWorker(rc, tasks.WorkerConfig{Concurrency: 3, ShutdownTimeout: 5 * time.Second}, quiet)
		tasks.NewDocumentsCheck(reviewer).Register(w)
		tasks.NewNotifyHandler(n).Register(w)
		relay := tasks.NewRelay(s, tasks.NewQueue(rc), w.Types(), quiet)
		relay.Interval = 20 * time.Millisecond
		wg.Go(func() { _ = w.Run(ctx) })
		wg.Go(func() { _ = relay.Run(ctx) })
	}

	file := func(name, contentType string, kind ticket.AttachmentKind, data []byte) ticket.Attachment {
		sum, size, err := blobs.Put(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return ticket.Attachment{Filename: name, ContentType: contentType, Size: size, SHA256: sum, Stored: true, Kind: kind}
	}
	heic, err := os.ReadFile("../documents/testdata/vaccine-card.heic")
	if err != nil {
		t.Fatal(err)
	}
	ingest := func(in intake.Inbound) intake.Result {
		in.Channel, in.Ack, in.Sender = ticket.ChannelEmail, true, wargaEmail
		in.Complainant = ticket.Complainant{Name: "Siti Aminah", NIK: "3201014508850001", Email: wargaEmail}
		res, err := intake.NewIngester(s, quiet).Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// An iPhone's KTP photo (HEIC, not decoded here), a selfie with no one
	// in it, no vaccination card.
	first := ingest(intake.Inbound{SourceID: "<q-1@warga.test>", Subject: "Sertifikat belum muncul",
		Body: "Keluhan: sertifikat belum muncul", Category: ticket.CategoryCertificateMissing,
		Attachments: []ticket.Attachment{file("IMG_0001.HEIC", "image/heic", ticket.KindKTP, heic),
			file("selfie.jpg", "image/jpeg", ticket.KindSelfie, speckles(t, 1))}})
	mails := settle(t, s, rc, mx)
	if len(mails) != 1 {
		t.Fatalf("%d mails after the complaint, want exactly one", len(mails))
	}
	text := strings.Join(strings.Fields(mails[0].Text), " ")
	for _, want := range []string{"- Foto KTP: tidak dapat kami baca (" + documents.ReasonHEIC,
		"- Swafoto memegang KTP: tidak sesuai (" + documents.ReasonSelfieNoFace,
		"- Foto kartu vaksinasi (belum kami terima)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the acknowledgement lacks %q:\n%s", want, mails[0].Text)
		}
	}
	if strings.Contains(text, "masih kami periksa") {
		t.Errorf("the acknowledgement did not wait for the checks:\n%s", mails[0].Text)
	}

	// The reply brings the card: one answer to it.
	ingest(intake.Inbound{SourceID: "<q-2@warga.test>", ThreadRefs: []string{"<q-1@warga.test>"},
		Body: "Berikut kartu vaksin saya.", Attachments: []ticket.Attachment{
			file("kartu.jpg", "image/jpeg", ticket.KindVaccineCard, speckles(t, 2))}})
	mails = settle(t, s, rc, mx)
	if len(mails) != 2 || mails[1].Header.Get("In-Reply-To") != "<q-2@warga.test>" {
		t.Fatalf("%d mails after the reply, want a second, answering it", len(mails))
	}
	if !strings.Contains(mails[1].Text, "Foto kartu vaksinasi: tidak sesuai") {
		t.Errorf("the answer to the reply:\n%s", mails[1].Text)
	}
	if tk, err := s.TicketByRef(ctx, first.Ticket.Number, false); err != nil || tk.Documents.VaccineCard != ticket.DocMismatch {
		t.Errorf("ticket %+v, %v", tk.Documents, err)
	}
}

// settle waits until the work in hand is done: the outbox relayed (but
// for routing, which these workers do not do), every queue empty with
// nothing running, waiting or failed, and returns the mails sent by then.
func settle(t *testing.T, s *store.Store, rc redis.UniversalClient, mx *notifytest.MailServer) []notifytest.Mail {
	t.Helper()
	inspector := asynq.NewInspectorFromRedisClient(rc)
	deadline := time.Now().Add(60 * time.Second)
	for {
		items, err := s.PendingOutbox(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		busy := 0
		for _, it := range items {
			if it.TaskType != store.TaskTicketRoute { // no router here
				busy++
			}
		}
		for q := range tasks.Queues {
			info, err := inspector.GetQueueInfo(q)
			if err != nil {
				continue // not used yet
			}
			if info.Archived > 0 {
				t.Fatalf("a task failed for good in %s", q)
			}
			busy += info.Pending + info.Active + info.Scheduled + info.Retry
		}
		if busy == 0 {
			return mx.Received()
		}
		if time.Now().After(deadline) {
			t.Fatalf("work still in hand after 60s: %d", busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// speckles is a sharp 800×600 photo of nothing in particular: no face, no
// QR code, no card.
func speckles(t *testing.T, seed int64) []byte {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := 0; y < 600; y += 4 {
		for x := 0; x < 800; x += 4 {
			c := color.RGBA{uint8(r.Intn(256)), uint8(r.Intn(256)), uint8(r.Intn(256)), 255}
			for dy := range 4 {
				for dx := range 4 {
					img.SetRGBA(x+dx, y+dy, c)
				}
			}
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
