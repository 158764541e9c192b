package documents_test

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/aduan/aduan/pkg/documents"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

func TestDocumentsCompleteTicketStaysWorkable(t *testing.T) {
	f := newDocsFixture(t)
	atts := append(f.goodSet(t), f.photo(t, "IMG_0004.jpg", ticket.KindUnknown, selfiePhoto(t)))
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, atts)
	f.runChecks(t, res.Ticket.ID)

	tk := f.ticket(t, res.Ticket.ID)
	if tk.Documents != allOK || tk.Status != ticket.StatusNew || len(tk.Warnings) != 0 {
		t.Fatalf("ticket %s %+v %q, want new with all three ok", tk.Status, tk.Documents, tk.Warnings)
	}
	got, err := f.store.Attachments(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantKinds := []ticket.AttachmentKind{ticket.KindKTP, ticket.KindSelfie, ticket.KindVaccineCard, ticket.KindSelfie}
	for i, a := range got {
		if a.Check.Verdict != ticket.VerdictOK || a.Kind != wantKinds[i] {
			t.Errorf("%s: %s %s %q, want %s ok", a.Filename, a.Kind, a.Check.Verdict, a.Check.Reasons, wantKinds[i])
		}
		sum, err := f.store.DerivativeSHA256(context.Background(), a.ID)
		// A JPEG that fits and carries no metadata is its own derivative.
		if err != nil || sum == "" {
			t.Errorf("%s: derivative %q, %v", a.Filename, sum, err)
		} else if _, err := os.Stat(f.blobs.Path(sum)); err != nil {
			t.Errorf("%s: derivative not in the blob store: %v", a.Filename, err)
		}
	}
	if got[2].Check.QRPayload != vaccinePayload {
		t.Errorf("QR payload %q, want %q", got[2].Check.QRPayload, vaccinePayload)
	}
	if n := len(f.outboxTasks(t, store.TaskNotifyDocs, tk.ID)); n != 0 {
		t.Errorf("%d documents requests for a complete ticket", n)
	}
	if evs := f.events(t, tk.ID, ticket.EventDocumentsRequested); len(evs) != 0 {
		t.Errorf("documents requested of a complete ticket: %+v", evs)
	}
}

