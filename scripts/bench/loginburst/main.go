// Command loginburst measures an Aduan API under a burst of logins: N
// logins sent at the same moment, their latencies and answers, and the
// server's resident memory (peak and after). Then it measures what a token
// check costs: GET /api/v1/me for a few seconds over a few connections.
//
//	go run ./scripts/bench/loginburst -url http://127.0.0.1:18080 \
//	    -email 'bench%d@aduan.test' -password ... -pid $(pgrep -n aduan) -n 200 -forwarded
//
// An email with %d is one account per login (bench0@…, bench1@…); with
// -forwarded each login comes from its own client address, as a trusted
// proxy (127.0.0.1 in the server's trusted_proxies) would say: a burst of
// many people, not one account guessed (which throttling answers with 429).
//
// It runs only against the address given, briefly, and starts nothing.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aduan/aduan/scripts/bench/load"
	"github.com/aduan/aduan/scripts/bench/proc"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:18080", "the API's base URL")
	email := flag.String("email", "", "a user's email")
	password := flag.String("password", "", "that user's password")
	pid := flag.Int("pid", 0, "the server's process id, to read its memory (0: skip)")
	n := flag.Int("n", 200, "logins sent at once")
	meSeconds := flag.Duration("me-for", 5*time.Second, "how long to measure token checks (0: skip)")
	meConns := flag.Int("me-conns", 8, "connections checking tokens at once")
	forwarded := flag.Bool("forwarded", false, "send each login from its own X-Forwarded-For address")
	flag.Parse()
	if *email == "" || *password == "" {
		log.Fatal("need -email and -password")
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *n}}

	if *pid > 0 {
		// Resets the peak RSS (VmHWM) so the burst's own peak is read.
		_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", *pid), []byte("5"), 0)
	}
	before := proc.Status(*pid, "VmRSS")
	bodyOf := func(i int) []byte {
		e := *email
		if strings.Contains(e, "%d") {
			e = fmt.Sprintf(e, i)
		}
		b, _ := json.Marshal(map[string]string{"email": e, "password": *password})
		return b
	}
	type result struct {
		status int
		took   time.Duration
	}
	results := make([]result, *n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range *n {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			req, _ := http.NewRequest(http.MethodPost, *url+"/api/v1/auth/login", bytes.NewReader(bodyOf(i)))
			req.Header.Set("Content-Type", "application/json")
			if *forwarded {
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", i/256, i%256))
			}
			res, err := client.Do(req)
			status := 0
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				status = res.StatusCode
			}
			results[i] = result{status, time.Since(t0)}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	wall := time.Since(t0)
	statuses := map[int]int{}
	var ok, all []time.Duration
	for _, r := range results {
		statuses[r.status]++
		all = append(all, r.took)
		if r.status == http.StatusOK {
			ok = append(ok, r.took)
		}
	}
	fmt.Printf("burst: %d logins at once, all answered in %v\n", *n, wall.Round(time.Millisecond))
	fmt.Printf("  answers: %v\n", statuses)
	fmt.Printf("  every answer: %s\n", percentiles(all))
	fmt.Printf("  200s only:    %s\n", percentiles(ok))
	if *pid > 0 {
		fmt.Printf("  server RSS: before %s, peak %s, after %s\n", before, proc.Status(*pid, "VmHWM"), proc.Status(*pid, "VmRSS"))
	}
	if *meSeconds > 0 {
		checkTokens(client, *url, bodyOf(0), *meSeconds, *meConns)
	}
}

// checkTokens logs in once, then asks GET /me as fast as conns connections
// can for d.
func checkTokens(client *http.Client, url string, body []byte, d time.Duration, conns int) {
	res, err := client.Post(url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	var out struct{ Token string }
	err = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if err != nil || out.Token == "" {
		log.Fatalf("login for the token check: %d %v", res.StatusCode, err)
	}
	r := load.Repeat(client, url+"/api/v1/me", out.Token, conns, d)
	took := r.OK
	failed := r.Errors + len(r.Latencies) - len(r.OK)
	fmt.Printf("token checks: GET /me over %d connections for %v: %.0f/s, %d failed\n", conns, d,
		float64(len(took))/d.Seconds(), failed)
	fmt.Printf("  %s\n", percentiles(took))
}

func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	slices.Sort(ds)
	at := func(p float64) time.Duration {
		return ds[min(len(ds)-1, int(p*float64(len(ds))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("n=%d p50 %v p90 %v p99 %v max %v", len(ds), at(.5), at(.9), at(.99), ds[len(ds)-1].Round(10*time.Microsecond))
}
