// Package httpapi is Aduan's REST API. It is the only package that imports
// gin: routes, authentication, request and response shapes, and the one
// place where errors become HTTP statuses.
package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan/aduan/api"
	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// TaskMonitorPath is where admins find the task queue's web UI.
const TaskMonitorPath = "/admin/tasks"

// MaxJSONBody bounds a JSON request body.
const MaxJSONBody = 1 << 20

// Users is what the API needs to know who is calling.
type Users interface {
	UserByEmail(ctx context.Context, email string) (ticket.User, string, error)
	UserByID(ctx context.Context, id int64) (ticket.User, error)
	UserByToken(ctx context.Context, token string) (ticket.User, error)
	CreateToken(ctx context.Context, userID int64, token string, expires time.Time) error
	RevokeToken(ctx context.Context, token string) error
	Agents(ctx context.Context) ([]ticket.User, error)
	UpdateAgent(ctx context.Context, id int64, up store.AgentUpdate) (ticket.User, error)
	DisableUser(ctx context.Context, id, actorID int64, reason string) (ticket.User, error)
}

// TicketLister lists tickets for the queue views.
type TicketLister interface {
	Tickets(ctx context.Context, f store.TicketFilter) ([]ticket.Ticket, error)
}

// Ingester stores new complaints.
type Ingester interface {
	Ingest(ctx context.Context, in intake.Inbound) (intake.Result, error)
}

// Check is one dependency /readyz asks about.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Config is what the API is built from.
type Config struct {
	Users    Users
	Tickets  TicketLister
	Ingester Ingester
	Desk     *desk.Desk
	Mail     MailLists
	Queues   Queues // routing; when nil, claims answer 503 and going offline releases nothing
	// Reports holds the weekly report's rollups; when nil, reports answer 503.
	Reports  Reports
	Checks   []Check
	Log      *slog.Logger
	Registry *prometheus.Registry // metrics are registered here and served on /metrics
	// TaskMonitor is the task queue's web UI (asynqmon), served to admins
	// under TaskMonitorPath; nil leaves it out.
	TaskMonitor http.Handler
	TokenTTL    time.Duration
	Now         func() time.Time // defaults to time.Now
	// MaxInFlight bounds API requests worked at once (default 256), and
	// MaxAnonymousInFlight those without credentials, i.e. logins (default
	// a quarter of MaxInFlight), in places of their own; QueueWait is how
	// long one waits for a place before a 503 (default 1s).
	MaxInFlight          int
	MaxAnonymousInFlight int
	QueueWait            time.Duration
	// A request body must start within BodyGrace (default 10s) and then
	// keep up with MinBodyRate bytes a second on average (default 1024);
	// once it is in, the answer must be written within WriteTimeout
	// (default 60s).
	BodyGrace    time.Duration
	MinBodyRate  int
	WriteTimeout time.Duration
	// Logins keeps login throttling (see Logins); nil takes it from Users
	// when Users has it, else logins are not throttled.
	Logins      Logins
	LoginPolicy LoginPolicy // zero: DefaultLoginPolicy
	// MaxHashing bounds password hashes at once (default 2 per CPU);
	// HashWait is how long a login waits for a place (default 2s).
	MaxHashing int
	HashWait   time.Duration
	// TrustedProxies are the addresses or CIDR ranges whose
	// X-Forwarded-For and X-Forwarded-Proto are believed.
	TrustedProxies []string
	// SecureCookies marks the session cookie Secure whatever the request
	// says, for a TLS-terminating proxy that does not send X-Forwarded-Proto.
	SecureCookies bool
	// WhatsApp is the Meta Cloud API webhook's configuration.
	WhatsApp WhatsApp
}

// Server serves the API.
type Server struct {
	cfg       Config
	log       *slog.Logger
	now       func() time.Time
	metrics   *metrics
	logins    loginState
	inflight  chan struct{}
	anonymous chan struct{}
	engine    *gin.Engine
}

