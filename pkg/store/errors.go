package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrUnavailable is wrapped in every store error that says PostgreSQL
// could not serve the request (unreachable, restarting, shutting down,
// out of connections or room, or the pool closed): the same request may
// pass later. Callers test it with errors.Is and need not know the driver.
var ErrUnavailable = errors.New("database unavailable")

// OpError is a store error: it names the operation that failed and wraps
// the cause, and ErrUnavailable too when the database could not serve it.
type OpError struct {
	Op          string // e.g. "create ticket"
	Err         error
	Unavailable bool
}

func (e *OpError) Error() string {
	if e.Unavailable {
		return "store: " + e.Op + ": " + ErrUnavailable.Error() + ": " + e.Err.Error()
	}
	return "store: " + e.Op + ": " + e.Err.Error()
}

// Unwrap lets errors.Is and errors.As see the cause and, when it applies,
// ErrUnavailable.
func (e *OpError) Unwrap() []error {
	if e.Unavailable {
		return []error{e.Err, ErrUnavailable}
	}
	return []error{e.Err}
}

// wrap names op in *errp and classifies it. An error that already names
// its operation (one store method calling another) keeps the innermost
// name: that is the operation that failed.
func wrap(errp *error, op string) {
	err := *errp
	if err == nil {
		return
	}
	var named *OpError
	if errors.As(err, &named) {
		return
	}
	*errp = &OpError{Op: op, Err: err, Unavailable: unavailable(err)}
}

// unavailableStates are the SQLSTATEs (or their classes) that mean the
// server could not do the work now, whatever the statement.
var unavailableStates = map[string]bool{
	"08":    true, // connection exception
	"53":    true, // insufficient resources: out of connections, memory or disk
	"57P01": true, // admin_shutdown: the backend was terminated or the server is stopping
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now: the server is starting or in recovery
	"57P05": true, // idle_session_timeout
}

// unavailable reports whether err means the database could not be reached
// or could not serve, as opposed to a statement it refused.
func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return len(pgErr.Code) >= 2 && (unavailableStates[pgErr.Code] || unavailableStates[pgErr.Code[:2]])
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return true
	}
	// database/sql does not export its closed-pool error.
	return strings.Contains(err.Error(), "sql: database is closed")
}
