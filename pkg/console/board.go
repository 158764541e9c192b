package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/desk"
	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// Oversight is what the supervisors' pages (Laporan: the live board, the
// weekly report and its exports) and the admins' pages (Admin) are built
// from: the same services the API and the workers use.
type Oversight struct {
	// Reports reads a week's report from the rollups and rolls up a week
	// that never was: sla.Reports, as GET /api/v1/reports/weekly uses.
	Reports WeeklyReports
	// Exports yields a week's tickets one at a time (*store.Store).
	Exports WeekExporter
	// Board reads the live board (*store.Store).
	Board BoardReader
	// Users keeps the users (*store.Store).
	Users UserAdmin
	// AddUser validates and stores a new user with a hashed password, as
	// `aduan user add` does.
	AddUser func(ctx context.Context, u NewUser) (ticket.User, error)
	// Mail lists the mail that opened no ticket (*store.Store); Release
	// takes it in on an admin's word (*email.Release).
	Mail    MailLists
	Release MailRelease
	// RuleFiles are the routing rules and SLA policies as configured,
	// shown read-only.
	RuleFiles []RuleFile
	// TaskMonitor is where the task queue's monitor is served
	// (httpapi.TaskMonitorPath); "" when it is not.
	TaskMonitor string
}

// WeeklyReports is the weekly report's source (sla.Reports).
type WeeklyReports interface {
	WeeklyReport(ctx context.Context, w store.Week) (store.WeeklyReport, error)
	RollupWeek(ctx context.Context, w store.Week) error
}

// BoardReader reads the live board (store.Store.Board).
type BoardReader interface {
	Board(ctx context.Context, now, today time.Time) (store.Board, error)
}

// UserAdmin is what the admins' user page changes.
type UserAdmin interface {
	Users(ctx context.Context) ([]ticket.User, error)
	UserByID(ctx context.Context, id int64) (ticket.User, error)
	UpdateAgent(ctx context.Context, id int64, up store.AgentUpdate) (ticket.User, error)
	DisableUser(ctx context.Context, id, actorID int64, reason string) (ticket.User, error)
	EnableUser(ctx context.Context, id, actorID int64, reason string) (ticket.User, error)
}

// MailLists lists quarantined and ignored mail, newest first.
type MailLists interface {
	QuarantinedMails(ctx context.Context, beforeID int64, limit int) ([]store.QuarantinedMail, error)
	IgnoredMails(ctx context.Context, beforeID int64, limit int) ([]store.IgnoredMail, error)
}

// MailRelease takes in mail that opened no ticket (*email.Release).
type MailRelease interface {
	RetryQuarantined(ctx context.Context, id, actorID int64) (intake.Result, error)
	ReleaseIgnored(ctx context.Context, id, actorID int64) (intake.Result, error)
}

// NewUser is the admin's form for a new user.
type NewUser struct {
	Email, Name, Password string
	Role                  ticket.Role
	Queues                []string
	Capacity              int
}

// RuleFile is one rule file as configured: its name and where it was
// read from, and its text.
type RuleFile struct {
	Title, Source, Text string
}

// oversightRoutes adds the supervisors' and admins' pages under /console.
func (c *Console) oversightRoutes(a *gin.RouterGroup) {
	s := a.Group("/laporan", c.Require(ticket.RoleSupervisor), c.oversightReady)
	s.GET("", c.boardPage)
	s.POST("/tugaskan", c.reassign)
	s.GET("/mingguan", c.reportPage)
	s.GET("/unduh/:file", c.reportDownload)

	ad := a.Group("/admin", c.Require(ticket.RoleAdmin), c.oversightReady)
	ad.GET("", c.adminUsers)
	ad.POST("/pengguna", c.addUser)
	ad.POST("/pengguna/:id/antrean", c.updateAgent)
	ad.POST("/pengguna/:id/nonaktifkan", c.disableUser)
	ad.POST("/pengguna/:id/aktifkan", c.enableUser)
	ad.GET("/aturan", c.adminRules)
	ad.GET("/email", c.adminMail)
	ad.POST("/email/karantina/:id/ulang", c.retryQuarantined)
	ad.POST("/email/diabaikan/:id/buka", c.releaseIgnored)
}

