package console

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/notify"
	"github.com/aduan/aduan/pkg/ticket"
)

// The zones an agent may read times in; WIB is the default.
var zones = map[string]*time.Location{
	"WIB":  ticket.Jakarta,
	"WITA": time.FixedZone("WITA", 8*60*60),
	"WIT":  time.FixedZone("WIT", 9*60*60),
}

const zoneCookie = "aduan_zona"

// zoneOf is the agent's chosen zone, kept in a cookie of the browser.
func zoneOf(g *gin.Context) *time.Location {
	if ck, err := g.Cookie(zoneCookie); err == nil {
		if z, ok := zones[ck]; ok {
			return z
		}
	}
	return ticket.Jakarta
}

// setZone keeps the agent's zone for a year.
func (c *Console) setZone(g *gin.Context) {
	z := g.PostForm("zona")
	if _, ok := zones[z]; !ok {
		c.fail(g, &ticket.Error{Code: ticket.EINVALID, Message: "Pilih WIB, WITA atau WIT."})
		return
	}
	http.SetCookie(g.Writer, &http.Cookie{Name: zoneCookie, Value: z, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: c.cfg.Auth.Secure(g.Request), SameSite: http.SameSiteStrictMode})
	g.Redirect(http.StatusSeeOther, back(g))
}

// duration says d the way an agent reads a waiting time: "3 mnt",
// "2 j 05 mnt", "4 hr 3 j".
func duration(d time.Duration) string {
	if d < time.Minute {
		return "< 1 mnt"
	}
	m := int(d / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d mnt", m)
	case m < 24*60:
		return fmt.Sprintf("%d j %02d mnt", m/60, m%60)
	}
	return fmt.Sprintf("%d hr %d j", m/(24*60), (m/60)%24)
}

// slaState is a ticket's SLA as the console shows it: a word, an icon and
// a class, so the state never rests on colour alone.
type slaState struct {
	Class string
	Icon  string
	Text  string
	Due   *time.Time
}

// slaWarnWithin is how close a due time must be to warn about it.
const slaWarnWithin = time.Hour

func slaOf(t ticket.Ticket, now time.Time) slaState {
	due := t.SLA.ResolutionDue
	if t.SLA.FirstRespondedAt == nil && t.SLA.FirstResponseDue != nil {
		due = t.SLA.FirstResponseDue
	}
	switch {
	case !t.Status.IsOpen():
		return slaState{Class: "sla-done", Icon: "✔", Text: "Selesai"}
	case t.SLA.Breached || (due != nil && now.After(*due)):
		return slaState{Class: "sla-breach", Icon: "✖", Text: "Lewat SLA", Due: due}
	case due != nil && due.Sub(now) < slaWarnWithin:
		return slaState{Class: "sla-warn", Icon: "⚠", Text: "Hampir lewat", Due: due}
	case due != nil:
		return slaState{Class: "sla-ok", Icon: "✓", Text: "Dalam SLA", Due: due}
	}
	return slaState{Class: "sla-none", Icon: "–", Text: "Tanpa SLA"}
}

// Labels in Indonesian for the domain's values.
var (
	statusLabels = map[ticket.Status]string{ticket.StatusNew: "Baru", ticket.StatusNeedsInfo: "Menunggu data",
		ticket.StatusOpen: "Dikerjakan", ticket.StatusPending: "Menunggu pelapor", ticket.StatusResolved: "Selesai",
		ticket.StatusClosed: "Ditutup"}
	priorityLabels = map[ticket.Priority]string{ticket.PriorityLow: "Rendah", ticket.PriorityNormal: "Normal",
		ticket.PriorityHigh: "Tinggi", ticket.PriorityUrgent: "Mendesak"}
	presenceLabels = map[ticket.Presence]string{ticket.PresenceAvailable: "Tersedia", ticket.PresenceAway: "Istirahat",
		ticket.PresenceOffline: "Luring"}
	verdictLabels = map[ticket.Verdict]string{ticket.VerdictPending: "Menunggu pemeriksaan", ticket.VerdictOK: "Sesuai",
		ticket.VerdictUnreadable: "Tidak terbaca", ticket.VerdictMismatch: "Tidak cocok"}
	kindLabels = map[ticket.AttachmentKind]string{ticket.KindKTP: "KTP", ticket.KindSelfie: "Swafoto dengan KTP",
		ticket.KindVaccineCard: "Kartu vaksin", ticket.KindOther: "Lainnya", ticket.KindUnknown: "Belum dikenali"}
	docLabels = map[ticket.DocumentState]string{ticket.DocMissing: "belum ada", ticket.DocReceived: "diterima",
		ticket.DocOK: "sesuai", ticket.DocUnreadable: "tidak terbaca", ticket.DocMismatch: "tidak cocok"}
	deliveryLabels = map[string]string{ticket.DeliveryQueued: "Dalam antrean kirim", ticket.DeliverySending: "Sedang dikirim",
		ticket.DeliverySent: "Terkirim", ticket.DeliveryFailed: "Gagal terkirim", "delivered": "Diterima", "read": "Dibaca"}
)

func label[K comparable](m map[K]string, k K) string {
	if s, ok := m[k]; ok {
		return s
	}
	return fmt.Sprint(k)
}

// funcs are the templates' functions; per-request formatting (dates in
// the agent's zone) is on the view instead.
var funcs = template.FuncMap{
	"status":     func(s ticket.Status) string { return label(statusLabels, s) },
	"category":   notify.CategoryName,
	"priority":   func(p ticket.Priority) string { return label(priorityLabels, p) },
	"channel":    notify.ChannelName,
	"presence":   func(p ticket.Presence) string { return label(presenceLabels, p) },
	"verdict":    func(v ticket.Verdict) string { return label(verdictLabels, v) },
	"kind":       func(k ticket.AttachmentKind) string { return label(kindLabels, k) },
	"delivery":   func(s string) string { return label(deliveryLabels, s) },
	"mask":       ticket.MaskText,
	"statuses":   func() []ticket.Status { return ticket.Statuses },
	"categories": func() []ticket.Category { return ticket.Categories },
	"priorities": func() []ticket.Priority { return ticket.Priorities },
	"presences": func() []ticket.Presence {
		return []ticket.Presence{ticket.PresenceAvailable, ticket.PresenceAway, ticket.PresenceOffline}
	},
	"zones":     func() []string { return []string{"WIB", "WITA", "WIT"} },
	"canMove":   func(from, to ticket.Status) bool { return from == to || from.CanMoveTo(to) },
	"add":       func(a, b int) int { return a + b },
	"dict":      dict,
	"eventText": eventText,
	"doc":       func(d ticket.DocumentState) string { return label(docLabels, d) },
	"list":      func(s ...string) []string { return s },
}

// dict builds a map from pairs, to hand a partial template several values.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
