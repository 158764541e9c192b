package store

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aduan/aduan/pkg/ticket"
)

type ticketRow struct {
	ID               int64
	Number           string
	Channel          string
	Category         string
	CategoryAlts     []string `gorm:"column:category_alternatives;serializer:json"`
	Status           string
	Priority         string
	Queue            string
	AssigneeID       *int64
	ComplainantID    int64
	Subject          string
	Description      string
	CallRef          string
	Documents        ticket.Documents `gorm:"serializer:json"`
	Warnings         []string         `gorm:"serializer:json"`
	FirstResponseDue *time.Time
	ResolutionDue    *time.Time
	FirstRespondedAt *time.Time
	SLABreached      bool `gorm:"column:sla_breached"`
	CreatedBy        *int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ResolvedAt       *time.Time
}

func (ticketRow) TableName() string { return "tickets" }

// ticketWithComplainant is a ticket row joined with its complainant.
type ticketWithComplainant struct {
	T ticketRow      `gorm:"embedded"`
	C complainantRow `gorm:"embedded;embeddedPrefix:c_"`
}

const ticketColumns = `t.id, t.number, t.channel, t.category, t.category_alternatives, t.status, t.priority, t.queue,
	t.assignee_id, t.complainant_id, t.subject, t.description, t.call_ref, t.documents, t.warnings, t.first_response_due,
	t.resolution_due, t.first_responded_at, t.sla_breached, t.created_by, t.created_at, t.updated_at, t.resolved_at,
	c.id AS c_id, c.name AS c_name, c.nik AS c_nik, c.phone AS c_phone, c.email AS c_email,
	c.whatsapp_id AS c_whatsapp_id, c.birth_place AS c_birth_place, c.birth_date AS c_birth_date,
	c.nik_warnings AS c_nik_warnings, c.created_at AS c_created_at, c.updated_at AS c_updated_at`

func toDBTicket(t *ticket.Ticket) ticketRow {
	warnings := t.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	alts := make([]string, len(t.CategoryAlternatives))
	for i, c := range t.CategoryAlternatives {
		alts[i] = string(c)
	}
	return ticketRow{ID: t.ID, Number: t.Number, Channel: string(t.Channel), Category: string(t.Category), CategoryAlts: alts,
		Status: string(t.Status), Priority: string(t.Priority), Queue: t.Queue, AssigneeID: t.AssigneeID,
		ComplainantID: t.ComplainantID, Subject: t.Subject, Description: t.Description, CallRef: t.CallRef,
		Documents: t.Documents, Warnings: warnings, FirstResponseDue: t.SLA.FirstResponseDue,
		ResolutionDue: t.SLA.ResolutionDue, FirstRespondedAt: t.SLA.FirstRespondedAt, SLABreached: t.SLA.Breached,
		CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func toTicket(tc ticketWithComplainant) ticket.Ticket {
	r := tc.T
	t := ticket.Ticket{ID: r.ID, Number: r.Number, Channel: ticket.Channel(r.Channel),
		Category: ticket.Category(r.Category), Status: ticket.Status(r.Status), Priority: ticket.Priority(r.Priority),
		Queue: r.Queue, AssigneeID: r.AssigneeID, ComplainantID: r.ComplainantID, Subject: r.Subject,
		Description: r.Description, CallRef: r.CallRef, Documents: r.Documents, Warnings: r.Warnings,
		SLA: ticket.SLA{FirstResponseDue: r.FirstResponseDue, ResolutionDue: r.ResolutionDue,
			FirstRespondedAt: r.FirstRespondedAt, ResolvedAt: r.ResolvedAt, Breached: r.SLABreached},
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if t.Warnings == nil {
		t.Warnings = []string{}
	}
	t.CategoryAlternatives = make([]ticket.Category, len(r.CategoryAlts))
	for i, c := range r.CategoryAlts {
		t.CategoryAlternatives[i] = ticket.Category(c)
	}
	if tc.C.ID != 0 {
		c := toComplainant(tc.C)
		t.Complainant = &c
	}
	return t
}

// CreateTicket stores a new ticket, giving it its id and number.
func (s *Store) CreateTicket(ctx context.Context, t *ticket.Ticket) (err error) {
	defer wrap(&err, "create ticket")
	db := s.conn(ctx)
	if err := db.Raw("SELECT nextval('tickets_id_seq')").Scan(&t.ID).Error; err != nil {
		return err
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now().UTC()
	}
	t.UpdatedAt = t.CreatedAt
	t.Number = ticket.FormatNumber(t.CreatedAt, t.ID)
	row := toDBTicket(t)
	if t.Status == ticket.StatusResolved || t.Status == ticket.StatusClosed {
		row.ResolvedAt = &t.CreatedAt // solved while the caller was still on the line
	}
	return db.Create(&row).Error
}

// TicketByRef returns a ticket by id or number, with its complainant.
// forUpdate locks the row until the transaction ends.
func (s *Store) TicketByRef(ctx context.Context, ref string, forUpdate bool) (_ ticket.Ticket, err error) {
	defer wrap(&err, "ticket by ref")
	q := s.conn(ctx).Table("tickets t").Select(ticketColumns).Joins("JOIN complainants c ON c.id = t.complainant_id")
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		q = q.Where("t.id = ?", id)
	} else if number, ok := ticket.ParseNumber(ref); ok {
		q = q.Where("t.number = ?", number)
	} else {
		return ticket.Ticket{}, ticket.Errorf(ticket.ENOTFOUND, "Tiket tidak ditemukan. / Ticket not found.")
	}
	if forUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "t"}})
	}
	var row ticketWithComplainant
	if err := q.Take(&row).Error; err != nil {
		return ticket.Ticket{}, notFound(err, "Tiket")
	}
	return toTicket(row), nil
}

