package store

import (
	"context"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

type eventRow struct {
	ID       int64
	TicketID int64
	ActorID  *int64
	Kind     string
	Data     map[string]any `gorm:"serializer:json"`
	At       time.Time
}

func (eventRow) TableName() string { return "ticket_events" }

// AddEvents records changes to tickets and sets each event's ID and At
// (visible to a caller that passed a slice with events...).
func (s *Store) AddEvents(ctx context.Context, events ...ticket.Event) (err error) {
	defer wrap(&err, "add events")
	if len(events) == 0 {
		return nil
	}
	now := s.now().UTC()
	rows := make([]eventRow, len(events))
	for i, e := range events {
		data := e.Data
		if data == nil {
			data = map[string]any{}
		}
		rows[i] = eventRow{TicketID: e.TicketID, ActorID: e.ActorID, Kind: e.Kind, Data: data, At: now}
	}
	if err := s.conn(ctx).Create(&rows).Error; err != nil {
		return err
	}
	for i := range events {
		events[i].ID, events[i].At = rows[i].ID, rows[i].At
	}
	return nil
}

// Events returns a ticket's history, oldest first.
func (s *Store) Events(ctx context.Context, ticketID int64) (_ []ticket.Event, err error) {
	defer wrap(&err, "list events")
	var rows []eventRow
	if err := s.conn(ctx).Where("ticket_id = ?", ticketID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ticket.Event, len(rows))
	for i, r := range rows {
		out[i] = ticket.Event{ID: r.ID, TicketID: r.TicketID, ActorID: r.ActorID, Kind: r.Kind, Data: r.Data, At: r.At}
	}
	return out, nil
}

type auditRow struct {
	ID      int64
	ActorID int64
	Action  string
	Subject string
	Reason  string
	At      time.Time
}

func (auditRow) TableName() string { return "audit_log" }

// AddAudit records that someone looked at personal data.
func (s *Store) AddAudit(ctx context.Context, e ticket.AuditEntry) (err error) {
	defer wrap(&err, "add audit")
	return s.conn(ctx).Create(&auditRow{ActorID: e.ActorID, Action: e.Action, Subject: e.Subject,
		Reason: e.Reason, At: s.now().UTC()}).Error
}

// Audit returns the audit entries about subject, oldest first.
func (s *Store) Audit(ctx context.Context, subject string) (_ []ticket.AuditEntry, err error) {
	defer wrap(&err, "list audit")
	var rows []auditRow
	// actor_id is NULL for what an operator's command did; it reads as 0.
	err = s.conn(ctx).Select("id, coalesce(actor_id, 0) AS actor_id, action, subject, reason, at").
		Where("subject = ?", subject).Order("id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]ticket.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = ticket.AuditEntry{ID: r.ID, ActorID: r.ActorID, Action: r.Action, Subject: r.Subject,
			Reason: r.Reason, At: r.At}
	}
	return out, nil
}
