package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/intake"
	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// roleInfo says what each role may do, for the admins' user page.
var roleInfo = []struct {
	Role ticket.Role
	Name string
	Does string
}{
	{ticket.RoleAgent, "Agen", "Menerima panggilan, mengambil dan mengerjakan tiket di antreannya."},
	{ticket.RoleSupervisor, "Supervisor", "Seperti agen, ditambah papan pantau, penugasan ulang tiket, laporan mingguan dan unduhannya."},
	{ticket.RoleAdmin, "Admin", "Seperti supervisor, ditambah pengguna, antrean dan kapasitas agen, aturan, email karantina dan pemantau tugas."},
}

type adminUsersView struct {
	Users   []ticket.User
	Roles   any
	Form    NewUser
	Queues  string // the new user's queues as typed
	Fields  map[string]string
	Notice  string
	Error   string
	Monitor string
}

// adminUsers is Admin's user page: every user with their role, queues,
// capacity and state; adding a user with a role; changing an agent's
// queues and capacity; disabling and enabling again.
func (c *Console) adminUsers(g *gin.Context) {
	c.renderUsers(g, http.StatusOK, adminUsersView{Notice: g.Query("pesan")})
}

func (c *Console) renderUsers(g *gin.Context, status int, v adminUsersView) {
	users, err := c.cfg.Oversight.Users.Users(g.Request.Context())
	if err != nil {
		c.fail(g, err)
		return
	}
	v.Users, v.Roles, v.Monitor = users, roleInfo, c.cfg.Oversight.TaskMonitor
	if v.Form.Role == "" {
		v.Form.Role, v.Form.Capacity = ticket.RoleAgent, 20
	}
	c.render(g, status, "admin", "Admin · Pengguna", "admin", v)
}

// backWith returns to an admin page with a notice.
func backWith(g *gin.Context, page, notice string) {
	g.Redirect(http.StatusSeeOther, page+"?pesan="+url.QueryEscape(notice))
}

// addUser adds a user with a role, as `aduan user add` does.
func (c *Console) addUser(g *gin.Context) {
	capacity, err := strconv.Atoi(strings.TrimSpace(g.PostForm("kapasitas")))
	nu := NewUser{Email: g.PostForm("email"), Name: g.PostForm("nama"), Password: g.PostForm("sandi"),
		Role: ticket.Role(g.PostForm("peran")), Queues: splitQueues(g.PostForm("antrean")), Capacity: capacity}
	if err != nil {
		nu.Capacity = -1 // reported below as out of range
	}
	u, err := c.cfg.Oversight.AddUser(g.Request.Context(), nu)
	if err != nil {
		var fe *ticket.Error
		if e, ok := err.(*ticket.Error); ok && (e.Code == ticket.EINVALID || e.Code == ticket.ECONFLICT) {
			fe = e
		}
		if fe == nil {
			c.fail(g, err)
			return
		}
		nu.Password = "" // never sent back
		c.renderUsers(g, http.StatusUnprocessableEntity, adminUsersView{Form: nu, Queues: g.PostForm("antrean"),
			Fields: fe.Fields, Error: indonesian(fe.Message)})
		return
	}
	backWith(g, "/console/admin", "Pengguna "+u.Name+" ditambahkan sebagai "+roleName(u.Role)+".")
}

// updateAgent changes an agent's queues and capacity: store.UpdateAgent
// with the checks of PATCH /api/v1/agents/{id}.
func (c *Console) updateAgent(g *gin.Context) {
	id, ok := c.userParam(g)
	if !ok {
		return
	}
	capacity, err := strconv.Atoi(strings.TrimSpace(g.PostForm("kapasitas")))
	queues := splitQueues(g.PostForm("antrean"))
	switch {
	case err != nil || capacity < 0 || capacity > 500:
		c.fail(g, &ticket.Error{Code: ticket.EINVALID, Message: "Kapasitas harus 0 sampai 500."})
		return
	case !queuesValid(queues):
		c.fail(g, &ticket.Error{Code: ticket.EINVALID, Message: "Nama antrean paling banyak 50 karakter."})
		return
	}
	u, err := c.cfg.Oversight.Users.UpdateAgent(g.Request.Context(), id, store.AgentUpdate{Queues: &queues, Capacity: &capacity})
	if err != nil {
		c.fail(g, err)
		return
	}
	backWith(g, "/console/admin", "Antrean dan kapasitas "+u.Name+" disimpan.")
}

// disableUser disables a user, as POST /api/v1/users/{id}/disable does:
// audited with the reason, every session ended, unstarted tickets back to
// the queues.
func (c *Console) disableUser(g *gin.Context) {
	id, ok := c.userParam(g)
	if !ok {
		return
	}
	reason, ok := c.reason(g)
	if !ok {
		return
	}
	if id == me(g).ID {
		c.fail(g, ticket.Errorf(ticket.ECONFLICT, "Anda tidak dapat menonaktifkan akun Anda sendiri."))
		return
	}
	ctx := g.Request.Context()
	u, err := c.cfg.Oversight.Users.DisableUser(ctx, id, me(g).ID, reason)
	if err != nil {
		c.fail(g, err)
		return
	}
	if c.cfg.Queues != nil {
		if _, err := c.cfg.Queues.ReleaseUnstarted(ctx, u.ID); err != nil {
			c.fail(g, err)
			return
		}
	}
	backWith(g, "/console/admin", u.Name+" dinonaktifkan.")
}

