package store

import (
	"context"
	"fmt"
)

// The audit actions of an admin's word on mail that opened no ticket.
const (
	// AuditMailRetry: quarantined mail taken in again.
	AuditMailRetry = "mail_retry"
	// AuditMailRelease: ignored (automatic) mail opened as a ticket.
	AuditMailRelease = "mail_release"
)

// QuarantinedMailByID returns one quarantined mail; ENOTFOUND when there is
// none (any more).
func (s *Store) QuarantinedMailByID(ctx context.Context, id int64) (_ QuarantinedMail, err error) {
	defer wrap(&err, "quarantined mail by id")
	var m QuarantinedMail
	if err := s.conn(ctx).Take(&m, id).Error; err != nil {
		return m, notFound(err, "Email karantina")
	}
	return m, nil
}

// IgnoredMailByID returns one ignored mail; ENOTFOUND when there is none
// (any more).
func (s *Store) IgnoredMailByID(ctx context.Context, id int64) (_ IgnoredMail, err error) {
	defer wrap(&err, "ignored mail by id")
	var m IgnoredMail
	if err := s.conn(ctx).Take(&m, id).Error; err != nil {
		return m, notFound(err, "Email yang diabaikan")
	}
	return m, nil
}

// SettleQuarantined takes quarantined mail id off the list once it was
// taken in, with an audit entry naming the admin and the ticket it went
// to, in one transaction. It reports false, and audits nothing, when the
// mail was off the list already (another admin was quicker).
func (s *Store) SettleQuarantined(ctx context.Context, id, actorID int64, ticketNumber string) (_ bool, err error) {
	defer wrap(&err, "settle quarantined mail")
	return s.settleMail(ctx, "quarantined_mail", AuditMailRetry, id, actorID, ticketNumber)
}

// SettleIgnored takes ignored mail id off the list once a ticket was
// opened from it, like SettleQuarantined.
func (s *Store) SettleIgnored(ctx context.Context, id, actorID int64, ticketNumber string) (_ bool, err error) {
	defer wrap(&err, "settle ignored mail")
	return s.settleMail(ctx, "ignored_mail", AuditMailRelease, id, actorID, ticketNumber)
}

// settleMail deletes row id of table (quarantined_mail or ignored_mail,
// never user input) and audits action.
func (s *Store) settleMail(ctx context.Context, table, action string, id, actorID int64, ticketNumber string) (bool, error) {
	settled := false
	err := s.WithTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Exec(`DELETE FROM `+table+` WHERE id = ?`, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		settled = true
		return s.conn(ctx).Exec(`INSERT INTO audit_log (actor_id, action, subject, reason, at) VALUES (?, ?, ?, ?, ?)`,
			actorID, action, fmt.Sprintf("%s:%d", table, id), "tiket "+ticketNumber, s.now().UTC()).Error
	})
	return settled, err
}
