package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/aduan/aduan/pkg/blob/blobtest"
	"github.com/aduan/aduan/pkg/documents"
	"github.com/aduan/aduan/pkg/notify/notifytest"
	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/store/storetest"
	"github.com/aduan/aduan/pkg/tasks"
	"github.com/aduan/aduan/pkg/tasks/taskstest"
	"github.com/aduan/aduan/pkg/ticket"
)

// Accounts of the multi-process test.
const (
	mpAgent         = "agen.multi@aduan.test"
	mpAgentPassword = "kata-sandi-agen-123"
	mpGuessed       = "supervisor.multi@aduan.test" // the account a guesser tries
)

// mpCluster is Aduan deployed as on several machines: two of each of
// `serve`, `worker` and `poll`, as separate processes on one PostgreSQL
// database, one Redis and one S3 bucket, reading one mailbox and
// answering one WhatsApp number.
type mpCluster struct {
	store   *store.Store
	dbURL   string
	blobs   *blobtest.Gateway // the S3 bucket every process keeps its blobs in
	bot     *mpBot
	agentID int64 // known once the agent logged in
	redis   *taskstest.Redis
	box     *complaintMailbox
	sinks   [2]*notifytest.MailServer // the SMTP relay of each worker
	gate    *relayGate                // between worker-0 and its relay
	serves  [2]*aduanProc
	workers [2]*aduanProc
	pollers [2]*aduanProc
}

// TestSeveralProcesses runs two `serve`, two `worker` and two `poll`
// processes against one PostgreSQL database, one Redis and one S3 bucket
// (a versitygw of its own; no data directory is shared), sends complaint
// mails into the one mailbox both pollers read and call-center calls
// alternately through both APIs, and SIGKILLs one process of each kind
// half-way while both flow. When everything settled, every mail and every
// call is exactly one ticket, routed and assigned once, every mail
// acknowledged exactly once, nothing is left to do, and every blob a row
// names is in the bucket and reads back whole.
//
// Around the kill, a console session opened on one API process holds on
// the other and survives the death of the first, and a logout on any
// process ends it on all; a WhatsApp bot conversation whose messages land
// alternately on both API processes goes on step by step, each message
// answered once, even when its worker is killed.
//
// Both pollers read the one mailbox at once: what keeps a mail from
// becoming two tickets is the Message-ID, unique per channel.
func TestSeveralProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds aduan and runs six processes of it: not with -short")
	}
	t.Parallel() // its database, Redis, mailbox and relays are its own
	start := time.Now()
	c := startCluster(t)
	t.Logf("cluster up in %s", time.Since(start).Round(time.Millisecond))

	token := c.login(t, c.serves[0], mpAgent, mpAgentPassword)
	if status, body := c.get(t, c.serves[1], "/api/v1/me", token); status != 200 {
		t.Fatalf("a token from a login on %s, on %s: %d %s; want 200", c.serves[0], c.serves[1], status, body)
	}
	c.checkSharedThrottle(t, mpGuessed)
	session := c.checkConsoleBeforeKill(t)

	// The conversation's first steps land alternately on both API
	// processes; the fourth goes to the first just before it is killed.
	chat := &mpChat{bot: c.bot, steps: mpConversation()}
	for i := range 3 {
		chat.send(t, i%2)
		chat.await(t, time.Minute, c.serves[0], c.serves[1], c.workers[0], c.workers[1])
	}

	const n = 40 // mails, and as many calls
	flowStart := time.Now()
	calls := c.flow(t, token, n, func() { chat.send(t, 0) })
	t.Logf("sent %d mails and %d calls in %s", n, n, time.Since(flowStart).Round(time.Millisecond))

	c.checkConsoleAfterKill(t, session)
	survivors := []*aduanProc{c.serves[1], c.workers[1], c.pollers[1]}
	// The message taken by the killed API process is answered by the
	// surviving worker (or, if the killed one held it, once its lease
	// lapsed); the rest of the conversation goes to the survivor.
	chat.await(t, 3*time.Minute, survivors...)
	for chat.next < len(chat.steps) {
		chat.send(t, 1)
		chat.await(t, time.Minute, survivors...)
	}
	t.Logf("bot conversation done %s after the last send", time.Since(flowStart).Round(time.Millisecond))

	settleStart := time.Now()
	c.settled(t, n)
	t.Logf("settled %s after the last send", time.Since(settleStart).Round(time.Millisecond))

	c.checkTickets(t, n, calls)
	c.checkAcks(t, n)
	c.checkOutbox(t)
	chat.checkDone(t)
	c.checkBlobs(t)
	t.Logf("replayed calls: %d, calls retried on the other process: %d; duplicate mails met by the pollers: %d, %d",
		calls.replayed, calls.retried, c.pollers[0].logCount("duplicate inbound item"),
		c.pollers[1].logCount("duplicate inbound item"))
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}

