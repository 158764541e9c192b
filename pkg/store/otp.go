package store

import (
	"context"
	"time"

	"github.com/aduan/aduan/pkg/ticket"
)

// States of a one-time code challenge.
const (
	OTPOpen     = "open"     // waiting for the code
	OTPVerified = "verified" // the right code was typed: used up
	OTPFailed   = "failed"   // too many wrong codes
	OTPReplaced = "replaced" // a new code was sent to the same sender
)

// Kinds of OTP attempt, counted to limit them.
const (
	OTPAttemptSend    = "send"
	OTPAttemptFailure = "failure"
)

// OTPChallenge is one code sent (or, for a number not registered, not
// sent) to a phone number on a WhatsApp sender's request. The code itself
// is never stored: MAC is keyed with the server's secret.
type OTPChallenge struct {
	ID         string
	WaID       string
	Phone      string // E.164
	Registered bool
	MAC        []byte
	Failures   int
	State      string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// AddOTPChallenge stores c as the sender's open challenge; any challenge
// the sender still had open is replaced.
func (s *Store) AddOTPChallenge(ctx context.Context, c OTPChallenge) (err error) {
	defer wrap(&err, "add otp challenge")
	return s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Exec(`UPDATE otp_challenges SET state = ? WHERE wa_id = ? AND state = ?`,
			OTPReplaced, c.WaID, OTPOpen).Error; err != nil {
			return err
		}
		return s.conn(ctx).Exec(`INSERT INTO otp_challenges (id, wa_id, phone, registered, code_mac, failures, state,
			created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.WaID, c.Phone, c.Registered, c.MAC, c.Failures, OTPOpen, c.CreatedAt.UTC(), c.ExpiresAt.UTC()).Error
	})
}

// OpenOTPChallenge returns the sender's open challenge, locked for the
// transaction in ctx, or ENOTFOUND.
func (s *Store) OpenOTPChallenge(ctx context.Context, waID string) (_ OTPChallenge, err error) {
	defer wrap(&err, "open otp challenge")
	var rows []OTPChallenge
	err = s.conn(ctx).Raw(`SELECT id, wa_id, phone, registered, code_mac AS mac, failures, state, created_at, expires_at
		FROM otp_challenges WHERE wa_id = ? AND state = ? ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
		waID, OTPOpen).Scan(&rows).Error
	if err != nil {
		return OTPChallenge{}, err
	}
	if len(rows) == 0 {
		return OTPChallenge{}, ticket.Errorf(ticket.ENOTFOUND, "Kode OTP tidak ditemukan. / No OTP challenge.")
	}
	return rows[0], nil
}

// SetOTPChallenge records a challenge's wrong codes and state.
func (s *Store) SetOTPChallenge(ctx context.Context, id string, failures int, state string) (err error) {
	defer wrap(&err, "set otp challenge")
	return s.conn(ctx).Exec(`UPDATE otp_challenges SET failures = ?, state = ? WHERE id = ?`, failures, state, id).Error
}

// AddOTPAttempt counts one code sent or one wrong code, for phone and for
// the sender waID. Attempts older than two days, which no limit reads,
// are dropped for the same number and sender on the way.
func (s *Store) AddOTPAttempt(ctx context.Context, kind, phone, waID string, at time.Time) (err error) {
	defer wrap(&err, "add otp attempt")
	if err := s.conn(ctx).Exec(`DELETE FROM otp_attempts WHERE (phone = ? OR wa_id = ?) AND at < ?`,
		phone, waID, at.Add(-48*time.Hour).UTC()).Error; err != nil {
		return err
	}
	return s.conn(ctx).Exec(`INSERT INTO otp_attempts (kind, phone, wa_id, at) VALUES (?, ?, ?, ?)`,
		kind, phone, waID, at.UTC()).Error
}

// OTPAttempts counts the attempts of kind since a time for phone and for
// the sender waID; the larger of the two is what limits.
func (s *Store) OTPAttempts(ctx context.Context, kind, phone, waID string, since time.Time) (byPhone, byWaID int, err error) {
	defer wrap(&err, "otp attempts")
	var out struct{ ByPhone, ByWaID int }
	err = s.conn(ctx).Raw(`SELECT
		(SELECT count(*) FROM otp_attempts WHERE phone = ? AND kind = ? AND at >= ?) AS by_phone,
		(SELECT count(*) FROM otp_attempts WHERE wa_id = ? AND kind = ? AND at >= ?) AS by_wa_id`,
		phone, kind, since.UTC(), waID, kind, since.UTC()).Scan(&out).Error
	return out.ByPhone, out.ByWaID, err
}
