package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

// badTextMessage is what a field holding a NUL byte or invalid UTF-8 is told.
const badTextMessage = "berisi byte NUL atau UTF-8 tidak valid"

// cleanText reports whether s may reach the rest of Aduan: PostgreSQL
// refuses NUL in text, and every layer assumes UTF-8.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// checkText refuses, for every route, a path, query parameter or header
// that carries a NUL byte or invalid UTF-8: the client's error (400 naming
// it), checked once here so no handler, log line or statement sees it.
// JSON bodies are checked where they are decoded (decodeJSON), which knows
// each string's path.
func (s *Server) checkText(c *gin.Context) {
	field := badQuery(c.Request.URL.RawQuery)
	if !cleanText(c.Request.URL.Path) {
		field = "path"
	} else if field == "" {
		field = badHeader(c.Request.Header)
	}
	if field != "" {
		s.fail(c, &ticket.Error{Code: ticket.EMALFORMED,
			Message: "Permintaan berisi byte NUL atau UTF-8 tidak valid. / The request carries a NUL byte or invalid UTF-8.",
			Fields:  map[string]string{field: badTextMessage}})
		return
	}
	c.Next()
}

// badQuery names the first query parameter whose name or value is not
// clean text, or "". A name that is not clean itself is reported as
// "query".
func badQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, _ := url.ParseQuery(raw) // a pair that does not parse is dropped, here as in handlers
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !cleanText(k) {
			return "query"
		}
		for _, v := range q[k] {
			if !cleanText(v) {
				return k
			}
		}
	}
	return ""
}

// badHeader names the first header (in name order) whose value is not
// clean text, or "". net/http refuses NUL in headers on the wire, but
// not bytes past 0x7f, and handlers called directly see anything.
func badHeader(h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !cleanText(k) {
			return "header"
		}
		for _, v := range h[k] {
			if !cleanText(v) {
				return k
			}
		}
	}
	return ""
}

// badJSONText returns the JSON path (e.g. complainant.name, queues.1) of
// the first key or string value in body that holds a NUL (\u0000) or
// invalid UTF-8, which encoding/json would pass on or silently replace;
// "body" for a bare string; "" when there is none or body is not
// well-formed JSON (decoding then says so).
func badJSONText(body []byte) string {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u0000`)) {
		return "" // the common case, without walking the document
	}
	type frame struct {
		object  bool
		key     string
		index   int
		wantKey bool
	}
	var stack []frame
	path := func() string {
		parts := make([]string, 0, len(stack)+1)
		for _, f := range stack {
			if f.object {
				parts = append(parts, f.key)
			} else {
				parts = append(parts, strconv.Itoa(f.index))
			}
		}
		if len(parts) == 0 {
			return "body"
		}
		return strings.Join(parts, ".")
	}
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		end := dec.InputOffset()
		raw := body[prev:end]
		prev = end
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, frame{object: v == '{', wantKey: v == '{'})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			bad := !utf8.Valid(raw) || strings.ContainsRune(v, 0)
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				// A key is named as decoded, its NUL bytes shown as U+FFFD.
				stack[n-1].key, stack[n-1].wantKey = strings.ReplaceAll(v, "\x00", "\uFFFD"), false
				if bad {
					return path()
				}
				continue
			}
			if bad {
				return path()
			}
			valueDone()
		default:
			valueDone()
		}
	}
}