// startCluster starts the six processes and the servers around them, and
// adds the agent who takes the calls and the account a guesser tries.
func startCluster(t *testing.T) *mpCluster {
	t.Helper()
	st, dbURL := storetest.New(t)
	c := &mpCluster{store: st, dbURL: dbURL, blobs: blobtest.Start(t), redis: taskstest.NewRedis(t),
		box: newComplaintMailbox(t), sinks: [2]*notifytest.MailServer{notifytest.NewMailServer(t), notifytest.NewMailServer(t)}}
	c.bot = newMPBot(t, &c.serves)
	c.gate = newRelayGate(t, c.sinks[0].Addr)
	bin := buildAduan(t)
	dir := t.TempDir()
	// Fewer connections than the default: six processes share the
	// server with the other tests.
	config := filepath.Join(dir, "aduan.yaml")
	if err := os.WriteFile(config, []byte("max_db_conns: 4\nworker_concurrency: 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := childEnv("ADUAN_CONFIG="+config, "DATABASE_URL="+dbURL, "REDIS_URL="+c.redis.URL,
		"ADUAN_DATA_DIR="+filepath.Join(dir, "cli"), "ADUAN_HTTP_ADDR=127.0.0.1:0", "ADUAN_LOG_LEVEL=info",
		"ADUAN_IMAP_ADDR="+c.box.addr, "ADUAN_IMAP_USER="+mpMailbox, "ADUAN_IMAP_PASSWORD="+mpPassword,
		"ADUAN_IMAP_TLS=none", "ADUAN_SMTP_TLS=none", "ADUAN_MAIL_FROM=PeduliLindungi <"+mpMailbox+">",
		"ADUAN_BLOB_URL="+c.blobs.URL(), "ADUAN_S3_ACCESS_KEY="+blobtest.AccessKey, "ADUAN_S3_SECRET_KEY="+blobtest.SecretKey)
	env = append(env, c.bot.env(-1)...)
	runAduan(t, bin, env, mpAgentPassword+"\n", "user", "add", "--email", mpAgent, "--name", "Budi Agen",
		"--role", "agent", "--capacity", "500")
	runAduan(t, bin, env, "kata-sandi-super-123\n", "user", "add", "--email", mpGuessed, "--name", "Sari Supervisor",
		"--role", "supervisor")
	runAduan(t, bin, env, mpSupervisorPassword+"\n", "user", "add", "--email", mpSupervisor, "--name", mpSupervisorName,
		"--role", "supervisor")
	c.bot.addPerson(t, c)
	logs := t.TempDir()
	for i := range 2 {
		// Each process has a data directory of its own: the blobs are
		// shared through the bucket alone.
		own := func(name string, env []string) []string {
			return append(env[:len(env):len(env)], "ADUAN_DATA_DIR="+filepath.Join(dir, name))
		}
		c.serves[i] = startAduan(t, bin, logs, fmt.Sprintf("serve-%d", i), own(fmt.Sprintf("serve-%d", i), env), "serve")
		// Each worker sends through its own relay and reaches the Graph
		// API at its own URL, so the test knows which process sent each
		// mail and each WhatsApp answer.
		relay := c.sinks[i].Addr
		if i == 0 {
			relay = c.gate.addr
		}
		workerEnv := append(env[:len(env):len(env)], "ADUAN_SMTP_ADDR="+relay)
		c.workers[i] = startAduan(t, bin, logs, fmt.Sprintf("worker-%d", i),
			own(fmt.Sprintf("worker-%d", i), append(workerEnv, c.bot.env(i)...)), "worker")
		c.pollers[i] = startAduan(t, bin, logs, fmt.Sprintf("poll-%d", i), own(fmt.Sprintf("poll-%d", i), env), "poll")
	}
	for _, s := range c.serves {
		s.waitListening(t, 60*time.Second)
	}
	return c
}

// mpCalls is what the calls' answers said.
type mpCalls struct {
	ticketIDs []int64 // by call
	replayed  int     // answered Idempotent-Replayed: an earlier try had been stored
	retried   int     // tries after a failed one
}

// flow delivers n complaint mails and sends n calls, four at a time,
// alternating between the two APIs; half-way it SIGKILLs the first serve,
// worker and poll process (atKill runs just before), and goes on sending
// to the survivors. The first worker's relay stops answering when the
// flow starts, so the worker is killed in the middle of sending a mail
// (when it takes one within 20 s): a task it holds, which the other worker
// must take up.
func (c *mpCluster) flow(t *testing.T, token string, n int, atKill func()) *mpCalls {
	t.Helper()
	imapc, err := c.box.login()
	if err != nil {
		t.Fatal(err)
	}
	defer imapc.Close()
	calls := &mpCalls{ticketIDs: make([]int64, n)}
	errs := make([]error, n)
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range jobs {
				id, replayed, retries, err := c.call(token, i)
				mu.Lock()
				calls.ticketIDs[i], errs[i] = id, err
				calls.retried += retries
				if replayed {
					calls.replayed++
				}
				mu.Unlock()
			}
		})
	}
	c.gate.stalled.Store(true)
	for i := range n {
		if i == n/2 {
			// Kill the worker once it is caught sending; which worker
			// takes the acknowledgements is asynq's choice, so after a
			// bounded wait it is killed anyway (and the log says so).
			for deadline := time.Now().Add(20 * time.Second); c.gate.held.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
			}
			atKill()
			for _, p := range []*aduanProc{c.serves[0], c.workers[0], c.pollers[0]} {
				p.kill(t)
			}
			t.Logf("killed %s, %s (while sending %d mails) and %s after %d mails and calls",
				c.serves[0], c.workers[0], c.gate.held.Load(), c.pollers[0], i)
		}
		var photo []byte
		if i%4 == 0 {
			photo = outageJPEG(t, i)
		}
		if err := deliver(imapc, newMPComplaint(t, i, photo).raw); err != nil {
			t.Fatalf("deliver mail %d: %v", i, err)
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return calls
}

