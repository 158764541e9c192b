package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// createTicket is the call-center entry: an agent types in the caller's
// complaint. The caller is linked to the person they already are, and the
// answer lists their other open tickets.
func (s *Server) createTicket(c *gin.Context) {
	var req callRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	agent := actor(c)
	in, err := req.Inbound(agent, s.now())
	if err != nil {
		s.fail(c, err)
		return
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	switch {
	case len(key) > maxIdemKey:
		s.fail(c, &ticket.Error{Code: ticket.EINVALID, Message: "Idempotency-Key terlalu panjang. / Idempotency-Key too long.",
			Fields: map[string]string{"Idempotency-Key": fmt.Sprintf("paling banyak %d karakter", maxIdemKey)}})
		return
	case key != "":
		// Scoped to the agent, so two agents' keys never collide.
		in.SourceID, in.SourceHash = fmt.Sprintf("agent:%d:%s", agent.ID, key), req.Fingerprint()
	default:
		in.SourceID = "call:" + uuid.NewString()
	}
	res, err := s.cfg.Ingester.Ingest(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	t := res.Ticket
	if res.Duplicate {
		c.Header("Idempotent-Replayed", "true")
		if t, err = s.cfg.Desk.Ticket(c.Request.Context(), strconv.FormatInt(t.ID, 10)); err != nil {
			s.fail(c, err)
			return
		}
	} else {
		s.metrics.ticketsCreated.WithLabelValues(string(t.Channel)).Inc()
	}
	c.Header("Location", fmt.Sprintf("/api/v1/tickets/%d", t.ID))
	c.JSON(http.StatusCreated, createdTicketJSON{ticketJSON: toTicketJSON(t),
		ComplainantOpenTickets: toTicketSummaries(res.OpenTickets)})
}

func (s *Server) getTicket(c *gin.Context) {
	t, err := s.cfg.Desk.Ticket(c.Request.Context(), c.Param("ref"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTicketJSON(t))
}

// listTickets serves the queue views and search, newest first, a page at a
// time.
func (s *Server) listTickets(c *gin.Context) {
	f, err := ticketFilter(c, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	ts, err := s.cfg.Tickets.Tickets(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	var next *string
	if len(ts) > limit {
		ts = ts[:limit]
		cur := encodeCursor(ts[limit-1].ID)
		next = &cur
	}
	c.JSON(http.StatusOK, gin.H{"items": toTicketSummaries(ts), "next_cursor": next})
}

func ticketFilter(c *gin.Context, me ticket.User) (store.TicketFilter, error) {
	f := store.TicketFilter{Limit: 25, Query: c.Query("q")}
	errs := ticket.FieldErrors{}
	for _, v := range splitList(c.Query("status")) {
		if st := ticket.Status(v); st.Valid() {
			f.Status = append(f.Status, st)
		} else {
			errs.Add("status", "status harus salah satu dari: "+joinValues(ticket.Statuses))
		}
	}
	if v := c.Query("channel"); v != "" {
		if f.Channel = ticket.Channel(v); !f.Channel.Valid() {
			errs.Add("channel", "kanal harus salah satu dari: "+joinValues(ticket.Channels))
		}
	}
	if v := c.Query("category"); v != "" {
		if f.Category = ticket.Category(v); !f.Category.Valid() {
			errs.Add("category", "kategori harus salah satu dari: "+joinValues(ticket.Categories))
		}
	}
	if v := c.Query("priority"); v != "" {
		if f.Priority = ticket.Priority(v); !f.Priority.Valid() {
			errs.Add("priority", "prioritas harus salah satu dari: "+joinValues(ticket.Priorities))
		}
	}
	if v, ok := c.GetQuery("queue"); ok {
		f.Queue = &v
	}
	switch v := c.Query("assignee"); v {
	case "":
	case "me":
		f.AssigneeID = &me.ID
	case "none":
		f.Unassigned = true
	default:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs.Add("assignee", `isi dengan id agen, "me" atau "none"`)
		}
		f.AssigneeID = &id
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			errs.Add("limit", "limit harus angka 1 sampai 100")
		}
		f.Limit = n
	}
	if v := c.Query("cursor"); v != "" {
		id, ok := decodeCursor(v)
		if !ok {
			errs.Add("cursor", "cursor tidak valid; pakai next_cursor dari halaman sebelumnya")
		}
		f.BeforeID = id
	}
	if len(f.Query) > 200 {
		errs.Add("q", "pencarian paling banyak 200 karakter")
	}
	return f, errs.Err()
}

func splitList(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// Cursors are opaque to clients: the last id seen, encoded.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("t:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(b), "t:") {
		return 0, false
	}
	id, err := strconv.ParseInt(string(b[2:]), 10, 64)
	return id, err == nil && id > 0
}

// patchRequest tells a missing assignee_id (no change) from null (unassign).
type patchRequest struct {
	Status     *ticket.Status   `json:"status"`
	Category   *ticket.Category `json:"category"`
	Priority   *ticket.Priority `json:"priority"`
	AssigneeID optionalID       `json:"assignee_id"`
}

type optionalID struct {
	Set   bool
	Value *int64
}

func (o *optionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.Value)
}

func (s *Server) patchTicket(c *gin.Context) {
	var req patchRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.cfg.Desk.Update(c.Request.Context(), actor(c), c.Param("ref"), desk.Patch{Status: req.Status,
		Category: req.Category, Priority: req.Priority, Assign: req.AssigneeID.Set, AssigneeID: req.AssigneeID.Value})
	if err != nil {
		s.fail(c, err)
		return
	}
	if t, err = s.cfg.Desk.Ticket(c.Request.Context(), strconv.FormatInt(t.ID, 10)); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTicketJSON(t))
}