// SaveTicket writes a ticket's workable fields: status, category, priority,
// queue, assignee, documents, warnings and SLA. resolved_at is set when the
// ticket becomes resolved, kept through closing, and cleared on reopening.
func (s *Store) SaveTicket(ctx context.Context, t *ticket.Ticket) (err error) {
	defer wrap(&err, "save ticket")
	t.UpdatedAt = s.now().UTC()
	row := toDBTicket(t)
	// In SET, status and resolved_at still read the row's old values.
	resolvedAt := gorm.Expr(`CASE WHEN ? = 'resolved' AND status <> 'resolved' THEN ?::timestamptz
		WHEN ? IN ('resolved', 'closed') THEN resolved_at END`, row.Status, t.UpdatedAt, row.Status)
	return s.conn(ctx).Model(&ticketRow{ID: t.ID}).Updates(map[string]any{
		"resolved_at": resolvedAt, "status": row.Status, "category": row.Category, "priority": row.Priority,
		"queue": row.Queue, "assignee_id": row.AssigneeID, "documents": gorm.Expr("?::jsonb", jsonText(row.Documents)),
		"warnings": gorm.Expr("?::jsonb", jsonText(row.Warnings)), "first_response_due": row.FirstResponseDue,
		"resolution_due": row.ResolutionDue, "first_responded_at": row.FirstRespondedAt,
		"sla_breached": row.SLABreached, "updated_at": row.UpdatedAt,
	}).Error
}

// MaxTicketPage bounds one list query; callers validate their own smaller
// page sizes and may ask for one more row to learn whether a next page exists.
const MaxTicketPage = 500

// TicketFilter selects tickets for a list. Zero fields do not filter.
type TicketFilter struct {
	Status        []ticket.Status
	Channel       ticket.Channel
	Category      ticket.Category
	Priority      ticket.Priority
	Queue         *string
	AssigneeID    *int64
	Unassigned    bool
	ComplainantID int64
	OpenOnly      bool
	Query         string // a ticket number or its start, a NIK, a phone, an email, or words (search.go)
	BeforeID      int64  // the cursor: tickets with a smaller id
	Limit         int
}

var digitsOnly = regexp.MustCompile(`^[0-9 .\-]{16,22}$`)

