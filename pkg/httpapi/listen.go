package httpapi

import (
	"net/http"
	"time"
)

// ReadHeaderTimeout bounds how long a client may take to send a request's
// headers: a few kilobytes, seconds even on a slow mobile link, while a
// slowloris that trickles them is cut off.
const ReadHeaderTimeout = 10 * time.Second

// HTTPServer returns the http.Server to serve h (the API) with. It has no
// ReadTimeout or WriteTimeout of its own: one fixed time for a whole
// request is either too short for a slow link or long enough for a
// slowloris, so the API paces each body and sets each answer's write
// deadline itself (see Config.BodyGrace, MinBodyRate and WriteTimeout).
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10}
}
