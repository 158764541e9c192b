package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

// legalHoldJSON is a ticket's legal hold: retention keeps the ticket whole
// while it is set.
type legalHoldJSON struct {
	Reason string    `json:"reason"`
	SetBy  int64     `json:"set_by"`
	SetAt  time.Time `json:"set_at"`
}

func toLegalHoldJSON(h *ticket.LegalHold) *legalHoldJSON {
	if h == nil {
		return nil
	}
	return &legalHoldJSON{Reason: ticket.MaskText(h.Reason), SetBy: h.SetBy, SetAt: h.SetAt}
}

// setHold puts a legal hold on a ticket (admins), with a required reason.
func (s *Server) setHold(c *gin.Context) {
	var req revealRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.cfg.Desk.SetHold(c.Request.Context(), actor(c), c.Param("ref"), req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTicketJSON(t))
}

// clearHold lifts a ticket's legal hold (admins); a reason is optional.
func (s *Server) clearHold(c *gin.Context) {
	reason, ok := s.revealReason(c)
	if !ok {
		return
	}
	t, err := s.cfg.Desk.ClearHold(c.Request.Context(), actor(c), c.Param("ref"), reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTicketJSON(t))
}
