package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/aduan/aduan/pkg/console"
	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/httpapi"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/routing"
	"github.com/aduan/aduan/pkg/sla"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/tasks"
)

// App holds Aduan's parts, built from one Config.
type App struct {
	Config   Config
	Log      *slog.Logger
	Store    *store.Store
	Redis    *redis.Client
	Blobs    *store.Blobs
	Ingester *intake.Ingester
	Desk     *desk.Desk
	Rules    Rules
	Router   *routing.Router
	Reports  sla.Reports // the weekly report, compliance by pkg/sla's rule
	Registry *prometheus.Registry

	mailMetrics *mailMetrics
}

// mailMetrics counts what the pollers did with each mail.
type mailMetrics struct{ mails *prometheus.CounterVec }

func newMailMetrics(reg *prometheus.Registry) *mailMetrics {
	m := &mailMetrics{mails: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aduan_mail_taken_total",
		Help: "Mails read from the complaint mailboxes, by outcome (ticket, threaded, duplicate, ignored, failed, quarantined).",
	}, []string{"outcome"})}
	reg.MustRegister(m.mails)
	return m
}

func (m *mailMetrics) count(outcome string) { m.mails.WithLabelValues(outcome).Inc() }

// NewLogger returns the JSON logger every part shares; each line about a
// request carries its request id.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(requestIDHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})})
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := httpapi.RequestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// New connects to PostgreSQL and Redis and builds the parts on them.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{MaxOpenConns: cfg.MaxDBConns})
	if err != nil {
		return nil, err
	}
	ropts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	blobs, err := store.NewBlobs(cfg.DataDir)
	if err != nil {
		st.Close()
		return nil, err
	}
	log.Debug("blob store", "dir", cfg.DataDir, "direct_io", blobs.Direct())
	rules, err := LoadRules(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	router := routing.NewRouter(st, rules.Routing)
	reg := prometheus.NewRegistry()
	reg.MustRegister(routing.NewQueueMetrics(st, rules.Routing, log), tasks.NewOutboxMetrics(st, log), sla.NewMetrics(st, log))
	return &App{Config: cfg, Log: log, Store: st, Redis: redis.NewClient(ropts), Blobs: blobs,
		Ingester: intake.NewIngester(st, log), Desk: desk.New(st, blobs), Rules: rules, Router: router,
		Reports: sla.Reports{Store: st}, Registry: reg, mailMetrics: newMailMetrics(reg)}, nil
}

// Close releases the connections.
func (a *App) Close() error {
	return errors.Join(a.Redis.Close(), a.Store.Close())
}

// Handler returns the HTTP API with the web console.
func (a *App) Handler() *httpapi.Server {
	api, _ := a.handlers()
	return api
}

// handlers returns the HTTP API and the web console it serves; the
// console's templates are compiled into the binary, so it cannot fail to
// build at run time without failing its tests first.
func (a *App) handlers() (*httpapi.Server, *console.Console) {
	api := a.api()
	con, err := a.mountConsole(api)
	if err != nil {
		panic(err)
	}
	return api, con
}

func (a *App) api() *httpapi.Server {
	return httpapi.New(httpapi.Config{
		Users:    a.Store,
		Tickets:  a.Store,
		Ingester: a.Ingester,
		Desk:     a.Desk,
		Mail:     a.Store,
		Queues:   a.Router,
		Reports:  a.Reports,
		Log:      a.Log,
		Registry: a.Registry,
		TokenTTL: a.Config.TokenTTL,
		Logins:   a.Store,
		// Behind a proxy, clients are told apart by what it forwards.
		TrustedProxies: a.Config.TrustedProxies,
		SecureCookies:  a.Config.SecureCookies,
		MaxHashing:     a.Config.LoginHashing,
		WhatsApp: httpapi.WhatsApp{AppSecret: a.Config.WhatsApp.AppSecret,
			VerifyToken: a.Config.WhatsApp.VerifyToken, Webhooks: a.Store},
		Checks: []httpapi.Check{
			{Name: "postgres", Ping: a.Store.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return a.Redis.Ping(ctx).Err() }},
		},
		TaskMonitor: tasks.NewMonitor(a.Redis, httpapi.TaskMonitorPath),
	})
}

// Serve runs the HTTP server until ctx ends, then drains requests in flight.
// ready, when not nil, receives the address once the server listens.
func (a *App) Serve(ctx context.Context, ready chan<- string) error {
	ln, err := net.Listen("tcp", a.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Config.HTTPAddr, err)
	}
	api, con := a.handlers()
	go api.SweepLoginsEvery(ctx, time.Minute)
	go con.Run(ctx)
	srv := httpapi.HTTPServer(api)
	a.Log.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	return nil
}
