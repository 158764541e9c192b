package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MailboxPosition is how far a mailbox has been read.
type MailboxPosition struct {
	UIDValidity uint32
	LastUID     uint32
}

// MailboxPosition returns where reading mailbox stopped; a mailbox never
// read is at zero.
func (s *Store) MailboxPosition(ctx context.Context, mailbox string) (_ MailboxPosition, err error) {
	defer wrap(&err, "mailbox position")
	var r struct{ UIDValidity, LastUID int64 }
	err = s.conn(ctx).Raw("SELECT uid_validity, last_uid FROM mailbox_state WHERE mailbox = ?", mailbox).Scan(&r).Error
	return MailboxPosition{UIDValidity: uint32(r.UIDValidity), LastUID: uint32(r.LastUID)}, err
}

// SetMailboxPosition records where reading mailbox got to.
func (s *Store) SetMailboxPosition(ctx context.Context, mailbox string, p MailboxPosition) (err error) {
	defer wrap(&err, "set mailbox position")
	return s.conn(ctx).Exec(`INSERT INTO mailbox_state (mailbox, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid,
		updated_at = EXCLUDED.updated_at`, mailbox, int64(p.UIDValidity), int64(p.LastUID), s.now().UTC()).Error
}

// RecordMailFailure counts one more failure to take in a mail and returns
// how many there have been.
func (s *Store) RecordMailFailure(ctx context.Context, mailbox string, uidValidity, uid uint32, reason string) (_ int, err error) {
	defer wrap(&err, "record mail failure")
	var attempts int
	err = s.conn(ctx).Raw(`INSERT INTO mail_failures (mailbox, uid_validity, uid, attempts, last_error, updated_at)
		VALUES (?, ?, ?, 1, ?, ?)
		ON CONFLICT (mailbox, uid_validity, uid) DO UPDATE SET attempts = mail_failures.attempts + 1,
		last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at
		RETURNING attempts`, mailbox, int64(uidValidity), int64(uid), reason, s.now().UTC()).Scan(&attempts).Error
	return attempts, err
}

// FailedMailUIDs returns the UIDs of mailbox that failed before and may be
// tried again (fewer than maxAttempts failures).
func (s *Store) FailedMailUIDs(ctx context.Context, mailbox string, uidValidity uint32, maxAttempts int) (_ []uint32, err error) {
	defer wrap(&err, "failed mail uids")
	var uids []int64
	err = s.conn(ctx).Raw(`SELECT uid FROM mail_failures WHERE mailbox = ? AND uid_validity = ? AND attempts < ?
		ORDER BY uid`, mailbox, int64(uidValidity), maxAttempts).Scan(&uids).Error
	out := make([]uint32, len(uids))
	for i, u := range uids {
		out[i] = uint32(u)
	}
	return out, err
}

// ClearMailFailure forgets the failures of a mail that went through.
func (s *Store) ClearMailFailure(ctx context.Context, mailbox string, uidValidity, uid uint32) (err error) {
	defer wrap(&err, "clear mail failure")
	return s.conn(ctx).Exec("DELETE FROM mail_failures WHERE mailbox = ? AND uid_validity = ? AND uid = ?",
		mailbox, int64(uidValidity), int64(uid)).Error
}

// QuarantinedMail is a mail that could not be taken in, kept with its
// reason for an admin to look at.
type QuarantinedMail struct {
	ID          int64     `json:"id"`
	Mailbox     string    `json:"mailbox"`
	UIDValidity int64     `json:"uid_validity"`
	UID         int64     `json:"uid"`
	RawSHA256   string    `json:"raw_sha256"`
	Size        int64     `json:"size"`
	Reason      string    `json:"reason"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName tells gorm where quarantined mail lives.
func (QuarantinedMail) TableName() string { return "quarantined_mail" }

// Quarantine records a mail that failed too often.
func (s *Store) Quarantine(ctx context.Context, q QuarantinedMail) (err error) {
	defer wrap(&err, "quarantine mail")
	q.CreatedAt = s.now().UTC()
	return s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&q).Error
}

// QuarantinedMails lists quarantined mail, newest first, before an id.
func (s *Store) QuarantinedMails(ctx context.Context, beforeID int64, limit int) (_ []QuarantinedMail, err error) {
	defer wrap(&err, "quarantined mails")
	return newestFirst[QuarantinedMail](s.conn(ctx), beforeID, limit)
}

// newestFirst reads a page of rows by descending id, before beforeID.
func newestFirst[T any](db *gorm.DB, beforeID int64, limit int) ([]T, error) {
	var out []T
	q := db.Order("id DESC").Limit(limit)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	return out, q.Find(&out).Error
}

// IgnoredMail is automatic mail that belongs to no ticket.
type IgnoredMail struct {
	ID          int64     `json:"id"`
	SourceID    string    `json:"source_id"`
	RawSHA256   string    `json:"raw_sha256" gorm:"column:raw_sha256"`
	FromAddress string    `json:"from"`
	Subject     string    `json:"subject"`
	Reason      string    `json:"reason"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName tells gorm where ignored mail lives.
func (IgnoredMail) TableName() string { return "ignored_mail" }

// AddIgnoredMail keeps an automatic mail; the same source id is kept once.
func (s *Store) AddIgnoredMail(ctx context.Context, m IgnoredMail) (err error) {
	defer wrap(&err, "add ignored mail")
	m.CreatedAt = s.now().UTC()
	return s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "source_id"}}, DoNothing: true}).
		Create(&m).Error
}

// IgnoredMails lists ignored mail, newest first, before an id.
func (s *Store) IgnoredMails(ctx context.Context, beforeID int64, limit int) (_ []IgnoredMail, err error) {
	defer wrap(&err, "ignored mails")
	return newestFirst[IgnoredMail](s.conn(ctx), beforeID, limit)
}
