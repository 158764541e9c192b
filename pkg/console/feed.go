package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/store"
)

// feed passes word of tickets entering a queue to the event streams open
// in this process: one stream per browser tab, any number of tabs. Word
// comes from PostgreSQL (LISTEN), so a ticket queued by any process
// reaches the tabs of every process.
type feed struct {
	mu   sync.Mutex
	subs map[chan store.TicketQueued][]string // a stream and the queues it follows
}

func newFeed() *feed { return &feed{subs: map[chan store.TicketQueued][]string{}} }

func (f *feed) subscribe(queues []string) chan store.TicketQueued {
	ch := make(chan store.TicketQueued, 16)
	f.mu.Lock()
	f.subs[ch] = queues
	f.mu.Unlock()
	return ch
}

func (f *feed) unsubscribe(ch chan store.TicketQueued) {
	f.mu.Lock()
	delete(f.subs, ch)
	f.mu.Unlock()
}

// publish hands q to every stream following its queue; a stream too slow
// to take it misses it (its page still shows the ticket when reloaded)
// rather than holding up the others.
func (f *feed) publish(q store.TicketQueued) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch, queues := range f.subs {
		if slices.Contains(queues, q.Queue) {
			select {
			case ch <- q:
			default:
			}
		}
	}
}

// listen feeds the streams from PostgreSQL until ctx ends, listening again
// after a failure.
func (c *Console) listen(ctx context.Context) {
	wait := time.Second
	for ctx.Err() == nil {
		start := time.Now()
		err := c.cfg.Store.ListenQueued(ctx, c.feed.publish)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			wait = time.Second
		}
		c.log.WarnContext(ctx, "console: listening for queued tickets", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// streamBeat keeps an idle stream from being closed by proxies.
const streamBeat = 25 * time.Second

// events is the page's server-sent event stream: an event "tiket" for each
// ticket that enters one of my queues.
func (c *Console) events(g *gin.Context) {
	w := g.Writer
	rc := http.NewResponseController(w)
	// The stream lives as long as the tab: no write deadline.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	ch := c.feed.subscribe(c.myQueues(me(g)))
	defer c.feed.unsubscribe(ch)
	if _, err := fmt.Fprint(w, "retry: 5000\n: tersambung\n\n"); err != nil {
		return
	}
	_ = rc.Flush()
	beat := time.NewTicker(streamBeat)
	defer beat.Stop()
	for {
		select {
		case <-g.Request.Context().Done():
			return
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": -\n\n"); err != nil {
				return
			}
		case q := <-ch:
			b, _ := json.Marshal(q)
			if _, err := fmt.Fprintf(w, "event: tiket\ndata: %s\n\n", b); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
