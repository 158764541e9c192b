package store

import (
	"context"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// Session is how long a console login lasts: it ends Idle after its last
// use, and at Expires however busy it is.
type Session struct {
	Idle    time.Duration
	Expires time.Time
}

// sessionTouchEvery is how stale last_seen_at may get before a request
// writes it again: one write a minute per session, not one per request,
// for an idle limit measured in minutes.
const sessionTouchEvery = time.Minute

// CreateSession remembers a console session's token (only its hash is
// kept) for the user.
func (s *Store) CreateSession(ctx context.Context, userID int64, token string, sess Session) (err error) {
	defer wrap(&err, "create session")
	idle := int(sess.Idle / time.Second)
	return s.conn(ctx).Exec(`INSERT INTO auth_tokens (user_id, token_sha256, created_at, expires_at, idle_seconds, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?)`, userID, tokenHash(token), s.now().UTC(), sess.Expires.UTC(), max(idle, 1), s.now().UTC()).Error
}

// UserBySession returns the user a live console session belongs to and
// marks the session used. An unknown, revoked, idle or expired session,
// or one of a disabled user, is EUNAUTHORIZED.
func (s *Store) UserBySession(ctx context.Context, token string) (_ ticket.User, err error) {
	defer wrap(&err, "user by session")
	now := s.now().UTC()
	var row struct {
		UserID     int64
		TokenID    int64
		LastSeenAt time.Time
	}
	err = s.conn(ctx).Raw(`SELECT t.user_id, t.id AS token_id, t.last_seen_at FROM auth_tokens t
		JOIN users u ON u.id = t.user_id
		WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND t.idle_seconds IS NOT NULL
		AND t.last_seen_at + make_interval(secs => t.idle_seconds) > ? AND u.disabled_at IS NULL`,
		tokenHash(token), now, now).Scan(&row).Error
	if err != nil {
		return ticket.User{}, err
	}
	if row.TokenID == 0 {
		return ticket.User{}, ticket.Errorf(ticket.EUNAUTHORIZED, "Sesi berakhir, silakan masuk lagi. / Session expired or invalid.")
	}
	if now.Sub(row.LastSeenAt) >= sessionTouchEvery {
		if err := s.conn(ctx).Exec(`UPDATE auth_tokens SET last_seen_at = ? WHERE id = ?`, now, row.TokenID).Error; err != nil {
			return ticket.User{}, err
		}
	}
	var u userRow
	if err := s.conn(ctx).Take(&u, row.UserID).Error; err != nil {
		return ticket.User{}, err
	}
	return toUser(u), nil
}

// RevokeSessions ends every console session of the user at once, on every
// server: logging out in one tab logs out everywhere. API tokens, which
// scripts may hold, stay.
func (s *Store) RevokeSessions(ctx context.Context, userID int64) (err error) {
	defer wrap(&err, "revoke sessions")
	return s.conn(ctx).Exec(`UPDATE auth_tokens SET revoked_at = ? WHERE user_id = ? AND idle_seconds IS NOT NULL AND revoked_at IS NULL`,
		s.now().UTC(), userID).Error
}