// settled waits until all work is done: every mail taken in and moved out
// of the INBOX, every outbox row finished, every acknowledgement sent, and
// the queues of that work empty. A task the killed worker held comes back
// only when asynq's lease on it lapsed (30 s, and 30 s more for clocks),
// noticed within the minute after, and then runs again a second later:
// this may take two minutes.
func (c *mpCluster) settled(t *testing.T, n int) {
	t.Helper()
	insp := asynq.NewInspectorFromRedisClient(c.redis.Client())
	defer insp.Close()
	survivors := []*aduanProc{c.serves[1], c.workers[1], c.pollers[1]}
	waitFor(t, 4*time.Minute, "every mail taken in and every piece of work done", func() (bool, string) {
		mails := c.count(t, "SELECT count(*) FROM messages WHERE channel = 'email' AND direction = 'inbound'")
		inbox := c.box.size("INBOX")
		open := c.count(t, "SELECT count(*) FROM outbox WHERE done_at IS NULL AND failed_at IS NULL")
		acks := c.count(t, "SELECT count(*) FROM messages WHERE kind = $1 AND status = $2", ticket.KindAck, ticket.DeliverySent)
		busy, queues := queuedWork(insp)
		state := fmt.Sprintf("%d of %d mails in, %d in the INBOX, %d outbox rows open, %d of %d acks sent, queues %s",
			mails, n, inbox, open, acks, n, queues)
		return mails == n && inbox == 0 && open == 0 && acks == n && busy == 0, state
	}, survivors...)
}

// queuedWork counts the tasks of the outbox's queues not yet finished
// (pending, running, waiting for a retry or a time) and those given up.
func queuedWork(insp *asynq.Inspector) (int, string) {
	busy, state := 0, ""
	for _, q := range []string{tasks.QueueCritical, tasks.QueueDefault} {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			return -1, err.Error() // not there yet: nothing was queued
		}
		busy += info.Pending + info.Active + info.Scheduled + info.Retry + info.Aggregating + info.Archived
		state += fmt.Sprintf("%s: %d pending, %d active, %d waiting, %d archived; ", q, info.Pending, info.Active,
			info.Scheduled+info.Retry, info.Archived)
	}
	return busy, state
}

