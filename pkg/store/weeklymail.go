package store

import (
	"context"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// ReportMailRecipients lists the supervisors the weekly report is mailed
// to: every supervisor who is not disabled, by id.
func (s *Store) ReportMailRecipients(ctx context.Context) (_ []ticket.User, err error) {
	defer wrap(&err, "report mail recipients")
	var rows []userRow
	err = s.conn(ctx).Where("role = ? AND disabled_at IS NULL AND email <> ''", string(ticket.RoleSupervisor)).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	users := make([]ticket.User, len(rows))
	for i, r := range rows {
		users[i] = toUser(r)
	}
	return users, nil
}

// ReportMailOnce runs send, the mailing of week w's report to user userID,
// unless it went before, and records that it went, in one transaction:
// a concurrent call for the same week and user waits for this one and
// then sends nothing; when send fails nothing is recorded, so a later run
// sends it. It reports whether send ran and succeeded. A crash between
// the relay's acceptance and the commit sends the mail again: at least
// once, like every other mail.
func (s *Store) ReportMailOnce(ctx context.Context, w Week, userID int64, send func(ctx context.Context) error) (sent bool, err error) {
	defer wrap(&err, "report mail once")
	err = s.WithTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Exec(`INSERT INTO report_mails (week_start, user_id, sent_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, w.Start().Format(time.DateOnly), userID, s.now().UTC())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if err := send(ctx); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent && err == nil, err
}
