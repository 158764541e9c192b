package retention_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/retention"
	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/ticket"
)

// seedYear writes n tickets over the weeks of 2021-W40..W48, with every
// fate a ticket can have, each with a message and a photo, for a few dozen
// complainants.
func seedYear(t *testing.T, f *fixture, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(16, 2021))
	people := make([]int64, 30)
	for i := range people {
		people[i] = int64(storetest.Count(t, f.dbURL, `INSERT INTO complainants (name, nik, phone, birth_date)
			VALUES ($1, $2, $3, '1985-08-05') RETURNING id`, fmt.Sprintf("Pelapor %d", i),
			fmt.Sprintf("320101450885%04d", i+1), fmt.Sprintf("+62811105%05d", i)))
	}
	channels := []string{"email", "callcenter", "whatsapp", "sms"}
	first := time.Date(2021, 10, 4, 0, 0, 0, 0, ticket.Jakarta)
	rows := make([][]any, n)
	for i := range rows {
		created := first.Add(time.Duration(rng.IntN(60*24*60)) * time.Minute)
		status, updated := []string{"new", "open", "pending", "needs_info"}[rng.IntN(4)], created
		var resolved, responded, due *time.Time
		switch k := rng.IntN(10); {
		case k < 6:
			status = []string{"resolved", "closed"}[rng.IntN(2)]
			r := created.Add(time.Duration(rng.IntN(10*24*60)) * time.Minute)
			resolved = &r
		case k < 7:
			status, updated = "closed", created.Add(time.Duration(rng.IntN(5*24*60))*time.Minute)
		}
		if rng.IntN(10) < 7 {
			r := created.Add(time.Duration(rng.IntN(48*3600)) * time.Second)
			responded = &r
		}
		if rng.IntN(10) < 8 {
			d := created.Add(24 * time.Hour)
			due = &d
		}
		rows[i] = []any{fmt.Sprintf("PL-211004-%06d", i+1), channels[rng.IntN(4)],
			string(ticket.Categories[rng.IntN(len(ticket.Categories))]), status, people[rng.IntN(len(people))],
			created, updated, resolved, due, responded, rng.IntN(10) == 0}
	}
	storetest.Exec(t, f.dbURL, `INSERT INTO tickets (number, channel, category, status, priority, complainant_id,
		created_at, updated_at, resolved_at, first_response_due, first_responded_at, sla_breached, subject, description)
		SELECT r->>0, r->>1, r->>2, r->>3, 'normal', (r->>4)::bigint, (r->>5)::timestamptz, (r->>6)::timestamptz,
			(r->>7)::timestamptz, (r->>8)::timestamptz, (r->>9)::timestamptz, (r->>10)::boolean,
			'Sertifikat', 'NIK saya 3201014508850001'
		FROM jsonb_array_elements($1::jsonb) AS r`, rows)
	storetest.Exec(t, f.dbURL, `INSERT INTO messages (ticket_id, direction, channel, body, raw_sha256, created_at)
		SELECT id, 'inbound', channel, 'NIK 3201014508850001', md5(id::text) || md5(number), created_at FROM tickets`)
	storetest.Exec(t, f.dbURL, `INSERT INTO attachments (ticket_id, message_id, filename, size, sha256, stored, kind)
		SELECT ticket_id, id, 'ktp.jpg', 1000, md5(ticket_id::text || 'ktp') || md5('x'), true, 'ktp' FROM messages`)
}

func weeks(t *testing.T) []store.Week {
	var out []store.Week
	w, _ := store.ParseWeek("2021-W40")
	for range 10 {
		out = append(out, w)
		w = w.Next()
	}
	return out
}

func reports(t *testing.T, s *store.Store) []store.WeeklyReport {
	t.Helper()
	ctx := context.Background()
	var out []store.WeeklyReport
	for _, w := range weeks(t) {
		if err := s.RollupWeek(ctx, w, sla.Compliance); err != nil {
			t.Fatal(err)
		}
		r, err := s.WeeklyReport(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		r.ComputedAt = time.Time{}
		out = append(out, r)
	}
	return out
}

// The weekly report, rolled up again from the tickets after a purge, has
// the same figures as before it: the purge keeps every row and column the
// report counts.
func TestWeeklyReportUnchangedByPurge(t *testing.T) {
	f := newFixture(t)
	seedYear(t, f, 600)
	before := reports(t, f.s)
	if before[3].Created() == 0 || before[3].SLATotal == 0 || before[3].BacklogEnd == 0 {
		t.Fatalf("the seed is too thin: %+v", before[3])
	}
	r, err := f.purger(retention.Settings{Period: retention.DefaultPeriod, BatchSize: 50}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Tickets < 300 || r.Complainants != 0 { // every one of the 30 people keeps an open ticket
		t.Fatalf("purge = %+v, want most tickets purged and every complainant kept", r)
	}
	after := reports(t, f.s)
	for i := range before {
		if !reflect.DeepEqual(before[i], after[i]) {
			t.Errorf("%s changed by the purge:\nbefore %+v\nafter  %+v", before[i].Week, before[i], after[i])
		}
	}
}

// Two purges at once share the work: every due ticket is purged once,
// audited once, and each batch is one worker's.
func TestConcurrentPurges(t *testing.T) {
	f := newFixture(t)
	seedYear(t, f, 300)
	due := f.count(`SELECT count(*) FROM tickets WHERE status IN ('resolved', 'closed')`)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		purged  int64
		failure error
	)
	for range 3 {
		wg.Go(func() {
			r, err := f.purger(retention.Settings{Period: retention.DefaultPeriod, BatchSize: 7}).Run(context.Background())
			mu.Lock()
			defer mu.Unlock()
			purged += r.Tickets
			if err != nil {
				failure = err
			}
		})
	}
	wg.Wait()
	if failure != nil {
		t.Fatal(failure)
	}
	if purged != int64(due) {
		t.Errorf("the purges report %d tickets, want %d", purged, due)
	}
	if n := f.count(`SELECT count(*) FROM tickets WHERE purged_at IS NOT NULL`); n != due {
		t.Errorf("%d tickets purged, want %d", n, due)
	}
	if n := f.count(`SELECT count(DISTINCT subject) FROM audit_log WHERE action = 'retention_purge'`); n != due {
		t.Errorf("%d tickets audited, want %d", n, due)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'retention_purge'`); n != due {
		t.Errorf("%d purge audit rows, want %d: a ticket was purged twice", n, due)
	}
}
