package email

import (
	"bufio"
	"context"
	"hash/fnv"
	"io"
	"net/mail"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/emersion/go-imap/v2"
)

// mailJob is one fetched mail, stored raw, waiting to be taken in.
type mailJob struct {
	uid     imap.UID
	sum     string
	size    int64
	readErr error
	retried bool // failed before: its failure record is cleared once taken
}

// takers parse and ingest a batch's mails side by side. Mails from one
// sender go to one taker, in the order they came, so a reply is never
// taken in before the mail it answers.
type takers struct {
	p           *Poller
	ctx         context.Context
	uidValidity uint32
	queues      []chan mailJob
	wg          sync.WaitGroup
	stop        atomic.Bool

	mu      sync.Mutex
	results map[imap.UID]outcome
	err     error
}

func (p *Poller) newTakers(ctx context.Context, uidValidity uint32) *takers {
	n := max(p.Takers, 1)
	t := &takers{p: p, ctx: ctx, uidValidity: uidValidity, queues: make([]chan mailJob, n),
		results: map[imap.UID]outcome{}}
	for i := range t.queues {
		q := make(chan mailJob, p.BatchSize)
		t.queues[i] = q
		t.wg.Go(func() {
			for j := range q {
				if t.stop.Load() {
					continue // left for the next round
				}
				o, err := p.takeOne(ctx, uidValidity, j)
				t.mu.Lock()
				if err != nil {
					if t.err == nil {
						t.err = err
					}
					t.stop.Store(true)
				} else {
					t.results[j.uid] = o
				}
				t.mu.Unlock()
			}
		})
	}
	return t
}

func (t *takers) stopped() bool { return t.stop.Load() }

func (t *takers) submit(j mailJob) {
	i := 0
	if len(t.queues) > 1 {
		h := fnv.New32a()
		h.Write([]byte(t.p.sender(j.sum)))
		i = int(h.Sum32() % uint32(len(t.queues)))
	}
	t.queues[i] <- j
}

// wait lets every taker finish and returns what became of each mail and
// the first failure that was not a mail's fault.
func (t *takers) wait() (map[imap.UID]outcome, error) {
	for _, q := range t.queues {
		close(q)
	}
	t.wg.Wait()
	return t.results, t.err
}

// sender reads the From address of a stored mail's header: enough to keep
// one sender's mails in order, "" when it cannot be read.
func (p *Poller) sender(sum string) string {
	f, err := os.Open(p.blobs.Path(sum))
	if err != nil {
		return ""
	}
	defer f.Close()
	m, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(f, 64<<10)))
	if err != nil {
		return ""
	}
	if a, err := mail.ParseAddress(m.Header.Get("From")); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(m.Header.Get("From"))
}
