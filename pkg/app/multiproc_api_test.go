package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/ticket"
)

// mpHTTP is the client of the test's requests; a process killed in the
// middle of one answers with a broken connection, not a hang.
var mpHTTP = &http.Client{Timeout: 30 * time.Second}

// do sends one request to the API of s and returns the status, the body
// and the Retry-After header.
func do(s *aduanProc, method, path, token string, headers map[string]string, body any) (int, []byte, http.Header, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+s.addr+path, r)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := mpHTTP.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, resp.Header, err
}

// login logs in on s and returns the token.
func (c *mpCluster) login(t *testing.T, s *aduanProc, email, password string) string {
	t.Helper()
	status, body, _, err := do(s, "POST", "/api/v1/auth/login", "", nil, map[string]string{"email": email, "password": password})
	if err != nil || status != http.StatusOK {
		t.Fatalf("login %s on %s: %d %s %v", email, s, status, body, err)
	}
	var res struct {
		Token string
		User  struct{ ID int64 }
	}
	if err := json.Unmarshal(body, &res); err != nil || res.Token == "" {
		t.Fatalf("login %s: %s: %v", email, body, err)
	}
	if email == mpAgent {
		c.agentID = res.User.ID
	}
	return res.Token
}

// get sends a GET to s with token.
func (c *mpCluster) get(t *testing.T, s *aduanProc, path, token string) (int, []byte) {
	t.Helper()
	status, body, _, err := do(s, "GET", path, token, nil, nil)
	if err != nil {
		t.Fatalf("GET %s on %s: %v", path, s, err)
	}
	return status, body
}

// checkSharedThrottle sends failed logins for one account alternately to
// the two API processes, one after the other. The account's count is one
// count whichever process takes the attempt: after five failures in all
// (three on one process, two on the other, each below the limit alone)
// both refuse the account with 429 until its delay is over. An attempt
// let through although it ended before the delay the earlier ones earned
// had passed means a process counted alone.
func (c *mpCluster) checkSharedThrottle(t *testing.T, email string) {
	t.Helper()
	limit := httpapi.DefaultLoginPolicy().Account
	passed, refused := 0, [2]int{}
	var lastPassed time.Time
	for i := 0; i < 16 && (refused[0] == 0 || refused[1] == 0); i++ {
		s := c.serves[i%2]
		sent := time.Now()
		status, body, header, err := do(s, "POST", "/api/v1/auth/login", "", nil,
			map[string]string{"email": email, "password": "tebakan-salah-" + fmt.Sprint(i)})
		if err != nil {
			t.Fatalf("login attempt %d on %s: %v", i, s, err)
		}
		switch status {
		case http.StatusUnauthorized:
			if wait := limit.Delay(passed); passed >= limit.Free && time.Now().Before(lastPassed.Add(wait)) {
				t.Errorf("attempt %d on %s let through within %s of the previous one, after %d failures on both processes",
					i+1, s, wait, passed)
			}
			passed++
			lastPassed = sent
		case http.StatusTooManyRequests:
			if passed < limit.Free {
				t.Errorf("attempt %d on %s refused after only %d failures", i+1, s, passed)
			}
			if header.Get("Retry-After") == "" {
				t.Errorf("attempt %d on %s: 429 without Retry-After", i+1, s)
			}
			refused[i%2]++
		default:
			t.Fatalf("login attempt %d on %s: %d %s", i+1, s, status, body)
		}
	}
	if refused[0] == 0 || refused[1] == 0 {
		t.Errorf("refused %d times on %s and %d on %s after %d failures: the limit must hold on both",
			refused[0], c.serves[0], refused[1], c.serves[1], passed)
	}
}

// callSource is the source id call i is stored under: its Idempotency-Key,
// scoped to the agent.
func (c *mpCluster) callSource(t *testing.T, i int) string {
	t.Helper()
	if c.agentID == 0 {
		t.Fatal("the agent has not logged in")
	}
	return fmt.Sprintf("agent:%d:%s", c.agentID, mpCallKey(i))
}

func mpCallKey(i int) string { return fmt.Sprintf("multiproc-call-%03d", i) }

// mpCall is the i-th caller's complaint, with their own NIK and phone.
func mpCall(i int) map[string]any {
	return map[string]any{
		"channel":     "callcenter",
		"category":    "certificate_missing",
		"description": "Sertifikat vaksin dosis kedua belum muncul di aplikasi PeduliLindungi.",
		"call_ref":    fmt.Sprintf("CALL-MULTI-%03d", i),
		"complainant": map[string]any{
			"name":  fmt.Sprintf("Penelepon %d", i),
			"nik":   fmt.Sprintf("3201014508852%03d", i+1),
			"phone": fmt.Sprintf("+6281234560%03d", i),
		},
	}
}

