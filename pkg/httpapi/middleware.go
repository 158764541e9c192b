package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aduan/aduan/pkg/ticket"
)

type requestIDKey struct{}

// RequestIDFrom returns the request id carried by ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

var cleanRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID gives every request an id, taken from X-Request-Id when the
// caller sent a sane one, returned in the response and put in the context
// so every log line about the request carries it.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if !cleanRequestID.MatchString(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Header("X-Request-Id", id)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey{}, id))
	c.Next()
}

func requestIDOf(c *gin.Context) string { return RequestIDFrom(c.Request.Context()) }

// recover turns a panic into a logged 500 in the error envelope.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.ErrorContext(c.Request.Context(), "panic", "panic", r, "route", c.FullPath())
			s.failStatus(c, http.StatusInternalServerError, ticket.Errorf(ticket.EINTERNAL, "internal"))
		}
	}()
	c.Next()
}

// observe logs and measures every request. It logs the route pattern, not
// the URL: query strings may carry a NIK or a phone number.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []any{"method", c.Request.Method, "route", route, "status", status, "duration_ms",
		float64(elapsed.Microseconds()) / 1000}
	if u, ok := c.Get(userKey); ok {
		attrs = append(attrs, "user_id", u.(ticket.User).ID)
	}
	s.log.Log(c.Request.Context(), level, "http request", attrs...)
}

// admit bounds the requests being worked at once. Past capacity a request
// waits a moment for a place, then is told to come back (503 with
// Retry-After): under overload the server keeps answering in time instead
// of queueing work whose callers have already given up. Requests without
// credentials (logins) have places of their own, fewer, so a crowd of
// anonymous callers cannot take the places of agents at work. Bodies are
// read before (readBody): a slow sender never holds a place.
func (s *Server) admit(c *gin.Context) {
	places := s.inflight
	if !hasCredentials(c.Request) {
		places = s.anonymous
	}
	select {
	case places <- struct{}{}:
	default:
		t := time.NewTimer(s.cfg.QueueWait)
		defer t.Stop()
		select {
		case places <- struct{}{}:
		case <-t.C:
			c.Header("Retry-After", "1")
			s.fail(c, ticket.Errorf(ticket.EUNAVAILABLE, "Server sedang sibuk, coba lagi sebentar. / Server busy, try again shortly."))
			return
		case <-c.Request.Context().Done():
			c.Abort()
			return
		}
	}
	s.metrics.inFlight.Inc()
	defer func() {
		s.metrics.inFlight.Dec()
		<-places
	}()
	c.Next()
}

// hasCredentials reports whether r carries a bearer token or a session
// cookie; whether they are good is for authenticate to say.
func hasCredentials(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	ck, err := r.Cookie(SessionCookie)
	return err == nil && ck.Value != ""
}

type metrics struct {
	registry       *prometheus.Registry
	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	ticketsCreated *prometheus.CounterVec
	bodiesReading  prometheus.Gauge
	inFlight       prometheus.Gauge
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aduan_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		ticketsCreated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_tickets_created_total", Help: "Tickets created, by channel.",
		}, []string{"channel"}),
		bodiesReading: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aduan_http_request_bodies_reading", Help: "Requests whose body is still arriving.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aduan_http_requests_in_flight", Help: "API requests holding a place (see MaxInFlight).",
		}),
	}
	m.requests = register(reg, m.requests)
	m.duration = register(reg, m.duration)
	m.ticketsCreated = register(reg, m.ticketsCreated)
	m.bodiesReading = register(reg, m.bodiesReading)
	m.inFlight = register(reg, m.inFlight)
	register(reg, collectors.NewGoCollector())
	register(reg, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// register adds c to reg, or returns the collector reg already has under
// the same name, so a second API on one registry counts into the same
// series instead of into ones nobody exports.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	var are prometheus.AlreadyRegisteredError
	if err := reg.Register(c); errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}

func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}
