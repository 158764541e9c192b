package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aduan/aduan/pkg/ticket"
)

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id"`
}

// statusOf is the one place where an error code becomes an HTTP status.
func statusOf(code string) int {
	switch code {
	case ticket.EINVALID:
		return http.StatusUnprocessableEntity
	case ticket.EMALFORMED:
		return http.StatusBadRequest
	case ticket.ENOTFOUND:
		return http.StatusNotFound
	case ticket.ECONFLICT:
		return http.StatusConflict
	case ticket.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case ticket.EFORBIDDEN:
		return http.StatusForbidden
	case ticket.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case ticket.ERATELIMIT:
		return http.StatusTooManyRequests
	case ticket.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail writes err as the error envelope. Errors without a code are logged
// here, once, with the request id, and never shown to the client.
func (s *Server) fail(c *gin.Context, err error) {
	if unavailable(err) {
		err = &ticket.Error{Code: ticket.EUNAVAILABLE, Message: "Layanan sedang tidak tersedia, coba lagi. / Service unavailable, try again."}
	}
	s.failStatus(c, statusOf(ticket.ErrorCode(err)), err)
}

func (s *Server) failStatus(c *gin.Context, status int, err error) {
	code := ticket.ErrorCode(err)
	if code == ticket.EINTERNAL || code == ticket.EUNAVAILABLE {
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err, "route", c.FullPath())
	}
	var fields map[string]string
	var e *ticket.Error
	if errors.As(err, &e) {
		fields = e.Fields
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorJSON{Code: code, Message: ticket.ErrorMessage(err),
		Fields: fields, RequestID: requestIDOf(c)}})
}

// unavailable reports whether err means a dependency could not be reached,
// so the client is told to retry rather than that something broke.
func unavailable(err error) bool {
	var netErr net.Error
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

// decodeJSON reads one JSON object into dst, rejecting unknown fields,
// trailing data and bodies over the limit, each with a clear message.
func decodeJSON(c *gin.Context, dst any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var tooLarge *http.MaxBytesError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return ticket.Errorf(ticket.ETOOLARGE, "Permintaan terlalu besar (maksimal %d byte). / Request body too large.", tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return ticket.Errorf(ticket.EMALFORMED, "Isi permintaan kosong; kirim JSON. / Empty body; send a JSON object.")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return ticket.Errorf(ticket.EMALFORMED, "JSON tidak valid. / Malformed JSON.")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		return &ticket.Error{Code: ticket.EMALFORMED, Message: "Tipe data salah. / Wrong JSON type.",
			Fields: map[string]string{field: fmt.Sprintf("harus berupa %s", typeErr.Type.String())}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &ticket.Error{Code: ticket.EMALFORMED, Message: "Ada field yang tidak dikenal. / Unknown field.",
			Fields: map[string]string{field: "field tidak dikenal"}}
	}
	return ticket.Errorf(ticket.EMALFORMED, "JSON tidak valid. / Malformed JSON.")
}
