package httpapi

import (
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

type messageRequest struct {
	Body     string `json:"body"`
	Internal *bool  `json:"internal"`
}

// addMessage writes an internal note, or a reply that goes out to the
// complainant through the ticket's channel.
func (s *Server) addMessage(c *gin.Context) {
	var req messageRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.Internal == nil {
		s.fail(c, &ticket.Error{Code: ticket.EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
			Fields: map[string]string{"internal": "isi true untuk catatan internal, false untuk balasan ke pelapor"}})
		return
	}
	if !*req.Internal {
		m, delivery, err := s.cfg.Desk.ReplyWithDelivery(c.Request.Context(), actor(c), c.Param("ref"), req.Body)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, replyJSON{messageJSON: toMessageJSON(m), Delivery: delivery})
		return
	}
	m, err := s.cfg.Desk.AddNote(c.Request.Context(), actor(c), c.Param("ref"), req.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toMessageJSON(m))
}

// replyJSON is a reply as stored, with how it goes out: email,
// whatsapp_text (within 24 hours of the person's last message) or
// whatsapp_template (the reply template, after).
type replyJSON struct {
	messageJSON
	Delivery string `json:"delivery"`
}

// downloadAttachment sends a stored file and records who looked at it.
// Images are shown inline; anything else is only offered as a download and
// never sniffed into something a browser would run.
func (s *Server) downloadAttachment(c *gin.Context) {
	aid, err := strconv.ParseInt(c.Param("aid"), 10, 64)
	if err != nil || aid <= 0 {
		s.fail(c, ticket.Errorf(ticket.ENOTFOUND, "Lampiran tidak ditemukan. / Attachment not found."))
		return
	}
	a, f, err := s.cfg.Desk.OpenAttachment(c.Request.Context(), actor(c), c.Param("ref"), aid)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	ctype, disposition := "application/octet-stream", "attachment"
	switch a.ContentType {
	case "image/jpeg", "image/png", "image/webp", "image/gif":
		ctype, disposition = a.ContentType, "inline"
	}
	name := safeFilename(a.Filename, a.ID)
	c.Header("Content-Type", ctype)
	c.Header("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	http.ServeContent(c.Writer, c.Request, name, a.CreatedAt, f)
}

func safeFilename(name string, id int64) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		return fmt.Sprintf("lampiran-%d", id)
	}
	return name
}
