package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// login logs agents 1..c.agents in through POST /api/v1/auth/login, as
// any client does, and with -login through the console's form too.
func login(ctx context.Context, c config) ([]*agent, error) {
	agents := make([]*agent, c.agents)
	for i := range agents {
		id := int64(i + 1)
		j, _ := cookiejar.New(nil)
		a := &agent{id: id, queue: queueOf(id), client: &http.Client{Jar: j, Timeout: 30 * time.Second}}
		email := fmt.Sprintf("agen%d@bench.test", id)
		body, _ := json.Marshal(map[string]string{"email": email, "password": c.password})
		res, err := a.client.Post(c.url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		var tok struct {
			Token string `json:"token"`
		}
		err = json.NewDecoder(res.Body).Decode(&tok)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || tok.Token == "" {
			return nil, fmt.Errorf("login %s: %s, %v", email, res.Status, err)
		}
		a.token = tok.Token
		if c.login != "" {
			res, err := a.client.PostForm(c.url+c.login, url.Values{"email": {email}, "password": {c.password}})
			if err != nil {
				return nil, err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode >= 400 {
				return nil, fmt.Errorf("console login %s: %s", email, res.Status)
			}
		}
		agents[i] = a
	}
	return agents, nil
}

// results are one phase's times in ms per kind, the measured request ids
// per kind, and failures.
type results struct {
	mu     sync.Mutex
	ms     map[string][]float64
	ids    map[string][]string
	errors map[string]int
	last   map[string]string
}

func newResults() *results {
	return &results{ms: map[string][]float64{}, ids: map[string][]string{}, errors: map[string]int{}, last: map[string]string{}}
}

func (r *results) add(kind, id string, ms float64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errors[kind]++
		r.last[kind] = err.Error()
		return
	}
	r.ms[kind] = append(r.ms[kind], ms)
	if id != "" {
		r.ids[kind] = append(r.ids[kind], id)
	}
}

// phase runs work for every agent at once, each pausing an exponential
// think time between requests; only work started after the warm-up counts.
func phase(c config, agents []*agent, work func(r *rand.Rand, a *agent, seq int, measured bool)) {
	var wg sync.WaitGroup
	measureFrom := time.Now().Add(c.warmup)
	end := measureFrom.Add(c.duration)
	for _, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(a.id), uint64(time.Now().UnixNano())))
			// agents start spread over one think time, not all at once
			time.Sleep(time.Duration(r.Float64() * float64(c.think)))
			for seq := 0; time.Now().Before(end); seq++ {
				work(r, a, seq, time.Now().After(measureFrom))
				time.Sleep(time.Duration(r.ExpFloat64() * float64(c.think)))
			}
		}()
	}
	wg.Wait()
}

func loadHTTP(ctx context.Context, c config, agents []*agent, d *sample) *results {
	res := newResults()
	phase(c, agents, func(r *rand.Rand, a *agent, seq int, measured bool) {
		k := c.kinds[r.IntN(len(c.kinds))]
		path := k.url(k.src.draw(r, a, d))
		id := fmt.Sprintf("cb-%s-%d-%d", k.name, a.id, seq)
		req, _ := http.NewRequestWithContext(ctx, "GET", c.url+path, nil)
		if k.post {
			u, form, _ := strings.Cut(path, "?")
			req, _ = http.NewRequestWithContext(ctx, "POST", c.url+u, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("X-Request-Id", id)
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+a.token)
		}
		t0 := time.Now()
		resp, err := a.client.Do(req)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("%s %s: %s", req.Method, k.path, resp.Status)
			}
		}
		if measured {
			res.add(k.name, id, ms(time.Since(t0)), err)
		}
	})
	return res
}

func loadPlain(ctx context.Context, c config, db *pgxpool.Pool, agents []*agent, d *sample) *results {
	res := newResults()
	phase(c, agents, func(r *rand.Rand, a *agent, _ int, measured bool) {
		k := c.kinds[r.IntN(len(c.kinds))]
		p := k.src.draw(r, a, d)
		t0 := time.Now()
		err := k.src.plain(ctx, db, p)
		if measured {
			res.add(k.name, "", ms(time.Since(t0)), err)
		}
	})
	return res
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// serverTimes reads the server's request log: duration_ms by request id.
func serverTimes(path string) (map[string]float64, error) {
	out := map[string]float64{}
	if path == "" {
		return out, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"cb-`)) {
			continue
		}
		var l struct {
			Msg        string  `json:"msg"`
			RequestID  string  `json:"request_id"`
			DurationMS float64 `json:"duration_ms"`
		}
		if json.Unmarshal(line, &l) == nil && l.Msg == "http request" {
			out[l.RequestID] = l.DurationMS
		}
	}
	return out, sc.Err()
}

func explainAll(ctx context.Context, c config, db *pgxpool.Pool, a *agent, d *sample) error {
	f, err := os.Create(c.explain)
	if err != nil {
		return err
	}
	defer f.Close()
	r := rand.New(rand.NewPCG(3, 4))
	done := map[*source]bool{}
	for _, k := range c.kinds {
		if done[k.src] {
			continue
		}
		done[k.src] = true
		fmt.Fprintf(f, "==== %s\n", k.name)
		if err := k.src.plain(context.WithValue(ctx, explainKey{}, io.Writer(f)), db, k.src.draw(r, a, d)); err != nil {
			return fmt.Errorf("explain %s: %w", k.name, err)
		}
	}
	return nil
}

// pct is the p-th percentile (nearest rank) of xs, sorted in place.
func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	i := int(math.Ceil(p/100*float64(len(xs)))) - 1
	return xs[max(i, 0)]
}

func report(out io.Writer, c config, web, plain *results, server map[string]float64, took time.Duration) {
	fmt.Fprintf(out, "load:       %d agents at once, think time %s (exponential), %s measured after %s warm-up; %d kinds in equal shares\n",
		c.agents, c.think, c.duration, c.warmup, len(c.kinds))
	fmt.Fprintf(out, "%-22s %7s %6s %8s %8s %8s %8s %8s %8s %7s %5s\n", "kind", "target", "n",
		"srv p50", "srv p99", "cli p50", "cli p99", "sql p50", "sql p99", "errors", "met")
	for _, k := range c.kinds {
		target := 50.0
		if k.src.search {
			target = 100
		}
		var srv []float64
		for _, id := range web.ids[k.name] {
			if v, ok := server[id]; ok {
				srv = append(srv, v)
			}
		}
		cli := web.ms[k.name]
		p99 := pct(srv, 99)
		met := "yes"
		switch {
		case len(srv) == 0:
			p99, met = pct(cli, 99), "n/a"
		case p99 > target || web.errors[k.name] > 0:
			met = "NO"
		}
		fmt.Fprintf(out, "%-22s %5.0fms %6d %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %7d %5s\n", k.name, target, len(cli),
			pct(srv, 50), p99, pct(cli, 50), pct(cli, 99), pct(plain.ms[k.name], 50), pct(plain.ms[k.name], 99),
			web.errors[k.name]+plain.errors[k.name], met)
	}
	for _, r := range []*results{web, plain} {
		for k, e := range r.last {
			fmt.Fprintf(out, "error (%s): %s\n", k, e)
		}
	}
	fmt.Fprintf(out, "srv: the server's own duration_ms (request log, matched by X-Request-Id); cli: at the client; sql: the plain SELECT of the same rows through pgx, same agents and think time\n")
}
