package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aduan/aduan/pkg/ticket"
)

type userRow struct {
	ID           int64
	Email        string
	Name         string
	Role         string
	PasswordHash string
	Queues       []string `gorm:"serializer:json"`
	Capacity     int
	Presence     string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DisabledAt   *time.Time
}

func (userRow) TableName() string { return "users" }

func toUser(r userRow) ticket.User {
	queues := r.Queues
	if queues == nil {
		queues = []string{}
	}
	return ticket.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: ticket.Role(r.Role), Queues: queues,
		Capacity: r.Capacity, Presence: ticket.Presence(r.Presence), CreatedAt: r.CreatedAt, DisabledAt: r.DisabledAt}
}

// CreateUser stores a new user with an already hashed password. An email
// already in use is an ECONFLICT.
func (s *Store) CreateUser(ctx context.Context, u *ticket.User, passwordHash string) (err error) {
	defer wrap(&err, "create user")
	queues := u.Queues
	if queues == nil {
		queues = []string{}
	}
	row := userRow{Email: u.Email, Name: u.Name, Role: string(u.Role), PasswordHash: passwordHash,
		Queues: queues, Capacity: u.Capacity, Presence: string(u.Presence)}
	if row.Presence == "" {
		row.Presence = string(ticket.PresenceAvailable)
	}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		if UniqueViolation(err) == ConstraintUserEmail {
			return ticket.Errorf(ticket.ECONFLICT, "Email %s sudah dipakai. / Email already in use.", u.Email)
		}
		return err
	}
	*u = toUser(row)
	return nil
}

// UserByEmail returns the user and their password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (_ ticket.User, _ string, err error) {
	defer wrap(&err, "user by email")
	var row userRow
	err = s.conn(ctx).Where("lower(email) = ?", strings.ToLower(email)).Take(&row).Error
	if err != nil {
		return ticket.User{}, "", notFound(err, "Pengguna")
	}
	return toUser(row), row.PasswordHash, nil
}

// UserByID returns one user.
func (s *Store) UserByID(ctx context.Context, id int64) (_ ticket.User, err error) {
	defer wrap(&err, "user by id")
	var row userRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return ticket.User{}, notFound(err, "Pengguna")
	}
	return toUser(row), nil
}

// Agents lists the users who work tickets (agents and supervisors).
func (s *Store) Agents(ctx context.Context) (_ []ticket.User, err error) {
	defer wrap(&err, "list agents")
	var rows []userRow
	err = s.conn(ctx).Where("role IN ?", []string{string(ticket.RoleAgent), string(ticket.RoleSupervisor)}).
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

// AgentUpdate holds the fields of an agent that a supervisor may change;
// nil leaves a field as it is.
type AgentUpdate struct {
	Queues   *[]string
	Capacity *int
	Presence *ticket.Presence
}

// UpdateAgent changes an agent's queues, capacity or presence.
func (s *Store) UpdateAgent(ctx context.Context, id int64, up AgentUpdate) (_ ticket.User, err error) {
	defer wrap(&err, "update agent")
	set := map[string]any{"updated_at": s.now()}
	if up.Queues != nil {
		set["queues"] = gorm.Expr("?::jsonb", jsonText(*up.Queues))
	}
	if up.Capacity != nil {
		set["capacity"] = *up.Capacity
	}
	if up.Presence != nil {
		set["presence"] = string(*up.Presence)
	}
	res := s.conn(ctx).Model(&userRow{}).Where("id = ?", id).Updates(set)
	if res.Error != nil {
		return ticket.User{}, res.Error
	}
	if res.RowsAffected == 0 {
		return ticket.User{}, ticket.Errorf(ticket.ENOTFOUND, "Pengguna tidak ditemukan. / User not found.")
	}
	return s.UserByID(ctx, id)
}

type tokenRow struct {
	ID          int64
	UserID      int64
	TokenSHA256 []byte `gorm:"column:token_sha256"`
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
}

func (tokenRow) TableName() string { return "auth_tokens" }

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreateToken remembers a new bearer token for the user until expires.
func (s *Store) CreateToken(ctx context.Context, userID int64, token string, expires time.Time) (err error) {
	defer wrap(&err, "create token")
	return s.conn(ctx).Create(&tokenRow{UserID: userID, TokenSHA256: tokenHash(token), ExpiresAt: expires}).Error
}

// UserByToken returns the user a live token belongs to; an unknown,
// expired or revoked token, or one of a disabled user, is EUNAUTHORIZED.
// Nothing is cached: a logout or a disabling holds on every API process at
// once, for the price of one indexed lookup.
func (s *Store) UserByToken(ctx context.Context, token string) (_ ticket.User, err error) {
	defer wrap(&err, "user by token")
	var row userRow
	err = s.conn(ctx).Table("users").Select("users.*").
		Joins("JOIN auth_tokens t ON t.user_id = users.id").
		Where("t.token_sha256 = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND users.disabled_at IS NULL"+
			// A console session also ends when left idle (sessions.go).
			" AND (t.idle_seconds IS NULL OR t.last_seen_at + make_interval(secs => t.idle_seconds) > ?)",
			tokenHash(token), s.now(), s.now()).
		Take(&row).Error
	if err != nil {
		if err == gorm.ErrRecordNotFound {
			return ticket.User{}, ticket.Errorf(ticket.EUNAUTHORIZED, "Sesi tidak berlaku, silakan masuk lagi. / Session expired or invalid.")
		}
		return ticket.User{}, err
	}
	return toUser(row), nil
}

// RevokeToken ends a token's life at once.
func (s *Store) RevokeToken(ctx context.Context, token string) (err error) {
	defer wrap(&err, "revoke token")
	return s.conn(ctx).Model(&tokenRow{}).Where("token_sha256 = ? AND revoked_at IS NULL", tokenHash(token)).
		Update("revoked_at", s.now()).Error
}

// AuditUserDisable is the audit action of disabling a user.
const AuditUserDisable = "user_disable"

// DisableUser disables a user, takes them off the queues (offline) and
// revokes every token of theirs, in one transaction with an audit entry
// naming who did it (actorID 0: an operator's command on the server) and
// why. Disabling a disabled user changes nothing and audits nothing.
func (s *Store) DisableUser(ctx context.Context, id, actorID int64, reason string) (_ ticket.User, err error) {
	defer wrap(&err, "disable user")
	err = s.WithTx(ctx, func(ctx context.Context) error {
		now := s.now().UTC()
		res := s.conn(ctx).Exec(`UPDATE users SET disabled_at = ?, presence = 'offline', updated_at = ?
			WHERE id = ? AND disabled_at IS NULL`, now, now, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if err := s.conn(ctx).Exec(`UPDATE auth_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
			now, id).Error; err != nil {
			return err
		}
		return s.conn(ctx).Exec(`INSERT INTO audit_log (actor_id, action, subject, reason, at)
			VALUES (NULLIF(?, 0::bigint), ?, ?, ?, ?)`, actorID, AuditUserDisable, fmt.Sprintf("user:%d", id), reason, now).Error
	})
	if err != nil {
		return ticket.User{}, err
	}
	return s.UserByID(ctx, id)
}