func TestDocumentsBlurryKTPAsksOnceThenAgainForANewPhoto(t *testing.T) {
	f := newDocsFixture(t)
	atts := f.goodSet(t)
	atts[0] = f.photo(t, "ktp.jpg", ticket.KindKTP, blurred(ktpPhoto(1)))
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, atts)
	id := res.Ticket.ID
	f.runChecks(t, id)

	tk := f.ticket(t, id)
	want := ticket.Documents{KTP: ticket.DocUnreadable, Selfie: ticket.DocOK, VaccineCard: ticket.DocOK}
	if tk.Documents != want || tk.Status != ticket.StatusNeedsInfo {
		t.Fatalf("ticket %s %+v, want needs_info with %+v", tk.Status, tk.Documents, want)
	}
	moves := f.events(t, id, ticket.EventStatusChanged)
	if len(moves) != 1 || moves[0].Data["to"] != "needs_info" || moves[0].Data["reason"] != "documents" {
		t.Fatalf("status events %+v, want one to needs_info for the documents", moves)
	}
	if n := len(f.outboxTasks(t, store.TaskNotifyDocs, id)); n != 1 {
		t.Fatalf("%d notify:docs rows, want 1", n)
	}

	// A task may run again: nothing more happens.
	before := f.effects(t, id)
	f.runChecks(t, id)
	if after := f.effects(t, id); after != before {
		t.Fatalf("a re-run changed things:\n before %s\n after  %s", before, after)
	}

	f.sendDocs(t, id)
	f.sendDocs(t, id) // and the mail's task too
	mails := f.mx.Received()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the one documents request", len(mails))
	}
	m := mails[0]
	t.Logf("the documents request:\n%s", m.Text)
	if !strings.HasPrefix(m.Header.Get("Message-ID"), "<docs.") || m.Header.Get("In-Reply-To") != "<msg-1@warga.test>" ||
		m.Header.Get("Auto-Submitted") != "auto-replied" || m.Header.Get(notify.LoopHeader) == "" {
		t.Errorf("headers %v", m.Header)
	}
	if want := "[" + tk.Number + "]"; !strings.HasPrefix(m.Header.Get("Subject"), want) {
		t.Errorf("Subject %q, want the token %s", m.Header.Get("Subject"), want)
	}
	for _, want := range []string{"Foto KTP: foto yang Anda kirim tidak dapat kami baca", "foto buram", "balas email ini",
		"jangan ubah subjek", "reply to this email with them attached"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the request lacks %q", want)
		}
	}
	if strings.Contains(m.Text, "Swafoto") || strings.Contains(m.Text, "kartu vaksinasi:") {
		t.Errorf("the request asks for photos that were fine:\n%s", m.Text)
	}
	if strings.Contains(string(m.Raw), wargaNIK) {
		t.Errorf("the request carries the full NIK")
	}
	out, err := f.store.MessageBySource(context.Background(), ticket.ChannelEmail, m.Header.Get("Message-ID"))
	if err != nil || out.Status != ticket.DeliverySent || out.Kind != ticket.KindDocsRequest || out.TicketID != id {
		t.Fatalf("outbound row %+v, %v", out, err)
	}

	// Another blurred KTP: still unusable, but a new photo, so asked again.
	f.reply(t, "<msg-2@warga.test>", m.Header.Get("Message-ID"),
		f.photo(t, "ktp-lagi.jpg", ticket.KindKTP, blurred(ktpPhoto(2))))
	f.runChecks(t, id)
	if tk := f.ticket(t, id); tk.Status != ticket.StatusNeedsInfo || tk.Documents.KTP != ticket.DocUnreadable {
		t.Fatalf("after a second blurred KTP: %s %+v", tk.Status, tk.Documents)
	}
	f.sendDocs(t, id)
	if mails := f.mx.Received(); len(mails) != 2 || mails[1].Header.Get("In-Reply-To") != "<msg-2@warga.test>" {
		t.Fatalf("%d mails; want a second request, in reply to the second mail", len(mails))
	}

	// A good KTP at last: all ok, the ticket back with the agents.
	f.reply(t, "<msg-3@warga.test>", "<msg-2@warga.test>", f.photo(t, "ktp-baru.jpg", ticket.KindKTP, ktpPhoto(3)))
	f.runChecks(t, id)
	f.sendDocs(t, id)
	if tk := f.ticket(t, id); tk.Status != ticket.StatusOpen || tk.Documents != allOK {
		t.Fatalf("after a good KTP: %s %+v, want open and all ok", tk.Status, tk.Documents)
	}
	if n := len(f.events(t, id, ticket.EventDocumentsRequested)); n != 2 || len(f.mx.Received()) != 2 {
		t.Fatalf("%d requests, %d mails; want 2 and 2", n, len(f.mx.Received()))
	}
}

