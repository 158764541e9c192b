package store

import (
	"context"
	"fmt"
	"regexp"
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

const ticketColumns = `t.id, t.number, t.channel, t.category, t.status, t.priority, t.queue, t.assignee_id,
	t.complainant_id, t.subject, t.description, t.call_ref, t.documents, t.warnings, t.first_response_due,
	t.resolution_due, t.first_responded_at, t.sla_breached, t.created_by, t.created_at, t.updated_at, t.resolved_at,
	c.id AS c_id, c.name AS c_name, c.nik AS c_nik, c.phone AS c_phone, c.email AS c_email,
	c.whatsapp_id AS c_whatsapp_id, c.birth_place AS c_birth_place, c.birth_date AS c_birth_date,
	c.nik_warnings AS c_nik_warnings, c.created_at AS c_created_at, c.updated_at AS c_updated_at`

func toDBTicket(t *ticket.Ticket) ticketRow {
	warnings := t.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return ticketRow{ID: t.ID, Number: t.Number, Channel: string(t.Channel), Category: string(t.Category),
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
	if tc.C.ID != 0 {
		c := toComplainant(tc.C)
		t.Complainant = &c
	}
	return t
}

// CreateTicket stores a new ticket, giving it its id and number.
func (s *Store) CreateTicket(ctx context.Context, t *ticket.Ticket) error {
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

// ticketRef matches a ticket number, with or without its brackets.
var ticketRef = regexp.MustCompile(`(?i)^\[?(PL-\d{6}-\d{6,})\]?$`)

// TicketByRef returns a ticket by id or number, with its complainant.
// forUpdate locks the row until the transaction ends.
func (s *Store) TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error) {
	q := s.conn(ctx).Table("tickets t").Select(ticketColumns).Joins("JOIN complainants c ON c.id = t.complainant_id")
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		q = q.Where("t.id = ?", id)
	} else if m := ticketRef.FindStringSubmatch(strings.TrimSpace(ref)); m != nil {
		q = q.Where("t.number = ?", strings.ToUpper(m[1]))
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
func (s *Store) SaveTicket(ctx context.Context, t *ticket.Ticket) error {
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
	Query         string // a ticket number, a NIK, a phone number or words
	BeforeID      int64  // the cursor: tickets with a smaller id
	Limit         int
}

var digitsOnly = regexp.MustCompile(`^[0-9 .\-]{16,22}$`)

// Tickets lists tickets matching f, newest first.
func (s *Store) Tickets(ctx context.Context, f TicketFilter) ([]ticket.Ticket, error) {
	q := s.conn(ctx).Table("tickets t").Select(ticketColumns).Joins("JOIN complainants c ON c.id = t.complainant_id")
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
	if f.Query != "" {
		q = s.matchQuery(ctx, q, strings.TrimSpace(f.Query))
	}
	if f.BeforeID > 0 {
		q = q.Where("t.id < ?", f.BeforeID)
	}
	switch {
	case f.Limit <= 0:
		f.Limit = 25
	case f.Limit > MaxTicketPage:
		f.Limit = MaxTicketPage
	}
	var rows []ticketWithComplainant
	if err := q.Order("t.id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	out := make([]ticket.Ticket, len(rows))
	for i, r := range rows {
		out[i] = toTicket(r)
	}
	return out, nil
}

// matchQuery narrows q to what a free-text search names: a ticket number,
// a NIK, a phone number, an email, or else words of the subject and text.
func (s *Store) matchQuery(ctx context.Context, q *gorm.DB, text string) *gorm.DB {
	identity := func(kind ticket.IdentityKind, value string) *gorm.DB {
		return q.Where("t.complainant_id IN (?)", s.conn(ctx).Model(&identityRow{}).Select("complainant_id").
			Where("kind = ? AND value = ?", string(kind), value))
	}
	if m := ticketRef.FindStringSubmatch(text); m != nil {
		return q.Where("t.number = ?", strings.ToUpper(m[1]))
	}
	if digitsOnly.MatchString(text) {
		if nik := ticket.NormalizeNIK(text); len(nik) == 16 {
			return identity(ticket.IdentityNIK, nik)
		}
	}
	if strings.Contains(text, "@") {
		if email, err := ticket.NormalizeEmail(text); err == nil {
			return identity(ticket.IdentityEmail, email)
		}
	}
	if phone, err := ticket.NormalizePhone(text); err == nil {
		return identity(ticket.IdentityPhone, phone)
	}
	return q.Where("t.search @@ plainto_tsquery('simple', ?)", text)
}

func statusStrings(ss []ticket.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}
