package tasks_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/ticket"
)

// rollupRecorder is a ReportStore that remembers which weeks it rolled up.
type rollupRecorder struct {
	weeks []string
	err   error
}

func (r *rollupRecorder) RollupWeek(_ context.Context, w store.Week, _ store.SLARule) error {
	r.weeks = append(r.weeks, w.String())
	return r.err
}

func TestReportRollupWeeks(t *testing.T) {
	sundayNight := time.Date(2021, 11, 14, 23, 30, 0, 0, ticket.Jakarta)
	mondayEarly := time.Date(2021, 11, 14, 17, 30, 0, 0, time.UTC) // 00:30 WIB Monday
	tests := []struct {
		name    string
		now     time.Time
		payload string
		want    []string
	}{
		{name: "periodic: the current week and the one before", now: sundayNight, want: []string{"2021-W44", "2021-W45"}},
		{name: "periodic, 00:30 WIB Monday is a new week though UTC says Sunday", now: mondayEarly,
			want: []string{"2021-W45", "2021-W46"}},
		{name: "empty object is periodic", now: sundayNight, payload: `{}`, want: []string{"2021-W44", "2021-W45"}},
		{name: "one week", payload: `{"week": "2021-W45"}`, want: []string{"2021-W45"}},
		{name: "a range across a long year", payload: `{"from": "2020-W52", "to": "2021-W02"}`,
			want: []string{"2020-W52", "2020-W53", "2021-W01", "2021-W02"}},
		{name: "a range of one week", payload: `{"from": "2021-W45", "to": "2021-W45"}`, want: []string{"2021-W45"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &rollupRecorder{}
			r := tasks.NewReportRollup(rec, quiet)
			r.Now = func() time.Time { return tt.now }
			var payload []byte
			if tt.payload != "" {
				payload = []byte(tt.payload)
			}
			if err := r.HandleRollup(context.Background(), asynq.NewTask(tasks.TaskReportsRollup, payload)); err != nil {
				t.Fatalf("HandleRollup: %v", err)
			}
			if !slices.Equal(rec.weeks, tt.want) {
				t.Fatalf("rolled up %v, want %v", rec.weeks, tt.want)
			}
		})
	}
}

// A payload that can never work is not retried, and nothing is rolled up.
func TestReportRollupBadPayload(t *testing.T) {
	for _, payload := range []string{
		`not json`,
		`{"week": "2021-W54"}`,
		`{"week": "2021-45"}`,
		`{"week": 45}`,
		`{"weeks": "2021-W45"}`,
		`{"week": "2021-W45", "from": "2021-W40", "to": "2021-W45"}`,
		`{"from": "2021-W40"}`,
		`{"to": "2021-W40"}`,
		`{"from": "2021-W45", "to": "2021-W40"}`,
		`{"from": "2000-W01", "to": "2021-W01"}`,
	} {
		t.Run(payload, func(t *testing.T) {
			rec := &rollupRecorder{}
			err := tasks.NewReportRollup(rec, quiet).HandleRollup(context.Background(),
				asynq.NewTask(tasks.TaskReportsRollup, []byte(payload)))
			if !errors.Is(err, asynq.SkipRetry) {
				t.Fatalf("HandleRollup(%s) = %v, want SkipRetry", payload, err)
			}
			if len(rec.weeks) != 0 {
				t.Fatalf("rolled up %v for a bad payload", rec.weeks)
			}
		})
	}
}

// A failing database is retried: the error is not SkipRetry.
func TestReportRollupRetriesStoreErrors(t *testing.T) {
	rec := &rollupRecorder{err: errors.New("connection refused")}
	err := tasks.NewReportRollup(rec, quiet).HandleRollup(context.Background(),
		asynq.NewTask(tasks.TaskReportsRollup, nil))
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("HandleRollup = %v, want a retryable error", err)
	}
}

// The task as a worker receives it rolls up the real tables, and a backfill
// task built by NewReportsRollupTask carries its weeks.
func TestReportRollupOnDatabase(t *testing.T) {
	s, dbURL := storetest.New(t)
	ctx := context.Background()
	now := time.Now()
	cid := int64(storetest.Count(t, dbURL, `INSERT INTO complainants (name) VALUES ('Siti Aminah') RETURNING id`))
	for i, at := range []time.Time{now, now.AddDate(0, 0, -7), now.AddDate(0, 0, -70)} {
		storetest.Exec(t, dbURL, `INSERT INTO tickets (number, channel, category, status, priority, complainant_id, created_at)
			VALUES ($1, 'email', 'certificate_missing', 'new', 'normal', $2, $3)`,
			ticket.FormatNumber(at, int64(i+1)), cid, at)
	}
	r := tasks.NewReportRollup(s, quiet)
	if err := r.HandleRollup(ctx, asynq.NewTask(tasks.TaskReportsRollup, nil)); err != nil {
		t.Fatal(err)
	}
	current := store.WeekOf(now)
	for _, w := range []store.Week{current, current.Prev()} {
		rep, err := s.WeeklyReport(ctx, w)
		if err != nil || rep.Created() != 1 {
			t.Fatalf("%s after the periodic run: created %d, %v", w, rep.Created(), err)
		}
	}
	old := store.WeekOf(now.AddDate(0, 0, -70))
	if _, err := s.WeeklyReport(ctx, old); ticket.ErrorCode(err) != ticket.ENOTFOUND {
		t.Fatalf("%s was not asked for but is there: %v", old, err)
	}

	task, err := tasks.NewReportsRollupTask(tasks.RollupRequest{From: old.String(), To: old.Next().String()})
	if err != nil || task.Type() != tasks.TaskReportsRollup {
		t.Fatalf("NewReportsRollupTask: %v, %v", task, err)
	}
	if err := r.HandleRollup(ctx, task); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.WeeklyReport(ctx, old); err != nil || rep.Created() != 1 || rep.BacklogEnd != 1 {
		t.Fatalf("%s after the backfill: %+v, %v", old, rep, err)
	}
	if n := storetest.Count(t, dbURL, `SELECT count(*) FROM report_weekly`); n != 4 {
		t.Fatalf("report_weekly has %d weeks, want 4", n)
	}
}
