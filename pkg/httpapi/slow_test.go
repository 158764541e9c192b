package httpapi_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/httpapi"
)

// slowServer serves the harness's app over TCP as production does
// (httpapi.HTTPServer), with cfg's limits.
func slowServer(t *testing.T, h *harness, cfg httpapi.Config) *httptest.Server {
	t.Helper()
	a := h.app
	cfg.Users, cfg.Tickets, cfg.Ingester, cfg.Desk, cfg.Log, cfg.TokenTTL = a.Store, a.Store, a.Ingester, a.Desk, a.Log, a.Config.TokenTTL
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = httpapi.HTTPServer(httpapi.New(cfg))
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// stall opens a connection that sends a request's headers and the first
// byte of a body it promises to be 2,000 bytes long, then nothing.
func stall(t *testing.T, addr, path, token string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	auth := ""
	if token != "" {
		auth = "Authorization: Bearer " + token + "\r\n"
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: aduan\r\nContent-Type: application/json\r\n%sContent-Length: 2000\r\n\r\n{", path, auth)
	return conn
}

var bodiesReadingLine = regexp.MustCompile(`(?m)^aduan_http_request_bodies_reading (\d+)`)

// waitBodiesReading waits until the server says n bodies are arriving.
func waitBodiesReading(t *testing.T, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for got := -1; ; {
		res, err := http.Get(base + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if m := bodiesReadingLine.FindSubmatch(b); m != nil {
				got, _ = strconv.Atoi(string(m[1]))
			}
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d request bodies arriving, want %d", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Hundreds of connections that send a body's first byte and stall, with
// and without credentials, take no place among the requests being worked:
// agents' requests and a login are answered at once, as without them.
func TestStalledClientsDoNotStarveAgents(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := slowServer(t, h, httpapi.Config{MaxInFlight: 8, QueueWait: 100 * time.Millisecond,
		BodyGrace: 5 * time.Minute}) // the stalls outlast the test
	tok := h.token(t, h.agent)
	addr := strings.TrimPrefix(srv.URL, "http://")
	const anonymous, authenticated = 250, 50
	for range anonymous {
		stall(t, addr, "/api/v1/auth/login", "")
	}
	for range authenticated {
		stall(t, addr, "/api/v1/tickets", tok)
	}
	waitBodiesReading(t, srv.URL, anonymous+authenticated)

	var wg sync.WaitGroup
	statuses := make(chan string, 100)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				path := []string{"/api/v1/me", "/api/v1/tickets?limit=5"}[(w+i)%2]
				req, _ := http.NewRequest("GET", srv.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- err.Error()
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				statuses <- fmt.Sprintf("%s %d", path, res.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if !strings.HasSuffix(s, " 200") {
			t.Errorf("agent's request while %d clients stall: %s, want 200", anonymous+authenticated, s)
		}
	}
	res, err := http.Post(srv.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"supervisor@aduan.test","password":"`+testPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("login while clients stall: %d, want 200", res.StatusCode)
	}
}

// A body that stops arriving is cut off once its grace is over (408, the
// connection closed); one that keeps coming at a slow link's pace is
// read to its end however long that takes.
func TestBodyMustKeepComing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := slowServer(t, h, httpapi.Config{BodyGrace: time.Second, MinBodyRate: 1024})
	tok := h.token(t, h.agent)
	addr := strings.TrimPrefix(srv.URL, "http://")

	t.Run("stalled", func(t *testing.T) {
		conn := stall(t, addr, "/api/v1/tickets", tok)
		_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
		rd := bufio.NewReader(conn)
		res, err := http.ReadResponse(rd, nil)
		if err != nil {
			t.Fatalf("no answer to a stalled body: %v", err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusRequestTimeout || !res.Close {
			t.Errorf("stalled body: %d (close %v), want 408 and the connection closed", res.StatusCode, res.Close)
		}
		// The server lets the connection go; it does not wait for the rest.
		if n, err := io.Copy(io.Discard, rd); err != nil || n != 0 {
			t.Errorf("after the 408: %d more bytes, %v; want the connection closed", n, err)
		}
	})

	t.Run("slow but steady", func(t *testing.T) {
		// 7.5 KB at about 5 KB/s, five times the minimum: longer than the grace.
		note := `{"body":"` + strings.Repeat("Catatan panjang dari telepon. ", 250) + `","internal":true}`
		tk := h.createTicket(t, tok, newCall(nikN(7), phoneN(7)))
		pr, pw := io.Pipe()
		go func() {
			b := []byte(note)
			for len(b) > 0 {
				n := min(256, len(b))
				pw.Write(b[:n])
				b = b[n:]
				time.Sleep(50 * time.Millisecond)
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/tickets/"+tk.Number+"/messages", pr)
		req.ContentLength = int64(len(note))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated || !bytes.Contains(body, []byte("Catatan panjang")) {
			t.Errorf("slow note: %d %.200s", res.StatusCode, body)
		}
	})
}
