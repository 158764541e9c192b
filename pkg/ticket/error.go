// Package ticket holds Aduan's domain: tickets, complainants, messages,
// attachments, their statuses and the rules a value must meet before it is
// stored. It imports nothing but the standard library.
package ticket

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes. Each names a kind of failure a caller can act on;
// HTTPStatus maps them to status codes, for the API and the console alike.
const (
	EINVALID      = "invalid"      // fields failed validation (422)
	EMALFORMED    = "malformed"    // the request could not be read (400)
	ENOTFOUND     = "not_found"    // no such thing (404)
	ECONFLICT     = "conflict"     // state forbids it, or a duplicate (409)
	EUNAUTHORIZED = "unauthorized" // not logged in (401)
	EFORBIDDEN    = "forbidden"    // logged in, not allowed (403)
	ETOOLARGE     = "too_large"    // body over the limit (413)
	ERATELIMIT    = "rate_limited" // too many requests (429)
	EUNAVAILABLE  = "unavailable"  // a dependency is down (503)
	EINTERNAL     = "internal"     // a bug or an unexpected failure (500)
)

// HTTPStatus is the one place where an error code becomes an HTTP status.
func HTTPStatus(code string) int {
	switch code {
	case EINVALID:
		return http.StatusUnprocessableEntity
	case EMALFORMED:
		return http.StatusBadRequest
	case ENOTFOUND:
		return http.StatusNotFound
	case ECONFLICT:
		return http.StatusConflict
	case EUNAUTHORIZED:
		return http.StatusUnauthorized
	case EFORBIDDEN:
		return http.StatusForbidden
	case ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case ERATELIMIT:
		return http.StatusTooManyRequests
	case EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Error is the one error type that crosses package boundaries with a code.
// Message is safe to show to a user; Fields names each rejected field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error renders the code, message and fields, for logs; users see Message.
func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors without one and
// "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; errors without a code
// get a generic one so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Terjadi kesalahan internal. / Internal error."
}

// FieldErrors collects per-field validation messages and becomes an EINVALID
// *Error when any were added.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when no field failed, otherwise an EINVALID *Error.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Data tidak valid. / Some fields are invalid.", Fields: map[string]string(f)}
}
