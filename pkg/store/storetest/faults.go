package storetest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// LockTable takes an ACCESS EXCLUSIVE lock on table in the database at
// dbURL and holds it until the returned release is called (or the test
// ends), so that any statement touching the table waits.
func LockTable(t testing.TB, dbURL, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("storetest: connect: %v", err)
	}
	tx, err := conn.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, "LOCK TABLE "+pgx.Identifier{table}.Sanitize()+" IN ACCESS EXCLUSIVE MODE")
	}
	if err != nil {
		conn.Close(ctx)
		t.Fatalf("storetest: lock %s: %v", table, err)
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		_ = tx.Rollback(ctx)
		conn.Close(ctx)
	}
	t.Cleanup(release)
	return release
}

// TerminateWaiting waits until n backends of the database at dbURL are
// waiting for a lock, then terminates them with pg_terminate_backend: the
// server's SQLSTATE 57P01 (admin_shutdown), as a restart gives, without
// restarting a server other tests share.
func TerminateWaiting(t testing.TB, dbURL string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("storetest: connect: %v", err)
	}
	defer conn.Close(context.Background())
	const waiting = `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`
	for {
		rows, err := conn.Query(ctx, waiting)
		if err != nil {
			t.Fatalf("storetest: list waiting backends: %v", err)
		}
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			t.Fatalf("storetest: list waiting backends: %v", err)
		}
		if len(pids) >= n {
			for _, pid := range pids {
				if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
					t.Fatalf("storetest: terminate backend %d: %v", pid, err)
				}
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("storetest: %d backends waiting for a lock, want %d", len(pids), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// DropDatabase drops the database at dbURL now, closing its connections,
// for a test of what the application says when its database is gone.
func DropDatabase(t testing.TB, dbURL string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("storetest: parse %q: %v", dbURL, err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if err := admin(context.Background(), dbURL, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
		t.Fatalf("storetest: drop database: %v", err)
	}
}

// TerminateAll terminates every other backend connected to the database
// at dbURL, as a failover or a restart does to a pool's idle connections,
// and reports how many it ended.
func TerminateAll(t testing.TB, dbURL string) int {
	t.Helper()
	return Count(t, dbURL, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`)
}