func TestDocumentsCompleteMovesBackToOpen(t *testing.T) {
	ctx := context.Background()
	f := newDocsFixture(t)
	atts := f.goodSet(t)[1:] // no KTP
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryPersonalDataChange, atts)
	id := res.Ticket.ID
	f.runChecks(t, id)
	if tk := f.ticket(t, id); tk.Status != ticket.StatusNeedsInfo || tk.Documents.KTP != ticket.DocMissing {
		t.Fatalf("without a KTP: %s %+v", tk.Status, tk.Documents)
	}
	// Only photos were missing from the opening mail: its acknowledgement
	// lists them, so no second mail says the same.
	reqs := f.events(t, id, ticket.EventDocumentsRequested)
	if len(reqs) != 1 || reqs[0].Data["delivery"] != ticket.DocsInAck || len(f.outboxTasks(t, store.TaskNotifyDocs, id)) != 0 {
		t.Fatalf("requests %+v; want one left to the acknowledgement, no notify:docs", reqs)
	}

	// A KTP arrives by a way that does not reopen the ticket by itself
	// (here written directly, as a channel adapter might).
	ktp := f.photo(t, "ktp.jpg", ticket.KindKTP, ktpPhoto(4))
	err := f.store.WithTx(ctx, func(ctx context.Context) error {
		m := ticket.Message{TicketID: id, Direction: ticket.Inbound, Channel: ticket.ChannelEmail, SourceID: "<msg-2@warga.test>"}
		if err := f.store.AddMessage(ctx, &m); err != nil {
			return err
		}
		ktp.TicketID, ktp.MessageID = id, m.ID
		if err := f.store.AddAttachment(ctx, &ktp); err != nil {
			return err
		}
		return f.store.AddOutbox(ctx, store.TaskDocumentsCheck, store.TicketTask{TicketID: id, MessageID: m.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.runChecks(t, id)
	tk := f.ticket(t, id)
	moves := f.events(t, id, ticket.EventStatusChanged)
	if tk.Status != ticket.StatusOpen || tk.Documents != allOK || len(moves) != 2 || moves[1].Data["from"] != "needs_info" ||
		moves[1].Data["reason"] != "documents" {
		t.Fatalf("ticket %s %+v, moves %+v; want back to open for the documents", tk.Status, tk.Documents, moves)
	}
}

func TestDocumentsNotNeededNeverNeedsInfo(t *testing.T) {
	f := newDocsFixture(t)
	atts := []ticket.Attachment{f.photo(t, "ktp.jpg", ticket.KindKTP, blurred(ktpPhoto(1)))}
	res := f.complaint(t, "<app-1@warga.test>", ticket.CategoryAppIssue, atts)
	f.runChecks(t, res.Ticket.ID)
	tk := f.ticket(t, res.Ticket.ID)
	want := ticket.Documents{KTP: ticket.DocUnreadable, Selfie: ticket.DocMissing, VaccineCard: ticket.DocMissing}
	if tk.Status != ticket.StatusNew || tk.Documents != want {
		t.Fatalf("app_issue ticket %s %+v, want new with %+v", tk.Status, tk.Documents, want)
	}
	if evs := f.events(t, tk.ID, ticket.EventDocumentsRequested); len(evs) != 0 || len(f.outboxTasks(t, store.TaskNotifyDocs, tk.ID)) != 0 {
		t.Fatalf("documents requested for an app_issue: %+v", evs)
	}
}

func TestDocumentsCallCenterRecordsTheRequest(t *testing.T) {
	f := newDocsFixture(t)
	atts := f.goodSet(t)
	atts[1] = f.photo(t, "selfie.jpg", ticket.KindSelfie, ktpPhoto(5)) // a KTP again, not a selfie
	res := f.complaint(t, "idem-call-1", ticket.CategoryNIKConflict, atts, func(in *intake.Inbound) {
		in.Channel, in.Ack, in.Complainant.Email = ticket.ChannelCallCenter, false, ""
	})
	f.runChecks(t, res.Ticket.ID)
	tk := f.ticket(t, res.Ticket.ID)
	if tk.Status != ticket.StatusNeedsInfo || tk.Documents.Selfie != ticket.DocMismatch {
		t.Fatalf("call-center ticket %s %+v, want needs_info with the selfie a mismatch", tk.Status, tk.Documents)
	}
	reqs := f.events(t, tk.ID, ticket.EventDocumentsRequested)
	if len(reqs) != 1 || reqs[0].Data["delivery"] != ticket.DocsNotSent || reqs[0].Data["channel"] != "callcenter" {
		t.Fatalf("requests %+v, want one recorded with no delivery", reqs)
	}
	var req ticket.DocsRequest
	if b, err := json.Marshal(reqs[0].Data); err != nil || json.Unmarshal(b, &req) != nil {
		t.Fatalf("request event data %v", reqs[0].Data)
	}
	if len(req.Missing) != 0 || len(req.Problems) != 1 || req.Problems[0].Kind != ticket.KindSelfie ||
		req.Problems[0].State != ticket.DocMismatch || !strings.Contains(strings.Join(req.Problems[0].Reasons, " "), "bukan swafoto") {
		t.Errorf("request %+v, want the selfie and why", req)
	}
	if n := len(f.outboxTasks(t, store.TaskNotifyDocs, tk.ID)); n != 0 || len(f.mx.Received()) != 0 {
		t.Fatalf("%d notify:docs rows for a call-center ticket", n)
	}
}

func TestDocumentsSamePhotoUnderTwoNIKs(t *testing.T) {
	f := newDocsFixture(t)
	shared := ktpPhoto(7)
	a := f.complaint(t, "<a-1@warga.test>", ticket.CategoryCertificateMissing,
		[]ticket.Attachment{f.photo(t, "ktp.jpg", ticket.KindKTP, shared)})
	b := f.complaint(t, "<b-1@lain.test>", ticket.CategoryNIKConflict,
		[]ticket.Attachment{f.photo(t, "foto.jpg", ticket.KindUnknown, shared)}, func(in *intake.Inbound) {
			in.Complainant = ticket.Complainant{Name: "Budi Santoso", NIK: "3171012304900002", Email: "budi@lain.test"}
		})
	for range 2 {
		f.runChecks(t, a.Ticket.ID)
		f.runChecks(t, b.Ticket.ID)
	}
	for _, c := range []struct{ self, other intake.Result }{{a, b}, {b, a}} {
		tk := f.ticket(t, c.self.Ticket.ID)
		if len(tk.Warnings) != 1 || tk.Warnings[0] != "Foto yang sama dipakai dengan NIK lain (tiket "+c.other.Ticket.Number+")" {
			t.Errorf("%s warnings %q, want one naming %s", tk.Number, tk.Warnings, c.other.Ticket.Number)
		}
		evs := f.events(t, tk.ID, documents.EventPossibleMisuse)
		if len(evs) != 1 || evs[0].Data["other_ticket_id"] != float64(c.other.Ticket.ID) {
			t.Errorf("%s misuse events %+v, want one naming ticket %d", tk.Number, evs, c.other.Ticket.ID)
		}
	}
}

func TestReviewOfNoTicket(t *testing.T) {
	f := newDocsFixture(t)
	if err := f.check.Review(context.Background(), 999999, 1); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Errorf("review of a ticket that does not exist: %v, want ENOTFOUND", err)
	}
}

func TestDocumentsKilledMidTaskTakeEffectOnce(t *testing.T) {
	f := newDocsFixture(t)
	atts := f.goodSet(t)
	atts[0] = f.photo(t, "ktp.jpg", ticket.KindKTP, blurred(ktpPhoto(1)))
	atts[2] = f.photo(t, "kartu-vaksin.jpg", ticket.KindVaccineCard, ktpPhoto(8))
	other := f.complaint(t, "<b-1@lain.test>", ticket.CategoryOther, []ticket.Attachment{atts[1]}, func(in *intake.Inbound) {
		in.Complainant = ticket.Complainant{Name: "Budi Santoso", NIK: "3171012304900002", Email: "budi@lain.test"}
	})
	res := f.complaint(t, "<msg-1@warga.test>", ticket.CategoryCertificateMissing, atts)
	id := res.Ticket.ID
	task := f.outboxTasks(t, store.TaskDocumentsCheck, id)[0]

	for _, crash := range []struct {
		method string
		after  int
	}{
		{"SaveCheck", 1},         // after the first attachment's check
		{"RememberDocuments", 0}, // inside the decision's transaction, after its writes
		{"FlagTicket", 1},        // between flagging this ticket and the other
	} {
		cs := &crashingStore{Store: f.store, method: crash.method, after: crash.after}
		h := documents.NewReviewer(cs, f.blobs, sharedChecker(t), quiet)
		func() {
			defer func() {
				if r := recover(); r != errKilled {
					t.Fatalf("killed at %s: recovered %v", crash.method, r)
				}
			}()
			_ = h.Review(context.Background(), task.TicketID, task.MessageID)
		}()
		t.Logf("killed at %s: %s", crash.method, f.effects(t, id))
	}
	if err := f.check.Review(context.Background(), task.TicketID, task.MessageID); err != nil {
		t.Fatal(err)
	}
	once := f.effects(t, id)
	if err := f.check.Review(context.Background(), task.TicketID, task.MessageID); err != nil {
		t.Fatal(err)
	}
	if again := f.effects(t, id); again != once {
		t.Fatalf("another run changed things:\n before %s\n after  %s", once, again)
	}

	tk := f.ticket(t, id)
	want := ticket.Documents{KTP: ticket.DocUnreadable, Selfie: ticket.DocOK, VaccineCard: ticket.DocMismatch}
	if tk.Status != ticket.StatusNeedsInfo || tk.Documents != want || len(tk.Warnings) != 1 {
		t.Fatalf("ticket %s %+v %q", tk.Status, tk.Documents, tk.Warnings)
	}
	for kind, n := range map[string]int{ticket.EventStatusChanged: 1, ticket.EventDocumentsRequested: 1, documents.EventPossibleMisuse: 1} {
		if got := len(f.events(t, id, kind)); got != n {
			t.Errorf("%d %s events, want %d", got, kind, n)
		}
	}
	if n := len(f.events(t, other.Ticket.ID, documents.EventPossibleMisuse)); n != 1 {
		t.Errorf("the other ticket has %d misuse events, want 1", n)
	}
	if n := len(f.outboxTasks(t, store.TaskNotifyDocs, id)); n != 1 {
		t.Errorf("%d notify:docs rows, want 1", n)
	}
	f.sendDocs(t, id)
	if mails := f.mx.Received(); len(mails) != 1 || !strings.Contains(mails[0].Text, "Foto kartu vaksinasi: foto yang Anda kirim tidak sesuai") {
		t.Fatalf("%d mails; want one asking for the KTP and the vaccine card", len(mails))
	}
}

// BenchmarkDocumentsCheck reviews the documents of a ticket with three
// 1600×1200 camera-sized JPEGs (KTP, selfie, vaccine card), the whole task
// as one worker slot runs it, on one core: read, check, derivative, writes,
// decision, misuse search. Each round starts from the attachments pending
// again.
func BenchmarkDocumentsCheck(b *testing.B) {
	f := newDocsFixture(b)
	big := func(img image.Image) image.Image {
		return noisy(scaledTo(img, 1600, 1200, image.Rect(0, 0, 1600, 1200), color.Gray{90}), 6, 9)
	}
	atts := []ticket.Attachment{
		f.photo(b, "ktp.jpg", ticket.KindKTP, big(ktpPhoto(1))),
		f.photo(b, "selfie.jpg", ticket.KindSelfie, noisy(scaledTo(selfiePhoto(b), 1600, 1200,
			image.Rect(200, 0, 1400, 1200), color.RGBA{90, 90, 100, 255}), 8, 4)),
		f.photo(b, "kartu-vaksin.jpg", ticket.KindVaccineCard, big(vaccineCardPhoto(b, vaccinePayload))),
	}
	res := f.complaint(b, "<bench-1@warga.test>", ticket.CategoryCertificateMissing, atts)
	task := f.outboxTasks(b, store.TaskDocumentsCheck, res.Ticket.ID)[0]
	ctx := context.Background()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one core, as a worker slot gets when all are busy
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.check.Review(ctx, task.TicketID, task.MessageID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if i == 0 {
			if tk := f.ticket(b, res.Ticket.ID); tk.Documents != allOK {
				b.Fatalf("documents %+v, want all ok", tk.Documents)
			}
		}
		storetest.Exec(b, f.dbURL, `UPDATE attachments SET "check" = '{"verdict": "pending", "reasons": [], "scores": {}}',
			derivative_sha256 = '' WHERE ticket_id = $1`, res.Ticket.ID)
		storetest.Exec(b, f.dbURL, "UPDATE tickets SET documents_decided = '' WHERE id = $1", res.Ticket.ID)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(3*b.N)/b.Elapsed().Seconds(), "images/s")
	// By this process's CPU time (PostgreSQL's work and the resets aside):
	// what a core gives when the machine is busy with other things too.
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(3*b.N)/cpu, "cpu-images/s")
	}
}
