// Package console is the web console where agents take calls and work
// tickets, supervisors watch queues and pull reports, and admins keep the
// desk running: server-rendered html/template pages (templates and static
// files in web/) with htmx for partial updates. It calls the same services
// the REST API calls (pkg/desk, the intake's Ingester, routing, the store),
// never the API itself.
package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Auth is the login check the console shares with the API
// (*httpapi.Server): the same field rules, throttling and hashing places.
type Auth interface {
	// LogIn returns the user when email and password are right.
	LogIn(r *http.Request, email, password string) (ticket.User, error)
	// Secure reports whether cookies sent in answer to r must be Secure.
	Secure(r *http.Request) bool
}

// Store is what the console reads and writes directly; the rest goes
// through the desk, the ingester and routing.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateSession(ctx context.Context, userID int64, token string, sess store.Session) error
	UserBySession(ctx context.Context, token string) (ticket.User, error)
	RevokeSessions(ctx context.Context, userID int64) error
	UpdateAgent(ctx context.Context, id int64, up store.AgentUpdate) (ticket.User, error)
	UserByID(ctx context.Context, id int64) (ticket.User, error)
	Agents(ctx context.Context) ([]ticket.User, error)
	Tickets(ctx context.Context, f store.TicketFilter) ([]ticket.Ticket, error)
	TicketByRef(ctx context.Context, ref string, forUpdate bool) (ticket.Ticket, error)
	ComplainantsByIdentity(ctx context.Context, ids ...ticket.Identity) ([]ticket.Complainant, error)
	SeeTicket(ctx context.Context, ticketID, userID int64) error
	LeaveTicket(ctx context.Context, ticketID, userID int64) error
	Viewers(ctx context.Context, ticketIDs []int64, since time.Time) ([]store.Viewer, error)
	SweepViewers(ctx context.Context, since time.Time) error
	VersionOf(ctx context.Context, ticketID int64) (store.TicketVersion, error)
	ListenQueued(ctx context.Context, fn func(store.TicketQueued)) error
}

// Ingester stores new complaints: the call form's tickets.
type Ingester interface {
	Ingest(ctx context.Context, in intake.Inbound) (intake.Result, error)
}

// Queues is what the console needs from routing (*routing.Router).
type Queues interface {
	Claim(ctx context.Context, caller ticket.User, queue string) (ticket.Ticket, bool, error)
	ReleaseUnstarted(ctx context.Context, agentID int64) (int, error)
}

// Config is what the console is built from.
type Config struct {
	Auth     Auth
	Store    Store
	Desk     *desk.Desk
	Ingester Ingester
	Queues   Queues
	// QueueNames are the queues routing knows, for agents who serve them all.
	QueueNames []string
	// CannedReplies are offered in the reply box (configs/canned-replies.yaml).
	CannedReplies []CannedReply
	Log           *slog.Logger
	Now           func() time.Time
	// SessionIdle ends a session left unused this long (default 30 min);
	// SessionMax ends it this long after login however busy (default 12 h).
	SessionIdle time.Duration
	SessionMax  time.Duration
	// Oversight builds the supervisors' and admins' pages.
	Oversight Oversight
}

// Console serves the console's pages.
type Console struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	pages  *pages
	feed   *feed
	engine *gin.Engine
	guard  *http.CrossOriginProtection
}

// New builds the console, its templates compiled.
func New(cfg Config) (*Console, error) {
	gin.SetMode(gin.ReleaseMode)
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.SessionMax <= 0 {
		cfg.SessionMax = 12 * time.Hour
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, log: cfg.Log, now: cfg.Now, pages: p, feed: newFeed(),
		guard: http.NewCrossOriginProtection()}
	c.engine = gin.New()
	c.engine.Use(c.recover, c.nonce)
	c.engine.NoRoute(func(g *gin.Context) { c.fail(g, ticket.Errorf(ticket.ENOTFOUND, "Halaman tidak ditemukan.")) })
	c.routes()
	return c, nil
}

// ServeHTTP serves a console request. Every state-changing request must
// come from the console's own origin (Sec-Fetch-Site or Origin), on top
// of the session cookie being SameSite=Strict.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := c.guard.Check(r); err != nil {
		http.Error(w, "Permintaan lintas situs ditolak. / Cross-origin request refused.", http.StatusForbidden)
		return
	}
	c.engine.ServeHTTP(w, r)
}

// Run keeps the console's shared state moving until ctx ends: word of new
// tickets from every process (PostgreSQL LISTEN) and the sweeping of
// viewers who left.
func (c *Console) Run(ctx context.Context) {
	go c.sweepViewers(ctx)
	c.listen(ctx)
}

func (c *Console) routes() {
	r := c.engine
	r.GET("/", c.home)
	r.HEAD("/", c.home)
	r.GET("/console/static/*path", c.static)
	r.POST("/console/masuk", c.login)

	a := r.Group("/console", c.authenticate)
	a.POST("/keluar", c.logout)
	a.POST("/kehadiran", c.setPresence)
	a.POST("/zona", c.setZone)
	a.GET("/peristiwa", c.events)

	a.GET("/antrean", c.queuePage)
	a.POST("/antrean/:queue/ambil", c.claim)

	a.GET("/panggilan", c.callPage)
	a.POST("/panggilan/periksa", c.checkCall)
	a.POST("/panggilan", c.saveCall)

	a.GET("/tiket/:ref", c.ticketPage)
	a.GET("/tiket/:ref/pembaca", c.viewersFragment)
	a.POST("/tiket/:ref/tutup", c.leaveTicket)
	a.POST("/tiket/:ref/balas", c.reply)
	a.POST("/tiket/:ref/catatan", c.note)
	a.POST("/tiket/:ref/ubah", c.update)
	a.POST("/tiket/:ref/pelapor/buka", c.revealNIK)
	a.GET("/tiket/:ref/pesan/:mid/isi", c.mailFrame)
	a.GET("/tiket/:ref/lampiran/:aid", c.attachment)
	a.POST("/tiket/:ref/gabung", c.merge)
	c.oversightRoutes(a)
}
