// Package store keeps Aduan's data in PostgreSQL. It is the only package
// that imports gorm: it turns rows into domain values and back, and owns the
// embedded migrations.
package store

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/aduan/aduan/pkg/ticket"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is Aduan's PostgreSQL storage. Its methods run inside the
// transaction carried by their context when WithTx opened one.
type Store struct {
	db  *gorm.DB
	now func() time.Time
}

// Options tunes the connection pool.
type Options struct {
	MaxOpenConns int // default 20
	MaxIdleConns int // default MaxOpenConns
}

// Open connects to PostgreSQL at url and checks that it answers.
func Open(ctx context.Context, url string, opts Options) (_ *Store, err error) {
	defer wrap(&err, "open")
	db, err := gorm.Open(postgres.Open(url), &gorm.Config{
		SkipDefaultTransaction: true,
		// pgx caches prepared statements per connection by itself; gorm's
		// own PrepareStmt re-prepares them in every transaction.
		PrepareStmt: false,
		Logger:      logger.Discard,
		NowFunc:     func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 20
	}
	if opts.MaxIdleConns <= 0 {
		opts.MaxIdleConns = opts.MaxOpenConns
	}
	sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opts.MaxIdleConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, now: time.Now}
	if err := s.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// WithClock returns a Store on s's connections that takes the time it
// stamps on what it writes (created_at, updated_at, event times) from now:
// to replay or test what happens at a given time. Closing either closes
// both.
func (s *Store) WithClock(now func() time.Time) *Store {
	return &Store{db: s.db, now: now}
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) (err error) {
	defer wrap(&err, "ping")
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return sqlDB.PingContext(ctx)
}

// Migrate applies the embedded migrations that have not run yet, each in
// its own transaction, and reports how many ran.
func (s *Store) Migrate(ctx context.Context) (_ int, err error) {
	defer wrap(&err, "migrate")
	sqlDB, err := s.db.DB()
	if err != nil {
		return 0, err
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrationsFS())
	if err != nil {
		return 0, fmt.Errorf("load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("migrate: %w", err)
	}
	return len(results), nil
}

type txKey struct{}

// WithTx runs fn in one transaction: committed when fn returns nil, rolled
// back otherwise. Store methods called with the ctx fn receives join it.
// An error of fn comes back as fn returned it; one of beginning or
// committing the transaction names that operation.
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	var fnErr error
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(context.WithValue(ctx, txKey{}, tx))
		return fnErr
	})
	if err != nil && err != fnErr {
		wrap(&err, "transaction")
	}
	return err
}

// conn returns the transaction in ctx, or the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// The unique constraints that callers tell apart.
const (
	ConstraintMessageSource  = "messages_source_key"
	ConstraintIdentityNIK    = "complainant_identities_nik_key"
	ConstraintComplainantNIK = "complainants_nik_key"
	ConstraintUserEmail      = "users_email_key"
)

// UniqueViolation reports which unique constraint err broke, or "".
func UniqueViolation(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return pgErr.ConstraintName
	}
	return ""
}

// BadData reports whether PostgreSQL refused err's statement for the values
// it carried: a data exception (class 22, e.g. a NUL byte in a text), an
// integrity violation (23) or a value past a limit (54). The same values
// fail the same way however often they are sent, unlike a server that is
// unreachable, restarting or out of room, which may pass.
func BadData(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || len(pgErr.Code) < 2 {
		return false
	}
	switch pgErr.Code[:2] {
	case "22", "23", "54":
		return true
	}
	return false
}

// notFound turns gorm's not-found into the domain's ENOTFOUND.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ticket.Errorf(ticket.ENOTFOUND, "%s tidak ditemukan. / %s not found.", what, what)
	}
	return err
}

// jsonText renders v as JSON for a jsonb parameter.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with plain slices and maps
	}
	return string(b)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