// call takes call i in through the API processes, starting with the one
// its number picks: when a process fails to answer (killed with the
// request in hand, or gone), the call goes to the other with the same
// Idempotency-Key, as an agent's console or a load balancer retries. It
// returns the ticket, whether the answer was a replay of a stored try,
// and how many tries failed first.
func (c *mpCluster) call(token string, i int) (id int64, replayed bool, retries int, err error) {
	deadline := time.Now().Add(time.Minute)
	headers := map[string]string{"Idempotency-Key": mpCallKey(i)}
	for try := 0; ; try++ {
		s := c.serves[(i+try)%2]
		status, body, header, err := do(s, "POST", "/api/v1/tickets", token, headers, mpCall(i))
		switch {
		case err == nil && status == http.StatusCreated:
			var res struct{ ID int64 }
			if err := json.Unmarshal(body, &res); err != nil || res.ID == 0 {
				return 0, false, try, fmt.Errorf("decode %s: %v", body, err)
			}
			return res.ID, header.Get("Idempotent-Replayed") == "true", try, nil
		case err == nil && status < 500:
			return 0, false, try, fmt.Errorf("%s answered %d: %s", s, status, body)
		case time.Now().After(deadline):
			return 0, false, try, fmt.Errorf("no process took it within a minute; last from %s: %d %s %v", s, status, body, err)
		}
		if try%2 == 1 {
			time.Sleep(100 * time.Millisecond) // both failed this round
		}
	}
}

// checkAcks: every mail had exactly one acknowledgement, stored once and
// delivered once to its sender; calls had none. A worker killed after the
// relay took a mail and before the worker recorded it sent leaves the
// mail to be sent again: that (delivery is at least once) is the one
// repeat allowed, and only of a mail the killed worker's relay took.
func (c *mpCluster) checkAcks(t *testing.T, n int) {
	t.Helper()
	if bad := c.count(t, `SELECT count(*) FROM tickets t WHERE channel = 'email' AND (SELECT count(*) FROM messages m
		WHERE m.ticket_id = t.id AND m.kind = $1 AND m.direction = 'outbound' AND m.status = $2) <> 1`,
		ticket.KindAck, ticket.DeliverySent); bad != 0 {
		t.Errorf("%d mail tickets without exactly one sent acknowledgement", bad)
	}
	if bad := c.count(t, "SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.channel = 'callcenter' AND m.kind = $1",
		ticket.KindAck); bad != 0 {
		t.Errorf("%d acknowledgements of calls", bad)
	}
	type delivery struct {
		byKilled, bySurvivor int
		checked              bool
	}
	delivered := map[string]*delivery{}
	for i, sink := range c.sinks {
		for _, m := range sink.Received() {
			id := strings.TrimSpace(m.Header.Get("Message-ID"))
			d := delivered[id]
			if d == nil {
				d = &delivery{}
				delivered[id] = d
			}
			if i == 0 {
				d.byKilled++
			} else {
				d.bySurvivor++
			}
			if staff(m.To) {
				continue // the supervisors' weekly report: checked below
			}
			if c.count(t, "SELECT count(*) FROM messages WHERE direction = 'outbound' AND source_id = $1", id) != 1 {
				t.Errorf("mail %s to %v was sent but is no stored message", id, m.To)
			}
		}
	}
	// A mail to the staff is the week's report, which a supervisor gets
	// once whichever worker runs it (again only after the killed worker's
	// relay took it).
	reports := 0
	for _, sink := range c.sinks {
		for _, m := range sink.Received() {
			id := strings.TrimSpace(m.Header.Get("Message-ID"))
			d := delivered[id]
			if !staff(m.To) || d.checked {
				continue
			}
			d.checked = true
			reports++
			if total := d.byKilled + d.bySurvivor; total != 1 && (d.byKilled == 0 || total != 2) {
				t.Errorf("report %s to %v delivered %d times by the killed worker and %d by the other",
					id, m.To, d.byKilled, d.bySurvivor)
			}
		}
	}
	t.Logf("%d weekly report mails to supervisors", reports)
	for i := range n {
		mail := newMPComplaint(t, i, nil)
		in, err := c.store.MessageBySource(t.Context(), ticket.ChannelEmail, mail.messageID)
		if err != nil {
			t.Errorf("mail %d: %v", i, err)
			continue
		}
		ticketID := in.TicketID
		ackID, to := c.ackOf(t, ticketID)
		if to != mail.from {
			t.Errorf("mail %d (ticket %d): acknowledgement %q to %q, want to %q", i, ticketID, ackID, to, mail.from)
		}
		d := delivered[ackID]
		switch {
		case d == nil:
			t.Errorf("mail %d: acknowledgement %s never reached a relay", i, ackID)
		case d.byKilled+d.bySurvivor == 1:
		case d.byKilled >= 1 && d.byKilled+d.bySurvivor == 2:
			t.Logf("mail %d: acknowledgement %s sent again after the worker that sent it was killed before recording it", i, ackID)
		default:
			t.Errorf("mail %d: acknowledgement %s delivered %d times by the killed worker and %d by the other",
				i, ackID, d.byKilled, d.bySurvivor)
		}
	}
}

// ackOf returns the Message-ID and the recipient of a ticket's
// acknowledgement, read through the store's own view of its messages.
func (c *mpCluster) ackOf(t *testing.T, ticketID int64) (string, string) {
	t.Helper()
	msgs, err := c.store.Messages(t.Context(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Direction == ticket.Outbound && m.Kind == ticket.KindAck {
			return m.SourceID, strings.TrimSpace(m.Recipient)
		}
	}
	return "", ""
}

// staff reports whether a mail goes to the desk's own accounts (the
// weekly report), not to a complainant.
func staff(to []string) bool {
	for _, addr := range to {
		if strings.HasSuffix(strings.Trim(addr, "<> "), "@aduan.test") {
			return true
		}
	}
	return false
}
