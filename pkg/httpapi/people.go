package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// findComplainants looks a caller up by NIK or phone, with their ticket
// history: what an agent needs while the caller waits.
func (s *Server) findComplainants(c *gin.Context) {
	nik, phone := strings.TrimSpace(c.Query("nik")), strings.TrimSpace(c.Query("phone"))
	var id ticket.Identity
	switch {
	case (nik == "") == (phone == ""):
		s.fail(c, &ticket.Error{Code: ticket.EINVALID, Message: "Cari dengan NIK atau nomor HP (salah satu). / Search by nik or phone (one of them).",
			Fields: map[string]string{"nik": "isi nik atau phone, salah satu"}})
		return
	case nik != "":
		n := ticket.NormalizeNIK(nik)
		if len(n) != 16 || strings.Trim(n, "0123456789") != "" {
			s.fail(c, &ticket.Error{Code: ticket.EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
				Fields: map[string]string{"nik": "NIK harus 16 digit angka"}})
			return
		}
		id = ticket.Identity{Kind: ticket.IdentityNIK, Value: n}
	default:
		p, err := ticket.NormalizePhone(phone)
		if err != nil {
			s.fail(c, &ticket.Error{Code: ticket.EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
				Fields: map[string]string{"phone": ticket.ErrorMessage(err)}})
			return
		}
		id = ticket.Identity{Kind: ticket.IdentityPhone, Value: p}
	}
	found, err := s.cfg.Desk.FindComplainants(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": toLookupJSON(found)})
}

type revealRequest struct {
	Reason string `json:"reason"`
}

// revealReason reads the {"reason"} body of a reveal, a hold's release
// or a user's disabling. An empty body is read as no reason, which a
// reveal refuses naming the field, so a client that sends none learns
// what is missing rather than that JSON is.
func (s *Server) revealReason(c *gin.Context) (string, bool) {
	var req revealRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			s.fail(c, err)
			return "", false
		}
	}
	return req.Reason, true
}

// revealNIK shows a complainant's full NIK and audits who asked and why.
func (s *Server) revealNIK(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, ticket.Errorf(ticket.ENOTFOUND, "Pelapor tidak ditemukan. / Complainant not found."))
		return
	}
	reason, ok := s.revealReason(c)
	if !ok {
		return
	}
	nik, err := s.cfg.Desk.Reveal(c.Request.Context(), actor(c), id, reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"nik": nik})
}

// revealMessage shows a message as it was written, the NIKs, phone
// numbers and birth dates in it unmasked, and audits who asked and why.
func (s *Server) revealMessage(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("mid"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, ticket.Errorf(ticket.ENOTFOUND, "Pesan tidak ditemukan. / Message not found."))
		return
	}
	reason, ok := s.revealReason(c)
	if !ok {
		return
	}
	m, err := s.cfg.Desk.RevealMessage(c.Request.Context(), actor(c), c.Param("ref"), id, reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, revealedMessageJSON{ID: m.ID, Subject: m.Subject, Body: m.Body, HTML: m.HTML})
}

// revealReasons lists the usual reasons for a reveal, for the console to
// offer, and how long a typed one may be.
func (s *Server) revealReasons(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": ticket.RevealReasons(), "max_length": ticket.MaxRevealReason})
}

func (s *Server) listAgents(c *gin.Context) {
	agents, err := s.cfg.Users.Agents(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]userJSON, len(agents))
	for i, a := range agents {
		out[i] = toUserJSON(a)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

type agentPatchRequest struct {
	Queues   *[]string `json:"queues"`
	Capacity *int      `json:"capacity"`
}

// patchAgent sets which queues an agent serves and how many open tickets
// they may hold.
func (s *Server) patchAgent(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, ticket.Errorf(ticket.ENOTFOUND, "Agen tidak ditemukan. / Agent not found."))
		return
	}
	var req agentPatchRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := ticket.FieldErrors{}
	if req.Capacity != nil && (*req.Capacity < 0 || *req.Capacity > 500) {
		f.Add("capacity", "kapasitas harus 0 sampai 500")
	}
	if req.Queues != nil {
		for _, q := range *req.Queues {
			if q = strings.TrimSpace(q); q == "" || len(q) > 50 {
				f.Add("queues", "nama antrean wajib diisi, paling banyak 50 karakter")
			}
		}
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	target, err := s.cfg.Users.UserByID(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !mayManage(actor(c), target) {
		s.fail(c, ticket.Errorf(ticket.EFORBIDDEN, "Anda tidak boleh mengubah pengguna dengan peran lebih tinggi. / You may not change a user of a higher role."))
		return
	}
	u, err := s.cfg.Users.UpdateAgent(c.Request.Context(), id, store.AgentUpdate{Queues: req.Queues, Capacity: req.Capacity})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserJSON(u))
}

type presenceRequest struct {
	Presence ticket.Presence `json:"presence"`
}

// setPresence lets agents say whether they can take work now.
func (s *Server) setPresence(c *gin.Context) {
	var req presenceRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !req.Presence.Valid() {
		s.fail(c, &ticket.Error{Code: ticket.EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
			Fields: map[string]string{"presence": "isi available, away atau offline"}})
		return
	}
	u, err := s.cfg.Users.UpdateAgent(c.Request.Context(), actor(c).ID, store.AgentUpdate{Presence: &req.Presence})
	if err != nil {
		s.fail(c, err)
		return
	}
	if u.Presence == ticket.PresenceOffline && s.cfg.Queues != nil {
		if _, err := s.cfg.Queues.ReleaseUnstarted(c.Request.Context(), u.ID); err != nil {
			s.fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, toUserJSON(u))
}
