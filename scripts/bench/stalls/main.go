// Command stalls measures what an agent sees while clients hold stalled
// requests: the latency of GET /api/v1/tickets, first on a quiet server,
// then while -stalls connections each send a request's headers and one
// byte of its body and then nothing (half as anonymous logins, half as
// authenticated ticket creations). A connection the server cuts off is
// opened again at once, so the number held stays at -stalls.
//
//	go run ./scripts/bench/stalls -url http://127.0.0.1:8080 -token TOKEN
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aduan/aduan/scripts/bench/load"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the API's base URL")
	token := flag.String("token", "", "an agent's bearer token")
	stalls := flag.Int("stalls", 500, "stalled connections to hold")
	workers := flag.Int("workers", 4, "agents' requests in flight at once")
	duration := flag.Duration("duration", 20*time.Second, "how long each phase measures")
	flag.Parse()
	if *token == "" {
		fmt.Fprintln(os.Stderr, "stalls: -token is required")
		os.Exit(2)
	}
	u, err := url.Parse(*base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stalls:", err)
		os.Exit(2)
	}

	quiet := measure(*base, *token, *workers, *duration)
	report("quiet", quiet, 0, 0)

	ctx, stop := context.WithCancel(context.Background())
	var held, reopened atomic.Int64
	var wg sync.WaitGroup
	for i := range *stalls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, auth := "/api/v1/auth/login", ""
			if i%2 == 1 {
				path, auth = "/api/v1/tickets", "Authorization: Bearer "+*token+"\r\n"
			}
			for first := true; ctx.Err() == nil; first = false {
				if !first {
					reopened.Add(1)
				}
				holdStalled(ctx, u.Host, path, auth, &held)
			}
		}()
	}
	for held.Load() < int64(*stalls) {
		time.Sleep(10 * time.Millisecond)
	}
	stalled := measure(*base, *token, *workers, *duration)
	report(fmt.Sprintf("%d stalled", *stalls), stalled, held.Load(), reopened.Load())
	stop()
	wg.Wait()
}

// holdStalled sends a request's headers and the first byte of a body
// that promises 2,000, then waits until the server closes the connection.
func holdStalled(ctx context.Context, host, path, auth string, held *atomic.Int64) {
	conn, err := net.Dial("tcp", host)
	if err != nil {
		time.Sleep(100 * time.Millisecond)
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%sContent-Length: 2000\r\n\r\n{",
		path, host, auth)
	held.Add(1)
	_, _ = io.Copy(io.Discard, conn)
	held.Add(-1)
}

// measure runs workers that each send GET /api/v1/tickets?limit=25 one
// after the other for d.
func measure(base, token string, workers int, d time.Duration) load.Result {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	return load.Repeat(client, base+"/api/v1/tickets?limit=25", token, workers, d)
}

func report(phase string, r load.Result, held, reopened int64) {
	slices.Sort(r.Latencies)
	q := func(p float64) float64 {
		if len(r.Latencies) == 0 {
			return 0
		}
		return float64(r.Latencies[int(p*float64(len(r.Latencies)-1))].Microseconds()) / 1000
	}
	fmt.Printf("%-12s requests %6d  statuses %v  errors %d  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms",
		phase, len(r.Latencies), r.Statuses, r.Errors, q(0.50), q(0.90), q(0.99), q(1))
	if held > 0 || reopened > 0 {
		fmt.Printf("  held at the end %d  reopened after a cut %d", held, reopened)
	}
	fmt.Println()
}
