package routing_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
	"github.com/aduan/aduan/pkg/ticket"
)

// benchPool is the connection pool of the stores the benchmarks drive, as
// a worker or an API instance would have (PostgreSQL allows 100 in all).
const benchPool = 40

// seedTickets takes in n complaints through the Ingester, as ids 1 to n,
// of every category and priority in turn, the first oldest, each with the
// outbox rows intake writes (ticket:route among them); with a queue, each
// is then put in it as routing would.
func seedTickets(b *testing.B, f *fixture, n int, queue string) {
	b.Helper()
	ctx := context.Background()
	priorities := []ticket.Priority{ticket.PriorityLow, ticket.PriorityNormal, ticket.PriorityHigh, ticket.PriorityUrgent}
	for i := 1; i <= n; i++ {
		tk := ticket.Ticket{Category: categories[i%len(categories)], Priority: priorities[i%len(priorities)],
			Queue: queue}
		if _, err := f.complaint(ctx, tk); err != nil {
			b.Fatal(err)
		}
	}
}

var categories = []ticket.Category{ticket.CategoryCertificateMissing, ticket.CategoryCertificateDataError,
	ticket.CategoryPersonalDataChange, ticket.CategoryNIKConflict, ticket.CategoryVaccinationStatus,
	ticket.CategoryAppIssue, ticket.CategoryOther}

func bigStore(b *testing.B, f *fixture) *store.Store {
	b.Helper()
	s, err := store.Open(context.Background(), f.dbURL, store.Options{MaxOpenConns: benchPool})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkClaim claims b.N tickets from one queue with 200 agents claiming
// at once, and one agent alone for comparison, and reports the latency of
// one claim as the agent sees it (waiting for a pooled connection
// included).
func BenchmarkClaim(b *testing.B) {
	for _, claimers := range []int{200, 1} {
		b.Run(fmt.Sprintf("claimers=%d", claimers), func(b *testing.B) { benchmarkClaim(b, claimers) })
	}
}

func benchmarkClaim(b *testing.B, claimers int) {
	f := newFixture(b)
	agents := make([]ticket.User, claimers)
	for i := range agents {
		agents[i] = f.agent(b, fmt.Sprintf("agen%d", i), nil, b.N+1, ticket.PresenceAvailable)
	}
	seedTickets(b, f, b.N, "umum")
	router := routing.NewRouter(bigStore(b, f), f.router.Rules())
	var next atomic.Int64
	latencies := make([][]time.Duration, claimers)
	var wg sync.WaitGroup
	b.ResetTimer()
	for i, a := range agents {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				start := time.Now()
				_, ok, err := router.Claim(context.Background(), a, "umum")
				latencies[i] = append(latencies[i], time.Since(start))
				if err != nil || !ok {
					b.Errorf("claim: %v, %v", ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	all := slices.Concat(latencies...)
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
	if n := storetest.Count(b, f.dbURL, `SELECT count(DISTINCT id) FROM tickets WHERE assignee_id IS NOT NULL`); n != b.N {
		b.Errorf("%d tickets assigned, want %d", n, b.N)
	}
}

// BenchmarkRoute routes b.N new tickets from 10 goroutines (a worker's
// concurrency), straight through Router.Route, to 50 agents.
func BenchmarkRoute(b *testing.B) {
	f := newFixture(b)
	for i := range 50 {
		f.agent(b, fmt.Sprintf("agen%d", i), nil, b.N, ticket.PresenceAvailable)
	}
	seedTickets(b, f, b.N, "")
	router := routing.NewRouter(bigStore(b, f), f.router.Rules())
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range 10 {
		wg.Go(func() {
			for id := next.Add(1); id <= int64(b.N); id = next.Add(1) {
				if _, err := router.Route(context.Background(), id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "routes/s")
}

// BenchmarkRouteEndToEnd routes b.N tickets the way production does: an
// outbox row each, the relay hands them to asynq on a private Redis, a
// worker (concurrency 10) runs ticket:route and marks the row done, 50
// agents receive them. The
// clock runs until the last ticket is assigned.
func BenchmarkRouteEndToEnd(b *testing.B) {
	f := newFixture(b)
	for i := range 50 {
		f.agent(b, fmt.Sprintf("agen%d", i), nil, b.N, ticket.PresenceAvailable)
	}
	seedTickets(b, f, b.N, "")
	s := bigStore(b, f)
	rd := taskstest.NewRedis(b)
	rc := rd.Client()
	defer rc.Close()
	w := tasks.NewWorker(rc, tasks.WorkerConfig{Concurrency: 10, Outbox: s}, quietLog)
	tasks.NewRouteHandler(routing.NewRouter(s, f.router.Rules()), quietLog).Register(w)
	relay := tasks.NewRelay(s, tasks.NewQueue(rc), w.Types(), quietLog)
	relay.Interval = 10 * time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	b.ResetTimer()
	wg.Go(func() { _ = w.Run(ctx) })
	wg.Go(func() { _ = relay.Run(ctx) })
	deadline := time.Now().Add(5*time.Minute + time.Duration(b.N)*10*time.Millisecond)
	for {
		// Every ticket is an agent's or waits in its queue once routed.
		n := storetest.Count(b, f.dbURL, `SELECT count(*) FROM tickets WHERE queue <> ''`)
		if n == b.N {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d tickets routed in time", n, b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "routes/s")
	if n := storetest.Count(b, f.dbURL, `SELECT count(*) FROM tickets WHERE assignee_id IS NULL`); n != 0 {
		b.Errorf("%d tickets were routed but not pushed", n)
	}
}