// New builds the API's routes.
func New(cfg Config) *Server {
	gin.SetMode(gin.ReleaseMode)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 256
	}
	if cfg.MaxAnonymousInFlight <= 0 {
		cfg.MaxAnonymousInFlight = max(1, cfg.MaxInFlight/4)
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = time.Second
	}
	if cfg.BodyGrace <= 0 {
		cfg.BodyGrace = DefaultBodyGrace
	}
	if cfg.MinBodyRate <= 0 {
		cfg.MinBodyRate = DefaultMinBodyRate
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	s := &Server{cfg: cfg, log: cfg.Log, now: cfg.Now, metrics: newMetrics(cfg.Registry),
		inflight: make(chan struct{}, cfg.MaxInFlight), anonymous: make(chan struct{}, cfg.MaxAnonymousInFlight)}
	s.setUpLogins()
	s.engine = gin.New()
	s.trustProxies()
	s.engine.HandleMethodNotAllowed = true
	s.engine.Use(s.requestID, s.secureHeaders, s.recover, s.observe, s.checkText, s.readBody)
	s.engine.NoRoute(func(c *gin.Context) {
		s.fail(c, ticket.Errorf(ticket.ENOTFOUND, "Alamat tidak ditemukan. / No such route."))
	})
	s.engine.NoMethod(func(c *gin.Context) {
		s.failStatus(c, http.StatusMethodNotAllowed, ticket.Errorf(ticket.EMALFORMED, "Metode tidak didukung. / Method not allowed."))
	})
	s.routes()
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

func (s *Server) routes() {
	r := s.engine
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", s.metricsHandler())
	r.GET(WhatsAppWebhookPath, s.verifyWhatsApp)
	r.POST(WhatsAppWebhookPath, s.receiveWhatsApp)
	r.GET("/api/openapi.yaml", func(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", api.OpenAPI) })

	if s.cfg.TaskMonitor != nil {
		mon := r.Group(TaskMonitorPath, s.authenticate, s.require(ticket.RoleAdmin))
		monitor := gin.WrapH(monitorPage(s.cfg.TaskMonitor))
		mon.Any("", monitor)
		mon.Any("/*path", monitor)
	}

	api := r.Group("/api/v1", s.admit)
	api.POST("/auth/login", s.login)

	authed := api.Group("", s.authenticate)
	authed.POST("/auth/logout", s.logout)
	authed.GET("/me", s.me)

	authed.POST("/tickets", s.createTicket)
	authed.GET("/tickets", s.listTickets)
	authed.GET("/tickets/:ref", s.getTicket)
	authed.PATCH("/tickets/:ref", s.patchTicket)
	authed.POST("/tickets/:ref/messages", s.addMessage)
	authed.GET("/tickets/:ref/attachments/:aid", s.downloadAttachment)
	authed.POST("/tickets/:ref/messages/:mid/reveal", s.revealMessage)

	authed.GET("/complainants", s.findComplainants)
	authed.POST("/complainants/:id/reveal", s.revealNIK)
	authed.GET("/reveal-reasons", s.revealReasons)

	authed.PUT("/agents/me/presence", s.setPresence)
	authed.POST("/queues/:queue/claim", s.claimTicket)
	supervisors := authed.Group("", s.require(ticket.RoleSupervisor))
	supervisors.GET("/agents", s.listAgents)
	supervisors.PATCH("/agents/:id", s.patchAgent)
	supervisors.GET("/reports/weekly", s.weeklyReport)

	admins := authed.Group("", s.require(ticket.RoleAdmin))
	admins.PUT("/tickets/:ref/hold", s.setHold)
	admins.DELETE("/tickets/:ref/hold", s.clearHold)
	admins.GET("/mail/ignored", s.listIgnoredMail)
	admins.GET("/mail/quarantine", s.listQuarantinedMail)
	admins.POST("/users/:id/disable", s.disableUser)
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only when every dependency answers, so a load
// balancer stops sending work to an instance that cannot do it. It is
// public: it says which dependency is down, never how to reach it (an
// error's text carries addresses, users and database names); the cause
// goes to the log.
func (s *Server) readyz(c *gin.Context) {
	status, code := "ok", http.StatusOK
	checks := map[string]string{}
	for _, ch := range s.cfg.Checks {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		err := ch.Ping(ctx)
		cancel()
		if err != nil {
			s.log.WarnContext(c.Request.Context(), "dependency unavailable", "check", ch.Name, "err", err)
			checks[ch.Name] = "unavailable"
			status, code = "unavailable", http.StatusServiceUnavailable
			continue
		}
		checks[ch.Name] = "ok"
	}
	if code == http.StatusServiceUnavailable {
		c.Header("Retry-After", retryAfter)
	}
	c.JSON(code, gin.H{"status": status, "checks": checks})
}
