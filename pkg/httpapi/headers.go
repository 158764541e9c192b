package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// Content-Security-Policy of each kind of response. None may be framed
// (clickjacking); none runs a script that is not a file of its own.
const (
	// apiCSP: JSON, YAML, metrics: nothing in them is ever to be run.
	apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	// pageCSP: Aduan's own pages; inline style only.
	pageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	// consoleCSP: the web console (pkg/console) before it writes a page:
	// static files, redirects, errors. Each page it renders replaces this
	// with its own policy, whose scripts must carry that response's nonce.
	consoleCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	// monitorCSP: the task monitor (asynqmon, a React app). Its styles are
	// injected at run time and its fonts come from Google Fonts; its two
	// inline scripts are allowed by their hashes (monitorPage).
	monitorCSP = "default-src 'self'; script-src 'self'%s; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; " +
		"font-src 'self' https://fonts.gstatic.com; img-src 'self' data:; connect-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

// secureHeaders sets, once for every response, what keeps a browser from
// misusing it: no MIME sniffing, no framing, a Content-Security-Policy
// for its kind, no referrer; and for the API, whose answers carry
// personal data (tickets, complainants, photos), no caching anywhere.
func (s *Server) secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	path := c.Request.URL.Path
	switch {
	case path == TaskMonitorPath || strings.HasPrefix(path, TaskMonitorPath+"/"):
		h.Set("Content-Security-Policy", strings.Replace(monitorCSP, "%s", "", 1))
		h.Set("Cache-Control", "no-store")
	case isConsolePath(path):
		// Its pages carry personal data: never kept by a cache.
		h.Set("Content-Security-Policy", consoleCSP)
		h.Set("Cache-Control", "no-store")
	case strings.HasPrefix(path, "/api/v1/"):
		h.Set("Content-Security-Policy", apiCSP)
		h.Set("Cache-Control", "no-store")
	case strings.HasPrefix(path, "/api/"), path == "/metrics", path == "/healthz", path == "/readyz":
		h.Set("Content-Security-Policy", apiCSP)
	default:
		h.Set("Content-Security-Policy", pageCSP)
	}
	c.Next()
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// monitorPage serves the task monitor, allowing the inline scripts of its
// HTML page by their sha256 in the page's Content-Security-Policy, so no
// other inline script can run there. Other responses pass through.
func monitorPage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pw := &pageWriter{ResponseWriter: w}
		next.ServeHTTP(pw, r)
		if !pw.page {
			return
		}
		ct := w.Header().Get("Content-Type")
		if ct == "" {
			ct = http.DetectContentType(pw.buf.Bytes()) // what net/http would have said
			w.Header().Set("Content-Type", ct)
		}
		if strings.HasPrefix(ct, "text/html") {
			var hashes strings.Builder
			for _, m := range inlineScript.FindAllSubmatch(pw.buf.Bytes(), -1) {
				sum := sha256.Sum256(m[1])
				hashes.WriteString(" 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'")
			}
			w.Header().Set("Content-Security-Policy", strings.Replace(monitorCSP, "%s", hashes.String(), 1))
		}
		w.WriteHeader(pw.status)
		_, _ = w.Write(pw.buf.Bytes())
	})
}

// pageWriter holds back a response that may be an HTML page (one with no
// Content-Type yet, which net/http would sniff, or text/html) until it is
// whole.
type pageWriter struct {
	http.ResponseWriter
	decided, page bool
	status        int
	buf           bytes.Buffer
}

func (w *pageWriter) WriteHeader(code int) {
	if w.decided {
		return
	}
	w.decided = true
	ct := w.Header().Get("Content-Type")
	w.page = code == http.StatusOK && (ct == "" || strings.HasPrefix(ct, "text/html"))
	if w.page {
		w.status = code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *pageWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.page {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the connection's writer.
func (w *pageWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