// Tickets lists tickets matching f, newest first. A search (f.Query) that
// stands for several conditions (search.go) runs one indexed query for each
// and merges them, so each stays a short index scan at any table size.
func (s *Store) Tickets(ctx context.Context, f TicketFilter) (_ []ticket.Ticket, err error) {
	defer wrap(&err, "list tickets")
	switch {
	case f.Limit <= 0:
		f.Limit = 25
	case f.Limit > MaxTicketPage:
		f.Limit = MaxTicketPage
	}
	conds := []searchCond{{}}
	if text := strings.TrimSpace(f.Query); text != "" {
		conds = searchConds(text)
	}
	var rows []ticketWithComplainant
	seen := map[int64]bool{}
	for _, cond := range conds {
		// The page's rows first, then their complainants: joined before the
		// LIMIT, PostgreSQL joins every candidate (44,000 new tickets of a
		// queue at a year's volume) before keeping 26.
		var page *gorm.DB
		if split := statusSplit(f); split != nil { // no search: conds is one empty condition
			page = s.pageByStatus(ctx, f, split)
		} else {
			q := s.filteredTickets(ctx, f, "t.*")
			switch {
			case cond.name:
				q = s.byName(ctx, q, f, cond)
			case cond.where != "":
				q = q.Where(cond.where, cond.args...)
			}
			page = q.Order("t.id DESC").Limit(f.Limit)
		}
		var found []ticketWithComplainant
		err := s.conn(ctx).Table("(?) t", page).Select(ticketColumns).Joins("JOIN complainants c ON c.id = t.complainant_id").
			Order("t.id DESC").Find(&found).Error
		if err != nil {
			return nil, fmt.Errorf("list tickets: %w", err)
		}
		for _, r := range found {
			if !seen[r.T.ID] {
				seen[r.T.ID] = true
				rows = append(rows, r)
			}
		}
	}
	if len(conds) > 1 {
		slices.SortFunc(rows, func(a, b ticketWithComplainant) int { return cmp.Compare(b.T.ID, a.T.ID) })
		rows = rows[:min(len(rows), f.Limit)]
	}
	out := make([]ticket.Ticket, len(rows))
	for i, r := range rows {
		out[i] = toTicket(r)
	}
	return out, nil
}

// statusSplit returns the statuses of a queue's or an agent's list to be
// read one at a time, or nil. Such a list in several statuses (a queue's
// new and open tickets, an agent's open ones) is a range of the
// (queue|assignee_id, status, id) indexes per status; PostgreSQL cannot
// merge ranges in id order, so in one query it reads every ticket of those
// statuses and sorts them to keep 26: 44,000 new tickets of a queue, an
// agent's 107,000 tickets of a year checked for the 2,000 still open. Read
// per status, each is the newest Limit of one range.
func statusSplit(f TicketFilter) []ticket.Status {
	if f.Query != "" || f.ComplainantID != 0 || (f.Queue == nil && f.AssigneeID == nil) {
		return nil
	}
	ss := f.Status
	if len(ss) == 0 && f.OpenOnly {
		for _, st := range ticket.Statuses {
			if st.IsOpen() {
				ss = append(ss, st)
			}
		}
	}
	if len(ss) < 2 {
		return nil
	}
	return ss
}

// pageByStatus is the page of f's tickets (t.*, newest first) as the
// newest f.Limit of each status in ss, merged.
func (s *Store) pageByStatus(ctx context.Context, f TicketFilter, ss []ticket.Status) *gorm.DB {
	parts := make([]string, len(ss))
	args := make([]any, 0, len(ss)+1)
	for i, st := range ss {
		one := f
		one.Status, one.OpenOnly = []ticket.Status{st}, false
		parts[i] = "(?)"
		args = append(args, s.filteredTickets(ctx, one, "t.*").Order("t.id DESC").Limit(f.Limit))
	}
	args = append(args, f.Limit)
	return s.conn(ctx).Raw("SELECT * FROM ("+strings.Join(parts, " UNION ALL ")+") t ORDER BY t.id DESC LIMIT ?", args...)
}

// filteredTickets is the query of f's filters other than its search, of
// tickets "t" selecting cols.
func (s *Store) filteredTickets(ctx context.Context, f TicketFilter, cols string) *gorm.DB {
	q := s.conn(ctx).Table("tickets t").Select(cols)
	if len(f.Status) > 0 {
		q = q.Where("t.status IN ?", statusStrings(f.Status))
	} else if f.OpenOnly {
		q = q.Where("t.status NOT IN ?", []string{string(ticket.StatusResolved), string(ticket.StatusClosed)})
	}
	if f.Channel != "" {
		q = q.Where("t.channel = ?", string(f.Channel))
	}
	if f.Category != "" {
		q = q.Where("t.category = ?", string(f.Category))
	}
	if f.Priority != "" {
		q = q.Where("t.priority = ?", string(f.Priority))
	}
	if f.Queue != nil {
		q = q.Where("t.queue = ?", *f.Queue)
	}
	if f.AssigneeID != nil {
		q = q.Where("t.assignee_id = ?", *f.AssigneeID)
	} else if f.Unassigned {
		q = q.Where("t.assignee_id IS NULL")
	}
	if f.ComplainantID != 0 {
		q = q.Where("t.complainant_id = ?", f.ComplainantID)
	}
	if f.BeforeID > 0 {
		q = q.Where("t.id < ?", f.BeforeID)
	}
	return q
}

func statusStrings(ss []ticket.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}
