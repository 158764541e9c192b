// Package load drives a running Aduan API for the benchmarks.
package load

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Result is what Repeat saw.
type Result struct {
	// Statuses counts the answers by HTTP status.
	Statuses map[int]int
	// Errors counts the requests that got no answer.
	Errors int
	// Latencies are those of every answer; OK those of the 200s alone.
	Latencies, OK []time.Duration
}

// Repeat has workers goroutines each send GET url with the bearer token,
// one request after the other, for d.
func Repeat(client *http.Client, url, token string, workers int, d time.Duration) Result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	r := Result{Statuses: map[int]int{}}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				took := time.Since(t0)
				mu.Lock()
				if err != nil {
					r.Errors++
				} else {
					r.Statuses[res.StatusCode]++
					r.Latencies = append(r.Latencies, took)
					if res.StatusCode == http.StatusOK {
						r.OK = append(r.OK, took)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return r
}
