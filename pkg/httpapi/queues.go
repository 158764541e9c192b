package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

// Queues is what the API needs from routing; *routing.Router is one.
type Queues interface {
	// Claim gives the caller the next ticket of queue; false when none
	// waits. ENOTFOUND unknown queue, EFORBIDDEN not served by the caller,
	// ECONFLICT caller offline or at capacity.
	Claim(ctx context.Context, caller ticket.User, queue string) (ticket.Ticket, bool, error)
	// ReleaseUnstarted returns an offline agent's unstarted tickets to
	// their queues.
	ReleaseUnstarted(ctx context.Context, agentID int64) (int, error)
}

// claimTicket hands the caller the most urgent, oldest ticket waiting in a
// queue, assigned to them, or 204 when the queue is empty.
func (s *Server) claimTicket(c *gin.Context) {
	if s.cfg.Queues == nil {
		s.fail(c, ticket.Errorf(ticket.EUNAVAILABLE, "Routing belum aktif di server ini. / Routing is not enabled on this server."))
		return
	}
	t, ok, err := s.cfg.Queues.Claim(c.Request.Context(), actor(c), c.Param("queue"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ok {
		c.Status(http.StatusNoContent)
		return
	}
	full, err := s.cfg.Desk.Ticket(c.Request.Context(), strconv.FormatInt(t.ID, 10))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTicketJSON(full))
}
