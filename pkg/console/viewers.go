package console

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

// An open ticket page says so every viewerBeat; a viewer not heard from
// for viewerFresh has left (closed the tab, lost the network).
const (
	viewerBeat  = 10 * time.Second
	viewerFresh = 35 * time.Second
)

// viewersOf says who else (not me) has each of the tickets open.
func (c *Console) viewersOf(g *gin.Context, ts []ticket.Ticket) (map[int64][]string, error) {
	ids := make([]int64, 0, len(ts))
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	vs, err := c.cfg.Store.Viewers(g.Request.Context(), ids, c.now().Add(-viewerFresh))
	if err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, v := range vs {
		if v.UserID != me(g).ID {
			out[v.TicketID] = append(out[v.TicketID], v.Name)
		}
	}
	return out, nil
}

// viewersFragment is the ticket page's heartbeat: it records that I still
// have the ticket open and answers who else does.
func (c *Console) viewersFragment(g *gin.Context) {
	t, err := c.cfg.Store.TicketByRef(g.Request.Context(), g.Param("ref"), false)
	if err != nil {
		c.fail(g, err)
		return
	}
	if err := c.cfg.Store.SeeTicket(g.Request.Context(), t.ID, me(g).ID); err != nil {
		c.fail(g, err)
		return
	}
	others, err := c.viewersOf(g, []ticket.Ticket{t})
	if err != nil {
		c.fail(g, err)
		return
	}
	c.fragment(g, http.StatusOK, "ticket", "viewers", others[t.ID])
}

// leaveTicket is sent as the page goes away, so others stop seeing me at
// once rather than when my row grows stale.
func (c *Console) leaveTicket(g *gin.Context) {
	t, err := c.cfg.Store.TicketByRef(g.Request.Context(), g.Param("ref"), false)
	if err != nil {
		c.fail(g, err)
		return
	}
	if err := c.cfg.Store.LeaveTicket(g.Request.Context(), t.ID, me(g).ID); err != nil {
		c.fail(g, err)
		return
	}
	g.Status(http.StatusNoContent)
}

// sweepViewers forgets stale viewers now and then; several processes
// sweeping at once do no harm.
func (c *Console) sweepViewers(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := c.cfg.Store.SweepViewers(ctx, c.now().Add(-viewerFresh)); err != nil && ctx.Err() == nil {
				c.log.WarnContext(ctx, "sweep ticket viewers", "err", err)
			}
		}
	}
}
