// Command console drives a running `aduan serve` as the console's agents
// do, for scripts/bench-console.sh: -agents agents at once, each logged in
// with its own token (and, with -login, a session cookie), each looping
// over the request kinds (queue, ticket page, caller lookup, searches; see
// defaultKinds) with a random think time, for -duration after -warmup.
// Then, in the same run, the plain indexed SELECT of the same rows for
// each kind through pgx, as many workers at once. It prints per kind the
// server time (the duration the server logs for each request, matched by
// the X-Request-Id the program sends: -server-log), the client time and the
// plain SELECT's time, p50 and p99, and writes EXPLAIN ANALYZE of each plain
// SELECT to -explain. It is not part of Aduan.
//
// Adding a console page is one flag: -pages 'antrean:queue=/antrean?queue={queue}&assignee={agent}'
// measures GET /antrean with the queue kind's parameters and baseline.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aduan/aduan/scripts/bench/synth"
)

type config struct {
	url, db, serverLog, explain, login, password string
	agents, agentUsers, dbConns                  int
	thread                                       int64
	duration, warmup, think                      time.Duration
	kinds                                        []kind
}

func main() {
	var c config
	kinds, pages := defaultKinds, ""
	flag.StringVar(&c.url, "url", "http://127.0.0.1:7781", "the server")
	flag.StringVar(&c.db, "db", os.Getenv("DATABASE_URL"), "the server's database, for the samples and the plain SELECTs")
	flag.StringVar(&c.serverLog, "server-log", "", "the server's JSON log (level info): server times")
	flag.StringVar(&c.explain, "explain", "", "write EXPLAIN ANALYZE of each plain SELECT here")
	flag.StringVar(&c.login, "login", "", "also log in to this console path (POST form email, password) for a session cookie")
	flag.StringVar(&c.password, "password", "bench-console-password", "the agents' password")
	flag.IntVar(&c.agents, "agents", 50, "agents at once")
	flag.IntVar(&c.agentUsers, "agent-users", 300, "agents in the data (users 1..N)")
	flag.IntVar(&c.dbConns, "db-conns", 20, "connections of the plain SELECTs (the server's max_db_conns by default)")
	flag.Int64Var(&c.thread, "thread", 0, "the id of the 200-message ticket")
	flag.DurationVar(&c.duration, "duration", time.Minute, "measured time of each phase")
	flag.DurationVar(&c.warmup, "warmup", 10*time.Second, "unmeasured time before it")
	flag.DurationVar(&c.think, "think", time.Second, "an agent's mean pause between requests (exponential)")
	flag.StringVar(&kinds, "kinds", kinds, "request kinds, NAME[:SOURCE]=PATH lines")
	flag.StringVar(&pages, "pages", "", "more kinds, e.g. console pages: NAME[:SOURCE]=PATH, ';' or newline separated")
	flag.Parse()
	var err error
	if c.kinds, err = parseKinds(kinds + "\n" + pages); err != nil {
		fail(err)
	}
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "console:", err)
	os.Exit(1)
}

func escape(s string) string { return url.QueryEscape(s) }

// sample is what requests are drawn from: real rows of the database.
type sample struct {
	thread                                        string
	numbers, niks, phones, names, towns, vaccines []string
}

func run(ctx context.Context, c config, out io.Writer) error {
	if c.agents > c.agentUsers || c.thread <= 0 {
		return errors.New("need -agents <= -agent-users and -thread")
	}
	db, err := pgxpool.New(ctx, c.db+poolSize(c.db, c.dbConns))
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := draw(ctx, db, c.thread)
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	agents, err := login(ctx, c)
	if err != nil {
		return err
	}
	start := time.Now()
	web := loadHTTP(ctx, c, agents, d)
	httpEnd := time.Now()
	plain := loadPlain(ctx, c, db, agents, d)
	server, err := serverTimes(c.serverLog)
	if err != nil {
		return err
	}
	if c.explain != "" {
		if err := explainAll(ctx, c, db, agents[0], d); err != nil {
			return err
		}
	}
	report(out, c, web, plain, server, httpEnd.Sub(start))
	return nil
}

// poolSize adds pool_max_conns for the plain SELECTs' workers.
func poolSize(dsn string, n int) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%spool_max_conns=%d", sep, n)
}

// draw samples the rows requests ask for: ticket numbers and complainants
// spread over the whole year, by random ids.
func draw(ctx context.Context, db *pgxpool.Pool, thread int64) (*sample, error) {
	d := &sample{towns: []string{"Cibinong", "Depok", "Bekasi", "Garut", "Kudus", "Sleman", "Jember", "Mataram", "Kupang", "Palu"},
		vaccines: []string{"Sinovac", "AstraZeneca", "Pfizer", "Moderna"}}
	var maxT, maxC int64
	if err := db.QueryRow(ctx, "SELECT (SELECT max(id) FROM tickets), (SELECT max(id) FROM complainants)").Scan(&maxT, &maxC); err != nil {
		return nil, err
	}
	if err := db.QueryRow(ctx, "SELECT number FROM tickets WHERE id = $1", thread).Scan(&d.thread); err != nil {
		return nil, fmt.Errorf("thread ticket %d: %w", thread, err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	ids := func(n int, max int64) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = 1 + r.Int64N(max)
		}
		return out
	}
	rs, err := db.Query(ctx, "SELECT number FROM tickets WHERE id = ANY($1)", ids(5000, maxT))
	if err != nil {
		return nil, err
	}
	for rs.Next() {
		var n string
		if err := rs.Scan(&n); err != nil {
			return nil, err
		}
		d.numbers = append(d.numbers, n)
	}
	rs, err = db.Query(ctx, "SELECT nik, phone, name FROM complainants WHERE id = ANY($1) AND nik IS NOT NULL", ids(5000, maxC))
	if err != nil {
		return nil, err
	}
	for rs.Next() {
		var nik, phone, name string
		if err := rs.Scan(&nik, &phone, &name); err != nil {
			return nil, err
		}
		d.niks, d.phones, d.names = append(d.niks, nik), append(d.phones, phone), append(d.names, name)
	}
	if len(d.numbers) == 0 || len(d.niks) == 0 {
		return nil, errors.New("no tickets or complainants")
	}
	return d, nil
}

// agent is one logged-in agent: user id, its queue, its token.
type agent struct {
	id     int64
	queue  string
	token  string
	client *http.Client
}

func queueOf(id int64) string { return synth.Queues[(id-1)%int64(len(synth.Queues))] }
