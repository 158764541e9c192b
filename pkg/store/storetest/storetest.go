// Package storetest gives tests a fresh, migrated PostgreSQL database of
// their own, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aduan/aduan/pkg/store"
)

// DefaultURL is used when DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// template is migrated once per test binary; each test's database is a copy
// of it, which is much faster than migrating again.
var template struct {
	once sync.Once
	name string
	err  error
}

// New returns a Store on a new database migrated to the latest version.
// The database is dropped in t.Cleanup.
func New(t testing.TB) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = DefaultURL
	}
	template.once.Do(func() { template.name, template.err = makeTemplate(ctx, base) })
	if template.err != nil {
		t.Fatalf("storetest: template database: %v", template.err)
	}
	name := "aduan_test_" + randomSuffix()
	if err := admin(ctx, base, `CREATE DATABASE "`+name+`" TEMPLATE "`+template.name+`"`); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	dbURL := withDatabase(base, name)
	s, err := store.Open(ctx, dbURL, store.Options{MaxOpenConns: 10})
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		_ = admin(context.Background(), base, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
	})
	return s, dbURL
}

func makeTemplate(ctx context.Context, base string) (string, error) {
	name := "aduan_tmpl_" + randomSuffix()
	if err := admin(ctx, base, `CREATE DATABASE "`+name+`"`); err != nil {
		return "", err
	}
	s, err := store.Open(ctx, withDatabase(base, name), store.Options{MaxOpenConns: 2})
	if err != nil {
		return "", err
	}
	_, err = s.Migrate(ctx)
	s.Close()
	if err != nil {
		return "", err
	}
	dropTemplateAtExit(base, name)
	return name, nil
}

// admin runs one statement on the server's maintenance database.
func admin(ctx context.Context, base, sql string) error {
	conn, err := pgx.Connect(ctx, withDatabase(base, "postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Exec runs sql on the database at dbURL, for a test that must put the
// data in a state the store's methods would never leave it in.
func Exec(t testing.TB, dbURL, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("storetest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("storetest: %s: %v", sql, err)
	}
}

// Count runs a query returning one integer, for asserting row counts.
func Count(t testing.TB, dbURL, sql string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("storetest: connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("storetest: %s: %v", sql, err)
	}
	return n
}
