package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// whatsAppWindow is how long after a person's last WhatsApp message a
// free-form answer may be sent; past it only an approved template may.
const whatsAppWindow = 24 * time.Hour

// ticketView is the ticket page.
type ticketView struct {
	T           ticket.Ticket
	Version     string
	SLA         slaState
	Authors     map[int64]string
	Others      []ticket.Ticket // the same person's other tickets
	Canned      []CannedReply
	Reasons     []string
	RevealedNIK string
	Draft       string // the reply being written, kept through a conflict
	Conflict    *conflict
	Done        string // what just succeeded, said once
	Error       string // why the form just sent was refused
	// LastWhatsApp is the person's latest WhatsApp message on the ticket;
	// OutsideWindow says it is older than 24 hours (or there is none).
	LastWhatsApp  *time.Time
	OutsideWindow bool
	Photos        []ticket.Attachment
}

// conflict is what changed on a ticket since the page a reply was written
// on was shown.
type conflict struct {
	Messages []ticket.Message
	Events   []ticket.Event
}

// done says in words what a form just did (?selesai=…).
var done = map[string]string{
	"balas":   "Balasan disimpan dan masuk antrean kirim.",
	"gabung":  "Tiket digabungkan ke tiket ini; tiket yang digabung sudah ditutup.",
	"catatan": "Catatan internal disimpan.",
	"ubah":    "Perubahan tiket disimpan.",
}

func (c *Console) ticketPage(g *gin.Context) {
	v, err := c.ticketData(g.Request.Context(), me(g), g.Param("ref"))
	if err != nil {
		c.fail(g, err)
		return
	}
	v.Done = done[g.Query("selesai")]
	c.render(g, http.StatusOK, "ticket", "Tiket "+v.T.Number, "antrean", v)
}

// ticketData loads everything the ticket page shows.
func (c *Console) ticketData(ctx context.Context, u ticket.User, ref string) (ticketView, error) {
	var v ticketView
	t, err := c.cfg.Desk.Ticket(ctx, ref)
	if err != nil {
		return v, err
	}
	// The version of what the page shows, from the story just read rather
	// than one more query: a reply is checked against what its writer saw.
	var ver store.TicketVersion
	if n := len(t.Events); n > 0 {
		ver.Event = t.Events[n-1].ID
	}
	if n := len(t.Messages); n > 0 {
		ver.Message = t.Messages[n-1].ID
	}
	v = ticketView{T: t, Version: ver.String(), SLA: slaOf(t, c.now()), Authors: map[int64]string{},
		Canned: c.cfg.CannedReplies, Reasons: ticket.RevealReasons()}
	for _, m := range t.Messages {
		if m.AuthorID != nil {
			if _, ok := v.Authors[*m.AuthorID]; !ok {
				a, err := c.cfg.Store.UserByID(ctx, *m.AuthorID)
				if err != nil {
					return v, err
				}
				v.Authors[a.ID] = a.Name
			}
		}
		if m.Channel == ticket.ChannelWhatsApp && m.Direction == ticket.Inbound {
			at := m.CreatedAt
			v.LastWhatsApp = &at
		}
	}
	if t.Channel == ticket.ChannelWhatsApp {
		v.OutsideWindow = v.LastWhatsApp == nil || c.now().Sub(*v.LastWhatsApp) > whatsAppWindow
	}
	for _, a := range t.Attachments {
		v.Photos = append(v.Photos, a)
	}
	others, err := c.cfg.Store.Tickets(ctx, store.TicketFilter{ComplainantID: t.ComplainantID, Limit: 20})
	if err != nil {
		return v, err
	}
	for _, o := range others {
		if o.ID != t.ID {
			v.Others = append(v.Others, o)
		}
	}
	if err := c.cfg.Store.SeeTicket(ctx, t.ID, u.ID); err != nil {
		return v, err
	}
	return v, nil
}

// errStale stops a reply written against a ticket that changed meanwhile.
var errStale = errors.New("ticket changed since the page was shown")

// reply is Balas: the answer goes out through the ticket's channel
// (desk.Reply), unless the ticket changed since the page the agent wrote
// it on was shown; then nothing is sent and the page shows what changed,
// the draft kept, to be sent again on purpose.
func (c *Console) reply(g *gin.Context) {
	ctx, u, ref, body := g.Request.Context(), me(g), g.Param("ref"), g.PostForm("body")
	seen, ok := store.ParseTicketVersion(g.PostForm("versi"))
	var ch *conflict
	err := c.cfg.Store.WithTx(ctx, func(ctx context.Context) error {
		t, err := c.cfg.Store.TicketByRef(ctx, ref, true) // held until the reply is in
		if err != nil {
			return err
		}
		cur, err := c.cfg.Store.VersionOf(ctx, t.ID)
		if err != nil {
			return err
		}
		if !ok || cur != seen {
			ch = &conflict{}
			return errStale
		}
		_, err = c.cfg.Desk.Reply(ctx, u, ref, body)
		return err
	})
	switch {
	case errors.Is(err, errStale):
		v, err := c.ticketData(ctx, u, ref)
		if err != nil {
			c.fail(g, err)
			return
		}
		for _, m := range v.T.Messages {
			if m.ID > seen.Message {
				ch.Messages = append(ch.Messages, m)
			}
		}
		for _, e := range v.T.Events {
			// Notes and messages are listed themselves, with their text.
			if e.ID > seen.Event && e.Kind != ticket.EventNoteAdded && e.Kind != ticket.EventMessageAdded {
				ch.Events = append(ch.Events, e)
			}
		}
		v.Conflict, v.Draft = ch, body
		c.render(g, http.StatusConflict, "ticket", "Tiket "+v.T.Number+" berubah", "antrean", v)
		return
	case ticket.ErrorCode(err) == ticket.EINVALID:
		c.formError(g, ref, body, err)
		return
	case err != nil:
		c.fail(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, "/console/tiket/"+ref+"?selesai=balas#percakapan")
}

// formError shows the ticket page again with the refusal on top and what
// was typed kept.
func (c *Console) formError(g *gin.Context, ref, draft string, err error) {
	v, lerr := c.ticketData(g.Request.Context(), me(g), ref)
	if lerr != nil {
		c.fail(g, lerr)
		return
	}
	v.Draft = draft
	var e *ticket.Error
	msg := indonesian(ticket.ErrorMessage(err))
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			msg += " " + f + "."
		}
	}
	v.Error = msg
	c.render(g, ticket.HTTPStatus(ticket.ErrorCode(err)), "ticket", "Tiket "+v.T.Number, "antrean", v)
}

