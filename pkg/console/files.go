package console

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/microcosm-cc/bluemonday"

	"github.com/aduan/aduan/pkg/ticket"
)

// mailFrameCSP is the policy of a mail's body, shown in a frame of the
// ticket page: nothing runs, nothing is fetched (only images inside the
// page itself), no form is sent, and the sandbox makes it an origin of
// its own. Only the console may frame it.
const mailFrameCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; " +
	"base-uri 'none'; frame-ancestors 'self'; sandbox"

// mailPolicy cleans a mail's HTML once more as it is shown: it was
// cleaned when it arrived, but what the console shows must not depend on
// every path that ever stored a message. Text structure and links only:
// no images (they call home; a mail's own photos are its attachments), no
// forms, no styles, no frames; links open nowhere from the sandbox.
var mailPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs()
	p.AllowElements("p", "br", "b", "i", "u", "s", "strong", "em", "small", "sub", "sup", "span", "div",
		"ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// mailFrame serves the HTML body of an email, cleaned and masked like the
// thread's text, as its own sandboxed document.
func (c *Console) mailFrame(g *gin.Context) {
	t, err := c.cfg.Desk.Ticket(g.Request.Context(), g.Param("ref"))
	if err != nil {
		c.fail(g, err)
		return
	}
	id, _ := strconv.ParseInt(g.Param("mid"), 10, 64)
	var m *ticket.Message
	for i := range t.Messages {
		if t.Messages[i].ID == id {
			m = &t.Messages[i]
		}
	}
	if m == nil || m.HTML == "" {
		c.fail(g, ticket.Errorf(ticket.ENOTFOUND, "Pesan tidak ditemukan."))
		return
	}
	h := g.Writer.Header()
	h.Set("Content-Security-Policy", mailFrameCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	body := ticket.MaskText(mailPolicy.Sanitize(m.HTML))
	g.Data(http.StatusOK, "text/html; charset=utf-8", []byte(`<!doctype html><html lang="id"><head><meta charset="utf-8">`+
		`<style>body{font:15px/1.5 system-ui,sans-serif;color:#1f2937;margin:.5rem;overflow-wrap:anywhere}img{max-width:100%}</style>`+
		`</head><body>`+body+`</body></html>`))
}

// photoTypes are the attachment types a browser may show in place; any
// other is only downloaded.
var photoTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "image/gif": true}

// attachmentCSP keeps an attachment from running anything, whatever it
// holds: it is a sandboxed document that may show only itself.
const attachmentCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

// attachment serves a photo or file of the ticket; every view is audited
// (desk.OpenAttachment).
func (c *Console) attachment(g *gin.Context) {
	id, err := strconv.ParseInt(g.Param("aid"), 10, 64)
	if err != nil {
		c.fail(g, ticket.Errorf(ticket.ENOTFOUND, "Lampiran tidak ditemukan."))
		return
	}
	a, f, err := c.cfg.Desk.OpenAttachment(g.Request.Context(), me(g), g.Param("ref"), id)
	if err != nil {
		c.fail(g, err)
		return
	}
	defer f.Close()
	ct, disposition := "application/octet-stream", "attachment"
	if base, _, _ := strings.Cut(strings.ToLower(a.ContentType), ";"); photoTypes[strings.TrimSpace(base)] {
		ct, disposition = strings.TrimSpace(base), "inline"
	}
	h := g.Writer.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", attachmentCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": safeName(a)}))
	if a.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	}
	g.Status(http.StatusOK)
	if _, err := io.Copy(g.Writer, f); err != nil {
		c.log.WarnContext(g.Request.Context(), "attachment not sent whole", "attachment_id", a.ID, "err", err)
	}
}

// safeName is a filename for Content-Disposition that carries no personal
// data (people name photos after their NIK).
func safeName(a ticket.Attachment) string {
	ext := ""
	if i := strings.LastIndexByte(a.Filename, '.'); i >= 0 && len(a.Filename)-i <= 6 {
		ext = strings.ToLower(a.Filename[i:])
	}
	return fmt.Sprintf("lampiran-%d%s", a.ID, ext)
}
