package email

import (
	"bufio"
	"bytes"
	"context"
	"hash/fnv"
	"io"
	"net/mail"
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
	raw     *bytes.Buffer // the mail's bytes when they were kept in memory; nil means read the blob
	readErr error
	retried bool // failed before: its failure record is cleared once taken
}

// rawBudget is how many bytes of fetched mail may wait in memory for the
// takers; past it, a mail is read back from its blob.
const rawBudget = 64 << 20

// rawBuffers lends the fetch loop buffers to keep mails in until a taker
// has taken them in, within a budget, so memory stays bounded whatever the
// size of the mails.
type rawBuffers struct {
	budget int64
	inUse  atomic.Int64
	pool   sync.Pool
}

// lend returns an empty buffer for a mail of size bytes, or nil when the
// budget has no room for it.
func (r *rawBuffers) lend(size int64) *bytes.Buffer {
	if r.inUse.Add(size) > r.budget {
		r.inUse.Add(-size)
		return nil
	}
	b, _ := r.pool.Get().(*bytes.Buffer)
	if b == nil {
		b = new(bytes.Buffer)
	}
	b.Reset()
	b.Grow(int(size))
	r.inUse.Add(int64(b.Cap()) - size) // what release gives back
	return b
}

// release gives a lent buffer back; nil is fine.
func (r *rawBuffers) release(b *bytes.Buffer) {
	if b == nil {
		return
	}
	r.inUse.Add(-int64(b.Cap()))
	if b.Cap() <= keepMax {
		r.pool.Put(b)
	}
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
	for len(p.memory) < n {
		p.memory = append(p.memory, &takerMemory{parser: parser{minLift: liftMin}})
	}
	for i := range t.queues {
		q := make(chan mailJob, p.BatchSize)
		t.queues[i] = q
		mem := p.memory[i]
		t.wg.Go(func() {
			for j := range q {
				if t.stop.Load() {
					p.rawBuffers.release(j.raw)
					continue // left for the next round
				}
				o, err := p.takeOne(ctx, uidValidity, j, mem)
				p.rawBuffers.release(j.raw)
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
		h.Write([]byte(t.p.sender(j)))
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

// takerMemory is what one taker reuses from mail to mail: the buffer the
// raw mail is read into and the parser's decoding slab. Batches run one
// after another, so taker i of every batch has memory i to itself.
type takerMemory struct {
	raw    bytes.Buffer
	parser parser
}

// read returns j's raw mail: the bytes it holds, or else those of its
// blob, read into memory valid until the next read.
func (m *takerMemory) read(j mailJob, blobs RawBlobs) ([]byte, error) {
	if j.raw != nil {
		return j.raw.Bytes(), nil
	}
	if m.raw.Cap() > keepMax {
		m.raw = bytes.Buffer{} // let one large mail's buffer go
	}
	m.raw.Reset()
	f, err := blobs.Open(j.sum)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m.raw.Grow(int(j.size) + bytes.MinRead)
	if _, err := m.raw.ReadFrom(f); err != nil {
		return nil, err
	}
	return m.raw.Bytes(), nil
}

// sender reads the From address of a mail's header: enough to keep one
// sender's mails in order, "" when it cannot be read.
func (p *Poller) sender(j mailJob) string {
	var head io.Reader
	if j.raw != nil {
		head = bytes.NewReader(j.raw.Bytes())
	} else {
		f, err := p.blobs.Open(j.sum)
		if err != nil {
			return ""
		}
		defer f.Close()
		head = f
	}
	m, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(head, 64<<10)))
	if err != nil {
		return ""
	}
	if a, err := mail.ParseAddress(m.Header.Get("From")); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(m.Header.Get("From"))
}
