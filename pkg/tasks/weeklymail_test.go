package tasks_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/configs"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/ticket"
)

// outbox is a notify.Sender that keeps what it was given, and refuses
// mail to the addresses in refuse.
type outbox struct {
	mu     sync.Mutex
	sent   []notify.OutgoingMail
	refuse map[string]bool
}

func (o *outbox) Send(_ context.Context, m notify.OutgoingMail) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.refuse[m.To] {
		return errors.New("421 try again later")
	}
	o.sent = append(o.sent, m)
	return nil
}

func (o *outbox) to() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, m := range o.sent {
		out = append(out, m.To)
	}
	return out
}

func TestWeeklyMail(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	for _, u := range []ticket.User{{Email: "spv1@kemkes.go.id", Name: "Rina", Role: ticket.RoleSupervisor},
		{Email: "agen@kemkes.go.id", Name: "Agen", Role: ticket.RoleAgent},
		{Email: "spv2@kemkes.go.id", Name: "Dodi", Role: ticket.RoleSupervisor}} {
		if err := s.CreateUser(ctx, &u, "hash"); err != nil {
			t.Fatal(err)
		}
	}
	// Week 2021-W45: three tickets by mail, one of them resolved in time.
	cid := storetest.Count(t, dbURL, `INSERT INTO complainants (name) VALUES ('Budi') RETURNING id`)
	storetest.Exec(t, dbURL, `INSERT INTO tickets (number, channel, category, status, priority, complainant_id,
			created_at, updated_at, resolved_at, finished_at, first_response_due, resolution_due)
		SELECT 'PL-' || i, 'email', 'certificate_missing', CASE WHEN i = 1 THEN 'resolved' ELSE 'open' END, 'normal', $1,
			timestamptz '2021-11-09 09:00+07', now(), CASE WHEN i = 1 THEN timestamptz '2021-11-09 10:00+07' END,
			CASE WHEN i = 1 THEN timestamptz '2021-11-09 10:00+07' END,
			timestamptz '2021-11-10 09:00+07', timestamptz '2021-11-12 09:00+07'
		FROM generate_series(1, 3) AS i`, cid)

	box := &outbox{refuse: map[string]bool{"spv2@kemkes.go.id": true}}
	mailer, err := notify.NewReportMailer(box, configs.Templates, "Aduan <aduan@kemkes.go.id>", "https://aduan.kemkes.go.id/")
	if err != nil {
		t.Fatal(err)
	}
	handler := func(now time.Time) *tasks.WeeklyMail {
		h := tasks.NewWeeklyMail(sla.Reports{Store: s}, s, mailer, quiet)
		h.Now = func() time.Time { return now }
		return h
	}
	run := func(h *tasks.WeeklyMail) error {
		return h.HandleMail(ctx, asynq.NewTask(tasks.TaskReportsMail, nil))
	}

	// 06:59 WIB on Monday 15 November is too early; in UTC it is still Sunday.
	if err := run(handler(time.Date(2021, 11, 14, 23, 59, 0, 0, time.UTC))); err != nil || len(box.to()) != 0 {
		t.Fatalf("before 07:00 WIB: %v, sent to %v", err, box.to())
	}

	at7 := time.Date(2021, 11, 15, 7, 0, 0, 0, ticket.Jakarta)
	// Two workers at once, one relay refusing Dodi's mail for now.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = run(handler(at7)) })
	}
	wg.Wait()
	if got := box.to(); len(got) != 1 || got[0] != "spv1@kemkes.go.id" {
		t.Fatalf("two workers at 07:00 sent to %v, want Rina once", got)
	}
	if errs[0] == nil && errs[1] == nil {
		t.Fatalf("Dodi's refused mail was not reported, so it would not be tried again")
	}
	m := box.sent[0]
	for _, want := range []string{"Laporan mingguan pengaduan 2021-W45 (08/11/2021–14/11/2021)"} {
		if m.Subject != want {
			t.Errorf("subject %q, want %q", m.Subject, want)
		}
	}
	for _, want := range []string{"Yth. Rina,", "Tiket masuk:              3", "Tiket diselesaikan:       1",
		"Kepatuhan SLA:            100,00% (1 dari 1 tiket", "- Email: 3", "- Sertifikat tidak muncul: 3",
		"https://aduan.kemkes.go.id/console/laporan/mingguan?week=2021-W45"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the mail does not say %q:\n%s", want, m.Text)
		}
	}
	if m.MessageID != "<report.2021-W45.1@kemkes.go.id>" || m.Headers["Auto-Submitted"] != "auto-generated" {
		t.Errorf("Message-ID %q, headers %v", m.MessageID, m.Headers)
	}

	// The relay takes Dodi's mail later that morning; Rina gets nothing more.
	box.mu.Lock()
	box.refuse = nil
	box.mu.Unlock()
	if err := run(handler(at7.Add(5 * time.Minute))); err != nil {
		t.Fatal(err)
	}
	if err := run(handler(at7.Add(2 * time.Hour))); err != nil {
		t.Fatal(err)
	}
	if got := box.to(); len(got) != 2 || got[1] != "spv2@kemkes.go.id" {
		t.Fatalf("after the relay came back: sent to %v, want Rina then Dodi, once each", got)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM report_mails WHERE week_start = '2021-11-08'`); n != 2 {
		t.Fatalf("%d mails recorded for 2021-W45, want 2", n)
	}
}

func TestWeeklyMailWithoutPublicURLNamesTheMenu(t *testing.T) {
	box := &outbox{}
	mailer, err := notify.NewReportMailer(box, configs.Templates, "aduan@kemkes.go.id", "")
	if err != nil {
		t.Fatal(err)
	}
	w, _ := store.ParseWeek("2021-W45")
	r := store.WeeklyReport{Week: w, ByCategory: map[ticket.Category]int{}}
	if err := mailer.WeeklyReport(context.Background(), ticket.User{ID: 4, Email: "spv@kemkes.go.id", Name: "Rina"}, r); err != nil {
		t.Fatal(err)
	}
	text := box.sent[0].Text
	if strings.Contains(text, "http") || !strings.Contains(text, "menu Laporan") || !strings.Contains(text, "Kepatuhan SLA:            – (0 dari 0") {
		t.Errorf("mail without a public address:\n%s", text)
	}
	if _, err := notify.NewReportMailer(box, configs.Templates, "aduan@kemkes.go.id", "javascript:alert(1)"); err == nil {
		t.Error("a public URL that is not http(s) was accepted")
	}
}
