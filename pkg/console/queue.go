package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// queueListLimit is how many tickets each list of the queue page shows.
const queueListLimit = 25

// queueRow is one ticket in a list, with its SLA state and who has it open.
type queueRow struct {
	Ticket  ticket.Ticket
	SLA     slaState
	Viewers []string
}

// queueList is one of my queues: its waiting tickets, most recent first.
type queueList struct {
	Name  string
	Rows  []queueRow
	More  bool
	Label string
}

type queueView struct {
	Mine   []queueRow
	Queues []queueList
	// Search is what was asked in Cari tiket, with its results.
	Search ticketSearch
}

// ticketSearch is a search of every ticket, by number (or its start),
// NIK, phone, email, the complainant's name or words of the complaint:
// the same search as the API's q.
type ticketSearch struct {
	Q       string
	Rows    []queueRow
	More    bool
	Problem string // why the search was not run
}

// maxSearch is the longest search the API takes too.
const maxSearch = 200

// myQueues are the queues the user serves: their own list, or every queue.
func (c *Console) myQueues(u ticket.User) []string {
	if len(u.Queues) > 0 {
		return u.Queues
	}
	return c.cfg.QueueNames
}

// queuePage is Antrean: my open tickets and my queues' waiting tickets,
// each with an SLA badge, waiting time and who has it open.
func (c *Console) queuePage(g *gin.Context) {
	v, err := c.queueData(g)
	if err != nil {
		c.fail(g, err)
		return
	}
	if g.Query("bagian") == "daftar" {
		c.fragment(g, http.StatusOK, "queue", "lists", v)
		return
	}
	c.render(g, http.StatusOK, "queue", "Antrean", "antrean", v)
}

func (c *Console) queueData(g *gin.Context) (queueView, error) {
	ctx, u := g.Request.Context(), me(g)
	now := c.now()
	var v queueView
	var all []ticket.Ticket
	if q := strings.TrimSpace(g.Query("q")); q != "" {
		v.Search.Q = q
		if utf8.RuneCountInString(q) > maxSearch {
			v.Search.Problem = fmt.Sprintf("Pencarian paling banyak %d karakter.", maxSearch)
		} else {
			found, err := c.cfg.Store.Tickets(ctx, store.TicketFilter{Query: q, Limit: queueListLimit + 1})
			if err != nil {
				return v, err
			}
			v.Search.More = len(found) > queueListLimit
			found = found[:min(len(found), queueListLimit)]
			all = append(all, found...)
			for _, t := range found {
				v.Search.Rows = append(v.Search.Rows, queueRow{Ticket: t, SLA: slaOf(t, now)})
			}
		}
	}
	mine, err := c.cfg.Store.Tickets(ctx, store.TicketFilter{AssigneeID: &u.ID, OpenOnly: true, Limit: queueListLimit})
	if err != nil {
		return v, err
	}
	all = append(all, mine...)
	for _, q := range c.myQueues(u) {
		q := q
		ts, err := c.cfg.Store.Tickets(ctx, store.TicketFilter{Queue: &q, Unassigned: true,
			Status: []ticket.Status{ticket.StatusNew, ticket.StatusOpen}, Limit: queueListLimit + 1})
		if err != nil {
			return v, err
		}
		l := queueList{Name: q, More: len(ts) > queueListLimit}
		ts = ts[:min(len(ts), queueListLimit)]
		all = append(all, ts...)
		for _, t := range ts {
			l.Rows = append(l.Rows, queueRow{Ticket: t, SLA: slaOf(t, now)})
		}
		v.Queues = append(v.Queues, l)
	}
	for _, t := range mine {
		v.Mine = append(v.Mine, queueRow{Ticket: t, SLA: slaOf(t, now)})
	}
	viewers, err := c.viewersOf(g, all)
	if err != nil {
		return v, err
	}
	for i := range v.Mine {
		v.Mine[i].Viewers = viewers[v.Mine[i].Ticket.ID]
	}
	for i := range v.Search.Rows {
		v.Search.Rows[i].Viewers = viewers[v.Search.Rows[i].Ticket.ID]
	}
	for _, l := range v.Queues {
		for i := range l.Rows {
			l.Rows[i].Viewers = viewers[l.Rows[i].Ticket.ID]
		}
	}
	return v, nil
}

// claim is Ambil Berikutnya: the queue's most urgent, oldest ticket,
// assigned to me, opened at once; or the queue page saying none waits.
func (c *Console) claim(g *gin.Context) {
	u, queue := me(g), g.Param("queue")
	if !slices.Contains(c.myQueues(u), queue) && u.Role != ticket.RoleAdmin {
		c.fail(g, ticket.Errorf(ticket.EFORBIDDEN, "Anda tidak melayani antrean %q.", queue))
		return
	}
	if c.cfg.Queues == nil {
		c.fail(g, ticket.Errorf(ticket.EUNAVAILABLE, "Routing belum aktif di server ini."))
		return
	}
	t, ok, err := c.cfg.Queues.Claim(g.Request.Context(), u, queue)
	if err != nil {
		c.fail(g, err)
		return
	}
	if !ok {
		c.fail(g, ticket.Errorf(ticket.ENOTFOUND, "Tidak ada tiket yang menunggu di antrean %s.", queue))
		return
	}
	to := "/console/tiket/" + t.Number
	if isHTMX(g) {
		g.Header("HX-Location", to)
		g.Status(http.StatusNoContent)
		return
	}
	g.Redirect(http.StatusSeeOther, to)
}

// ticketPath is a ticket's page.
func ticketPath(t ticket.Ticket) string {
	if t.Number != "" {
		return "/console/tiket/" + t.Number
	}
	return "/console/tiket/" + strconv.FormatInt(t.ID, 10)
}