// count runs a counting query on the cluster's database.
func (c *mpCluster) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	return storetest.Count(t, c.dbURL, sql, args...)
}

// checkTickets: each mail and each call is one ticket of its own, made
// once, routed once and assigned once; a call's answer named that ticket.
func (c *mpCluster) checkTickets(t *testing.T, n int, calls *mpCalls) {
	t.Helper()
	if got := c.count(t, "SELECT count(*) FROM tickets"); got != 2*n {
		t.Errorf("%d tickets, want %d: one per mail and per call", got, 2*n)
	}
	if got := c.count(t, "SELECT count(*) FROM messages WHERE direction = 'inbound'"); got != 2*n {
		t.Errorf("%d inbound messages, want %d: each mail and call stored once", got, 2*n)
	}
	ticketOf := func(channel ticket.Channel, sourceID string) int64 {
		return int64(c.count(t, "SELECT coalesce(max(ticket_id), 0) FROM messages WHERE channel = $1 AND source_id = $2",
			channel, sourceID))
	}
	seen := map[int64]string{}
	for i := range n {
		mail := newMPComplaint(t, i, nil).messageID
		for what, id := range map[string]int64{
			"mail " + mail:            ticketOf(ticket.ChannelEmail, mail),
			fmt.Sprintf("call %d", i): ticketOf(ticket.ChannelCallCenter, c.callSource(t, i)),
		} {
			if id == 0 {
				t.Errorf("%s: no ticket", what)
			} else if other, dup := seen[id]; dup {
				t.Errorf("%s and %s share ticket %d", what, other, id)
			}
			seen[id] = what
		}
		if got, want := calls.ticketIDs[i], ticketOf(ticket.ChannelCallCenter, c.callSource(t, i)); got != want {
			t.Errorf("call %d was answered with ticket %d, but its key is stored on ticket %d", i, got, want)
		}
	}
	for _, kind := range []string{ticket.EventCreated, routing.EventRouted} {
		if bad := c.count(t, `SELECT count(*) FROM tickets t
			WHERE (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = $1) <> 1`, kind); bad != 0 {
			t.Errorf("%d tickets without exactly one %s event", bad, kind)
		}
	}
	// A call is the agent's at once; a mail may wait for its photos
	// (needs_info), which nobody is assigned, whichever ran first.
	if bad := c.count(t, `SELECT count(*) FROM tickets t WHERE (SELECT count(*) FROM ticket_events e
		WHERE e.ticket_id = t.id AND e.kind = $1) <> CASE WHEN t.channel = 'callcenter' THEN 1 ELSE least(1,
		(SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = $1)) END`, ticket.EventAssigned); bad != 0 {
		t.Errorf("%d tickets assigned more than once, or calls not assigned once", bad)
	}
	if unchecked := c.count(t, `SELECT count(*) FROM attachments WHERE "check"->>'verdict' = $1`, ticket.VerdictPending); unchecked != 0 {
		t.Errorf("%d photos never checked", unchecked)
	}
	if lost := c.count(t, `SELECT count(*) FROM attachments WHERE "check"->'reasons' @> jsonb_build_array($1::text)`,
		documents.ReasonFileLost); lost != 0 {
		t.Errorf("%d photos a worker could not find in the blob store a poller stored them in", lost)
	}
	if photos := c.count(t, "SELECT count(*) FROM attachments WHERE stored"); photos != (n+3)/4 {
		t.Errorf("%d photos stored, want %d", photos, (n+3)/4)
	}
}

// checkOutbox: every piece of background work was written once and
// finished; none was given up.
func (c *mpCluster) checkOutbox(t *testing.T) {
	t.Helper()
	if open := c.count(t, "SELECT count(*) FROM outbox WHERE done_at IS NULL"); open != 0 {
		t.Errorf("%d outbox rows not done", open)
	}
	if twice := c.count(t, `SELECT count(*) FROM (SELECT task_type, payload FROM outbox
		GROUP BY task_type, payload HAVING count(*) > 1) d`); twice != 0 {
		t.Errorf("%d pieces of work written to the outbox more than once", twice)
	}
}