// enableUser lets a disabled user log in again (audited); they come back
// offline.
func (c *Console) enableUser(g *gin.Context) {
	id, ok := c.userParam(g)
	if !ok {
		return
	}
	reason, ok := c.reason(g)
	if !ok {
		return
	}
	u, err := c.cfg.Oversight.Users.EnableUser(g.Request.Context(), id, me(g).ID, reason)
	if err != nil {
		c.fail(g, err)
		return
	}
	backWith(g, "/console/admin", u.Name+" diaktifkan lagi.")
}

func (c *Console) userParam(g *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(g.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		c.fail(g, ticket.Errorf(ticket.ENOTFOUND, "Pengguna tidak ditemukan."))
		return 0, false
	}
	return id, true
}

// reason is the form's reason for an audited change: required, at most
// 500 characters.
func (c *Console) reason(g *gin.Context) (string, bool) {
	r := strings.TrimSpace(g.PostForm("alasan"))
	if r == "" || utf8.RuneCountInString(r) > 500 {
		c.fail(g, &ticket.Error{Code: ticket.EINVALID, Message: "Tulis alasannya (paling banyak 500 karakter)."})
		return "", false
	}
	return r, true
}

func splitQueues(s string) []string {
	out := []string{}
	for _, q := range strings.Split(s, ",") {
		if q = strings.TrimSpace(q); q != "" {
			out = append(out, q)
		}
	}
	return out
}

func queuesValid(qs []string) bool {
	for _, q := range qs {
		if len(q) > 50 {
			return false
		}
	}
	return true
}

func roleName(r ticket.Role) string {
	for _, i := range roleInfo {
		if i.Role == r {
			return i.Name
		}
	}
	return string(r)
}

type adminRulesView struct {
	Files   []RuleFile
	Monitor string
}

// adminRules shows the routing rules and SLA policies as configured,
// read-only: they change with the files and a restart.
func (c *Console) adminRules(g *gin.Context) {
	c.render(g, http.StatusOK, "admin_rules", "Admin · Aturan", "admin", adminRulesView{Files: c.cfg.Oversight.RuleFiles, Monitor: c.cfg.Oversight.TaskMonitor})
}

// adminMailLimit is how many of each list the mail page shows.
const adminMailLimit = 50

type adminMailView struct {
	Quarantined []store.QuarantinedMail
	Ignored     []store.IgnoredMail
	Notice      string
	Ticket      string // the ticket the last mail went to, linked from the notice
	Monitor     string
}

// adminMail lists quarantined and ignored mail with their reasons, each
// with its way back: quarantined mail is taken in again (Coba Lagi),
// ignored mail opens a ticket (Buka Tiket).
func (c *Console) adminMail(g *gin.Context) {
	ctx := g.Request.Context()
	q, err := c.cfg.Oversight.Mail.QuarantinedMails(ctx, 0, adminMailLimit)
	if err != nil {
		c.fail(g, err)
		return
	}
	ig, err := c.cfg.Oversight.Mail.IgnoredMails(ctx, 0, adminMailLimit)
	if err != nil {
		c.fail(g, err)
		return
	}
	c.render(g, http.StatusOK, "admin_mail", "Admin · Email", "admin",
		adminMailView{Quarantined: q, Ignored: ig, Notice: g.Query("pesan"), Ticket: g.Query("tiket"),
			Monitor: c.cfg.Oversight.TaskMonitor})
}

func (c *Console) retryQuarantined(g *gin.Context) {
	c.takeMailIn(g, c.cfg.Oversight.Release.RetryQuarantined)
}

func (c *Console) releaseIgnored(g *gin.Context) {
	c.takeMailIn(g, c.cfg.Oversight.Release.ReleaseIgnored)
}

// takeMailIn runs a release and says where the mail went.
func (c *Console) takeMailIn(g *gin.Context, release func(ctx context.Context, id, actorID int64) (intake.Result, error)) {
	id, err := strconv.ParseInt(g.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		c.fail(g, ticket.Errorf(ticket.ENOTFOUND, "Email tidak ditemukan."))
		return
	}
	res, err := release(g.Request.Context(), id, me(g).ID)
	if err != nil {
		c.fail(g, err)
		return
	}
	var notice string
	switch {
	case res.Ignored:
		notice = "Email terbaca, tetapi dikirim otomatis: kini ada di daftar email yang diabaikan."
	case res.Created:
		notice = "Email dibuka sebagai tiket baru " + res.Ticket.Number + "."
	default:
		notice = "Email masuk ke tiket " + res.Ticket.Number + "."
	}
	g.Redirect(http.StatusSeeOther, "/console/admin/email?pesan="+url.QueryEscape(notice)+"&tiket="+url.QueryEscape(res.Ticket.Number))
}
