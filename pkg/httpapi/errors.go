package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/store"
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

// fail writes err as the error envelope. Errors without a code are logged
// here, once, with the request id, and never shown to the client.
func (s *Server) fail(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client went away; nobody is left to answer, and nothing broke.
		s.log.InfoContext(c.Request.Context(), "client gone before the answer", "route", c.FullPath())
		c.AbortWithStatus(499)
		return
	}
	if unavailable(err) {
		err = &ticket.Error{Code: ticket.EUNAVAILABLE, Message: "Layanan sedang tidak tersedia, coba lagi. / Service unavailable, try again."}
	}
	s.failStatus(c, ticket.HTTPStatus(ticket.ErrorCode(err)), err)
}

func (s *Server) failStatus(c *gin.Context, status int, err error) {
	if status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		// Every "come back later" says when.
		c.Header("Retry-After", retryAfter)
	}
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

// retryAfter is the Retry-After, in seconds, of a 503.
const retryAfter = "2"

// unavailable reports whether err means a dependency could not be reached,
// so the client is told to retry rather than that something broke. The
// store classifies its own errors; the rest are network failures (Redis,
// the blob store) and deadlines.
func unavailable(err error) bool {
	var netErr net.Error
	return errors.Is(err, store.ErrUnavailable) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

// decodeJSON reads one JSON object into dst, rejecting unknown fields,
// trailing data, bodies over the limit and strings holding a NUL byte or
// invalid UTF-8, each with a clear message that names the field by its
// JSON path (e.g. complainant.nama).
func decodeJSON(c *gin.Context, dst any) error {
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errTooLarge(tooLarge.Limit)
	} else if err != nil {
		return ticket.Errorf(ticket.EMALFORMED, "Isi permintaan tidak terbaca. / Could not read the body.")
	}
	if field := badJSONText(body); field != "" {
		return &ticket.Error{Code: ticket.EMALFORMED,
			Message: "Ada teks berisi byte NUL atau UTF-8 tidak valid. / A string carries a NUL byte or invalid UTF-8.",
			Fields:  map[string]string{field: badTextMessage}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return ticket.Errorf(ticket.EMALFORMED, "Isi permintaan kosong; kirim JSON. / Empty body; send a JSON object.")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return ticket.Errorf(ticket.EMALFORMED, "JSON tidak valid. / Malformed JSON.")
	case errors.As(err, &typeErr):
		return &ticket.Error{Code: ticket.EMALFORMED, Message: "Tipe data salah. / Wrong JSON type.",
			Fields: map[string]string{typeErr.Field: fmt.Sprintf("harus berupa %s", typeErr.Type.String())}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		var doc any
		_ = json.Unmarshal(body, &doc)
		field := unknownField(doc, reflect.TypeOf(dst), "")
		if field == "" {
			field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		}
		return &ticket.Error{Code: ticket.EMALFORMED, Message: "Ada field yang tidak dikenal. / Unknown field.",
			Fields: map[string]string{field: "field tidak dikenal"}}
	}
	return ticket.Errorf(ticket.EMALFORMED, "JSON tidak valid. / Malformed JSON.")
}

// unknownField returns the JSON path of the first key in doc that the Go
// type t has no field for, matching names as encoding/json does.
func unknownField(doc any, t reflect.Type, prefix string) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	obj, ok := doc.(map[string]any)
	if !ok || t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ft, ok := jsonField(t, k)
		if !ok {
			return prefix + k
		}
		if path := unknownField(obj[k], ft, prefix+k+"."); path != "" {
			return path
		}
	}
	return ""
}

func jsonField(t reflect.Type, key string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if name != "-" && strings.EqualFold(name, key) {
			return f.Type, true
		}
	}
	return nil, false
}
