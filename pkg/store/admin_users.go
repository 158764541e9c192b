package store

import (
	"context"
	"fmt"

	"github.com/aduan/aduan/pkg/ticket"
)

// Users lists every user, disabled ones too, by name: the admins' list.
func (s *Store) Users(ctx context.Context) (_ []ticket.User, err error) {
	defer wrap(&err, "list users")
	var rows []userRow
	if err := s.conn(ctx).Order("lower(name), id").Find(&rows).Error; err != nil {
		return nil, err
	}
	users := make([]ticket.User, len(rows))
	for i, r := range rows {
		users[i] = toUser(r)
	}
	return users, nil
}

// AuditUserEnable is the audit action of enabling a disabled user again.
const AuditUserEnable = "user_enable"

// EnableUser lets a disabled user log in again, with an audit entry naming
// who did it and why, in one transaction. They come back offline: they
// take work when they say they are available. Their old sessions and
// tokens stay revoked. Enabling an enabled user changes nothing and audits
// nothing.
func (s *Store) EnableUser(ctx context.Context, id, actorID int64, reason string) (_ ticket.User, err error) {
	defer wrap(&err, "enable user")
	err = s.WithTx(ctx, func(ctx context.Context) error {
		now := s.now().UTC()
		res := s.conn(ctx).Exec(`UPDATE users SET disabled_at = NULL, updated_at = ? WHERE id = ? AND disabled_at IS NOT NULL`,
			now, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.conn(ctx).Exec(`INSERT INTO audit_log (actor_id, action, subject, reason, at)
			VALUES (NULLIF(?, 0::bigint), ?, ?, ?, ?)`, actorID, AuditUserEnable, fmt.Sprintf("user:%d", id), reason, now).Error
	})
	if err != nil {
		return ticket.User{}, err
	}
	return s.UserByID(ctx, id)
}