// oversightReady answers 503 when the console was built without its
// oversight services (a test's bare Config), instead of failing deeper.
func (c *Console) oversightReady(g *gin.Context) {
	o := c.cfg.Oversight
	if o.Reports == nil || o.Exports == nil || o.Board == nil || o.Users == nil || o.AddUser == nil ||
		o.Mail == nil || o.Release == nil {
		c.fail(g, ticket.Errorf(ticket.EUNAVAILABLE, "Laporan dan Admin belum tersedia di server ini."))
		return
	}
	g.Next()
}

// boardQueue is a queue's row on the board.
type boardQueue struct {
	store.QueueOnBoard
	OldestWait string // how long the oldest waits, e.g. "2 j 05 mnt"; "" when none
}

type boardView struct {
	Queues   []boardQueue
	Agents   []store.AgentOnBoard
	Choices  []ticket.User // who a ticket may be given to: enabled agents and supervisors
	Assigned string        // the notice after a reassignment
	Number   string        // the ticket number typed, kept when the form failed
	Agent    int64
	Error    string
	Read     time.Time
}

// boardRefresh is how often the board asks for fresh figures.
const boardRefresh = 15 * time.Second

// boardPage is Laporan's live board: per queue the waiting work, the
// oldest wait, SLA breaches and warnings; per agent their presence, open
// tickets and tickets handled today. It polls itself every boardRefresh
// (htmx), so a supervisor leaves it open on a wall screen.
func (c *Console) boardPage(g *gin.Context) {
	v, err := c.boardData(g.Request.Context())
	if err != nil {
		c.fail(g, err)
		return
	}
	if n := g.Query("ditugaskan"); n != "" {
		v.Assigned = "Tiket " + n + " sudah ditugaskan ke " + g.Query("kepada") + "."
	}
	if g.Query("bagian") == "papan" {
		c.fragment(g, http.StatusOK, "board", "papan", v)
		return
	}
	c.render(g, http.StatusOK, "board", "Papan Pantau", "laporan", v)
}

func (c *Console) boardData(ctx context.Context) (boardView, error) {
	now := c.now()
	day := now.In(ticket.Jakarta)
	today := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, ticket.Jakarta)
	b, err := c.cfg.Oversight.Board.Board(ctx, now, today)
	if err != nil {
		return boardView{}, err
	}
	v := boardView{Agents: b.Agents, Read: now}
	for _, q := range b.Queues {
		row := boardQueue{QueueOnBoard: q}
		if q.OldestWaiting != nil {
			row.OldestWait = duration(now.Sub(*q.OldestWaiting))
		}
		v.Queues = append(v.Queues, row)
	}
	for _, a := range b.Agents {
		v.Choices = append(v.Choices, a.User)
	}
	return v, nil
}

// reassign gives a ticket to another agent: the desk's Update, as PATCH
// /api/v1/tickets/{id} with assignee_id, so the same checks and events
// apply (a disabled or unknown agent is refused).
func (c *Console) reassign(g *gin.Context) {
	number := strings.TrimSpace(g.PostForm("nomor"))
	agent, _ := strconv.ParseInt(g.PostForm("agen"), 10, 64)
	fail := func(msg string) {
		v, err := c.boardData(g.Request.Context())
		if err != nil {
			c.fail(g, err)
			return
		}
		v.Number, v.Agent, v.Error = number, agent, msg
		c.render(g, http.StatusUnprocessableEntity, "board", "Papan Pantau", "laporan", v)
	}
	switch {
	case number == "":
		fail("Isi nomor tiket.")
		return
	case agent <= 0:
		fail("Pilih agen.")
		return
	}
	t, err := c.cfg.Desk.Update(g.Request.Context(), me(g), number, desk.Patch{Assign: true, AssigneeID: &agent})
	if err != nil {
		if code := ticket.ErrorCode(err); code == ticket.EINTERNAL || code == ticket.EUNAVAILABLE {
			c.fail(g, err)
			return
		}
		fail(indonesian(ticket.ErrorMessage(err)))
		return
	}
	to, err := c.cfg.Oversight.Users.UserByID(g.Request.Context(), agent)
	if err != nil {
		c.fail(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, "/console/laporan?ditugaskan="+t.Number+"&kepada="+url.QueryEscape(to.Name))
}
