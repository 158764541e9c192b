// Command logins drives a running Aduan API with N failed logins, each for
// a distinct account (a long random local part), at a bounded concurrency,
// and every few seconds prints what the server holds: its resident memory
// (VmRSS of -pid) and the rows of the login tables (login_attempts,
// login_known, read from -db). Every -big-every-th login carries a 1 MB
// email instead, which the server must refuse with 422 and never store.
//
//	go run ./scripts/bench/logins -url http://127.0.0.1:18091 -pid PID \
//	    -db postgres://postgres@127.0.0.1:5432/aduan_bench_logins?sslmode=disable \
//	    -n 1000000 -concurrency 64 -forwarded
//
// With -forwarded each login comes from its own client address
// (X-Forwarded-For, believed when 127.0.0.1 is a trusted proxy), so the
// accounts are counted too; without it every login comes from 127.0.0.1 and
// the address's own limit answers most of them with 429.
//
// It starts nothing and runs only against the address given.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/aduan/aduan/scripts/bench/proc"
)

// statuses are the answers counted in their own column; others go to "other".
var statuses = []int{401, 422, 429, 503}

func main() {
	url := flag.String("url", "http://127.0.0.1:18091", "the API's base URL")
	pid := flag.Int("pid", 0, "the server's process id, to read its memory (0: skip)")
	dbURL := flag.String("db", os.Getenv("DATABASE_URL"), "the server's database, to count the login tables' rows (empty: skip)")
	n := flag.Int("n", 10_000, "failed logins to send")
	conc := flag.Int("concurrency", 64, "logins in flight at once")
	every := flag.Duration("every", 5*time.Second, "how often to sample")
	local := flag.Int("local", 200, "length of each email's random local part (the server takes at most 254 in all)")
	bigEvery := flag.Int("big-every", 10_000, "every this many logins one has a 1 MB email (0: none)")
	limit := flag.Duration("for", 0, "stop sending after this long, however many were sent (0: no limit)")
	forwarded := flag.Bool("forwarded", false, "send each login from its own X-Forwarded-For address")
	flag.Parse()
	if *n <= 0 || *conc <= 0 {
		log.Fatal("need -n and -concurrency above 0")
	}

	var db *sql.DB
	if *dbURL != "" {
		var err error
		if db, err = sql.Open("pgx", *dbURL); err != nil {
			log.Fatal(err)
		}
		defer db.Close()
	}
	client := &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}
	// 1,000,000 bytes: the body stays under the server's 1 MiB limit, so the
	// email itself is what must be refused (422, not 413).
	bigEmail := strings.Repeat("a", 1_000_000-len("@bench.test")) + "@bench.test"

	start := time.Now()
	var (
		next, sent, errs, other, big422, bigBusy, bigWrong atomic.Int64
		counts                                             = make([]atomic.Int64, len(statuses))
	)
	send := func(i int64) {
		email := bigEmail
		big := *bigEvery > 0 && i%int64(*bigEvery) == 0
		if !big {
			email = randomLocal(*local) + "@bench.test"
		}
		body, _ := json.Marshal(map[string]string{"email": email, "password": "salah-" + strconv.FormatInt(i, 10)})
		req, _ := http.NewRequest(http.MethodPost, *url+"/api/v1/auth/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if *forwarded {
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		}
		res, err := client.Do(req)
		sent.Add(1)
		if err != nil {
			errs.Add(1)
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		switch {
		case !big:
		case res.StatusCode == http.StatusUnprocessableEntity:
			big422.Add(1)
		case res.StatusCode == http.StatusServiceUnavailable:
			bigBusy.Add(1) // shed before it was read: nothing kept either
		default:
			bigWrong.Add(1)
		}
		for k, s := range statuses {
			if s == res.StatusCode {
				counts[k].Add(1)
				return
			}
		}
		other.Add(1)
	}

	header := fmt.Sprintf("%8s %9s", "seconds", "sent")
	for _, s := range statuses {
		header += fmt.Sprintf(" %8d", s)
	}
	header += fmt.Sprintf(" %6s %6s %9s %14s %11s", "other", "errors", "RSS MiB", "login_attempts", "login_known")
	fmt.Println(header)
	sample := func() {
		line := fmt.Sprintf("%8.0f %9d", time.Since(start).Seconds(), sent.Load())
		for k := range statuses {
			line += fmt.Sprintf(" %8d", counts[k].Load())
		}
		attempts, known := rows(db)
		line += fmt.Sprintf(" %6d %6d %9s %14s %11s", other.Load(), errs.Load(), rssMiB(*pid), attempts, known)
		fmt.Println(line)
	}
	sample()

	done := make(chan struct{})
	var wg sync.WaitGroup
	for range *conc {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(*n) || *limit > 0 && time.Since(start) > *limit {
					return
				}
				send(i)
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(*every)
	defer tick.Stop()
	for running := true; running; {
		select {
		case <-tick.C:
			sample()
		case <-done:
			running = false
		}
	}
	took := time.Since(start)
	sample()
	fmt.Printf("%d logins in %.0f s: %.0f/s; 1 MB emails: %d answered 422, %d 503 (server busy), %d otherwise\n",
		sent.Load(), took.Seconds(), float64(sent.Load())/took.Seconds(), big422.Load(), bigBusy.Load(), bigWrong.Load())
}

// randomLocal is n random lowercase hex characters.
func randomLocal(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// rows counts the login tables' rows ("?" when unknown).
func rows(db *sql.DB) (attempts, known string) {
	if db == nil {
		return "?", "?"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var a, k int64
	err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM login_attempts), (SELECT count(*) FROM login_known)`).Scan(&a, &k)
	if err != nil {
		log.Printf("counting rows: %v", err)
		return "?", "?"
	}
	return strconv.FormatInt(a, 10), strconv.FormatInt(k, 10)
}

// rssMiB is the process's resident memory in MiB ("?" when unknown).
func rssMiB(pid int) string {
	kb, err := strconv.Atoi(strings.TrimSuffix(proc.Status(pid, "VmRSS"), " kB"))
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.1f", float64(kb)/1024)
}
