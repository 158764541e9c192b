package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aduan/aduan/pkg/ticket"
)

type holdRow struct {
	TicketID int64 `gorm:"primaryKey"`
	Reason   string
	SetBy    int64
	SetAt    time.Time
}

func (holdRow) TableName() string { return "ticket_holds" }

// SetHold puts a legal hold on a ticket, replacing the reason of one it
// has. Callers lock the ticket first (TicketByRef forUpdate), so a purge
// either finished before or sees the hold.
func (s *Store) SetHold(ctx context.Context, ticketID int64, h ticket.LegalHold) (err error) {
	defer wrap(&err, "set hold")
	row := holdRow{TicketID: ticketID, Reason: h.Reason, SetBy: h.SetBy, SetAt: s.now().UTC()}
	return s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "ticket_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"reason", "set_by", "set_at"})}).Create(&row).Error
}

// ClearHold lifts a ticket's legal hold and reports whether it had one.
func (s *Store) ClearHold(ctx context.Context, ticketID int64) (_ bool, err error) {
	defer wrap(&err, "clear hold")
	res := s.conn(ctx).Where("ticket_id = ?", ticketID).Delete(&holdRow{})
	return res.RowsAffected > 0, res.Error
}

// TicketRetention returns a ticket's legal hold (nil when none) and when
// it was purged (nil when it was not).
func (s *Store) TicketRetention(ctx context.Context, ticketID int64) (_ *ticket.LegalHold, _ *time.Time, err error) {
	defer wrap(&err, "ticket retention")
	var purged struct{ PurgedAt *time.Time }
	if err := s.conn(ctx).Raw(`SELECT purged_at FROM tickets WHERE id = ?`, ticketID).Scan(&purged).Error; err != nil {
		return nil, nil, fmt.Errorf("read purge time: %w", err)
	}
	var row holdRow
	err = s.conn(ctx).Take(&row, "ticket_id = ?", ticketID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, purged.PurgedAt, nil
	} else if err != nil {
		return nil, nil, fmt.Errorf("read hold: %w", err)
	}
	return &ticket.LegalHold{Reason: row.Reason, SetBy: row.SetBy, SetAt: row.SetAt}, purged.PurgedAt, nil
}
