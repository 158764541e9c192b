package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// Viewer is someone who has a ticket open in the console.
type Viewer struct {
	TicketID int64
	UserID   int64
	Name     string
	SeenAt   time.Time
}

// SeeTicket records that the user has the ticket open now.
func (s *Store) SeeTicket(ctx context.Context, ticketID, userID int64) (err error) {
	defer wrap(&err, "see ticket")
	return s.conn(ctx).Exec(`INSERT INTO ticket_viewers (ticket_id, user_id, seen_at) VALUES (?, ?, ?)
		ON CONFLICT (ticket_id, user_id) DO UPDATE SET seen_at = excluded.seen_at`, ticketID, userID, s.now().UTC()).Error
}

// LeaveTicket records that the user closed the ticket.
func (s *Store) LeaveTicket(ctx context.Context, ticketID, userID int64) (err error) {
	defer wrap(&err, "leave ticket")
	return s.conn(ctx).Exec(`DELETE FROM ticket_viewers WHERE ticket_id = ? AND user_id = ?`, ticketID, userID).Error
}

// Viewers returns who has any of the tickets open, seen since since,
// ordered by ticket and name. Rows older than since are left for
// SweepViewers.
func (s *Store) Viewers(ctx context.Context, ticketIDs []int64, since time.Time) (_ []Viewer, err error) {
	defer wrap(&err, "ticket viewers")
	if len(ticketIDs) == 0 {
		return nil, nil
	}
	var out []Viewer
	err = s.conn(ctx).Raw(`SELECT v.ticket_id, v.user_id, u.name, v.seen_at FROM ticket_viewers v
		JOIN users u ON u.id = v.user_id WHERE v.ticket_id IN ? AND v.seen_at > ? ORDER BY v.ticket_id, u.name`,
		ticketIDs, since.UTC()).Scan(&out).Error
	return out, err
}

// SweepViewers forgets viewers not seen since since.
func (s *Store) SweepViewers(ctx context.Context, since time.Time) (err error) {
	defer wrap(&err, "sweep viewers")
	return s.conn(ctx).Exec(`DELETE FROM ticket_viewers WHERE seen_at <= ?`, since.UTC()).Error
}

// TicketVersion says how far a ticket's story has gone: its last event and
// its last message. A page rendered at one version and acted on at another
// was looking at something that changed meanwhile.
type TicketVersion struct {
	Event   int64
	Message int64
}

// String is the version as a page carries it.
func (v TicketVersion) String() string { return fmt.Sprintf("%d.%d", v.Event, v.Message) }

// ParseTicketVersion reads what String wrote.
func ParseTicketVersion(s string) (TicketVersion, bool) {
	var v TicketVersion
	_, err := fmt.Sscanf(s, "%d.%d", &v.Event, &v.Message)
	return v, err == nil && v.Event >= 0 && v.Message >= 0
}

// VersionOf returns the ticket's current version.
func (s *Store) VersionOf(ctx context.Context, ticketID int64) (_ TicketVersion, err error) {
	defer wrap(&err, "ticket version")
	var v TicketVersion
	err = s.conn(ctx).Raw(`SELECT
		(SELECT coalesce(max(id), 0) FROM ticket_events WHERE ticket_id = ?) AS event,
		(SELECT coalesce(max(id), 0) FROM messages WHERE ticket_id = ?) AS message`, ticketID, ticketID).
		Row().Scan(&v.Event, &v.Message)
	return v, err
}

// TicketQueued is word that a ticket entered a queue unassigned.
type TicketQueued struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Queue  string `json:"queue"`
}

// ListenQueued calls fn for every ticket that enters a queue unassigned, in
// any process, until ctx ends or the connection fails (the caller listens
// again). It holds one connection of the pool for as long as it listens.
func (s *Store) ListenQueued(ctx context.Context, fn func(TicketQueued)) (err error) {
	defer wrap(&err, "listen queued")
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		sc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, "LISTEN aduan_ticket_queued"); err != nil {
			return err
		}
		// The connection goes back to the pool afterwards: it must not
		// keep listening there.
		defer func() { _, _ = pc.Exec(context.WithoutCancel(ctx), "UNLISTEN *") }()
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			var q TicketQueued
			if json.Unmarshal([]byte(n.Payload), &q) == nil {
				fn(q)
			}
		}
	})
}

// MoveConversation moves every message and attachment of ticket fromID to
// ticket toID: the two tickets are merged into one conversation.
func (s *Store) MoveConversation(ctx context.Context, fromID, toID int64) (err error) {
	defer wrap(&err, "move conversation")
	if err := s.conn(ctx).Exec(`UPDATE messages SET ticket_id = ? WHERE ticket_id = ?`, toID, fromID).Error; err != nil {
		return err
	}
	return s.conn(ctx).Exec(`UPDATE attachments SET ticket_id = ? WHERE ticket_id = ?`, toID, fromID).Error
}
