package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

// Defaults for reading request bodies; see Config.
const (
	DefaultBodyGrace    = 10 * time.Second
	DefaultMinBodyRate  = 1024 // bytes per second: a poor GPRS link still makes it
	DefaultWriteTimeout = 60 * time.Second
)

// readBody reads the whole request body, bounded by MaxJSONBody, before
// the request may take a place among those being worked (admit): a client
// that sends its body slowly, or never, holds a socket and a goroutine but
// no place, so it cannot lock others out.
//
// The body must keep coming: after a grace period it must arrive at least
// at MinBodyRate on average, which a slow mobile link does and a slowloris
// does not. The read deadline follows the bytes received; once the body
// is in, the response gets its own write deadline.
func (s *Server) readBody(c *gin.Context) {
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetWriteDeadline(time.Time{}) // a kept-alive connection's last answer set one
	r := c.Request
	if r.ContentLength > MaxJSONBody {
		c.Header("Connection", "close")
		s.fail(c, errTooLarge(MaxJSONBody))
		return
	}
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength > 0 || r.ContentLength == -1) {
		s.metrics.bodiesReading.Inc()
		body, err := s.readAllPaced(rc, http.MaxBytesReader(c.Writer, r.Body, MaxJSONBody))
		s.metrics.bodiesReading.Dec()
		if err != nil {
			// net/http reads what is left of a body before it closes the
			// connection: a deadline already past keeps that from waiting.
			_ = rc.SetReadDeadline(time.Now())
		} else {
			_ = rc.SetReadDeadline(time.Time{})
		}
		var tooLarge *http.MaxBytesError
		var netErr net.Error
		switch {
		case errors.As(err, &tooLarge):
			s.fail(c, errTooLarge(tooLarge.Limit))
			return
		case errors.As(err, &netErr) && netErr.Timeout():
			s.log.InfoContext(r.Context(), "request body too slow", "route", c.FullPath(), "received", len(body))
			c.Header("Connection", "close")
			s.failStatus(c, http.StatusRequestTimeout, ticket.Errorf(ticket.EMALFORMED,
				"Isi permintaan terlalu lambat dikirim. / The request body arrived too slowly."))
			return
		case err != nil:
			// The client went away or sent a broken chunked body.
			c.Header("Connection", "close")
			s.failStatus(c, http.StatusBadRequest, ticket.Errorf(ticket.EMALFORMED, "Isi permintaan tidak terbaca. / Could not read the body."))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	c.Next()
}

// errTooLarge is the error of a body over limit bytes.
func errTooLarge(limit int64) error {
	return ticket.Errorf(ticket.ETOOLARGE, "Permintaan terlalu besar (maksimal %d byte). / Request body too large.", limit)
}

// readAllPaced reads body to its end, moving the connection's read
// deadline so that after BodyGrace the bytes must keep up with MinBodyRate.
// Where the writer has no deadlines (a handler called directly, in tests),
// it reads without them.
func (s *Server) readAllPaced(rc *http.ResponseController, body io.Reader) ([]byte, error) {
	start := time.Now() // deadlines are wall-clock, whatever the API's clock says
	var buf bytes.Buffer
	chunk := make([]byte, 32<<10)
	for {
		allowed := s.cfg.BodyGrace + time.Duration(buf.Len())*time.Second/time.Duration(s.cfg.MinBodyRate)
		_ = rc.SetReadDeadline(start.Add(allowed))
		n, err := body.Read(chunk)
		buf.Write(chunk[:n])
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), nil
		} else if err != nil {
			return buf.Bytes(), err
		}
	}
}