// note is Catatan Internal: seen by agents, never sent.
func (c *Console) note(g *gin.Context) {
	ref := g.Param("ref")
	if _, err := c.cfg.Desk.AddNote(g.Request.Context(), me(g), ref, g.PostForm("body")); err != nil {
		if ticket.ErrorCode(err) == ticket.EINVALID {
			c.formError(g, ref, "", err)
			return
		}
		c.fail(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, "/console/tiket/"+ref+"?selesai=catatan#percakapan")
}

// update changes the ticket's status, category and priority as the form
// says; unchanged values change nothing (desk.Update writes only changes).
func (c *Console) update(g *gin.Context) {
	ref := g.Param("ref")
	var p desk.Patch
	if v := ticket.Status(g.PostForm("status")); v != "" {
		p.Status = &v
	}
	if v := ticket.Category(g.PostForm("category")); v != "" {
		p.Category = &v
	}
	if v := ticket.Priority(g.PostForm("priority")); v != "" {
		p.Priority = &v
	}
	if _, err := c.cfg.Desk.Update(g.Request.Context(), me(g), ref, p); err != nil {
		if code := ticket.ErrorCode(err); code == ticket.EINVALID || code == ticket.ECONFLICT {
			c.formError(g, ref, "", err)
			return
		}
		c.fail(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, "/console/tiket/"+ref+"?selesai=ubah")
}

// revealNIK shows the complainant's full NIK on a reason, audited
// (desk.Reveal).
func (c *Console) revealNIK(g *gin.Context) {
	ctx, ref := g.Request.Context(), g.Param("ref")
	t, err := c.cfg.Store.TicketByRef(ctx, ref, false)
	if err != nil {
		c.fail(g, err)
		return
	}
	reason := g.PostForm("reason")
	if reason == "lain" || reason == "" {
		reason = g.PostForm("reason_text")
	}
	nik, err := c.cfg.Desk.Reveal(ctx, me(g), t.ComplainantID, reason)
	if err != nil {
		if ticket.ErrorCode(err) == ticket.EINVALID {
			if isHTMX(g) {
				c.fragment(g, http.StatusUnprocessableEntity, "ticket", "reveal-error", "Tulis alasan membuka NIK.")
				return
			}
			c.formError(g, ref, "", err)
			return
		}
		c.fail(g, err)
		return
	}
	if isHTMX(g) {
		c.fragment(g, http.StatusOK, "ticket", "nik-fragment", nik)
		return
	}
	v, err := c.ticketData(ctx, me(g), ref)
	if err != nil {
		c.fail(g, err)
		return
	}
	v.RevealedNIK = nik
	c.render(g, http.StatusOK, "ticket", "Tiket "+v.T.Number, "antrean", v)
}

// merge folds another ticket of the same person (dari) into this one.
func (c *Console) merge(g *gin.Context) {
	ref := g.Param("ref")
	if _, err := c.cfg.Desk.Merge(g.Request.Context(), me(g), ref, g.PostForm("dari")); err != nil {
		if code := ticket.ErrorCode(err); code == ticket.EINVALID || code == ticket.ECONFLICT || code == ticket.EFORBIDDEN {
			c.formError(g, ref, "", err)
			return
		}
		c.fail(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, "/console/tiket/"+ref+"?selesai=gabung#percakapan")
}

// eventText says an event in words for the conflict notice.
func eventText(e ticket.Event) string {
	from, to := e.Data["from"], e.Data["to"]
	switch e.Kind {
	case ticket.EventStatusChanged:
		return fmt.Sprintf("Status diubah dari %s ke %s", label(statusLabels, ticket.Status(fmt.Sprint(from))),
			label(statusLabels, ticket.Status(fmt.Sprint(to))))
	case ticket.EventCategoryChanged:
		return "Kategori diubah ke " + notify.CategoryName(ticket.Category(fmt.Sprint(to)))
	case ticket.EventPriorityChanged:
		return "Prioritas diubah ke " + label(priorityLabels, ticket.Priority(fmt.Sprint(to)))
	case ticket.EventAssigned:
		return "Penanganan tiket dialihkan"
	case ticket.EventNoteAdded:
		return "Catatan internal ditambahkan"
	case ticket.EventMessageAdded:
		return "Pesan baru ditambahkan"
	case desk.EventMergedFrom:
		return fmt.Sprintf("Tiket %v digabungkan ke tiket ini", e.Data["from"])
	}
	return e.Kind
}

// Author is the name of the agent who wrote a message.
func (v ticketView) Author(id *int64) string {
	if id == nil {
		return ""
	}
	return v.Authors[*id]
}
