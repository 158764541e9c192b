package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"math"
	"time"

	"gorm.io/gorm"
)

// LoginLimit says how the attempts counted under one kind of key (an
// account, a client address) are slowed down: the first Free attempts go
// through at once; after that each attempt waits Base, doubled for every
// attempt past Free, at most Max. A key is forgotten Window after its last
// attempt.
type LoginLimit struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Window time.Duration
}

// Delay is how long a key that has made n attempts waits before the next.
func (l LoginLimit) Delay(n int) time.Duration {
	if n < l.Free {
		return 0
	}
	d := float64(l.Base) * math.Pow(2, float64(min(n-l.Free, 40)))
	if d > float64(l.Max) {
		return l.Max
	}
	return time.Duration(d)
}

// takeAttempt counts one attempt, unless the key must still wait. Counting
// and checking are one statement, so attempts sent at once for one key are
// let through one by one, each waiting its turn.
const takeAttempt = `
INSERT INTO login_attempts AS a (key, attempts, last_at) VALUES (decode(@key, 'hex'), 1, @now)
ON CONFLICT (key) DO UPDATE SET
    attempts = CASE WHEN a.last_at <= @expired THEN 1 ELSE a.attempts + 1 END,
    last_at  = excluded.last_at
WHERE a.last_at <= @expired
   OR a.attempts < @free
   OR a.last_at + make_interval(secs => least(@base * power(2, least(a.attempts - @free, 40)), @max)) <= excluded.last_at
RETURNING attempts`

// TakeLoginAttempt counts an attempt under key and returns 0, or, when the
// key must still wait, counts nothing and returns how long.
func (s *Store) TakeLoginAttempt(ctx context.Context, key []byte, lim LoginLimit, now time.Time) (_ time.Duration, err error) {
	defer wrap(&err, "take login attempt")
	var taken []int
	err = s.conn(ctx).Raw(takeAttempt, sql.Named("key", hex.EncodeToString(key)), sql.Named("now", now.UTC()),
		sql.Named("expired", now.UTC().Add(-lim.Window)), sql.Named("free", lim.Free),
		sql.Named("base", lim.Base.Seconds()), sql.Named("max", lim.Max.Seconds())).Scan(&taken).Error
	if err != nil || len(taken) > 0 {
		return 0, err
	}
	var row struct {
		Attempts int
		LastAt   time.Time
	}
	err = s.conn(ctx).Raw(`SELECT attempts, last_at FROM login_attempts WHERE key = decode(?, 'hex')`, hex.EncodeToString(key)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil // swept in between: nothing to wait for
	}
	if err != nil {
		return 0, err
	}
	return max(row.LastAt.Add(lim.Delay(row.Attempts)).Sub(now), time.Second), nil
}

// ReturnLoginAttempt takes back one attempt counted under key: for an
// attempt that turned out right, or that was never checked.
func (s *Store) ReturnLoginAttempt(ctx context.Context, key []byte) (err error) {
	defer wrap(&err, "return login attempt")
	return s.conn(ctx).Exec(`UPDATE login_attempts SET attempts = greatest(attempts - 1, 0) WHERE key = decode(?, 'hex')`, hex.EncodeToString(key)).Error
}

// ClearLoginAttempts forgets the attempts counted under key.
func (s *Store) ClearLoginAttempts(ctx context.Context, key []byte) (err error) {
	defer wrap(&err, "clear login attempts")
	return s.conn(ctx).Exec(`DELETE FROM login_attempts WHERE key = decode(?, 'hex')`, hex.EncodeToString(key)).Error
}

// RememberLogin records that key (an account and an address together)
// logged in at now.
func (s *Store) RememberLogin(ctx context.Context, key []byte, now time.Time) (err error) {
	defer wrap(&err, "remember login")
	return s.conn(ctx).Exec(`INSERT INTO login_known (key, seen_at) VALUES (decode(?, 'hex'), ?)
		ON CONFLICT (key) DO UPDATE SET seen_at = excluded.seen_at`, hex.EncodeToString(key), now.UTC()).Error
}

// KnownLogin reports whether key logged in successfully since since.
func (s *Store) KnownLogin(ctx context.Context, key []byte, since time.Time) (_ bool, err error) {
	defer wrap(&err, "known login")
	var n int64
	err = s.conn(ctx).Raw(`SELECT count(*) FROM login_known WHERE key = decode(?, 'hex') AND seen_at > ?`,
		hex.EncodeToString(key), since.UTC()).
		Scan(&n).Error
	return n > 0, err
}

// LoginSweep says what SweepLogins keeps: attempts for Window after the
// last one and at most MaxAttempts keys; known logins for KnownFor and at
// most MaxKnown.
type LoginSweep struct {
	Window      time.Duration
	MaxAttempts int
	KnownFor    time.Duration
	MaxKnown    int
}

// SweepLogins deletes what login throttling no longer needs: attempts past
// their window, known logins past their time and tokens that expired or
// were revoked. Past a cap it drops the keys that matter least (fewest
// attempts, then the oldest), so a flood of distinct keys neither grows the
// table without bound nor wipes out the counts of an account under attack.
// Safe to run on several processes at once.
func (s *Store) SweepLogins(ctx context.Context, now time.Time, sw LoginSweep) (_ int64, err error) {
	defer wrap(&err, "sweep logins")
	now = now.UTC()
	steps := []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM login_attempts WHERE last_at <= ?`, []any{now.Add(-sw.Window)}},
		{`DELETE FROM login_attempts WHERE key IN (
			SELECT key FROM login_attempts ORDER BY attempts DESC, last_at DESC OFFSET ?)`, []any{sw.MaxAttempts}},
		{`DELETE FROM login_known WHERE seen_at <= ?`, []any{now.Add(-sw.KnownFor)}},
		{`DELETE FROM login_known WHERE key IN (
			SELECT key FROM login_known ORDER BY seen_at DESC OFFSET ?)`, []any{sw.MaxKnown}},
		{`DELETE FROM auth_tokens WHERE expires_at <= ? OR revoked_at IS NOT NULL`, []any{now}},
	}
	var n int64
	for _, st := range steps {
		res := s.conn(ctx).Exec(st.sql, st.args...)
		if res.Error != nil {
			return n, res.Error
		}
		n += res.RowsAffected
	}
	return n, nil
}

// LoginCounts says how many rows login throttling holds, for tests and
// metrics.
func (s *Store) LoginCounts(ctx context.Context) (attempts, known int64, err error) {
	defer wrap(&err, "login counts")
	err = s.conn(ctx).Raw(`SELECT (SELECT count(*) FROM login_attempts), (SELECT count(*) FROM login_known)`).
		Row().Scan(&attempts, &known)
	return attempts, known, err
}
